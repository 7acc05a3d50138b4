"""dlt source for Salesforce: Users, Accounts, Contacts, Leads, Opportunities and Tasks, every field (custom ones
included), as raw rows.

Each run asks `queryAll` (so deleted records come too, flagged `_deleted` from IsDeleted) for the records whose
`SystemModstamp` is at or after the saved cursor (`dlt.sources.incremental`; the first run reads everything), in
pages of up to 2,000 followed through `nextRecordsUrl` until `done`. Rows merge on `Id`. Fields past a URL-safe
length are read for each page with an sObject Collections retrieve. Relationships are the lookup fields themselves
(AccountId, ContactId, WhoId, WhatId, OwnerId), so a spec links by them directly.
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
from connectors.sources.salesforce import helpers
from connectors.sources.salesforce import settings as s
from handover.naming import column_key
from handover.ports import DELETED, RAW_ERROR, RAW_TEXT, RECORD_KEY, SOURCE_FILE, SOURCE_LINE, SourceError, SourceProblem, Stream

__all__ = ["SalesforceCRM", "SalesforceTable", "salesforce_crm"]


@dataclass(frozen=True)
class SalesforceTable:
    name: str  # the entity it feeds
    object: str  # an sObject: User, Account, Contact, Lead, Opportunity, Task
    columns: tuple[str, ...] = ()


def to_arrow(rows: list[dict[str, Any]]) -> pa.Table:
    """Raw rows: every value as text under the column key of its field name (AccountId -> accountid), as a spec's
    columns are matched."""
    names = list(dict.fromkeys(k for row in rows for k in row))
    columns = {column_key(n): pa.array([None if r.get(n) is None else str(r.get(n)).lower() if isinstance(r.get(n), bool) else str(r.get(n)) for r in rows],
                                       pa.string()) for n in names}
    columns[RECORD_KEY] = pa.array([r["Id"] for r in rows], pa.string())
    columns[SOURCE_FILE] = pa.nulls(len(rows), pa.string())
    columns[SOURCE_LINE] = pa.nulls(len(rows), pa.int64())
    columns[RAW_ERROR] = pa.nulls(len(rows), pa.string())
    columns[RAW_TEXT] = pa.nulls(len(rows), pa.string())
    columns[DELETED] = pa.array([bool(r.get(s.DELETED)) for r in rows], pa.bool_())
    return pa.table(columns)


def _resource(url: str, table: SalesforceTable, version: str, options: dict[str, Any]) -> DltResource:
    @dlt.resource(name=table.name, write_disposition="merge", primary_key=column_key("Id"))
    def rows(modified: dlt.sources.incremental[str] = dlt.sources.incremental(column_key(s.MODIFIED), initial_value=None)) -> Iterator[pa.Table]:
        api = helpers.client(url, **options)
        try:
            fields = [f["name"] for f in helpers.describe(api, table.object, version)]
            for page in helpers.records(api, table.object, fields, version, modified.start_value, include_deleted=table.object != "User"):
                if page:
                    yield to_arrow(page)
        except ApiError as exc:
            raise SourceError(f"{table.name} ({table.object}): {exc}") from exc
        finally:
            api.close()

    return rows


def _schema() -> dlt.Schema:
    # Field names are Salesforce's API names (AccountId, Custom__c); dlt must keep them as the spec names them.
    return dlt.Schema("salesforce_crm", normalizers={"names": "direct"})


@dlt.source(max_table_nesting=0, schema=_schema())
def salesforce_crm(url: str = dlt.secrets.value, tables: Sequence[SalesforceTable] = (), version: str = s.DEFAULT_VERSION,
                   options: dict[str, Any] | None = None) -> list[DltResource]:
    return [_resource(url, t, version, options or {}) for t in tables]


class SalesforceCRM:
    """A Salesforce org as a `handover.ports.Source`."""

    def __init__(self, url: str | None, system: str, tables: Sequence[SalesforceTable], version: str = s.DEFAULT_VERSION, **options: Any):
        self.url, self.system, self.tables, self.version, self.options = url, system, list(tables), version, options

    def streams(self) -> list[Stream]:
        return [Stream(t.name, f"Salesforce {t.object}", t.columns, "Id", s.MODIFIED, s.DELETED) for t in self.tables]

    def discover(self) -> dict[str, list[str]]:
        if not self.url:
            raise SourceError("the Salesforce connection URL is not set")
        api = helpers.client(self.url, **self.options)
        try:
            return {t.name: [f["name"] for f in helpers.describe(api, t.object, self.version)] for t in self.tables}
        finally:
            api.close()

    def check(self) -> list[SourceProblem]:
        unknown = [t for t in self.tables if t.object not in s.OBJECTS]
        if unknown:
            return [SourceProblem(f"Salesforce object {t.object!r} is not one Handover reads; valid: {', '.join(s.OBJECTS)}", t.name) for t in unknown]
        try:
            offered = self.discover()
        except (ApiError, SourceError) as exc:
            return [SourceProblem(f"Salesforce: {exc}")]
        problems = []
        for table in self.tables:
            have = {column_key(f) for f in offered[table.name]}
            problems += [SourceProblem(f"Salesforce {table.object} has no field {c!r}", table.name, c) for c in table.columns if column_key(c) not in have]
        return problems

    def describe(self) -> list[str]:
        return [f"{t.name}: Salesforce {t.object} via queryAll, incremental on {s.MODIFIED}" for t in self.tables]

    def dlt_source(self) -> DltSource:
        return salesforce_crm(self.url or "", self.tables, self.version, self.options)
