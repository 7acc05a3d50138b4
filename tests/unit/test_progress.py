"""The run's progress display follows the run's events: the running step by stage and entity, its own messages,
and a clock that keeps moving during a long step; piped output gets one line per step instead."""

from __future__ import annotations

import io
import re
import time
import uuid

import dagster as dg
from rich.console import Console

from app.progress import RunProgress, step_label


def _job() -> dg.JobDefinition:
    @dg.asset(key=["acme", "cleaned", "contact"])
    def slow(context) -> int:  # no annotation: with postponed annotations Dagster sees a string
        context.log.info("contact: 5/10 sent")
        time.sleep(2.5)
        return 1

    @dg.asset(key=["acme", "mapped", "contact"], deps=[slow])
    def after() -> int:
        return 2

    return dg.Definitions(assets=[slow, after]).resolve_implicit_global_asset_job_def()


def _run(console: Console) -> RunProgress:
    job = _job()
    instance = dg.DagsterInstance.ephemeral()
    with RunProgress(instance, "acme", [n.name for n in job.nodes_in_topological_order], console) as progress:
        run_id = str(uuid.uuid4())
        progress.watch(run_id)
        assert job.execute_in_process(instance=instance, run_id=run_id).success
    return progress


def test_live_display_names_the_running_step_and_its_clock_moves() -> None:
    buffer = io.StringIO()
    progress = _run(Console(file=buffer, force_terminal=True, width=140))
    text = buffer.getvalue()
    assert "cleaned contact" in text and "contact: 5/10 sent" in text
    seconds = {int(s) for s in re.findall(r"cleaned contact\s+(\d+) s", text)}
    assert len(seconds) >= 2, text[-2000:]  # redrawn while the step ran, each time with its own elapsed seconds
    assert "2/2" in text and "finished acme" in text
    assert progress.timings["acme__cleaned__contact"] >= 2.5


def test_piped_output_gets_a_line_per_step() -> None:
    buffer = io.StringIO()
    _run(Console(file=buffer, force_terminal=False, width=140))
    lines = buffer.getvalue().splitlines()
    assert lines[0] == "start cleaned contact"
    assert re.fullmatch(r"done cleaned contact \(2\.\d s\)", lines[1])
    assert lines[2:] == ["start mapped contact", next(line for line in lines if line.startswith("done mapped contact"))]


def test_step_labels() -> None:
    assert step_label("acme__loaded__account", "acme") == "loaded account"
    assert step_label("acme_raw", "acme") == "acme_raw"
