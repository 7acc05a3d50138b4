"""The load journal: what each run changed in the target, so any run can be undone.

Before a batch is sent, the target's current image of every record in it that the target already holds is written
to `ledger.journal` as `pending` (write-ahead, in the same transaction as the batch's intents). When the target
answers, the batch's pending rows become `updated` (with the version the run left) or disappear (the record did not
change), and every record the run created is journaled as `created`. An undo journals its own changes the same way,
with `deleted` for the records it removes, so an undo can be undone.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from handover.ports import CREATED, UPDATED, Target
from handover.staging import append_ledger_rows, ledger_frame

PENDING, DELETED = "pending", "deleted"
# Read-back columns that describe the record in the target rather than its content.
NOT_CONTENT = ("external_id", "target_id", "target_version")


def supported(target: Target) -> bool:
    """Targets that can be undone: they read by ids, update fields in place and delete."""
    caps = target.capabilities
    return bool(caps.read_by_ids and caps.partial_update and caps.delete) and hasattr(target, "update_fields") and hasattr(target, "delete")


def plain(value: Any) -> Any:
    """A value as JSON keeps it: None for missing, ISO text for dates and times, Python numbers."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return pd.Timestamp(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, Decimal):
        value = float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def images(frame: pd.DataFrame) -> dict[str, str]:
    """external id -> JSON of the record's content, from a `read_by_ids` frame."""
    fields = [c for c in frame.columns if c not in NOT_CONTENT]
    out = {}
    for row in frame.to_dict("records"):
        out[row["external_id"]] = json.dumps({f: plain(row[f]) for f in fields}, ensure_ascii=False, sort_keys=True)
    return out


def before_images(target: Target, entity: str, external_ids: list[str]) -> pd.DataFrame:
    """The target's current image of those records it holds: external_id, target_id, before, after_version (its stamp now)."""
    current = target.read_by_ids(entity, external_ids)
    if current.empty:
        return pd.DataFrame(columns=["external_id", "target_id", "before", "after_version"])
    pictures = images(current)
    return pd.DataFrame({
        "external_id": current["external_id"], "target_id": current["target_id"].astype(str),
        "before": current["external_id"].map(pictures), "after_version": current["target_version"].map(plain),
    })


def write_pending(con: duckdb.DuckDBPyConnection, held: pd.DataFrame, entity: str, run_id: str, batch: int) -> None:
    if held.empty:
        return
    append_ledger_rows(con, "journal", ledger_frame("journal", held.assign(
        run_id=run_id, entity=entity, action=PENDING, batch=batch, journaled_at=pd.Timestamp.now(tz="UTC"), after_version=None)))


def settle(con: duckdb.DuckDBPyConnection, results: pd.DataFrame, held: pd.DataFrame, entity: str, run_id: str, batch: int) -> None:
    """Turn a batch's pending rows into what the target did (inside the caller's transaction)."""
    con.execute("DELETE FROM ledger.journal WHERE run_id = ? AND entity = ? AND batch = ? AND action = ?", [run_id, entity, batch, PENDING])
    befores = held.set_index("external_id")["before"] if not held.empty else pd.Series(dtype=object)
    done = results.loc[results["status"].isin([CREATED, UPDATED])]
    updated = done["status"].eq(UPDATED) & done["external_id"].isin(befores.index)
    rows = done.loc[done["status"].eq(CREATED) | updated].assign(
        action=lambda f: f["status"], before=lambda f: f["external_id"].map(befores).where(f["status"].eq(UPDATED), None),
        after_version=lambda f: f["target_version"].map(plain), run_id=run_id, entity=entity, batch=batch,
        journaled_at=pd.Timestamp.now(tz="UTC"),
    )
    append_ledger_rows(con, "journal", ledger_frame("journal", rows))


def recover(con: duckdb.DuckDBPyConnection, entity: str, created: pd.DataFrame, target: Target) -> None:
    """After a crash: records an interrupted run created are journaled as created, with the version they have now; its
    pending before-images are kept as updates whose outcome is unknown (an undo asks before restoring them)."""
    if not created.empty and supported(target):
        now = target.read_by_ids(entity, created["external_id"].tolist())
        versions = now.set_index("external_id")["target_version"].map(plain) if not now.empty else pd.Series(dtype=object)
        append_ledger_rows(con, "journal", ledger_frame("journal", created.assign(
            entity=entity, action=CREATED, before=None, after_version=created["external_id"].map(versions),
            journaled_at=pd.Timestamp.now(tz="UTC"))))
    con.execute("UPDATE ledger.journal SET action = ? WHERE entity = ? AND action = ?", [UPDATED, entity, PENDING])
