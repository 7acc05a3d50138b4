"""Companies (Latin- and Chinese-named) and the name variants a CRM collects for one company."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from sampledata._noise import strip_accents
from sampledata._phones import Phone, landline
from sampledata._vocab import (
    ABBREVIATIONS, CITIES_BY_COUNTRY, CN_BRAND, CN_HOMOPHONES, CN_INDUSTRY, CN_LEGAL_EN, LATIN_INDUSTRIES,
    LATIN_LAST, LATIN_STEMS, LEGAL_BY_COUNTRY, LEGAL_VARIANTS, City,
)  # fmt: skip

LATIN_COUNTRIES = ("US", "US", "GB", "DE", "DE", "FR", "NL")
_TLD = {"US": (".com", ".com", ".io", ".net"), "GB": (".co.uk", ".com", ".uk"), "DE": (".de", ".de", ".com"),
        "FR": (".fr", ".com"), "NL": (".nl", ".com"), "CN": (".com.cn", ".cn", ".com", ".net.cn")}


@dataclass(frozen=True)
class Company:
    key: str
    script: str          # "latin" or "chinese"
    brand: str           # "Apex" / "华信"
    brand_latin: str     # "Apex" / "Huaxin"
    industry: str        # "Systems" / "科技"
    industry_en: str
    legal: str
    city: City
    domain: str
    switchboard: Phone

    @property
    def country(self) -> str:
        return self.city.country

    @property
    def name(self) -> str:
        """The registered name."""
        if self.script == "chinese":
            return f"{self.city.name}{self.brand}{self.industry}{self.legal}"
        return f"{self.brand} {self.industry} {self.legal}".replace(" ,", ",")

    @property
    def english(self) -> str:
        if self.script != "chinese":
            return self.name
        city_en = next((v for v in self.city.variants if v.isascii() and v.istitle()), self.city.name)
        return f"{city_en} {self.brand_latin} {self.industry_en} {CN_LEGAL_EN[self.legal]}"


class CompanyFactory:
    """Makes companies with unique names and domains within one run."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.domains: set[str] = set()
        self.count = 0

    def _domain(self, base: str, country: str) -> str:
        rng = self.rng
        for attempt in range(50):
            suffix = "" if attempt == 0 else str(rng.randint(1, 999)) if attempt > 3 else rng.choice(("-group", "hq", "-global", "online"))
            domain = f"{base}{suffix}{rng.choice(_TLD[country])}"
            if domain not in self.domains:
                self.domains.add(domain)
                return domain
        raise RuntimeError(f"no free domain for {base}")

    def _key(self) -> str:
        self.count += 1
        return f"CO{self.count:06d}"

    def latin(self, country: str | None = None, city: City | None = None) -> Company:
        rng = self.rng
        country = country or (city.country if city else rng.choice(LATIN_COUNTRIES))
        city = city or rng.choice(CITIES_BY_COUNTRY[country])
        for attempt in range(200):
            brand = rng.choice(LATIN_STEMS)
            if attempt > 20:
                brand = f"{brand} {rng.choice(LATIN_STEMS)}"
            if rng.random() < 0.1:
                brand = rng.choice((f"{rng.choice(LATIN_LAST)} & Sons", f"{rng.choice(LATIN_LAST)} & Partners",
                                    f"{rng.choice(LATIN_LAST)} {rng.choice(LATIN_LAST)}"))
            industry = rng.choice(LATIN_INDUSTRIES)
            legal = rng.choice(LEGAL_BY_COUNTRY[country])
            company = self.make("latin", brand, brand, industry, industry, legal, city)
            if company is not None:
                return company
        raise RuntimeError("ran out of Latin company names")

    def chinese(self, city: City | None = None) -> Company:
        rng = self.rng
        city = city or rng.choice(CITIES_BY_COUNTRY["CN"])
        for _ in range(400):
            (c1, p1), (c2, p2) = rng.sample(CN_BRAND, 2)
            industry, industry_en, _code = rng.choice(CN_INDUSTRY)
            legal = rng.choice(LEGAL_BY_COUNTRY["CN"])
            company = self.make("chinese", c1 + c2, (p1 + p2).title(), industry, industry_en, legal, city)
            if company is not None:
                return company
        raise RuntimeError("ran out of Chinese company names")

    def make(self, script: str, brand: str, brand_latin: str, industry: str, industry_en: str, legal: str,
             city: City, same_stem_allowed: bool = False) -> Company | None:
        """A company with these parts, or None if its name (or, for Chinese names, its stem) is taken."""
        probe = Company("", script, brand, brand_latin, industry, industry_en, legal, city, "", Phone("CN", "", "", False))
        stem_taken = script == "chinese" and f"{brand}{industry}" in self.names and not same_stem_allowed
        if probe.name in self.names or stem_taken:
            return None
        self.names.add(probe.name)
        if script == "chinese":
            self.names.add(f"{brand}{industry}")
        base = strip_accents(brand_latin, self.rng).lower().replace("&", "and").replace(" ", self.rng.choice(("", "-")))
        base = "".join(ch for ch in base if ch.isalnum() or ch == "-")
        if self.rng.random() < 0.5:
            code = next((c for i, _e, c in CN_INDUSTRY if i == industry), industry_en.lower()[:4])
            base = f"{base}{self.rng.choice(('', '-'))}{code if script == 'chinese' else industry_en.lower()[:4]}"
        return replace(probe, key=self._key(), domain=self._domain(base, city.country),
                       switchboard=landline(city, self.rng))

    def like(self, company: Company, city: City) -> Company:
        """Another company of the same kind in `city` (a new key, name and domain)."""
        return self.chinese(city) if company.script == "chinese" else self.latin(city=city)

    def look_alike(self, company: Company) -> Company | None:
        """A different company whose name is one small step from `company`'s (or None if none is free)."""
        rng = self.rng
        for _ in range(30):
            brand, brand_latin, industry, industry_en = company.brand, company.brand_latin, company.industry, company.industry_en
            how = rng.choice(("brand", "industry", "brand"))
            if how == "industry":
                if company.script == "chinese":
                    industry, industry_en, _ = rng.choice(CN_INDUSTRY)
                else:
                    industry = industry_en = rng.choice(LATIN_INDUSTRIES)
            elif company.script == "chinese":
                i = rng.randrange(len(brand))
                options = CN_HOMOPHONES.get(brand[i]) or tuple(c for c, _p in CN_BRAND)
                brand = brand[:i] + rng.choice(options) + brand[i + 1:]
            else:
                brand = rng.choice(_near_stems(brand))
                brand_latin = brand
            made = self.make(company.script, brand, brand_latin, industry, industry_en,
                              rng.choice(LEGAL_BY_COUNTRY[company.country]), company.city)
            if made is not None:
                return made
        return None


def _near_stems(stem: str) -> tuple[str, ...]:
    """Real, different company names that look like `stem`: one letter away, or sharing its first word."""
    first = stem.split()[0]
    swaps = {"a": "e", "e": "a", "o": "a", "i": "y", "y": "i", "u": "o"}
    near = [first[:i] + swaps[ch] + first[i + 1:] for i, ch in enumerate(first) if ch in swaps and i > 0]
    near += [f"{first}{tail}" for tail in ("s", "x", " One", " Pro")]
    return tuple(near)


def legal_variant(company: Company, rng: random.Random) -> str:
    """The same company with its legal form spelt another way (or in a Chinese name's other layouts)."""
    variant = rng.choice(LEGAL_VARIANTS[company.legal])
    if company.script == "chinese":
        layout = rng.choice(("plain", "paren_city", "no_city", "no_city"))
        if variant.isascii():
            return company.english.replace(CN_LEGAL_EN[company.legal], variant)
        if layout == "paren_city":
            return f"{company.brand}{company.industry}{rng.choice(('（', '('))}{company.city.name}{rng.choice(('）', ')'))}{variant}"
        if layout == "no_city":
            return f"{company.brand}{company.industry}{variant}"
        return f"{company.city.name}{company.brand}{company.industry}{variant}"
    joiner = "" if variant.startswith(",") else " "
    return f"{company.brand} {company.industry}{joiner}{variant}"


def without_legal(company: Company, rng: random.Random) -> str:
    if company.script == "chinese":
        return rng.choice((f"{company.brand}{company.industry}", f"{company.city.name}{company.brand}{company.industry}",
                           f"{company.brand}", f"{company.city.name}{company.brand}"))
    return rng.choice((f"{company.brand} {company.industry}", company.brand))


def abbreviated(company: Company, rng: random.Random) -> str:
    """Abbreviations people type: Tech for Technologies, & for and, acronyms of long names."""
    if company.script == "chinese":
        listed = f"{company.brand}股份" if company.legal == "股份有限公司" else f"{company.brand}{company.industry[:2]}"
        return rng.choice((company.brand, listed, company.brand_latin.upper(), f"{company.brand_latin} {company.industry_en}"))
    words = f"{company.brand} {company.industry}".split()
    if len(words) >= 3 and rng.random() < 0.5:
        return "".join(w[0] for w in words if w[0].isalpha()).upper() + " " + company.legal
    short = [ABBREVIATIONS.get(w, w) for w in words]
    if short == words:
        short = words[:-1]  # no usual abbreviation: people drop the industry word instead
    text = " ".join(short)
    if "&" in text and rng.random() < 0.5:
        text = text.replace("&", "and")
    return f"{text} {rng.choice(LEGAL_VARIANTS[company.legal] + (company.legal, ''))}".strip().replace(" ,", ",")


def name_variant(company: Company, rng: random.Random) -> str:
    """Any everyday spelling of the company's name, weighted towards the common ones."""
    kind = rng.random()
    if kind < 0.40:
        return company.name
    if kind < 0.65:
        return legal_variant(company, rng)
    if kind < 0.85:
        return without_legal(company, rng)
    if kind < 0.93 and company.script == "chinese":
        return company.english
    return abbreviated(company, rng)
