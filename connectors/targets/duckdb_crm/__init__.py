"""The embedded DuckDB "new CRM": the default target, so a migration needs no server.

It behaves like a CRM's bulk upsert API: upsert by external id, references given by external id, ids
assigned by the CRM, rows that break its rules refused one by one with a reason, and a modified stamp per
record. Every operation is set-based over the batch it is given: no scan of a whole table per batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from connectors.targets.duckdb_crm.settings import (
    EMAIL_PATTERN, ID_PREFIX, MAX_STRING, MAX_TEXT, NON_NEGATIVE, REQUIRED, SHORT_TEXT_TYPES, SQL_TYPES, table_of,
)
from handover.crypto import CryptoError, connect_duckdb
from handover.ports import CREATED, REJECTED, UPDATED, Capabilities, EntitySchema, TargetError, empty_results, results_frame

SYSTEM_COLUMNS = ("id", "external_id", "owner_id", "system_created_at", "system_modified_at")


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class DuckDBCRM:
    name = "duckdb"
    capabilities = Capabilities(
        max_batch=10_000, upsert_by_external_id=True, partial_update=True, change_owner=True, read_by_ids=True,
        read_modified_since=True, create_fields=True, delete=True,
    )

    def __init__(self, path: str | Path, key: str | None = None):
        self.path = Path(path)
        if self.path.is_dir():
            raise TargetError(f"{self.path} is a folder; the DuckDB target needs a file path (e.g. {self.path / 'newcrm.duckdb'})")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = connect_duckdb(self.path, key, retries=5)
        except CryptoError as exc:
            raise TargetError(f"the DuckDB target: {exc}") from None
        except (OSError, duckdb.Error) as exc:
            raise TargetError(f"cannot open the DuckDB target {self.path}: {str(exc).splitlines()[0]}") from None
        self.schemas: dict[str, EntitySchema] = {}

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> DuckDBCRM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- schema ---------------------------------------------------------------------------------

    def _columns(self, table: str) -> dict[str, str]:
        rows = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?", [table]
        ).fetchall()
        return dict(rows)

    def prepare(self, schema: EntitySchema) -> None:
        table = table_of(schema.entity)
        self.schemas[schema.entity] = schema
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {_q(table)} (id VARCHAR PRIMARY KEY, external_id VARCHAR UNIQUE NOT NULL, owner_id VARCHAR, "
            "system_created_at TIMESTAMPTZ NOT NULL, system_modified_at TIMESTAMPTZ NOT NULL)"
        )
        have = self._columns(table)
        wanted = {field: SQL_TYPES.get(kind, "VARCHAR") for field, kind in schema.fields.items()}
        wanted.update({f"{link}_id": "VARCHAR" for link in schema.links})
        for column, sql_type in wanted.items():
            if column not in have:
                self.con.execute(f"ALTER TABLE {_q(table)} ADD COLUMN {_q(column)} {sql_type}")

    def _schema(self, entity: str) -> EntitySchema:
        if entity not in self.schemas:
            raise TargetError(f"{entity}: prepare() the entity before writing it", user_error=False)
        return self.schemas[entity]

    def _has_table(self, entity: str) -> bool:
        return bool(self._columns(table_of(entity)))

    # --- lookups --------------------------------------------------------------------------------

    def _ids_of(self, entity: str, external_ids: pd.Series) -> pd.Series:
        """Target id per external id (aligned with `external_ids`), by one join."""
        if not self._has_table(entity) or external_ids.empty:
            return pd.Series(None, index=external_ids.index, dtype=object)
        probe = pd.DataFrame({"external_id": external_ids.astype(object).to_numpy(), "_pos": range(len(external_ids))})
        self.con.register("_probe", probe)
        try:
            found = self.con.execute(
                f"SELECT p._pos, t.id FROM _probe p JOIN {_q(table_of(entity))} t ON t.external_id = p.external_id"
            ).fetchall()
        finally:
            self.con.unregister("_probe")
        ids = np.full(len(external_ids), None, dtype=object)
        for pos, target_id in found:
            ids[pos] = target_id
        return pd.Series(ids, index=external_ids.index, dtype=object)

    def lookup(self, entity: str, external_ids: Sequence[str]) -> dict[str, str]:
        ids = pd.Series(list(external_ids), dtype=object)
        found = self._ids_of(entity, ids)
        return {e: t for e, t in zip(ids, found) if isinstance(t, str)}

    # --- writes ---------------------------------------------------------------------------------

    def _refusals(self, entity: str, rows: pd.DataFrame) -> pd.Series:
        """The target's reason for refusing each row, or None."""
        reasons = pd.Series(None, index=rows.index, dtype=object)

        def refuse(mask: pd.Series, message: str | pd.Series) -> None:
            fresh = mask & reasons.isna()
            reasons[fresh] = message[fresh] if isinstance(message, pd.Series) else message

        schema = self._schema(entity)
        for group in REQUIRED.get(entity, []):
            present = [f for f in group if f in rows]
            if present:
                refuse(rows[present].isna().all(axis=1), f"REQUIRED_FIELD_MISSING: {' or '.join(present)}")
        for field, kind in schema.fields.items():
            if field not in rows or kind not in SHORT_TEXT_TYPES | {"text"}:
                continue
            limit = MAX_TEXT if kind == "text" else MAX_STRING
            lengths = rows[field].astype("string").str.len().fillna(0).astype("int64")
            refuse(lengths > limit, "STRING_TOO_LONG: " + field + " has " + lengths.astype(str) + f" characters, the limit is {limit}")
            if kind == "email":
                bad = rows[field].notna() & ~rows[field].astype(str).str.match(EMAIL_PATTERN)
                refuse(bad, f"INVALID_EMAIL_ADDRESS: {field}")
        for field in NON_NEGATIVE.get(entity, ()):
            if field in rows:
                refuse(pd.to_numeric(rows[field], errors="coerce") < 0, f"NUMBER_OUTSIDE_VALID_RANGE: {field} must not be negative")
        references = {"owner": "owner"} if "owner_external_id" in rows else {}
        references.update(schema.links)
        for link, linked in references.items():
            column = f"{link}_external_id"
            if column in rows:
                missing = rows[column].notna() & self._ids_of(linked, rows[column]).isna()
                refuse(missing, f"INVALID_CROSS_REFERENCE_KEY: {link} " + rows[column].astype(str) + " not found")
        return reasons

    def upsert(self, entity: str, rows: pd.DataFrame, *, match_by: str | None = None) -> pd.DataFrame:
        if rows.empty:
            return empty_results()
        schema = self._schema(entity)
        table = table_of(entity)
        rows = rows.reset_index(drop=True)
        reasons = self._refusals(entity, rows)
        accepted = rows.loc[reasons.isna()].copy()
        target_ids = self._ids_of(entity, accepted["external_id"])
        if match_by and match_by in accepted and entity == "owner":
            target_ids = target_ids.fillna(self._ids_by_value(table, match_by, accepted[match_by]))
        is_new = target_ids.isna()
        accepted["id"] = target_ids.where(~is_new, [f"{ID_PREFIX.get(entity, entity[:3].upper())}-{uuid.uuid4().hex[:16]}" for _ in range(len(accepted))])
        if "owner_external_id" in accepted:
            accepted["owner_id"] = self._ids_of("owner", accepted["owner_external_id"])
        for link, linked in schema.links.items():
            if f"{link}_external_id" in accepted:
                accepted[f"{link}_id"] = self._ids_of(linked, accepted[f"{link}_external_id"])
        columns = ["id", "external_id"] + [f for f in schema.fields if f in accepted] + [f"{link}_id" for link in schema.links if f"{link}_id" in accepted]
        columns += ["owner_id"] if "owner_id" in accepted else []
        stamp = datetime.now().astimezone()
        self._write(table, accepted[columns], is_new.to_numpy(), stamp)
        statuses = pd.Series(REJECTED, index=rows.index, dtype=object)
        statuses[accepted.index] = [CREATED if n else UPDATED for n in is_new]
        target = pd.Series(None, index=rows.index, dtype=object)
        target[accepted.index] = accepted["id"]
        version = pd.Series(None, index=rows.index, dtype=object)
        version[accepted.index] = stamp.isoformat()
        return results_frame(rows["external_id"], target_id=target, status=statuses, error=reasons, retryable=False, target_version=version)

    def _ids_by_value(self, table: str, column: str, values: pd.Series) -> pd.Series:
        """Existing records matched case-insensitively on another field (users by email)."""
        probe = pd.DataFrame({"v": values.astype(object).where(values.notna(), None).map(lambda v: str(v).lower() if v is not None else None)})
        self.con.register("_values", probe)
        try:
            known = dict(self.con.execute(
                f"SELECT lower({_q(column)}), min(id) FROM {_q(table)} WHERE lower({_q(column)}) IN (SELECT v FROM _values) GROUP BY 1"
            ).fetchall())
        finally:
            self.con.unregister("_values")
        return pd.Series([known.get(v) for v in probe["v"]], index=values.index, dtype=object)

    def _write(self, table: str, frame: pd.DataFrame, is_new, stamp: datetime) -> None:
        if frame.empty:
            return
        self.con.register("_incoming", frame.assign(_new=is_new))
        listed = ", ".join(_q(c) for c in frame.columns)
        updates = ", ".join(f"{_q(c)} = i.{_q(c)}" for c in frame.columns if c not in ("id", "external_id"))
        try:
            self.con.execute("BEGIN")
            self.con.execute(
                f"INSERT INTO {_q(table)} ({listed}, system_created_at, system_modified_at) SELECT {listed}, $1, $1 FROM _incoming WHERE _new", [stamp]
            )
            self.con.execute(
                f"UPDATE {_q(table)} SET {updates + ', ' if updates else ''}system_modified_at = $1 FROM _incoming i "
                f"WHERE {_q(table)}.id = i.id AND NOT i._new", [stamp]
            )
            self.con.execute("COMMIT")
        except duckdb.Error as exc:
            self.con.execute("ROLLBACK")
            raise TargetError(f"{self.path}: table {table}: {str(exc).splitlines()[0]}", user_error=False) from None
        finally:
            self.con.unregister("_incoming")

    def update_fields(self, entity: str, rows: pd.DataFrame) -> pd.DataFrame:
        """Partial update by external id: only the columns given change (an owner, a field)."""
        rows = rows.reset_index(drop=True)
        target_ids = self._ids_of(entity, rows["external_id"])
        found = target_ids.notna()
        frame = rows.loc[found].drop(columns=["external_id"]).copy()
        if "owner_external_id" in frame:
            frame["owner_id"] = self._ids_of("owner", frame.pop("owner_external_id"))
        for link, linked in (self.schemas[entity].links if entity in self.schemas else {}).items():
            if f"{link}_external_id" in frame:
                frame[f"{link}_id"] = self._ids_of(linked, frame.pop(f"{link}_external_id"))
        frame.insert(0, "id", target_ids[found])
        frame.insert(1, "external_id", rows.loc[found, "external_id"])
        stamp = datetime.now().astimezone()
        self._write(table_of(entity), frame, [False] * len(frame), stamp)
        return results_frame(
            rows["external_id"], target_id=target_ids, status=found.map({True: UPDATED, False: REJECTED}),
            error=pd.Series(None, index=rows.index, dtype=object).where(found, "NOT_FOUND: no record with this external id"),
            retryable=False, target_version=pd.Series(stamp.isoformat(), index=rows.index).where(found, None),
        )

    def delete(self, entity: str, external_ids: Sequence[str]) -> int:
        if not self._has_table(entity) or not external_ids:
            return 0
        self.con.register("_gone", pd.DataFrame({"external_id": list(external_ids)}))
        try:
            return int(self.con.execute(
                f"DELETE FROM {_q(table_of(entity))} WHERE external_id IN (SELECT external_id FROM _gone) RETURNING 1"
            ).df().shape[0])
        finally:
            self.con.unregister("_gone")

    # --- reads ----------------------------------------------------------------------------------

    def _select(self, entity: str) -> str:
        table = table_of(entity)
        links = self.schemas[entity].links if entity in self.schemas else {}
        link_columns = {f"{link}_id" for link in links}
        fields = [c for c in self._columns(table) if c not in SYSTEM_COLUMNS and c not in link_columns]
        select = ["t.external_id", "t.id AS target_id", "t.system_modified_at AS target_version"]
        select += [f"t.{_q(c)}" for c in fields] + ["o.external_id AS owner_external_id"]
        joins = [f"LEFT JOIN {_q(table_of('owner'))} o ON o.id = t.owner_id" if self._has_table("owner") else ""]
        if not self._has_table("owner"):
            select[-1] = "NULL AS owner_external_id"
        for n, (link, linked) in enumerate(links.items()):
            select.append(f"l{n}.external_id AS {_q(link + '_external_id')}")
            joins.append(f"LEFT JOIN {_q(table_of(linked))} l{n} ON l{n}.id = t.{_q(link + '_id')}")
        return f"SELECT {', '.join(select)} FROM {_q(table)} t {' '.join(joins)}"

    def read_by_ids(self, entity: str, external_ids: Sequence[str]) -> pd.DataFrame:
        if not self._has_table(entity):
            return pd.DataFrame(columns=["external_id"])
        self.con.register("_wanted", pd.DataFrame({"external_id": pd.Series(list(external_ids), dtype=object)}))
        try:
            return self.con.execute(f"{self._select(entity)} WHERE t.external_id IN (SELECT external_id FROM _wanted)").df()
        finally:
            self.con.unregister("_wanted")

    def read_modified_since(self, entity: str, since: datetime) -> pd.DataFrame:
        if not self._has_table(entity):
            return pd.DataFrame(columns=["external_id"])
        return self.con.execute(f"{self._select(entity)} WHERE t.system_modified_at > ?", [since]).df()

    def read_all(self, entity: str) -> pd.DataFrame:
        """Every record of the entity (tests and exports; the stages read by ids)."""
        if not self._has_table(entity):
            return pd.DataFrame(columns=["external_id"])
        return self.con.execute(self._select(entity)).df()
