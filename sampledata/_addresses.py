"""Street addresses per country and the ways the same address gets re-typed."""

from __future__ import annotations

import random
import re

from sampledata._noise import fullwidth, garble
from sampledata._vocab import City

_CN_BUILDINGS = ("创业大厦", "国际中心", "科技园", "商务楼", "金融广场", "软件园", "大厦", "写字楼")
_STREET_ABBREV = {
    "US": (("Street", "St."), ("Street", "St"), ("Avenue", "Ave."), ("Avenue", "Ave"), ("Boulevard", "Blvd"),
           ("Drive", "Dr."), ("Suite", "Ste."), ("Suite", "#"), ("West", "W."), ("South", "S.")),
    "GB": (("Street", "St"), ("Road", "Rd"), ("Road", "Rd."), ("Floor", "Flr"), ("Unit", "U.")),
    "DE": (("straße", "str."), ("straße", "strasse"), ("Straße", "Str."), ("Straße", "Strasse"), ("Große", "Gr."),
           ("Unter den", "U. d.")),
    "FR": (("boulevard", "bd"), ("boulevard", "Bd."), ("avenue", "av."), ("rue", "Rue"), ("rue du", "r. du"),
           ("Faubourg", "Fbg")),
    "NL": (("gracht", "gr."),),
    "CN": (("号", "號"), ("区", "區"), ("大街", "街"), ("路", "路 ")),
}


def street(city: City, rng: random.Random) -> str:
    """A plausible street address line in the local layout."""
    name = rng.choice(city.streets)
    n = rng.randint(1, 320)
    if city.country == "CN":
        line = f"{name}{n}号"
        if rng.random() < 0.6:
            line += f"{rng.choice(_CN_BUILDINGS)}{rng.randint(2, 30)}层{rng.randint(1, 30):02d}室"
        return line
    if city.country in ("DE", "NL"):
        suffix = rng.choice(("", "", "", "a", "b")) if city.country == "DE" else ""
        return f"{name} {n}{suffix}"
    if city.country == "US":
        line = f"{n * 10 + rng.randint(0, 9)} {name}"
        return line + (f", Suite {rng.randint(1, 40) * 100}" if rng.random() < 0.5 else "")
    if city.country == "GB":
        return (f"Unit {rng.randint(1, 20)}, " if rng.random() < 0.2 else "") + f"{n} {name}"
    return f"{n} {name}"


def street_variant(line: str, city: City, rng: random.Random) -> str:
    """The same address typed again: abbreviations, dropped suite or floor, case, a typo, a city prefix."""
    kind = rng.choice(("abbrev", "abbrev", "abbrev", "drop_unit", "case", "typo", "prefix", "punct"))
    if kind == "abbrev":
        options = [(a, b) for a, b in _STREET_ABBREV.get(city.country, ()) if a in line]
        if options:
            a, b = rng.choice(options)
            return line.replace(a, b, 1)
        kind = "drop_unit"
    if kind == "drop_unit":
        if city.country == "CN":
            return re.sub(r"号.*$", "号", line)
        return re.sub(r",? ?(Suite|Unit) \d+,?", "", line).strip(" ,")
    if kind == "case":
        return line.upper() if city.country != "CN" else fullwidth(line) if rng.random() < 0.5 else line
    if kind == "typo":
        return garble(line, rng)
    if kind == "prefix" and city.country == "CN":
        return f"{city.region if city.region.endswith('省') else ''}{city.name}市{line}"
    if kind == "prefix":
        return f"{line}, {city.name}"
    return line.replace(" ", ", ", 1) if city.country != "CN" else line.replace("号", "号，", 1)


def postcode_variant(code: str, city: City, rng: random.Random) -> str:
    """A postcode as spreadsheets and hurried typists leave it."""
    if code.isdigit() and code.startswith("0") and rng.random() < 0.6:
        return code.lstrip("0")  # opened in a spreadsheet that took it for a number
    if city.country in ("GB", "NL"):
        return rng.choice((code.replace(" ", ""), code.lower(), code.replace(" ", "  ")))
    if city.country == "US":
        return f"{code}-{rng.randint(1000, 9999)}"
    if city.country == "DE":
        return rng.choice((f"D-{code}", f"DE-{code}", code))
    return rng.choice((code, f"{code} ", garble(code, rng)))
