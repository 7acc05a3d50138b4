"""What the export reader returns: the records of one file, with how it was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handover.naming import column_key


class ExportError(Exception):
    """A file-level problem a user must fix (missing file, unreadable workbook, no header, unknown encoding)."""


@dataclass
class Record:
    line: int
    values: list[str | None] | None
    error: str | None = None
    raw_text: str | None = None


@dataclass
class Export:
    path: Path
    encoding: str | None  # None for workbooks
    header: list[str]
    keys: list[str]
    records: list[Record] = field(default_factory=list)
    encoding_reason: str | None = None  # how `auto` decided, or "declared"
    sheet: str | None = None  # the worksheet read, for workbooks
    notes: list[str] = field(default_factory=list)  # what the reader did that a user should know (filled merged cells, ...)
    delimiter: str | None = None  # for CSV files

    def describe(self) -> str:
        """One line for `handover validate` and the raw stage's metadata: how this file was read."""
        how = f"sheet {self.sheet!r}" if self.sheet is not None else f"encoding {self.encoding} ({self.encoding_reason})"
        if self.delimiter is not None:
            how += f", {delimiter_name(self.delimiter)}"
        return f"{self.path.name}: {how}" + "".join(f"; {n}" for n in self.notes)


def delimiter_name(delimiter: str) -> str:
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
    return f"delimiter {names[delimiter]}" if delimiter in names else f"delimiter {delimiter!r}"


def header_keys(header: list[str]) -> list[str]:
    keys: list[str] = []
    for name in header:
        key = column_key(name)
        candidate, n = key, 2
        while candidate in keys:
            candidate, n = f"{key}_{n}", n + 1
        keys.append(candidate)
    return keys
