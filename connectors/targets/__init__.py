"""Target adapters: where mapped records are written."""

from __future__ import annotations

from connectors.targets.base import TargetAdapter
from handover.spec import MigrationSpec


def open_target(spec: MigrationSpec) -> TargetAdapter:
    if spec.target.type == "duckdb":
        from connectors.targets.duckdb_crm import DuckDBCRM

        return DuckDBCRM(spec.target_path)
    raise ValueError(f"no adapter for target type {spec.target.type!r}")
