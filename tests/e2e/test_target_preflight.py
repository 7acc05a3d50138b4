"""`handover run` (and `validate`, through the same preflight) stops before any work when the PostgreSQL target cannot be reached or refuses the
login: one message naming the host and the spec line, exit code 2, no password, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, write_spec


def test_unreachable_postgres_target_is_a_user_error_before_anything_runs(tmp_path: Path, small_export: Path) -> None:
    spec = write_spec(tmp_path, small_export)
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    data["target"] = {"type": "postgres", "url": "${HANDOVER_TEST_TARGET_URL}", "schema": "crm"}
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "HANDOVER_TEST_TARGET_URL": "postgresql://loader:Pa55-secret@127.0.0.1:1/crm"}
    result = subprocess.run([sys.executable, "-m", "app", "run", str(spec), "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "127.0.0.1:1/crm" in result.stderr and "target.url" in result.stderr
    assert "Pa55-secret" not in result.stdout + result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "work" / "staging.duckdb").exists()
