"""Character-level noise as it appears in hand-typed, scanned and re-exported CRM data.

Every function takes the run's `random.Random`, so a seed fixes the whole output.
"""

from __future__ import annotations

import random
import unicodedata

from sampledata._vocab import CN_HOMOPHONES, TRADITIONAL

_KEYBOARD_ROWS = ("1234567890-", "qwertyuiop[", "asdfghjkl;'", "zxcvbnm,./")


def _keyboard_neighbours() -> dict[str, str]:
    grid = {ch: (r, c) for r, row in enumerate(_KEYBOARD_ROWS) for c, ch in enumerate(row)}
    neighbours: dict[str, str] = {}
    for ch, (r, c) in grid.items():
        near = [
            other for other, (r2, c2) in grid.items()
            if other != ch and abs(r - r2) <= 1 and abs(c - c2) <= 1 and other.isalnum()
        ]
        neighbours[ch] = "".join(near)
    return neighbours


KEYBOARD = _keyboard_neighbours()
# What OCR of business cards and faxes confuses, both directions.
OCR_PAIRS = (
    ("rn", "m"), ("m", "rn"), ("l", "1"), ("1", "l"), ("I", "l"), ("l", "I"), ("O", "0"), ("0", "O"), ("o", "0"),
    ("cl", "d"), ("d", "cl"), ("vv", "w"), ("w", "vv"), ("S", "5"), ("5", "S"), ("B", "8"), ("8", "B"), ("e", "c"),
    ("c", "e"), ("h", "b"), ("u", "v"), ("n", "h"), ("g", "q"), ("Z", "2"), ("2", "Z"), ("i", "l"), ("fi", "ﬁ"),
    ("6", "b"), ("@", "©"), (".", ","), ("李", "季"), ("王", "玉"), ("张", "弓长"), ("刘", "文刂"), ("陈", "阵"),
    ("明", "朋"), ("日", "曰"), ("土", "士"), ("未", "末"), ("己", "已"), ("人", "入"), ("大", "太"), ("天", "夭"),
)
_CJK_START, _CJK_END = 0x4E00, 0x9FFF


def is_cjk(text: str) -> bool:
    return any(_CJK_START <= ord(ch) <= _CJK_END for ch in text)


def _pick_position(text: str, rng: random.Random) -> int:
    letters = [i for i, ch in enumerate(text) if ch.isalnum()]
    return rng.choice(letters) if letters else rng.randrange(len(text))


def keyboard_typo(text: str, rng: random.Random) -> str:
    """Hit a neighbouring key instead of the intended one (case kept)."""
    spots = [i for i, ch in enumerate(text) if ch.lower() in KEYBOARD and KEYBOARD[ch.lower()]]
    if not spots:
        return substitute(text, rng)
    i = rng.choice(spots)
    new = rng.choice(KEYBOARD[text[i].lower()])
    return text[:i] + (new.upper() if text[i].isupper() else new) + text[i + 1:]


def ocr_confusion(text: str, rng: random.Random) -> str:
    hits = [(i, old, new) for old, new in OCR_PAIRS for i in _find_all(text, old)]
    if not hits:
        return substitute(text, rng)
    i, old, new = rng.choice(hits)
    return text[:i] + new + text[i + len(old):]


def _find_all(text: str, part: str) -> list[int]:
    found, start = [], text.find(part)
    while start != -1:
        found.append(start)
        start = text.find(part, start + 1)
    return found


def insert(text: str, rng: random.Random) -> str:
    i = rng.randrange(len(text) + 1)
    pool = text if is_cjk(text) else "abcdefghijklmnopqrstuvwxyz"
    return text[:i] + rng.choice(pool) + text[i:]


def delete(text: str, rng: random.Random) -> str:
    if len(text) < 2:
        return text
    i = _pick_position(text, rng)
    return text[:i] + text[i + 1:]


def substitute(text: str, rng: random.Random) -> str:
    i = _pick_position(text, rng)
    if text[i].isdigit():
        new = rng.choice("0123456789".replace(text[i], ""))
    elif is_cjk(text[i]):
        new = rng.choice(CN_HOMOPHONES.get(text[i], ("一", "二", "口")))
    else:
        new = rng.choice("abcdefghijklmnopqrstuvwxyz".replace(text[i].lower(), ""))
        new = new.upper() if text[i].isupper() else new
    return text[:i] + new + text[i + 1:]


def transpose(text: str, rng: random.Random) -> str:
    if len(text) < 2:
        return text
    i = rng.randrange(len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def double(text: str, rng: random.Random) -> str:
    i = _pick_position(text, rng)
    return text[:i] + text[i] + text[i:]


def homophone(text: str, rng: random.Random) -> str:
    """A pinyin-IME slip: one character replaced by another with the same sound."""
    spots = [i for i, ch in enumerate(text) if ch in CN_HOMOPHONES]
    if not spots:
        return substitute(text, rng)
    i = rng.choice(spots)
    return text[:i] + rng.choice(CN_HOMOPHONES[text[i]]) + text[i + 1:]


def traditional(text: str) -> str:
    return "".join(TRADITIONAL.get(ch, ch) for ch in text)


def garble(text: str, rng: random.Random) -> str:
    """One edit of a kind drawn by how often it happens in typed and scanned data."""
    if not text:
        return text
    if is_cjk(text):
        edits = (homophone, homophone, homophone, delete, transpose, double, ocr_confusion)
    else:
        edits = (keyboard_typo, keyboard_typo, keyboard_typo, delete, delete, transpose, transpose, insert,
                 substitute, double, ocr_confusion)
    return rng.choice(edits)(text, rng)


def truncate(text: str, rng: random.Random, keep_at_least: int = 3) -> str:
    if len(text) <= keep_at_least:
        return text
    floor = 1 if is_cjk(text) else keep_at_least
    return text[: rng.randint(floor, len(text) - 1)]


def case_noise(text: str, rng: random.Random) -> str:
    style = rng.choice(("upper", "upper", "lower", "lower", "swap_first", "random"))
    if style == "upper":
        return text.upper()
    if style == "lower":
        return text.lower()
    if style == "swap_first":
        return text[:1].lower() + text[1:].upper()
    return "".join(ch.upper() if rng.random() < 0.5 else ch.lower() for ch in text)


def fullwidth(text: str) -> str:
    """ASCII as typed with a Chinese IME in full-width mode."""
    return "".join(
        "\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text
    )


def whitespace_noise(text: str, rng: random.Random) -> str:
    kind = rng.choice(("lead", "trail", "both", "double", "nbsp", "tab", "zero_width"))
    if kind == "lead":
        return " " + text
    if kind == "trail":
        return text + rng.choice((" ", "  ", "\t"))
    if kind == "both":
        return "  " + text + " "
    if kind == "double" and " " in text:
        return text.replace(" ", "  ", 1)
    if kind == "nbsp":
        return text.replace(" ", "\u00a0") if " " in text else text + "\u00a0"
    if kind == "tab":
        return text + "\t"
    return text[:1] + "\u200b" + text[1:]


_GERMAN = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}


def strip_accents(text: str, rng: random.Random) -> str:
    """How a system without Unicode support, or a hurried typist, writes accented names."""
    if rng.random() < 0.4 and any(ch in _GERMAN for ch in text):
        return "".join(_GERMAN.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L").replace("ß", "ss")


def mojibake(text: str) -> str:
    """UTF-8 bytes read as Windows-1252/Latin-1, as when an export is opened in the wrong encoding."""
    try:
        return text.encode("utf-8").decode("cp1252")
    except UnicodeDecodeError:
        return text.encode("utf-8").decode("latin-1")


def has_accents(text: str) -> bool:
    return any(ord(ch) > 127 for ch in text) and not is_cjk(text)
