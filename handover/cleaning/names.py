"""Person names: case repair, splitting a full name into family and given name, joining them back, and
role (department) e-mail addresses.

Like every normaliser, each distinct raw value is worked on once, and nothing here raises on bad input.
The word lists (compound surnames, honorifics, suffixes, particles, role mailboxes) ship in
`handover/cleaning/data/names.json`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from handover.cleaning.base import Distinct, Normalised, clean_one_text, clean_texts, stringify

__all__ = ["clean_person_name", "join_name", "role_email", "split_full_name", "title_case_name"]

# Scripts whose names are written family name first and never re-cased.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_KANA = "\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_EAST_ASIAN = re.compile(f"[{_HAN}{_HANGUL}{_KANA}]")
_HAN_ONLY = re.compile(f"[{_HAN}]+")
_HANGUL_ONLY = re.compile(f"[{_HANGUL}]+")
_KANJI_THEN_KANA = re.compile(f"([{_HAN}々]+)([{_KANA}].*)")
_MIDDLE_DOT = re.compile("[·•・‧∙]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")

_ROMAN = frozenset({"ii", "iii", "iv"})
_SUFFIX_SPELLING = {
    "jr": "Jr", "sr": "Sr", "jnr": "Jnr", "snr": "Snr", "junior": "Junior", "senior": "Senior", "phd": "PhD",
    "esq": "Esq", "esquire": "Esquire", "ret": "Ret", "retd": "Retd", "2nd": "2nd", "3rd": "3rd",
}


@dataclass(frozen=True)
class _Tables:
    chinese_compounds: frozenset[str]
    korean_compounds: frozenset[str]
    honorifics: frozenset[str]
    suffixes: frozenset[str]
    chinese_titles: tuple[str, ...]
    title_ends: frozenset[str]  # last characters of chinese_titles
    chinese_titles_single: frozenset[str]
    particles: frozenset[str]
    mac_names: frozenset[str]
    asian_surnames: frozenset[str]
    role_mailboxes: frozenset[str]


@lru_cache(maxsize=1 << 16)
def _bare(word: str) -> str:
    """A word as the tables spell it: lower case, no dots, no surrounding commas."""
    return word.casefold().replace(".", "").strip(",")


@cache
def _tables() -> _Tables:
    data = json.loads(resources.files("handover.cleaning").joinpath("data/names.json").read_text(encoding="utf-8"))

    def words(key: str) -> frozenset[str]:
        return frozenset(_bare(w) for w in data[key])

    return _Tables(
        chinese_compounds=frozenset(data["chinese_compound_surnames"]),
        korean_compounds=frozenset(data["korean_compound_surnames"]),
        honorifics=words("honorifics"),
        suffixes=words("suffixes"),
        chinese_titles=tuple(sorted(data["chinese_titles"], key=len, reverse=True)),
        title_ends=frozenset(t[-1] for t in data["chinese_titles"]),
        chinese_titles_single=frozenset(data["chinese_titles_single"]),
        particles=words("particles"),
        mac_names=words("mac_names"),
        asian_surnames=words("asian_surnames"),
        role_mailboxes=frozenset(w.casefold() for w in data["role_mailboxes"]),
    )


# ---------------------------------------------------------------------------------------------- case


def _cap(segment: str) -> str:
    return segment[:1].title() + segment[1:]


def _title_part(part: str, tables: _Tables) -> str:
    """One hyphen-free piece of a lower-cased word: o'brien → O'Brien, mcdonald → McDonald, j. → J."""
    if "'" in part or "’" in part:
        pieces = re.split("(['’])", part)
        return "".join(p if len(p) <= 1 and i > 0 else _cap(p) for i, p in enumerate(pieces))
    if "." in part.rstrip("."):  # initials: a.b. → A.B.
        return ".".join(_cap(p) for p in part.split("."))
    bare = part.rstrip(".,")
    if bare.startswith("mc") and len(bare) > 3 and bare[2:3].isalpha():
        return "Mc" + _cap(part[2:])
    if bare in tables.mac_names:
        return "Mac" + _cap(part[3:])
    return _cap(part)


def _is_suffix(bare: str, tables: _Tables) -> bool:
    return bare in tables.suffixes or bare in _ROMAN


def _respell(written: str, spelled: str) -> str:
    """`spelled`'s letters in `written`'s punctuation: (ph.d., PhD) → Ph.D."""
    letters = iter(spelled)
    return "".join(next(letters, c) if c.isalnum() else c for c in written)


@dataclass(frozen=True)
class _Word:
    titled: str  # as a name word: McDonald, O'Brien, Jean-Luc, J.
    as_suffix: str | None  # as a trailing suffix (Jr., III, PhD), None when it is not one
    particle: bool  # van, der, de, la, da, ...
    asian_surname: bool  # zhang, nguyen, kim: the name's syllables are not particles


@lru_cache(maxsize=1 << 16)
def _word(word: str) -> _Word:
    tables = _tables()
    lower = word.lower()
    bare = _bare(lower)
    suffix = None
    if _is_suffix(bare, tables):
        suffix = _respell(lower, bare.upper() if bare in _ROMAN else _SUFFIX_SPELLING.get(bare, bare.upper()))
    return _Word(
        titled="-".join(_title_part(part, tables) for part in lower.split("-")),
        as_suffix=suffix,
        particle=len(bare) > 1 and bare in tables.particles,
        asian_surname=bare in tables.asian_surnames,
    )


def title_case_name(text: str) -> str:
    """Title case for a Latin-script name written in one case: MCDONALD → McDonald, o'brien → O'Brien,
    JEAN-LUC → Jean-Luc, VAN DER BERG → van der Berg, JUAN DE LA CRUZ → Juan de la Cruz, JOHN SMITH III →
    John Smith III. A particle first in the name stays capitalised unless another particle follows (Van
    Gogh, Du Juan), and particles are left alone when the name starts with a common East-Asian surname
    (NGUYEN VAN AN, ZHANG DE HUA)."""
    words = [_word(w) for w in text.split(" ")]
    n = len(words)
    tail = n
    while tail > 1 and words[tail - 1].as_suffix is not None:
        tail -= 1  # Jr., III, PhD at the end
    particles_apply = n > 1 and not words[0].asian_surname
    out = []
    for i, (raw, word) in enumerate(zip(text.split(" "), words)):
        if i >= tail:
            out.append(word.as_suffix)
        elif particles_apply and word.particle and i < n - 1 and (i > 0 or words[1].particle):
            out.append(raw.lower())  # van der Berg, de la Cruz, Ludwig van Beethoven
        else:
            out.append(word.titled)
    return " ".join(out)  # type: ignore[arg-type]


def _case_person_name(text: str) -> tuple[str, str | None]:
    """(name, rule): one-case Latin (or other cased script) names are title-cased; mixed case, CJK,
    Hangul and kana are left as written."""
    if _EAST_ASIAN.search(text) is not None:
        return text, None
    if not (text.isupper() or text.islower()):
        return text, None  # mixed case (McDonald, iPhone-style names, DeShawn) is someone's choice; no letters at all
    titled = title_case_name(text)
    return titled, ("titlecase" if titled != text else None)


def clean_person_name(s: pd.Series) -> Normalised:
    """clean_text, then: Latin names in ALL CAPS or all lower case → title case (rule "titlecase"), with
    Mc/Mac, O'/D', hyphenated names, particles (van, von, de, da, di, du, ...), initials and suffixes
    (Jr, III, PhD) handled; mixed case, Chinese, Japanese and Korean names are left alone. Never a problem."""
    distinct = Distinct.of(s)
    texts, text_rules = clean_texts(distinct.uniques)
    values: list[str | None] = []
    rules: list[str | None] = []
    for text, text_rule in zip(texts, text_rules):
        if text is None:
            values.append(None)
            rules.append(None)
            continue
        value, rule = _case_person_name(text)
        values.append(value)
        rules.append(rule or text_rule)
    return distinct.result(values, [None] * len(values), rules)


# --------------------------------------------------------------------------------------------- split

_SPLIT_COLUMNS = ("family", "given", "suffix", "title")
_Split = tuple[str | None, str | None, str | None, str | None]


def _split_east_asian(text: str, tables: _Tables) -> _Split:
    title = None
    for candidate in tables.chinese_titles if text[-1] in tables.title_ends else ():  # 王先生, 李小明 经理
        if text.endswith(candidate) and len(text) > len(candidate):
            title, text = candidate, text[: -len(candidate)].rstrip()
            break
    else:
        head, tail = text[:-1].rstrip(), text[-1:]
        if tail in tables.chinese_titles_single and (len(head) == 1 or head in tables.chinese_compounds):
            title, text = tail, head  # 李总, 张工, 欧阳总
    if _MIDDLE_DOT.search(text):  # a transliterated foreign name: given names first (迈克尔·乔丹)
        parts = [p.strip() for p in _MIDDLE_DOT.split(text) if p.strip()]
        if len(parts) >= 2:
            return parts[-1], "·".join(parts[:-1]), None, title
        text = "".join(parts)
    words = text.split(" ")
    if len(words) > 1:  # family first: 王 小明, 山田 花子, 김 민수
        rest = words[1:]
        given = "".join(rest) if all(_EAST_ASIAN.search(w) for w in rest) else " ".join(rest)
        return words[0], given or None, None, title
    if len(text) == 1 or (title is not None and text in tables.chinese_compounds):
        return text, None, None, title  # 王, 欧阳先生
    if _HANGUL_ONLY.fullmatch(text):
        cut = 2 if len(text) >= 3 and text[:2] in tables.korean_compounds else 1
        return text[:cut], text[cut:], None, title
    if _HAN_ONLY.fullmatch(text):
        cut = 2 if len(text) >= 3 and text[:2] in tables.chinese_compounds else 1
        return text[:cut], text[cut:], None, title
    japanese = _KANJI_THEN_KANA.fullmatch(text)  # 田中はなこ; kanji-only Japanese names read as Chinese
    if japanese is not None:
        return japanese[1], japanese[2], None, title
    return text, None, None, title  # kana only, or mixed scripts: cannot tell where the family name ends


def _split_latin(text: str, tables: _Tables) -> _Split:
    suffixes: list[str] = []
    parts = [p.strip() for p in text.split(",")]
    parts = [p for p in parts if p]
    while len(parts) > 1 and all(_is_suffix(_bare(w), tables) for w in parts[-1].split(" ")):
        suffixes.insert(0, parts.pop())  # "John Smith, Jr.", "Smith, John, PhD"
    family_first = len(parts) >= 2
    words = " ".join(parts[1:] if family_first else parts).split(" ")  # "Smith, John A."
    words = [w for w in words if w]

    titles: list[str] = []
    while len(words) > 1 and _bare(words[0]) in tables.honorifics:
        titles.append(words.pop(0))
    if family_first:
        family_words = parts[0].split(" ")
        while len(family_words) > 1 and _is_suffix(_bare(family_words[-1]), tables):
            suffixes.insert(0, family_words.pop())  # "Smith Jr., John"
        while words and _is_suffix(_bare(words[-1]), tables):
            suffixes.append(words.pop())
        return " ".join(family_words), " ".join(words) or None, " ".join(suffixes) or None, " ".join(titles) or None
    while len(words) > 1 and _is_suffix(_bare(words[-1]), tables):
        suffixes.insert(0, words.pop())
    suffix = " ".join(suffixes) or None
    title = " ".join(titles) or None
    if not words:
        return None, None, suffix, title
    if len(words) == 1:
        return words[0], None, suffix, title  # one word: the family name (targets require one)
    shouted = [i for i, w in enumerate(words) if len(_bare(w)) > 1 and w.isupper()]
    if len(shouted) == 1 and any(not w.isupper() for w in words):  # "ZHANG Wei", "John SMITH"
        i = shouted[0]
        return words[i], " ".join(words[:i] + words[i + 1:]), suffix, title
    start = len(words) - 1
    if _bare(words[0]) not in tables.asian_surnames:
        while start > 1 and _bare(words[start - 1]) in tables.particles and len(_bare(words[start - 1])) > 1:
            start -= 1  # Ludwig van Beethoven, Juan de la Cruz
    return " ".join(words[start:]), " ".join(words[:start]), suffix, title


@lru_cache(maxsize=1 << 16)
def _split_name(text: str) -> _Split:
    tables = _tables()
    if _EAST_ASIAN.search(text) is not None and _LATIN_LETTER.search(text) is None:
        return _split_east_asian(text, tables)
    if _EAST_ASIAN.search(text) is not None:
        words = text.split(" ")  # mixed scripts: family first when it starts with a CJK word
        if len(words) > 1 and _EAST_ASIAN.search(words[0]) is not None:
            return words[0], " ".join(words[1:]), None, None
    return _split_latin(text, tables)


def split_full_name(s: pd.Series) -> pd.DataFrame:
    """Full names → DataFrame[family, given, suffix, title] (object dtype, same index; None when absent).

    - Chinese (Han, no space) is family first: 王小明 → 王 + 小明; compound surnames from the shipped list
      (欧阳, 司马, 诸葛, 上官, ...) when the name has 3+ characters: 欧阳娜娜 → 欧阳 + 娜娜. "王 小明" the same.
      Trailing titles go to `title`: 王先生 → 王 + 先生, 李总 → 李 + 总. Transliterations with a middle dot
      are given-first: 迈克尔·乔丹 → family 乔丹, given 迈克尔.
    - Korean (Hangul) is family first with one syllable (or a compound: 남궁, 황보, 제갈, 선우, ...);
      Japanese is split at a space, or where kanji turn into kana; kanji-only Japanese reads as Chinese.
    - Latin: "John Smith" → given John, family Smith; "Smith, John" → family Smith; honorifics (Mr, Dr.,
      Prof., Herr, ...) go to `title` and suffixes (Jr., III, PhD, ...) to `suffix`; middle names stay with
      the given name; particles join the family name (Ludwig van Beethoven → van Beethoven); one word is
      a family name; a single all-caps word among others is the family name ("ZHANG Wei", "John SMITH").
    Values are clean_text'ed, not re-cased.
    """
    distinct = Distinct.of(s)
    texts, _ = clean_texts(distinct.uniques)
    splits = [_split_name(t) if t is not None else (None, None, None, None) for t in texts]
    columns = list(zip(*splits)) if splits else [() for _ in _SPLIT_COLUMNS]
    return pd.DataFrame({name: distinct.spread(list(col)) for name, col in zip(_SPLIT_COLUMNS, columns)}, index=s.index)


# ---------------------------------------------------------------------------------------------- join


def _clean_cell(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return clean_one_text(value if type(value) is str else stringify(value))[0]


@lru_cache(maxsize=1 << 16)
def _join(given: str | None, family: str | None) -> str | None:
    if given is None or family is None:
        return family or given
    if _EAST_ASIAN.search(family) is not None and _LATIN_LETTER.search(given) is None:
        return family + given  # 王 + 小明 → 王小明, 김 + 민수 → 김민수
    return f"{given} {family}"


def join_name(given: pd.Series, family: pd.Series) -> pd.Series:
    """Full name from given and family name (aligned by position; the result has `given`'s index):
    family name in CJK/Hangul/kana and a given name that is not Latin → family + given without a space
    (王小明); otherwise "given family" (John Smith, Tom 王). One side empty → the other; both → None."""
    g = given.to_numpy(dtype=object, na_value=None)
    f = family.to_numpy(dtype=object, na_value=None)
    if len(g) != len(f):
        raise ValueError(f"given ({len(g)}) and family ({len(f)}) differ in length")
    out = np.empty(len(g), dtype=object)
    for i, (gv, fv) in enumerate(zip(g, f)):
        out[i] = _join(_clean_cell(gv), _clean_cell(fv))
    return pd.Series(out, index=given.index, dtype=object)


# ------------------------------------------------------------------------------------------ role email

_LOCAL_SEGMENTS = re.compile(r"[._+\-]+|[0-9]+")
# Words that may accompany a role word in a department mailbox: sales.china@, support-apac@, hr.team@.
_QUALIFIERS = frozenset({
    "china", "asia", "europe", "global", "intl", "international", "apac", "emea", "americas", "usa", "dept",
    "department", "team", "group", "desk", "center", "centre", "online", "service", "services",
})


@lru_cache(maxsize=1 << 16)
def _is_role_local(local: str) -> bool:
    roles = _tables().role_mailboxes
    local = local.split("+", 1)[0]
    if local in roles or local.rstrip("0123456789") in roles:
        return True
    segments = [x for x in _LOCAL_SEGMENTS.split(local) if x]
    if not segments or not any(x in roles for x in segments):
        return False
    return all(x in roles or x in _QUALIFIERS or len(x) <= 3 for x in segments)


def role_email(s: pd.Series) -> pd.Series:
    """True for role (department) mailboxes: info@, sales@, support@, admin@, hr@, noreply@, kefu@, 客服@,
    also with digits, a +tag or a qualifier (sales2@, sales.cn@, support-apac@). False for personal
    addresses, empty cells and anything without an "@". Bool Series with the input's index."""
    distinct = Distinct.of(s)
    flags: list[bool] = []
    for raw in distinct.uniques:
        text = raw if type(raw) is str else stringify(raw)
        text = unicodedata.normalize("NFKC", text).strip().casefold().removeprefix("mailto:")
        local, at, domain = text.rpartition("@")
        flags.append(bool(at and local and domain) and _is_role_local(local.strip()))
    padded = np.array([*flags, False], dtype=bool)  # code -1 (empty cell) picks the last slot
    return pd.Series(padded[distinct.codes], index=distinct.index, dtype=bool)
