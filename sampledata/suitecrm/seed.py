"""Create the SuiteCRM sample database on a MariaDB/MySQL or PostgreSQL server and fill it.

The database is created when missing; one that already holds any of the tables is refused, never overwritten.
Rows go in with the driver's bulk path: multi-row INSERTs (PyMySQL's executemany) or COPY (psycopg).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from sampledata.suitecrm.generate import SuiteCrmData
from sampledata.suitecrm.schema import metadata


class SeedError(Exception):
    """The target database cannot be seeded (exists with tables, server refused); the message names host and database."""


def _where(url: URL) -> str:
    return f"{url.database} on {url.host}:{url.port or ''}".rstrip(":")


def create_database(url: URL) -> None:
    """Create `url.database` on its server when it does not exist (utf8mb4 on MariaDB, UTF8 on PostgreSQL)."""
    name = url.database
    if url.get_backend_name() == "postgresql":
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as con:
            if not con.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
                con.execute(sa.text(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0'))
    else:
        admin = sa.create_engine(url._replace(database=None))  # URL.set(database=None) keeps the name
        with admin.connect() as con:
            con.execute(sa.text(f"CREATE DATABASE IF NOT EXISTS `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"))
    admin.dispose()


def seed(url: str | URL, data: SuiteCrmData) -> dict[str, float]:
    """Create the database and tables at `url` (a SQLAlchemy URL with its driver) and insert `data`; returns seconds per step."""
    url = make_url(url)
    timings = {}
    started = time.perf_counter()
    try:
        create_database(url)
        engine = sa.create_engine(url)
        existing = set(sa.inspect(engine).get_table_names()) & set(metadata.tables)
    except sa.exc.OperationalError as exc:
        raise SeedError(f"cannot create or open database {_where(url)}: {str(exc.orig).splitlines()[0]}") from None
    if existing:
        engine.dispose()
        raise SeedError(f"database {_where(url)} already holds SuiteCRM tables ({', '.join(sorted(existing))}); drop it or name another database")
    metadata.create_all(engine)
    timings["create"] = time.perf_counter() - started
    started = time.perf_counter()
    with engine.begin() as con:
        for table in metadata.sorted_tables:
            rows = data.rows.get(table.name, [])
            if rows:
                _insert(con, table, rows)
        # Statistics, as a database in use has them (autovacuum, or MariaDB's persistent statistics).
        for table in metadata.sorted_tables:
            con.execute(sa.text(f'ANALYZE "{table.name}"' if con.dialect.name == "postgresql" else f"ANALYZE TABLE `{table.name}`"))
    timings["insert"] = time.perf_counter() - started
    engine.dispose()
    return timings


def _insert(con: sa.Connection, table: sa.Table, rows: list[dict]) -> None:
    columns = [c.name for c in table.columns]
    if con.dialect.name == "postgresql":
        cursor = con.connection.driver_connection.cursor()
        with cursor.copy(f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([row.get(c) for c in columns])
        return
    for start in range(0, len(rows), 5000):
        con.execute(table.insert(), [{c: row.get(c) for c in columns} for row in rows[start:start + 5000]])
