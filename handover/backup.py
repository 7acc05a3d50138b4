"""Backups of raw: an immutable Parquet snapshot per extraction with a sha256 manifest.

The snapshot is restorable (raw is rebuilt from it) and doubles as the exit archive of the old CRM.
With a key, each Parquet file is encrypted with AES-256-GCM (`<table>.parquet.enc`, never written in the clear) and
the manifest is HMAC-signed; restoring then needs the key, and a wrong or missing key changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from handover import crypto
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


def _entry(manifest: dict, table: str) -> SnapshotEntry:
    fields = {k: manifest["tables"][table][k] for k in ("file", "sha256", "rows", "bytes")}
    return SnapshotEntry(table, **fields)


def snapshot_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, snapshot: Path, migration: str,
                   key: str | None = None) -> SnapshotEntry:
    """Write one raw table into the snapshot folder and record it in the manifest. An entry already
    written is never overwritten: snapshots are immutable. With `key`, the file is encrypted and the manifest signed."""
    snapshot.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(snapshot) if (snapshot / MANIFEST).exists() else {
        "migration": migration, "snapshot": snapshot.name, "created_at": datetime.now(timezone.utc).isoformat(), "tables": {},
    }
    if manifest.get("encrypted") and key is not None:
        _check_key(snapshot, manifest, key)
    if table in manifest["tables"]:
        return _entry(manifest, table)
    select = f"SELECT * FROM {schema}.\"{table}\" ORDER BY {raw_order_sql()}"
    if key is None:
        target = snapshot / f"{table}.parquet"
        temp = snapshot / f".{table}.parquet.tmp"
        con.execute(f"COPY ({select}) TO {_sql_path(temp)} (FORMAT parquet, COMPRESSION zstd)")
    else:
        target = snapshot / f"{table}.parquet.enc"
        temp = snapshot / f".{table}.parquet.enc.tmp"
        buffer = pa.BufferOutputStream()
        pq.write_table(con.execute(select).fetch_arrow_table(), buffer, compression="zstd")
        temp.write_bytes(crypto.encrypt(key, buffer.getvalue().to_pybytes(), table.encode()))
        manifest.update(encrypted=True, key_id=crypto.key_id(key))
    os.replace(temp, target)
    rows = int(con.execute(f"SELECT count(*) FROM {schema}.\"{table}\"").fetchone()[0])
    entry = {"file": target.name, "sha256": sha256_of(target), "rows": rows, "bytes": target.stat().st_size}
    manifest["tables"][table] = entry
    if key is not None:
        manifest["signature"] = crypto.sign(key, manifest)
    _write_json_atomic(snapshot / MANIFEST, manifest)
    return SnapshotEntry(table, **entry)


def _check_key(snapshot: Path, manifest: dict, key: str | None) -> None:
    """An encrypted snapshot opens only with its key, and only if its manifest is the one that key signed."""
    if key is None:
        raise BackupError(f"{snapshot}: the backup is encrypted; set {crypto.KEY_ENV} (or encryption.key_file in the spec) to the key it was made with")
    if manifest.get("key_id") != crypto.key_id(key):
        raise BackupError(f"{snapshot}: wrong key: the backup was encrypted with another key (key id {manifest.get('key_id')}, "
                          f"this key's id is {crypto.key_id(key)})")
    if not crypto.signed(key, manifest):
        raise BackupError(f"{snapshot / MANIFEST}: the manifest's signature does not match: the manifest was altered")


def verify(snapshot: Path, tables: list[str] | None = None, key: str | None = None) -> list[SnapshotEntry]:
    """Check every (or the named) file against the manifest's sha256 (and, encrypted, the key and the manifest's
    signature); raise BackupError on any difference."""
    manifest = read_manifest(snapshot)
    if manifest.get("encrypted"):
        _check_key(snapshot, manifest, key)
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
        entries.append(_entry(manifest, table))
    return entries


def snapshots(backup_dir: Path) -> list[Path]:
    """Snapshot folders, oldest first."""
    if not backup_dir.exists():
        return []
    return sorted((p for p in backup_dir.iterdir() if (p / MANIFEST).exists()), key=lambda p: read_manifest(p)["created_at"])


def read_snapshot_table(snapshot: Path, entry: SnapshotEntry, key: str | None) -> pa.Table:
    """One verified table of a snapshot, decrypted in memory where it is encrypted."""
    path = snapshot / entry.file
    if not entry.file.endswith(".enc"):
        return pq.read_table(path)
    try:
        data = crypto.decrypt(key or "", path.read_bytes(), entry.entity.encode(), where=str(path))
    except crypto.CryptoError as exc:
        raise BackupError(str(exc)) from None
    return pq.read_table(pa.BufferReader(data))


def restore(con: duckdb.DuckDBPyConnection, snapshot: Path, schema: str = "raw", key: str | None = None) -> list[SnapshotEntry]:
    """Rebuild the raw tables from a verified snapshot. Every file is verified and read before any table is replaced,
    so a wrong key or an altered file overwrites nothing."""
    entries = verify(snapshot, key=key)
    tables = {}
    for entry in entries:
        tables[entry.entity] = read_snapshot_table(snapshot, entry, key)
        if tables[entry.entity].num_rows != entry.rows:
            raise BackupError(f"{snapshot / entry.file}: holds {tables[entry.entity].num_rows} rows, the manifest says {entry.rows}")
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    for entity, table in tables.items():
        con.register("_restored", table)
        try:
            con.execute(f"CREATE OR REPLACE TABLE {schema}.\"{entity}\" AS SELECT * FROM _restored")
        finally:
            con.unregister("_restored")
    return entries


def rekey_snapshot(snapshot: Path, old: str | None, new: str | None) -> int:
    """Re-encrypt every file of a snapshot under `new` (None: plain Parquet) and re-sign its manifest. All files are
    rewritten beside the old ones first, then swapped in; a wrong old key changes nothing. Returns the files rewritten."""
    manifest = read_manifest(snapshot)
    entries = verify(snapshot, key=old)
    staged = []
    for entry in entries:
        table = read_snapshot_table(snapshot, entry, old)
        buffer = pa.BufferOutputStream()
        pq.write_table(table, buffer, compression="zstd")
        data = buffer.getvalue().to_pybytes()
        name = f"{entry.entity}.parquet" + (".enc" if new else "")
        temp = snapshot / f".{name}.rekey"
        temp.write_bytes(crypto.encrypt(new, data, entry.entity.encode()) if new else data)
        staged.append((entry, name, temp))
    for entry, name, temp in staged:
        os.replace(temp, snapshot / name)
        if entry.file != name:
            (snapshot / entry.file).unlink(missing_ok=True)
        manifest["tables"][entry.entity].update(file=name, sha256=sha256_of(snapshot / name), bytes=(snapshot / name).stat().st_size)
    for field in ("encrypted", "key_id", "signature"):
        manifest.pop(field, None)
    if new:
        manifest.update(encrypted=True, key_id=crypto.key_id(new))
        manifest["signature"] = crypto.sign(new, manifest)
    _write_json_atomic(snapshot / MANIFEST, manifest)
    return len(staged)
