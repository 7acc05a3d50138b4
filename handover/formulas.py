"""Values a spreadsheet would run as formulas, made inert before they are written to a CSV or XLSX file.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which Excel skips before
reading one) can run a formula or a DDE command when the file is opened (CSV injection). Such a value is
written with a leading single quote, which spreadsheets show as text and do not run. Plain numbers
("-5", "+8613800138000") cannot carry a formula and are left as they are.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def neutralise(value: str) -> str:
    """`value`, with a single quote in front when a spreadsheet would read it as a formula."""
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_column(values: pd.Series) -> pd.Series:
    """neutralise() on every text value of a column; missing values and non-text cells stay as they are."""
    return pd.Series([neutralise(v) if isinstance(v, str) else v for v in values], index=values.index, dtype=object)
