"""Duplicates within an entity: clusters (exact rules, and the probabilistic engine where the spec asks
for it), golden records by per-field survivorship rules, lineage of every merged record."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from handover.matching import ExactRule, SortOrder, cluster_exact, golden_records
from handover.spec import EntitySpec, Survivorship

BOOKKEEPING = ("source_id", "external_id", "row_key", "_source_file", "_source_line", "extras", "merged_count")
LINEAGE_COLUMNS = ["entity", "row_key", "source_id", "external_id", "golden_external_id", "rule"]

# Canonical fields the matching engine compares, per entity, from our canonical (and virtual) fields.
MATCH_FIELDS = {
    "contact": ("first_name", "last_name", "email", "phone", "street", "city", "postcode", "state", "country", "date_of_birth"),
    "account": ("name", "domain", "phone", "street", "city", "postcode", "state", "country", "tax_id"),
}


@dataclass
class DedupResult:
    records: pd.DataFrame  # golden records (and records that matched nothing)
    lineage: pd.DataFrame  # merged record -> golden record, with the rule that joined it
    review: pd.DataFrame  # left_id, right_id, probability: pairs a reviewer must decide


def virtual_fields(records: pd.DataFrame, name: str) -> pd.DataFrame:
    """Derived fields rules may use: a contact's name and email domain, an account's website domain."""
    from handover.cleaning.normalize import url_domain

    derived = pd.DataFrame(index=records.index)
    present = set(records.columns)
    if name == "contact" and {"first_name", "last_name"} <= set(records.columns):
        first, last = records["first_name"], records["last_name"]
        derived["name"] = (first.fillna("").astype(str) + " " + last.fillna("").astype(str)).str.strip()
        derived.loc[first.isna() & last.isna(), "name"] = None
    if name == "contact" and "email" in records and "domain" not in present:
        derived["domain"] = [e.split("@", 1)[1] if isinstance(e, str) and "@" in e else None for e in records["email"].astype(object)]
    if name == "account" and "website" in records and "domain" not in present:
        derived["domain"] = url_domain(records["website"].astype(object))
    return derived


def survivorship_orders(work: pd.DataFrame, fields: list[str], survivorship: Survivorship) -> dict[str, SortOrder]:
    """The member order each field's rule implies; adds the helper columns it sorts by to `work`."""
    work["__completeness"] = work[fields].notna().sum(axis=1)
    work["__modified"] = work["modified_at"] if "modified_at" in work else None
    work["__created"] = work["created_at"] if "created_at" in work else None
    rank = {file: i for i, file in enumerate(survivorship.source_priority)}
    work["__priority"] = work["_source_file"].map(rank).fillna(len(rank))
    line = ("_source_line",)
    orders: dict[str, SortOrder] = {}
    for field in fields:
        rule = survivorship.fields.get(field, survivorship.default)
        if rule == "most_recent":
            orders[field] = (("__modified", "__completeness") + line, (False, False, True))
        elif rule == "most_complete":
            orders[field] = (("__completeness", "__modified") + line, (False, False, True))
        elif rule == "oldest":
            orders[field] = (("__created",) + line, (True, True))
        elif rule == "source_priority":
            orders[field] = (("__priority", "__modified") + line, (True, False, True))
        elif rule == "longest":
            work[f"__len_{field}"] = work[field].astype(object).map(lambda v: len(str(v)) if v is not None and v == v else -1)
            orders[field] = ((f"__len_{field}", "__modified") + line, (False, False, True))
    return orders


def _clusters(live: pd.DataFrame, name: str, entity: EntitySpec, decisions: pd.DataFrame | None) -> tuple[np.ndarray, dict[int, str], pd.DataFrame]:
    """(cluster label per row, rule that joined each merged position, review pairs)."""
    dedup = entity.dedup
    keyed = pd.concat([live, virtual_fields(live, name)], axis=1)
    if dedup.probabilistic is not None and name in MATCH_FIELDS:
        from handover.dedup import ProbabilisticConfig, resolve

        columns = [c for c in MATCH_FIELDS[name] if c in keyed]
        frame = keyed[columns].copy()
        frame.insert(0, "id", live["external_id"].to_numpy())
        low, high = dedup.probabilistic.review_between
        result = resolve(frame.reset_index(drop=True), name, rules=dedup.rules or None,
                         probabilistic=ProbabilisticConfig(match_threshold=high, review_threshold=low), decisions=decisions)
        labels = pd.factorize(result.cluster_id.to_numpy())[0]
        position = {external: i for i, external in enumerate(live["external_id"])}
        joined_by: dict[int, str] = {}
        for left, right, rule in result.pairs[["left_id", "right_id", "rule"]].itertuples(index=False):
            joined_by.setdefault(position[left], rule)
            joined_by.setdefault(position[right], rule)
        return labels, joined_by, result.review
    labels, joined_by = cluster_exact(keyed, [ExactRule.parse(r) for r in dedup.rules])
    return labels, {p: f"exact:{r}" for p, r in joined_by.items()}, pd.DataFrame(columns=["left_id", "right_id", "probability"])


def deduplicate(live: pd.DataFrame, name: str, entity: EntitySpec, decisions: pd.DataFrame | None = None) -> DedupResult:
    live = live.copy()
    live["merged_count"] = 0
    no_review = pd.DataFrame(columns=["left_id", "right_id", "probability"])
    if entity.dedup is None or live.empty or not (entity.dedup.rules or entity.dedup.probabilistic):
        return DedupResult(live, pd.DataFrame(columns=LINEAGE_COLUMNS), no_review)
    labels, joined_by, review = _clusters(live, name, entity, decisions)
    value_columns = [c for c in live.columns if c not in BOOKKEEPING]
    fields = [f for f in entity.field_specs(name) if f in live]
    work = live.copy()
    orders = survivorship_orders(work, fields, entity.dedup.survivorship)
    golden, survivors = golden_records(
        work, labels, value_columns, identity_order=["__created", "_source_line"],
        value_order=["__modified", "__completeness", "_source_line"], value_ascending=[False, False, True], field_orders=orders,
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
    return DedupResult(golden, lineage, review)
