"""dlt source for a self-hosted CRM's database (MariaDB/MySQL, PostgreSQL), on dlt's `sql_database` (`sql_table`).

One resource per entity. The stream's SELECT is built here (helpers.plan): one-to-one tables such as SuiteCRM's
`*_cstm` custom fields joined by id, many-to-one link tables (`accounts_contacts`) reduced to one live row per
record, tables of one kind united (`calls`, `meetings`, `notes`). Rows arrive as Arrow tables and are staged with
every value as text, the record key (the primary key; `table:id` for united tables), `_deleted` from the source's
flag (SuiteCRM: `deleted = 1`), and polymorphic ids split by their type column (`parent_id` -> `parent_id_accounts`...).

Incremental: `dlt.sources.incremental` on the modified column; later runs read rows modified at or after the
cursor, and `merge` on the record key replaces them in raw. dlt stores the cursor in the pipeline state, which
is committed with the load package holding the rows it covers: a failed extraction or load leaves it where it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import dlt
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa
from dlt.extract.source import DltSource
from dlt.sources import DltResource
from dlt.sources.sql_database import sql_table
from sqlalchemy.engine import URL

from connectors.sources.sql.helpers import (
    SqlTable, charset_problems, connect_error, engine_url, make_engine, missing_columns, missing_table, query, reflect, server,
)
from connectors.sources.sql.settings import BACKEND, SESSION_SETTINGS, TABLE_COLUMN
from handover.naming import column_key
from handover.ports import DELETED, RAW_ERROR, RAW_TEXT, RECORD_KEY, SOURCE_FILE, SOURCE_LINE, SourceError, SourceProblem, Stream

__all__ = ["SqlCRM", "SqlTable", "crm_database"]

_PLACEHOLDER = "sqlite://"  # definitions are built before the URL is resolved; nothing connects to it


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = column.type
    if pa.types.is_string(kind):
        return column
    if pa.types.is_timestamp(kind):
        # A cast keeps the unit's fraction (".000000"): whole seconds are cast at second precision (strftime is ~10x slower).
        seconds = pc.cast(column, pa.timestamp("s", kind.tz), safe=False)
        whole = pc.all(pc.equal(pc.cast(seconds, kind), column)).as_py() is not False
        return pc.cast(seconds if whole else column, pa.string())
    if pa.types.is_large_string(kind) or pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return pc.cast(column, pa.string())
    return pc.cast(column, pa.string())


def _deleted(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_boolean(column.type):
        return pc.fill_null(column, False)
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        return pc.fill_null(pc.equal(column, 1), False)
    return pc.fill_null(pc.is_in(pc.utf8_lower(pc.cast(column, pa.string())), pa.array(["1", "true", "t", "yes", "y"])), False)


def to_raw(stream: SqlTable) -> Callable[[pa.Table], pa.Table]:
    """Arrow batch from the database -> raw rows: text values, staging column names, record key, deleted flag, split ids."""
    id_key = column_key(stream.id)
    deleted_key = column_key(stream.deleted) if stream.deleted else None

    def convert(batch: pa.Table) -> pa.Table:
        names = [column_key(n) for n in batch.column_names]
        columns = {n: _text(c) for n, c in zip(names, batch.columns)}
        for id_column, type_column in stream.split.items():
            ids, types = columns[column_key(id_column)], columns[column_key(type_column)]
            for value in pc.unique(types).to_pylist():
                if value:
                    columns[column_key(f"{id_column}_{value}")] = pc.if_else(pc.equal(types, value), ids, pa.scalar(None, pa.string()))
        key = columns[id_key]
        if stream.union:
            key = pc.binary_join_element_wise(columns[TABLE_COLUMN], key, ":")
        rows = batch.num_rows
        meta = {
            RECORD_KEY: key,
            SOURCE_FILE: pa.nulls(rows, pa.string()), SOURCE_LINE: pa.nulls(rows, pa.int64()),
            RAW_ERROR: pa.nulls(rows, pa.string()), RAW_TEXT: pa.nulls(rows, pa.string()),
            DELETED: _deleted(batch.column(names.index(deleted_key))) if deleted_key else pa.array([False] * rows),
        }
        table = pa.table({**columns, **meta})
        # The ids are the resource's primary key, declared not null; say so in the batch's schema too.
        keys = {id_key, RECORD_KEY, *([TABLE_COLUMN] if stream.union else [])}
        schema = pa.schema([f.with_nullable(False) if f.name in keys and table.column(f.name).null_count == 0 else f for f in table.schema])
        return table.cast(schema)

    return convert


def _naive_utc(value: Any) -> Any:
    """The cursor as the database's naive UTC datetime columns compare it (dlt keeps it timezone-aware)."""
    if getattr(value, "tzinfo", None) is not None:
        import datetime as dt

        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value


def _connectorx_args(url: URL, chunk_rows: int) -> dict[str, Any]:
    # ConnectorX speaks its own URL dialect: plain scheme, no driver or SQLAlchemy query options.
    plain = url._replace(drivername=url.get_backend_name(), query={}).render_as_string(hide_password=False)
    return {"conn": plain, "return_type": "arrow_stream", "batch_size": chunk_rows, "pre_execution_query": list(SESSION_SETTINGS[url.get_backend_name()])}


def _resource(engine: sa.Engine, url: URL | None, stream: SqlTable, schema: str | None, chunk_rows: int) -> DltResource:
    def adapt(_query: Any, table: sa.Table, incremental: Any = None, _engine: Any = None) -> Any:
        if url is None:
            raise SourceError(f"no connection URL for {stream.location}")
        tables = reflect(engine, url, (*stream.tables, *stream.join), schema)
        with engine.connect() as con:
            problems = charset_problems(con, stream, tables, url)
        problems += missing_columns(stream, tables)
        if problems:
            raise SourceError("; ".join(message for _, message in problems))
        last = _naive_utc(incremental.last_value) if incremental is not None else None
        return query(stream, tables, last)

    primary_key = [TABLE_COLUMN, stream.id] if stream.union else [stream.id]
    # Rows at the cursor's boundary are told apart by the source's ids: the record key is only made after this step.
    incremental = dlt.sources.incremental(stream.modified, primary_key=primary_key) if stream.modified else None
    resource = sql_table(
        credentials=engine, table=stream.table, schema=schema, incremental=incremental, chunk_size=chunk_rows,
        backend=BACKEND if url is not None else "pyarrow", reflection_level="minimal", defer_table_reflect=True,
        # The SELECT is adapt()'s and every column is staged as text: the reflected table keeps only the cursor dlt needs,
        # so no reflected hint (type, nullability) disagrees with the staged rows.
        included_columns=[stream.modified] if stream.modified else [],
        query_adapter_callback=adapt, write_disposition="merge" if stream.modified else "replace", primary_key=primary_key,
        backend_kwargs=_connectorx_args(url, chunk_rows) if BACKEND == "connectorx" and url is not None else None,
    )
    resource = resource.with_name(stream.name)
    resource.apply_hints(primary_key=RECORD_KEY, merge_key=None)
    resource.add_map(to_raw(stream))
    return resource


def _schema() -> dlt.Schema:
    # Staging column names are handover.naming's (applied in to_raw); dlt must keep them as they are.
    return dlt.Schema("crm_database", normalizers={"names": "direct"})


@dlt.source(max_table_nesting=0, schema=_schema())
def crm_database(url: str | None, streams: Sequence[SqlTable], schema: str | None = None, chunk_rows: int = 50_000) -> list[DltResource]:
    """Every entity's table(s) of a CRM database; incremental by the modified column where a stream names one."""
    parsed = engine_url(url) if url else None
    engine = make_engine(parsed) if parsed is not None else sa.create_engine(_PLACEHOLDER)
    return [_resource(engine, parsed, stream, schema, chunk_rows) for stream in streams]


class SqlCRM:
    """A CRM database as a `handover.ports.Source`."""

    def __init__(self, url: str | None, system: str, streams: Sequence[SqlTable], schema: str | None = None, chunk_rows: int = 50_000):
        self.url, self.system, self.tables, self.schema, self.chunk_rows = url, system, list(streams), schema, chunk_rows

    def streams(self) -> list[Stream]:
        return [Stream(t.name, t.location, t.columns, t.id, t.modified, t.deleted) for t in self.tables]

    def _connect(self) -> tuple[URL, sa.Engine]:
        if not self.url:
            raise SourceError("no connection URL: set the environment variable the spec's source url names")
        parsed = engine_url(self.url)
        engine = make_engine(parsed)
        try:
            with engine.connect():
                pass
        except sa.exc.DBAPIError as exc:
            engine.dispose()
            raise connect_error(exc, parsed) from None
        return parsed, engine

    def check(self) -> list[SourceProblem]:
        try:
            url, engine = self._connect()
        except SourceError as exc:
            return [SourceProblem(str(exc))]
        problems = []
        try:
            existing = set(sa.inspect(engine).get_table_names(schema=self.schema)) | set(sa.inspect(engine).get_view_names(schema=self.schema))
            for stream in self.tables:
                absent = [n for n in (*stream.tables, *stream.join) if n not in existing]
                if absent:
                    problems += [SourceProblem(missing_table(n, existing, url), stream.name) for n in absent]
                    continue
                try:
                    tables = reflect(engine, url, (*stream.tables, *stream.join), self.schema)
                    found = missing_columns(stream, tables)
                    if not found:
                        with engine.connect() as con:
                            found = charset_problems(con, stream, tables, url)
                except SourceError as exc:
                    found = [(None, str(exc))]
                problems += [SourceProblem(m if m.startswith(server(url)) else f"{server(url)}: {m}", stream.name, c) for c, m in found]
        except sa.exc.DBAPIError as exc:
            problems.append(SourceProblem(str(connect_error(exc, url))))
        finally:
            engine.dispose()
        return problems

    def discover(self) -> dict[str, list[str]]:
        url, engine = self._connect()
        try:
            from connectors.sources.sql.helpers import plan

            return {s.name: list(plan(s, reflect(engine, url, (*s.tables, *s.join), self.schema)).columns) for s in self.tables}
        finally:
            engine.dispose()

    def describe(self) -> list[str]:
        where = server(engine_url(self.url)) if self.url else "(URL from the environment)"
        return [f"{t.name}: {where}, {t.location}" + (f", incremental by {t.modified}" if t.modified else ", read whole") for t in self.tables]

    def dlt_source(self) -> DltSource:
        return crm_database(self.url, self.tables, self.schema, self.chunk_rows)
