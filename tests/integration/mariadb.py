"""A throw-away database on the local MariaDB server, for tests (other people use the same server)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pymysql

from tests.conftest import require_server

HOST, PORT = "127.0.0.1", 3306
SERVER = f"mysql://root@{HOST}:{PORT}"
SERVER_NAME = f"MariaDB at {HOST}:{PORT} (user root)"


def reachable() -> bool:
    try:
        pymysql.connect(host=HOST, port=PORT, user="root", connect_timeout=3).close()
        return True
    except pymysql.Error:
        return False


def admin(sql: str, database: str | None = None) -> None:
    con = pymysql.connect(host=HOST, port=PORT, user="root", database=database, autocommit=True)
    try:
        with con.cursor() as cursor:
            cursor.execute(sql)
    finally:
        con.close()


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """A uniquely named database, dropped afterwards; yields its URL. Skips (or fails under CI) without a server."""
    require_server(SERVER_NAME, reachable())
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    try:
        yield f"{SERVER}/{name}"
    finally:
        admin(f"DROP DATABASE IF EXISTS `{name}`")
