"""The mapped stage: cleaned records shaped for the target.

Field names, picklist values, owners (departed reps' records to their successors) and relationships
by external id. Rows that cannot be mapped go to quarantine; owners not carried over are excluded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from handover.frames import apply_types, is_missing, json_ready
from handover.spec import MigrationSpec, SpecError, where_in_spec
from handover.staging import ledger_columns

META_COLUMNS = ("external_id", "source_id", "row_key")


@dataclass
class OwnerDirectory:
    """Owners as the cleaned stage left them."""

    external_id: dict[str, str] = field(default_factory=dict)  # owner source id (merged ids too) -> golden external id
    active: dict[str, bool] = field(default_factory=dict)  # golden external id -> active
    source_of: dict[str, str] = field(default_factory=dict)  # golden external id -> source id

    @classmethod
    def from_cleaned(cls, owners: pd.DataFrame, lineage: pd.DataFrame) -> "OwnerDirectory":
        directory = cls(dict(zip(owners["source_id"], owners["external_id"])))
        directory.external_id.update(zip(lineage["source_id"], lineage["golden_external_id"]))
        active = owners["active"] if "active" in owners else pd.Series(True, index=owners.index)
        directory.active = {e: (a is not False) for e, a in zip(owners["external_id"], active.astype(object))}
        directory.source_of = dict(zip(owners["external_id"], owners["source_id"]))
        return directory


@dataclass
class MapResult:
    records: pd.DataFrame
    quarantine: pd.DataFrame
    excluded: pd.DataFrame
    issues: pd.DataFrame


def target_fields(spec: MigrationSpec, name: str) -> dict[str, tuple[str, str]]:
    """canonical field -> (target field name, type)."""
    entity = spec.entities[name]
    fields = {f: (s.target or f, s.type or "string") for f, s in entity.field_specs(name).items()}
    fields.update({f: (f, kind) for f, kind in entity.derived_fields(name).items()})
    return fields


def target_types(spec: MigrationSpec, name: str) -> dict[str, str]:
    types = {target: kind for target, kind in target_fields(spec, name).values()}
    types["extras"] = "text"
    return types


def _check_owner(spec: MigrationSpec, directory: OwnerDirectory, owner_id: str, loc: tuple) -> str:
    golden = directory.external_id.get(owner_id)
    if golden is None:
        raise SpecError(f"{where_in_spec(spec, loc)}: owner {owner_id!r} is not among the migrated owners")
    if not directory.active.get(golden, False):
        raise SpecError(f"{where_in_spec(spec, loc)}: owner {owner_id!r} is not active; records cannot go to a departed owner")
    return golden


def resolve_owners(spec: MigrationSpec, owner_ids: pd.Series, directory: OwnerDirectory) -> tuple[pd.Series, pd.Series]:
    """(owner external id, how it was resolved) per row."""
    departed = spec.owners.departed
    fallback = _check_owner(spec, directory, departed.fallback, ("owners", "departed", "fallback")) if departed.fallback else None
    successors = {
        old: _check_owner(spec, directory, new, ("owners", "departed", "successor_of", old))
        for old, new in departed.successor_of.items()
    }
    resolved: dict[object, tuple[str | None, str]] = {}
    for owner_id in pd.unique(owner_ids.astype(object)):
        if is_missing(owner_id):
            resolved[owner_id] = (fallback, "fallback:no_owner")
            continue
        golden = directory.external_id.get(owner_id)
        if golden is None:
            resolved[owner_id] = (fallback, "fallback:unknown_owner")
        elif directory.active.get(golden, False) or departed.policy == "keep":
            resolved[owner_id] = (golden, "direct")
        elif departed.policy == "successor" and owner_id in successors:
            resolved[owner_id] = (successors[owner_id], "successor")
        else:
            resolved[owner_id] = (fallback, "fallback:departed")
    owners = pd.Series([resolved[o][0] for o in owner_ids.astype(object)], index=owner_ids.index, dtype=object)
    how = pd.Series([resolved[o][1] for o in owner_ids.astype(object)], index=owner_ids.index, dtype=object)
    return owners, how


def _map_picklist(values: pd.Series, mapping: dict[str, str | None]) -> tuple[pd.Series, pd.Series]:
    """(mapped values, True where the value could not be mapped and must be quarantined)."""
    exact = {k: v for k, v in mapping.items() if k != "*"}
    folded = {str(k).casefold(): v for k, v in exact.items()}
    other = mapping.get("*", "quarantine")

    def one(value: object) -> tuple[object, bool]:
        if value in exact or str(value).casefold() in folded:
            return exact.get(value, folded.get(str(value).casefold())), False
        if other == "keep":
            return value, False
        if other == "null" or other is None:
            return None, False
        if other == "quarantine":
            return value, True
        return other, False

    objects = values.astype(object)
    present = ~objects.isna()
    decided = {value: one(value) for value in pd.unique(objects[present])}
    out = [decided[v][0] if p else None for v, p in zip(objects, present)]
    unmapped = [decided[v][1] if p else False for v, p in zip(objects, present)]
    return pd.Series(out, index=values.index, dtype=object), pd.Series(unmapped, index=values.index)


def content_hash(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    ready = json_ready(frame[columns])
    return pd.Series(
        [hashlib.sha256(json.dumps(row, ensure_ascii=False, default=str).encode()).hexdigest() for row in ready.itertuples(index=False, name=None)],
        index=frame.index, dtype=object,
    )


def map_entity(cleaned: pd.DataFrame, name: str, spec: MigrationSpec, owners: OwnerDirectory | None, available: dict[str, set[str]]) -> MapResult:
    """Shape one entity for the target. `available`: external ids already mapped, per linked entity."""
    entity = spec.entities[name]
    records = cleaned.reset_index(drop=True)
    if spec.converts_into(name):
        records = records.iloc[0:0]  # a target that keeps no leads gets what they were converted into instead
    out = records[list(META_COLUMNS)].copy()
    quarantine_parts, issue_parts = [], []
    keep = pd.Series(True, index=records.index)

    for canonical, (target, _kind) in target_fields(spec, name).items():
        values = records[canonical]
        if canonical in entity.picklists:
            values, unmapped = _map_picklist(values, entity.picklists[canonical])
            if unmapped.any():
                quarantine_parts.append(pd.DataFrame({
                    "entity": name, "stage": "mapped", "row_key": records.loc[unmapped, "row_key"],
                    "source_file": records.loc[unmapped, "_source_file"], "source_line": records.loc[unmapped, "_source_line"],
                    "source_id": records.loc[unmapped, "source_id"], "field": canonical, "reason": "picklist_unmapped",
                    "detail": "no target value for " + values[unmapped].astype(str) + f" (add it to entities.{name}.picklists.{canonical})",
                    "raw": None,
                }))
                keep &= ~unmapped
        out[target] = values

    excluded = pd.DataFrame(columns=ledger_columns("excluded"))
    if name == "owner" and owners is not None:
        departed = ~records["external_id"].map(owners.active).fillna(True).astype(bool)
        out["active"] = ~departed if "active" not in out else out["active"]
        if spec.owners.departed.policy != "keep":
            drop = departed & keep
            excluded = pd.DataFrame({
                "entity": name, "stage": "mapped", "row_key": records.loc[drop, "row_key"], "source_id": records.loc[drop, "source_id"],
                "reason": f"departed owner: records reassigned ({spec.owners.departed.policy} policy)",
            })
            keep &= ~departed
    elif entity.owner and owners is not None:
        out["owner_external_id"], out["owner_resolution"] = resolve_owners(spec, records["owner_source_id"], owners)

    extras = [json.loads(e) if isinstance(e, str) else {} for e in records.get("extras", pd.Series([None] * len(records)))]
    for link in entity.links:
        ids = records[f"{link}_external_id"].astype(object)
        gone = ids.notna() & ~ids.isin(available.get(link, set()))
        if gone.any():
            issue_parts.append(pd.DataFrame({
                "entity": name, "stage": "mapped", "row_key": records.loc[gone, "row_key"], "source_id": records.loc[gone, "source_id"],
                "field": link, "code": "link_to_quarantined", "value": ids[gone],
            }))
            for i in np.flatnonzero(gone.to_numpy()):
                extras[i].setdefault("unresolved_links", {})[link] = records[f"{link}_source_id"].iat[i]
        out[f"{link}_external_id"] = ids.where(~gone, None)
    out["extras"] = [json.dumps(e, ensure_ascii=False, sort_keys=True) if e else None for e in extras]

    out = apply_types(out, target_types(spec, name))
    # How an owner was resolved is bookkeeping, not content: it must not trigger a resend.
    payload = [c for c in out.columns if c not in META_COLUMNS and c != "owner_resolution"]
    out["content_hash"] = content_hash(out, payload)
    return MapResult(
        records=out.loc[keep].reset_index(drop=True),
        quarantine=pd.concat(quarantine_parts, ignore_index=True) if quarantine_parts else pd.DataFrame(columns=ledger_columns("quarantine")),
        excluded=excluded.reset_index(drop=True),
        issues=pd.concat(issue_parts, ignore_index=True) if issue_parts else pd.DataFrame(columns=ledger_columns("issues")),
    )
