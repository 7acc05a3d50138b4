"""A labelled company/account set for judging account deduplication.

A true entity is one company at one site. Each has 1..k records. The first is correct in an everyday layout;
further records get a burst of 1-5 noise events: legal-form variants (Ltd/Limited, GmbH/G.m.b.H.,
Inc./Incorporated, 有限公司/有限责任公司, English names of Chinese companies), abbreviations, typos, case,
width and Traditional-character noise, website layouts (www or not, scheme, paths, case), missing or
mis-derived domains, phone layouts and errors, street abbreviations, postcodes without leading zeros, city and
country spellings, gaps, and a company that moved within its city.

Hard negatives: branch offices (same name stem, often the same website, another city), look-alike
companies one letter or one word away, and the same name registered in another country.

    python -m sampledata.labelled_accounts --rows 5000 --seed 1 --out DIR
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from sampledata import _noise as nz
from sampledata._addresses import postcode_variant, street, street_variant
from sampledata._companies import Company, CompanyFactory, abbreviated, legal_variant, without_legal
from sampledata._phones import drop_digit, landline, render, with_extension, wrong_digit
from sampledata._vocab import CITIES_BY_COUNTRY, COUNTRY_VARIANTS, LEGAL_BY_COUNTRY, City

FIELDS = ("name", "website", "domain", "phone", "street", "city", "postcode", "country")
CLUSTER_SIZES = {1: 0.50, 2: 0.25, 3: 0.13, 4: 0.07, 5: 0.05}
CHINESE_SHARE = 0.4
HARD_NEGATIVE_SHARE = 0.25
# branch_office: same company, another city (often the same website); similar_name: another company one letter
# or one word away; same_name_elsewhere: an unrelated company with the same name stem in another country
# (Latin names) or another city (Chinese names are registered per region).
NEGATIVE_KINDS = {"branch_office": 4, "similar_name": 4, "same_name_elsewhere": 1}
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
    negative_kind: str = ""

    @property
    def city(self) -> City:
        return self.company.city


@dataclass(frozen=True)
class Dataset:
    records: pd.DataFrame
    truth: pd.DataFrame
    clusters: pd.DataFrame
    hard_negatives: pd.DataFrame
    noise: pd.DataFrame


class _Sites:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.companies = CompanyFactory(rng)
        self.made = 0

    def site(self, company: Company, name: str | None = None, website: str | None = None, kind: str = "") -> Site:
        self.made += 1
        rng = self.rng
        return Site(f"A{self.made:07d}", company, name or company.name, street(company.city, rng),
                    rng.choice(company.city.postcodes), company.city.name,
                    website or f"https://www.{company.domain}", kind)

    def new(self, chinese: bool) -> Site:
        return self.site(self.companies.chinese() if chinese else self.companies.latin())

    def group(self, chinese: bool, kind: str) -> list[Site]:
        rng = self.rng
        first = self.new(chinese)
        first = replace(first, negative_kind=kind)
        company = first.company
        if kind == "branch_office":
            members = [first]
            others = [c for c in CITIES_BY_COUNTRY[company.country] if c != company.city]
            for city in rng.sample(others, min(len(others), rng.choice((1, 1, 2, 3)))):
                branch = replace(company, city=city, switchboard=landline(city, rng))
                if company.script == "chinese":
                    name = rng.choice((f"{company.name}{city.name}分公司", f"{city.name}{company.brand}{company.industry}有限公司"))
                else:
                    name = rng.choice((company.name, f"{company.name} - {city.name}", f"{company.name} ({city.name})",
                                       f"{company.brand} {company.industry} {city.name} Office"))
                shared_site = rng.random() < 0.8
                members.append(self.site(branch, name, first.website if shared_site else None, kind))
            return members
        if kind == "similar_name":
            other = self.companies.look_alike(company)
            if other is None:
                return [first]
            if rng.random() < 0.5:
                other = replace(other, city=rng.choice(CITIES_BY_COUNTRY[company.country]))
            return [first, self.site(other, kind=kind)]
        if company.script == "chinese":
            cities = [c for c in CITIES_BY_COUNTRY["CN"] if c != company.city]
        else:
            cities = [c for code in ("US", "GB", "DE", "FR", "NL") if code != company.country for c in CITIES_BY_COUNTRY[code]]
        city = rng.choice(cities)
        twin = self.companies.make(company.script, company.brand, company.brand_latin, company.industry,
                                   company.industry_en, rng.choice(LEGAL_BY_COUNTRY[city.country]), city, same_stem_allowed=True)
        return [first] if twin is None else [first, self.site(twin, kind=kind)]


def _country_text(code: str, rng: random.Random, variant_share: float) -> str:
    variants = COUNTRY_VARIANTS[code]
    return rng.choice(variants[1:]) if rng.random() < variant_share else variants[0]


def _website_text(site: Site, rng: random.Random) -> str:
    host = site.website.split("://", 1)[1]
    bare = host.removeprefix("www.")
    return rng.choice((site.website, host, bare, f"http://{host}", f"http://{bare}/", f"https://{bare}",
                       f"{host}/", f"https://{host}/en/", f"{bare}/contact", host.upper(), f"https://{host}/index.html"))


def base_record(site: Site, rng: random.Random) -> Record:
    city = site.city
    return {
        "name": site.name, "website": _website_text(site, rng) if rng.random() < 0.92 else None,
        "domain": site.website.split("://", 1)[1].removeprefix("www.") if rng.random() < 0.7 else None,
        "phone": render(site.company.switchboard, rng), "street": site.street,
        "city": site.city_name if rng.random() < 0.85 else rng.choice(city.variants),
        "postcode": site.postcode, "country": _country_text(city.country, rng, 0.3),
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
    rec["name"] = rng.choice((f"{text} (old)", f"{text} - DO NOT USE", f"ZZ {text}", f"{text} *", f"The {text}",
                              f'"{text}"', f"{text}.", nz.whitespace_noise(text, rng), text.replace(" ", "-", 1)))


def _name_accents(rec: Record, s: Site, rng: random.Random) -> None:
    text = rec["name"] or s.name
    if nz.has_accents(text):
        rec["name"] = nz.strip_accents(text, rng) if rng.random() < 0.7 else nz.mojibake(text)
    else:
        _name_case(rec, s, rng)


def _website(rec: Record, s: Site, rng: random.Random) -> None:
    roll = rng.random()
    rec["website"] = None if roll < 0.35 else nz.garble(_website_text(s, rng), rng) if roll < 0.5 else _website_text(s, rng)


def _domain(rec: Record, s: Site, rng: random.Random) -> None:
    host = s.website.split("://", 1)[1]
    rec["domain"] = rng.choice((None, host, host.upper(), f"info@{host.removeprefix('www.')}", f"@{host.removeprefix('www.')}",
                                s.website))


def _phone(rec: Record, s: Site, rng: random.Random) -> None:
    edit: Callable[[str], str | None] = rng.choice((
        lambda t: None, lambda t: drop_digit(t, rng), lambda t: wrong_digit(t, rng),
        lambda t: with_extension(t, rng, s.company.country), lambda t: nz.fullwidth(t),
        lambda t: render(landline(s.city, rng), rng),  # the sales line instead of the switchboard
    ))
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
    (_name_legal, 10, 8), (_name_no_legal, 6, 8), (_name_abbrev, 4, 4), (_name_english, 0, 5), (_name_typo, 6, 5),
    (_name_case, 5, 1), (_name_width, 1, 4), (_name_marks, 2, 1), (_name_accents, 2, 0), (_website, 6, 6),
    (_domain, 4, 4), (_phone, 6, 6), (_street, 6, 6), (_moved, 1, 1), (_postcode, 4, 3), (_city, 4, 4),
    (_country, 4, 4), (_gaps, 3, 3),
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


def generate_detailed(rows: int, seed: int, chinese_share: float = CHINESE_SHARE,
                      hard_negative_share: float = HARD_NEGATIVE_SHARE) -> Dataset:
    """Exactly `rows` account records with their true site clusters, look-alike pairs and the noise applied."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    rng = random.Random(seed)
    sites = _Sites(rng)
    planned: list[tuple[Site, int, int]] = []
    remaining, group_no = rows, 0
    while remaining > 0:
        chinese = rng.random() < chinese_share
        group = 0
        if remaining >= 2 and rng.random() < hard_negative_share / 2:
            kind = rng.choices(list(NEGATIVE_KINDS), weights=list(NEGATIVE_KINDS.values()))[0]
            members = sites.group(chinese, kind)[:remaining]
            if len(members) > 1:
                group_no += 1
                group = group_no
            else:
                members = [replace(members[0], negative_kind="")]
        else:
            members = [sites.new(chinese)]
        for i, site in enumerate(members):
            size = min(rng.choices(list(CLUSTER_SIZES), weights=list(CLUSTER_SIZES.values()))[0],
                       remaining - (len(members) - i - 1))
            planned.append((site, size, group))
            remaining -= size
    written: list[tuple[str, Record, str]] = []
    for site, size, _group in planned:
        written.append((site.cluster_id, base_record(site, rng), "base"))
        for _ in range(size - 1):
            record, events = duplicate_record(site, rng)
            written.append((site.cluster_id, record, ";".join(events)))
    rng.shuffle(written)
    ids = list(range(1, len(written) + 1))
    records = pd.DataFrame([{"id": i, **{f: rec.get(f) for f in FIELDS}} for i, (_c, rec, _e) in zip(ids, written)])
    clusters = pd.DataFrame(
        [(s.cluster_id, size, s.company.script, s.company.country, s.negative_kind or None, group or None)
         for s, size, group in planned],
        columns=["cluster_id", "size", "script", "country", "negative_kind", "negative_group"],
    ).astype({"negative_group": "Int64"})
    groups: dict[int, list[Site]] = {}
    for site, _size, group in planned:
        if group:
            groups.setdefault(group, []).append(site)
    pairs = pd.DataFrame([(a.cluster_id, b.cluster_id, a.negative_kind) for members in groups.values()
                          for i, a in enumerate(members) for b in members[i + 1:]], columns=["cluster_a", "cluster_b", "kind"])
    return Dataset(records, pd.DataFrame({"id": ids, "cluster_id": [c for c, _r, _e in written]}), clusters, pairs,
                   pd.DataFrame({"id": ids, "events": [e for _c, _r, e in written]}))


def generate(rows: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records[id, name, website, domain, phone, street, city, postcode, country], truth[id, cluster_id])."""
    data = generate_detailed(rows, seed)
    return data.records, data.truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sampledata.labelled_accounts", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder for accounts.csv, truth.csv and the extras")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    data = generate_detailed(args.rows, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    data.records.to_csv(args.out / "accounts.csv", index=False)
    data.truth.to_csv(args.out / "truth.csv", index=False)
    data.clusters.to_csv(args.out / "clusters.csv", index=False)
    data.hard_negatives.to_csv(args.out / "hard_negatives.csv", index=False)
    data.noise.to_csv(args.out / "noise.csv", index=False)
    print(f"{len(data.records)} records of {data.truth.cluster_id.nunique()} sites, "
          f"{len(data.hard_negatives)} hard-negative pairs -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
