"""The terminal during a run: which stage and entity runs now, how far the whole migration is, and a clock that
keeps moving however long one step takes.

Dagster runs the job in this process's main thread; a watcher thread reads the run's events from the instance
(step started, succeeded, failed; the steps' own log lines such as "contact: 500/1000 sent") and updates the
display. The display writes to a duplicate of the terminal's file descriptor taken before the run, because a
Dagster instance with a compute log manager (DAGSTER_HOME set) redirects the process's stderr into its log
files while a step runs: drawing on stderr itself froze the bar for the length of each step."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

POLL_SECONDS = 0.25


def terminal_console() -> Console:
    """A console on a duplicate of stderr, untouched by Dagster's capture of fd 2 during steps."""
    try:
        stream = os.fdopen(os.dup(sys.stderr.fileno()), "w", buffering=1, encoding="utf-8", errors="replace")
    except (OSError, ValueError, AttributeError):  # stderr is not a real file (pytest's capture, an IDE)
        return Console(stderr=True)
    return Console(file=stream, force_terminal=None)


def step_label(step_key: str, migration: str) -> str:
    """'demo__cleaned__contact' -> 'cleaned contact'; steps named otherwise are shown as they are."""
    parts = step_key.split("__")
    if parts and parts[0] == migration:
        parts = parts[1:]
    return " ".join(parts) or step_key


class RunProgress:
    """Watches one or more Dagster runs of a migration and draws their progress. Also keeps each step's
    duration (for HANDOVER_TIMINGS and the summary)."""

    def __init__(self, instance, migration: str, steps: Sequence[str], console: Console, quiet: bool = False):
        self.instance, self.migration, self.console, self.quiet = instance, migration, console, quiet
        self.total = len(steps)
        self.done: set[str] = set()
        self.failed: set[str] = set()
        self.started: dict[str, float] = {}
        self.timings: dict[str, float] = {}
        self.current: dict[str, str] = {}  # step -> latest line it logged
        self.live = console.is_terminal and not quiet
        self.progress = Progress(SpinnerColumn(), TextColumn("{task.description:<44}"), BarColumn(), TextColumn("{task.fields[count]:>7}"),
                                 TimeElapsedColumn(), console=console, disable=not self.live, transient=False)
        self.overall = self.progress.add_task(f"migrating {migration}", total=self.total, count=f"0/{self.total}")
        self.now = self.progress.add_task("starting", total=None, count="")
        self._run_id: str | None = None
        self._cursor: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # --- lifecycle -------------------------------------------------------------------------------

    def watch(self, run_id: str) -> None:
        """Follow this run's events from now on (a migration may take several runs: all-or-nothing)."""
        with self._lock:
            self._poll()
            self._run_id, self._cursor = run_id, None

    def __enter__(self) -> "RunProgress":
        self.progress.start()
        self._thread = threading.Thread(target=self._loop, name="handover-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            self._poll()
        self.progress.update(self.overall, completed=self.total, count=f"{len(self.done | self.failed)}/{self.total}",
                             description=f"{'FAILED' if self.failed else 'finished'} {self.migration}")
        self.progress.update(self.now, visible=False)
        self.progress.stop()

    def _loop(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            with self._lock:
                try:
                    self._poll()
                except Exception:  # noqa: BLE001 - the display must never stop the run; the next poll retries
                    pass
            self._redraw_current()

    # --- events ----------------------------------------------------------------------------------

    def _poll(self) -> None:
        if self._run_id is None:
            return
        while True:
            connection = self.instance.get_records_for_run(self._run_id, cursor=self._cursor, limit=500)
            for record in connection.records:
                self._on_entry(record.event_log_entry)
            self._cursor = connection.cursor
            if not connection.has_more:
                return

    def _on_entry(self, entry) -> None:
        step = entry.step_key
        event = entry.dagster_event
        if step is None:
            return
        if event is None:
            if entry.user_message:
                self.current[step] = entry.user_message.strip().splitlines()[0]
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            self.started[step] = entry.timestamp
            self._line(f"start {step_label(step, self.migration)}")
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            self.timings[step] = entry.timestamp - self.started.get(step, entry.timestamp)
            self.current.pop(step, None)
            (self.failed if kind == "STEP_FAILURE" else self.done).add(step)
            status = "FAILED" if kind == "STEP_FAILURE" else "done"
            self._line(f"{status} {step_label(step, self.migration)} ({self.timings[step]:.1f} s)")
            finished = len(self.done | self.failed)
            self.progress.update(self.overall, completed=finished, count=f"{finished}/{self.total}")

    def _line(self, text: str) -> None:
        """Piped output (CI logs) gets one line per step instead of a live display."""
        if not self.live and not self.quiet:
            self.console.print(escape(text), highlight=False)

    def _redraw_current(self) -> None:
        running = [s for s in self.started if s not in self.done and s not in self.failed]
        if not running:
            return
        step = running[-1]
        seconds = time.time() - self.started[step]
        said = self.current.get(step)
        text = f"{step_label(step, self.migration)} {seconds:4.0f} s" + (f" — {said}" if said else "")
        self.progress.update(self.now, description=escape(text[:80]))
