"""Lead conversion, for a target that keeps no leads: each golden lead becomes a contact, an account (when it
names a company) and a deal (when it has an amount), as the spec's `convert` says.

Lineage is kept both ways. The lead's row is accounted as merged into what it became (`ledger.lineage`, rule
`converted`), and every record it became is a row of its own entity in `ledger.conversions` (to_row_key), so
the contact, account and deal stages account for it like an extracted row: loaded, merged into an existing
record (a lead whose person is already a contact), quarantined (a required field the lead did not have), ...
"""

from __future__ import annotations

import json

import pandas as pd

from handover.frames import apply_types, json_ready
from handover.spec import MigrationSpec
from handover.staging import ledger_columns

PREFIX = "lead:"  # source ids of converted records: lead:<lead id>, distinct from the target entity's own ids
# Which converted record a converted record links to, per entity and link.
_LINKED = {"contact": {"account": "account"}, "deal": {"account": "account", "contact": "contact"}}


def convert_leads(golden: pd.DataFrame, name: str, spec: MigrationSpec) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(ledger.conversions rows, ledger.lineage rows for the converted leads) for the golden lead records."""
    targets = spec.converts_into(name)
    if not targets or golden.empty:
        return pd.DataFrame(columns=ledger_columns("conversions")), pd.DataFrame(columns=ledger_columns("lineage"))
    made: dict[str, pd.Series] = {}
    for entity, mapping in targets.items():
        if entity == "account":
            made[entity] = golden[mapping["name"]].notna()
        elif entity == "deal":
            made[entity] = golden[mapping["amount"]].notna()
        else:
            made[entity] = pd.Series(True, index=golden.index)
    parts = []
    lead_ids = golden["source_id"].astype(str)
    for entity, mapping in targets.items():
        rows = golden.loc[made[entity]]
        if rows.empty:
            continue
        record = pd.DataFrame({field: rows[lead_field] for field, lead_field in mapping.items()}, index=rows.index)
        if "name" in record and "full_name" in rows and entity != "account":  # a deal for a lead without a company: the person's name
            record["name"] = record["name"].where(record["name"].notna(), rows["full_name"])
        record["owner_source_id"] = rows["owner_source_id"] if "owner_source_id" in rows else None
        for link, linked in _LINKED.get(entity, {}).items():
            if linked in made and link in spec.entities[entity].links:
                record[f"{link}_source_id"] = (PREFIX + lead_ids[rows.index]).where(made[linked][rows.index], None)
        record["_source_file"] = rows["_source_file"]
        record["_source_line"] = rows["_source_line"]
        ready = json_ready(record)
        parts.append(pd.DataFrame({
            "entity": name, "row_key": rows["row_key"], "external_id": rows["external_id"], "to_entity": entity,
            "to_row_key": rows["row_key"] + ">" + entity, "to_source_id": PREFIX + lead_ids[rows.index],
            "to_external_id": f"{spec.source.system}:{entity}:" + PREFIX + lead_ids[rows.index],
            "record": [json.dumps(dict(zip(ready.columns, values)), ensure_ascii=False, default=str) for values in ready.itertuples(index=False)],
        }))
    conversions = pd.concat(parts, ignore_index=True)
    first = conversions.drop_duplicates("row_key").set_index("row_key")["to_external_id"]
    primary = "contact" if "contact" in targets else next(iter(targets))
    primary_ids = conversions.loc[conversions["to_entity"] == primary].set_index("row_key")["to_external_id"]
    lineage = pd.DataFrame({
        "entity": name, "row_key": golden["row_key"], "source_id": golden["source_id"], "external_id": golden["external_id"],
        "golden_external_id": golden["row_key"].map(primary_ids).fillna(golden["row_key"].map(first)),
        "rule": "converted",
    })
    return conversions, lineage.reset_index(drop=True)


def converted_records(conversions: pd.DataFrame, name: str, spec: MigrationSpec, links: dict) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The records leads were converted into, as rows of entity `name` (canonical fields typed, links resolved), to
    join the entity's own rows before duplicates are merged; with the quarantine (a required field the lead did not
    have) and issue (a link left unresolved) rows they cause. `links`: link -> handover.cleaning.links.LinkTarget."""
    entity = spec.entities[name]
    types = {f: s.type for f, s in entity.field_specs(name).items()}
    rows = [json.loads(r) for r in conversions["record"]]
    frame = apply_types(pd.DataFrame(rows, index=range(len(rows))), types)
    for column in [*types, "owner_source_id", "_source_file", "_source_line"]:
        if column not in frame:
            frame[column] = None
    frame["source_id"] = conversions["to_source_id"].to_numpy()
    frame["external_id"] = conversions["to_external_id"].to_numpy()
    frame["row_key"] = conversions["to_row_key"].to_numpy()
    frame["_source_line"] = pd.to_numeric(frame["_source_line"], errors="coerce").astype("Int64")
    frame["extras"] = [{"converted_from": lead} for lead in conversions["external_id"]]
    issues = []
    for link in entity.links:
        ids = frame[f"{link}_source_id"].astype(object) if f"{link}_source_id" in frame else pd.Series(None, index=frame.index, dtype=object)
        target = links.get(link)
        resolved = ids.map(target.resolve) if target is not None else pd.Series(None, index=frame.index, dtype=object)
        frame[f"{link}_source_id"] = ids
        frame[f"{link}_external_id"] = resolved.astype(object).where(resolved.notna(), None)
        lost = ids.notna() & resolved.isna()
        if lost.any():
            issues.append(pd.DataFrame({"entity": name, "stage": "cleaned", "row_key": frame.loc[lost, "row_key"],
                                        "source_id": frame.loc[lost, "source_id"], "field": link, "code": "orphan_link", "value": ids[lost]}))
    failed = pd.Series(False, index=frame.index)
    quarantine = []
    for requirement in entity.required:
        group = [f.strip() for f in requirement.split("|")]
        empty = frame[group].isna().all(axis=1) & ~failed
        if empty.any():
            quarantine.append(pd.DataFrame({
                "entity": name, "stage": "cleaned", "row_key": frame.loc[empty, "row_key"], "source_file": frame.loc[empty, "_source_file"],
                "source_line": frame.loc[empty, "_source_line"], "source_id": frame.loc[empty, "source_id"], "field": requirement,
                "reason": "required_missing", "detail": f"converted from a lead without {' or '.join(group)}: " + conversions.loc[empty, "external_id"],
                "raw": conversions.loc[empty, "record"],
            }))
            failed |= empty
    empty_frame = pd.DataFrame(columns=ledger_columns("quarantine"))
    return (frame.loc[~failed].reset_index(drop=True),
            pd.concat(quarantine, ignore_index=True) if quarantine else empty_frame,
            pd.concat(issues, ignore_index=True) if issues else pd.DataFrame(columns=ledger_columns("issues")))
