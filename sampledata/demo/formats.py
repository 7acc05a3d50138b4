"""How LegacyCRM renders values: mixed date formats, phone styles, money, full-width text, broken e-mails."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from itertools import accumulate
from datetime import date, datetime

# Month names are spelled out here rather than with %b, whose output depends on the locale.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _ampm(d: datetime) -> str:
    return f"{(d.hour + 11) % 12 + 1}:{d.minute:02d} {'AM' if d.hour < 12 else 'PM'}"


DATE_FORMATS = {
    "iso": lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}",
    "ymd_slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "cjk": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "dmy_slash": lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}",
    "mon_d_y": lambda d: f"{_MONTHS[d.month - 1]} {d.day}, {d.year}",
    "d_mon_y": lambda d: f"{d.day}-{_MONTHS[d.month - 1]}-{d.year}",
    "compact": lambda d: f"{d.year:04d}{d.month:02d}{d.day:02d}",
}
DATETIME_FORMATS = {
    "iso_minute": lambda d: f"{d:%Y-%m-%d %H:%M}",
    "iso_t_offset": lambda d: f"{d:%Y-%m-%dT%H:%M:%S}+08:00",
    "ymd_slash_12h": lambda d: f"{d.year}/{d.month}/{d.day} {_ampm(d)}",
}
ALL_FORMATS = {**DATE_FORMATS, **DATETIME_FORMATS}

_DATE_WEIGHTS = {"iso": 40, "ymd_slash": 15, "cjk": 10, "dmy_slash": 10, "mon_d_y": 10, "d_mon_y": 8, "compact": 7}
_DATETIME_WEIGHTS = {
    "iso_minute": 35, "iso_t_offset": 20, "ymd_slash_12h": 15,
    "iso": 10, "ymd_slash": 5, "cjk": 5, "dmy_slash": 4, "mon_d_y": 3, "d_mon_y": 2, "compact": 1,
}


class DateRenderer:
    """Renders dates in a random legacy format and remembers which formats each column received."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.used: dict[str, set[str]] = defaultdict(set)
        self._date = (list(_DATE_WEIGHTS), list(accumulate(_DATE_WEIGHTS.values())))
        self._datetime = (list(_DATETIME_WEIGHTS), list(accumulate(_DATETIME_WEIGHTS.values())))

    def date(self, column: str, value: date) -> str:
        return self._render(column, value, *self._date)

    def datetime(self, column: str, value: datetime) -> str:
        return self._render(column, value, *self._datetime)

    def note(self, column: str, fmt: str) -> None:
        self.used[column].add(fmt)

    def _render(self, column: str, value: date, formats: list[str], cum_weights: list[int]) -> str:
        fmt = self._rng.choices(formats, cum_weights=cum_weights)[0]
        self.used[column].add(fmt)
        return ALL_FORMATS[fmt](value)

    def truth(self) -> dict[str, dict[str, str]]:
        example = datetime(2023, 1, 5, 14, 30)
        return {
            column: {fmt: ALL_FORMATS[fmt](example) if fmt in ALL_FORMATS else "(native date cell)" for fmt in sorted(fmts)}
            for column, fmts in sorted(self.used.items())
        }


def _group(digits: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, pos = [], 0
    for size in sizes:
        parts.append(digits[pos:pos + size])
        pos += size
    return sep.join(parts)


def phone_renderings(country: str, area: str, number: str, mobile: bool) -> list[list[str]]:
    """Families of renderings of one number; within a family every rendering has the same digits."""
    if country == "CN" and mobile:
        local = area + number
        return [
            [local, _group(local, (3, 4, 4), " "), _group(local, (3, 4, 4), "-")],
            ["+86 " + _group(local, (3, 4, 4), " "), "+86-" + _group(local, (3, 4, 4), "-"), "+86" + local],
        ]
    if country == "CN":
        return [
            [f"(0{area}) {number[:4]}-{number[4:]}", f"0{area}-{number}", f"0{area} {number[:4]} {number[4:]}"],
            [f"+86 {area} {number[:4]} {number[4:]}", f"+86-{area}-{number}"],
        ]
    if country == "US":
        return [
            [f"{area}.555.{number}", f"({area}) 555-{number}", f"{area}-555-{number}"],
            [f"+1 ({area}) 555-{number}", f"+1 {area}-555-{number}", f"+1.{area}.555.{number}"],
        ]
    if country == "UK":
        head, tail = number[:len(number) - 4], number[-4:]
        return [
            [f"0{area} {head} {tail}", f"(0{area}) {head} {tail}"],
            [f"+44 {area} {head} {tail}", f"+44{area}{number}"],
        ]
    return [
        [f"0{area} {number}", f"0{area}/{number}", f"0{area}-{number}"],
        [f"+49 {area} {number}", f"+49 ({area}) {number}", f"+49{area}{number}"],
    ]


def _draw_number(rng: random.Random, country: str, area: str, mobile: bool) -> tuple[str, str]:
    """(area or mobile prefix, subscriber number), in fictional ranges where the country has them (555, 7946/496)."""
    if country == "CN" and mobile:
        return rng.choice(("13", "15", "17", "18")) + str(rng.randint(0, 9)), f"{rng.randint(0, 99999999):08d}"
    if country == "CN":
        return area, f"{rng.randint(2, 8)}{rng.randint(0, 9999999):07d}"
    if country == "US":
        return area, f"{rng.randint(100, 199):04d}" if rng.random() < 0.5 else f"{rng.randint(0, 9999):04d}"
    if country == "UK":
        return area, ("7946" if area == "20" else "496") + f"{rng.randint(0, 9999):04d}"
    return area, f"{rng.randint(1000000, 99999999)}"


def make_phone(rng: random.Random, country: str, area: str, mobile: bool, taken: set[str]) -> tuple[str, list[str]]:
    """A new number: its rendering and the other renderings with the same digits.

    Numbers are unique so that two different people never share one, except when a fictional range runs out
    at very large scales (retries are bounded so generation always ends).
    """
    for _ in range(30):
        area_part, number = _draw_number(rng, country, area, mobile)
        if (key := f"{country}:{area_part}:{number}") not in taken:
            taken.add(key)
            break
    families = phone_renderings(country, area_part, number, mobile)
    family = families[0] if rng.random() < 0.6 else families[1]
    ext = ""
    if not mobile and rng.random() < 0.05:
        if country == "CN":
            ext = f"转{rng.randint(800, 8999)}"
        else:
            ext = rng.choice((f" x{rng.randint(100, 999)}", f" ext. {rng.randint(10, 99)}"))
    return rng.choice(family) + ext, [alt + ext for alt in family]


def to_fullwidth(text: str) -> str:
    """What a Chinese input method in full-width mode types: ASCII letters, digits, @ and + at U+FF01..U+FF5E."""
    return "".join(chr(ord(ch) + 0xFEE0) if ch.isascii() and (ch.isalnum() or ch in "@+") else ch for ch in text)


_FULLWIDTH = re.compile("[\uff01-\uff5e\u3000]")


def has_fullwidth(text: str) -> bool:
    return _FULLWIDTH.search(text) is not None


def money(rng: random.Random, amount: float, symbol: str) -> str:
    """A revenue or amount as typed by people: plain, with thousands separators, with a currency symbol."""
    style = rng.random()
    if style < 0.35:
        return f"{amount:.0f}"
    if style < 0.65:
        return f"{amount:,.0f}"
    if style < 0.85:
        return f"{symbol}{amount:,.2f}"
    return f"{symbol}{amount:,.0f}"


def invalid_email(rng: random.Random, local: str, domain: str, cn_name: str) -> str:
    shapes = (
        f"{local}@", f"{local}@@{domain}", "no-email", f"{local}@{domain.split('.')[0]}", f"{cn_name}@公司",
        f"{local} at {domain}", f"{local}@{domain},",
    )
    return rng.choice(shapes)
