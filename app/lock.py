"""One run per migration at a time: an advisory lock on `<work>/run.lock`.

The lock is `flock` on the file, so the kernel releases it the moment its process dies, even by `kill -9`:
a lock left behind can never block a migration forever, and taking it over is safe because the dead run
holds nothing. The file's text says who holds it (process id, host, since when), for the message a second
run prints."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from app.errors import UserError

LOCK_NAME = "run.lock"


class MigrationLock:
    def __init__(self, work_dir: Path, migration: str):
        self.path = Path(work_dir) / LOCK_NAME
        self.migration = migration
        self._fd: int | None = None
        self.took_over: dict | None = None  # what a dead run left in the file, when this run took its lock over

    def holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def _try(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        left = os.read(fd, 4096).decode("utf-8", "replace")
        if left.strip():
            try:
                self.took_over = json.loads(left)
            except ValueError:
                self.took_over = {"text": left}
        mine = {"pid": os.getpid(), "host": socket.gethostname(), "since": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "migration": self.migration}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(mine).encode(), 0)
        os.fsync(fd)
        self._fd = fd
        return True

    def describe_holder(self) -> str:
        holder = self.holder()
        if not holder.get("pid"):
            return "another run"
        return f"the run of process {holder['pid']} on {holder.get('host', '?')} (since {holder.get('since', '?')})"

    def acquire(self, wait: bool = False, on_wait: Callable[[str], None] | None = None, poll: float = 0.5) -> "MigrationLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        announced = False
        while not self._try():
            if not wait:
                raise UserError(f"migration {self.migration} is already running: {self.describe_holder()} holds {self.path}; "
                                "wait for it to finish, or start this one with --wait to run after it")
            if on_wait and not announced:
                on_wait(f"waiting for {self.describe_holder()} to finish (it holds {self.path})")
                announced = True
            time.sleep(poll)
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "MigrationLock":
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
