"""Numbers, integers and booleans; amounts written with currency marks and any common digit grouping.

Digit groups (first match wins; the value is exact):
- `1234.5`, `.5`: a decimal point. `1.234` is one point two three four, as in English.
- `1,234,567.89`: comma groups of three, decimal point.
- `1.234.567,89`, `1.234,5`: dot groups of three, decimal comma.
- `1 234 567,89`, `1 234.5` (space, no-break or narrow no-break space) and `1'234.50` (Swiss) groups.
- `1,5`, `1234,50`: a lone comma not followed by exactly three digits is a decimal comma.
Signs: `-5`, `+5`, `(5)` (accounting), `5-` (trailing, as SAP writes). Units: 万 (10^4), 亿 (10^8).
A currency (ISO code, symbol or alias, before or after, one per value) is read by `amount_currency`.
"""

from __future__ import annotations

import decimal
import math
import re
from decimal import Decimal
from functools import cache

import numpy as np
import pandas as pd

from handover.cleaning.base import Distinct, Normalised, Triple, clean_one_text, per_distinct_text

# Marks that name one currency, and those shared by several (read by the source's region, else the first).
_CURRENCY_MARKS = {
    "US$": "USD", "HK$": "HKD", "NT$": "TWD", "S$": "SGD", "A$": "AUD", "C$": "CAD", "R$": "BRL", "NZ$": "NZD",
    "€": "EUR", "£": "GBP", "₩": "KRW", "₹": "INR", "₽": "RUB", "₺": "TRY", "₫": "VND", "₱": "PHP", "฿": "THB",
    "元": "CNY", "人民币": "CNY", "RMB": "CNY", "円": "JPY", "zł": "PLN", "Kč": "CZK", "Fr.": "CHF",
}
_SHARED_MARKS: dict[str, dict[str, str]] = {  # mark -> region -> currency; "" is the default
    "$": {"": "USD", "CA": "CAD", "AU": "AUD", "NZ": "NZD", "HK": "HKD", "SG": "SGD", "TW": "TWD", "MX": "MXN",
          "AR": "ARS", "CL": "CLP", "CO": "COP"},
    "¥": {"": "CNY", "JP": "JPY"},
    "￥": {"": "CNY", "JP": "JPY"},
}
_UNITS = {"万": 10_000, "亿": 100_000_000}
_INT64_LIMIT = 2**63  # what the target systems store; "1e999" is not an integer anyone meant

_TRUE = frozenset({"true", "yes", "y", "1", "是", "active", "enabled"})
_FALSE = frozenset({"false", "no", "n", "0", "否", "inactive", "disabled"})

_SPACE = "[\\s\u00a0\u202f]*"
_DIGIT_FORMS = (  # (pattern, grouping characters to drop, decimal separator, rule)
    (re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+"), "", ".", None),
    (re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"), ",", ".", "thousands_separator"),
    (re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?"), ".", ",", "thousands_separator"),
    (re.compile("[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+(?:[.,][0-9]+)?"), " \u00a0\u202f", ".,", "thousands_separator"),
    (re.compile("[0-9]{1,3}(?:['\u2019][0-9]{3})+(?:\\.[0-9]+)?"), "'\u2019", ".", "thousands_separator"),
    (re.compile(r"[0-9]+,[0-9]+"), "", ",", "decimal_comma"),
)


@cache
def _number_pattern() -> re.Pattern[str]:
    import pycountry

    marks = sorted({*(c.alpha_3 for c in pycountry.currencies), *_CURRENCY_MARKS, *_SHARED_MARKS}, key=len, reverse=True)
    currency = "(?:" + "|".join(re.escape(m) for m in marks) + ")"
    return re.compile(
        rf"(?P<neg>-)?{_SPACE}(?P<cur1>{currency})?{_SPACE}(?P<open>\()?{_SPACE}(?P<cur2>{currency})?{_SPACE}"
        rf"(?P<sign>[+-])?{_SPACE}(?P<digits>[0-9][0-9,.'\u2019 \u00a0\u202f]*[0-9]\.?|[0-9]\.?|\.[0-9]+)"
        rf"(?P<exp>[eE][+-]?[0-9]{{1,3}})?{_SPACE}(?P<unit>[万亿])?{_SPACE}(?P<cur3>{currency})?{_SPACE}"
        rf"(?P<close>\))?{_SPACE}(?P<cur4>{currency})?{_SPACE}(?P<trail>-)?"
    )


def _digits(text: str) -> tuple[str, str | None] | None:
    """(plain decimal string, rule) for the digit forms the module lists, or None."""
    for pattern, grouping, decimal_marks, rule in _DIGIT_FORMS:
        if pattern.fullmatch(text):
            plain = text.translate({ord(c): None for c in grouping})
            for mark in decimal_marks:
                plain = plain.replace(mark, ".")
            return plain, rule
    return None


def _parse_number_text(text: str) -> tuple[Decimal | None, str | None, str | None]:
    """(exact value, most significant rule, currency mark as written) of a number written as text."""
    m = _number_pattern().fullmatch(text)
    if m is None:
        return None, None, None
    marks = [m[g] for g in ("cur1", "cur2", "cur3", "cur4") if m[g] is not None]
    signs = sum(m[g] is not None for g in ("neg", "sign", "open", "trail"))
    if len(marks) > 1 or signs > 1 or (m["open"] is None) != (m["close"] is None):
        return None, None, None
    read = _digits(m["digits"])
    if read is None:
        return None, None, None
    digits, digits_rule = read
    try:
        value = Decimal(digits + (m["exp"] or ""))
    except decimal.InvalidOperation:
        return None, None, None
    if m["unit"]:
        value *= _UNITS[m["unit"]]
    if m["neg"] or m["open"] or m["trail"] or m["sign"] == "-":
        value = -value
    mark = marks[0] if marks else None
    rule = "cn_unit" if m["unit"] else "accounting_negative" if m["open"] or m["trail"] else "currency" if mark else digits_rule
    return value, rule, mark


def currency_code(mark: str, region: str | None = None) -> str | None:
    """ISO 4217 code of a currency mark, alias or code ("€", "RMB", "usd"); shared marks ($, ¥) by region."""
    if mark in _SHARED_MARKS:
        by_region = _SHARED_MARKS[mark]
        return by_region.get((region or "").upper(), by_region[""])
    if mark in _CURRENCY_MARKS:
        return _CURRENCY_MARKS[mark]
    import pycountry

    found = pycountry.currencies.get(alpha_3=mark.upper()) if len(mark) == 3 and mark.isalpha() else None
    return found.alpha_3 if found else _CURRENCY_MARKS.get(mark.upper())


def currencies_of_mark(mark: str) -> frozenset[str]:
    """Every currency a mark can stand for: several for $ and ¥, one for the others."""
    if mark in _SHARED_MARKS:
        return frozenset(_SHARED_MARKS[mark].values())
    code = currency_code(mark)
    return frozenset({code}) if code else frozenset()


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
                value, rule, _ = _parse_number_text(text)
                rule = rule or text_rule
        values.append(value)
        rules.append(rule)
        blanks.append(blank)
    return values, rules, blanks


def clean_number(s: pd.Series) -> Normalised:
    """Values are Python floats. Accepts the digit groups, signs, units and currency marks the module lists."""
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


def amount_currencies(s: pd.Series, region: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Per row of raw amounts: (ISO code of the currency written with the amount, the codes its mark may
    stand for); None and an empty set where no currency is written or the amount is not a number."""
    distinct = Distinct.of(s)
    codes: list[str | None] = []
    compatible: list[frozenset[str]] = []
    for raw in distinct.uniques:
        text = clean_one_text(raw)[0] if type(raw) is str else None
        value, _, mark = _parse_number_text(text) if text else (None, None, None)
        codes.append(currency_code(mark, region) if mark and value is not None else None)
        compatible.append(currencies_of_mark(mark) if mark and value is not None else frozenset())
    found = distinct.spread(codes)
    sets = distinct.spread(compatible).map(lambda v: v if isinstance(v, frozenset) else frozenset())
    return found, sets


def currency_against_amount(amount: pd.Series, currency: pd.Series | None, region: str | None = None) -> tuple[pd.Series, pd.Series, pd.Series]:
    """How the currency written with an amount ("€1.234,50") fits the record's currency field.

    Returns (written: ISO code per row, fill: rows whose currency field is empty and takes the written one,
    conflict: rows whose currency field names another currency). A currency field that no alias or code
    explains ("Dollar") is not called a conflict; a shared mark ($, ¥) conflicts only with currencies it
    cannot stand for."""
    written, compatible = amount_currencies(amount, region)
    has = written.notna()
    if currency is None:
        none = pd.Series(False, index=amount.index)
        return written, none, none
    empty = currency.isna() | (currency.astype(str).str.strip() == "")
    declared = currency.map(lambda v: currency_code(str(v).strip(), region) if isinstance(v, str) and v.strip() else None)
    conflict = has & ~empty & declared.notna() & pd.Series(
        [d not in c for d, c in zip(declared, compatible)], index=amount.index
    )
    return written, has & empty, conflict
