"""Target adapters: where mapped records are written. Each implements `handover.ports.Target`."""

from __future__ import annotations

from handover.ports import Target
from handover.spec import DuckDBTarget, MigrationSpec


def open_target(spec: MigrationSpec, url: str | None = None) -> Target:
    """The spec's target; `url` is the connection URL resolved from the environment (a Dagster EnvVar)."""
    if isinstance(spec.target, DuckDBTarget):
        from connectors.targets.duckdb_crm import DuckDBCRM

        return DuckDBCRM(spec.target_path)
    raise NotImplementedError(f"no adapter for target type {spec.target.type!r} yet")
