"""One run per migration: the lock names its holder, waits when asked, and takes over what a dead run left."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.errors import UserError
from app.lock import MigrationLock
from app.run import PROJECT_ROOT, dagster_home


def test_second_holder_is_refused_with_pid_and_host(tmp_path: Path) -> None:
    first = MigrationLock(tmp_path / "work", "acme").acquire()
    try:
        with pytest.raises(UserError, match=rf"migration acme is already running: the run of process {os.getpid()} on \S+ \(since 20"):
            MigrationLock(tmp_path / "work", "acme").acquire()
    finally:
        first.release()
    MigrationLock(tmp_path / "work", "acme").acquire().release()  # free again once released


def test_wait_blocks_until_the_holder_releases(tmp_path: Path) -> None:
    first = MigrationLock(tmp_path, "acme").acquire()
    said: list[str] = []
    timer = threading.Timer(0.6, first.release)
    timer.start()
    second = MigrationLock(tmp_path, "acme").acquire(wait=True, on_wait=said.append, poll=0.05)
    second.release()
    timer.join()
    assert len(said) == 1 and said[0].startswith(f"waiting for the run of process {os.getpid()}")


def test_lock_of_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    code = ("import os, time; from pathlib import Path; from app.lock import MigrationLock\n"
            f"MigrationLock(Path({str(tmp_path)!r}), 'acme').acquire(); print('held', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    with pytest.raises(UserError, match=f"process {holder.pid}"):
        MigrationLock(tmp_path, "acme").acquire()
    holder.kill()  # as kill -9 would: no cleanup runs
    holder.wait()
    assert json.loads((tmp_path / "run.lock").read_text())["pid"] == holder.pid  # what it left behind
    lock = MigrationLock(tmp_path, "acme").acquire()
    try:
        assert lock.took_over["pid"] == holder.pid
        assert json.loads((tmp_path / "run.lock").read_text())["pid"] == os.getpid()
    finally:
        lock.release()


def test_runs_go_to_the_projects_instance_unless_dagster_home_says_otherwise(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    assert dagster_home() == PROJECT_ROOT / ".handover" / "dagster"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert dagster_home() == tmp_path
