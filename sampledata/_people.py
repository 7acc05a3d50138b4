"""People (Latin- and Chinese-script) with work/free-mail addresses and phones, and look-alike groups."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from sampledata._companies import Company, CompanyFactory
from sampledata._noise import strip_accents
from sampledata._phones import Phone, landline, mobile
from sampledata._vocab import (
    CITIES_BY_COUNTRY, CN_GIVEN, CN_SURNAMES, CN_TITLES, FREE_MAIL, LATIN_FIRST_FEMALE, LATIN_FIRST_MALE,
    LATIN_LAST, LATIN_LAST_COMPOUND, LATIN_TITLES, City,
)  # fmt: skip

HARD_NEGATIVE_KINDS = {
    # kind: (weight, what makes the people look alike)
    "namesake_same_company": (3, "same first and last name at the same company; own email and phone"),
    "namesake_same_city": (2, "same first and last name, same city, different company"),
    "family_shared_phone": (2, "same family name and home phone, different first names"),
    "family_shared_email": (2, "same family name and a shared family mailbox, different first names"),
    "colleagues_switchboard": (3, "same company, all reachable only through its switchboard number"),
    "colleagues_generic_email": (2, "same company, all writing from one role mailbox (info@, sales@)"),
    "father_son_same_name": (1, "same name and home phone; the son is sometimes written with 'Jr.'"),
}


@dataclass(frozen=True)
class Person:
    cluster_id: str
    script: str            # "latin" or "chinese"
    first: str
    last: str
    first_latin: str       # ASCII form (pinyin for Chinese names), used for addresses
    last_latin: str
    gender: str
    email: str             # "" when the person has none
    alt_email: str         # a second real address ("" when none)
    phone: Phone | None
    alt_phone: Phone | None
    company: Company | None
    city: City
    title: str
    suffix: str = ""       # "Jr." for a son who shares his father's name
    negative_kind: str = ""


def ascii_name(text: str, rng: random.Random) -> str:
    return "".join(ch for ch in strip_accents(text, rng).lower() if ch.isalnum())


class PeopleFactory:
    """Makes people, keeping emails and phones unique unless a look-alike group shares them on purpose."""

    def __init__(self, rng: random.Random, people_per_company: float = 5.0) -> None:
        self.rng = rng
        self.companies = CompanyFactory(rng)
        self.pool: dict[str, list[Company]] = {"latin": [], "chinese": []}
        self.emails: set[str] = set()
        self.phones: set[str] = set()
        self.made = 0
        self.per_company = people_per_company

    # -- parts -----------------------------------------------------------------------------------------------
    def _cluster_id(self) -> str:
        self.made += 1
        return f"P{self.made:07d}"

    def _names(self, script: str, gender: str | None = None) -> tuple[str, str, str, str, str]:
        rng = self.rng
        gender = gender or rng.choice("mf")
        if script == "chinese":
            # Frequent surnames first: a triangular draw favours the head of the list, like real surname counts.
            last, last_py = CN_SURNAMES[int(rng.triangular(0, len(CN_SURNAMES), 0))]
            chars = rng.sample(CN_GIVEN, rng.choice((1, 2, 2, 2)))
            return ("".join(c for c, _ in chars), last, "".join(p for _, p in chars), last_py, gender)
        first = rng.choice(LATIN_FIRST_MALE if gender == "m" else LATIN_FIRST_FEMALE)
        last = rng.choice(LATIN_LAST_COMPOUND) if rng.random() < 0.04 else rng.choice(LATIN_LAST)
        if rng.random() < 0.03:
            last = f"{last}-{rng.choice(LATIN_LAST)}"
        return first, last, ascii_name(first, rng), ascii_name(last, rng), gender

    def _unique_phone(self, make: Callable[[], Phone]) -> Phone:
        for _ in range(100):
            phone = make()
            if phone.e164 not in self.phones:
                self.phones.add(phone.e164)
                return phone
        raise RuntimeError("phone space exhausted")

    def _unique_email(self, local: str, domain: str) -> str:
        email = f"{local}@{domain}"
        n = 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self.emails.add(email)
        return email

    def _work_local(self, first: str, last: str, script: str) -> str:
        rng = self.rng
        patterns = (f"{first}.{last}", f"{first[:1]}{last}", f"{first}{last[:1]}", f"{first}_{last}", f"{first}",
                    f"{last}.{first}", f"{first[:1]}.{last}")
        if script == "chinese":
            patterns = (f"{last}{first}", f"{first}.{last}", f"{last}.{first}", f"{first[:1]}{last}", f"{last}{first[:1]}",
                        f"{first}{last}")
        return rng.choice(patterns)

    def free_email(self, first: str, last: str, script: str) -> str:
        rng = self.rng
        domain = rng.choice(FREE_MAIL[script])
        if script == "chinese" and domain == "qq.com":
            return self._unique_email(str(rng.randint(10_000_000, 3_999_999_999)), domain)
        local = rng.choice((f"{first}.{last}", f"{first}{last}", f"{last}{first}", f"{first}_{last}{rng.randint(1, 99)}",
                            f"{first}{rng.randint(1960, 2005)}", f"{first[:1]}{last}{rng.randint(1, 999)}"))
        return self._unique_email(local, domain)

    def company_for(self, script: str, city: City | None = None) -> Company:
        """An existing company most of the time (so people have colleagues), else a new one."""
        rng = self.rng
        pool = self.pool[script]
        wanted = 1 + self.made / self.per_company * (0.6 if script == "latin" else 0.4)
        if city is None and pool and len(pool) >= wanted:
            return rng.choice(pool)
        company = self.companies.chinese(city) if script == "chinese" else self.companies.latin(city=city)
        pool.append(company)
        return company

    # -- people ----------------------------------------------------------------------------------------------
    def person(self, script: str, company: Company | None | str = "pick", **fixed: object) -> Person:
        """A new person; `fixed` pins fields (names, email, phone, city, ...) for look-alike groups."""
        rng = self.rng
        first, last, first_l, last_l, gender = self._names(script, fixed.pop("gender", None))  # type: ignore[arg-type]
        first, first_l = fixed.pop("first", first), fixed.pop("first_latin", first_l)  # type: ignore[assignment]
        last, last_l = fixed.pop("last", last), fixed.pop("last_latin", last_l)  # type: ignore[assignment]
        if company == "pick":
            if rng.random() < 0.05:
                company = None
            else:
                other = "latin" if script == "chinese" else "chinese"
                company = self.company_for(other if rng.random() < (0.08 if script == "chinese" else 0.03) else script)
        city = fixed.pop("city", None) or (
            company.city if company is not None and rng.random() < 0.85
            else rng.choice(CITIES_BY_COUNTRY[company.country if company else "CN" if script == "chinese"
                                              else rng.choice(("US", "GB", "DE", "FR", "NL"))]))
        if "email" in fixed:
            email = str(fixed.pop("email"))
        elif rng.random() < 0.10:
            email = ""
        elif company is not None and rng.random() < 0.75:
            email = self._unique_email(self._work_local(first_l, last_l, script), company.domain)
        else:
            email = self.free_email(first_l, last_l, script)
        alt_email = self.free_email(first_l, last_l, script) if email and rng.random() < 0.3 else ""
        country = city.country  # type: ignore[union-attr]
        phone = fixed.pop("phone", "draw")
        if phone == "draw":
            roll = rng.random()
            phone = (self._unique_phone(lambda: mobile(country, rng)) if roll < 0.80
                     else self._unique_phone(lambda: landline(city, rng)) if roll < 0.92 else None)  # type: ignore[arg-type]
        alt_phone = self._unique_phone(lambda: landline(city, rng)) if rng.random() < 0.25 else None  # type: ignore[arg-type]
        title = rng.choice(CN_TITLES if script == "chinese" else LATIN_TITLES)
        return Person(self._cluster_id(), script, first, last, first_l, last_l, gender, email, alt_email,
                      phone, alt_phone, company, city, title, **fixed)  # type: ignore[arg-type]

    def look_alike_group(self, script: str, kind: str) -> list[Person]:
        """People who are NOT the same person but share what careless matching relies on."""
        rng = self.rng
        gender = "m" if kind == "father_son_same_name" else None
        a = self.person(script, company=self.company_for(script), negative_kind=kind, gender=gender)
        company, city = a.company, a.city
        assert company is not None
        if kind == "namesake_same_company":
            b = self.person(script, company=company, first=a.first, last=a.last, first_latin=a.first_latin,
                            last_latin=a.last_latin, gender=a.gender, city=city, negative_kind=kind)
            return [a, b]
        if kind == "namesake_same_city":
            other = self.company_for(script, city)
            b = self.person(script, company=other, first=a.first, last=a.last, first_latin=a.first_latin,
                            last_latin=a.last_latin, gender=a.gender, city=city, negative_kind=kind)
            return [a, b]
        if kind in ("family_shared_phone", "family_shared_email", "father_son_same_name"):
            home = self._unique_phone(lambda: landline(city, rng))
            shared_mail = self._unique_email(
                rng.choice((f"{a.last_latin}family", f"the{a.last_latin}s", f"{a.last_latin}.home",
                            f"{a.last_latin}jia{rng.randint(1, 2020)}")), rng.choice(FREE_MAIL[script]))
            fixed: dict[str, object] = {"last": a.last, "last_latin": a.last_latin, "city": city, "negative_kind": kind}
            if kind == "family_shared_email":
                fixed["email"] = shared_mail
            else:
                fixed["phone"] = home
            if kind == "father_son_same_name":
                fixed.update(first=a.first, first_latin=a.first_latin, gender="m", suffix="Jr.")
            members = [replace(a, **{k: v for k, v in fixed.items() if k in ("email", "phone")})]
            for _ in range(1 if kind == "father_son_same_name" else rng.choice((1, 1, 2))):
                members.append(self.person(script, company=None if rng.random() < 0.5 else "pick", **dict(fixed)))
            return members
        role = rng.choice(("info", "sales", "office", "contact", "service", "purchasing", "admin"))
        shared = {"colleagues_switchboard": {"phone": company.switchboard},
                  "colleagues_generic_email": {"email": f"{role}@{company.domain}"}}[kind]
        members = [replace(a, **shared)]  # type: ignore[arg-type]
        for _ in range(rng.choice((1, 1, 2, 3))):
            members.append(self.person(rng.choice((script, script, script, "latin" if script == "chinese" else "chinese")),
                                       company=company, city=city, negative_kind=kind, **dict(shared)))
        return members
