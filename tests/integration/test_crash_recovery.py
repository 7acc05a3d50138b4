"""kill -9 at any moment, then a rerun: the target ends exactly as a clean run leaves it.

A real `handover run` subprocess is killed while it extracts (raw), while it cleans, and at ten or more moments of
the loaded stage (small batches, so the kills land between and inside batches). After each kill a rerun must
complete, the target must equal a clean full run's (same external ids, same content, no duplicates), no record may
be called "updated" (nothing changed, so every write is a creation), and no load intent may be left behind.
The loaded-stage trials start from one staging prepared with `--until mapped` and run `--from loaded`, so each
costs a load, not a whole migration; some recover with a full rerun, the others with `--from loaded`.
Moments are observed, not guessed from the clock: the files the child has open (/proc/<pid>/fd) and the Data Docs
pages it has written tell which stage it is in.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
import yaml

from sampledata.demo import generate_export
from tests.conftest import write_spec

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="needs /proc to watch the child")]

BATCH = 10
LOADED_KILLS = 10
SYSTEM_COLUMNS = {"id", "system_created_at", "system_modified_at"}


def run_cli(spec: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "HANDOVER_EPHEMERAL_INSTANCE": "1", "DAGSTER_HOME": ""}
    env.pop("DAGSTER_HOME")
    return subprocess.Popen([sys.executable, "-m", "app", "run", str(spec), "--quiet", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def finish(spec: Path, *args: str) -> str:
    child = run_cli(spec, *args)
    output, _ = child.communicate(timeout=900)
    assert child.returncode == 0, output[-3000:]
    return output


def has_open(pid: int, path: Path) -> bool:
    try:
        return any(os.readlink(f"/proc/{pid}/fd/{fd}") == str(path) for fd in os.listdir(f"/proc/{pid}/fd"))
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False


def wait_for(child: subprocess.Popen, condition, timeout: float = 600) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child.poll() is not None:
            return False
        if condition():
            return True
        time.sleep(0.02)
    return False


def kill(child: subprocess.Popen) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=60)


def target_content(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, with the target's own ids replaced by the external ids they point at."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [r[0] for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()]
        external = {}
        for table in tables:
            external.update(dict(con.execute(f'SELECT id, external_id FROM "{table}"').fetchall()))
        content = {}
        for table in tables:
            frame = con.execute(f'SELECT * FROM "{table}"').df()
            for column in [c for c in frame.columns if c.endswith("_id") and c != "external_id"]:
                frame[column] = frame[column].map(lambda v: external.get(v, v))
            frame = frame.drop(columns=[c for c in frame.columns if c in SYSTEM_COLUMNS]).sort_values("external_id")
            content[table] = [tuple(None if v != v else v for v in row) for row in frame.itertuples(index=False, name=None)]
        return content
    finally:
        con.close()


def ledger_facts(staging: Path) -> dict:
    con = duckdb.connect(str(staging), read_only=True)
    try:
        return {
            "updated_events": con.execute("SELECT count(*) FROM ledger.load_events WHERE status = 'updated'").fetchone()[0],
            "intents": con.execute("SELECT count(*) FROM ledger.load_intents").fetchone()[0],
            "ledger_duplicates": con.execute("SELECT count(*) FROM (SELECT entity, external_id FROM ledger.loads GROUP BY ALL HAVING count(*) > 1)").fetchone()[0],
            "unbalanced": con.execute("SELECT count(*) FROM reconciled.accounting WHERE NOT balanced").fetchone()[0],
        }
    finally:
        con.close()


def load_progress(staging: Path) -> int:
    """Load events recorded so far (the kill's moment, as far as the ledger saw it)."""
    try:
        con = duckdb.connect(str(staging), read_only=True)
    except duckdb.Error:
        return -1
    try:
        return con.execute("SELECT count(*) FROM ledger.load_events").fetchone()[0]
    except duckdb.Error:
        return 0
    finally:
        con.close()


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crash") / "exports"
    generate_export(folder, scale=0.02, seed=11)
    return folder


def fresh_spec(folder: Path, export: Path) -> tuple[Path, Path, Path]:
    """The demo spec without activities (fewer gates, a shorter run), loading in small batches."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = write_spec(folder, export, target={"type": "duckdb", "path": str(folder / "work" / "newcrm.duckdb"), "batch_size": BATCH})
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    del data["entities"]["activity"]
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return spec, folder / "work" / "newcrm.duckdb", folder / "work" / "staging.duckdb"


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, export: Path) -> dict:
    """A clean full run: its target and how many records it sent."""
    spec, target, staging = fresh_spec(tmp_path_factory.mktemp("reference"), export)
    finish(spec)
    return {"content": target_content(target), "events": load_progress(staging)}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory, export: Path) -> Path:
    """A work folder whose staging holds every stage up to mapped, nothing loaded yet."""
    spec, target, _ = fresh_spec(tmp_path_factory.mktemp("prepared"), export)
    finish(spec, "--until", "mapped")
    assert not target.exists(), "--until mapped wrote to the target"
    return spec.parent / "work"


def from_prepared(folder: Path, export: Path, prepared: Path) -> tuple[Path, Path, Path]:
    spec, target, staging = fresh_spec(folder, export)
    shutil.copytree(prepared, folder / "work", ignore=shutil.ignore_patterns("run.lock"))
    return spec, target, staging


def assert_recovered(spec: Path, target: Path, staging: Path, reference: dict, *args: str) -> None:
    finish(spec, *args)
    assert target_content(target) == reference["content"]
    facts = ledger_facts(staging)
    assert facts == {"updated_events": 0, "intents": 0, "ledger_duplicates": 0, "unbalanced": 0}, facts


@pytest.mark.timeout(1800)
def test_kills_during_loaded_recover_to_the_reference(tmp_path: Path, export: Path, reference: dict, prepared: Path) -> None:
    window = None
    progress_at_kill = []
    for trial in range(LOADED_KILLS + 1):
        spec, target, staging = from_prepared(tmp_path / f"trial{trial}", export, prepared)
        child = run_cli(spec, "--from", "loaded")
        assert wait_for(child, lambda: has_open(child.pid, target)), "the run never opened the target"
        opened = time.monotonic()
        if window is None:  # the first trial measures the load phase and lets it finish: a clean `--from loaded` run
            output, _ = child.communicate(timeout=900)
            assert child.returncode == 0, output[-3000:]
            window = time.monotonic() - opened
            assert target_content(target) == reference["content"], "--from loaded on a prepared staging differs from a full run"
            continue
        # The window runs to the process's end: loading is its first ~70% (reconciled and the summary follow).
        time.sleep(window * 0.6 * (trial - 1) / LOADED_KILLS)
        if child.poll() is None:
            kill(child)
        progress_at_kill.append(load_progress(staging))
        # Most recover by loading again; some by a whole rerun from the source, as a user who knows nothing of --from would.
        assert_recovered(spec, target, staging, reference, *(() if trial % 4 == 1 else ("--from", "loaded")))
    during_load = [p for p in progress_at_kill if 0 <= p < reference["events"]]
    assert len(during_load) >= LOADED_KILLS, f"only {len(during_load)} kills landed while loading: {progress_at_kill} of {reference['events']} events"
    assert len(set(during_load)) >= 5, f"kills landed at too few distinct moments: {progress_at_kill}"


@pytest.mark.parametrize("stage", ["raw", "cleaned"])
def test_kills_before_loading_recover_to_the_reference(tmp_path: Path, export: Path, reference: dict, stage: str) -> None:
    spec, target, staging = fresh_spec(tmp_path, export)
    docs = staging.parent / "data_docs"
    reached = {
        "raw": lambda: staging.exists(),
        "cleaned": lambda: (docs / "cleaned" / "owner.html").exists(),
    }[stage]
    child = run_cli(spec)
    assert wait_for(child, reached), f"the run finished before reaching {stage}"
    kill(child)
    assert not target.exists() or not has_open(child.pid, target)
    assert_recovered(spec, target, staging, reference)
