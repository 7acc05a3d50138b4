"""Reading XLSX exports: the sheet that holds the data, merged cells, and files that are not what they say.

A merged range shows one value across its cells; openpyxl gives it only to the top-left cell. Each other
cell of the range is filled with that value, and the export's notes say which ranges were filled.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from openpyxl.utils.cell import range_boundaries

from connectors.sources.files.model import Export, ExportError, Record, header_keys
from handover.naming import column_key

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: legacy .xls, or an encrypted OOXML workbook
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_MERGE_CHUNK = 1 << 20
_NOTE_RANGES = 10  # merged ranges named in a note; the rest are counted


def binary_kind(path: Path, head: bytes) -> str | None:
    """What a file that is not text is, by its first bytes: a message fragment, or None."""
    if head.startswith(ZIP_MAGIC):
        return "an Excel workbook (XLSX, a ZIP archive)"
    if head.startswith(OLE_MAGIC):
        data = path.read_bytes()
        if "EncryptedPackage".encode("utf-16-le") in data:
            return "a password-protected (encrypted) Excel workbook"
        return "an old-format Excel workbook (.xls) or another Office binary file"
    return None


def _refuse_non_workbook(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise ExportError(f"{path}: the file is empty")
    if head.startswith(OLE_MAGIC):
        kind = binary_kind(path, head)
        if kind and "password" in kind:
            raise ExportError(f"{path}: the workbook is password-protected; open it in Excel, remove the password "
                              "(File > Info > Protect Workbook > Encrypt with Password, clear it), save it, and run again")
        raise ExportError(f"{path}: {kind}, which cannot be read; save it as .xlsx or CSV")
    if not head.startswith(ZIP_MAGIC):
        raise ExportError(f"{path}: not an XLSX workbook: it holds no ZIP archive (is it CSV text? then name it .csv)")


def _open_book(path: Path) -> Any:
    from openpyxl import load_workbook

    _refuse_non_workbook(path)
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise ExportError(f"{path}: not a readable XLSX workbook: {exc}") from None


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


def _merged_ranges(sheet: Any) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every merged range, read from the sheet's XML in chunks."""
    try:
        source = sheet._get_source()  # read-only worksheets do not parse <mergeCells>; the XML has them
    except AttributeError:
        return []
    found: list[tuple[int, int, int, int]] = []
    tail = b""
    with source:
        while chunk := source.read(_MERGE_CHUNK):
            data = tail + chunk
            found += [tuple(range_boundaries(m[1].decode())) for m in _MERGE_CELL.finditer(data)]  # type: ignore[misc]
            tail = data[-200:]  # a tag cut by the chunk's end is whole in the next round; repeats are dropped below
    return list(dict.fromkeys(found))


class _MergeFiller:
    """Fills the non-anchor cells of merged ranges with the anchor's value, row by row."""

    def __init__(self, ranges: list[tuple[int, int, int, int]]):
        self.by_row: dict[int, list[tuple[int, int, int, int]]] = {}
        for bounds in ranges:
            min_col, min_row, max_col, max_row = bounds
            if (min_col, min_row) == (max_col, max_row):
                continue
            for row in range(min_row, max_row + 1):
                self.by_row.setdefault(row, []).append(bounds)
        self.anchors: dict[tuple[int, int], str | None] = {}
        self.filled: dict[tuple[int, int, int, int], int] = {}

    def fill(self, number: int, cells: list[str | None]) -> list[str | None]:
        for bounds in self.by_row.get(number, ()):
            min_col, min_row, max_col, _ = bounds
            if number == min_row:
                self.anchors[bounds] = cells[min_col - 1] if min_col <= len(cells) else None
            value = self.anchors.get(bounds)
            if value is None:
                continue
            if len(cells) < max_col:
                cells = cells + [None] * (max_col - len(cells))
            for col in range(min_col, max_col + 1):
                if (number, col) != (min_row, min_col) and cells[col - 1] in (None, ""):
                    cells[col - 1] = value
                    self.filled[bounds] = self.filled.get(bounds, 0) + 1
        return cells

    def note(self, sheet: str) -> str | None:
        if not self.filled:
            return None
        from openpyxl.utils import get_column_letter

        def name(b: tuple[int, int, int, int]) -> str:
            return f"{get_column_letter(b[0])}{b[1]}:{get_column_letter(b[2])}{b[3]}"

        shown = [name(b) for b in sorted(self.filled, key=lambda b: (b[1], b[0]))[:_NOTE_RANGES]]
        more = len(self.filled) - len(shown)
        cells = sum(self.filled.values())
        return (f"sheet {sheet!r}: {cells} cell{'s' if cells > 1 else ''} inside merged ranges filled with the value of "
                f"each range's top-left cell: {', '.join(shown)}" + (f" and {more} more ranges" if more else ""))


def _rows(sheet: Any, filler: _MergeFiller | None = None) -> Iterator[tuple[int, list[str | None]]]:
    """(row number, cells without trailing empties) for every non-empty row."""
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_cell(v) for v in row]
        if filler is not None:
            cells = filler.fill(number, cells)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if cells:
            yield number, cells


def _header_of(sheet: Any) -> list[str]:
    for _, cells in _rows(sheet):
        return [str(c or "").strip() for c in cells]
    return []


def _choose_sheet(path: Path, book: Any, columns: Sequence[str]) -> tuple[Any, str | None]:
    """The first sheet, unless it lacks the needed columns and exactly one other sheet has them all."""
    first = book.worksheets[0]
    if not columns or len(book.worksheets) == 1:
        return first, None
    wanted = [column_key(c) for c in columns]
    lacks: dict[str, list[str]] = {}
    for sheet in book.worksheets:
        keys = {column_key(h) for h in _header_of(sheet)}
        lacks[sheet.title] = [c for c, k in zip(columns, wanted) if k not in keys]
        if sheet is first and not lacks[sheet.title]:
            return first, None
    fitting = [name for name, missing in lacks.items() if not missing]
    if len(fitting) == 1:
        return book[fitting[0]], f"read sheet {fitting[0]!r}: the first sheet {first.title!r} lacks the spec's columns"
    if fitting:
        raise ExportError(f"{path}: sheets {', '.join(map(repr, fitting))} all have the spec's columns; say which to read with `sheet:`")
    described = "; ".join(f"{name!r} lacks {', '.join(missing)}" if len(missing) < len(columns) else f"{name!r} has none of them"
                          for name, missing in lacks.items())
    raise ExportError(f"{path}: no sheet has every column the spec needs ({', '.join(columns)}): {described}")


def read_xlsx(path: Path, sheet: str | None = None, header_only: bool = False, columns: Sequence[str] = ()) -> Export:
    book = _open_book(path)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ExportError(f"{path}: no worksheet {sheet!r}; sheets: {', '.join(book.sheetnames)}")
        rows, chosen_note = (book[sheet], None) if sheet is not None else _choose_sheet(path, book, columns)
        filler = None if header_only else _MergeFiller(_merged_ranges(rows))
        export: Export | None = None
        for number, cells in _rows(rows, filler):
            if export is None:
                header = [str(c or "").strip() for c in cells]
                export = Export(path, None, header, header_keys(header), sheet=rows.title)
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
        raise ExportError(f"{path}: the worksheet {rows.title!r} is empty (no header row)")
    export.notes += [n for n in (chosen_note, filler.note(rows.title) if filler else None) if n]
    return export
