"""An in-house CRM in PostgreSQL: a schema of its own, one table per entity, upsert by external id.

Each batch is staged with COPY into a temporary table, then written by one `INSERT ... ON CONFLICT (external_id)
DO UPDATE` that joins references by external id. A record whose content did not change is left alone (its modified
stamp too) and reported `unchanged`. When the table refuses the batch (a constraint, a value too long), the batch is
sent again in halves inside savepoints, down to each refused row, so every good row still loads and every bad one is
rejected with the database's own reason. References to records the CRM does not hold are refused before writing, by one anti-join.

The connection URL never appears in a message: errors name host, port, database, schema and table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

import pandas as pd
import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict

from connectors.targets.postgres_crm.helpers import column_sql, csv_for_copy, server_reason
from connectors.targets.postgres_crm.helpers import quote as _q
from connectors.targets.postgres_crm.settings import NOT_NULL, NULLABLE_EXTERNAL_ID, ONE_OF, STAGING_TYPES, UNIQUE_LOWER, table_of
from handover.ports import (
    CREATED, REJECTED, UNCHANGED, UPDATED, Capabilities, EntitySchema, TargetError, empty_results, results_frame,
)
from handover.spec import redact

SYSTEM_COLUMNS = ("id", "external_id", "owner_id", "system_created_at", "system_modified_at")
# What a single row can cause; anything else (permissions, a lost connection) stops the whole operation.
ROW_ERRORS = (pg_errors.IntegrityError, pg_errors.DataError, pg_errors.CardinalityViolation)
STAGE = "_handover_incoming"
Span = tuple[int, int] | None  # positions lo <= p < hi of a batch; None: all of it
Outcomes = dict[int, tuple[str, str, datetime]]  # position in the batch -> (status, target id, modified stamp)


class PostgresCRM:
    name = "postgres"
    capabilities = Capabilities(
        max_batch=10_000, upsert_by_external_id=True, partial_update=True, change_owner=True, read_by_ids=True,
        read_modified_since=True, create_fields=True, delete=True, lookup_is_cheap=True,
    )

    def __init__(self, url: str, schema: str = "crm"):
        self.schema = schema
        try:
            info = conninfo_to_dict(url)
        except psycopg.Error:
            raise TargetError(f"not a PostgreSQL connection URL: {redact(url)}") from None
        self._password = info.get("password") or None
        host = info.get("host") or "local socket"
        self.where = f"PostgreSQL {host}:{info.get('port') or 5432}/{info.get('dbname') or info.get('user') or ''}"
        try:
            self.con = psycopg.connect(url, autocommit=True, connect_timeout=10, application_name="handover")
            # Batches are short statements: compiling them (JIT) costs seconds and saves nothing.
            self.con.execute("SET jit = off")
        except psycopg.Error as exc:
            raise TargetError(f"cannot connect to {self.where} (schema {schema}): {self._reason(exc)}") from None
        self.schemas: dict[str, EntitySchema] = {}

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> PostgresCRM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- messages -------------------------------------------------------------------------------

    def _reason(self, exc: BaseException) -> str:
        return server_reason(exc, self._password)

    def _table(self, entity: str) -> str:
        return f"{_q(self.schema)}.{_q(table_of(entity))}"

    def _refused(self, exc: psycopg.Error, entity: str | None, doing: str) -> TargetError:
        place = f"{self.where}, schema {self.schema}" + (f", table {table_of(entity)}" if entity else "")
        reason = self._reason(exc)
        if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
            reason = f"the database is read-only ({reason})"
        user = isinstance(exc, (pg_errors.InsufficientPrivilege, pg_errors.ReadOnlySqlTransaction, pg_errors.InvalidSchemaName,
                                pg_errors.UndefinedTable, pg_errors.UndefinedColumn, psycopg.OperationalError))
        return TargetError(f"{place}: cannot {doing}: {reason}", user_error=user)

    @contextmanager
    def _guard(self, entity: str | None, doing: str) -> Iterator[None]:
        try:
            yield
        except TargetError:
            raise
        except psycopg.Error as exc:
            raise self._refused(exc, entity, doing) from None

    # --- schema ---------------------------------------------------------------------------------

    def _columns(self, entity: str) -> dict[str, str]:
        rows = self.con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
            [self.schema, table_of(entity)],
        ).fetchall()
        return dict(rows)

    def _ensure_base(self, entity: str) -> None:
        """The entity's table with its system columns, if it does not exist (a link or owner may point at it first)."""
        if self._columns(entity):
            return
        owner = "" if entity == "owner" else f", owner_id bigint REFERENCES {self._table('owner')} (id) ON DELETE RESTRICT"
        if entity != "owner":
            self._ensure_base("owner")
        required = "" if entity in NULLABLE_EXTERNAL_ID else " NOT NULL"
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {self._table(entity)} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            f"external_id varchar(255){required} UNIQUE CHECK (external_id <> ''){owner}, "
            "system_created_at timestamptz NOT NULL DEFAULT now(), system_modified_at timestamptz NOT NULL DEFAULT now())"
        )

    def prepare(self, schema: EntitySchema) -> None:
        entity = schema.entity
        with self._guard(entity, "create or extend the CRM schema"):
            with self.con.transaction():
                self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(self.schema)}")
                fresh = not self._columns(entity)
                for linked in schema.links.values():
                    if linked != entity:
                        self._ensure_base(linked)
                self._ensure_base(entity)
                have = self._columns(entity)
                for field, kind in schema.fields.items():
                    if field not in have:
                        not_null = " NOT NULL" if fresh and field in NOT_NULL.get(entity, ()) else ""
                        self.con.execute(f"ALTER TABLE {self._table(entity)} ADD COLUMN {column_sql(entity, field, kind)}{not_null}")
                for link, linked in schema.links.items():
                    if f"{link}_id" not in have:
                        self.con.execute(f"ALTER TABLE {self._table(entity)} ADD COLUMN {_q(link + '_id')} bigint "
                                         f"REFERENCES {self._table(linked)} (id) ON DELETE SET NULL")
                one_of = [f for f in ONE_OF.get(entity, ()) if f in schema.fields]
                if fresh and one_of:
                    self.con.execute(f"ALTER TABLE {self._table(entity)} ADD CONSTRAINT {_q(table_of(entity) + '_needs_' + '_or_'.join(one_of))} "
                                     f"CHECK ({' OR '.join(f'{_q(f)} IS NOT NULL' for f in one_of)})")
                for field in UNIQUE_LOWER.get(entity, ()):
                    if field in schema.fields:
                        self.con.execute(f"CREATE UNIQUE INDEX IF NOT EXISTS {_q(table_of(entity) + '_' + field + '_unique')} "
                                         f"ON {self._table(entity)} (lower({_q(field)}))")
            writable = self.con.execute(
                "SELECT has_table_privilege(%s, 'INSERT') AND has_table_privilege(%s, 'UPDATE'), current_setting('transaction_read_only')",
                [self._table(entity)] * 2,
            ).fetchone()
        if writable[1] == "on":
            raise TargetError(f"{self.where}, schema {self.schema}, table {table_of(entity)}: the database is read-only")
        if not writable[0]:
            raise TargetError(f"{self.where}, schema {self.schema}, table {table_of(entity)}: this role may not insert or update rows")
        self.schemas[entity] = schema

    def _schema(self, entity: str) -> EntitySchema:
        if entity not in self.schemas:
            raise TargetError(f"{entity}: prepare() the entity before writing it", user_error=False)
        return self.schemas[entity]

    # --- staging --------------------------------------------------------------------------------

    def _references(self, entity: str, rows: pd.DataFrame) -> dict[str, str]:
        """column `<ref>_external_id` in rows -> entity it points at."""
        refs = {"owner_external_id": "owner"} if "owner_external_id" in rows and entity != "owner" else {}
        refs.update({f"{link}_external_id": linked for link, linked in self._schema(entity).links.items() if f"{link}_external_id" in rows})
        return refs

    def _create_stage(self, entity: str, fields: list[str], refs: dict[str, str]) -> None:
        """A temporary table of unbounded types, so the real table judges each value; dropped at commit."""
        kinds = self._schema(entity).fields
        columns = [f"{_q(f)} {STAGING_TYPES.get(kinds[f], 'text')}" for f in fields] + [f"{_q(r)} text" for r in refs]
        self.con.execute(f"CREATE TEMP TABLE {STAGE} (_pos integer, external_id text, {', '.join(columns)}) ON COMMIT DROP")

    def _copy(self, rows: pd.DataFrame, columns: list[str]) -> None:
        """COPY `rows` into the stage, each under its position in the batch."""
        listed = f"_pos, {', '.join(_q(c) for c in columns)}"
        payload = csv_for_copy(rows, columns)
        if payload is not None:
            with self.con.cursor().copy(f"COPY {STAGE} ({listed}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(payload)
            return
        frame = rows[columns]
        values = frame.to_numpy(dtype=object)
        values[frame.isna().to_numpy()] = None
        with self.con.cursor().copy(f"COPY {STAGE} ({listed}) FROM STDIN") as copy:
            for pos, row in zip(rows.index.tolist(), values.tolist()):
                copy.write_row([pos, *row])

    @staticmethod
    def _scope(span: Span) -> str:
        """SQL condition on the stage `s`: every staged row, or those at positions lo <= _pos < hi."""
        return "TRUE" if span is None else f"s._pos >= {int(span[0])} AND s._pos < {int(span[1])}"

    def _unresolved(self, refs: dict[str, str], span: Span) -> dict[int, str]:
        """Staged rows whose references the CRM does not hold: position -> reason. They are removed from the stage."""
        if not refs:
            return {}
        parts = [
            f"SELECT s._pos, '{column[:-len('_external_id')]}', s.{_q(column)}, '{table_of(linked)}' FROM {STAGE} s "
            f"LEFT JOIN {self._table(linked)} r ON r.external_id = s.{_q(column)} "
            f"WHERE {self._scope(span)} AND s.{_q(column)} IS NOT NULL AND r.id IS NULL"
            for column, linked in refs.items()
        ]
        reasons: dict[int, str] = {}
        for at, link, value, table in self.con.execute(" UNION ALL ".join(parts) + " ORDER BY 1").fetchall():
            reasons.setdefault(at, f"violates foreign key: {link} {value} is not present in table {table}")
        if reasons:
            self.con.execute(f"DELETE FROM {STAGE} WHERE _pos = ANY(%s)", [list(reasons)])
        return reasons

    def _joined_source(self, fields: list[str], refs: dict[str, str], span: Span) -> tuple[list[str], str]:
        """Target columns and a SELECT giving them from the stage, references resolved to ids."""
        targets = ["external_id", *fields]
        # No casts: an explicit cast to varchar(n) would truncate; the assignment cast refuses a value too long.
        select = ["s.external_id"] + [f"s.{_q(f)}" for f in fields]
        joins = []
        for n, (column, linked) in enumerate(refs.items()):
            targets.append("owner_id" if column == "owner_external_id" else column[: -len("_external_id")] + "_id")
            select.append(f"r{n}.id AS {_q(targets[-1])}")
            joins.append(f"LEFT JOIN {self._table(linked)} r{n} ON r{n}.external_id = s.{_q(column)}")
        return targets, f"SELECT {', '.join(select)} FROM {STAGE} s {' '.join(joins)} WHERE {self._scope(span)}"

    # --- writes ---------------------------------------------------------------------------------

    def _written(self, entity: str, statement: str, span: Span) -> Outcomes:
        """Run a data-modifying `statement` (RETURNING external_id, id, created, system_modified_at) and give each
        staged row its outcome: position -> (status, target id, modified stamp). A staged row the statement did not
        write is unchanged where the table holds it, and absent (not found) where it does not."""
        rows = self.con.execute(
            f"WITH w AS ({statement}) SELECT s._pos, COALESCE(w.id, t.id)::text, "
            f"CASE WHEN w.external_id IS NULL THEN '{UNCHANGED}' WHEN w.created THEN '{CREATED}' ELSE '{UPDATED}' END, "
            f"COALESCE(w.system_modified_at, t.system_modified_at) FROM {STAGE} s LEFT JOIN w ON w.external_id = s.external_id "
            # LATERAL: one index probe per row the statement did not write, never a scan of the whole table.
            f"LEFT JOIN LATERAL (SELECT t.id, t.system_modified_at FROM {self._table(entity)} t "
            f"WHERE w.external_id IS NULL AND t.external_id = s.external_id LIMIT 1) t ON TRUE "
            f"WHERE {self._scope(span)} AND COALESCE(w.id, t.id) IS NOT NULL"
        ).fetchall()
        return {pos: (status, target_id, stamp) for pos, target_id, status, stamp in rows}

    def _merge(self, entity: str, fields: list[str], refs: dict[str, str], span: Span) -> Outcomes:
        """Upsert what is staged; a record whose content would not change is not written (its stamp stays)."""
        targets, source = self._joined_source(fields, refs, span)
        changing = [c for c in targets if c != "external_id"]
        assign = ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in changing)
        differs = (f" WHERE ({', '.join('t.' + _q(c) for c in changing)}) IS DISTINCT FROM "
                   f"({', '.join('EXCLUDED.' + _q(c) for c in changing)})")
        on_conflict = f"DO UPDATE SET {assign}, system_modified_at = now(){differs}" if changing else "DO NOTHING"
        return self._written(entity, (
            f"INSERT INTO {self._table(entity)} AS t ({', '.join(_q(c) for c in targets)}) {source} "
            f"ON CONFLICT (external_id) {on_conflict} RETURNING t.external_id, t.id, t.xmax = 0 AS created, t.system_modified_at"
        ), span)

    def _update(self, entity: str, fields: list[str], refs: dict[str, str], span: Span) -> Outcomes:
        """Change only the staged columns of records the table holds; the others are not found."""
        targets, source = self._joined_source(fields, refs, span)
        assign = ", ".join(f"{_q(c)} = u.{_q(c)}" for c in targets if c != "external_id")
        return self._written(entity, (
            f"UPDATE {self._table(entity)} t SET {assign + ', ' if assign else ''}system_modified_at = now() FROM ({source}) u "
            "WHERE t.external_id = u.external_id RETURNING t.external_id, t.id, false AS created, t.system_modified_at"
        ), span)

    def _adopt_by(self, entity: str, match_by: str, span: Span) -> None:
        """Records created before the migration, without an external id, matched on `match_by` take the incoming id."""
        self.con.execute(
            f"UPDATE {self._table(entity)} t SET external_id = s.external_id FROM {STAGE} s "
            f"WHERE {self._scope(span)} AND t.external_id IS NULL AND lower(t.{_q(match_by)}::text) = lower(s.{_q(match_by)}::text) "
            f"AND NOT EXISTS (SELECT 1 FROM {self._table(entity)} x WHERE x.external_id = s.external_id)"
        )

    def _apply(self, entity: str, fields: list[str], refs: dict[str, str], match_by: str | None, partial: bool, span: Span) -> Outcomes:
        if match_by and match_by in fields:
            self._adopt_by(entity, match_by, span)
        return self._update(entity, fields, refs, span) if partial else self._merge(entity, fields, refs, span)

    def _write_batch(self, entity: str, rows: pd.DataFrame, fields: list[str], refs: dict[str, str], match_by: str | None,
                     partial: bool) -> tuple[dict[int, str], Outcomes]:
        """The batch in one statement per step, in one transaction."""
        with self.con.transaction():
            self._create_stage(entity, fields, refs)
            self._copy(rows, ["external_id", *fields, *refs])
            reasons = self._unresolved(refs, None)
            return reasons, self._apply(entity, fields, refs, match_by, partial, None)

    def _bisect(self, lo: int, hi: int, attempt: Callable[[int, int], None], reasons: dict[int, str]) -> None:
        """Run `attempt` on positions lo..hi in a savepoint; where the table refuses, halve, down to the single row
        that carries the database's reason. k bad rows among n cost about 2k·log2(n/k) statements, not n."""
        if lo >= hi:
            return
        try:
            with self.con.transaction():
                attempt(lo, hi)
        except ROW_ERRORS as exc:
            if hi - lo == 1:
                reasons[lo] = self._reason(exc)
                return
            middle = (lo + hi) // 2
            self._bisect(lo, middle, attempt, reasons)
            self._bisect(middle, hi, attempt, reasons)

    def _write_rows(self, entity: str, rows: pd.DataFrame, fields: list[str], refs: dict[str, str], match_by: str | None,
                    partial: bool) -> tuple[dict[int, str], Outcomes]:
        """The batch again after the table refused it: good rows load, each bad one gets the database's reason.
        A repeated external id is written in order too: the halves that part the repeats succeed one after another."""
        reasons: dict[int, str] = {}
        outcomes: Outcomes = {}
        columns = ["external_id", *fields, *refs]
        with self.con.transaction():
            self._create_stage(entity, fields, refs)
            self._bisect(0, len(rows), lambda lo, hi: self._copy(rows.iloc[lo:hi], columns), reasons)
            self.con.execute(f"CREATE INDEX ON {STAGE} (_pos)")
            reasons.update(self._unresolved(refs, None))
            self._bisect(0, len(rows), lambda lo, hi: outcomes.update(self._apply(entity, fields, refs, match_by, partial, (lo, hi))), reasons)
        return reasons, outcomes

    def _write(self, entity: str, rows: pd.DataFrame, match_by: str | None, partial: bool) -> pd.DataFrame:
        if rows.empty:
            return empty_results()
        rows = rows.reset_index(drop=True)
        fields = [f for f in self._schema(entity).fields if f in rows]
        refs = self._references(entity, rows)
        with self._guard(entity, "write rows"):
            try:
                reasons, outcomes = self._write_batch(entity, rows, fields, refs, match_by, partial)
            except ROW_ERRORS:
                reasons, outcomes = self._write_rows(entity, rows, fields, refs, match_by, partial)
        missing = (None, None, None)
        done = [outcomes.get(pos, missing) for pos in range(len(rows))]
        errors = [None if pos in outcomes else reasons.get(pos, "not found: no record with this external id") for pos in range(len(rows))]
        return results_frame(
            rows["external_id"], status=pd.Series([d[0] or REJECTED for d in done], dtype=object),
            target_id=pd.Series([d[1] for d in done], dtype=object), error=pd.Series(errors, dtype=object), retryable=False,
            target_version=pd.Series([d[2].isoformat() if d[2] else None for d in done], dtype=object),
        )

    def upsert(self, entity: str, rows: pd.DataFrame, *, match_by: str | None = None) -> pd.DataFrame:
        return self._write(entity, rows, match_by, partial=False)

    def update_fields(self, entity: str, rows: pd.DataFrame) -> pd.DataFrame:
        """Partial update by external id: only the columns given change (an owner, a field); unknown ids are rejected."""
        return self._write(entity, rows, None, partial=True)

    def delete(self, entity: str, external_ids: Sequence[str]) -> int:
        if not external_ids or not self._columns(entity):
            return 0
        with self._guard(entity, "delete records"), self.con.transaction():
            return self.con.execute(f"DELETE FROM {self._table(entity)} WHERE external_id = ANY(%s)", [list(external_ids)]).rowcount

    # --- reads ----------------------------------------------------------------------------------

    def lookup(self, entity: str, external_ids: Sequence[str]) -> dict[str, str]:
        if not external_ids or not self._columns(entity):
            return {}
        with self._guard(entity, "look records up"):
            rows = self.con.execute(
                f"SELECT external_id, id::text FROM {self._table(entity)} WHERE external_id = ANY(%s)", [list(external_ids)]
            ).fetchall()
        return dict(rows)

    def _select(self, entity: str) -> str:
        have = self._columns(entity)
        links = self.schemas[entity].links if entity in self.schemas else {}
        link_columns = {f"{link}_id" for link in links}
        select = ["t.external_id", "t.id::text AS target_id", "t.system_modified_at AS target_version"]
        for column, data_type in have.items():
            if column not in SYSTEM_COLUMNS and column not in link_columns:
                select.append(f"t.{_q(column)}::float8 AS {_q(column)}" if data_type == "numeric" else f"t.{_q(column)}")
        joins = []
        if "owner_id" in have:
            select.append("o.external_id AS owner_external_id")
            joins.append(f"LEFT JOIN {self._table('owner')} o ON o.id = t.owner_id")
        for n, (link, linked) in enumerate(links.items()):
            if f"{link}_id" in have:
                select.append(f"l{n}.external_id AS {_q(link + '_external_id')}")
                joins.append(f"LEFT JOIN {self._table(linked)} l{n} ON l{n}.id = t.{_q(link + '_id')}")
        return f"SELECT {', '.join(select)} FROM {self._table(entity)} t {' '.join(joins)}"

    def _frame(self, entity: str, sql: str, params: list) -> pd.DataFrame:
        if not self._columns(entity):
            return pd.DataFrame(columns=["external_id"])
        with self._guard(entity, "read records"):
            cursor = self.con.execute(sql, params)
            rows = cursor.fetchall()
            return pd.DataFrame(rows, columns=[d.name for d in cursor.description])

    def read_by_ids(self, entity: str, external_ids: Sequence[str]) -> pd.DataFrame:
        if not self._columns(entity):
            return pd.DataFrame(columns=["external_id"])
        return self._frame(entity, f"{self._select(entity)} WHERE t.external_id = ANY(%s)", [list(external_ids)])

    def read_modified_since(self, entity: str, since: datetime) -> pd.DataFrame:
        if not self._columns(entity):
            return pd.DataFrame(columns=["external_id"])
        return self._frame(entity, f"{self._select(entity)} WHERE t.system_modified_at > %s", [since])
