"""dlt source for HubSpot CRM: owners, companies, contacts, deals and notes/tasks, with their associations and
every property (custom ones included), as raw rows.

The first run lists each object (cursor `after`, 100 a page); later runs search for records whose
`hs_lastmodifieddate` is at or after the saved cursor (`dlt.sources.incremental`), splitting the time window so no
query passes the search's 10,000-result cap. Rows merge on `id`. Properties are requested in chunks (the first on
the list call, the rest by batch read), so no URL grows past the server's limit. A link column `<object>_id` (e.g.
`companies_id`) holds the first associated record, read through the v4 associations API (every page, past the 100
HubSpot lists inline). Archived records are read on full runs and flagged `_deleted`; owners too (departed reps).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import dlt
import pyarrow as pa
from dlt.extract.source import DltSource
from dlt.sources import DltResource

from connectors.api_http import ApiError
from connectors.sources.hubspot import helpers
from connectors.sources.hubspot import settings as s
from handover.ports import DELETED, RAW_ERROR, RAW_TEXT, RECORD_KEY, SOURCE_FILE, SOURCE_LINE, SourceError, SourceProblem, Stream

__all__ = ["HubSpotCRM", "HubSpotTable", "hubspot_crm"]


@dataclass(frozen=True)
class HubSpotTable:
    name: str  # the entity it feeds
    object: str  # contacts, companies, deals, notes, tasks, owners
    columns: tuple[str, ...] = ()  # properties (and link columns) the migration needs


def link_objects(table: HubSpotTable) -> list[str]:
    """Objects whose associations the table's link columns name (`companies_id` -> companies)."""
    return [c.removesuffix(s.LINK_SUFFIX) for c in table.columns if c.endswith(s.LINK_SUFFIX) and c.removesuffix(s.LINK_SUFFIX) in s.OBJECTS]


def to_arrow(rows: list[dict[str, Any]], cursor: str) -> pa.Table:
    """Raw rows: every value as text, plus the record key and the deleted flag (HubSpot has no files or lines)."""
    names = list(dict.fromkeys(k for row in rows for k in row if k != "archived"))
    columns = {n: pa.array([None if r.get(n) is None else str(r.get(n)) for r in rows], pa.string()) for n in names}
    columns[RECORD_KEY] = pa.array([r["id"] for r in rows], pa.string())
    columns[SOURCE_FILE] = pa.nulls(len(rows), pa.string())
    columns[SOURCE_LINE] = pa.nulls(len(rows), pa.int64())
    columns[RAW_ERROR] = pa.nulls(len(rows), pa.string())
    columns[RAW_TEXT] = pa.nulls(len(rows), pa.string())
    columns[DELETED] = pa.array([bool(r.get("archived")) for r in rows], pa.bool_())
    if cursor not in columns:
        columns[cursor] = pa.nulls(len(rows), pa.string())
    return pa.table(columns)


def _with_links(api: Any, table: HubSpotTable, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [r["id"] for r in rows]
    for to_obj in link_objects(table):
        found = helpers.associations(api, table.object, to_obj, ids)
        for row in rows:
            linked = found.get(row["id"], [])
            row[f"{to_obj}{s.LINK_SUFFIX}"] = linked[0] if linked else None
            row[f"{to_obj}_ids"] = ";".join(linked) if linked else None
    return rows


def _object_resource(url: str, table: HubSpotTable, options: dict[str, Any]) -> DltResource:
    @dlt.resource(name=table.name, write_disposition="merge", primary_key="id")
    def rows(modified: dlt.sources.incremental[str] = dlt.sources.incremental(s.MODIFIED, initial_value=None)) -> Iterator[pa.Table]:
        api = helpers.client(url, **options)
        try:
            properties = helpers.property_names(api, table.object)
            if modified.start_value is None:
                for archived in (False, True):
                    for page, _after in helpers.list_pages(api, table.object, properties, archived):
                        if page:
                            yield to_arrow(_with_links(api, table, page), s.MODIFIED)
            else:
                until = int(time.time() * 1000) + 1
                for page in helpers.changed_pages(api, table.object, properties, modified.start_value, until):
                    yield to_arrow(_with_links(api, table, page), s.MODIFIED)
        except ApiError as exc:
            raise SourceError(f"{table.name} ({table.object}): {exc}") from exc
        finally:
            api.close()

    return rows


def _owner_resource(url: str, table: HubSpotTable, options: dict[str, Any]) -> DltResource:
    # Owners are few and have no search: read whole each run, merged on id.
    @dlt.resource(name=table.name, write_disposition="merge", primary_key="id")
    def rows() -> Iterator[pa.Table]:
        api = helpers.client(url, **options)
        try:
            for archived in (False, True):
                for page in helpers.owner_pages(api, archived):
                    if page:
                        yield to_arrow(page, s.OWNER_MODIFIED)
        except ApiError as exc:
            raise SourceError(f"{table.name} (owners): {exc}") from exc
        finally:
            api.close()

    return rows


def _schema() -> dlt.Schema:
    # Property names are HubSpot's own (lower case); dlt must keep them as they are, as the spec names them.
    return dlt.Schema("hubspot_crm", normalizers={"names": "direct"})


@dlt.source(max_table_nesting=0, schema=_schema())
def hubspot_crm(url: str = dlt.secrets.value, tables: Sequence[HubSpotTable] = (), options: dict[str, Any] | None = None) -> list[DltResource]:
    """One resource per table; `url` (from the environment) holds the base URL and the access token."""
    options = options or {}
    return [(_owner_resource if t.object == "owners" else _object_resource)(url, t, options) for t in tables]


class HubSpotCRM:
    """A HubSpot portal as a `handover.ports.Source`."""

    def __init__(self, url: str | None, system: str, tables: Sequence[HubSpotTable], **options: Any):
        self.url, self.system, self.tables, self.options = url, system, list(tables), options

    def streams(self) -> list[Stream]:
        return [Stream(t.name, f"HubSpot {t.object}", t.columns, "id", None if t.object == "owners" else s.MODIFIED, "archived") for t in self.tables]

    def _client(self) -> Any:
        if not self.url:
            raise SourceError("the HubSpot connection URL is not set")
        return helpers.client(self.url, **self.options)

    def discover(self) -> dict[str, list[str]]:
        api = self._client()
        try:
            return {t.name: (["id", "email", "first_name", "last_name", "user_id", "active", s.OWNER_MODIFIED] if t.object == "owners"
                             else ["id", *helpers.property_names(api, t.object), *(f"{o}{s.LINK_SUFFIX}" for o in s.OBJECTS)]) for t in self.tables}
        finally:
            api.close()

    def check(self) -> list[SourceProblem]:
        try:
            offered = self.discover()
        except (ApiError, SourceError) as exc:
            return [SourceProblem(f"HubSpot at {self.url and helpers.Connection.parse(self.url, s.DEFAULT_HOST).label}: {exc}")]
        problems = []
        for table in self.tables:
            if table.object not in s.OBJECTS:
                problems.append(SourceProblem(f"HubSpot has no object {table.object!r}; valid: {', '.join(s.OBJECTS)}", table.name))
                continue
            have = set(offered[table.name])
            problems += [SourceProblem(f"HubSpot {table.object} has no property {c!r}", table.name, c) for c in table.columns if c not in have]
        return problems

    def describe(self) -> list[str]:
        return [f"{t.name}: HubSpot {t.object}" + ("" if t.object == "owners" else f", incremental on {s.MODIFIED}") for t in self.tables]

    def dlt_source(self) -> DltSource:
        return hubspot_crm(self.url or "", self.tables, self.options)
