"""Result type, per-distinct-value evaluation and text cleaning shared by every normaliser."""

from __future__ import annotations

import decimal
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Normalised:
    """Per-row outcome of a normaliser; all three Series share the input's index and are object dtype."""

    values: pd.Series
    problems: pd.Series
    rules: pd.Series


@dataclass(frozen=True)
class Distinct:
    """The distinct non-empty raw values of a Series, and the way back from per-distinct results to rows.

    Every normaliser works on `uniques` only, so each distinct raw value is cleaned once.
    """

    index: pd.Index
    codes: np.ndarray
    uniques: np.ndarray

    @classmethod
    def of(cls, s: pd.Series) -> Distinct:
        raw = s.to_numpy(dtype=object, na_value=None)
        kind = pd.api.types.infer_dtype(raw, skipna=True)
        if kind == "boolean" or kind.startswith("mixed"):
            # factorize treats True, 1 and 1.0 as one value; text keeps them apart.
            raw = _fill([_bool_as_text(v) for v in raw])
        try:
            codes, uniques = pd.factorize(raw)
        except TypeError:  # unhashable garbage such as lists or dicts
            codes, uniques = pd.factorize(_fill([v if _hashable(v) else repr(v) for v in raw]))
        return cls(s.index, codes, np.asarray(uniques, dtype=object))

    def spread(self, per_unique: Sequence[object] | np.ndarray) -> pd.Series:
        padded = np.empty(len(self.uniques) + 1, dtype=object)
        padded[:-1] = per_unique
        padded[-1] = None  # code -1 (empty input) picks this slot
        return pd.Series(padded[self.codes], index=self.index, dtype=object)

    def result(
        self,
        values: Sequence[object] | np.ndarray,
        problems: Sequence[object] | np.ndarray,
        rules: Sequence[object] | np.ndarray,
    ) -> Normalised:
        return Normalised(self.spread(values), self.spread(problems), self.spread(rules))


def _fill(items: list[object]) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):  # element-wise so sequences are never broadcast
        out[i] = item
    return out


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _bool_as_text(value: object) -> object:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return value


def stringify(value: object) -> str:
    """Text form of a non-string cell (Excel hands over numbers, e.g. phone numbers, as floats)."""
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if math.isfinite(number) and number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return repr(number)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


# Invisible characters that only ever get into CRM data by copy-and-paste. ZWJ/ZWNJ are kept because
# they carry meaning in emoji sequences and Indic/Persian scripts.
_INVISIBLE = re.compile("[\u0000-\u0008\u000e-\u001f\u007f-\u0084\u0086-\u009f\u180e\u200b\u2060\ufeff]")
_FULLWIDTH = re.compile("[\u3000\uff01-\uff5e]")
_ANY_SPACE = re.compile(r"\s+")
_LINE_BREAK = re.compile("\r\n|[\r\u0085\u2028\u2029]")
_INLINE_SPACE = re.compile(r"[^\S\n]+")


def clean_one_text(text: str, multiline: bool = False) -> tuple[str | None, str | None]:
    """(cleaned text or None when empty, name of the most significant rule applied or None)."""
    if text.isascii() and text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return (text or None), None  # the common case: nothing to do
    rule: str | None = None
    folded = unicodedata.normalize("NFKC", text)
    if folded != text:
        rule = "fullwidth" if _FULLWIDTH.search(text) else "nfkc"
    visible = _INVISIBLE.sub("", folded)
    if rule is None and visible != folded:
        rule = "invisible_chars"
    trimmed = visible.strip()
    if multiline:
        lines = _LINE_BREAK.sub("\n", trimmed).split("\n")
        collapsed = "\n".join(_INLINE_SPACE.sub(" ", line).strip() for line in lines)
    else:
        collapsed = _ANY_SPACE.sub(" ", trimmed)
    if rule is None and collapsed != trimmed:
        rule = "whitespace"
    if rule is None and trimmed != visible:
        rule = "trim"
    return (collapsed or None), (rule if collapsed else None)


def clean_texts(uniques: np.ndarray, multiline: bool = False) -> tuple[list[str | None], list[str | None]]:
    """Clean each distinct raw value as text; non-strings are stringified first (rule "stringify")."""
    values: list[str | None] = []
    rules: list[str | None] = []
    for raw in uniques:
        if type(raw) is str:
            value, rule = clean_one_text(raw, multiline)
        else:
            value, _ = clean_one_text(stringify(raw), multiline)
            rule = "stringify" if value is not None else None
        values.append(value)
        rules.append(rule)
    return values, rules


Triple = tuple[object, "str | None", "str | None"]


def per_distinct_text(s: pd.Series, one: Callable[[str, str | None], Triple]) -> Normalised:
    """Clean each distinct value's text once, then `one(text, text_rule)` gives (value, problem, rule)."""
    distinct = Distinct.of(s)
    texts, text_rules = clean_texts(distinct.uniques)
    triples = [one(text, rule) if text is not None else (None, None, None) for text, rule in zip(texts, text_rules)]
    return distinct.result([t[0] for t in triples], [t[1] for t in triples], [t[2] for t in triples])


def clean_text(s: pd.Series, multiline: bool = False) -> Normalised:
    """NFKC (full-width → half-width), drop invisible characters, trim, collapse whitespace runs.

    Single-line mode collapses every whitespace run, newlines included, to one space; multiline mode
    keeps line breaks (normalised to "\\n") and collapses spaces and tabs within each line.
    """
    distinct = Distinct.of(s)
    values, rules = clean_texts(distinct.uniques, multiline)
    return distinct.result(values, [None] * len(values), rules)
