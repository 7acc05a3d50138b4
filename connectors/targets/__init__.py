"""Target adapters: where mapped records are written. Each implements `handover.ports.Target`."""

from __future__ import annotations

from handover.ports import Target
from handover.spec import DuckDBTarget, FilesTarget, HubSpotTarget, MigrationSpec, PipedriveTarget, PostgresTarget, SalesforceTarget, resolve_url


def open_target(spec: MigrationSpec, url: str | None = None) -> Target:
    """The spec's target; `url` is the connection URL resolved from the environment (a Dagster EnvVar)."""
    if isinstance(spec.target, DuckDBTarget):
        from connectors.targets.duckdb_crm import DuckDBCRM
        from handover.crypto import spec_key

        return DuckDBCRM(spec.target_path, spec_key(spec))
    if isinstance(spec.target, PostgresTarget):
        from connectors.targets.postgres_crm import PostgresCRM

        return PostgresCRM(url or resolve_url(spec.target.url), spec.target.db_schema)
    if isinstance(spec.target, FilesTarget):
        from connectors.targets.files_crm import FilesCRM

        return FilesCRM(spec.target_path, template=spec.target.template, formats=tuple(spec.target.formats))
    if isinstance(spec.target, HubSpotTarget):
        from connectors.targets.hubspot import HubSpotTarget as HubSpotCRM

        return HubSpotCRM(url or resolve_url(spec.target.url), spec.work_dir / "hubspot_owners.json", spec.target.objects, spec.target.id_property)
    if isinstance(spec.target, SalesforceTarget):
        from connectors.targets.salesforce import SalesforceTarget as SalesforceCRM

        return SalesforceCRM(url or resolve_url(spec.target.url), spec.work_dir / "salesforce_owners.json", version=spec.target.version,
                             objects=spec.target.objects, fields=spec.target.fields, external_id_field=spec.target.external_id_field,
                             bulk_above=spec.target.bulk_above)
    if isinstance(spec.target, PipedriveTarget):
        from connectors.targets.pipedrive import PipedriveTarget as PipedriveCRM

        return PipedriveCRM(url or resolve_url(spec.target.url), spec.work_dir / "pipedrive_owners.json", spec.target.objects)
    raise NotImplementedError(f"no adapter for target type {spec.target.type!r} yet")
