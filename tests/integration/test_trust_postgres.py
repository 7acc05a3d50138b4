"""Undo of a run against the real PostgreSQL target (a throw-away database named after this branch): the same
scenario as the DuckDB test, so the journal, conflicts and undo of an undo hold on a server with generated ids."""

from __future__ import annotations

from pathlib import Path

import duckdb

from connectors.targets.postgres_crm import PostgresCRM
from tests.integration.pg import scratch_database
from tests.trust_support import make_spec
from tests.unit.test_undo import check_undo_scenario


def test_undo_restores_the_postgres_target_exactly(tmp_path: Path) -> None:
    with scratch_database("handover_trust") as url:
        spec = make_spec(tmp_path, target={"type": "postgres", "url": url, "schema": "crm"})
        target = PostgresCRM(url, "crm")
        con = duckdb.connect(str(tmp_path / "staging.duckdb"))
        try:
            check_undo_scenario(con, spec, target)
        finally:
            target.close()
            con.close()
