"""Duplicates within an entity: clusters (exact rules, and the probabilistic engine where the spec asks
for it), golden records by per-field survivorship rules, lineage of every merged record."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from handover.spec import EntitySpec, Survivorship

SortOrder = tuple[tuple[str, ...], tuple[bool, ...]]


def golden_records(
    frame: pd.DataFrame, labels: np.ndarray, value_columns: list[str], *, identity_order: list[str],
    value_order: list[str], value_ascending: list[bool], field_orders: dict[str, SortOrder] | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Build one golden record per cluster.

    Identity (which record's id survives) comes from the first record by `identity_order`, so the
    golden external id stays stable across runs; values come, field by field, from the first
    non-empty value by the field's order in `field_orders` (survivorship rules), else by
    `value_order`. Returns (golden rows indexed like their surviving record, survivor index per input row).
    """
    work = frame.copy()
    work["__cluster"] = labels
    survivor_of_cluster = work.sort_values(identity_order, kind="stable", na_position="last").groupby("__cluster").head(1)
    survivor_by_cluster = pd.Series(survivor_of_cluster.index, index=survivor_of_cluster["__cluster"].to_numpy())
    survivors = pd.Series(survivor_by_cluster.loc[labels].to_numpy(), index=frame.index)

    multi = work["__cluster"].map(work["__cluster"].value_counts()) > 1
    golden = frame.loc[survivor_by_cluster.to_numpy()].copy()
    if not multi.any():
        return golden, survivors
    default: SortOrder = (tuple(value_order), tuple(value_ascending))
    by_order: dict[SortOrder, list[str]] = {}
    for column in value_columns:
        by_order.setdefault((field_orders or {}).get(column, default), []).append(column)
    members = work.loc[multi]
    for (columns, ascending), fields in by_order.items():
        ordered = members.sort_values(list(columns), ascending=list(ascending), kind="stable", na_position="last")
        values = ordered.groupby("__cluster")[fields].first()
        values.index = survivor_by_cluster.loc[values.index].to_numpy()
        golden.loc[values.index, fields] = values
    return golden, survivors


BOOKKEEPING = ("source_id", "external_id", "row_key", "_source_file", "_source_line", "extras", "merged_count")
LINEAGE_COLUMNS = ["entity", "row_key", "source_id", "external_id", "golden_external_id", "rule"]

# Canonical fields the matching engine compares, per entity.
MATCH_FIELDS = {
    "contact": ("first_name", "last_name", "full_name", "email", "phone", "company", "street", "city", "postcode", "state",
                "country", "date_of_birth"),
    "account": ("name", "domain", "website", "phone", "street", "city", "postcode", "state", "country", "tax_id"),
}
# the fields a virtual rule field (entities.VIRTUAL_FIELDS) is made of: the engine derives it itself
_RULE_SOURCES = {"contact": ("first_name", "last_name", "email"), "account": ("website",)}


@dataclass
class DedupResult:
    records: pd.DataFrame  # golden records (and records that matched nothing)
    lineage: pd.DataFrame  # merged record -> golden record, with the rule that joined it
    review: pd.DataFrame  # left_id, right_id, probability, reason: pairs a reviewer must decide
    guards: dict[str, int] = field(default_factory=dict)  # guard -> pairs it held back (shared_values: records)
    notes: list[str] = field(default_factory=list)       # comparisons dropped, values ignored, and why
    resolved: bool = False                               # the engine ran (the spec asks for rules or matching)


def survivorship_orders(work: pd.DataFrame, fields: list[str], survivorship: Survivorship) -> dict[str, SortOrder]:
    """The member order each field's rule implies; adds the helper columns it sorts by to `work`."""
    work["__completeness"] = work[fields].notna().sum(axis=1)
    work["__modified"] = work["modified_at"] if "modified_at" in work else None
    work["__created"] = work["created_at"] if "created_at" in work else None
    rank = {file: i for i, file in enumerate(survivorship.source_priority)}
    work["__priority"] = work["_source_file"].map(rank).fillna(len(rank))
    line = ("_source_line",)
    orders: dict[str, SortOrder] = {}
    for name in fields:
        rule = survivorship.fields.get(name, survivorship.default)
        if rule == "most_recent":
            orders[name] = (("__modified", "__completeness") + line, (False, False, True))
        elif rule == "most_complete":
            orders[name] = (("__completeness", "__modified") + line, (False, False, True))
        elif rule == "oldest":
            orders[name] = (("__created",) + line, (True, True))
        elif rule == "source_priority":
            orders[name] = (("__priority", "__modified") + line, (True, False, True))
        elif rule == "longest":
            work[f"__len_{name}"] = work[name].astype(object).map(lambda v: len(str(v)) if v is not None and v == v else -1)
            orders[name] = ((f"__len_{name}", "__modified") + line, (False, False, True))
    return orders


def _clusters(live: pd.DataFrame, name: str, entity: EntitySpec, decisions: pd.DataFrame | None
              ) -> tuple[np.ndarray, dict[int, str], pd.DataFrame, dict[str, int], list[str]]:
    """(cluster label per row, rule that joined each merged position, review pairs, what each guard
    held back, the engine's notes), from the one entity-resolution engine (handover.dedup) whether
    the spec asks for exact rules only or for probabilistic matching as well."""
    from handover.dedup import DEFAULT_GUARDS, GUARDS, ProbabilisticConfig, resolve

    dedup = entity.dedup
    rule_fields = {part.strip() for rule in dedup.rules for part in rule.split("+")}
    matched = MATCH_FIELDS.get(name, ()) if dedup.probabilistic is not None else ()
    columns = [c for c in live.columns if c in set(matched) | rule_fields | set(_RULE_SOURCES.get(name, ()))]
    frame = live[columns].copy()
    frame.insert(0, "id", live["external_id"].to_numpy())
    config = None
    if dedup.probabilistic is not None:
        low, high = dedup.probabilistic.review_between
        config = ProbabilisticConfig(match_threshold=high, review_threshold=low)
    result = resolve(frame.reset_index(drop=True), name, rules=list(dedup.rules), probabilistic=config, decisions=decisions,
                     guards=[g for g in GUARDS if dedup.guards.get(g, g in DEFAULT_GUARDS)])
    labels = pd.factorize(result.cluster_id.to_numpy())[0]
    position = {external: i for i, external in enumerate(live["external_id"])}
    joined_by: dict[int, str] = {}
    for left, right, rule in result.pairs[["left_id", "right_id", "rule"]].itertuples(index=False):
        joined_by.setdefault(position[left], rule)
        joined_by.setdefault(position[right], rule)
    return labels, joined_by, result.review, result.guards, result.notes


def deduplicate(live: pd.DataFrame, name: str, entity: EntitySpec, decisions: pd.DataFrame | None = None) -> DedupResult:
    live = live.copy()
    live["merged_count"] = 0
    no_review = pd.DataFrame(columns=["left_id", "right_id", "probability", "reason"])
    if entity.dedup is None or live.empty or not (entity.dedup.rules or entity.dedup.probabilistic):
        return DedupResult(live, pd.DataFrame(columns=LINEAGE_COLUMNS), no_review)
    labels, joined_by, review, guards, notes = _clusters(live, name, entity, decisions)
    value_columns = [c for c in live.columns if c not in BOOKKEEPING]
    fields = [f for f in entity.field_specs(name) if f in live]
    work = live.copy()
    orders = survivorship_orders(work, fields, entity.dedup.survivorship)
    # A lead converted into a record that already exists adds to it: the record keeps its id, and its own values
    # (its account, its stage) come before the lead's.
    work["__converted"] = live["source_id"].astype(str).str.startswith("lead:")
    orders = {f: (("__converted", *columns), (True, *ascending)) for f, (columns, ascending) in orders.items()}
    golden, survivors = golden_records(
        work, labels, value_columns, identity_order=["__converted", "__created", "_source_line"],
        value_order=["__converted", "__modified", "__completeness", "_source_line"], value_ascending=[True, False, False, True], field_orders=orders,
    )
    merged_mask = survivors.to_numpy() != live.index.to_numpy()
    merged_rows = live.loc[merged_mask]
    lineage = pd.DataFrame({
        "entity": name, "row_key": merged_rows["row_key"].to_numpy(), "source_id": merged_rows["source_id"].to_numpy(),
        "external_id": merged_rows["external_id"].to_numpy(),
        "golden_external_id": live.loc[survivors[merged_mask].to_numpy(), "external_id"].to_numpy(),
        "rule": [joined_by.get(int(p), "transitive") for p in np.flatnonzero(merged_mask)],
    })
    golden = golden[live.columns]
    counts = pd.Series(survivors.to_numpy()).value_counts()
    golden["merged_count"] = golden.index.map(counts).fillna(1).astype(int) - 1
    merged_ids = pd.Series(merged_rows["source_id"].to_numpy()).groupby(survivors[merged_mask].to_numpy()).agg(list)
    golden["extras"] = [dict(e or {}, merged_from=merged_ids[i]) if i in merged_ids.index else e for i, e in zip(golden.index, golden["extras"])]
    return DedupResult(golden, lineage, review, guards, notes, resolved=True)


CONFLICT_COLUMNS = ["entity", "external_id", "field", "kept", "seen", "row_keys"]


def merge_repeated_ids(live: pd.DataFrame, name: str, entity: EntitySpec) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Rows that share a source id but differ (an export that holds a record twice, edited in between) are one
    record: merged by the entity's survivorship rules (default: the most recently modified value), each merged row
    in lineage (rule repeated_id), every field they disagree on listed with all its values.
    Returns (records, lineage, conflicts)."""
    repeated = live["source_id"].duplicated(keep=False)
    if not repeated.any():
        return live, pd.DataFrame(columns=LINEAGE_COLUMNS), pd.DataFrame(columns=CONFLICT_COLUMNS)
    labels = pd.factorize(live["source_id"])[0]
    value_columns = [c for c in live.columns if c not in BOOKKEEPING]
    fields = [f for f in entity.field_specs(name) if f in live]
    work = live.copy()
    survivorship = entity.dedup.survivorship if entity.dedup else Survivorship()
    orders = survivorship_orders(work, fields, survivorship)
    golden, survivors = golden_records(
        work, labels, value_columns, identity_order=["_source_line"], value_order=["__modified", "__completeness", "_source_line"],
        value_ascending=[False, False, True], field_orders=orders,
    )
    merged = survivors.to_numpy() != live.index.to_numpy()
    rows = live.loc[merged]
    lineage = pd.DataFrame({
        "entity": name, "row_key": rows["row_key"].to_numpy(), "source_id": rows["source_id"].to_numpy(),
        "external_id": rows["external_id"].to_numpy(), "golden_external_id": rows["external_id"].to_numpy(), "rule": "repeated_id",
    })
    conflicts = _conflicts(live.loc[repeated], golden, survivors[repeated], name, [c for c in value_columns if not c.endswith("_source_id")])
    return golden[live.columns].reset_index(drop=True), lineage, conflicts


def _conflicts(rows: pd.DataFrame, golden: pd.DataFrame, survivors: pd.Series, name: str, columns: list[str]) -> pd.DataFrame:
    import json

    from handover.frames import is_missing, json_ready

    ready = json_ready(rows[columns])
    ready.index = rows.index
    out = []
    for survivor, members in ready.groupby(survivors.to_numpy()):
        keys = json.dumps(rows.loc[members.index, "row_key"].tolist(), ensure_ascii=False)
        for column in columns:
            seen = [v for v in dict.fromkeys(members[column]) if not is_missing(v)]
            if len(seen) > 1:
                kept = json_ready(golden.loc[[survivor], [column]]).iat[0, 0]
                out.append({"entity": name, "external_id": golden.at[survivor, "external_id"], "field": column,
                            "kept": None if kept is None else str(kept), "seen": json.dumps(seen, ensure_ascii=False, default=str), "row_keys": keys})
    return pd.DataFrame(out, columns=CONFLICT_COLUMNS)
