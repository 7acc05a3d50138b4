"""Undo of a run against the embedded DuckDB target: exact restore, conflicts, undo of the undo, bad requests.
The same scenario runs against PostgreSQL in tests/integration/test_trust_postgres.py."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from connectors.targets.duckdb_crm import DuckDBCRM
from handover.loading import entity_schema
from handover.undo import UndoError, runs, undo
from tests.trust_support import FIRST, SECOND, load_run, make_spec, target_state


def check_undo_scenario(con: duckdb.DuckDBPyConnection, spec, target) -> None:
    load_run(con, spec, target, FIRST, "run-1")
    before = target_state(target)
    load_run(con, spec, target, SECOND, "run-2")
    after = target_state(target)
    assert after != before and len(after["account"]) == 3

    journaled = runs(con).set_index("run_id")
    assert journaled.loc["run-2", "created"] == 3  # o:3, a:3, c:3
    assert journaled.loc["run-2", "updated"] >= 2  # a:1 and c:1 at least

    result = undo(con, spec, target, "run-2", actor="tester")
    assert result.applied and result.proved, result.mismatches
    assert result.removed == {"contact": 1, "account": 1, "owner": 1}
    assert target_state(target) == before  # created rows gone, updated rows back to their prior values, target ids kept

    with pytest.raises(UndoError, match="already undone"):
        undo(con, spec, target, "run-2")
    with pytest.raises(UndoError, match="no run 'run-9'"):
        undo(con, spec, target, "run-9")

    # The undo is journaled: undoing it brings run 2's records back (the re-created ones under new target ids).
    redo = undo(con, spec, target, result.undo_run_id)
    assert redo.proved, redo.mismatches
    strip = {e: [{k: v for k, v in r.items() if k != "target_id"} for r in rows] for e, rows in after.items()}
    assert {e: [{k: v for k, v in r.items() if k != "target_id"} for r in rows] for e, rows in target_state(target).items()} == strip

    # A record changed in the target after a run is a conflict: nothing is undone unless forced.
    moved = {**SECOND, "account": [{**SECOND["account"][1], "name": "Nord Trade"}]}
    load_run(con, spec, target, moved, "run-3")
    target.update_fields("account", pd.DataFrame({"external_id": ["a:2"], "name": ["Edited by a user"]}))
    held = target_state(target)
    blocked = undo(con, spec, target, "run-3")
    assert not blocked.applied and any("a:2" in c and "changed in the target after the run" in c for c in blocked.conflicts)
    assert target_state(target) == held
    forced = undo(con, spec, target, "run-3", force=True)
    assert forced.proved and target_state(target)["account"][1]["name"] == "北方贸易"


def test_undo_restores_the_duckdb_target_exactly(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    target = DuckDBCRM(spec.target_path)
    con = duckdb.connect(str(tmp_path / "staging.duckdb"))
    try:
        check_undo_scenario(con, spec, target)
    finally:
        target.close()
        con.close()


def test_a_run_that_changed_nothing_and_the_journal_survive_a_crash(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    target = DuckDBCRM(spec.target_path)
    con = duckdb.connect(str(tmp_path / "staging.duckdb"))
    try:
        load_run(con, spec, target, FIRST, "run-1")
        load_run(con, spec, target, FIRST, "run-2")  # the ledger sends nothing again
        with pytest.raises(UndoError, match="nothing to undo"):
            undo(con, spec, target, "run-2")
        pending = con.execute("SELECT count(*) FROM ledger.journal WHERE action = 'pending'").fetchone()[0]
        assert pending == 0
        created = con.execute("SELECT count(*) FROM ledger.journal WHERE run_id = 'run-1' AND action = 'created'").fetchone()[0]
        assert created == 6
    finally:
        target.close()
        con.close()


class CrashingCRM(DuckDBCRM):
    """Writes a batch of accounts, then dies before the loader hears the answer."""

    crash = True

    def upsert(self, entity: str, rows: pd.DataFrame, *, match_by: str | None = None) -> pd.DataFrame:
        result = super().upsert(entity, rows, match_by=match_by)
        if entity == "account" and self.crash:
            raise KeyboardInterrupt("the process died")
        return result


def test_an_interrupted_run_can_still_be_undone(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    target = CrashingCRM(spec.target_path)
    con = duckdb.connect(str(tmp_path / "staging.duckdb"))
    try:
        target.crash = False
        load_run(con, spec, target, FIRST, "run-1")
        before = target_state(target)
        target.crash = True
        with pytest.raises(KeyboardInterrupt):
            load_run(con, spec, target, SECOND, "run-2")
        assert con.execute("SELECT count(*) FROM ledger.journal WHERE run_id = 'run-2' AND action = 'pending'").fetchone()[0] == 1
        target.crash = False
        load_run(con, spec, target, SECOND, "run-3")  # recovers run 2's batch: a:3 was created by run 2
        created = con.execute("SELECT entity, external_id FROM ledger.journal WHERE run_id = 'run-2' AND action = 'created' ORDER BY 1, 2").fetchall()
        assert created == [("account", "a:3"), ("owner", "o:3")]

        assert undo(con, spec, target, "run-3").proved
        blocked = undo(con, spec, target, "run-2")
        assert not blocked.applied and blocked.conflicts == [
            "account a:1: the run was interrupted before the target answered, so whether its update landed is unknown; check the record"]
        assert undo(con, spec, target, "run-2", force=True).proved
        assert target_state(target) == before
    finally:
        target.close()
        con.close()


def test_cli_undo(tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import main
    from handover import audit

    def printed(stream: str) -> str:  # rich wraps long lines
        return " ".join(getattr(capsys.readouterr(), stream).split())

    monkeypatch.setenv("HANDOVER_ACTOR", "ops@example")
    spec = make_spec(tmp_path)
    spec_file = str(tmp_path / "spec.yaml")
    assert main(["undo", spec_file, "run-1"]) == 2 and "no staging database" in printed("err")
    target = DuckDBCRM(spec.target_path)
    spec.staging_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(spec.staging_path))
    load_run(con, spec, target, FIRST, "run-1")
    before = target_state(target)
    load_run(con, spec, target, SECOND, "run-2")
    con.close()
    target.close()

    assert main(["undo", spec_file, "--list"]) == 0
    listed = printed("out")
    assert "run-1" in listed and "run-2" in listed and "can be undone" in listed
    assert main(["undo", spec_file, "run-2"]) == 0
    out = printed("out")
    assert "every record reads back as its before-image" in out and "account: restored 1, removed 1" in out
    with DuckDBCRM(spec.target_path) as again:
        for entity in spec.ordered_entities():
            again.prepare(entity_schema(spec, entity))  # reads give links by external id
        assert target_state(again) == before
    assert main(["undo", spec_file, "run-2"]) == 2 and "already undone" in printed("err")
    assert main(["undo", spec_file, "nope"]) == 2 and "no run 'nope' in the journal" in printed("err")
    undo_entry = [e for e in audit.entries(spec.work_dir) if e["action"] == "undo"]
    assert len(undo_entry) == 1 and undo_entry[0]["actor"] == "ops@example" and undo_entry[0]["details"]["proved"] is True
