"""Values written to files a person opens in a spreadsheet: formula injection neutralised (OWASP "CSV injection").

A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula by Excel, LibreOffice
and Google Sheets; a leading apostrophe makes it plain text. Text made only of digits and number punctuation
(`+86 138 0013 8000`, `-12.5`) cannot call a function or reach a cell, and is kept as it is, so phone numbers and
signed numbers arrive in the new CRM intact.

The mapping is reversible (`restore_formula`), so a file can be read back and compared with what was written: text
that already starts with an apostrophe followed by a formula start gets a second one.
"""

from __future__ import annotations

import re
from typing import TypeVar

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A phone number or a signed number, with or without an exponent: nothing a spreadsheet could call.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9][0-9 ()./-]*|(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)")

V = TypeVar("V")


def _runs_as_formula(text: str) -> bool:
    if text.startswith("'"):
        return _runs_as_formula(text[1:])
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def neutralise_formula(value: V) -> V | str:
    """`value`, with a leading apostrophe if a spreadsheet would run it as a formula; non-text values unchanged."""
    if isinstance(value, str) and _runs_as_formula(value):
        return "'" + value
    return value


def restore_formula(value: V) -> V | str:
    """The value `neutralise_formula` was given, from what it returned."""
    if isinstance(value, str) and value.startswith("'") and _runs_as_formula(value[1:]):
        return value[1:]
    return value


def neutralise_column(values: pd.Series) -> pd.Series:
    """neutralise_formula() on every text value of a column; missing values and non-text cells stay as they are."""
    return pd.Series([neutralise_formula(v) for v in values], index=values.index, dtype=object)
