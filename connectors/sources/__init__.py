"""Source connectors: the old CRMs Handover extracts from. Each implements `handover.ports.Source`."""

from __future__ import annotations

from handover.ports import Source
from handover.spec import FilesSource, MigrationSpec, source_columns


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
    raise NotImplementedError(f"no connector for source type {spec.source.type!r} yet")
