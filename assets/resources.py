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


def connection(url: EnvRef | str | None) -> CrmConnection:
    return CrmConnection(url=dg.EnvVar(url.env) if isinstance(url, EnvRef) else url)


def staging_key(spec: MigrationSpec) -> str:
    return f"{spec.migration}_staging"


def source_key(spec: MigrationSpec) -> str:
    return f"{spec.migration}_source"


def target_key(spec: MigrationSpec) -> str:
    return f"{spec.migration}_target"


def migration_resources(spec: MigrationSpec) -> dict[str, object]:
    from dagster_duckdb import DuckDBResource

    return {
        staging_key(spec): DuckDBResource(database=str(spec.staging_path)),
        source_key(spec): connection(getattr(spec.source, "url", None)),
        target_key(spec): connection(getattr(spec.target, "url", None)),
    }
