"""A labelled company/account set for judging account deduplication.

A true entity is one company at one site. Each has 1..k records. The first is correct in an everyday layout;
further records get a burst of 1-5 noise events: legal-form variants (Ltd/Limited, GmbH/G.m.b.H.,
Inc./Incorporated, 有限公司/有限责任公司, English names of Chinese companies), abbreviations, typos, case,
width and Traditional-character noise, website layouts (www or not, scheme, paths, case), missing or
mis-derived domains, phone layouts and errors, street abbreviations, postcodes without leading zeros, city and
country spellings, gaps, and a company that moved within its city.

Hard negatives: branch offices (same name stem, often the same website, another city), look-alike
companies one letter or one word away, and the same name stem registered in another country (Latin names) or
another city (Chinese names, which are registered per region).

    python -m sampledata.labelled_accounts --rows 5000 --seed 1 --out DIR
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from sampledata._account_noise import Record, Site, base_record, duplicate_record
from sampledata._addresses import street
from sampledata._companies import Company, CompanyFactory
from sampledata._vocab import CITIES_BY_COUNTRY, LEGAL_BY_COUNTRY

FIELDS = ("name", "website", "domain", "phone", "street", "city", "postcode", "country")
CLUSTER_SIZES = {1: 0.50, 2: 0.25, 3: 0.13, 4: 0.07, 5: 0.05}
CHINESE_SHARE = 0.4
HARD_NEGATIVE_SHARE = 0.25
# branch_office: same company, another city (often the same website); similar_name: another company one letter
# or one word away; same_name_elsewhere: an unrelated company with the same name stem in another country
# (Latin names) or another city (Chinese names are registered per region).
NEGATIVE_KINDS = {"branch_office": 4, "similar_name": 4, "same_name_elsewhere": 1}


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
        return Site(
            f"A{self.made:07d}",
            company,
            name or company.name,
            street(company.city, rng),
            rng.choice(company.city.postcodes),
            company.city.name,
            website or f"https://www.{company.domain}",
            self.companies.unique_landline(company.city),
            kind,
        )

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
                branch = replace(company, city=city, switchboard=self.companies.unique_landline(city))
                if company.script == "chinese":
                    name = rng.choice(
                        (f"{company.name}{city.name}分公司", f"{city.name}{company.brand}{company.industry}有限公司")
                    )
                else:
                    name = rng.choice(
                        (
                            company.name,
                            f"{company.name} - {city.name}",
                            f"{company.name} ({city.name})",
                            f"{company.brand} {company.industry} {city.name} Office",
                        )
                    )
                shared_site = rng.random() < 0.8
                members.append(self.site(branch, name, first.website if shared_site else None, kind))
            return members
        if kind == "similar_name":
            other = self.companies.look_alike(company)
            if other is None:
                return [first]
            if company.script == "latin" and rng.random() < 0.5:  # Chinese names carry their city: they stay put
                other = replace(other, city=rng.choice(CITIES_BY_COUNTRY[company.country]))
            return [first, self.site(other, kind=kind)]
        if company.script == "chinese":
            cities = [c for c in CITIES_BY_COUNTRY["CN"] if c != company.city]
        else:
            cities = [
                c for code in ("US", "GB", "DE", "FR", "NL") if code != company.country for c in CITIES_BY_COUNTRY[code]
            ]
        city = rng.choice(cities)
        twin = self.companies.make(
            company.script,
            company.brand,
            company.brand_latin,
            company.industry,
            company.industry_en,
            rng.choice(LEGAL_BY_COUNTRY[city.country]),
            city,
            same_stem_allowed=True,
        )
        return [first] if twin is None else [first, self.site(twin, kind=kind)]


def generate_detailed(
    rows: int, seed: int, chinese_share: float = CHINESE_SHARE, hard_negative_share: float = HARD_NEGATIVE_SHARE
) -> Dataset:
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
            size = min(
                rng.choices(list(CLUSTER_SIZES), weights=list(CLUSTER_SIZES.values()))[0],
                remaining - (len(members) - i - 1),
            )
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
        [
            (s.cluster_id, size, s.company.script, s.company.country, s.negative_kind or None, group or None)
            for s, size, group in planned
        ],
        columns=["cluster_id", "size", "script", "country", "negative_kind", "negative_group"],
    ).astype({"negative_group": "Int64"})
    groups: dict[int, list[Site]] = {}
    for site, _size, group in planned:
        if group:
            groups.setdefault(group, []).append(site)
    pairs = pd.DataFrame(
        [
            (a.cluster_id, b.cluster_id, a.negative_kind)
            for members in groups.values()
            for i, a in enumerate(members)
            for b in members[i + 1 :]
        ],
        columns=["cluster_a", "cluster_b", "kind"],
    )
    return Dataset(
        records,
        pd.DataFrame({"id": ids, "cluster_id": [c for c, _r, _e in written]}),
        clusters,
        pairs,
        pd.DataFrame({"id": ids, "events": [e for _c, _r, e in written]}),
    )


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
    print(
        f"{len(data.records)} records of {data.truth.cluster_id.nunique()} sites, "
        f"{len(data.hard_negatives)} hard-negative pairs -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
