"""Telephone numbers per country and the many ways people write the same number."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sampledata._noise import fullwidth
from sampledata._vocab import City

CALLING_CODE = {"CN": "86", "US": "1", "GB": "44", "DE": "49", "FR": "33", "NL": "31"}
_CN_MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                       "156", "158", "159", "166", "177", "180", "181", "186", "187", "188", "189", "198", "199")


@dataclass(frozen=True)
class Phone:
    country: str
    nsn: str     # national significant number: no trunk prefix, no country code
    area: str    # leading part of nsn that is an area or mobile prefix
    mobile: bool

    @property
    def e164(self) -> str:
        return f"+{CALLING_CODE[self.country]}{self.nsn}"


def _digits(rng: random.Random, count: int, first: str = "23456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(count - 1))


def mobile(country: str, rng: random.Random) -> Phone:
    if country == "CN":
        prefix = rng.choice(_CN_MOBILE_PREFIXES)
        return Phone("CN", prefix + _digits(rng, 8, "0123456789"), prefix, True)
    if country == "US":
        area = rng.choice(("212", "646", "917", "415", "628", "312", "773", "617", "857", "512", "737"))
        return Phone("US", area + _digits(rng, 7), area, True)
    prefix = {"GB": "7" + rng.choice("4579") + _digits(rng, 2, "0123456789"), "DE": "15" + rng.choice("1279"),
              "FR": rng.choice(("6", "6", "73", "75", "76", "77", "78")), "NL": "6" + rng.choice("12345")}[country]
    rest = {"GB": 6, "DE": 8, "FR": 9 - len(prefix), "NL": 7}[country]
    area = prefix[:1] if country == "FR" else prefix
    return Phone(country, prefix + _digits(rng, rest, "0123456789"), area, True)


def landline(city: City, rng: random.Random) -> Phone:
    length = {"CN": 8, "US": 7, "GB": 10 - len(city.area), "DE": 8, "FR": 8, "NL": 9 - len(city.area)}[city.country]
    first = {"20": "378", "161": "2348", "131": "2345"}.get(city.area, "23456789") if city.country == "GB" else "23456789"
    return Phone(city.country, city.area + _digits(rng, length, first), city.area, False)


def _group(text: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    parts, start = [], 0
    for size in sizes:
        if start >= len(text):
            break
        parts.append(text[start:start + size])
        start += size
    if start < len(text):
        parts.append(text[start:])
    return sep.join(parts)


def _styles(p: Phone) -> list[Callable[[Phone], str]]:
    cc, n, a = CALLING_CODE[p.country], p.nsn, p.area
    rest = n[len(a):]
    if p.country == "CN" and p.mobile:
        return [lambda p: n, lambda p: _group(n, (3, 4, 4)), lambda p: _group(n, (3, 4, 4), "-"),
                lambda p: f"+86 {_group(n, (3, 4, 4))}", lambda p: f"+86{n}", lambda p: f"0086-{_group(n, (3, 4, 4), '-')}",
                lambda p: f"0086 {n}", lambda p: f"86-{n}", lambda p: f"(+86) {_group(n, (3, 4, 4), '-')}",
                lambda p: f"+86-{n}", lambda p: f"{n}（微信同号）"]
    if p.country == "CN":
        return [lambda p: f"0{a}-{rest}", lambda p: f"(0{a}) {_group(rest, (4, 4))}", lambda p: f"+86 {a} {rest}",
                lambda p: f"86-{a}-{rest}", lambda p: f"0{a} {rest}", lambda p: f"+86 (0){a} {rest}",
                lambda p: f"0{a}{rest}", lambda p: f"+86-{a}-{_group(rest, (4, 4), '-')}"]
    if p.country == "US":
        return [lambda p: f"({a}) {rest[:3]}-{rest[3:]}", lambda p: f"{a}-{rest[:3]}-{rest[3:]}",
                lambda p: f"{a}.{rest[:3]}.{rest[3:]}", lambda p: f"+1 {a} {rest[:3]} {rest[3:]}",
                lambda p: f"1-{a}-{rest[:3]}-{rest[3:]}", lambda p: f"+1 ({a}) {rest[:3]}-{rest[3:]}",
                lambda p: n, lambda p: f"+1{n}", lambda p: f"001 {a} {rest}"]
    trunk = "0"
    return [lambda p: f"+{cc} {a} {_group(rest, (4, 4) if p.country != 'FR' else (2, 2, 2, 2))}",
            lambda p: f"{trunk}{a} {_group(rest, (4, 4) if p.country != 'FR' else (2, 2, 2, 2))}",
            lambda p: f"({trunk}{a}) {rest}", lambda p: f"+{cc} ({trunk}){a} {rest}",
            lambda p: f"00{cc} {a} {rest}", lambda p: f"{trunk}{a}{rest}", lambda p: f"+{cc}{n}",
            lambda p: f"{trunk}{a}/{rest}" if p.country == "DE" else f"{trunk}{a}-{rest}",
            lambda p: f"{trunk}{a}.{_group(rest, (2, 2, 2, 2), '.')}" if p.country == "FR" else f"{trunk}{a} {rest}"]


_LABELS = {"CN": ("电话:", "Tel: ", "TEL "), "DE": ("Tel. ", "Fon "), "FR": ("Tél. ", "Tel: "), "NL": ("Tel. ",),
           "GB": ("Tel: ", "T: "), "US": ("Tel: ", "Ph. ", "Office: ")}
_MOBILE_LABELS = {"CN": ("手机：", "手机号 "), "DE": ("Mobil: ", "Handy "), "FR": ("Port. ",), "NL": ("Mob. ",),
                  "GB": ("Mob: ", "M: "), "US": ("Cell: ", "Mobile ")}


def render(phone: Phone, rng: random.Random) -> str:
    """The number in one of the layouts people use for it, sometimes with a label typed in front."""
    text = rng.choice(_styles(phone))(phone)
    if rng.random() < 0.06:
        text = rng.choice((_MOBILE_LABELS if phone.mobile else _LABELS)[phone.country]) + text
    return text


def with_extension(text: str, rng: random.Random, country: str) -> str:
    ext = str(rng.randint(10, 9999))
    if country == "CN":
        return rng.choice((f"{text} 转 {ext}", f"{text}-{ext}", f"{text}转{ext}", f"{text} ext.{ext}"))
    local = {"DE": f"{text}, Durchwahl {ext}", "FR": f"{text} poste {ext}"}.get(country, f"{text} x {ext}")
    return rng.choice((f"{text} x{ext}", f"{text} ext. {ext}", f"{text} ext {ext}", f"{text} #{ext}", local))


def drop_digit(text: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(text) if ch.isdigit()]
    if len(spots) < 2:
        return text
    i = rng.choice(spots[1:])
    return text[:i] + text[i + 1:]


def wrong_digit(text: str, rng: random.Random) -> str:
    spots = [i for i, ch in enumerate(text) if ch.isdigit()]
    if not spots:
        return text
    i = rng.choice(spots[len(spots) // 3:])
    if rng.random() < 0.5 and i + 1 < len(text) and text[i + 1].isdigit() and text[i] != text[i + 1]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i] + rng.choice("0123456789".replace(text[i], "")) + text[i + 1:]


def fullwidth_digits(text: str) -> str:
    return fullwidth(text)
