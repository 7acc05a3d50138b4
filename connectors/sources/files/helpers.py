"""Reading CSV/XLSX exports: encoding decided on the whole file, delimiter chosen from the header, and
recovery from broken lines.

A broken record is never dropped: it is returned with its line number, a reason and its raw text,
and reading resumes on the next physical line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from connectors.sources.files.encodings import (
    AmbiguousEncoding, EncodingChoice, EncodingProblem, check_declared, describe, detect_encoding, shown,
)
from connectors.sources.files.model import Export, ExportError, Record, header_keys
from connectors.sources.files.settings import CSV_SUFFIXES, DELIMITERS, UTF8_BAD_LINE_SHARE, XLSX_SUFFIXES
from connectors.sources.files.workbook import binary_kind, read_xlsx

__all__ = ["Export", "ExportError", "Record", "detect_encoding", "file_encoding", "read_csv", "read_export", "read_header", "read_xlsx"]

# CRM notes and e-mail bodies run past the csv module's default 128 KB field limit.
csv.field_size_limit(2**31 - 1)

_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_DELIMITER_SAMPLE_LINES = 200
_HEADER_BYTES = 1 << 20


def _raw(text: str, encoding: str) -> str:
    """Readable raw text that still shows undecodable bytes as \\xNN."""
    raw = text.rstrip("\r\n").encode(encoding, errors="surrogateescape")
    return raw.decode(encoding, errors="backslashreplace")


_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes surrogateescape kept


def _has_undecodable(values: list[str]) -> bool:
    return any(_UNDECODABLE.search(value) for value in values)


def choose_delimiter(header_line: str, following: Sequence[str], truncated: bool) -> str:
    """The delimiter that splits the header into most fields and the records below it into as many.

    csv.Sniffer is not used: on a small file whose quoted notes hold tabs, semicolons or line breaks it
    picks a delimiter that breaks the header."""
    best, best_score = ",", (-1.0, 0)
    for delimiter in DELIMITERS:
        width = len(next(csv.reader([header_line], delimiter=delimiter), []))
        if width < 2:
            continue
        records = [r for r in csv.reader(io.StringIO("".join(following)), delimiter=delimiter) if any(c.strip() for c in r)]
        if truncated and records:
            records.pop()  # may be cut inside a quoted field
        fit = sum(len(r) == width for r in records) / len(records) if records else 1.0
        if (fit, width) > best_score:
            best, best_score = delimiter, (fit, width)
    return best


def _parse_csv_lines(lines: list[str], delimiter: str, width: int, start: int, encoding: str, hint: str,
                     undecodable: bool = True) -> Iterator[Record]:
    """Parse physical lines[start:] into records of `width` fields, resyncing after a broken record.
    `undecodable`: whether the text holds any undecodable byte (when not, no record is searched for one)."""
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
                if undecodable and _has_undecodable(values):
                    yield Record(first + 1, None, f"undecodable_bytes: bytes not valid in {encoding}{hint}", _raw("".join(lines[first:first + span]), encoding))
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


def _refuse_non_text(path: Path, data: bytes) -> None:
    if not data.strip(b" \t\r\n\x00").removeprefix(b"\xef\xbb\xbf").strip():
        raise ExportError(f"{path}: the file is empty")
    kind = binary_kind(path, data[:8])
    if kind is None:
        return
    if "password" in kind:
        raise ExportError(f"{path}: this is {kind}, not CSV text; remove the password in Excel and save it as .xlsx or CSV")
    fix = "name it .xlsx" if "XLSX" in kind else "save it as .xlsx or CSV"
    raise ExportError(f"{path}: this is {kind}, not CSV text; {fix}")


def _lines(text: str) -> list[str]:
    lines = [line + "\n" for line in _LINE_BREAK.split(text)]
    if lines and lines[-1] == "\n":
        lines.pop()
    return lines


def _column_at(data: bytes, encoding: str, line: int, sample: str) -> str:
    """', column NAME' of the field on physical `line` holding `sample`, or '' when it cannot be told."""
    try:
        lines = _lines(data.decode(encoding, "replace"))
        header_at = next(n for n, text in enumerate(lines) if text.strip())
        delimiter = choose_delimiter(lines[header_at], lines[header_at + 1:header_at + 1 + _DELIMITER_SAMPLE_LINES], True)
        header = next(csv.reader([lines[header_at]], delimiter=delimiter))
        values = next(csv.reader([lines[line - 1]], delimiter=delimiter))
        at = next(i for i, v in enumerate(values) if sample in v)
    except (StopIteration, IndexError, csv.Error):
        return ""
    return f", column {header[at].strip()!r}" if at < len(header) else ""


def _ambiguity(path: Path, data: bytes, problem: AmbiguousEncoding) -> str:
    """The refusal, naming the line and column where the candidate encodings disagree."""
    first = problem.readings[0]
    column = _column_at(data, first.encodings[0], problem.line, first.sample) if problem.line >= 1 and first.sample else ""
    return (f"{path}: cannot tell which encoding this file is in: {problem.not_utf8}, and it reads as text in several code pages "
            f"that disagree (line {problem.line}{column}: {shown(problem.readings)}). Set `encoding:` for this file to the one "
            f"that reads it right (e.g. `encoding: {first.encodings[0]}`), or set the source's `default_region` to the country "
            "the export comes from")


@lru_cache(maxsize=64)
def _cached_choice(path: Path, size: int, mtime_ns: int, region: str | None) -> EncodingChoice:
    data = path.read_bytes()
    _refuse_non_text(path, data)
    try:
        return detect_encoding(data, region)
    except AmbiguousEncoding as exc:
        raise ExportError(_ambiguity(path, data, exc)) from None
    except EncodingProblem as exc:
        raise ExportError(f"{path}: {exc}; set `encoding:` for this file") from None


def file_encoding(path: Path, encoding: str = "auto", region: str | None = None) -> EncodingChoice:
    """The encoding a CSV export is read with, and why (decided on the whole file, cached per file version)."""
    if encoding != "auto":
        return EncodingChoice(encoding, "declared in the spec")
    stat = path.stat()
    return _cached_choice(path, stat.st_size, stat.st_mtime_ns, region)


def _declared(path: Path, data: bytes, encoding: str, region: str | None) -> str:
    """A hint for undecodable lines under a declared encoding; refuses the file when most of it does not fit
    and another encoding reads it whole."""
    bad, total, better = check_declared(data, encoding, region)
    if not bad:
        return ""
    if better is None:
        return ""
    if bad > max(1, int(total * UTF8_BAD_LINE_SHARE)):
        first = next(n for n, line in enumerate(data.split(b"\n"), start=1) if not _decodes_line(line, encoding))
        raise ExportError(f"{path}: the declared encoding {encoding} does not fit: {bad} of {total} lines hold bytes that are not "
                          f"{encoding} (first at line {first}); the whole file reads cleanly as {describe(better)}: set `encoding: {better}`")
    return f" (the whole file reads as {better}: set `encoding: {better}`)"


def _decodes_line(line: bytes, encoding: str) -> bool:
    try:
        line.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def read_csv(path: Path, encoding: str = "auto", region: str | None = None) -> Export:
    data = path.read_bytes()
    _refuse_non_text(path, data)
    choice = file_encoding(path, encoding, region)
    hint = _declared(path, data, encoding, region) if encoding != "auto" else ""
    text = data.decode(choice.encoding, errors="surrogateescape").lstrip("\ufeff")
    lines = _lines(text)
    header_at, delimiter, header = _header(path, lines)
    export = Export(path, choice.encoding, header, header_keys(header), encoding_reason=choice.reason, delimiter=delimiter)
    undecodable = _UNDECODABLE.search(text) is not None
    export.records = list(_parse_csv_lines(lines, delimiter, len(header), header_at + 1, choice.encoding, hint, undecodable))
    return export


def _header(path: Path, lines: list[str], truncated: bool = False) -> tuple[int, str, list[str]]:
    """(index of the header line, delimiter, header names)."""
    header_at = next((n for n, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        raise ExportError(f"{path}: the file is empty")
    following = lines[header_at + 1:header_at + 1 + _DELIMITER_SAMPLE_LINES]
    delimiter = choose_delimiter(lines[header_at], following, truncated or len(lines) > header_at + 1 + _DELIMITER_SAMPLE_LINES)
    return header_at, delimiter, [h.strip() for h in next(csv.reader([lines[header_at]], delimiter=delimiter), [])]


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise ExportError(f"{path}: file not found")
    if path.is_dir():
        raise ExportError(f"{path}: is a folder, not an export file")


def read_export(path: Path, encoding: str = "auto", sheet: str | None = None, region: str | None = None,
                columns: Sequence[str] = ()) -> Export:
    """Every record of one export file. `region` (ISO 3166) ranks the encodings `auto` considers;
    `columns` are those the migration needs: a workbook is read from the sheet that has them."""
    _check_exists(path)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, sheet, columns=columns)
    if suffix in CSV_SUFFIXES:
        return read_csv(path, encoding, region)
    raise ExportError(f"{path}: unsupported file type {suffix!r}; use {', '.join(CSV_SUFFIXES + XLSX_SUFFIXES)}")


def read_header(path: Path, encoding: str = "auto", sheet: str | None = None, region: str | None = None,
                columns: Sequence[str] = ()) -> list[str]:
    """The header of an export, without parsing its records (for checking a spec). The encoding is decided
    on the whole file, as for reading it."""
    _check_exists(path)
    if path.suffix.lower() in XLSX_SUFFIXES:
        return read_xlsx(path, sheet, header_only=True, columns=columns).header
    return _csv_head(path, encoding, region)[1]


def csv_delimiter(path: Path, encoding: str = "auto", region: str | None = None) -> str:
    """The delimiter a CSV export is read with, chosen from its header as for reading it."""
    _check_exists(path)
    return _csv_head(path, encoding, region)[0]


def _csv_head(path: Path, encoding: str, region: str | None) -> tuple[str, list[str]]:
    data = path.read_bytes()
    _refuse_non_text(path, data)
    choice = file_encoding(path, encoding, region)
    head = data[:_HEADER_BYTES] + data[_HEADER_BYTES:].split(b"\n", 1)[0]  # the header needs no more than the start
    _, delimiter, header = _header(path, _lines(head.decode(choice.encoding, errors="replace").lstrip("\ufeff")), truncated=len(head) < len(data))
    return delimiter, header
