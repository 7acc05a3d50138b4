"""Numbers, integers and booleans."""

from __future__ import annotations

import decimal
import math
import re
from decimal import Decimal

import numpy as np
import pandas as pd

from handover.cleaning.base import Distinct, Normalised, Triple, clean_one_text, per_distinct_text

_CURRENCY = r"(?:US\$|HK\$|NT\$|RMB|CNY|USD|EUR|GBP|JPY|HKD|[¥$€£₩₹元])"
_NUMBER = re.compile(
    rf"(?P<neg>-)?\s*(?P<cur1>{_CURRENCY})?\s*(?P<open>\()?\s*(?P<cur2>{_CURRENCY})?\s*"
    r"(?P<sign>[+-])?\s*(?P<digits>[0-9][0-9,]*(?:\.[0-9]*)?|\.[0-9]+)(?P<exp>[eE][+-]?[0-9]{1,3})?"
    rf"\s*(?P<unit>[万亿])?\s*(?P<cur3>{_CURRENCY})?\s*(?P<close>\))?\s*(?P<cur4>{_CURRENCY})?",
    re.ASCII,
)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?", re.ASCII)
_UNITS = {"万": 10_000, "亿": 100_000_000}
_INT64_LIMIT = 2**63  # what the target systems store; "1e999" is not an integer anyone meant

_TRUE = frozenset({"true", "yes", "y", "1", "是", "active", "enabled"})
_FALSE = frozenset({"false", "no", "n", "0", "否", "inactive", "disabled"})


def _parse_number_text(text: str) -> tuple[Decimal | None, str | None]:
    """(exact value, most significant rule) of a number written as text, or (None, None)."""
    m = _NUMBER.fullmatch(text)
    if m is None:
        return None, None
    currencies = sum(m[g] is not None for g in ("cur1", "cur2", "cur3", "cur4"))
    signs = (m["neg"] is not None) + (m["sign"] is not None) + (m["open"] is not None)
    if currencies > 1 or signs > 1 or (m["open"] is None) != (m["close"] is None):
        return None, None
    digits = m["digits"]
    if "," in digits:
        # Only thousands groups; "1,5" or "1.234,56" could be a decimal comma, which we do not guess.
        if not _GROUPED.fullmatch(digits):
            return None, None
        digits = digits.replace(",", "")
    negative = m["neg"] is not None or m["open"] is not None or m["sign"] == "-"
    try:
        value = Decimal(digits + (m["exp"] or ""))
    except decimal.InvalidOperation:
        return None, None
    if m["unit"]:
        value *= _UNITS[m["unit"]]
    if negative:
        value = -value
    if m["unit"]:
        return value, "cn_unit"
    if m["open"]:
        return value, "accounting_negative"
    if currencies:
        return value, "currency"
    if "," in m["digits"]:
        return value, "thousands_separator"
    return value, None


def _parse_numbers(uniques: np.ndarray) -> tuple[list[Decimal | float | None], list[str | None], list[bool]]:
    """(value, rule, blank) per distinct value: exact Decimal for text, the number itself for numeric
    cells, None where not a finite number; blank marks whitespace-only text (empty, not a problem)."""
    values: list[Decimal | float | None] = []
    rules: list[str | None] = []
    blanks: list[bool] = []
    for raw in uniques:
        value: Decimal | float | None = None
        rule: str | None = None
        blank = False
        if isinstance(raw, (int, np.integer)) and not isinstance(raw, (bool, np.bool_)):
            value = Decimal(int(raw))
        elif isinstance(raw, Decimal):
            value = raw if raw.is_finite() else None
        elif isinstance(raw, (float, np.floating)):
            value = float(raw) if math.isfinite(raw) else None
        elif type(raw) is str:
            text, text_rule = clean_one_text(raw)
            blank = text is None
            if text is not None:
                value, rule = _parse_number_text(text)
                rule = rule or text_rule
        values.append(value)
        rules.append(rule)
        blanks.append(blank)
    return values, rules, blanks


def clean_number(s: pd.Series) -> Normalised:
    """Values are Python floats. Accepts thousands commas, currency marks, "(250)", 万 and 亿."""
    distinct = Distinct.of(s)
    parsed, rules, blank = _parse_numbers(distinct.uniques)
    values = [float(v) if v is not None else None for v in parsed]
    values = [v if v is None or math.isfinite(v) else None for v in values]
    problems = [None if v is not None or b else "invalid_number" for v, b in zip(values, blank)]
    rules = [r if v is not None else None for r, v in zip(rules, values)]
    return distinct.result(values, problems, rules)


def clean_integer(s: pd.Series) -> Normalised:
    """Like clean_number, but values are exact Python ints within the int64 range; anything else,
    fractions included, is "invalid_integer"."""
    distinct = Distinct.of(s)
    parsed, rules, blank = _parse_numbers(distinct.uniques)
    values: list[int | None] = []
    for v in parsed:
        exact = v if v is None or isinstance(v, Decimal) else Decimal(v)
        integral = exact is not None and exact == exact.to_integral_value() and abs(exact) < _INT64_LIMIT
        values.append(int(exact) if integral else None)
    problems = [None if v is not None or b else "invalid_integer" for v, b in zip(values, blank)]
    rules = [r if v is not None else None for r, v in zip(rules, values)]
    return distinct.result(values, problems, rules)


def clean_boolean(s: pd.Series) -> Normalised:
    """True/False from yes/no-like words (case-insensitive), 1/0 and 是/否."""
    def one(text: str, text_rule: str | None) -> Triple:
        key = text.casefold()
        value = True if key in _TRUE else False if key in _FALSE else None
        if value is None:
            return None, "invalid_boolean", None
        return value, None, text_rule if key in ("true", "false") and text == key else "boolean"

    return per_distinct_text(s, one)
