"""Resources of a migration: its staging database and the connections to the old and the new CRM.

Credentials never sit in a spec: a connection URL written as ${NAME} becomes `dg.EnvVar("NAME")`, resolved by
Dagster when a run starts, so it appears in no definition, log or event.
"""

from __future__ import annotations

import dagster as dg

from handover.spec import EnvRef, MigrationSpec


class CrmConnection(dg.ConfigurableResource):
    """How to reach an old or a new CRM: its URL, from the environment where it holds credentials."""

    url: str | None = None


def env_or_value(value: EnvRef | str | None):
    return dg.EnvVar(value.env) if isinstance(value, EnvRef) else value


def connection(url: EnvRef | str | None) -> CrmConnection:
    return CrmConnection(url=env_or_value(url))


def staging_key(spec: MigrationSpec) -> str:
    return f"{spec.migration}_staging"


def source_key(spec: MigrationSpec) -> str:
    return f"{spec.migration}_source"


def target_key(spec: MigrationSpec) -> str:
    return f"{spec.migration}_target"


def alerts_key(spec: MigrationSpec) -> str:
    return f"{spec.migration}_alerts"


def migration_resources(spec: MigrationSpec) -> dict[str, object]:
    from dagster_duckdb import DuckDBResource

    from assets.automation import alert_channel

    return {
        staging_key(spec): DuckDBResource(database=str(spec.staging_path)),
        source_key(spec): connection(getattr(spec.source, "url", None)),
        target_key(spec): connection(getattr(spec.target, "url", None)),
        alerts_key(spec): alert_channel(spec),
    }
