"""How a company site's account record gets re-typed: everyday layouts first, then bursts of noise events."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sampledata import _noise as nz
from sampledata._addresses import postcode_variant, street, street_variant
from sampledata._companies import Company, abbreviated, legal_variant, without_legal
from sampledata._phones import Phone, drop_digit, render, with_extension, wrong_digit
from sampledata._vocab import COUNTRY_VARIANTS, City

Record = dict[str, str | None]


@dataclass(frozen=True)
class Site:
    cluster_id: str
    company: Company
    name: str
    street: str
    postcode: str
    city_name: str
    website: str
    sales_line: Phone  # a second number of the site, used instead of the switchboard by some records
    negative_kind: str = ""

    @property
    def city(self) -> City:
        return self.company.city


def _country_text(code: str, rng: random.Random, variant_share: float) -> str:
    variants = COUNTRY_VARIANTS[code]
    return rng.choice(variants[1:]) if rng.random() < variant_share else variants[0]


def _website_text(site: Site, rng: random.Random) -> str:
    host = site.website.split("://", 1)[1]
    bare = host.removeprefix("www.")
    return rng.choice(
        (
            site.website,
            host,
            bare,
            f"http://{host}",
            f"http://{bare}/",
            f"https://{bare}",
            f"{host}/",
            f"https://{host}/en/",
            f"{bare}/contact",
            host.upper(),
            f"https://{host}/index.html",
        )
    )


def base_record(site: Site, rng: random.Random) -> Record:
    city = site.city
    return {
        "name": site.name,
        "website": _website_text(site, rng) if rng.random() < 0.92 else None,
        "domain": site.website.split("://", 1)[1].removeprefix("www.") if rng.random() < 0.7 else None,
        "phone": render(site.company.switchboard, rng),
        "street": site.street,
        "city": site.city_name if rng.random() < 0.85 else rng.choice(city.variants),
        "postcode": site.postcode,
        "country": _country_text(city.country, rng, 0.3),
    }


# -- events: (record, site, rng) -> None --------------------------------------------------------------------
def _name_legal(rec: Record, s: Site, rng: random.Random) -> None:
    if s.name == s.company.name:
        rec["name"] = legal_variant(s.company, rng)


def _name_no_legal(rec: Record, s: Site, rng: random.Random) -> None:
    if s.name == s.company.name:
        rec["name"] = without_legal(s.company, rng)


def _name_abbrev(rec: Record, s: Site, rng: random.Random) -> None:
    if s.name == s.company.name:
        rec["name"] = abbreviated(s.company, rng)


def _name_english(rec: Record, s: Site, rng: random.Random) -> None:
    if s.company.script == "chinese" and s.name == s.company.name:
        rec["name"] = s.company.english if rng.random() < 0.7 else s.company.english.upper()


def _name_typo(rec: Record, s: Site, rng: random.Random) -> None:
    rec["name"] = nz.garble(rec["name"] or s.name, rng)


def _name_case(rec: Record, s: Site, rng: random.Random) -> None:
    rec["name"] = nz.case_noise(rec["name"] or s.name, rng)


def _name_width(rec: Record, s: Site, rng: random.Random) -> None:
    text = rec["name"] or s.name
    rec["name"] = nz.traditional(text) if nz.is_cjk(text) and rng.random() < 0.5 else nz.fullwidth(text)


def _name_marks(rec: Record, s: Site, rng: random.Random) -> None:
    """What CRM users write into a name to flag a record, or punctuation they add."""
    text = rec["name"] or s.name
    rec["name"] = rng.choice(
        (
            f"{text} (old)",
            f"{text} - DO NOT USE",
            f"ZZ {text}",
            f"{text} *",
            f"The {text}",
            f'"{text}"',
            f"{text}.",
            nz.whitespace_noise(text, rng),
            text.replace(" ", "-", 1),
        )
    )


def _name_accents(rec: Record, s: Site, rng: random.Random) -> None:
    text = rec["name"] or s.name
    if nz.has_accents(text):
        rec["name"] = nz.strip_accents(text, rng) if rng.random() < 0.7 else nz.mojibake(text)
    else:
        _name_case(rec, s, rng)


def _website(rec: Record, s: Site, rng: random.Random) -> None:
    roll = rng.random()
    rec["website"] = (
        None if roll < 0.35 else nz.garble(_website_text(s, rng), rng) if roll < 0.5 else _website_text(s, rng)
    )


def _domain(rec: Record, s: Site, rng: random.Random) -> None:
    host = s.website.split("://", 1)[1]
    rec["domain"] = rng.choice(
        (None, host, host.upper(), f"info@{host.removeprefix('www.')}", f"@{host.removeprefix('www.')}", s.website)
    )


def _phone(rec: Record, s: Site, rng: random.Random) -> None:
    edit: Callable[[str], str | None] = rng.choice(
        (
            lambda t: None,
            lambda t: drop_digit(t, rng),
            lambda t: wrong_digit(t, rng),
            lambda t: with_extension(t, rng, s.company.country),
            lambda t: nz.fullwidth(t),
            lambda t: render(s.sales_line, rng),
        )
    )
    rec["phone"] = edit(rec["phone"] or render(s.company.switchboard, rng))


def _street(rec: Record, s: Site, rng: random.Random) -> None:
    rec["street"] = street_variant(s.street, s.city, rng)


def _moved(rec: Record, s: Site, rng: random.Random) -> None:
    rec["street"], rec["postcode"] = street(s.city, rng), rng.choice(s.city.postcodes)


def _postcode(rec: Record, s: Site, rng: random.Random) -> None:
    rec["postcode"] = None if rng.random() < 0.4 else postcode_variant(s.postcode, s.city, rng)


def _city(rec: Record, s: Site, rng: random.Random) -> None:
    roll = rng.random()
    rec["city"] = None if roll < 0.3 else nz.garble(s.city_name, rng) if roll < 0.45 else rng.choice(s.city.variants)


def _country(rec: Record, s: Site, rng: random.Random) -> None:
    rec["country"] = None if rng.random() < 0.4 else _country_text(s.city.country, rng, 1.0)


def _gaps(rec: Record, s: Site, rng: random.Random) -> None:
    for field in rng.sample(("website", "domain", "phone", "street", "postcode", "country"), rng.randint(2, 4)):
        rec[field] = None


# (event, weight for Latin-named companies, weight for Chinese-named ones)
EVENTS: tuple[tuple[Callable[[Record, Site, random.Random], None], float, float], ...] = (
    (_name_legal, 10, 8),
    (_name_no_legal, 6, 8),
    (_name_abbrev, 4, 4),
    (_name_english, 0, 5),
    (_name_typo, 6, 5),
    (_name_case, 5, 1),
    (_name_width, 1, 4),
    (_name_marks, 2, 1),
    (_name_accents, 2, 0),
    (_website, 6, 6),
    (_domain, 4, 4),
    (_phone, 6, 6),
    (_street, 6, 6),
    (_moved, 1, 1),
    (_postcode, 4, 3),
    (_city, 4, 4),
    (_country, 4, 4),
    (_gaps, 3, 3),
)
EVENTS_PER_DUPLICATE = {1: 0.25, 2: 0.32, 3: 0.24, 4: 0.13, 5: 0.06}


def duplicate_record(site: Site, rng: random.Random) -> tuple[Record, list[str]]:
    rec = base_record(site, rng)
    column = 2 if site.company.script == "chinese" else 1
    count = rng.choices(list(EVENTS_PER_DUPLICATE), weights=list(EVENTS_PER_DUPLICATE.values()))[0]
    events = rng.choices(EVENTS, weights=[e[column] for e in EVENTS], k=count)
    for event in events:
        event[0](rec, site, rng)
    if not rec["name"]:
        rec["name"] = site.name
    return rec, [e[0].__name__.lstrip("_") for e in events]
