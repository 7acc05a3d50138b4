"""Reading CSV/XLSX exports: encoding detection, delimiter sniffing, and recovery from broken lines.

A broken record is never dropped: it is returned with its line number, a reason and its raw text,
and reading resumes on the next physical line.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from handover.naming import column_key
from connectors.sources.files.settings import CSV_SUFFIXES, DELIMITERS, UTF8_BAD_LINE_SHARE, XLSX_SUFFIXES

_LINE_BREAK = re.compile(r"\r\n|\n|\r")


class ExportError(Exception):
    """A file-level problem a user must fix (missing file, unreadable workbook, no header)."""


@dataclass
class Record:
    line: int
    values: list[str | None] | None
    error: str | None = None
    raw_text: str | None = None


@dataclass
class Export:
    path: Path
    encoding: str | None
    header: list[str]
    keys: list[str]
    records: list[Record] = field(default_factory=list)


def detect_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    bad = utf8_text = 0
    for line in lines:
        try:
            line.decode("utf-8")
            utf8_text += not line.isascii()
        except UnicodeDecodeError:
            bad += 1
    if utf8_text and bad <= max(1, int(len(lines) * UTF8_BAD_LINE_SHARE)):
        return "utf-8"  # a few corrupt lines in a file that is otherwise UTF-8: quarantine them, don't guess
    for candidate in ("gb18030", "utf-16"):
        try:
            data.decode(candidate)
            return candidate
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return best.encoding if best else "latin-1"


def _header_keys(header: list[str]) -> list[str]:
    keys: list[str] = []
    for name in header:
        key = column_key(name)
        candidate, n = key, 2
        while candidate in keys:
            candidate, n = f"{key}_{n}", n + 1
        keys.append(candidate)
    return keys


def _raw(text: str, encoding: str) -> str:
    """Readable raw text that still shows undecodable bytes as \\xNN."""
    raw = text.rstrip("\r\n").encode(encoding, errors="surrogateescape")
    return raw.decode(encoding, errors="backslashreplace")


def _has_undecodable(values: list[str]) -> bool:
    return any("\udc80" <= ch <= "\udcff" for value in values for ch in value)


def _sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _parse_csv_lines(lines: list[str], delimiter: str, width: int, start: int, encoding: str) -> Iterator[Record]:
    """Parse physical lines[start:] into records of `width` fields, resyncing after a broken record."""
    i = start
    while i < len(lines):
        reader = csv.reader(iter(lines[i:]), delimiter=delimiter, strict=True)
        consumed = 0
        try:
            for values in reader:
                first = i + consumed
                span = reader.line_num - consumed
                consumed = reader.line_num
                if span == 1 and "".join(values).strip() == "" and len(values) <= 1:
                    continue  # a blank line is not a record
                if _has_undecodable(values):
                    yield Record(first + 1, None, "undecodable_bytes: bytes not valid in " + encoding, _raw("".join(lines[first:first + span]), encoding))
                    continue
                if len(values) != width:
                    yield Record(first + 1, None, f"field_count: expected {width} fields, found {len(values)}", _raw(lines[first], encoding))
                    if span > 1:  # a stray quote swallowed the following lines: read them again
                        i = first + 1
                        break
                    continue
                yield Record(first + 1, values)
            else:
                return
        except csv.Error as exc:
            first = i + consumed
            yield Record(first + 1, None, f"malformed_csv: {exc}", _raw(lines[first], encoding))
            i = first + 1


def read_csv(path: Path, encoding: str = "auto") -> Export:
    data = path.read_bytes()
    chosen = detect_encoding(data) if encoding == "auto" else encoding
    text = data.decode(chosen, errors="surrogateescape")
    text = text.lstrip("\ufeff")
    lines = [m for m in _LINE_BREAK.split(text)]
    lines = [line + "\n" for line in lines]
    if lines and lines[-1] == "\n":
        lines.pop()
    header_at = next((n for n, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        raise ExportError(f"{path}: the file is empty (no header line)")
    delimiter = _sniff_delimiter("".join(lines[header_at:header_at + 20]))
    header = next(csv.reader([lines[header_at]], delimiter=delimiter))
    header = [h.strip() for h in header]
    export = Export(path, chosen, header, _header_keys(header))
    export.records = list(_parse_csv_lines(lines, delimiter, len(header), header_at + 1, chosen))
    return export


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _open_sheet(path: Path, sheet: str | None):
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ExportError(f"{path}: not a readable XLSX workbook: {exc}") from None
    if sheet is not None and sheet not in book.sheetnames:
        book.close()
        raise ExportError(f"{path}: no worksheet {sheet!r}; sheets: {', '.join(book.sheetnames)}")
    return book, (book[sheet] if sheet else book.worksheets[0])


def _xlsx_rows(rows) -> Iterator[tuple[int, list[str | None]]]:
    """(row number, cells without trailing empties) for every non-empty row."""
    for number, row in enumerate(rows.iter_rows(values_only=True), start=1):
        cells = [_cell(v) for v in row]
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if cells:
            yield number, cells


def read_xlsx(path: Path, sheet: str | None = None, header_only: bool = False) -> Export:
    book, rows = _open_sheet(path, sheet)
    try:
        export: Export | None = None
        for number, cells in _xlsx_rows(rows):
            if export is None:
                header = [str(c or "").strip() for c in cells]
                export = Export(path, None, header, _header_keys(header))
                if header_only:
                    break
                continue
            width = len(export.header)
            if len(cells) > width:
                export.records.append(Record(number, None, f"field_count: expected {width} fields, found {len(cells)}", "\t".join(c or "" for c in cells)))
                continue
            export.records.append(Record(number, cells + [None] * (width - len(cells))))
    finally:
        book.close()
    if export is None:
        raise ExportError(f"{path}: the worksheet is empty (no header row)")
    return export


def read_export(path: Path, encoding: str = "auto", sheet: str | None = None) -> Export:
    if not path.exists():
        raise ExportError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, sheet)
    if suffix in CSV_SUFFIXES:
        return read_csv(path, encoding)
    raise ExportError(f"{path}: unsupported file type {suffix!r}; use {', '.join(CSV_SUFFIXES + XLSX_SUFFIXES)}")


def read_header(path: Path, encoding: str = "auto", sheet: str | None = None) -> list[str]:
    """The header of an export, without parsing its records (for checking a spec)."""
    if not path.exists():
        raise ExportError(f"{path}: file not found")
    if path.suffix.lower() in XLSX_SUFFIXES:
        return read_xlsx(path, sheet, header_only=True).header
    with path.open("rb") as handle:
        data = handle.read(1 << 16)
        truncated = bool(handle.read(1))
    sample = data
    if truncated and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\n" in data:
        sample = data[:data.rindex(b"\n") + 1]  # a character cut at the chunk's end must not sway detection
    chosen = detect_encoding(sample) if encoding == "auto" else encoding
    text = data.decode(chosen, errors="replace").lstrip("\ufeff")
    first = next((line for line in _LINE_BREAK.split(text) if line.strip()), "")
    return [h.strip() for h in next(csv.reader([first], delimiter=_sniff_delimiter(text[:4096])), [])]
