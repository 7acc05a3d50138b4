"""A throw-away database on the local PostgreSQL server, for tests (other people use the same server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from tests.conftest import require_server

SERVER = "postgresql://postgres@127.0.0.1:5432"
SERVER_NAME = "PostgreSQL at 127.0.0.1:5432 (user postgres)"


def reachable() -> bool:
    try:
        psycopg.connect(f"{SERVER}/postgres", connect_timeout=3).close()
        return True
    except psycopg.Error:
        return False


def admin(sql: str, params: list | None = None) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as con:
        con.execute(sql, params)


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A uniquely named database, dropped afterwards; yields its URL. Skips (or fails under CI) without a server."""
    require_server(SERVER_NAME, reachable())
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"{SERVER}/{name}"
    finally:
        admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
