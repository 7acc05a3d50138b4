"""Values as import files hold them, and the files themselves: CSV in UTF-8 with a BOM, XLSX, written atomically.

Every value is kept as the text the file holds ("" for empty), so what was written can be read back and compared
exactly; the XLSX holds numbers as numbers and everything else as the same text as the CSV.
"""

from __future__ import annotations

import hashlib
import os
import re
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from handover.exports import neutralise_formula, restore_formula
from handover.frames import is_missing

NUMERIC = ("number", "integer")
EXCEL_MAX_CHARS = 32_767
EXCEL_MAX_ROWS = 1_048_576


def to_text(value: object, kind: str) -> str:
    """The import file's text for one value of a Handover field type."""
    if is_missing(value):
        return ""
    if kind == "number":
        return np.format_float_positional(float(value), trim="-")
    if kind == "integer":
        return str(int(value))
    if kind == "boolean":
        return "true" if bool(value) else "false"
    if kind == "date":
        parsed = pd.Timestamp(value)
        return parsed.strftime("%Y-%m-%d")
    if kind == "datetime":
        parsed = pd.Timestamp(value)
        parsed = parsed.tz_localize("UTC") if parsed.tzinfo is None else parsed.tz_convert("UTC")
        return parsed.isoformat().replace("+00:00", "Z")
    return str(neutralise_formula(value if isinstance(value, str) else str(value)))


def from_text(text: str, kind: str) -> object:
    """The value `to_text` was given (up to the type's own precision)."""
    if text == "":
        return None
    if kind == "number":
        return float(text)
    if kind == "integer":
        return int(text)
    if kind == "boolean":
        return text == "true"
    if kind in ("date", "datetime"):
        return text
    return restore_formula(text)


def column_text(values: pd.Series, kind: str) -> pd.Series:
    return pd.Series([to_text(v, kind) for v in values.astype(object)], index=values.index, dtype=object)


def row_versions(frame: pd.DataFrame) -> pd.Series:
    """A version stamp per row: a hash of the text the files hold for it."""
    return pd.Series([hashlib.sha256("\x1f".join(map(str, row)).encode()).hexdigest()[:16] for row in frame.itertuples(index=False, name=None)],
                     index=frame.index, dtype=object)


def natural_key(values: pd.Series) -> pd.Series:
    """Sort key that puts C2 before C10."""
    return values.astype(str).map(lambda v: re.sub(r"\d+", lambda m: m.group().zfill(20), v))


def _replace(path: Path, write) -> None:
    partial = path.with_name(path.name + ".partial")
    write(partial)
    os.replace(partial, path)


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    # The BOM makes Excel read the file as UTF-8 (Chinese names stay readable); importers skip it.
    _replace(path, lambda p: frame.to_csv(p, index=False, encoding="utf-8-sig", lineterminator="\n"))


def read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame()
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8-sig").astype(object)


def write_xlsx(path: Path, frame: pd.DataFrame, numeric_headers: set[str], sheet: str) -> None:
    def write(target: Path) -> None:
        book = Workbook(write_only=True)
        ws = book.create_sheet(sheet[:31])
        ws.append(list(frame.columns))
        numeric = [c in numeric_headers for c in frame.columns]
        for row in frame.itertuples(index=False, name=None):
            ws.append([None if v == "" else (float(v) if "." in v else int(v)) if is_number else xlsx_text(v)
                       for v, is_number in zip(row, numeric)])
        book.save(target)

    _replace(path, write)


def xlsx_text(text: str) -> str:
    """What an XLSX cell can hold of a text: control characters other than tab and line breaks are dropped."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def read_xlsx(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame()
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    if not rows:
        return pd.DataFrame()
    header, body = [str(h) for h in rows[0]], rows[1:]
    width = len(header)  # a row's trailing empty cells are not stored
    return pd.DataFrame([[_cell(v) for v in row[:width]] + [""] * (width - len(row)) for row in body], columns=header, dtype=object)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return np.format_float_positional(value, trim="-")
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)
