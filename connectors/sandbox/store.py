"""The sandbox's storage: one SQLite file holding every tenant's records, properties, associations and tokens.

A tenant is one vendor account (a HubSpot portal, a Salesforce org); the access token a client sends decides the
tenant, as with the real services, so two sandboxes (A and B) share one server and differ only by credentials.
Modified stamps are strictly increasing per server, so a cursor on them never skips or repeats a record.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (token TEXT PRIMARY KEY, api TEXT NOT NULL, tenant TEXT NOT NULL, expired INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS refresh_tokens (token TEXT PRIMARY KEY, api TEXT NOT NULL, tenant TEXT NOT NULL, client_id TEXT, client_secret TEXT);
CREATE TABLE IF NOT EXISTS records (
    api TEXT NOT NULL, tenant TEXT NOT NULL, object TEXT NOT NULL, id INTEGER NOT NULL, data TEXT NOT NULL,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL, archived INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (api, tenant, object, id));
CREATE INDEX IF NOT EXISTS records_modified ON records (api, tenant, object, updated_at, id);
CREATE TABLE IF NOT EXISTS uniques (
    api TEXT NOT NULL, tenant TEXT NOT NULL, object TEXT NOT NULL, prop TEXT NOT NULL, value TEXT NOT NULL, id INTEGER NOT NULL,
    PRIMARY KEY (api, tenant, object, prop, value));
CREATE TABLE IF NOT EXISTS properties (
    api TEXT NOT NULL, tenant TEXT NOT NULL, object TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, is_unique INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (api, tenant, object, name));
CREATE TABLE IF NOT EXISTS associations (
    tenant TEXT NOT NULL, from_object TEXT NOT NULL, from_id INTEGER NOT NULL, to_object TEXT NOT NULL, to_id INTEGER NOT NULL, type_id INTEGER NOT NULL,
    PRIMARY KEY (tenant, from_object, from_id, to_object, to_id, type_id));
CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


async def form_fields(request: Any) -> dict[str, str]:
    """An x-www-form-urlencoded body (OAuth token calls), without a multipart parser."""
    from urllib.parse import parse_qs

    return {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8")).items()}


def iso_ms(moment: float) -> str:
    return datetime.fromtimestamp(moment, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(moment * 1000) % 1000:03d}Z"


def parse_instant(value: str) -> float:
    """Epoch seconds from an ISO date-time or epoch milliseconds (both are how the vendors write instants)."""
    text = str(value).strip()
    if text.isdigit():
        return int(text) / 1000
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Store:
    """Thread-safe access to the sandbox database (the server answers from one event loop; seeding may come from another thread)."""

    def __init__(self, path: Path | str):
        self.path = str(path)
        self.con = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA synchronous=OFF")
        self.con.executescript(SCHEMA)
        self.lock = threading.RLock()
        self._last_stamp = 0.0

    def close(self) -> None:
        self.con.close()

    # --- time and ids ---------------------------------------------------------------------------

    def stamp(self) -> str:
        """Now, strictly after the previous stamp (millisecond resolution, as the vendors report)."""
        with self.lock:
            now = max(time.time(), self._last_stamp + 0.001)
            self._last_stamp = now
            return iso_ms(now)

    def next_ids(self, name: str, count: int) -> list[int]:
        with self.lock:
            row = self.con.execute("SELECT value FROM sequences WHERE name = ?", [name]).fetchone()
            start = row[0] if row else 0
            self.con.execute("INSERT OR REPLACE INTO sequences VALUES (?, ?)", [name, start + count])
            return list(range(start + 1, start + count + 1))

    # --- tokens ---------------------------------------------------------------------------------

    def add_token(self, api: str, tenant: str, token: str, refresh: str | None = None, client_id: str | None = None, client_secret: str | None = None) -> None:
        with self.lock:
            self.con.execute("INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, 0)", [token, api, tenant])
            if refresh:
                self.con.execute("INSERT OR REPLACE INTO refresh_tokens VALUES (?, ?, ?, ?, ?)", [refresh, api, tenant, client_id, client_secret])

    def tenant_of(self, api: str, token: str) -> tuple[str | None, bool]:
        """(tenant, expired) of an access token; (None, False) when unknown."""
        with self.lock:
            row = self.con.execute("SELECT tenant, expired FROM tokens WHERE token = ? AND api = ?", [token, api]).fetchone()
        return (row[0], bool(row[1])) if row else (None, False)

    def expire(self, token: str) -> None:
        with self.lock:
            self.con.execute("UPDATE tokens SET expired = 1 WHERE token = ?", [token])

    def refresh(self, api: str, refresh_token: str, client_id: str | None, client_secret: str | None) -> str | None:
        """A new access token for a valid refresh token and client, or None."""
        with self.lock:
            row = self.con.execute("SELECT tenant, client_id, client_secret FROM refresh_tokens WHERE token = ? AND api = ?", [refresh_token, api]).fetchone()
            if not row or (row[1] and row[1] != client_id) or (row[2] and row[2] != client_secret):
                return None
            token = f"{api[:2]}-{row[0]}-{self.next_ids('token', 1)[0]:06d}"
            self.con.execute("INSERT INTO tokens VALUES (?, ?, ?, 0)", [token, api, row[0]])
            return token

    # --- properties -----------------------------------------------------------------------------

    def properties(self, api: str, tenant: str, obj: str) -> dict[str, dict[str, Any]]:
        with self.lock:
            rows = self.con.execute("SELECT name, type, is_unique FROM properties WHERE api = ? AND tenant = ? AND object = ? ORDER BY name",
                                    [api, tenant, obj]).fetchall()
        return {r[0]: {"type": r[1], "unique": bool(r[2])} for r in rows}

    def add_properties(self, api: str, tenant: str, obj: str, props: Iterable[tuple[str, str, bool]]) -> None:
        with self.lock:
            self.con.executemany("INSERT OR IGNORE INTO properties VALUES (?, ?, ?, ?, ?, ?)",
                                 [(api, tenant, obj, name, kind, int(unique)) for name, kind, unique in props])

    # --- records --------------------------------------------------------------------------------

    @staticmethod
    def _record(row: Sequence) -> dict[str, Any]:
        return {"id": row[0], "data": json.loads(row[1]), "created_at": row[2], "updated_at": row[3], "archived": bool(row[4])}

    def page(self, api: str, tenant: str, obj: str, after: int, limit: int, archived: bool = False) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.con.execute(
                "SELECT id, data, created_at, updated_at, archived FROM records WHERE api = ? AND tenant = ? AND object = ? AND id > ? AND archived = ? "
                "ORDER BY id LIMIT ?", [api, tenant, obj, after, int(archived), limit]).fetchall()
        return [self._record(r) for r in rows]

    def modified_between(self, api: str, tenant: str, obj: str, since: str | None, until: str | None, offset: int, limit: int,
                         include_archived: bool = False) -> tuple[int, list[dict[str, Any]]]:
        """(total, one page) of records modified in [since, until), oldest first."""
        where = "api = ? AND tenant = ? AND object = ?" + ("" if include_archived else " AND archived = 0")
        args: list[Any] = [api, tenant, obj]
        if since:
            where += " AND updated_at >= ?"
            args.append(since)
        if until:
            where += " AND updated_at < ?"
            args.append(until)
        with self.lock:
            total = self.con.execute(f"SELECT count(*) FROM records WHERE {where}", args).fetchone()[0]
            rows = self.con.execute(f"SELECT id, data, created_at, updated_at, archived FROM records WHERE {where} ORDER BY updated_at, id LIMIT ? OFFSET ?",
                                    [*args, limit, offset]).fetchall()
        return total, [self._record(r) for r in rows]

    def all_records(self, api: str, tenant: str, obj: str, include_archived: bool = False) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.con.execute(
                "SELECT id, data, created_at, updated_at, archived FROM records WHERE api = ? AND tenant = ? AND object = ?"
                + ("" if include_archived else " AND archived = 0") + " ORDER BY id", [api, tenant, obj]).fetchall()
        return [self._record(r) for r in rows]

    def get(self, api: str, tenant: str, obj: str, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        with self.lock:
            marks = ",".join("?" * len(ids))
            rows = self.con.execute(f"SELECT id, data, created_at, updated_at, archived FROM records WHERE api = ? AND tenant = ? AND object = ? AND id IN ({marks})",
                                    [api, tenant, obj, *ids]).fetchall()
        return {r[0]: self._record(r) for r in rows}

    def ids_by_unique(self, api: str, tenant: str, obj: str, prop: str, values: Sequence[str]) -> dict[str, int]:
        if not values:
            return {}
        with self.lock:
            marks = ",".join("?" * len(values))
            rows = self.con.execute(f"SELECT value, id FROM uniques WHERE api = ? AND tenant = ? AND object = ? AND prop = ? AND value IN ({marks})",
                                    [api, tenant, obj, prop, *values]).fetchall()
        return dict(rows)

    def write(self, api: str, tenant: str, obj: str, records: Sequence[tuple[int | None, dict[str, Any]]], unique_props: Sequence[str] = (),
              merged_out: list[dict[str, Any]] | None = None) -> list[tuple[int, bool, str, str]]:
        """Create (id None) or merge-update records. Returns (id, created, created_at, updated_at) per record, in order;
        `merged_out` receives each record's values after the write."""
        results, rows, uniques = [], [], []
        with self.lock:
            new_ids = iter(self.next_ids(f"{api}:{tenant}", sum(1 for i, _ in records if i is None)))
            existing = self.get(api, tenant, obj, [i for i, _ in records if i is not None])
            for record_id, data in records:
                stamp = self.stamp()
                if record_id is None or record_id not in existing:
                    record_id = next(new_ids) if record_id is None else record_id
                    merged, created_at, created = dict(data), stamp, True
                else:
                    old = existing[record_id]
                    merged, created_at, created = {**old["data"], **data}, old["created_at"], False
                rows.append((api, tenant, obj, record_id, json.dumps(merged, ensure_ascii=False), created_at, stamp))
                uniques += [(api, tenant, obj, prop, str(merged[prop]), record_id) for prop in unique_props if merged.get(prop) not in (None, "")]
                existing[record_id] = {"data": merged, "created_at": created_at}
                results.append((record_id, created, created_at, stamp))
                if merged_out is not None:
                    merged_out.append(merged)
            self.con.execute("BEGIN")
            try:
                self.con.executemany("INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?, ?, 0)", rows)
                self.con.executemany("INSERT OR REPLACE INTO uniques VALUES (?, ?, ?, ?, ?, ?)", uniques)
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
        return results

    def archive(self, api: str, tenant: str, obj: str, ids: Sequence[int]) -> None:
        with self.lock:
            for record_id in ids:
                self.con.execute("UPDATE records SET archived = 1, updated_at = ? WHERE api = ? AND tenant = ? AND object = ? AND id = ?",
                                 [self.stamp(), api, tenant, obj, record_id])

    # --- associations ---------------------------------------------------------------------------

    def associate(self, tenant: str, pairs: Iterable[tuple[str, int, str, int, int, int]]) -> None:
        """(from object, from id, to object, to id, type id, inverse type id): stored both ways, as HubSpot does."""
        rows = []
        for from_obj, from_id, to_obj, to_id, type_id, inverse in pairs:
            rows.append((tenant, from_obj, from_id, to_obj, to_id, type_id))
            rows.append((tenant, to_obj, to_id, from_obj, from_id, inverse))
        with self.lock:
            self.con.executemany("INSERT OR IGNORE INTO associations VALUES (?, ?, ?, ?, ?, ?)", rows)

    def associations(self, tenant: str, from_obj: str, from_id: int, to_obj: str, after: int, limit: int) -> list[tuple[int, list[int]]]:
        """(to id, type ids) of one record's associations with ids above `after`, in id order."""
        with self.lock:
            rows = self.con.execute(
                "SELECT to_id, group_concat(type_id) FROM associations WHERE tenant = ? AND from_object = ? AND from_id = ? AND to_object = ? AND to_id > ? "
                "GROUP BY to_id ORDER BY to_id LIMIT ?", [tenant, from_obj, from_id, to_obj, after, limit]).fetchall()
        return [(r[0], [int(t) for t in str(r[1]).split(",")]) for r in rows]

    def reset(self) -> None:
        with self.lock:
            for table in ("tokens", "refresh_tokens", "records", "uniques", "properties", "associations", "sequences"):
                self.con.execute(f"DELETE FROM {table}")
