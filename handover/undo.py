"""Undo of any run: restore the records it updated to their before-images, remove the records it created, then
prove it by reading every record back and comparing it with its before-image.

A record changed in the target after the run (its version is not the one the run left) is a conflict: it is listed
and, unless forced, nothing at all is changed. The undo is journaled like a load (its own run id, before-images of
what it restores, `deleted` with the full image of what it removes), so an undo can itself be undone.
Order: restores and re-creations parents first (they drop references to records about to go), removals children first.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from handover import journal
from handover.loading import entity_schema
from handover.ports import CREATED, REJECTED, UPDATED, Target
from handover.spec import MigrationSpec
from handover.staging import append_ledger_rows, ensure_ledger, ledger_frame, transaction


class UndoError(Exception):
    """The run cannot be undone as asked (unknown, already undone, a target without undo); nothing was changed."""


@dataclass
class UndoResult:
    run_id: str
    undo_run_id: str | None
    restored: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    recreated: dict[str, int] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)  # "entity external_id: why"
    mismatches: list[str] = field(default_factory=list)  # read-back differences after the undo
    applied: bool = False

    @property
    def proved(self) -> bool:
        return self.applied and not self.mismatches


def runs(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every journaled run: run id, first journal time, records created / updated / deleted, and its undo if any."""
    ensure_ledger(con)
    return con.execute(
        "SELECT j.run_id, min(j.journaled_at) AS first_at, count(*) FILTER (WHERE action = 'created') AS created, "
        "count(*) FILTER (WHERE action IN ('updated', 'pending')) AS updated, count(*) FILTER (WHERE action = 'deleted') AS deleted, "
        "any_value(u.undo_run_id) AS undone_by FROM ledger.journal j LEFT JOIN ledger.undos u ON u.run_id = j.run_id "
        "GROUP BY j.run_id ORDER BY first_at"
    ).df()


def _journal(con: duckdb.DuckDBPyConnection, run_id: str) -> pd.DataFrame:
    ensure_ledger(con)
    rows = con.execute("SELECT * FROM ledger.journal WHERE run_id = ?", [run_id]).df()
    if rows.empty:
        loaded = con.execute("SELECT (SELECT count(*) FROM ledger.load_events WHERE run_id = $1) + "
                             "(SELECT count(*) FROM ledger.loads WHERE run_id = $1)", [run_id]).fetchone()[0]
        if loaded:
            raise UndoError(f"run {run_id} created and updated nothing in the target (it has no journal entries): there is nothing to undo")
        known = runs(con)["run_id"].tolist()
        listed = ", ".join(known[-10:]) if known else "none yet"
        raise UndoError(f"no run {run_id!r} in the journal; runs that can be undone: {listed}")
    undone = con.execute("SELECT undo_run_id, undone_at, actor FROM ledger.undos WHERE run_id = ?", [run_id]).fetchone()
    if undone:
        raise UndoError(f"run {run_id} was already undone by {undone[0]} ({undone[2]}, {undone[1]}); undo that run to redo it")
    rows["action"] = rows["action"].replace(journal.PENDING, UPDATED)
    return rows.drop_duplicates(["entity", "external_id"], keep="last")


def _same_version(left: object, right: object) -> bool:
    if left is None or right is None or pd.isna(left) or pd.isna(right):
        return left is None and right is None
    try:
        return pd.Timestamp(left) == pd.Timestamp(right)
    except (ValueError, TypeError):
        return str(left) == str(right)


def _conflicts(entity: str, rows: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    now = current.set_index("external_id") if not current.empty else pd.DataFrame(columns=["target_version"])
    found = []
    for row in rows.itertuples(index=False):
        held = row.external_id in now.index
        if row.action == journal.DELETED:
            if held:
                found.append(f"{entity} {row.external_id}: created again in the target after the run removed it")
        elif not held:
            if row.action == UPDATED:
                found.append(f"{entity} {row.external_id}: deleted from the target after the run; its before-image cannot be restored in place")
        elif row.action == UPDATED and (row.after_version is None or pd.isna(row.after_version)):
            found.append(f"{entity} {row.external_id}: the run was interrupted before the target answered, so whether its update "
                         "landed is unknown; check the record")
        elif not _same_version(now.at[row.external_id, "target_version"], row.after_version):
            found.append(f"{entity} {row.external_id}: changed in the target after the run "
                         f"(version {journal.plain(now.at[row.external_id, 'target_version'])}, the run left {row.after_version})")
    return found


def _frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Before-images as a frame of external id + fields, ready for update_fields / upsert."""
    records = [{"external_id": e, **json.loads(b)} for e, b in zip(rows["external_id"], rows["before"])]
    return pd.DataFrame.from_records(records)


def _normal(value: object) -> object:
    value = journal.plain(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return round(float(value), 9)
    try:
        return pd.Timestamp(value).isoformat() if isinstance(value, str) and value[:4].isdigit() and "-" in value[:8] else value
    except ValueError:
        return value


def _differences(entity: str, expected: pd.DataFrame, current: pd.DataFrame) -> list[str]:
    """Fields of restored records that do not read back as their before-image."""
    now = current.set_index("external_id")
    out = []
    for row in expected.to_dict("records"):
        key = row.pop("external_id")
        if key not in now.index:
            out.append(f"{entity} {key}: missing after the undo")
            continue
        for name, value in row.items():
            got = now.at[key, name] if name in now.columns else None
            if _normal(got) != _normal(value):
                out.append(f"{entity} {key}: {name} is {journal.plain(got)!r}, its before-image says {value!r}")
    return out


def undo(con: duckdb.DuckDBPyConnection, spec: MigrationSpec, target: Target, run_id: str, *, force: bool = False,
         actor: str = "") -> UndoResult:
    """Undo run `run_id` in `target`. With conflicts and no `force`, nothing changes (the result lists them)."""
    if not journal.supported(target):
        raise UndoError(f"the {target.name} target cannot be undone: it needs read by ids, partial update and delete")
    rows = _journal(con, run_id)
    order = [e for e in spec.ordered_entities() if e in set(rows["entity"])]
    order += sorted(set(rows["entity"]) - set(order))
    result = UndoResult(run_id, None)
    current: dict[str, pd.DataFrame] = {}
    for entity in order:
        if entity in spec.entities:
            target.prepare(entity_schema(spec, entity))
        mine = rows[rows["entity"] == entity]
        current[entity] = target.read_by_ids(entity, mine["external_id"].tolist())
        result.conflicts += _conflicts(entity, mine, current[entity])
    if result.conflicts and not force:
        return result

    undo_id = f"undo-{uuid.uuid4().hex[:12]}"
    result.undo_run_id = undo_id
    now = pd.Timestamp.now(tz="UTC")
    # Write-ahead: what the undo is about to change, before it changes anything.
    ahead = []
    for entity in order:
        mine = rows[rows["entity"] == entity]
        held = journal.before_images(target, entity, mine["external_id"].tolist()).set_index("external_id")
        restore = mine[mine["action"] == UPDATED]
        remove = mine[mine["action"] == CREATED]
        ahead.append(pd.DataFrame({
            "external_id": restore["external_id"], "action": journal.PENDING, "before": restore["external_id"].map(held["before"]),
            "target_id": restore["external_id"].map(held["target_id"]),
        }).assign(entity=entity))
        ahead.append(pd.DataFrame({
            "external_id": remove["external_id"], "action": journal.DELETED, "before": remove["external_id"].map(held["before"]),
            "target_id": remove["external_id"].map(held["target_id"]),
        }).dropna(subset=["before"]).assign(entity=entity))
    planned = pd.concat(ahead, ignore_index=True).assign(run_id=undo_id, batch=0, journaled_at=now, after_version=None)
    with transaction(con):
        append_ledger_rows(con, "journal", ledger_frame("journal", planned))

    settled = []
    for entity in order:  # parents first: restoring drops references to records about to be removed
        mine = rows[rows["entity"] == entity]
        restore, recreate = mine[mine["action"] == UPDATED], mine[mine["action"] == journal.DELETED]
        if not restore.empty:
            answers = target.update_fields(entity, _frame(restore))
            result.restored[entity] = int((answers["status"] != REJECTED).sum())
            settled.append(answers.assign(entity=entity, action=UPDATED))
        if not recreate.empty:
            answers = target.upsert(entity, _frame(recreate))
            result.recreated[entity] = int((answers["status"] == CREATED).sum())
            settled.append(answers.loc[answers["status"] == CREATED].assign(entity=entity, action=CREATED))
    for entity in reversed(order):  # children first
        mine = rows[rows["entity"] == entity]
        gone = mine.loc[mine["action"] == CREATED, "external_id"].tolist()
        if gone:
            result.removed[entity] = target.delete(entity, gone)

    with transaction(con):
        for answers in settled:
            versions = answers.set_index(["entity", "external_id"])["target_version"].map(journal.plain)
            for (entity, external_id), version in versions.items():
                con.execute("UPDATE ledger.journal SET after_version = ?, action = ? WHERE run_id = ? AND entity = ? AND external_id = ? AND action = ?",
                            [version, UPDATED, undo_id, entity, external_id, journal.PENDING])
            created = answers[answers["action"] == CREATED]
            append_ledger_rows(con, "journal", ledger_frame("journal", created.assign(
                run_id=undo_id, before=None, after_version=created["target_version"].map(journal.plain), batch=0, journaled_at=now)))
        con.execute("DELETE FROM ledger.journal WHERE run_id = ? AND action = ?", [undo_id, journal.PENDING])
        append_ledger_rows(con, "undos", ledger_frame("undos", [{"run_id": run_id, "undo_run_id": undo_id, "undone_at": now,
                                                                   "actor": actor, "forced": force}]))
        # The ledger no longer describes what the target holds: the next load sends these records again.
        for entity in order:
            ids = rows.loc[rows["entity"] == entity, "external_id"].tolist()
            con.register("_undone", pd.DataFrame({"external_id": pd.Series(ids, dtype=object)}))
            con.execute("UPDATE ledger.loads SET content_hash = NULL WHERE entity = ? AND external_id IN (SELECT external_id FROM _undone)", [entity])
            con.unregister("_undone")
    result.applied = True
    result.mismatches = prove(spec, target, rows, order)
    return result


def prove(spec: MigrationSpec, target: Target, rows: pd.DataFrame, order: list[str]) -> list[str]:
    """Reconcile the target against the journal: created records gone, every other record equal to its before-image."""
    mismatches = []
    for entity in order:
        mine = rows[rows["entity"] == entity]
        current = target.read_by_ids(entity, mine["external_id"].tolist())
        held = set(current["external_id"]) if not current.empty else set()
        for key in mine.loc[mine["action"] == CREATED, "external_id"]:
            if key in held:
                mismatches.append(f"{entity} {key}: still in the target after the undo")
        restored = mine[mine["action"].isin([UPDATED, journal.DELETED])]
        if not restored.empty:
            mismatches += _differences(entity, _frame(restored), current if not current.empty else pd.DataFrame(columns=["external_id"]))
    return mismatches
