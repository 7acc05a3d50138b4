"""`handover run`: every check first, then the migration's Dagster job, one run per migration at a time.

All-or-nothing (the default for a target marked `production: true`, or `--all-or-nothing`): the stages up to
mapped run for every entity first; only when every gate of every entity passed do loaded and reconciled run,
so a failed gate leaves the target untouched. Otherwise entities load as soon as their own gates pass."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

from rich.console import Console

from app.checks import preflight
from app.errors import UserError
from app.lock import MigrationLock
from app.outcome import Outcome, failed_gate, print_summary, step_failure
from app.progress import RunProgress
from handover.spec import MigrationSpec, load_spec

WRITING_STAGES = ("loaded", "reconciled")
STAGE_ORDER = ("raw", "backup", "cleaned", "mapped", "loaded", "reconciled")
# What a run that starts at a stage reads from staging: the stage before it, for every entity.
NEEDS = {"cleaned": ("raw", "{entity}"), "mapped": ("cleaned", "{entity}"), "loaded": ("mapped", "{entity}"), "reconciled": ("ledger", "loads")}
PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def dagster_home() -> Path | None:
    """DAGSTER_HOME when set, else the project's instance (`make ui` shows its runs) when this is a checkout
    with workspace.yaml; None for an installed package without a project (an ephemeral instance)."""
    home = os.environ.get("DAGSTER_HOME")
    if home:
        return Path(home)
    if (PROJECT_ROOT / "workspace.yaml").is_file():
        return PROJECT_ROOT / ".handover" / "dagster"
    return None


def instance_for_run():
    import dagster as dg

    home = dagster_home()
    if home is None or os.environ.get("HANDOVER_EPHEMERAL_INSTANCE"):
        return dg.DagsterInstance.ephemeral()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return dg.DagsterInstance.from_config(str(home))


def stage_of(key) -> str | None:
    from handover.gates_plan import GATED_STAGES

    known = (*GATED_STAGES, "backup", *WRITING_STAGES)
    return next((part for part in key.path if part in known), None)


def run(spec_path: str, console: Console, out: Console, *, quiet: bool = False, wait: bool = False, all_or_nothing: bool | None = None,
        from_stage: str | None = None, until_stage: str | None = None) -> int:
    spec = load_spec(spec_path)
    preflight(spec)
    # dlt logs a failed load's tracebacks to stderr itself; the summary tells the reason once (and Dagster keeps the logs).
    os.environ.setdefault("RUNTIME__LOG_LEVEL", "CRITICAL")
    if from_stage and until_stage and STAGE_ORDER.index(from_stage) > STAGE_ORDER.index(until_stage):
        raise UserError(f"--from {from_stage} comes after --until {until_stage}: nothing to run")
    if from_stage:
        _check_earlier_stages(spec, from_stage)
    with MigrationLock(spec.work_dir, spec.migration).acquire(wait, on_wait=lambda text: console.print(text, highlight=False)) as lock:
        if lock.took_over and lock.took_over.get("pid"):
            left = lock.took_over
            console.print(f"took over the lock left by process {left['pid']} (since {left.get('since', '?')}), which is no longer "
                          "running; the checkpoints it left are recovered before anything is sent again", highlight=False)
        if all_or_nothing is None:
            all_or_nothing = spec.target.production
        started = time.perf_counter()
        outcome = _execute(spec, console, quiet, all_or_nothing, from_stage, until_stage)
        print_summary(out, spec, outcome, time.perf_counter() - started)
    if outcome.ok:
        return EXIT_OK
    return EXIT_USAGE if outcome.failures and all(f.user_error for f in outcome.failures) and not outcome.gates else EXIT_FAILED


def _check_earlier_stages(spec: MigrationSpec, from_stage: str) -> None:
    """`--from STAGE` reuses what staging holds for the stages before it: refuse when they are not there."""
    from handover.crypto import connect_duckdb, spec_key
    from handover.staging import table_exists

    if from_stage not in NEEDS:
        return
    schema, table = NEEDS[from_stage]
    missing = []
    if spec.staging_path.exists():
        con = connect_duckdb(spec.staging_path, spec_key(spec))
        try:
            missing = [e for e in spec.ordered_entities() if not table_exists(con, schema, table.format(entity=e))]
        finally:
            con.close()
    if missing or not spec.staging_path.exists():
        raise UserError(f"--from {from_stage} reuses the {schema} stage in {spec.staging_path}, which "
                        + (f"has no {schema}.{table.format(entity=missing[0])} yet" if missing else "does not exist yet")
                        + "; run the migration without --from first")


def _execute(spec: MigrationSpec, console: Console, quiet: bool, all_or_nothing: bool, from_stage: str | None = None,
             until_stage: str | None = None) -> Outcome:
    import dagster as dg

    from handover import audit
    from pipelines.definitions import build_definitions, migration_job_name

    defs = build_definitions([spec])
    job = defs.resolve_job_def(migration_job_name(spec))
    audit.append(spec.work_dir, "run_start", spec.migration, {"job": job.name, "target": spec.target_label})
    steps = [node.name for node in job.nodes_in_topological_order]
    instance = instance_for_run()
    keys = [k for k in job.asset_layer.asset_graph.get_all_asset_keys() if k.path and k.path[0] == spec.migration] \
        if hasattr(job, "asset_layer") else []
    phases: list[list | None] = [None]
    if from_stage or until_stage:
        first, last = STAGE_ORDER.index(from_stage or "raw"), STAGE_ORDER.index(until_stage or "reconciled")
        keys = [k for k in keys if first <= STAGE_ORDER.index(stage_of(k) or "raw") <= last]
        phases = [keys]
    if all_or_nothing and keys:
        phases = [[k for k in keys if stage_of(k) not in WRITING_STAGES], [k for k in keys if stage_of(k) in WRITING_STAGES]]
        phases = [p for p in phases if p]
    outcome = Outcome()
    config = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    with RunProgress(instance, spec.migration, steps, console, quiet) as progress:
        for number, selection in enumerate(phases):
            run_id = str(uuid.uuid4())
            progress.watch(run_id)
            result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=config, run_id=run_id,
                                            asset_selection=selection, tags={"handover/migration": spec.migration})
            outcome.run_ids.append(run_id)
            # A step stopped by a failed blocking check adds nothing to the gate's own explanation.
            outcome.failures += [f for f in (step_failure(e) for e in result.all_events if e.is_step_failure)
                                 if "DagsterAssetCheckFailedError" not in f.message]
            outcome.gates += [failed_gate(e) for e in result.get_asset_check_evaluations()
                              if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
            if number == 0 and len(phases) > 1 and not outcome.ok:
                outcome.held_back = "all-or-nothing: a gate or step failed before loading, so no entity was loaded"
                break
    outcome.timings = progress.timings
    if until_stage and until_stage != "reconciled":
        outcome.stopped_after = until_stage
    audit.append(spec.work_dir, "run_end", spec.migration, {
        "job": job.name, "run_ids": outcome.run_ids, "success": outcome.ok,
        "failures": [f.message for f in outcome.failures], "failed_checks": [g.check for g in outcome.gates]})
    return outcome
