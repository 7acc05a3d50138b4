"""Countries (ISO 3166-1 alpha-2), postcodes per country, and company names.

Country names come from pycountry (English names, official names, alpha-2 and alpha-3 codes, and its
zh_CN / zh_TW / zh_HK translations) plus the shipped `data/countries.json` (variants such as USA, UK,
England, Deutschland, PRC, 中国大陆, 台湾, ...). Postcode formats are in `data/postcodes.json`, company
legal forms in `data/companies.json`. Each distinct raw value is worked on once; nothing raises on bad input.
"""

from __future__ import annotations

import gettext
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from handover.cleaning.base import Distinct, Normalised, Triple, clean_texts, per_distinct_text

__all__ = ["check_postcode", "clean_company", "clean_country", "clean_postcode", "company_match_key", "country_code"]


def _data(name: str) -> dict:
    return json.loads(resources.files("handover.cleaning").joinpath(f"data/{name}").read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------ countries

_KEY_DROP = re.compile(r"[.'’`]")
_KEY_SPACE = re.compile(r"[\s,;:()\[\]{}（）\-_–—]+")


def _country_key(text: str) -> str:
    """Lookup form of a country name: NFKC, case-folded, dots and apostrophes dropped, brackets, commas and
    hyphens as spaces, a leading "the" dropped ("U.S.A." → "usa", "Korea, Republic of" → "korea republic of")."""
    key = _KEY_DROP.sub("", unicodedata.normalize("NFKC", text).casefold().replace("&", " and "))
    key = _KEY_SPACE.sub(" ", key).strip()
    return key[4:] if key.startswith("the ") else key


@dataclass(frozen=True)
class _Countries:
    by_key: dict[str, tuple[str, str]]  # key → (alpha-2, where the key came from: "alpha2" | "alpha3" | "name")
    by_compact: dict[str, tuple[str, str]]  # the same without spaces ("p r china" → "prchina")
    not_countries: frozenset[str]
    alpha3: dict[str, str]  # alpha-2 → alpha-3


@cache
def _countries() -> _Countries:
    import pycountry

    by_key: dict[str, tuple[str, str]] = {}
    by_compact: dict[str, tuple[str, str]] = {}

    def add(text: str, code: str, kind: str, override: bool = False) -> None:
        key = _country_key(text)
        if not key:
            return
        if key not in by_key or (override and by_key[key][0] != code):
            by_key[key] = (code, kind)
        compact = key.replace(" ", "")
        if kind != "name":
            return  # "C N" is not a code
        if compact not in by_compact or (override and by_compact[compact][0] != code):
            by_compact[compact] = (code, kind)

    countries = list(pycountry.countries)
    for c in countries:
        add(c.alpha_2, c.alpha_2, "alpha2")
    for c in countries:
        add(c.alpha_3, c.alpha_2, "alpha3")
    for c in countries:
        for attr in ("name", "common_name", "official_name"):
            if getattr(c, attr, None):
                add(getattr(c, attr), c.alpha_2, "name")
    for language in ("zh_CN", "zh_TW", "zh_HK"):
        try:
            translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:
            continue
        for c in countries:
            for attr in ("name", "common_name", "official_name"):
                english = getattr(c, attr, None)
                if english and (translated := translation.gettext(english)) != english:
                    add(translated, c.alpha_2, "name")
    data = _data("countries.json")
    for text, code in data["aliases"].items():
        add(text, code, "name", override=True)
    not_countries = frozenset(_country_key(t) for t in data["not_countries"])
    for key in not_countries:
        by_key.pop(key, None)
        by_compact.pop(key.replace(" ", ""), None)
    return _Countries(by_key, by_compact, not_countries, {c.alpha_2: c.alpha_3 for c in countries})


@lru_cache(maxsize=1 << 16)
def _lookup_country(text: str) -> tuple[str, str] | None:
    table = _countries()
    key = _country_key(text)
    if key in table.not_countries:
        return None
    found = table.by_key.get(key) or table.by_compact.get(key.replace(" ", ""))
    return found


def country_code(text: str | None) -> str | None:
    """ISO 3166-1 alpha-2 for one country name or code, or None when it is not one."""
    if not text:
        return None
    found = _lookup_country(text)
    return found[0] if found else None


def _country_triple(text: str, text_rule: str | None) -> Triple:
    found = _lookup_country(text)
    if found is None:
        return None, "invalid_country", None
    code, _ = found
    if code == text:
        return code, None, text_rule
    if text.upper() == code:
        return code, None, "uppercase"
    if text.upper() == _countries().alpha3.get(code):
        return code, None, "alpha3"
    return code, None, "country_name"


def clean_country(s: pd.Series) -> Normalised:
    """ISO 3166-1 alpha-2 codes ("CN", "US", "GB", ...) from alpha-2 codes in any case, alpha-3 codes,
    English names and official names, common variants (USA, U.S., UK, Great Britain, England → GB,
    Deutschland, PRC, Mainland China, Hong Kong → HK, Taiwan → TW) and Chinese names (中国, 中国大陆,
    美国, 英国, 德国, 香港, 台湾, 澳门, ...). Rules "uppercase", "alpha3" and "country_name"; problem
    "invalid_country" (placeholders such as N/A, NA, unknown, 未知 included)."""
    return per_distinct_text(s, _country_triple)


# ------------------------------------------------------------------------------------------ postcodes


@dataclass(frozen=True)
class _PostcodeFormat:
    pattern: re.Pattern[str]
    sep: str
    pad: int
    prefixes: tuple[str, ...]


@cache
def _postcode_formats() -> dict[str, _PostcodeFormat]:
    formats = {}
    for code, spec in _data("postcodes.json")["countries"].items():
        prefixes = tuple(sorted({code, *spec.get("prefixes", ())}, key=len, reverse=True))
        formats[code] = _PostcodeFormat(re.compile(spec["pattern"]), spec.get("sep", ""), int(spec.get("pad", 0)), prefixes)
    return formats


_POSTCODE_NOISE = re.compile(r"[\s\-.·_/]+")


def _is_number(value: object) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    if isinstance(value, (int, np.integer)):
        return True
    return isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer()


def _normalise_postcode(raw: object, text: str, text_rule: str | None, country: str | None) -> tuple[str | None, str | None, str | None]:
    """(value, problem, rule) of one cleaned postcode text in one country."""
    form = _postcode_formats().get(country) if country else None
    if form is None:
        return text, None, text_rule  # no known format: as written
    compact = _POSTCODE_NOISE.sub("", text.upper())
    rule: str | None = None
    if form.pad and _is_number(raw) and compact.isdigit() and len(compact) < form.pad:
        compact, rule = compact.zfill(form.pad), "leading_zero"  # Excel turned 02134 into 2134
    match = form.pattern.fullmatch(compact)
    if match is None:
        for prefix in form.prefixes:  # D-10115, F-75001, NL-1234 AB
            if compact.startswith(prefix) and (match := form.pattern.fullmatch(compact[len(prefix):])) is not None:
                rule = "country_prefix"
                break
    if match is None:
        return None, "invalid_postcode", None
    value = form.sep.join(g for g in match.groups() if g)
    if value == text:
        return value, None, text_rule
    return value, None, rule or "postcode_format"


def check_postcode(postcodes: pd.Series, countries: pd.Series | str | None) -> Normalised:
    """Postcodes normalised and checked per row against their country's format (≈40 countries, see
    `data/postcodes.json`): upper case and the country's spacing (UK "SW1A 1AA", CA "K1A 0B1", NL
    "1234 AB", US "12345" or "12345-6789", JP "123-4567", PL "00-950", CN/DE/FR digits only), a leading
    zero restored for numeric spreadsheet cells (rule "leading_zero"), an old country prefix dropped
    (D-10115, rule "country_prefix"); otherwise rule "postcode_format". Problem "invalid_postcode" when it
    does not match. `countries` holds names or codes of any kind (cleaned with clean_country), aligned
    with `postcodes` by position, or is one country for every row; an unknown or empty country leaves
    the postcode as written (clean_text), no problem."""
    if isinstance(countries, pd.Series):
        if len(countries) != len(postcodes):
            raise ValueError(f"postcodes ({len(postcodes)}) and countries ({len(countries)}) differ in length")
        codes = clean_country(countries).values.to_numpy(dtype=object)
    else:
        codes = np.full(len(postcodes), country_code(countries) if countries else None, dtype=object)
    distinct = Distinct.of(postcodes)
    country_codes, country_uniques = pd.factorize(codes)  # None → -1
    pairs = distinct.codes.astype(np.int64) * (len(country_uniques) + 1) + (country_codes + 1)
    unique_pairs, inverse = np.unique(pairs, return_inverse=True)
    texts, text_rules = clean_texts(distinct.uniques)
    values = np.empty(len(unique_pairs) + 1, dtype=object)
    problems = np.empty(len(unique_pairs) + 1, dtype=object)
    rules = np.empty(len(unique_pairs) + 1, dtype=object)
    for i, pair in enumerate(unique_pairs):
        text_index, country_index = divmod(int(pair), len(country_uniques) + 1)
        if text_index < 0 or text_index >= len(texts) or texts[text_index] is None:
            values[i] = problems[i] = rules[i] = None  # the -1 code of an empty postcode lands here too
            continue
        country = country_uniques[country_index - 1] if country_index > 0 else None
        values[i], problems[i], rules[i] = _normalise_postcode(
            distinct.uniques[text_index], texts[text_index], text_rules[text_index], country,
        )
    empty = distinct.codes < 0
    inverse = np.where(empty, len(unique_pairs), inverse.reshape(-1))
    index = postcodes.index
    return Normalised(
        pd.Series(values[inverse], index=index, dtype=object),
        pd.Series(problems[inverse], index=index, dtype=object),
        pd.Series(rules[inverse], index=index, dtype=object),
    )


def clean_postcode(s: pd.Series, country: pd.Series | str | None = None) -> Normalised:
    """The "postcode" field type: check_postcode against `country` (a Series aligned with `s`, or one code
    for all rows); without a country, clean_text and upper case only (rule "uppercase"), never a problem."""
    if country is not None:
        return check_postcode(s, country)
    distinct = Distinct.of(s)
    texts, text_rules = clean_texts(distinct.uniques)
    values = [t.upper() if t is not None else None for t in texts]
    rules = [("uppercase" if v != t else r) if t is not None else None for v, t, r in zip(values, texts, text_rules)]
    return distinct.result(values, [None] * len(values), rules)


# ------------------------------------------------------------------------------------------ companies

_FORM_KEY_DROP = re.compile(r"[.,\s/&]+")
_PUNCT_TO_SPACE = re.compile(r"[^\w\s]|_", re.UNICODE)
_DROP_IN_KEY = re.compile(r"[.'’`]")
_JOINED_AMPERSAND = re.compile(r"(?<=\w)&(?=\w)")
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff"
_CJK_GAP = re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")  # 华信 (上海) 科技 → 华信科技
_BRACKETS = re.compile(r"\(([^()]*)\)")
_BRANCH = re.compile(r"(.+?)(?:分公司|分店|办事处|辦事處|代表处|代表處|营业部|營業部)$")


def _form_key(text: str) -> str:
    return _FORM_KEY_DROP.sub("", text.casefold())


@dataclass(frozen=True)
class _Companies:
    latin: dict[str, str]  # key of a legal form (letters only, lower case) → canonical letters ("gmbh" → "GmbH")
    max_words: int
    cjk: tuple[str, ...]  # longest first
    cjk_prefixes: tuple[str, ...]
    regions: frozenset[str]


@cache
def _companies() -> _Companies:
    data = _data("companies.json")
    latin: dict[str, str] = {}
    for form in data["latin"]:
        latin.setdefault(_form_key(form), "".join(c for c in form if c.isalnum()))
    cjk = tuple(sorted({unicodedata.normalize("NFKC", f) for f in data["cjk"]}, key=len, reverse=True))
    prefixes = tuple(f for f in cjk if f in ("株式会社", "有限会社", "合同会社", "주식회사", "유한회사", "(株)", "(有)", "(주)"))
    max_words = max(len(f.split()) for f in data["latin"]) + 1
    return _Companies(latin, max_words, cjk, prefixes, frozenset(r.casefold() for r in data["regions"]))


def _trailing_form(words: list[str], table: _Companies) -> int:
    """How many trailing words of `words` are one legal form (0 if none); at least one word stays."""
    for n in range(min(table.max_words, len(words) - 1), 0, -1):
        if _form_key("".join(words[-n:])) in table.latin:
            return n
    return 0


def _is_region(inside: str, table: _Companies) -> bool:
    """Whether bracketed words say where a subsidiary is: (中国), (Shanghai), (上海市), (Deutschland)."""
    inside = inside.strip().casefold()
    if inside in table.regions or re.fullmatch(r"[^\x00-\x7f]{1,6}[省市区縣县]", inside):
        return True
    return len(inside) > 2 and country_code(inside) is not None


@lru_cache(maxsize=1 << 16)
def _company_key(text: str) -> str | None:
    table = _companies()
    name = unicodedata.normalize("NFKC", text).casefold().strip()
    name = _BRACKETS.sub(lambda m: " " if _is_region(m[1], table) else m[0], name).strip()  # 西门子(中国), Acme (Shanghai)
    for _ in range(3):
        before = name
        branch = _BRANCH.fullmatch(name)
        if branch is not None:  # 华信科技有限公司北京分公司 → 华信科技有限公司
            head = branch[1]
            for form in table.cjk:
                at = head.rfind(form)
                if at > 0:
                    head = head[: at + len(form)]
                    break
            name = head.strip()
        for form in table.cjk:
            if name.endswith(form) and len(name) > len(form):
                name = name[: -len(form)].strip()
                break
        for form in table.cjk_prefixes:
            if name.startswith(form) and len(name) > len(form):
                name = name[len(form):].strip()
                break
        if name == before:
            break
    name = _BRACKETS.sub(lambda m: " " if _is_region(m[1], table) else m[0], name)
    name = _DROP_IN_KEY.sub("", _JOINED_AMPERSAND.sub("", name))  # AT&T → att, U.S. → us
    words = _PUNCT_TO_SPACE.sub(" ", name).split()
    while len(words) > 1 and (n := _trailing_form(words, table)):
        del words[-n:]
    return _CJK_GAP.sub("", " ".join(words)) or None


def company_match_key(s: pd.Series) -> pd.Series:
    """Company name for matching: NFKC, case-folded, legal forms removed (Ltd, Limited, Inc., Corp,
    Co., LLC, L.L.C., GmbH, AG, S.A., B.V., Pty Ltd, PLC, ..., 有限公司, 有限责任公司, 股份有限公司,
    集团有限公司, 株式会社, ...), a branch (…有限公司北京分公司) and bracketed regions ((中国), (Shanghai))
    removed, punctuation removed; the rest kept, words separated by one space. "ACME Ltd." and "Acme
    Limited" → "acme"; 上海华信科技有限公司 → 上海华信科技. A name that is only a legal form keeps it.
    None for empty cells."""
    distinct = Distinct.of(s)
    texts, _ = clean_texts(distinct.uniques)
    return distinct.spread([_company_key(t) if t is not None else None for t in texts])


def _respell(written: str, letters: str) -> str:
    spelled = iter(letters)
    return "".join(next(spelled, c) if c.isalnum() else c for c in written)


@lru_cache(maxsize=1 << 16)
def _standard_suffix(text: str) -> str:
    table = _companies()
    head = text.split(" ")
    tail: list[str] = []
    for _ in range(3):  # "ACME GMBH & CO. KG", "Acme Holdings Co., Ltd."
        n = _trailing_form(head, table)
        if not n:
            break
        written = " ".join(head[-n:])
        tail.insert(0, _respell(written, table.latin[_form_key(written)]))
        del head[-n:]
        while len(head) > 1 and head[-1].casefold() in ("&", "and", "und", "et"):
            tail.insert(0, head.pop())
    return " ".join(head + tail)


def clean_company(s: pd.Series) -> Normalised:
    """clean_text (trim, full-width → half-width, whitespace), then the legal form at the end spelled the
    standard way, punctuation as written: "acme ltd." → "acme Ltd.", "ACME GMBH" → "ACME GmbH",
    "Acme s.r.l." → "Acme S.r.l.", "Acme co.,ltd" → "Acme Co.,Ltd" (rule "company_suffix"). Never a problem."""
    distinct = Distinct.of(s)
    texts, text_rules = clean_texts(distinct.uniques)
    values: list[str | None] = []
    rules: list[str | None] = []
    for text, text_rule in zip(texts, text_rules):
        value = _standard_suffix(text) if text is not None else None
        values.append(value)
        rules.append("company_suffix" if value is not None and value != text else text_rule)
    return distinct.result(values, [None] * len(values), rules)
