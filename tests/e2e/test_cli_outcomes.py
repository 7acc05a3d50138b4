"""`handover run` tells the truth about its outcome, runs once per migration at a time, and shows progress as it goes.

One work folder is taken through a sequence (each step a real `handover run` subprocess):
1. a production target and a failing gate: all-or-nothing writes nothing, names the gate and why, writes a
   partial report; a lock left by a killed run is taken over;
2. the same gate on a sandbox target (entity by entity): the entities whose gates passed are loaded, and the run
   says which;
3. a second start while another process holds the migration is refused with its process id; with --wait it
   waits, then (gate fixed) completes: owners unchanged, accounts created, progress per step
   arriving while the run goes, and the run recorded in the Dagster instance DAGSTER_HOME names.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import ROOT, write_spec

HANDOVER = [sys.executable, "-m", "app"]
GATE = {"max_quarantined": {"default": 0.05, "account": 0.0}}  # the demo quarantines an account: cleaned account fails
ENTITIES = ("owner", "account")  # few steps: each costs seconds of Dagster and GX overhead, whatever its size

pytestmark = pytest.mark.timeout(1800)


def _env(home: Path | None) -> dict:
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "COLUMNS": "200", "HANDOVER_EPHEMERAL_INSTANCE": "1"}
    if home is not None:  # the run goes to this instance, as a user's runs go to the project's
        env["DAGSTER_HOME"] = str(home)
        env.pop("HANDOVER_EPHEMERAL_INSTANCE")
    return env


def _run(spec: Path, home: Path | None, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*HANDOVER, "run", str(spec), *args], cwd=ROOT, env=_env(home), capture_output=True, text=True, timeout=900)


TABLES = {"owner": "users", "account": "accounts"}  # the embedded new CRM's tables


def _rows(entity: str, spec: Path) -> int:
    table = TABLES[entity]
    target = Path(yaml.safe_load(spec.read_text(encoding="utf-8"))["target"]["path"])
    if not target.exists():
        return 0
    con = duckdb.connect(str(target), read_only=True)
    try:
        found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]).fetchone()[0]
        return con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] if found else 0
    finally:
        con.close()


def _summary_row(stdout: str, entity: str) -> list[str]:
    line = next(line for line in stdout.splitlines() if line.strip().startswith(entity + " "))
    return re.sub(r"\(\d+\.\d%\)", "", line).split()


@pytest.fixture(scope="module")
def sequence(tmp_path_factory: pytest.TempPathFactory, small_export: Path) -> dict:
    folder = tmp_path_factory.mktemp("outcomes")
    home = folder / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    spec = write_spec(folder, small_export, gates=GATE)
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    data["target"]["production"] = True
    data["entities"] = {name: data["entities"][name] for name in ENTITIES}
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (folder / "work").mkdir()
    (folder / "work" / "run.lock").write_text(json.dumps({"pid": dead.pid, "host": "h", "since": "2026-01-01T00:00:00+00:00"}))
    found: dict = {"spec": spec, "home": home, "work": folder / "work", "dead_pid": dead.pid}

    found["all_or_nothing"] = _run(spec, None)
    found["target_after_all_or_nothing"] = {t: _rows(t, spec) for t in ("owner", "account")}
    found["report_after_all_or_nothing"] = (folder / "work" / "reports" / "reconciliation.html").read_text(encoding="utf-8")
    data["target"]["production"] = False  # a production target also waits for approvals (assets/approval.py)
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    found["entity_by_entity"] = _run(spec, None)
    found["target_after_entity_by_entity"] = {t: _rows(t, spec) for t in ("owner", "account")}

    data["gates"] = {}
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys; from pathlib import Path; from app.lock import MigrationLock\n"
        f"lock = MigrationLock(Path({str(folder / 'work')!r}), 'demo').acquire(); print('held', flush=True); sys.stdin.readline()")],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    found["holder_pid"] = holder.pid
    found["refused"] = _run(spec, None)
    waiting = subprocess.Popen([*HANDOVER, "run", str(spec), "--wait"], cwd=ROOT, env=_env(home),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[tuple[float, str]] = []
    said_waiting = threading.Event()

    def read() -> None:
        for line in waiting.stderr:
            lines.append((time.monotonic(), line))
            if line.startswith("waiting for"):
                said_waiting.set()
    reader = threading.Thread(target=read)
    reader.start()
    said_waiting.wait(timeout=300)
    holder.stdin.write("release\n")
    holder.stdin.flush()
    found["waited_stdout"] = waiting.stdout.read()
    waiting.wait(timeout=900)
    reader.join()
    found["waited_rc"], found["waited_lines"], found["waited_end"] = waiting.returncode, lines, time.monotonic()
    holder.wait()
    return found


def test_all_or_nothing_writes_nothing_and_says_which_gate_failed_and_why(sequence: dict) -> None:
    result = sequence["all_or_nothing"]
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "Traceback" not in out + result.stderr and "DagsterAssetCheckFailedError" not in out
    assert "gate failed: demo/cleaned/account expectations" in out
    assert re.search(r"quarantine share of account: \d+ of 100 extracted rows \([\d.]+%\) quarantined against the threshold "
                     r"\(max_quarantined=0\)", out)
    assert "nothing written to the target: all-or-nothing" in out and "Nothing was written to the target by this run." in out
    assert sequence["target_after_all_or_nothing"] == {"owner": 0, "account": 0}
    assert "demo: accounting so far (the run did not finish)" in out
    assert "PARTIAL REPORT: the run did not finish. gate demo/cleaned/account expectations failed" in sequence["report_after_all_or_nothing"]
    assert "(partial)" in out
    assert f"took over the lock left by process {sequence['dead_pid']}" in result.stderr


def test_entity_by_entity_loads_what_passed_and_says_so(sequence: dict) -> None:
    result = sequence["entity_by_entity"]
    assert result.returncode == 1, result.stdout + result.stderr
    written = sequence["target_after_entity_by_entity"]
    assert written["owner"] > 0 and written["account"] == 0
    assert f"Already written to the target by this run: owner ({written['owner']} created)\n" in result.stdout
    assert "took over the lock" not in result.stderr  # the first run released its lock


def test_second_start_is_refused_naming_the_holder(sequence: dict) -> None:
    result = sequence["refused"]
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"migration demo is already running: the run of process {sequence['holder_pid']} on " in result.stderr
    assert "--wait" in result.stderr


def test_waiting_run_completes_with_created_updated_unchanged(sequence: dict) -> None:
    assert sequence["waited_rc"] == 0, sequence["waited_stdout"] + "".join(line for _, line in sequence["waited_lines"])
    out = sequence["waited_stdout"]
    assert any(f"waiting for the run of process {sequence['holder_pid']}" in line for _, line in sequence["waited_lines"])
    header = next(line for line in out.splitlines() if "extracted" in line and "created" in line).split()
    assert header[:6] == ["entity", "extracted", "loaded", "created", "updated", "unchanged"]
    owner, account = _summary_row(out, "owner"), _summary_row(out, "account")
    assert owner[2] == owner[5] != "0" and owner[3] == "0"  # loaded = unchanged: the previous run wrote them
    assert account[2] == account[3] != "0" and account[5] == "0"  # loaded = created
    assert re.search(r"account\s.*\s1 \(1\.0%\)", out)  # the share quarantined
    assert "Review queue:" in out and "every extracted row accounted for" in out


def test_progress_arrives_step_by_step_and_runs_are_in_the_instance(sequence: dict) -> None:
    import dagster as dg

    steps = [(t, line) for t, line in sequence["waited_lines"] if line.startswith(("start ", "done "))]
    assert any(line.startswith("start cleaned account") for _, line in steps)
    assert any(re.match(r"done loaded account \(\d+\.\d s\)", line) for _, line in steps)
    done = [t for t, line in steps if line.startswith("done ")]
    assert len(done) >= 12
    # Lines come as the steps finish, not all at the end (the display froze with DAGSTER_HOME set, and then every line
    # arrived within milliseconds): the second half of the steps takes seconds, however fast the machine.
    assert done[len(done) // 2] < done[-1] - 1.5, [round(t - done[0], 2) for t in done]
    instance = dg.DagsterInstance.from_config(str(sequence["home"]))
    runs = instance.get_runs(filters=dg.RunsFilter(tags={"handover/migration": "demo"}))
    assert len(runs) == 1 and runs[0].status == dg.DagsterRunStatus.SUCCESS  # the waiting run (the others used a throwaway instance)
