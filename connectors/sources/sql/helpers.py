"""SQL details of the database source: URLs and engines, server errors in plain words, the SELECT of a stream
(one-to-one and many-to-one joins, unions of tables), and the check for stored bytes outside a column's charset.

Messages name the server (host:port), database, table and column; never the URL's password.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from connectors.sources.sql.settings import (
    CONNECT_TIMEOUT_S, DELETED_COLUMN, DRIVERS, MODIFIED_COLUMNS, PRIMARY_FLAGS, SERVER_KINDS, SESSION_SETTINGS, TABLE_COLUMN, UNICODE_CHARSETS,
)
from handover.naming import column_key
from handover.ports import SourceError


@dataclass(frozen=True)
class SqlTable:
    """One entity's stream: the table, its id, cursor and deleted flag, the tables joined to it, the tables united with it."""

    name: str
    table: str
    id: str
    modified: str | None = None
    deleted: str | None = None
    join: dict[str, str] = field(default_factory=dict)  # table -> "key" (table.key = <table>.<id>) or "key = other.column"
    union: tuple[str, ...] = ()
    split: dict[str, str] = field(default_factory=dict)  # id column -> type column
    columns: tuple[str, ...] = ()  # source columns the spec reads

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table, *self.union)

    @property
    def location(self) -> str:
        joined = f" + {', '.join(self.join)}" if self.join else ""
        return " | ".join(self.tables) + joined


# --- connections ----------------------------------------------------------------------------------


def engine_url(url: str | URL) -> URL:
    """`url` with the driver we use for its scheme (mysql:// -> PyMySQL, postgresql:// -> psycopg 3)."""
    parsed = make_url(url) if isinstance(url, str) else url
    driver = DRIVERS.get(parsed.drivername)
    if driver is None:
        raise SourceError(f"unsupported database URL scheme {parsed.drivername!r}; use mysql://, mariadb:// or postgresql://")
    parsed = parsed.set(drivername=driver)
    if parsed.get_backend_name() == "mysql" and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed


def server(url: URL) -> str:
    """'MariaDB/MySQL at 127.0.0.1:3306, database crm' — for messages, without credentials."""
    kind = SERVER_KINDS.get(url.get_backend_name(), url.get_backend_name())
    port = url.port or (3306 if url.get_backend_name() == "mysql" else 5432)
    return f"{kind} at {url.host or 'localhost'}:{port}, database {url.database}"


def make_engine(url: URL) -> Engine:
    args: dict = {"connect_timeout": CONNECT_TIMEOUT_S}
    if url.get_backend_name() == "mysql":
        args["init_command"] = "; ".join(SESSION_SETTINGS["mysql"])
    if url.get_backend_name() == "postgresql":
        # A SQL_ASCII database would otherwise hand psycopg bytes for every text; asking for UTF-8 makes the
        # server refuse stray bytes instead (charset_problems says where they are).
        args["client_encoding"] = "utf8"
        args["options"] = " ".join(f"-c {s.split()[1]}={s.split()[-1]}" for s in SESSION_SETTINGS["postgresql"])
    return sa.create_engine(url, connect_args=args, pool_pre_ping=False)


def _reason(exc: BaseException, url: URL) -> str:
    """The server's or driver's reason, in words, with the password removed should any driver echo it."""
    orig = getattr(exc, "orig", exc)
    code = orig.args[0] if getattr(orig, "args", None) and isinstance(orig.args[0], int) else None
    text = str(orig.args[1] if code is not None and len(orig.args) > 1 else orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if url.password:
        text = text.replace(str(url.password), "***")
    user = url.username or ""
    if code in (1045, 1044, 1698) or "password authentication failed" in text or (f'role "{user}" does not exist' in text and user):
        return f"the server refused the login of user {user!r} (wrong user name or password): {text}"
    if code == 1049 or ("database" in text and "does not exist" in text):
        return f"the database {url.database!r} does not exist: {text}"
    if code in (2002, 2003, 2005, 2006, 2013) or any(t in text for t in ("Connection refused", "could not translate host", "timeout expired", "Name or service not known", "No route")):
        return f"the server cannot be reached: {text}"
    return text


def connect_error(exc: BaseException, url: URL) -> SourceError:
    return SourceError(f"{server(url)}: {_reason(exc, url)}")


def reflect(engine: Engine, url: URL, names: Iterable[str], schema: str | None) -> dict[str, sa.Table]:
    """The named tables, reflected; a missing one raises SourceError naming it and the tables that do exist."""
    try:
        inspector = sa.inspect(engine)
        existing = set(inspector.get_table_names(schema=schema)) | set(inspector.get_view_names(schema=schema))
    except sa.exc.DBAPIError as exc:
        raise connect_error(exc, url) from None
    missing = [n for n in dict.fromkeys(names) if n not in existing]
    if missing:
        raise SourceError("; ".join(missing_table(n, existing, url) for n in missing))
    metadata = sa.MetaData(schema=schema)
    metadata.reflect(engine, only=list(dict.fromkeys(names)), views=True)
    return {n: metadata.tables[f"{schema}.{n}" if schema else n] for n in names}


def missing_table(name: str, existing: set[str], url: URL) -> str:
    close = difflib.get_close_matches(name, sorted(existing), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; it has {len(existing)} tables"
    return f"{server(url)}: no table {name!r}{hint}"


# --- the stream's SELECT ----------------------------------------------------------------------------


@dataclass
class Plan:
    """How a stream is read: the SELECT of each united table and the columns it delivers (as named in staging)."""

    selects: list[sa.Select]
    columns: dict[str, str]  # staging column -> "table.column" it comes from


def _join_key(spec: str, table: sa.Table, base: sa.Table, base_id: str, joined: dict[str, sa.FromClause]) -> tuple[str, sa.ColumnElement]:
    """(the joined table's key column, the column it equals)."""
    if "=" not in spec:
        return spec.strip(), base.c[base_id]
    key, other = (s.strip() for s in spec.split("=", 1))
    other_table, _, other_column = other.rpartition(".")
    source = base if other_table in ("", base.name) else joined[other_table]
    return key, source.c[other_column]


def _one_per_key(table: sa.Table, key: str) -> sa.FromClause:
    """Rows of `table` not flagged deleted, one per `key`: the primary-flagged, then the latest modified, wins."""
    alive = table.select()
    if DELETED_COLUMN in table.c:
        alive = alive.where(sa.func.coalesce(table.c[DELETED_COLUMN], 0) == 0)
    primary_keys = {c.name for c in table.primary_key.columns}
    if primary_keys == {key}:
        return alive.subquery(table.name)
    order = [table.c[c].desc() for c in PRIMARY_FLAGS + MODIFIED_COLUMNS if c in table.c] + [c for c in table.primary_key.columns]
    ranked = sa.select(*table.c, sa.func.row_number().over(partition_by=table.c[key], order_by=order).label("_rank"))
    ranked = (ranked.where(sa.func.coalesce(table.c[DELETED_COLUMN], 0) == 0) if DELETED_COLUMN in table.c else ranked).subquery("_ranked")
    return sa.select(*(ranked.c[c.name] for c in table.c)).where(ranked.c._rank == 1).subquery(table.name)


def plan(stream: SqlTable, tables: dict[str, sa.Table], last_value: object = None) -> Plan:
    """The SELECTs of the stream (one per united table), restricted to rows modified at or after `last_value`."""
    first = tables[stream.table]
    joined: dict[str, sa.FromClause] = {}
    from_clause: sa.FromClause = first
    extra: list[sa.ColumnElement] = []
    columns = {column_key(c.name): f"{first.name}.{c.name}" for c in first.c}
    for name, spec in stream.join.items():
        table = tables[name]
        key, equals = _join_key(spec, table, first, stream.id, joined)
        if key not in table.c:
            raise SourceError(f"join {name}: {key!r} is not a column of {name}; its columns: {', '.join(table.c.keys())}")
        rows = _one_per_key(table, key)
        joined[name] = rows
        from_clause = from_clause.outerjoin(rows, rows.c[key] == equals)
        for column in rows.c:
            staged = column_key(column.name)
            if column.name != key and staged not in columns:
                columns[staged] = f"{name}.{column.name}"
                extra.append(column.label(column.name))
    union_columns = dict.fromkeys(c.name for t in stream.tables for c in tables[t].c)
    selects = []
    for name in stream.tables:
        table = tables[name]
        own = [table.c[c].label(c) if c in table.c else sa.cast(sa.null(), _type_of(c, stream, tables)).label(c) for c in union_columns]
        marker = [sa.cast(sa.literal(name), sa.String(64)).label(TABLE_COLUMN)] if stream.union else []
        select = sa.select(*own, *marker, *(extra if name == stream.table else [sa.cast(sa.null(), e.type).label(e.name) for e in extra]))
        select = select.select_from(from_clause if name == stream.table else table)
        if last_value is not None and stream.modified:
            select = select.where(table.c[stream.modified] >= last_value)
        selects.append(select)
    for name in stream.union:
        columns.update({column_key(c.name): f"{name}.{c.name}" for c in tables[name].c if column_key(c.name) not in columns})
    if stream.union:
        columns[TABLE_COLUMN] = "(the table's name)"
    for id_column, type_column in stream.split.items():
        columns[f"{column_key(id_column)}_*"] = f"{id_column} split by {type_column}"
    return Plan(selects, columns)


def _type_of(column: str, stream: SqlTable, tables: dict[str, sa.Table]) -> sa.types.TypeEngine:
    return next(tables[t].c[column].type for t in stream.tables if column in tables[t].c)


def query(stream: SqlTable, tables: dict[str, sa.Table], last_value: object = None) -> sa.Select | sa.CompoundSelect:
    selects = plan(stream, tables, last_value).selects
    return selects[0] if len(selects) == 1 else sa.union_all(*selects)


def missing_columns(stream: SqlTable, tables: dict[str, sa.Table]) -> list[tuple[str, str]]:
    """(column, message) for each column the spec reads that no table of the stream delivers."""
    delivered = plan(stream, tables).columns
    prefixes = [k[:-1] for k in delivered if k.endswith("_*")]
    problems = []
    needed = [*stream.columns, *(c for c in (stream.modified, stream.deleted) if c), *stream.split, *stream.split.values()]
    for column in dict.fromkeys(needed):
        key = column_key(column)
        if key in delivered or any(key.startswith(p) for p in prefixes):
            continue
        close = difflib.get_close_matches(key, [k for k in delivered if not k.endswith("*")], n=3)
        where = " or ".join((*stream.tables, *stream.join))
        problems.append((column, f"no column {column!r} in {where}" + (f"; did you mean {', '.join(close)}?" if close else "")))
    for name in stream.union:
        for column in (stream.modified, stream.deleted, stream.id):
            if column and column not in tables[name].c:
                problems.append((column, f"no column {column!r} in {name} (united with {stream.table}: every table needs it)"))
    return problems


# --- stored bytes outside the declared charset --------------------------------------------------------


def charset_problems(con: sa.Connection, stream: SqlTable, tables: dict[str, sa.Table], url: URL) -> list[tuple[str, str]]:
    """(column, message) for text columns holding bytes their declared charset does not have.

    MariaDB validates UTF-8 columns on the way in, but a latin1/ascii/gbk column written over a `binary`
    connection keeps any bytes, and reading them converts each stray byte to '?' without an error. PostgreSQL's
    SQL_ASCII databases store any bytes too. Only such columns are scanned; a UTF-8 schema costs one metadata query."""
    problems = []
    if con.dialect.name == "mysql":
        names = list(stream.tables) + list(stream.join)
        rows = con.execute(sa.text(
            "SELECT table_name, column_name, character_set_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND character_set_name IS NOT NULL"
        )).fetchall()
        for table_name, column, charset in rows:
            if table_name not in names or charset.lower() in UNICODE_CHARSETS:
                continue
            table = tables[table_name]
            col = f"`{column}`"
            check = f"BINARY CONVERT(CONVERT({col} USING utf8mb4) USING {charset}) <> BINARY {col}"
            id_column = next(iter(table.primary_key.columns)).name if table.primary_key.columns else None
            first = f"MIN(CASE WHEN {check} THEN `{id_column}` END)" if id_column else "NULL"
            count, example = con.execute(sa.text(f"SELECT SUM({check}), {first} FROM `{table_name}`")).one()
            if count:
                problems.append((column, f"{server(url)}: {table_name}.{column} holds bytes that are not {charset} (the column's declared charset) "
                                         f"in {count} row(s), e.g. {id_column} = {example!r}; reading would turn them into '?'. "
                                         f"Repair the values or declare the charset they are in (ALTER TABLE ... CONVERT TO CHARACTER SET)"))
    elif con.dialect.name == "postgresql" and con.execute(sa.text("SHOW server_encoding")).scalar() == "SQL_ASCII":
        for name in (*stream.tables, *stream.join):
            table = tables[name]
            text_columns = [c.name for c in table.c if isinstance(c.type, sa.String)]
            if not text_columns:
                continue
            id_column = next(iter(table.primary_key.columns)).name if table.primary_key.columns else text_columns[0]
            high = {c: f"encode(convert_to(\"{c}\", 'SQL_ASCII'), 'hex') ~ '^(..)*[89a-f]'" for c in text_columns}
            parts = ", ".join(f"count(*) FILTER (WHERE {h}), min(\"{id_column}\"::text) FILTER (WHERE {h})" for h in high.values())
            values = con.execute(sa.text(f'SELECT {parts} FROM "{name}"')).one()
            for i, column in enumerate(text_columns):
                if values[2 * i]:
                    problems.append((column, f"{server(url)}: {name}.{column} holds bytes outside ASCII in {values[2 * i]} row(s), e.g. {id_column} = "
                                             f"{values[2 * i + 1]!r}, but the database declares SQL_ASCII, so their charset is unknown. Convert the "
                                             f"database to its real encoding (e.g. dump and restore with ENCODING 'UTF8')"))
    return problems
