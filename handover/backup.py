"""Backups of raw: an immutable Parquet snapshot per extraction with a sha256 manifest.

The snapshot is restorable (raw is rebuilt from it) and doubles as the exit archive of the old CRM.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from handover.ports import raw_order_sql

MANIFEST = "manifest.json"


class BackupError(Exception):
    """A snapshot is missing, incomplete or does not match its manifest."""


@dataclass(frozen=True)
class SnapshotEntry:
    entity: str
    file: str
    sha256: str
    rows: int
    bytes: int


def _sql_path(path: Path) -> str:
    """A path as a DuckDB string literal (COPY and read_parquet take no bound parameters)."""
    return "'" + str(path).replace("'", "''") + "'"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_json_atomic(path: Path, data: dict) -> None:
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    os.replace(temp, path)


def read_manifest(snapshot: Path) -> dict:
    path = snapshot / MANIFEST
    if not path.exists():
        raise BackupError(f"{snapshot}: no {MANIFEST}; not a snapshot")
    return json.loads(path.read_text(encoding="utf-8"))


def snapshot_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, snapshot: Path, migration: str) -> SnapshotEntry:
    """Write one raw table into the snapshot folder and record it in the manifest. An entry already
    written is never overwritten: snapshots are immutable."""
    snapshot.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(snapshot) if (snapshot / MANIFEST).exists() else {
        "migration": migration, "snapshot": snapshot.name, "created_at": datetime.now(timezone.utc).isoformat(), "tables": {},
    }
    if table in manifest["tables"]:
        return SnapshotEntry(table, **manifest["tables"][table])
    target = snapshot / f"{table}.parquet"
    temp = snapshot / f".{table}.parquet.tmp"
    con.execute(f"COPY (SELECT * FROM {schema}.\"{table}\" ORDER BY {raw_order_sql()}) TO {_sql_path(temp)} (FORMAT parquet, COMPRESSION zstd)")
    os.replace(temp, target)
    rows = int(con.execute(f"SELECT count(*) FROM {schema}.\"{table}\"").fetchone()[0])
    entry = {"file": target.name, "sha256": sha256_of(target), "rows": rows, "bytes": target.stat().st_size}
    manifest["tables"][table] = entry
    _write_json_atomic(snapshot / MANIFEST, manifest)
    return SnapshotEntry(table, **entry)


def verify(snapshot: Path, tables: list[str] | None = None) -> list[SnapshotEntry]:
    """Check every (or the named) file against the manifest's sha256; raise BackupError on any difference."""
    manifest = read_manifest(snapshot)
    entries = []
    for table in tables or list(manifest["tables"]):
        if table not in manifest["tables"]:
            raise BackupError(f"{snapshot}: the snapshot has no table {table!r}; it has {', '.join(manifest['tables'])}")
        entry = manifest["tables"][table]
        path = snapshot / entry["file"]
        if not path.exists():
            raise BackupError(f"{path}: missing from the snapshot")
        actual = sha256_of(path)
        if actual != entry["sha256"]:
            raise BackupError(f"{path}: sha256 {actual} does not match the manifest's {entry['sha256']}; the backup was altered")
        entries.append(SnapshotEntry(table, **entry))
    return entries


def snapshots(backup_dir: Path) -> list[Path]:
    """Snapshot folders, oldest first."""
    if not backup_dir.exists():
        return []
    return sorted((p for p in backup_dir.iterdir() if (p / MANIFEST).exists()), key=lambda p: read_manifest(p)["created_at"])


def restore(con: duckdb.DuckDBPyConnection, snapshot: Path, schema: str = "raw") -> list[SnapshotEntry]:
    """Rebuild the raw tables from a verified snapshot."""
    entries = verify(snapshot)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for entry in entries:
        con.execute(f"CREATE OR REPLACE TABLE {schema}.\"{entry.entity}\" AS SELECT * FROM read_parquet({_sql_path(snapshot / entry.file)})")
        restored = int(con.execute(f"SELECT count(*) FROM {schema}.\"{entry.entity}\"").fetchone()[0])
        if restored != entry.rows:
            raise BackupError(f"{snapshot / entry.file}: restored {restored} rows, the manifest says {entry.rows}")
    return entries
