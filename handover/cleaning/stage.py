"""The cleaned stage for one entity: raw rows in, canonical records plus every accounting bucket out.

Nothing is dropped: a row leaves as a record, or in quarantine / excluded / lineage (merged) with a reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from handover.cleaning.normalize import clean, clean_text
from handover.frames import as_text
from handover.cleaning.enrich import enrich
from handover.cleaning.golden import CONFLICT_COLUMNS, deduplicate, merge_repeated_ids
from handover.cleaning.links import LinkTarget, link_target, resolve_link
from handover.dedup.guards import guard_rows
from handover.ports import DELETED, RAW_META, RECORD_KEY, SOURCE_FILE, SOURCE_LINE
from handover.spec import EntitySpec, LinkSpec, MigrationSpec, SpecError, where_in_spec
from handover.staging import ledger_columns

__all__ = ["CleanResult", "LinkTarget", "clean_entity", "link_target"]


@dataclass
class CleanResult:
    records: pd.DataFrame
    quarantine: pd.DataFrame
    excluded: pd.DataFrame
    lineage: pd.DataFrame
    issues: pd.DataFrame
    changes: pd.DataFrame
    review: pd.DataFrame  # pairs a reviewer must decide: left_id, right_id (external ids), probability
    conflicts: pd.DataFrame = None  # type: ignore[assignment]  # values repeated rows of one source id disagree on
    conversions: pd.DataFrame = None  # type: ignore[assignment]  # leads: what each became (ledger.conversions)
    guards: pd.DataFrame = None  # type: ignore[assignment]  # per dedup guard: on or off, what it held back (ledger.dedup_guards)

    def __post_init__(self) -> None:
        if self.conflicts is None:
            self.conflicts = pd.DataFrame(columns=CONFLICT_COLUMNS)
        if self.conversions is None:
            self.conversions = pd.DataFrame(columns=ledger_columns("conversions"))
        if self.guards is None:
            self.guards = pd.DataFrame(columns=ledger_columns("dedup_guards"))

    field_types: dict[str, str] = None  # type: ignore[assignment]  # field -> type, to match business keys as cleaned
    aliases: pd.DataFrame = None  # type: ignore[assignment]  # business keys of merged-away records (ledger.aliases)

    def link_target(self) -> LinkTarget:
        return link_target(self.records, self.lineage, self.quarantine, self.excluded, self.field_types, self.aliases)


def external_id(system: str, entity: str, source_ids: pd.Series) -> pd.Series:
    return f"{system}:{entity}:" + source_ids.astype(str)


def row_keys(raw: pd.DataFrame) -> pd.Series:
    return raw[RECORD_KEY].astype(str)


def source_lines(raw: pd.DataFrame) -> pd.Series:
    """Line numbers where the source has them (files), else empty."""
    return pd.to_numeric(raw[SOURCE_LINE], errors="coerce").astype("Int64")


def _nonempty(series: pd.Series) -> pd.Series:
    return series.notna() & (series.astype(str).str.strip() != "")


class _Buckets:
    def __init__(self, entity: str, raw: pd.DataFrame, keys: pd.Series, source_columns: list[str]):
        self.entity, self.raw, self.keys, self.source_columns = entity, raw, keys, source_columns
        self.quarantine: list[pd.DataFrame] = []
        self.excluded: list[pd.DataFrame] = []
        self.issues: list[pd.DataFrame] = []

    def _raw_json(self, mask: pd.Series) -> pd.Series:
        rows = self.raw.loc[mask, self.source_columns].astype(object)
        rows = rows.where(rows.notna(), None)
        text = self.raw.loc[mask, "_raw_text"]
        return pd.Series(
            [t if isinstance(t, str) else json.dumps(r, ensure_ascii=False) for t, r in zip(text, rows.to_dict("records"))],
            index=rows.index, dtype=object,
        )

    def quarantine_rows(self, mask: pd.Series, reason: str | pd.Series, field: str | None, detail: str | pd.Series | None, source_ids: pd.Series) -> None:
        if not mask.any():
            return
        self.quarantine.append(pd.DataFrame({
            "entity": self.entity, "stage": "cleaned", "row_key": self.keys[mask],
            "source_file": self.raw.loc[mask, SOURCE_FILE], "source_line": source_lines(self.raw.loc[mask]),
            "source_id": source_ids[mask], "field": field,
            "reason": reason[mask] if isinstance(reason, pd.Series) else reason,
            "detail": detail[mask] if isinstance(detail, pd.Series) else detail,
            "raw": self._raw_json(mask),
        }))

    def issue_rows(self, mask: pd.Series, field: str, code: str | pd.Series, values: pd.Series, source_ids: pd.Series) -> None:
        if mask.any():
            self.issues.append(pd.DataFrame({
                "entity": self.entity, "stage": "cleaned", "row_key": self.keys[mask], "source_id": source_ids[mask],
                "field": field, "code": code[mask] if isinstance(code, pd.Series) else code, "value": as_text(values[mask]).astype(str),
            }))


def _frame(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _excluded_mask(raw: pd.DataFrame, spec: MigrationSpec, name: str, entity: EntitySpec, alive: pd.Series) -> tuple[pd.Series, pd.Series]:
    mask = pd.Series(False, index=raw.index)
    reason = pd.Series(None, index=raw.index, dtype=object)
    if not entity.exclude:
        return mask, reason
    con = duckdb.connect()
    frame = raw.loc[alive].drop(columns=[c for c in RAW_META if c in raw.columns]).copy()
    frame["__index"] = frame.index
    con.register("src", frame)
    for i, rule in enumerate(entity.exclude):
        try:
            hit = con.execute(f"SELECT __index FROM src WHERE ({rule.when})").fetchnumpy()["__index"]
        except duckdb.Error as exc:
            where = where_in_spec(spec, ("entities", name, "exclude", i, "when"))
            raise SpecError(f"{where}: cannot evaluate {rule.when!r}: {str(exc).splitlines()[0]}; columns: {', '.join(c for c in frame.columns if c != '__index')}")
        fresh = raw.index.isin(hit) & ~mask
        mask |= fresh
        reason[fresh] = rule.reason
    return mask, reason


def clean_entity(raw: pd.DataFrame, name: str, spec: MigrationSpec, links: dict[str, LinkTarget] | None = None,
                 decisions: pd.DataFrame | None = None, lookups: dict | None = None, converted: pd.DataFrame | None = None) -> CleanResult:
    """Clean one entity's raw rows. `links` holds the cleaned result of every entity this one links to;
    `decisions` are a reviewer's match / no_match decisions on pairs (external ids); `lookups` feed
    fill rules (e.g. accounts: domain -> name); `converted`: ledger.conversions rows of leads converted into
    this entity, whose records join the entity's own before duplicates are merged."""
    from handover.naming import column_key

    entity = spec.entities[name]
    source = spec.source
    raw = raw.reset_index(drop=True)
    keys = row_keys(raw)
    source_columns = [c for c in raw.columns if c not in RAW_META]
    buckets = _Buckets(name, raw, keys, source_columns)
    link_columns = [c for specs in entity.link_specs().values() for s in specs for c in s.columns]
    column = {c: column_key(c) for c in [entity.id, entity.owner_column or entity.id, *link_columns]}
    field_specs = entity.field_specs(name)
    for spec_field in field_specs.values():
        column[spec_field.from_] = column_key(spec_field.from_)

    source_ids = as_text(clean_text(raw[column[entity.id]]).values)
    alive = as_text(raw["_raw_error"]).isna()
    broken = ~alive
    errors = as_text(raw["_raw_error"])
    codes = pd.Series([e.split(":")[0] if e else None for e in errors], index=raw.index, dtype=object)
    buckets.quarantine_rows(broken, codes, None, errors, source_ids)

    missing_id = alive & source_ids.isna()
    buckets.quarantine_rows(missing_id, "missing_id", entity.id, f"no value in column {entity.id!r}", source_ids)
    alive &= ~missing_id

    deleted = alive & raw[DELETED].fillna(False).astype(bool) if DELETED in raw else pd.Series(False, index=raw.index)
    alive &= ~deleted
    excluded, excluded_reason = _excluded_mask(raw, spec, name, entity, alive)
    excluded_reason[deleted] = "deleted in the source"
    excluded |= deleted
    alive &= ~excluded

    options = {"tz": source.timezone, "date_order": source.date_order, "default_region": source.default_region}
    records = pd.DataFrame(index=raw.index)
    invalid: dict[str, pd.Series] = {}
    change_parts = []
    for field_name, spec_field in field_specs.items():
        original = raw[column[spec_field.from_]]
        result = clean(spec_field.type, original, **(options | spec_field.cleaning_options()))
        records[field_name] = result.values
        bad = alive & result.problems.notna()
        if bad.any():
            invalid[field_name] = result.problems.where(bad, None)
        changed = alive & result.rules.notna()
        if changed.any():
            change_parts.append(pd.DataFrame({
                "entity": name, "row_key": keys[changed], "field": field_name, "before": as_text(original[changed]),
                "after": records.loc[changed, field_name].astype(str), "rule": result.rules[changed],
            }))

    originals = {f: raw[column[s.from_]] for f, s in field_specs.items()}
    enrichment = enrich(records, name, entity, originals, alive, keys, lookups, region=source.default_region)
    change_parts += enrichment.changes
    for field_name, problems in enrichment.problems.items():
        if problems.notna().any():
            invalid[field_name] = problems
        else:
            invalid.pop(field_name, None)

    required_failed = pd.Series(False, index=raw.index)
    for requirement in entity.required:
        group = [f.strip() for f in requirement.split("|")]
        empty = records[group].isna().all(axis=1) & alive & ~required_failed
        if not empty.any():
            continue
        reason = pd.Series("required_missing", index=raw.index, dtype=object)
        for f in reversed(group):
            if f in invalid:
                reason = reason.where(invalid[f].isna(), invalid[f])
        detail = pd.Series(f"no valid value for {' or '.join(group)}", index=raw.index, dtype=object)
        buckets.quarantine_rows(empty, reason, requirement, detail, source_ids)
        required_failed |= empty
    alive &= ~required_failed

    for field_name, problems in invalid.items():
        flagged = alive & problems.notna()
        buckets.issue_rows(flagged, field_name, problems, raw[column[field_specs[field_name].from_]], source_ids)
    for mask, field_name, code in enrichment.flags:
        buckets.issue_rows(alive & mask, field_name, code, records[field_name], source_ids)

    records["source_id"] = source_ids
    records["external_id"] = external_id(source.system, name, source_ids)
    records["row_key"] = keys
    records["owner_source_id"] = as_text(clean_text(raw[column[entity.owner_column]]).values) if entity.owner else None
    if isinstance(entity.owner, LinkSpec) and entity.owner.key_fields:
        records["owner_source_id"] = _owner_by_key(raw, entity.owner, (links or {}).get("owner", LinkTarget()), alive, options, buckets, source_ids)
    records[SOURCE_FILE] = raw[SOURCE_FILE]
    records[SOURCE_LINE] = source_lines(raw)

    lineage_parts = []
    same, _edited, _first_line = _repeated_ids(raw, source_ids, source_columns, alive)
    if same.any():
        lineage_parts.append(pd.DataFrame({
            "entity": name, "row_key": keys[same], "source_id": source_ids[same], "external_id": records.loc[same, "external_id"],
            "golden_external_id": records.loc[same, "external_id"], "rule": "repeated_line",
        }))
    alive &= ~same

    extras = _extras(raw, source_columns, set(column.values()), entity.keep_unmapped, invalid, originals, alive)
    for key, kept in enrichment.extras.items():
        for i in np.flatnonzero((alive & kept.notna()).to_numpy()):
            extras[i][key] = kept.iat[i]
    for link_name, link_specs in entity.link_specs().items():
        outcome = resolve_link(raw, link_specs, (links or {}).get(link_name, LinkTarget()), alive, options)
        unresolved = alive & outcome.problem.notna()
        dropped = unresolved & (outcome.policy == "quarantine")
        buckets.quarantine_rows(dropped, outcome.problem, link_name, outcome.detail, source_ids)
        alive &= ~dropped
        flagged = unresolved & ~dropped
        buckets.issue_rows(flagged, link_name, outcome.problem, outcome.source_value.where(outcome.detail.isna(), outcome.detail), source_ids)
        for i in np.flatnonzero(flagged.to_numpy()):
            extras[i].setdefault("unresolved_links", {})[link_name] = outcome.source_value.iat[i]
        records[f"{link_name}_source_id"] = outcome.source_value
        records[f"{link_name}_external_id"] = outcome.external_id

    live = records.loc[alive].copy()
    live["extras"] = [extras[i] for i in np.flatnonzero(alive.to_numpy())]
    live, repeated_lineage, conflicts = merge_repeated_ids(live, name, entity)
    lineage_parts.append(repeated_lineage)
    if converted is not None and not converted.empty:
        from handover.cleaning.convert import converted_records

        products, product_quarantine, product_issues = converted_records(converted, name, spec, links or {})
        live = pd.concat([live, products[[c for c in live.columns if c in products]]], ignore_index=True)
        buckets.quarantine.append(product_quarantine)
        buckets.issues.append(product_issues)
    before_merge = live
    dedup = deduplicate(live, name, entity, decisions)
    live = dedup.records
    if not dedup.lineage.empty:
        lineage_parts.append(dedup.lineage)
    aliases = _aliases(before_merge, dedup.lineage, name, spec.key_fields_into(name))
    conversions = None
    if spec.converts_into(name):
        from handover.cleaning.convert import convert_leads

        conversions, converted_lineage = convert_leads(live, name, spec)
        lineage_parts.append(converted_lineage)
    live["extras"] = [json.dumps(e, ensure_ascii=False, sort_keys=True, default=str) if e else None for e in live["extras"]]

    excluded_frame = pd.DataFrame({
        "entity": name, "stage": "cleaned", "row_key": keys[excluded], "source_id": source_ids[excluded], "reason": excluded_reason[excluded],
    })
    return CleanResult(
        records=live.reset_index(drop=True),
        quarantine=_frame(buckets.quarantine, ledger_columns("quarantine")),
        excluded=excluded_frame.reset_index(drop=True),
        lineage=_frame(lineage_parts, ledger_columns("lineage")),
        issues=_frame(buckets.issues, ledger_columns("issues")),
        changes=_frame(change_parts, ledger_columns("changes")),
        review=dedup.review.assign(entity=name) if not dedup.review.empty else pd.DataFrame(columns=ledger_columns("review")),
        guards=pd.DataFrame(guard_rows(name, dedup.guards) if dedup.resolved else [], columns=ledger_columns("dedup_guards")),
        conflicts=conflicts, conversions=conversions, field_types={f: s.type for f, s in field_specs.items()}, aliases=aliases,
    )


def _aliases(records: pd.DataFrame, lineage: pd.DataFrame, name: str, fields: list[str]) -> pd.DataFrame:
    """The business-key values of every record of a merged cluster (the surviving one's own values too, which the
    golden record may have replaced), with the golden record they went to."""
    from handover.frames import json_ready

    if not fields or lineage.empty:
        return pd.DataFrame(columns=ledger_columns("aliases"))
    merged = records.loc[records["row_key"].isin(lineage["row_key"]) | records["external_id"].isin(lineage["golden_external_id"])]
    present = [f for f in fields if f in merged]
    golden = merged["row_key"].map(dict(zip(lineage["row_key"], lineage["golden_external_id"]))).fillna(merged["external_id"])
    values = json_ready(merged[present]) if present else pd.DataFrame(index=merged.index)
    keys = [json.dumps({f: v for f, v in row.items() if v is not None}, ensure_ascii=False) for row in values.to_dict("records")]
    return pd.DataFrame({"entity": name, "golden_external_id": golden.to_numpy(), "row_key": merged["row_key"].to_numpy(), "keys": keys})


def _repeated_ids(raw: pd.DataFrame, source_ids: pd.Series, source_columns: list[str], alive: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Later rows reusing an id: (identical to the first: a repeated line, different: a conflict, first's line)."""
    same = pd.Series(False, index=raw.index)
    conflict = pd.Series(False, index=raw.index)
    first_line = pd.Series("", index=raw.index, dtype=object)
    repeated = np.flatnonzero((alive & source_ids.notna() & source_ids.duplicated(keep=False)).to_numpy())
    first_of: dict[str, int] = {}
    values = raw[source_columns].astype(object)
    for i in repeated:
        sid = source_ids.iat[i]
        if sid not in first_of:
            first_of[sid] = i
            continue
        first = first_of[sid]
        identical = values.iloc[i].equals(values.iloc[first])
        same.iat[i], conflict.iat[i] = identical, not identical
        first_line.iat[i] = str(raw[SOURCE_LINE].iat[first]) if pd.notna(raw[SOURCE_LINE].iat[first]) else str(raw[RECORD_KEY].iat[first])
    return same, conflict, first_line


def _extras(raw: pd.DataFrame, source_columns: list[str], used: set[str], keep_unmapped: bool, invalid: dict[str, pd.Series], originals: dict[str, pd.Series], alive: pd.Series) -> list[dict]:
    """Per row: unmapped source columns and the original text of values that failed cleaning."""
    extras: list[dict] = [{} for _ in range(len(raw))]
    unmapped = [c for c in source_columns if c not in used] if keep_unmapped else []
    for c in unmapped:
        values = raw[c]
        for i in np.flatnonzero((alive & _nonempty(values)).to_numpy()):
            extras[i][c] = values.iat[i]
    for field_name, problems in invalid.items():
        for i in np.flatnonzero((alive & problems.notna()).to_numpy()):
            extras[i].setdefault("invalid_values", {})[field_name] = originals[field_name].iat[i]
    return extras


def _owner_by_key(raw: pd.DataFrame, owner: LinkSpec, target: LinkTarget, alive: pd.Series, options: dict,
                  buckets: _Buckets, source_ids: pd.Series) -> pd.Series:
    """Owner source ids for an owner column that names owners by another unique field (a full name, an e-mail).
    A name no owner holds stays as written: the mapped stage gives such records to the fallback owner."""
    outcome = resolve_link(raw, [owner], target, alive, options)
    source_of = target.source_id_of()
    ids = outcome.external_id.map(source_of)
    flagged = alive & outcome.problem.notna()
    buckets.issue_rows(flagged, "owner", outcome.problem, outcome.source_value.where(outcome.detail.isna(), outcome.detail), source_ids)
    return ids.where(ids.notna(), outcome.source_value).astype(object)
