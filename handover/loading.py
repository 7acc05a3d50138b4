"""The loaded stage: upsert mapped records into the target, checkpointed per batch.

Before a batch is sent, its intent is written to `ledger.load_intents`; when the target answers, the batch's
per-record results replace the intent in `ledger.loads` and `ledger.load_events` in one transaction, before the
next batch is sent. A crash at any moment therefore leaves either results or intents. Intents are recovered on the
next run by looking their records up in the target: one the target holds and the ledger never had was created by
the interrupted run and is recorded so; one whose update may not have landed is sent again. So a rerun after a
crash sends nothing twice, creates no duplicate and never calls a created record "updated".

Idempotent: a record whose content hash the ledger holds as loaded (and that the target still has, where a lookup
is cheap) is not sent again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from handover import journal
from handover.mapping import META_COLUMNS, target_types
from handover.ports import CREATED, LOADED_STATUSES, REJECTED, UNCHANGED, EntitySchema, Target
from handover.spec import MigrationSpec
from handover.staging import append_ledger_rows, ensure_ledger, ledger_frame, transaction

BOOKKEEPING = ("content_hash", "owner_resolution")
RETRY_DELAYS = (1.0, 4.0, 15.0)
RECOVERED = "recovered: the target holds the record an interrupted run sent"

Progress = Callable[[int, int], None]


@dataclass
class LoadPlan:
    unchanged: pd.DataFrame  # ledger rows of records not sent again
    to_send: pd.DataFrame  # mapped records to send
    stale: list[str]  # external ids the ledger holds that this run no longer maps


def entity_schema(spec: MigrationSpec, name: str) -> EntitySchema:
    return EntitySchema(name, target_types(spec, name), spec.links_of(name), has_owner=bool(spec.entities[name].owner))


def payload_columns(mapped: pd.DataFrame) -> list[str]:
    return [c for c in mapped.columns if c not in META_COLUMNS and c not in BOOKKEEPING]


def _ledger(con: duckdb.DuckDBPyConnection, table: str, entity: str) -> pd.DataFrame:
    ensure_ledger(con)
    return con.execute(f"SELECT * FROM ledger.{table} WHERE entity = ?", [entity]).df()


def recover_intents(con: duckdb.DuckDBPyConnection, entity: str, target: Target) -> int:
    """Settle the batches an interrupted run sent but did not record. Returns how many records were recovered."""
    intents = _ledger(con, "load_intents", entity)
    if intents.empty:
        return 0
    found = target.lookup(entity, intents["external_id"].tolist())
    held = intents["external_id"].isin(found.keys())
    created = intents.loc[held & ~intents["was_loaded"].fillna(False).astype(bool)]
    uncertain = intents.loc[held & intents["was_loaded"].fillna(False).astype(bool), "external_id"].tolist()
    rows = created.assign(target_id=created["external_id"].map(found), status=CREATED, error=RECOVERED,
                          loaded_at=created["sent_at"], retryable=False)
    with transaction(con):
        _delete(con, "loads", entity, created["external_id"].tolist())
        append_ledger_rows(con, "loads", ledger_frame("loads", rows))
        append_ledger_rows(con, "load_events", ledger_frame("load_events", rows))
        journal.recover(con, entity, created[["external_id", "run_id", "batch"]].assign(target_id=rows["target_id"]), target)
        if uncertain:
            _register(con, "_uncertain", uncertain)
            # Whether the update landed is unknown: forgetting its hash makes this run send it again.
            con.execute("UPDATE ledger.loads SET content_hash = NULL WHERE entity = ? AND external_id IN (SELECT external_id FROM _uncertain)", [entity])
            con.unregister("_uncertain")
        con.execute("DELETE FROM ledger.load_intents WHERE entity = ?", [entity])
    return len(created)


def plan_load(mapped: pd.DataFrame, previous: pd.DataFrame, present: set[str] | None) -> LoadPlan:
    """Which records to send: those whose content the ledger does not hold as loaded. `present`: external ids the
    target holds, where it was cheap to ask (None: trust the ledger)."""
    before = previous.drop_duplicates("external_id", keep="last").set_index("external_id")
    same_hash = mapped["external_id"].map(before["content_hash"]) == mapped["content_hash"]
    was_loaded = mapped["external_id"].map(before["status"]).isin(LOADED_STATUSES)
    unchanged = same_hash & was_loaded
    if present is not None:
        unchanged &= mapped["external_id"].isin(present)
    kept = mapped.loc[unchanged, ["external_id", "row_key", "content_hash"]]
    kept = kept.assign(target_id=kept["external_id"].map(before["target_id"]), target_version=kept["external_id"].map(before["target_version"]))
    stale = sorted(set(before.index) - set(mapped["external_id"]))
    return LoadPlan(kept, mapped.loc[~unchanged], stale)


class _Limiter:
    """Never call the target faster than it declares it can take."""

    def __init__(self, calls_per_second: float | None, pause: Callable[[float], None]):
        self.interval = 1.0 / calls_per_second if calls_per_second else 0.0
        self.pause = pause
        self.next_at = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if self.interval and now < self.next_at:
            self.pause(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


def _send(target: Target, entity: str, rows: pd.DataFrame, match_by: str | None, limiter: _Limiter, pause: Callable[[float], None]) -> pd.DataFrame:
    """Upsert, retrying the records the target calls retryable, where a retry is safe (upsert by external id)."""
    limiter.wait()
    results = target.upsert(entity, rows, match_by=match_by).reset_index(drop=True)
    if not target.capabilities.upsert_by_external_id:
        return results
    for delay in RETRY_DELAYS:
        retry = (results["status"] == REJECTED) & results["retryable"].astype(bool)
        if not retry.any():
            break
        pause(delay)
        limiter.wait()
        again = target.upsert(entity, rows.reset_index(drop=True).loc[retry], match_by=match_by)
        results.loc[retry, :] = again.set_axis(results.index[retry]).to_numpy()
    return results


def _register(con: duckdb.DuckDBPyConnection, name: str, external_ids: list[str]) -> None:
    con.register(name, pd.DataFrame({"external_id": pd.Series(external_ids, dtype=object)}))


def _delete(con: duckdb.DuckDBPyConnection, table: str, entity: str, external_ids: list[str]) -> None:
    if not external_ids:
        return
    _register(con, "_gone", external_ids)
    try:
        con.execute(f"DELETE FROM ledger.{table} WHERE entity = ? AND external_id IN (SELECT external_id FROM _gone)", [entity])
    finally:
        con.unregister("_gone")


def load_entity(con: duckdb.DuckDBPyConnection, mapped: pd.DataFrame, name: str, spec: MigrationSpec, target: Target, run_id: str,
                progress: Progress | None = None, pause: Callable[[float], None] = time.sleep) -> pd.DataFrame:
    """Load one entity, checkpointing each batch in the ledger; returns the entity's ledger rows (one per mapped record)."""
    target.prepare(entity_schema(spec, name))
    recover_intents(con, name, target)
    previous = _ledger(con, "loads", name)
    present = set(target.lookup(name, mapped["external_id"].tolist())) if target.capabilities.lookup_is_cheap else None
    plan = plan_load(mapped, previous, present)
    now = pd.Timestamp.now(tz="UTC")
    with transaction(con):
        _delete(con, "loads", name, plan.stale + plan.unchanged["external_id"].tolist())
        append_ledger_rows(con, "loads", ledger_frame("loads", plan.unchanged.assign(
            entity=name, status=UNCHANGED, run_id=run_id, loaded_at=now, retryable=False)))

    match_by = spec.owners.match_by if name == "owner" and spec.owners.match_by != "id" else None
    size = min(spec.target.batch_size or target.capabilities.max_batch, target.capabilities.max_batch)
    limiter = _Limiter(target.capabilities.calls_per_second, pause)
    was_loaded = set(previous.loc[previous["status"].isin(LOADED_STATUSES), "external_id"])
    columns = ["external_id", *payload_columns(mapped)]
    known_ids = previous.drop_duplicates("external_id", keep="last").set_index("external_id")["target_id"]
    journaled = journal.supported(target)
    for number, start in enumerate(range(0, len(plan.to_send), size)):
        batch = plan.to_send.iloc[start:start + size]
        intents = batch[["external_id", "row_key", "content_hash"]].assign(
            entity=name, was_loaded=batch["external_id"].isin(was_loaded), run_id=run_id, batch=number, sent_at=pd.Timestamp.now(tz="UTC"))
        held = journal.before_images(target, name, batch["external_id"].tolist()) if journaled else None
        with transaction(con):
            append_ledger_rows(con, "load_intents", ledger_frame("load_intents", intents))
            if held is not None:
                journal.write_pending(con, held, name, run_id, number)
        rows = batch[columns]
        if not target.capabilities.upsert_by_external_id:
            rows = rows.assign(target_id=batch["external_id"].map(known_ids))
        results = _send(target, name, rows, match_by, limiter, pause)
        recorded = batch[["external_id", "row_key", "content_hash"]].reset_index(drop=True).merge(results, on="external_id", how="left")
        recorded = recorded.assign(entity=name, run_id=run_id, loaded_at=pd.Timestamp.now(tz="UTC"))
        with transaction(con):
            _delete(con, "loads", name, batch["external_id"].tolist())
            append_ledger_rows(con, "loads", ledger_frame("loads", recorded))
            append_ledger_rows(con, "load_events", ledger_frame("load_events", recorded))
            con.execute("DELETE FROM ledger.load_intents WHERE entity = ? AND run_id = ? AND batch = ?", [name, run_id, number])
            if held is not None:
                journal.settle(con, results, held, name, run_id, number)
        if progress:
            progress(min(start + size, len(plan.to_send)), len(plan.to_send))
    return _ledger(con, "loads", name)
