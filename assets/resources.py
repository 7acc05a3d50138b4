"""Resources of a migration: its staging database and the connections to the old and the new CRM.

Credentials never sit in a spec: a connection URL written as ${NAME} becomes `dg.EnvVar("NAME")`, resolved by
Dagster when a run starts, so it appears in no definition, log or event.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

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


class EncryptedStaging(dg.ConfigurableResource):
    """The staging DuckDB encrypted with DuckDB's own encryption; the key from HANDOVER_KEY (a dg.EnvVar) or a key file."""

    database: str
    key: str | None = None
    key_file: str | None = None

    @contextmanager
    def get_connection(self) -> Iterator:
        from pathlib import Path

        from handover.crypto import connect_duckdb, read_key_file

        key = self.key or (read_key_file(Path(self.key_file)) if self.key_file else None)
        con = connect_duckdb(self.database, key, retries=10)
        try:
            yield con
        finally:
            con.close()


def staging_resource(spec: MigrationSpec) -> dg.ConfigurableResource:
    """Plain DuckDB, or encrypted staging when the migration has a key (HANDOVER_KEY or encryption.key_file)."""
    from dagster_duckdb import DuckDBResource

    from handover.crypto import KEY_ENV

    key_file = str(spec.resolve(spec.encryption.key_file)) if spec.encryption.key_file else None
    if os.environ.get(KEY_ENV, "").strip():
        return EncryptedStaging(database=str(spec.staging_path), key=dg.EnvVar(KEY_ENV), key_file=key_file)
    if key_file:
        return EncryptedStaging(database=str(spec.staging_path), key_file=key_file)
    return DuckDBResource(database=str(spec.staging_path))


def migration_resources(spec: MigrationSpec) -> dict[str, object]:
    from assets.automation import alert_channel

    return {
        staging_key(spec): staging_resource(spec),
        source_key(spec): connection(getattr(spec.source, "url", None)),
        target_key(spec): connection(getattr(spec.target, "url", None)),
        alerts_key(spec): alert_channel(spec),
    }
