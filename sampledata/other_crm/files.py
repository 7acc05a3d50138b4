"""Writes one export file in its own encoding, delimiter and line ending, remembering where each record starts."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

_BOMS = {"utf-8-sig": b"\xef\xbb\xbf", "utf-16": b"\xff\xfe"}
_CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8", "utf-16": "utf-16-le", "gb18030": "gb18030"}
RAW_BYTES = "\ue000"  # placeholder in a row's text where deliberately undecodable bytes go


@dataclass
class ExportFile:
    """Rows of one file: records are rendered with `csv`; a bad line can be added as raw text or bytes."""

    path: str
    encoding: str  # "utf-8", "utf-8-sig" (with BOM), "utf-16" (LE with BOM), "gb18030"
    delimiter: str
    newline: str
    header: list[str]
    quoting: int = csv.QUOTE_MINIMAL
    raw_bytes: bytes = b""
    _chunks: list[str] = field(default_factory=list)
    _line: int = 1  # the header is line 1
    records: int = 0

    def __post_init__(self) -> None:
        self._chunks.append(self._render(self.header))
        self._line += 1

    def _render(self, values: list[str]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=self.delimiter, lineterminator=self.newline, quoting=self.quoting).writerow(values)
        return buffer.getvalue()

    def add(self, row: dict[str, str | None]) -> tuple[int, int]:
        """Append a record; returns (line where it starts, 1-based record number)."""
        unknown = [k for k in row if k not in self.header]
        if unknown:
            raise KeyError(f"{self.path}: no such column(s) {unknown}")
        return self._append(self._render(["" if row.get(h) is None else str(row.get(h)) for h in self.header]))

    def add_raw(self, text: str) -> tuple[int, int]:
        """Append a line exactly as given (a record a strict CSV reader will reject)."""
        return self._append(text + self.newline)

    def _append(self, text: str) -> tuple[int, int]:
        start = self._line
        self._chunks.append(text)
        self._line += text.count("\n")
        self.records += 1
        return start, self.records

    def encoded(self) -> bytes:
        codec = _CODECS[self.encoding]
        body = "".join(self._chunks)
        parts = body.split(RAW_BYTES)
        data = self.raw_bytes.join(part.encode(codec) for part in parts)
        return _BOMS.get(self.encoding, b"") + data

    def write(self, folder: Path) -> None:
        (folder / self.path).write_bytes(self.encoded())

    def describe(self) -> dict[str, object]:
        return {
            "path": self.path,
            "encoding": self.encoding,
            "bom": self.encoding in _BOMS,
            "delimiter": self.delimiter,
            "newline": self.newline,
            "header": list(self.header),
            "records": self.records,
            "lines": self._line - 1,
        }
