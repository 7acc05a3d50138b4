"""The loaded stage: upsert mapped records into the target and keep a ledger of what happened to each.

Idempotent: a record whose content hash the ledger already holds as loaded, and that the target
still has, is not sent again.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from handover.entities import LINKS
from handover.mapping import META_COLUMNS, target_types
from handover.spec import MigrationSpec

LOADED_STATUSES = ("created", "updated", "unchanged")
BATCH_ROWS = 10_000


def load_entity(mapped: pd.DataFrame, name: str, spec: MigrationSpec, target: Any, previous: pd.DataFrame, run_id: str, progress=None) -> pd.DataFrame:
    """Load one entity; returns its ledger rows (one per mapped record) for ledger.loads."""
    links = {link: LINKS[name][link] for link in spec.entities[name].links}
    target.ensure_schema(name, target_types(spec, name), links)
    existing = target.existing(name)
    before = previous.drop_duplicates("external_id", keep="last").set_index("external_id") if not previous.empty else pd.DataFrame(columns=["content_hash", "status"])
    same_hash = mapped["external_id"].map(before["content_hash"]) == mapped["content_hash"]
    was_loaded = mapped["external_id"].map(before["status"]).isin(LOADED_STATUSES)
    present = mapped["external_id"].isin(existing.keys())
    unchanged = same_hash & was_loaded & present

    payload = [c for c in mapped.columns if c not in META_COLUMNS and c not in ("content_hash", "owner_resolution")]
    outcomes = [pd.DataFrame({
        "external_id": mapped.loc[unchanged, "external_id"], "target_id": mapped.loc[unchanged, "external_id"].map(existing),
        "status": "unchanged", "error": None,
    })]
    to_send = mapped.loc[~unchanged, ["external_id"] + payload]
    match_by = spec.owners.match_by if name == "owner" and spec.owners.match_by != "id" else None
    for start in range(0, len(to_send), BATCH_ROWS):
        outcomes.append(target.upsert(name, to_send.iloc[start:start + BATCH_ROWS], match_by=match_by))
        if progress:
            progress(min(start + BATCH_ROWS, len(to_send)), len(to_send))
    result = pd.concat([o for o in outcomes if not o.empty], ignore_index=True) if any(not o.empty for o in outcomes) else outcomes[0]
    ledger = mapped[["external_id", "row_key", "content_hash"]].merge(result, on="external_id", how="left")
    ledger.insert(0, "entity", name)
    ledger["run_id"] = run_id
    ledger["loaded_at"] = pd.Timestamp.now(tz="UTC")
    return ledger
