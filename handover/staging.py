"""DuckDB staging: one file per migration, a schema per stage, and the `ledger` schema that holds
every accounting bucket (quarantine, excluded, lineage, loads) with its reason."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

STAGE_SCHEMAS = ("raw", "cleaned", "mapped", "ledger", "reconciled")

LEDGER_TABLES: dict[str, str] = {
    "quarantine": """entity VARCHAR, stage VARCHAR, row_key VARCHAR, source_file VARCHAR, source_line BIGINT,
        source_id VARCHAR, field VARCHAR, reason VARCHAR, detail VARCHAR, raw VARCHAR""",
    "excluded": "entity VARCHAR, stage VARCHAR, row_key VARCHAR, source_id VARCHAR, reason VARCHAR",
    "lineage": """entity VARCHAR, row_key VARCHAR, source_id VARCHAR, external_id VARCHAR,
        golden_external_id VARCHAR, rule VARCHAR""",
    "issues": "entity VARCHAR, stage VARCHAR, row_key VARCHAR, source_id VARCHAR, field VARCHAR, code VARCHAR, value VARCHAR",
    "changes": "entity VARCHAR, row_key VARCHAR, field VARCHAR, before VARCHAR, after VARCHAR, rule VARCHAR",
    # reason: "between thresholds", or the guard that held back a pair at or above the match threshold
    "review": "entity VARCHAR, left_id VARCHAR, right_id VARCHAR, probability DOUBLE, reason VARCHAR",
    # per dedup guard (handover.dedup.guards): switched on or not, and what it held back (pairs; records for shared_values)
    "dedup_guards": "entity VARCHAR, guard VARCHAR, enabled BOOLEAN, held BIGINT, unit VARCHAR",
    # Leads converted for a target that keeps none (handover.cleaning.convert): the lead, and each record it became.
    "conversions": """entity VARCHAR, row_key VARCHAR, external_id VARCHAR, to_entity VARCHAR, to_row_key VARCHAR,
        to_source_id VARCHAR, to_external_id VARCHAR, record VARCHAR""",
    # Values that repeated rows of one source id disagree on; the golden record kept `kept` (by survivorship).
    "conflicts": "entity VARCHAR, external_id VARCHAR, field VARCHAR, kept VARCHAR, seen VARCHAR, row_keys VARCHAR",
    # The business-key values of records merged into a golden record (a name variant, an old e-mail), so links that
    # name a merged-away record by its key still find the golden one (handover.cleaning.links).
    "aliases": "entity VARCHAR, golden_external_id VARCHAR, row_key VARCHAR, keys VARCHAR",
    "loads": """entity VARCHAR, external_id VARCHAR, row_key VARCHAR, content_hash VARCHAR, target_id VARCHAR,
        status VARCHAR, error VARCHAR, run_id VARCHAR, loaded_at TIMESTAMPTZ, retryable BOOLEAN, target_version VARCHAR""",
    "load_events": """entity VARCHAR, external_id VARCHAR, content_hash VARCHAR, target_id VARCHAR, status VARCHAR,
        error VARCHAR, run_id VARCHAR, loaded_at TIMESTAMPTZ, retryable BOOLEAN, target_version VARCHAR""",
    # Written before a batch is sent, replaced by its results once the target answers (see handover.loading).
    "load_intents": """entity VARCHAR, external_id VARCHAR, row_key VARCHAR, content_hash VARCHAR, was_loaded BOOLEAN,
        run_id VARCHAR, batch BIGINT, sent_at TIMESTAMPTZ""",
    # What each run changed in the target, for undo (see handover.journal); `before` is the record's JSON image.
    "journal": """run_id VARCHAR, entity VARCHAR, external_id VARCHAR, target_id VARCHAR, action VARCHAR, before VARCHAR,
        after_version VARCHAR, batch BIGINT, journaled_at TIMESTAMPTZ""",
    # Mirrors <work>/approvals.jsonl for the report (see handover.approval); matches_current: approves today's data.
    "approvals": """approved_at TIMESTAMPTZ, approver VARCHAR, role VARCHAR, data_hash VARCHAR, counts VARCHAR, note VARCHAR,
        actor VARCHAR, matches_current BOOLEAN""",
    "undos": "run_id VARCHAR, undo_run_id VARCHAR, undone_at TIMESTAMPTZ, actor VARCHAR, forced BOOLEAN",
}

# entity/stage-scoped ledger tables: a stage replaces its own rows, never another stage's
SCOPED = {"quarantine", "excluded", "issues"}


def connect(path: str | Path, key: str | None = None) -> duckdb.DuckDBPyConnection:
    """The staging file; encrypted with DuckDB's own encryption when a key is given (see handover.crypto)."""
    from handover.crypto import connect_duckdb

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return connect_duckdb(path, key, retries=10)


def ensure_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """Create the stage schemas and ledger tables; add columns a staging file from an older version lacks."""
    for schema in STAGE_SCHEMAS:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    have: dict[str, set[str]] = {}
    for table, column in con.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'ledger'").fetchall():
        have.setdefault(table, set()).add(column)
    for table, columns in LEDGER_TABLES.items():
        if table not in have:
            con.execute(f"CREATE TABLE IF NOT EXISTS ledger.{table} ({columns})")
            continue
        for definition in _column_definitions(table):
            if definition.split()[0] not in have[table]:
                con.execute(f"ALTER TABLE ledger.{table} ADD COLUMN {definition}")


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All writes inside happen, or none: a crash between two ledger writes leaves no half-written stage."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", [schema, table]
    ).fetchone()[0])


def read_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> pd.DataFrame:
    return con.execute(f'SELECT * FROM {schema}."{table}"').df()


def replace_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pd.DataFrame) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    con.register("_frame", frame)
    try:
        con.execute(f'CREATE OR REPLACE TABLE {schema}."{table}" AS SELECT * FROM _frame')
    finally:
        con.unregister("_frame")


def replace_ledger_rows(con: duckdb.DuckDBPyConnection, table: str, entity: str, frame: pd.DataFrame, stage: str | None = None) -> None:
    """Replace this entity's (and stage's) rows of a ledger table with `frame` (columns in ledger order)."""
    ensure_ledger(con)
    where, params = "entity = ?", [entity]
    if stage is not None and table in SCOPED:
        where, params = "entity = ? AND stage = ?", [entity, stage]
    con.execute(f"DELETE FROM ledger.{table} WHERE {where}", params)
    append_ledger_rows(con, table, frame)


def append_ledger_rows(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    ensure_ledger(con)
    columns = ledger_columns(table)
    con.register("_rows", frame[columns])
    try:
        con.execute(f"INSERT INTO ledger.{table} SELECT {', '.join(columns)} FROM _rows")
    finally:
        con.unregister("_rows")


def _column_definitions(table: str) -> list[str]:
    return [" ".join(part.split()) for part in LEDGER_TABLES[table].split(",")]


def ledger_columns(table: str) -> list[str]:
    return [definition.split()[0] for definition in _column_definitions(table)]


def ledger_frame(table: str, rows: Iterable[dict] | pd.DataFrame) -> pd.DataFrame:
    """A frame with exactly the ledger table's columns (missing ones empty)."""
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    frame = frame.copy()
    for column in ledger_columns(table):
        if column not in frame.columns:
            frame[column] = None
    return frame[ledger_columns(table)]
