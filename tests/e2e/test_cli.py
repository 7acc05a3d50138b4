"""The `handover` command as a user runs it: clear messages and exit code 2 for mistakes, a summary for a run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import ROOT, write_spec

HANDOVER = [sys.executable, "-m", "app"]


def handover(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "COLUMNS": "160"}
    env.pop("DAGSTER_HOME", None)
    return subprocess.run([*HANDOVER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_malformed_spec_gives_one_clear_message_exit_2_and_writes_nothing(tmp_path: Path, small_export: Path) -> None:
    spec = write_spec(tmp_path, small_export)
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    data["entities"]["contact"]["feilds"] = data["entities"]["contact"].pop("fields")
    data["owners"]["departed"]["policy"] = "inherit"
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = handover("run", str(spec))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "entities.contact.feilds: unknown key" in result.stderr and "did you mean 'fields'" in result.stderr
    assert "owners.departed.policy: must be one of: 'successor', 'fallback' or 'keep'" in result.stderr
    assert f"{spec}:" in result.stderr
    assert not (tmp_path / "work").exists()


def test_column_the_source_lacks_is_an_error_before_anything_runs(tmp_path: Path, small_export: Path) -> None:
    spec = write_spec(tmp_path, small_export)
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    data["entities"]["contact"]["fields"]["email"] = "e_mail"
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = handover("run", str(spec))
    assert result.returncode == 2, result.stderr
    assert "entities.contact.fields.email: column 'e_mail' is not in contacts.csv" in result.stderr
    assert "contact_id, first_name, last_name, email" in result.stderr  # the columns it does have
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "work").exists()


def test_missing_source_folder_and_missing_spec(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, tmp_path / "nowhere")
    result = handover("validate", str(spec))
    assert result.returncode == 2 and "source folder" in result.stderr and "does not exist" in result.stderr
    result = handover("run", str(tmp_path / "missing.yaml"))
    assert result.returncode == 2 and "spec file not found" in result.stderr


def test_schema_is_json_schema_of_the_spec(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    assert handover("schema", "--out", str(out)).returncode == 0
    schema = json.loads(out.read_text())
    assert {"migration", "source", "target", "entities"} <= set(schema["properties"])
    assert "successor" in json.dumps(schema)


@pytest.mark.slow
def test_run_prints_the_accounting_then_restore_rebuilds_raw(tmp_path: Path, small_export: Path) -> None:
    spec = write_spec(tmp_path, small_export)
    result = handover("run", str(spec), "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    for entity in ("owner", "account", "contact", "deal", "activity"):
        assert entity in result.stdout
    assert "balanced" in result.stdout and "UNBALANCED" not in result.stdout
    report = tmp_path / "work" / "reports" / "reconciliation.html"
    assert report.exists() and str(report) in result.stdout
    html = report.read_text(encoding="utf-8")
    assert "Every extracted row is accounted for" in html and "https://" not in html
    assert (tmp_path / "work" / "data_docs" / "index.html").exists()

    staging = tmp_path / "work" / "staging.duckdb"
    con = duckdb.connect(str(staging))
    before = con.execute('SELECT count(*), sum(hash(_raw_text)) FROM raw."contact"').fetchone()
    con.execute('DELETE FROM raw."contact"')
    con.close()
    restored = handover("restore", str(spec))
    assert restored.returncode == 0, restored.stderr
    assert "restored raw.contact" in restored.stdout and "sha256 verified" in restored.stdout
    con = duckdb.connect(str(staging))
    assert con.execute('SELECT count(*), sum(hash(_raw_text)) FROM raw."contact"').fetchone() == before
    con.close()

    snapshot = next((tmp_path / "work" / "backup").iterdir())
    (snapshot / "contact.parquet").write_bytes(b"tampered")
    tampered = handover("restore", str(spec))
    assert tampered.returncode == 2 and "does not match the manifest" in tampered.stderr and "Traceback" not in tampered.stderr
