"""Which text encoding an export is in, decided on the whole file and reported with the reason.

`auto` never guesses silently. In order:
1. a byte order mark (UTF-8, UTF-16, UTF-32) decides;
2. UTF-16 without a mark only on clear evidence: NUL bytes in alternate positions, and the whole file decodes;
3. a file that decodes as UTF-8 is UTF-8 (a few corrupt lines in an otherwise UTF-8 file stay UTF-8: those
   lines are quarantined, never reinterpreted);
4. otherwise every candidate decodes the whole file, strictly, and the readings are judged for plausibility
   (charset_normalizer's mess measure, control and private-use characters, words mixing alphabets, how
   common the CJK characters are in the candidate's own standard). Among the plausible readings the
   declared region's encodings come first, then GB18030; a single remaining reading is taken; several
   single-byte code pages that read the file differently are refused (`AmbiguousEncoding`), showing what
   each would make of the first value they disagree on, so the user sets `encoding:`.
"""

from __future__ import annotations

import codecs
import contextvars
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from connectors.sources.files.settings import UTF8_BAD_LINE_SHARE

# The encodings a region's exports come in, most likely first. Regions not listed use the general pool.
_WESTERN = "cp1252"
REGION_ENCODINGS: dict[str, tuple[str, ...]] = {
    "CN": ("gb18030",), "SG": ("gb18030",), "TW": ("cp950",), "HK": ("big5hkscs",), "MO": ("big5hkscs",),
    "JP": ("cp932", "euc_jp"), "KR": ("cp949",), "TH": ("cp874",), "VN": ("cp1258",),
    "GR": ("cp1253",), "CY": ("cp1253",), "TR": ("cp1254",), "AZ": ("cp1254",), "IL": ("cp1255",),
    "EE": ("cp1257",), "LV": ("cp1257",), "LT": ("cp1257",),
    **dict.fromkeys(("PL", "CZ", "SK", "HU", "SI", "HR", "BA", "RO", "AL"), ("cp1250",)),
    **dict.fromkeys(("RU", "UA", "BY", "BG", "MK", "RS", "KZ", "KG", "MN", "TJ"), ("cp1251",)),
    **dict.fromkeys(("SA", "AE", "EG", "IQ", "JO", "KW", "LB", "QA", "BH", "OM", "YE", "SY", "DZ", "MA", "TN", "LY", "IR", "PK"), ("cp1256",)),
    **dict.fromkeys((
        "US", "GB", "IE", "FR", "DE", "ES", "IT", "PT", "NL", "BE", "LU", "AT", "CH", "LI", "DK", "SE", "NO", "FI",
        "IS", "MT", "CA", "AU", "NZ", "ZA", "BR", "AR", "MX", "CL", "CO", "PE", "VE", "UY", "PY", "BO", "EC", "CR",
        "PA", "GT", "HN", "NI", "SV", "DO", "CU", "PR", "PH", "ID", "MY", "IN",
    ), (_WESTERN,)),
}
MULTI_BYTE_POOL = ("gb18030", "cp950", "cp932", "cp949")
# latin-1 is left out on purpose: where it differs from cp1252 (0x80-0x9F) it gives control characters.
SINGLE_BYTE_POOL = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257")
NAMES = {
    "cp1252": "Western European", "cp1250": "Central European", "cp1251": "Cyrillic", "cp1253": "Greek",
    "cp1254": "Turkish", "cp1255": "Hebrew", "cp1256": "Arabic", "cp1257": "Baltic", "cp1258": "Vietnamese",
    "cp874": "Thai", "gb18030": "Chinese, simplified", "cp950": "Chinese, traditional (Big5)",
    "big5hkscs": "Chinese, Hong Kong (Big5-HKSCS)", "cp932": "Japanese (Shift-JIS)", "euc_jp": "Japanese (EUC-JP)",
    "cp949": "Korean",
}

# Plausibility limits for a reading (shares of the distinct non-ASCII words or characters).
MAX_MESS = 0.2  # charset_normalizer's own default threshold
MAX_BAD_CHAR_SHARE = 0.01  # control, private-use and replacement characters
MAX_MIXED_WORD_SHARE = 0.05  # words mixing alphabets, e.g. Latin with Cyrillic ("Cafй")
MAX_RARE_CJK_SHARE = 0.25  # CJK characters outside the candidate's core set of common characters
KOREAN_SHAPED_MIN = 8  # distinct characters before a GB18030 reading can be judged to be Korean
MAX_WORDS = 20_000  # non-ASCII words judged for plausibility, spread over the whole file
MAX_WORD_BYTES = 256

# Bytes that end a word in every candidate encoding (none is a trail byte of GBK, Big5 or Shift-JIS).
_DELIMITER = re.compile(rb"[\s,;\"]")
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ue000-\uf8ff\ufffd]")
_WORD = re.compile(r"\w+")


class EncodingProblem(Exception):
    """The file's encoding cannot be decided or the declared one does not fit; the message says what to set."""


@dataclass(frozen=True)
class Reading:
    encodings: tuple[str, ...]  # the candidates that agree on this reading
    sample: str  # the first value (a word) where the readings differ, as these encodings read it


@dataclass
class AmbiguousEncoding(EncodingProblem):
    """Several plausible encodings read the file differently; `line` (1-based) is where they first differ."""

    line: int
    readings: list[Reading]
    not_utf8: str

    def __str__(self) -> str:
        return (f"cannot tell which encoding it is in: {self.not_utf8}; it reads as text in several code pages "
                f"that disagree (line {self.line}: {shown(self.readings)})")


def shown(readings: list[Reading]) -> str:
    return "; ".join(f"{r.sample!r} in {' or '.join(describe(e) for e in r.encodings)}" for r in readings)


@dataclass(frozen=True)
class EncodingChoice:
    """The encoding a file is read with, and why (Export.encoding_reason, `how_read` for validation)."""

    encoding: str
    reason: str
    equivalent: tuple[str, ...] = field(default=())  # other candidates that read the file identically

    def __str__(self) -> str:
        return f"{self.encoding} ({self.reason})"


def describe(encoding: str) -> str:
    name = NAMES.get(codecs.lookup(encoding).name.replace("-", "_"), NAMES.get(encoding))
    return f"{encoding} ({name})" if name else encoding


def candidates_for(region: str | None) -> tuple[list[str], list[str]]:
    """(preferred, others): the region's encodings and GB18030 first, then the general pool."""
    preferred = list(dict.fromkeys([*REGION_ENCODINGS.get((region or "").upper(), ()), "gb18030"]))
    others = [e for e in (*MULTI_BYTE_POOL, *SINGLE_BYTE_POOL) if e not in preferred]
    return preferred, others


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        codecs.decode(data, encoding, "strict")
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _utf8_failure(data: bytes) -> tuple[int, str] | None:
    """None when `data` is UTF-8, else (line, description) of its first invalid byte."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        return line, f"not UTF-8 (line {line}, byte {column}: 0x{data[exc.start]:02X})"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """utf-16-le/be when NUL bytes sit in alternate positions (ASCII as UTF-16) and the file decodes."""
    if len(data) < 4 or len(data) % 2 or b"\x00" not in data:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    for nuls, other, encoding in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if nuls >= 0.1 * half and other <= 0.02 * nuls and _decodes(data, encoding):
            return encoding
    return None


def _non_ascii_words(data: bytes) -> list[bytes]:
    """Distinct words holding non-ASCII bytes, in file order: all of them, or when there are very many,
    words at evenly spaced places over the whole file."""
    import numpy as np

    high = np.frombuffer(data, dtype=np.uint8) >= 0x80
    starts = np.flatnonzero(high & ~np.concatenate(([False], high[:-1])))  # first byte of each non-ASCII run
    if len(starts) > MAX_WORDS:
        starts = starts[np.linspace(0, len(starts) - 1, MAX_WORDS).astype(np.int64)]
    words = []
    for p in starts.tolist():
        lo = max(0, p - MAX_WORD_BYTES)
        before = _DELIMITER.search(data[lo:p][::-1])
        after = _DELIMITER.search(data, p, p + MAX_WORD_BYTES)
        words.append(data[p - before.start() if before else lo:after.start() if after else p + MAX_WORD_BYTES])
    return list(dict.fromkeys(words))


@cache
def _script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for script in ("LATIN", "CYRILLIC", "GREEK", "HEBREW", "ARABIC", "THAI", "ARMENIAN", "GEORGIAN"):
        if name.startswith(script):
            return script
    if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "HALFWIDTH KATAKANA")):
        return "CJK"
    return None


def _mixed(word: str) -> bool:
    """A word mixing two alphabets, or a CJK character between Latin letters ("Se駉r")."""
    scripts = {_script(c) for c in word if c.isalpha()} - {None}
    if len(scripts - {"CJK"}) > 1:
        return True
    if "CJK" in scripts and "LATIN" in scripts:
        return any(_script(a) == "LATIN" and _script(b) == "CJK" and _script(c) == "LATIN" for a, b, c in zip(word, word[1:], word[2:]))
    return False


@cache
def _common_cjk(encoding: str, ch: str) -> bool:
    """Whether a CJK character is in the candidate's core set: what text in that encoding mostly holds."""
    if _script(ch) != "CJK":
        return True
    try:
        if encoding == "gb18030":
            ch.encode("gb2312")
            return True
        raw = ch.encode(encoding)
    except UnicodeEncodeError:
        return False
    lead = raw[0]
    if encoding in ("cp950", "big5hkscs"):
        return 0xA1 <= lead <= 0xC6  # symbols and the 5,401 frequently used characters
    if encoding == "cp932":
        return len(raw) == 1 or 0x81 <= lead <= 0x84 or 0x88 <= lead <= 0x98  # kana, symbols, JIS level 1
    if encoding == "euc_jp":
        return len(raw) == 1 or 0xA1 <= lead <= 0xCF or lead == 0x8E
    if encoding == "cp949":
        return 0xA1 <= lead <= 0xC8 and len(raw) == 2 and raw[1] >= 0xA1  # symbols and KS X 1001 Hangul; not Hanja
    return True


def _korean_shaped(cjk: list[str]) -> bool:
    """A GB18030 reading whose characters all sit in GB2312 rows 16-40, where EUC-KR keeps its Hangul: the
    file is most likely Korean. Chinese text of any size reaches rows 41-87 (pinyin s to z)."""
    if len(cjk) < KOREAN_SHAPED_MIN:
        return False
    leads = [c.encode("gb18030")[0] for c in cjk]
    return all(0xB0 <= lead <= 0xC8 for lead in leads)


@dataclass(frozen=True)
class _Judgement:
    encoding: str
    plausible: bool
    why: str
    words: tuple[str, ...]


def _judge(encoding: str, data: bytes, words: list[bytes]) -> _Judgement | None:
    """None when the whole file does not decode strictly; else how plausible the reading is."""
    try:
        text = codecs.decode(data, encoding, "strict")
    except UnicodeDecodeError:
        return None
    from charset_normalizer.md import mess_ratio

    read = tuple(w.decode(encoding, "replace").rstrip("\ufffd") for w in words)  # a word cut mid-character
    chars = [c for w in set(read) for c in w if ord(c) > 127]
    bad = len(_BAD_CHARS.findall(text)) if _BAD_CHARS.search(text) else 0
    problems = []
    if bad:
        non_ascii = len(text) - len(text.encode("ascii", "ignore"))
        if bad / max(1, non_ascii) > MAX_BAD_CHAR_SHARE:
            problems.append(f"{bad} control or private-use characters")
    mess = mess_ratio(" ".join(read), maximum_threshold=1.0) if read else 0.0
    if mess > MAX_MESS:
        problems.append(f"mess ratio {mess:.2f}")
    tokens = {t for w in read for t in _WORD.findall(w) if not t.isascii()}
    mixed = sum(_mixed(t) for t in tokens)
    if tokens and mixed / len(tokens) > MAX_MIXED_WORD_SHARE:
        problems.append(f"{mixed} of {len(tokens)} words mix alphabets")
    cjk = [c for c in set(chars) if _script(c) == "CJK"]
    if cjk and encoding in (*MULTI_BYTE_POOL, "big5hkscs", "euc_jp"):
        rare = sum(not _common_cjk(encoding, c) for c in cjk)
        if rare / len(cjk) > MAX_RARE_CJK_SHARE:
            problems.append(f"{rare} of {len(cjk)} CJK characters are rare ones")
        if encoding == "gb18030" and _korean_shaped(cjk):
            problems.append("every CJK character sits where EUC-KR keeps Hangul")
    return _Judgement(encoding, not problems, "; ".join(problems), read)


def _first_difference(data: bytes, words: list[bytes], readings: list[_Judgement]) -> tuple[int, list[Reading]]:
    for i, word in enumerate(words):
        samples = [j.words[i] for j in readings]
        if len(set(samples)) > 1:
            line = data.count(b"\n", 0, data.find(word)) + 1
            agreeing: dict[str, list[str]] = {}
            for sample, j in zip(samples, readings):
                agreeing.setdefault(sample, []).append(j.encoding)
            return line, [Reading(tuple(encodings), sample) for sample, encodings in agreeing.items()]
    return 0, [Reading((j.encoding,), "") for j in readings]


def detect_encoding(data: bytes, region: str | None = None) -> EncodingChoice:
    """The encoding of a whole export file, with the reason; raises EncodingProblem rather than guess."""
    for bom, encoding, name in (
        (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
        (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 LE"),
        (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 BE"),
    ):
        if data.startswith(bom):
            return EncodingChoice(encoding, f"{name} byte order mark")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return EncodingChoice(utf16, "no byte order mark, but every other byte is NUL: UTF-16")
    failure = _utf8_failure(data)
    if failure is None:
        return EncodingChoice("utf-8", "valid UTF-8" if not data.isascii() else "ASCII only, read as UTF-8")
    mostly = _mostly_utf8(data)
    if mostly:
        return EncodingChoice("utf-8", mostly)
    return _decide(data, region, failure[1])


class _TooManyBadLines(Exception):
    pass


_utf8_errors: contextvars.ContextVar[dict] = contextvars.ContextVar("utf8_errors")


def _count_utf8_errors(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: records the line of each undecodable byte and gives up past the allowed count."""
    assert isinstance(exc, UnicodeDecodeError)
    state = _utf8_errors.get()
    state["line"] += exc.object.count(b"\n", state["last"], exc.start)
    state["last"] = exc.start
    state["lines"].add(state["line"])
    if len(state["lines"]) > state["allowed"]:
        raise _TooManyBadLines
    return "\ufffd", exc.end


codecs.register_error("handover_count_utf8_errors", _count_utf8_errors)


def _utf8_text_outside(text: str, bad_lines: set[int]) -> bool:
    """Whether a line that decoded whole holds non-ASCII text (bytes around a bad one can decode by chance)."""
    line = last = 0
    for m in re.finditer("[^\x00-\x7f]", text):
        line, last = line + text.count("\n", last, m.start()), m.start()
        if line not in bad_lines:
            return True
    return False


def _mostly_utf8(data: bytes) -> str | None:
    """A reason when the file is UTF-8 except a few corrupt lines (which are then quarantined)."""
    allowed = max(1, int((data.count(b"\n") + 1) * UTF8_BAD_LINE_SHARE))
    state = {"line": 0, "last": 0, "lines": set(), "allowed": allowed}
    token = _utf8_errors.set(state)
    try:
        text = data.decode("utf-8", "handover_count_utf8_errors")
    except _TooManyBadLines:
        return None
    finally:
        _utf8_errors.reset(token)
    if not _utf8_text_outside(text, state["lines"]):
        return None  # no line of UTF-8 text: nothing says UTF-8
    bad = len(state["lines"])
    return f"UTF-8, except {bad} line{'s' if bad > 1 else ''} holding other bytes (quarantined, not reinterpreted)"


def _decide(data: bytes, region: str | None, not_utf8: str) -> EncodingChoice:
    preferred, others = candidates_for(region)
    words = _non_ascii_words(data)
    region_note = f" (region {region.upper()})" if region else ""
    judged: list[_Judgement] = []
    for encoding in preferred:
        j = _judge(encoding, data, words)
        if j is not None and j.plausible:
            return EncodingChoice(j.encoding, f"{not_utf8}; reads cleanly as {describe(j.encoding)}, preferred{region_note}")
        judged += [j] if j is not None else []
    judged += [j for j in (_judge(e, data, words) for e in others) if j is not None]
    plausible = [j for j in judged if j.plausible]
    if not plausible:
        tried = "; ".join(f"{j.encoding}: {j.why}" for j in judged) or "no candidate decodes every byte"
        raise EncodingProblem(f"cannot tell which encoding it is in: {not_utf8}, and no candidate reads it as plausible text ({tried})")
    if len({j.words for j in plausible}) == 1:
        j = plausible[0]
        same = tuple(o.encoding for o in plausible[1:])
        how = f"{describe(j.encoding)} and {', '.join(same)} read it identically" if same else f"only {describe(j.encoding)} reads it as plausible text"
        return EncodingChoice(j.encoding, f"{not_utf8}; {how}", same)
    line, readings = _first_difference(data, words, plausible)
    raise AmbiguousEncoding(line, readings, not_utf8)


def check_declared(data: bytes, encoding: str, region: str | None = None) -> tuple[int, int, str | None]:
    """For a declared encoding: (lines it cannot decode, lines in all, an encoding that reads the whole file)."""
    try:
        codecs.decode(data, encoding, "strict")
        return 0, 0, None
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    bad = sum(not _decodes(line, encoding) for line in lines)
    try:
        choice = detect_encoding(data, region)
        better = choice.encoding if _decodes(data, choice.encoding) and codecs.lookup(choice.encoding) != codecs.lookup(encoding) else None
    except EncodingProblem:
        better = None
    return bad, len(lines), better
