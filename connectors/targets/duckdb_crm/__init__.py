"""The embedded DuckDB "new CRM": the default target, so a migration needs no server.

It behaves like a CRM's bulk upsert API: upsert by external id, references given by external id,
ids assigned by the CRM, and rows that break its rules refused one by one with a reason.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb
import pandas as pd

from connectors.targets.base import OUTCOME_COLUMNS
from connectors.targets.duckdb_crm.settings import (
    EMAIL_PATTERN, ID_PREFIX, MAX_STRING, MAX_TEXT, NON_NEGATIVE, REQUIRED, SHORT_TEXT_TYPES, SQL_TYPES, TABLES,
)

SYSTEM_COLUMNS = ("id", "external_id", "owner_id", "system_created_at", "system_modified_at")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckDBCRM:
    name = "duckdb"

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = duckdb.connect(str(self.path))
        self.types: dict[str, dict[str, str]] = {}
        self.links: dict[str, dict[str, str]] = {}

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "DuckDBCRM":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _columns(self, table: str) -> dict[str, str]:
        rows = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?", [table]
        ).fetchall()
        return dict(rows)

    def ensure_schema(self, entity: str, types: dict[str, str], links: dict[str, str]) -> None:
        table = TABLES[entity]
        self.types[entity], self.links[entity] = dict(types), dict(links)
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (id VARCHAR PRIMARY KEY, external_id VARCHAR UNIQUE NOT NULL, owner_id VARCHAR, "
            "system_created_at TIMESTAMPTZ NOT NULL, system_modified_at TIMESTAMPTZ NOT NULL)"
        )
        have = self._columns(table)
        wanted = {field: SQL_TYPES[kind] for field, kind in types.items()}
        wanted.update({f"{link}_id": "VARCHAR" for link in links})
        for column, sql_type in wanted.items():
            if column not in have:
                self.con.execute(f"ALTER TABLE {table} ADD COLUMN {_q(column)} {sql_type}")

    def existing(self, entity: str) -> dict[str, str]:
        table = TABLES[entity]
        if table not in self._columns_tables():
            return {}
        return dict(self.con.execute(f"SELECT external_id, id FROM {table}").fetchall())

    def _columns_tables(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()}

    def _reference_ids(self, entity: str, external_ids: pd.Series) -> pd.Series:
        known = self.existing(entity)
        return external_ids.astype(object).map(known)

    def _refusals(self, entity: str, rows: pd.DataFrame) -> pd.Series:
        """The target's reason for refusing each row, or None."""
        reasons = pd.Series(None, index=rows.index, dtype=object)

        def refuse(mask: pd.Series, message: str | pd.Series) -> None:
            fresh = mask & reasons.isna()
            reasons[fresh] = message[fresh] if isinstance(message, pd.Series) else message

        types = self.types[entity]
        for group in REQUIRED.get(entity, []):
            present = [f for f in group if f in rows]
            if present:
                refuse(rows[present].isna().all(axis=1), f"REQUIRED_FIELD_MISSING: {' or '.join(present)}")
        for field, kind in types.items():
            if field not in rows or kind not in SHORT_TEXT_TYPES | {"text"}:
                continue
            limit = MAX_TEXT if kind == "text" else MAX_STRING
            lengths = rows[field].astype(object).map(lambda v: len(v) if isinstance(v, str) else 0)
            refuse(lengths > limit, "STRING_TOO_LONG: " + field + " has " + lengths.astype(str) + f" characters, the limit is {limit}")
            if kind == "email":
                bad = rows[field].notna() & ~rows[field].astype(str).str.match(EMAIL_PATTERN)
                refuse(bad, f"INVALID_EMAIL_ADDRESS: {field}")
        for field in NON_NEGATIVE.get(entity, ()):
            if field in rows:
                refuse(pd.to_numeric(rows[field], errors="coerce") < 0, f"NUMBER_OUTSIDE_VALID_RANGE: {field} must not be negative")
        if "owner_external_id" in rows:
            owner = self._reference_ids("owner", rows["owner_external_id"])
            refuse(rows["owner_external_id"].notna() & owner.isna(), "INVALID_CROSS_REFERENCE_KEY: owner " + rows["owner_external_id"].astype(str) + " not found")
        for link, linked in self.links[entity].items():
            column = f"{link}_external_id"
            if column in rows:
                ids = self._reference_ids(linked, rows[column])
                refuse(rows[column].notna() & ids.isna(), f"INVALID_CROSS_REFERENCE_KEY: {link} " + rows[column].astype(str) + " not found")
        return reasons

    def upsert(self, entity: str, rows: pd.DataFrame, *, match_by: str | None = None) -> pd.DataFrame:
        table = TABLES[entity]
        if rows.empty:
            return pd.DataFrame(columns=OUTCOME_COLUMNS)
        rows = rows.reset_index(drop=True)
        reasons = self._refusals(entity, rows)
        accepted = rows.loc[reasons.isna()].copy()
        existing = self.existing(entity)
        target_ids = accepted["external_id"].map(existing)
        if match_by and match_by in accepted and entity == "owner":
            by_value = dict(self.con.execute(f"SELECT lower({_q(match_by)}), id FROM {table} WHERE {_q(match_by)} IS NOT NULL").fetchall())
            target_ids = target_ids.fillna(accepted[match_by].astype(object).map(lambda v: by_value.get(str(v).lower()) if v is not None else None))
        is_new = target_ids.isna()
        accepted["id"] = target_ids.where(~is_new, [f"{ID_PREFIX[entity]}-{uuid.uuid4().hex[:16]}" for _ in range(len(accepted))])
        if "owner_external_id" in accepted:
            accepted["owner_id"] = self._reference_ids("owner", accepted["owner_external_id"])
        for link, linked in self.links[entity].items():
            if f"{link}_external_id" in accepted:
                accepted[f"{link}_id"] = self._reference_ids(linked, accepted[f"{link}_external_id"])
        columns = ["id", "external_id"] + list(self.types[entity]) + [f"{link}_id" for link in self.links[entity]]
        columns += ["owner_id"] if "owner_id" in accepted else []
        frame = accepted[columns]
        self.con.register("_incoming", frame)
        try:
            self.con.execute("BEGIN")
            new_ids = frame.loc[is_new.to_numpy(), "id"]
            if len(new_ids):
                listed = ", ".join(_q(c) for c in columns)
                self.con.execute(
                    f"INSERT INTO {table} ({listed}, system_created_at, system_modified_at) "
                    f"SELECT {listed}, now(), now() FROM _incoming WHERE id IN (SELECT unnest(?))", [new_ids.tolist()]
                )
            old_ids = frame.loc[~is_new.to_numpy(), "id"]
            if len(old_ids):
                updates = ", ".join(f"{_q(c)} = i.{_q(c)}" for c in columns if c != "id")
                self.con.execute(
                    f"UPDATE {table} SET {updates}, system_modified_at = now() FROM _incoming i "
                    f"WHERE {table}.id = i.id AND i.id IN (SELECT unnest(?))", [old_ids.tolist()]
                )
            self.con.execute("COMMIT")
        except duckdb.Error:
            self.con.execute("ROLLBACK")
            raise
        finally:
            self.con.unregister("_incoming")
        outcome = pd.DataFrame({"external_id": rows["external_id"], "target_id": None, "status": "rejected", "error": reasons})
        outcome.loc[accepted.index, "target_id"] = accepted["id"]
        outcome.loc[accepted.index, "status"] = ["created" if n else "updated" for n in is_new]
        return outcome[OUTCOME_COLUMNS]

    def read_back(self, entity: str) -> pd.DataFrame:
        table = TABLES[entity]
        if table not in self._columns_tables():
            return pd.DataFrame(columns=["external_id"])
        link_columns = {f"{link}_id" for link in self.links.get(entity, {})}
        fields = [c for c in self._columns(table) if c not in SYSTEM_COLUMNS and c not in link_columns]
        select = ["t.external_id"] + [f"t.{_q(c)}" for c in fields]
        joins = []
        if "owner_id" in self._columns(table) and TABLES["owner"] in self._columns_tables():  # no users table without owners
            select.append("o.external_id AS owner_external_id")
            joins.append(f"LEFT JOIN {TABLES['owner']} o ON o.id = t.owner_id")
        for n, (link, linked) in enumerate(self.links.get(entity, {}).items()):
            select.append(f"l{n}.external_id AS {_q(link + '_external_id')}")
            joins.append(f"LEFT JOIN {TABLES[linked]} l{n} ON l{n}.id = t.{_q(link + '_id')}")
        return self.con.execute(f"SELECT {', '.join(select)} FROM {table} t {' '.join(joins)}").df()
