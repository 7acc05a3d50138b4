"""dlt source for Pipedrive (API v2): users, organizations, persons, deals and activities, custom fields named as
in Pipedrive (their column keys), as raw rows.

The first run lists every record (cursor paging, 500 a page); later runs ask only for records updated since the
saved cursor (`updated_since`, `dlt.sources.incremental` on update_time), merged on `id`. Relationships are the
records' own `org_id`, `person_id` and `deal_id`; owners are `owner_id` (users). Pipedrive's v2 lists no deleted
records, so deletions are not reported (a record deleted since the last run stays as extracted).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.source import DltSource
from dlt.sources import DltResource

from connectors.api_http import ApiError
from connectors.sources.pipedrive import helpers
from connectors.sources.pipedrive import settings as s
from handover.naming import column_key
from handover.ports import DELETED, RAW_ERROR, RAW_TEXT, RECORD_KEY, SOURCE_FILE, SOURCE_LINE, SourceError, SourceProblem, Stream

__all__ = ["PipedriveCRM", "PipedriveTable", "pipedrive_crm"]

USER_COLUMNS = ["id", "name", "email", "active_flag"]


@dataclass(frozen=True)
class PipedriveTable:
    name: str
    object: str  # users, persons, organizations, deals, activities
    columns: tuple[str, ...] = ()


def to_arrow(rows: list[dict[str, Any]]) -> pa.Table:
    names = list(dict.fromkeys(k for row in rows for k in row))
    columns = {n: pa.array([None if r.get(n) is None else str(r.get(n)).lower() if isinstance(r.get(n), bool) else str(r.get(n)) for r in rows], pa.string())
               for n in names}
    columns[RECORD_KEY] = pa.array([str(r["id"]) for r in rows], pa.string())
    columns[SOURCE_FILE] = pa.nulls(len(rows), pa.string())
    columns[SOURCE_LINE] = pa.nulls(len(rows), pa.int64())
    columns[RAW_ERROR] = pa.nulls(len(rows), pa.string())
    columns[RAW_TEXT] = pa.nulls(len(rows), pa.string())
    columns[DELETED] = pa.array([bool(r.get("is_deleted")) for r in rows], pa.bool_())
    return pa.table(columns)


def _resource(url: str, table: PipedriveTable, options: dict[str, Any]) -> DltResource:
    if table.object == "users":
        @dlt.resource(name=table.name, write_disposition="merge", primary_key="id")
        def users() -> Iterator[pa.Table]:
            api = helpers.client(url, **options)
            try:
                found = api.get(s.USERS_PATH).get("data") or []
                if found:
                    yield to_arrow([{c: u.get(c) for c in USER_COLUMNS} for u in found])
            except ApiError as exc:
                raise SourceError(f"{table.name} (users): {exc}") from exc
            finally:
                api.close()

        return users

    @dlt.resource(name=table.name, write_disposition="merge", primary_key="id")
    def rows(modified: dlt.sources.incremental[str] = dlt.sources.incremental(s.MODIFIED, initial_value=None)) -> Iterator[pa.Table]:
        api = helpers.client(url, **options)
        try:
            names = helpers.custom_fields(api, table.object)
            for page in helpers.pages(api, table.object, modified.start_value):
                if page:
                    yield to_arrow([helpers.flatten(item, names) for item in page])
        except ApiError as exc:
            raise SourceError(f"{table.name} ({table.object}): {exc}") from exc
        finally:
            api.close()

    return rows


def _schema() -> dlt.Schema:
    return dlt.Schema("pipedrive_crm", normalizers={"names": "direct"})


@dlt.source(max_table_nesting=0, schema=_schema())
def pipedrive_crm(url: str = dlt.secrets.value, tables: Sequence[PipedriveTable] = (), options: dict[str, Any] | None = None) -> list[DltResource]:
    return [_resource(url, t, options or {}) for t in tables]


class PipedriveCRM:
    """A Pipedrive company account as a `handover.ports.Source`."""

    def __init__(self, url: str | None, system: str, tables: Sequence[PipedriveTable], **options: Any):
        self.url, self.system, self.tables, self.options = url, system, list(tables), options

    def streams(self) -> list[Stream]:
        return [Stream(t.name, f"Pipedrive {t.object}", t.columns, "id", None if t.object == "users" else s.MODIFIED) for t in self.tables]

    def discover(self) -> dict[str, list[str]]:
        if not self.url:
            raise SourceError("the Pipedrive connection URL is not set")
        api = helpers.client(self.url, **self.options)
        try:
            offered = {}
            for table in self.tables:
                if table.object == "users":
                    offered[table.name] = USER_COLUMNS
                    continue
                fields = api.get(s.FIELDS_PATH.format(fields=s.FIELDS_OF[table.object])).get("data") or []
                names = [column_key(f["name"]) if f.get("edit_flag") else f["key"] for f in fields]
                offered[table.name] = ["id", "email", "phone", "add_time", s.MODIFIED, *names]
            return offered
        finally:
            api.close()

    def check(self) -> list[SourceProblem]:
        unknown = [t for t in self.tables if t.object not in s.OBJECTS]
        if unknown:
            return [SourceProblem(f"Pipedrive has no object {t.object!r}; valid: {', '.join(s.OBJECTS)}", t.name) for t in unknown]
        try:
            offered = self.discover()
        except (ApiError, SourceError) as exc:
            return [SourceProblem(f"Pipedrive: {exc}")]
        return [SourceProblem(f"Pipedrive {t.object} has no field {c!r}", t.name, c) for t in self.tables for c in t.columns
                if column_key(c) not in {column_key(o) for o in offered[t.name]}]

    def describe(self) -> list[str]:
        return [f"{t.name}: Pipedrive {t.object}" + ("" if t.object == "users" else f", incremental on {s.MODIFIED}") for t in self.tables]

    def dlt_source(self) -> DltSource:
        return pipedrive_crm(self.url or "", self.tables, self.options)
