"""spec -> Dagster Definitions: every migration spec in pipelines/ becomes a graph of stage assets.

Set HANDOVER_SPECS (paths separated by os.pathsep) to load other specs instead.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import dagster as dg
from dagster_dlt import DagsterDltResource

from assets import approval, backup, cleaned, loaded, mapped, raw, reconciled
from assets.automation import automation, failure_alert
from assets.resources import migration_resources
from handover.spec import MigrationSpec, load_spec

PIPELINES = Path(__file__).resolve().parent


def spec_paths() -> list[Path]:
    configured = os.environ.get("HANDOVER_SPECS")
    if configured:
        return [Path(p) for p in configured.split(os.pathsep) if p]
    return sorted(PIPELINES.glob("*.yaml"))


def migration_job_name(spec: MigrationSpec) -> str:
    return f"{spec.migration}_migrate"


def with_hooks(checks: dg.AssetChecksDefinition, hooks: set[dg.HookDefinition]) -> dg.AssetChecksDefinition:
    """`checks` with `hooks` attached; AssetsDefinition.with_hooks would return a plain AssetsDefinition."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=dg.BetaWarning)  # execution_type, passed through unchanged
        return dg.AssetChecksDefinition(**checks.with_hooks(hooks).get_attributes_dict())


def build_definitions(specs: list[MigrationSpec], hooks: set[dg.HookDefinition] | None = None) -> dg.Definitions:
    assets, checks, jobs, sensors, schedules = [], [], [], [], []
    resources: dict[str, object] = {"dlt": DagsterDltResource()}
    for spec in specs:
        stage_assets = raw.build(spec) + backup.build(spec) + cleaned.build(spec) + mapped.build(spec) + loaded.build(spec) + reconciled.build(spec)
        stage_assets += approval.build(spec)
        # On every step, not only the job's: a materialisation started from the asset graph alerts too.
        alert = failure_alert(spec)
        assets += [a.with_hooks({alert}) for a in stage_assets if not isinstance(a, dg.AssetChecksDefinition)]
        checks += [with_hooks(c, {alert}) for c in stage_assets if isinstance(c, dg.AssetChecksDefinition)]
        resources.update(migration_resources(spec))
        jobs.append(dg.define_asset_job(
            migration_job_name(spec), selection=dg.AssetSelection.key_prefixes([spec.migration]),
            description=f"The whole migration {spec.migration}: raw to reconciled." + (f" {spec.description}" if spec.description else ""),
            tags={"handover/migration": spec.migration}, hooks=hooks,
        ))
        spec_sensors, spec_schedules = automation(spec, migration_job_name(spec))
        sensors += spec_sensors
        schedules += spec_schedules
    # DuckDB allows one writing process per file: run a migration's steps in one process.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=dg.BetaWarning)  # code references are beta in Dagster 1.13
        assets = dg.with_source_code_references(assets)
    return dg.Definitions(
        assets=assets, asset_checks=checks, jobs=jobs, sensors=sensors, schedules=schedules,
        resources=resources, executor=dg.in_process_executor,
    )


def load_definitions() -> dg.Definitions:
    return build_definitions([load_spec(p) for p in spec_paths()])


defs = load_definitions()
