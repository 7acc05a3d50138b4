"""Ports: what the core needs from a source (the old CRM) and a target (the new CRM).

The core owns these interfaces; `connectors/` implements them. Nothing here knows a vendor.

Record identity is source-neutral: a raw row is (source system, stream, `_record_key`) plus the load id of the
extraction that delivered it. A file export's record key is `file:line`; a database's or an API's is the record's
primary key. File and line stay as provenance where they exist; the accounting counts record keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import pandas as pd

# --- raw rows -------------------------------------------------------------------------------------

RECORD_KEY = "_record_key"  # unique per raw row within a stream; the row_key of every ledger table
SOURCE_FILE = "_source_file"  # provenance, where the source has files
SOURCE_LINE = "_source_line"
RAW_ERROR = "_raw_error"  # why the source could not parse this record (it is kept, then quarantined)
RAW_TEXT = "_raw_text"  # the unparsed record as it was delivered
DELETED = "_deleted"  # the source reports the record deleted or archived
LOAD_ID = "_dlt_load_id"  # the extraction that delivered the row
DLT_ID = "_dlt_id"

# Columns every source adds to its raw rows (dlt adds the load id and row id itself).
SOURCE_META = (RECORD_KEY, SOURCE_FILE, SOURCE_LINE, RAW_ERROR, RAW_TEXT, DELETED)
RAW_META = (*SOURCE_META, LOAD_ID, DLT_ID)


def raw_order_sql() -> str:
    """How raw rows are ordered when read: file order where there are files, else by record key."""
    return f"{SOURCE_FILE} NULLS LAST, {SOURCE_LINE} NULLS LAST, {RECORD_KEY}"


@dataclass(frozen=True)
class Stream:
    """One entity's stream in a source: where it is read from and which columns the migration needs."""

    name: str  # the entity it feeds
    location: str  # file name(s), table or API object, for messages
    columns: tuple[str, ...] = ()
    primary_key: str | None = None
    cursor: str | None = None  # modified-time column for incremental reads
    deleted: str | None = None  # column flagging soft-deleted records


@dataclass(frozen=True)
class SourceProblem:
    """Something that stops a stream from being read, found before extraction."""

    message: str  # names the file, table or host, and what is wrong
    stream: str | None = None  # None: the whole source (a folder, a server)
    column: str | None = None  # the missing or unreadable column, when there is one


class SourceError(Exception):
    """The source cannot be read for a reason the user can fix (unreachable, refused, missing table or column).
    The message names the host, file, table or column, never a credential."""


@runtime_checkable
class Source(Protocol):
    """An old CRM to extract from. Cursors are dlt state: saved with the load that holds their data."""

    system: str

    def streams(self) -> list[Stream]: ...

    def check(self) -> list[SourceProblem]:
        """Problems found before anything is extracted, or an empty list."""
        ...

    def discover(self) -> dict[str, list[str]]:
        """Stream -> the columns the source offers."""
        ...

    def describe(self) -> list[str]:
        """How each stream will be read (an export's encoding, a table, an endpoint), for `handover validate`."""
        ...

    def dlt_source(self) -> Any:
        """A dlt source with one resource per stream; rows carry SOURCE_META; incremental where a cursor is set."""
        ...


# --- targets --------------------------------------------------------------------------------------

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
LOADED_STATUSES = (CREATED, UPDATED, UNCHANGED)
RESULT_COLUMNS = ["external_id", "target_id", "status", "error", "retryable", "target_version"]


@dataclass(frozen=True)
class Capabilities:
    """What a target can do; the loader plans batches, retries and lookups from it."""

    max_batch: int
    calls_per_second: float | None = None  # None: no limit the target declares
    upsert_by_external_id: bool = True  # else lookup-then-write, the ledger remembering target ids
    partial_update: bool = False
    change_owner: bool = False
    read_by_ids: bool = True
    read_modified_since: bool = False
    create_fields: bool = False  # may add missing fields; otherwise prepare() only verifies they exist
    delete: bool = False
    lookup_is_cheap: bool = True  # looking up every mapped id costs one query (databases); APIs trust the ledger


@dataclass(frozen=True)
class EntitySchema:
    entity: str
    fields: dict[str, str]  # target field -> Handover field type
    links: dict[str, str] = field(default_factory=dict)  # link -> entity it points at
    has_owner: bool = False


class TargetError(Exception):
    """The target refused the whole operation (unreachable, read-only, unauthorised, a missing field it cannot create).
    `user_error` marks mistakes the user fixes (exit 2); the message names the endpoint or table, never a credential."""

    def __init__(self, message: str, *, user_error: bool = True):
        super().__init__(message)
        self.user_error = user_error


@runtime_checkable
class Target(Protocol):
    """A new CRM to load into. Rows always carry `external_id`, the payload fields, `owner_external_id` and
    `<link>_external_id`; `target_id` where the ledger knows it (lookup-then-write targets need it)."""

    name: str
    capabilities: Capabilities

    def prepare(self, schema: EntitySchema) -> None:
        """Make sure the target can hold the entity's fields and links, or raise TargetError naming what is missing."""
        ...

    def lookup(self, entity: str, external_ids: Sequence[str]) -> dict[str, str]:
        """external id -> target id, for those of `external_ids` the target holds."""
        ...

    def upsert(self, entity: str, rows: pd.DataFrame, *, match_by: str | None = None) -> pd.DataFrame:
        """Create or update each row; one result per input row, in order, with RESULT_COLUMNS. A refused row is
        `rejected` with the target's reason; `retryable` says whether sending it again may succeed."""
        ...

    def read_by_ids(self, entity: str, external_ids: Sequence[str]) -> pd.DataFrame:
        """The records held under these external ids, shaped like upsert's rows."""
        ...

    def close(self) -> None: ...


def empty_results() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})


def results_frame(external_ids: pd.Series, **columns: Any) -> pd.DataFrame:
    """A result frame for `external_ids`, the other RESULT_COLUMNS from `columns` (scalars or aligned series)."""
    frame = pd.DataFrame({"external_id": external_ids.to_numpy()})
    for column in RESULT_COLUMNS[1:]:
        value = columns.get(column)
        frame[column] = value.to_numpy() if isinstance(value, pd.Series) else value
    frame["retryable"] = frame["retryable"].fillna(False).astype(bool)
    return frame[RESULT_COLUMNS]

