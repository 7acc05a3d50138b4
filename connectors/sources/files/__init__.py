"""dlt source for a folder of CRM export files (CSV in any common encoding, XLSX).

One resource per table. Every physical record becomes a raw row, untouched (all values as text),
with its file and line; a record that cannot be parsed still becomes a row, carrying the reason and
its raw text, so the cleaned stage can quarantine it and the accounting can count it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import dlt
import pyarrow as pa
from dlt.extract.source import DltSource
from dlt.sources import DltResource

from connectors.sources.files.encodings import EncodingChoice
from connectors.sources.files.helpers import Export, ExportError, csv_delimiter, file_encoding, read_export, read_header
from connectors.sources.files.model import delimiter_name
from connectors.sources.files.settings import XLSX_SUFFIXES
from handover.naming import column_key
from handover.ports import SourceProblem, Stream
from connectors.sources.files.settings import CHUNK_ROWS, DELETED, LINE_COLUMN, META_COLUMNS

__all__ = ["EncodingChoice", "ExportTable", "ExportError", "FilesCRM", "crm_files", "column_key", "how_read", "missing_columns", "read_header"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExportTable:
    name: str
    files: tuple[str, ...]
    encoding: str = "auto"
    sheet: str | None = None
    columns: tuple[str, ...] = ()  # source columns the migration needs; their absence fails before loading
    region: str | None = None  # ISO region of the export (the source's default_region): ranks the encodings `auto` tries
    # Files whose headers differ from the names the spec uses: (file, ((column the spec names, the file's header), ...))
    renames: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    encodings: tuple[tuple[str, str], ...] = ()  # (file, its encoding) where it differs from `encoding`

    def encoding_of(self, file: str) -> str:
        return dict(self.encodings).get(file, self.encoding)

    def headers_of(self, file: str) -> dict[str, str]:
        """Column the spec names -> this file's header for it (only where they differ)."""
        return dict(next((pairs for name, pairs in self.renames if name == file), ()))

    def columns_of(self, file: str) -> tuple[str, ...]:
        """The columns the migration needs, as this file names them."""
        headers = self.headers_of(file)
        return tuple(headers.get(c, c) for c in self.columns)


def missing_columns(folder: Path, table: ExportTable, file: str) -> tuple[list[str], list[str]]:
    """(columns the table needs but the file lacks, the file's header)."""
    columns = table.columns_of(file)
    header = read_header(folder / file, table.encoding_of(file), table.sheet, table.region, columns)
    keys = {column_key(h) for h in header}
    return [c for c in columns if column_key(c) not in keys], header


def export_to_arrow(export: Export, file_label: str, renames: dict[str, str] | None = None) -> Iterator[pa.Table]:
    """`renames`: this file's header -> the column the spec names, for a file whose headers differ from the others'."""
    keys = {column_key(header): column_key(spec_name) for header, spec_name in (renames or {}).items()}
    names = [keys.get(k, k) for k in export.keys] + list(META_COLUMNS)
    types = {LINE_COLUMN: pa.int64(), DELETED: pa.bool_()}
    schema = pa.schema([(n, types.get(n, pa.string())) for n in names])
    width = len(export.keys)
    for start in range(0, max(len(export.records), 1), CHUNK_ROWS):
        chunk = export.records[start:start + CHUNK_ROWS]
        columns: list[list] = [[] for _ in names]
        for record in chunk:
            values = record.values if record.values is not None else [None] * width
            for i in range(width):
                columns[i].append(values[i])
            columns[width].append(f"{file_label}:{record.line}")
            columns[width + 1].append(file_label)
            columns[width + 2].append(record.line)
            columns[width + 3].append(record.error)
            columns[width + 4].append(record.raw_text)
            columns[width + 5].append(None)
        yield pa.Table.from_arrays([pa.array(c, type=f.type) for c, f in zip(columns, schema)], schema=schema)


def _table_resource(folder: Path, table: ExportTable) -> DltResource:
    def rows() -> Iterator[pa.Table]:
        for file in table.files:
            missing, header = missing_columns(folder, table, file)
            if missing:
                raise ExportError(f"{folder / file}: no column {', '.join(map(repr, missing))}; the file has: {', '.join(header)}")
        for file in table.files:
            export = read_export(folder / file, table.encoding_of(file), table.sheet, table.region, table.columns_of(file))
            log.info("%s", export.describe())
            for note in export.notes:
                log.warning("%s: %s", folder / file, note)
            yield from export_to_arrow(export, file, {h: c for c, h in table.headers_of(file).items()})

    return dlt.resource(rows, name=table.name, write_disposition="replace")


def how_read(folder: Path, table: ExportTable, file: str) -> str:
    """How a file of the table is read, for `handover validate` and the raw stage's metadata: the encoding
    `auto` chose and why (CSV), or the worksheet (XLSX). Raises ExportError as reading would."""
    path = folder / file
    if path.suffix.lower() in XLSX_SUFFIXES:
        from connectors.sources.files.workbook import read_xlsx

        return read_xlsx(path, table.sheet, header_only=True, columns=table.columns_of(file)).describe()
    delimiter = delimiter_name(csv_delimiter(path, table.encoding_of(file), table.region))
    return f"{file}: encoding {file_encoding(path, table.encoding_of(file), table.region)}, {delimiter}"


def _schema() -> dlt.Schema:
    # Column names are normalised by the reader (handover.naming); dlt must keep them as they are.
    return dlt.Schema("crm_files", normalizers={"names": "direct"})


@dlt.source(max_table_nesting=0, schema=_schema())
def crm_files(folder: str, tables: Sequence[ExportTable]) -> list[DltResource]:
    """Every table of an export folder, each read whole (exports are full snapshots, so: replace)."""
    return [_table_resource(Path(folder), table) for table in tables]


class FilesCRM:
    """A folder of exports as a `handover.ports.Source`: one stream per entity, read whole each run."""

    def __init__(self, folder: Path, system: str, tables: Sequence[ExportTable]):
        self.folder, self.system, self.tables = Path(folder), system, list(tables)

    def streams(self) -> list[Stream]:
        return [Stream(t.name, ", ".join(t.files), t.columns) for t in self.tables]

    def check(self) -> list[SourceProblem]:
        if not self.folder.is_dir():
            return [SourceProblem(f"source folder {self.folder} does not exist")]
        problems = []
        for table in self.tables:
            for file in table.files:
                try:
                    missing, header = missing_columns(self.folder, table, file)
                except ExportError as exc:
                    problems.append(SourceProblem(str(exc), table.name))
                    continue
                problems += [SourceProblem(f"column {c!r} is not in {file}; its columns: {', '.join(header)}", table.name, c) for c in missing]
        return problems

    def discover(self) -> dict[str, list[str]]:
        return {t.name: read_header(self.folder / t.files[0], t.encoding_of(t.files[0]), t.sheet, t.region, t.columns_of(t.files[0])) for t in self.tables}

    def describe(self) -> list[str]:
        """How each file is read (the encoding `auto` chose and why, or the worksheet), for `handover validate`."""
        lines = []
        for table in self.tables:
            for file in table.files:
                try:
                    lines.append(f"{table.name}: {how_read(self.folder, table, file)}")
                except ExportError as exc:
                    lines.append(f"{table.name}: {exc}")
        return lines

    def dlt_source(self) -> DltSource:
        return crm_files(str(self.folder), self.tables)
