"""Writes rows as LegacyCRM export files: CSV (with deliberately broken lines) and a reproducible XLSX."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from sampledata.demo.common import NOW, Row

_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _quote(value: object) -> str:
    text = "" if value is None else str(value)
    return '"' + text.replace('"', '""') + '"' if _NEEDS_QUOTES.search(text) else text


def render_line(row: Row, columns: Sequence[str]) -> str:
    """One CSV record, quoted as csv.QUOTE_MINIMAL would, except where the row asks to be broken.

    `_raw` maps a column to text written verbatim (an unquoted comma, a stray quote);
    `_truncate` drops that many trailing fields, as an export cut mid-line would.
    """
    raw = row.get("_raw", {})
    fields = [raw[c] if c in raw else _quote(row[c]) for c in columns]
    if row.get("_truncate"):
        fields = fields[: -row["_truncate"]]
    return ",".join(fields) + "\n"


def write_csv(path: Path, columns: Sequence[str], rows: list[Row], encoding: str, bom: bool = False) -> dict[str, list[int]]:
    """Writes the file; returns each record id's 1-based physical line numbers (two for a repeated line)."""
    chunks = [b"\xef\xbb\xbf"] if bom else []
    chunks.append((",".join(columns) + "\n").encode(encoding))
    lines: dict[str, list[int]] = {}
    line_no = 2
    for row in rows:
        text = render_line(row, columns)
        data = text.encode(row.get("_encoding", encoding))
        for _ in range(2 if row.get("_repeated") else 1):
            chunks.append(data)
            lines.setdefault(row[columns[0]], []).append(line_no)
            line_no += text.count("\n")
    path.write_bytes(b"".join(chunks))
    return lines


# Zip entries carry a modification time and openpyxl stamps "modified" with the wall clock; both are pinned
# so that the same seed gives a byte-identical workbook.
_ZIP_TIME = (NOW.year, NOW.month, NOW.day, 0, 0, 0)
_STAMP = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_xlsx(path: Path, sheet: str, columns: Sequence[str], rows: list[Row]) -> None:
    wb = Workbook(write_only=True)
    wb.properties.creator = wb.properties.lastModifiedBy = "LegacyCRM"
    ws = wb.create_sheet(sheet)
    ws.append(list(columns))
    for row in rows:
        ws.append([None if row[c] == "" else row[c] for c in columns])
    buffer = io.BytesIO()
    wb.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + _STAMP.encode(), data)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    path.write_bytes(out.getvalue())
