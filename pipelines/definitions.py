"""spec -> Dagster Definitions: every migration spec in pipelines/ becomes a graph of stage assets.

Set HANDOVER_SPECS (paths separated by os.pathsep) to load other specs instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from dagster_dlt import DagsterDltResource

from assets import approval, backup, cleaned, loaded, mapped, raw, reconciled
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


def build_definitions(specs: list[MigrationSpec], hooks: set[dg.HookDefinition] | None = None) -> dg.Definitions:
    assets, checks, jobs = [], [], []
    resources: dict[str, object] = {"dlt": DagsterDltResource()}
    for spec in specs:
        stage_assets = raw.build(spec) + backup.build(spec) + cleaned.build(spec) + mapped.build(spec) + loaded.build(spec) + reconciled.build(spec)
        stage_assets += approval.build(spec)
        assets += [a for a in stage_assets if not isinstance(a, dg.AssetChecksDefinition)]
        checks += [a for a in stage_assets if isinstance(a, dg.AssetChecksDefinition)]
        resources.update(migration_resources(spec))
        jobs.append(dg.define_asset_job(
            migration_job_name(spec), selection=dg.AssetSelection.groups(spec.migration),
            description=f"The whole migration {spec.migration}: raw to reconciled.", hooks=hooks,
        ))
    # DuckDB allows one writing process per file: run a migration's steps in one process.
    return dg.Definitions(assets=assets, asset_checks=checks, jobs=jobs, resources=resources, executor=dg.in_process_executor)


def load_definitions() -> dg.Definitions:
    return build_definitions([load_spec(p) for p in spec_paths()])


defs = load_definitions()
