"""Source connectors: the old CRMs Handover extracts from. Each implements `handover.ports.Source`."""

from __future__ import annotations

from handover.ports import Source
from handover.spec import FilesSource, HubSpotSource, MigrationSpec, PipedriveSource, SalesforceSource, SqlSource, resolve_url, source_columns


def open_source(spec: MigrationSpec, url: str | None = None) -> Source:
    """The spec's source; `url` is the connection URL resolved from the environment (a Dagster EnvVar).
    Opening a source connects to nothing: connections are made when streams are read or checked."""
    if isinstance(spec.source, FilesSource):
        from connectors.sources.files import ExportTable, FilesCRM

        tables = [
            ExportTable(name=name, files=tuple(entity.files), encoding=entity.encoding or spec.source.encoding, sheet=entity.sheet,
                        columns=tuple(dict.fromkeys(source_columns(entity, name).values())), region=spec.source.default_region,
                        renames=tuple((file, tuple(headers.items())) for file, headers in entity.file_columns.items()),
                        encodings=tuple(entity.file_encodings.items()))
            for name, entity in spec.entities.items()
        ]
        return FilesCRM(spec.source_dir, spec.source.system, tables)
    if isinstance(spec.source, SqlSource):
        from connectors.sources.sql import SqlCRM, SqlTable

        streams = []
        for name, entity in spec.entities.items():
            table = entity.table
            streams.append(SqlTable(name=name, table=table.table, id=entity.id, modified=table.modified, deleted=table.deleted, join=dict(table.join),
                                    union=tuple(table.union), split=dict(table.split), columns=tuple(dict.fromkeys(source_columns(entity, name).values()))))
        return SqlCRM(url, spec.source.system, streams, spec.source.db_schema, spec.source.chunk_rows)
    if isinstance(spec.source, HubSpotSource):
        from connectors.sources.hubspot import HubSpotCRM, HubSpotTable

        tables = [HubSpotTable(name, entity.files[0], tuple(dict.fromkeys(source_columns(entity, name).values()))) for name, entity in spec.entities.items()]
        return HubSpotCRM(url or _maybe(spec.source.url), spec.source.system, tables)
    if isinstance(spec.source, SalesforceSource):
        from connectors.sources.salesforce import SalesforceCRM, SalesforceTable

        tables = [SalesforceTable(name, entity.files[0], tuple(dict.fromkeys(source_columns(entity, name).values()))) for name, entity in spec.entities.items()]
        return SalesforceCRM(url or _maybe(spec.source.url), spec.source.system, tables, version=spec.source.version)
    if isinstance(spec.source, PipedriveSource):
        from connectors.sources.pipedrive import PipedriveCRM, PipedriveTable

        tables = [PipedriveTable(name, entity.files[0], tuple(dict.fromkeys(source_columns(entity, name).values()))) for name, entity in spec.entities.items()]
        return PipedriveCRM(url or _maybe(spec.source.url), spec.source.system, tables)
    raise NotImplementedError(f"no connector for source type {spec.source.type!r} yet")


def _maybe(url) -> str | None:
    """The URL when its variable is set; None at definition time, when nothing is read yet."""
    try:
        return resolve_url(url)
    except Exception:
        return None
