"""Encryption at rest: encrypted backups (AES-GCM, signed manifest), the encrypted embedded target and staging, wrong
and missing keys (one clear message, nothing overwritten), key rotation. Keys come from the environment only."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from app.cli import main
from connectors.targets.duckdb_crm import DuckDBCRM
from handover import crypto
from handover.backup import BackupError, read_manifest, restore, snapshot_table, verify
from handover.ports import EntitySchema, TargetError
from handover.staging import connect
from tests.trust_support import make_spec

SECRET_VALUE = "zhang.wei.private@example.cn"
MARKER = b"Zhang Wei"  # a repeated value DuckDB stores once, legibly, in a plain file (a unique e-mail it may compress)


def raw_staging(path: Path, key: str | None) -> None:
    con = connect(path, key)
    try:
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        con.execute(f"CREATE TABLE raw.contact AS SELECT i AS n, '{SECRET_VALUE}' || i AS email, 'Zhang Wei' AS name, '2024-01-01'::DATE + i::INTEGER AS seen, "
                    "'c:' || i AS _record_key, NULL::VARCHAR AS _source_file, NULL::BIGINT AS _source_line FROM range(300) t(i)")
    finally:
        con.close()


def everything_in(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_an_encrypted_backup_restores_only_with_its_key(tmp_path: Path) -> None:
    raw_staging(tmp_path / "staging.duckdb", "k-one")
    snapshot = tmp_path / "backup" / "load-1"
    con = connect(tmp_path / "staging.duckdb", "k-one")
    try:
        entry = snapshot_table(con, "raw", "contact", snapshot, "m", key="k-one")
    finally:
        con.close()
    assert entry.file == "contact.parquet.enc" and entry.rows == 300
    raw_staging(tmp_path / "control" / "plain.duckdb", None)
    assert MARKER in (tmp_path / "control" / "plain.duckdb").read_bytes()  # the check below can fail
    assert MARKER not in everything_in(tmp_path / "backup") + (tmp_path / "staging.duckdb").read_bytes()
    assert b"PAR1" not in (snapshot / entry.file).read_bytes()
    manifest = read_manifest(snapshot)
    assert manifest["encrypted"] and manifest["key_id"] == crypto.key_id("k-one") and "k-one" not in json.dumps(manifest)

    fresh = duckdb.connect(str(tmp_path / "restored.duckdb"))
    fresh.execute("CREATE SCHEMA raw")
    fresh.execute("CREATE TABLE raw.contact AS SELECT 'keep me' AS note")
    with pytest.raises(BackupError, match="the backup is encrypted; set HANDOVER_KEY"):
        restore(fresh, snapshot)
    with pytest.raises(BackupError, match="wrong key: the backup was encrypted with another key"):
        restore(fresh, snapshot, key="k-two")
    assert fresh.execute("SELECT * FROM raw.contact").fetchall() == [("keep me",)]  # nothing overwritten
    restore(fresh, snapshot, key="k-one")
    assert fresh.execute("SELECT count(*), min(seen), max(email) FROM raw.contact").fetchone()[0] == 300
    assert str(fresh.execute("SELECT typeof(seen) FROM raw.contact LIMIT 1").fetchone()[0]) == "DATE"
    fresh.close()


def test_a_tampered_encrypted_backup_is_refused(tmp_path: Path) -> None:
    raw_staging(tmp_path / "staging.duckdb", None)
    snapshot = tmp_path / "backup" / "load-1"
    con = connect(tmp_path / "staging.duckdb")
    entry = snapshot_table(con, "raw", "contact", snapshot, "m", key="k-one")
    con.close()
    manifest_path = snapshot / "manifest.json"
    original = manifest_path.read_text()

    manifest = json.loads(original)
    manifest["tables"]["contact"]["rows"] = 299  # a forger without the key cannot re-sign
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="signature does not match: the manifest was altered"):
        verify(snapshot, key="k-one")

    manifest_path.write_text(original)
    blob = bytearray((snapshot / entry.file).read_bytes())
    blob[-5] ^= 1
    (snapshot / entry.file).write_bytes(bytes(blob))
    with pytest.raises(BackupError, match="does not match the manifest"):
        verify(snapshot, key="k-one")


def test_the_embedded_target_is_encrypted(tmp_path: Path) -> None:
    path, control = tmp_path / "crm.duckdb", tmp_path / "plain.duckdb"
    for file, key in ((path, "target-key"), (control, None)):
        crm = DuckDBCRM(file, key)
        crm.prepare(EntitySchema("owner", {"name": "string", "email": "email"}))
        crm.upsert("owner", pd.DataFrame({"external_id": [f"o:{i}" for i in range(200)], "name": ["Zhang Wei"] * 200,
                                          "email": [f"{i}{SECRET_VALUE}" for i in range(200)]}))
        crm.close()
    assert MARKER in control.read_bytes() and MARKER not in path.read_bytes()
    with pytest.raises(TargetError, match="is encrypted: set HANDOVER_KEY"):
        DuckDBCRM(path)
    with pytest.raises(TargetError, match="wrong key"):
        DuckDBCRM(path, "another-key")
    with DuckDBCRM(path, "target-key") as again:
        assert len(again.read_all("owner")) == 200


def test_rekey_rotates_every_file_and_a_wrong_key_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture) -> None:
    spec = make_spec(tmp_path)
    spec_file = str(tmp_path / "spec.yaml")
    raw_staging(spec.staging_path, "old-key")
    con = connect(spec.staging_path, "old-key")
    snapshot_table(con, "raw", "contact", spec.work_dir / "backup" / "l1", "trust", key="old-key")
    con.close()
    DuckDBCRM(spec.target_path, "old-key").close()
    before = {p: p.read_bytes() for p in spec.work_dir.rglob("*") if p.is_file() and "audit" not in p.parts}

    monkeypatch.setenv("HANDOVER_KEY", "not-the-key")
    monkeypatch.setenv("HANDOVER_NEW_KEY", "new-key")
    assert main(["rekey", spec_file]) == 2
    err = capsys.readouterr().err
    assert "wrong key" in err and "not-the-key" not in err and "new-key" not in err
    assert {p: p.read_bytes() for p in before} == before

    monkeypatch.setenv("HANDOVER_KEY", "old-key")
    assert main(["rekey", spec_file]) == 0
    printed = capsys.readouterr()
    assert "old-key" not in printed.out + printed.err and "new-key" not in printed.out + printed.err
    with pytest.raises(crypto.CryptoError, match="wrong key"):
        connect(spec.staging_path, "old-key")
    assert connect(spec.staging_path, "new-key").execute("SELECT count(*) FROM raw.contact").fetchone()[0] == 300
    verify(spec.work_dir / "backup" / "l1", key="new-key")
    DuckDBCRM(spec.target_path, "new-key").close()
    assert main(["audit", "verify", spec_file]) == 0


def test_the_key_file_named_in_the_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDOVER_KEY", raising=False)
    spec = make_spec(tmp_path, encryption={"key_file": "secret.key"})
    with pytest.raises(crypto.CryptoError, match="secret.key: cannot read the key file"):
        crypto.spec_key(spec)
    (tmp_path / "secret.key").write_text("from-a-file\n")
    assert crypto.spec_key(spec) == "from-a-file"
    monkeypatch.setenv("HANDOVER_KEY", "from-env")
    assert crypto.spec_key(spec) == "from-env"
