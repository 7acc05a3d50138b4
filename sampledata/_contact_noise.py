"""How one person's CRM record gets written: a clean-ish first record, then noisy re-entries.

A duplicate record receives a burst of 1-6 noise events drawn from a weighted menu (names, email, phone,
company, city, layout), plus independent gaps. Events compound: a name can be swapped, then garbled.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from sampledata import _noise as nz
from sampledata._companies import abbreviated, legal_variant, name_variant, without_legal
from sampledata._people import Person, PeopleFactory
from sampledata._phones import drop_digit, render, with_extension, wrong_digit
from sampledata._vocab import CN_HONORIFICS, CN_TITLES, JUNK_EMAILS, JUNK_PHONES, LATIN_TITLES, NICKNAMES

Record = dict[str, str | None]
FIELDS = ("first_name", "last_name", "email", "phone", "company", "city", "job_title", "lead_source")
TEXT_FIELDS = ("first_name", "last_name", "email", "phone", "company", "city")
LEAD_SOURCES = {"latin": ("Web form", "Trade show", "Referral", "Cold call", "Webinar", "Import 2019", "LinkedIn", "Partner"),
                "chinese": ("官网表单", "展会", "转介绍", "电话营销", "微信", "百度推广", "老客户", "名片录入")}
EVENTS_PER_DUPLICATE = {1: 0.22, 2: 0.30, 3: 0.24, 4: 0.14, 5: 0.07, 6: 0.03}


def city_text(person: Person, rng: random.Random, variant_share: float) -> str:
    if rng.random() < variant_share:
        return rng.choice(person.city.variants)
    return person.city.name


def base_record(person: Person, rng: random.Random) -> Record:
    """The first record of a person: correct values in everyday layouts (phone styles, company spellings)."""
    first, last = person.first, person.last
    if person.suffix and rng.random() < 0.5:
        last = f"{last} {person.suffix}"
    if person.script == "chinese" and rng.random() < 0.15:
        first, last = "", f"{person.last}{person.first}"  # one 姓名 field exported into last_name
    company = person.company
    return {
        "first_name": first, "last_name": last, "email": person.email or None,
        "phone": render(person.phone, rng) if person.phone else None,
        "company": (company.name if rng.random() < 0.7 else name_variant(company, rng)) if company else None,
        "city": city_text(person, rng, 0.2), "job_title": person.title,
        "lead_source": rng.choice(LEAD_SOURCES[person.script]),
    }


# -- events: each takes (record, person, rng, factory) and edits the record in place ----------------------------
def _filled(rec: Record, fields: tuple[str, ...]) -> list[str]:
    return [f for f in fields if rec.get(f)]


def _on_some(rec: Record, rng: random.Random, fields: tuple[str, ...], edit: Callable[[str], str], most: int = 2) -> None:
    present = _filled(rec, fields)
    for field in rng.sample(present, min(len(present), rng.randint(1, most))):
        rec[field] = edit(rec[field])  # type: ignore[arg-type]


def garble_first(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    _on_some(rec, rng, ("first_name",), lambda s: nz.garble(s, rng))


def garble_last(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    _on_some(rec, rng, ("last_name",), lambda s: nz.garble(s, rng))


def ocr_card(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    _on_some(rec, rng, TEXT_FIELDS, lambda s: nz.ocr_confusion(s, rng), most=3)
    rec["lead_source"] = "名片扫描" if p.script == "chinese" else "Business card scan"


def truncate(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    _on_some(rec, rng, ("first_name", "last_name", "company", "email", "city"), lambda s: nz.truncate(s, rng), most=1)


def swap_names(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    rec["first_name"], rec["last_name"] = rec["last_name"], rec["first_name"]


def initial_only(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    if p.script == "chinese":
        rec["first_name"] = p.first_latin[:1].upper() + rng.choice(("", "."))
        rec["last_name"] = rng.choice((p.last, p.last_latin.title()))
    elif rec.get("first_name"):
        rec["first_name"] = rec["first_name"][:1] + rng.choice(("", ".", "."))  # type: ignore[index]


def nickname(rec: Record, p: Person, rng: random.Random, f: PeopleFactory) -> None:
    if p.first in NICKNAMES:
        rec["first_name"] = rng.choice(NICKNAMES[p.first])
    else:
        middle_initial(rec, p, rng, f)


def middle_initial(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    if p.script == "latin" and rec.get("first_name"):
        rec["first_name"] = f"{rec['first_name']} {rng.choice('ABCDEFGHJKLMNPRSTW')}{rng.choice(('.', ''))}"


def one_name_field(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    first, last = rec.get("first_name") or "", rec.get("last_name") or ""
    if p.script == "chinese":
        full = f"{p.last}{p.first}" if rng.random() < 0.8 else f"{p.last} {p.first}"
    else:
        full = rng.choice((f"{first} {last}", f"{last}, {first}", f"{last.upper()} {first}"))
    if rng.random() < 0.7:
        rec["first_name"], rec["last_name"] = None, full.strip(" ,")
    else:
        rec["first_name"], rec["last_name"] = full.strip(" ,"), None


def honorific(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    if p.script == "chinese":
        title = rng.choice(CN_HONORIFICS if p.gender == "m" else tuple(h for h in CN_HONORIFICS if h != "先生"))
        if rng.random() < 0.6:
            rec["first_name"], rec["last_name"] = None, f"{p.last}{title}"
        else:
            rec["last_name"] = f"{rec.get('last_name') or p.last}{title}"
        return
    prefix = rng.choice(("Dr. ", "Mr. ", "Mr ", "Ms. ", "Mrs ", "Prof. Dr. ", "Herr ", "Frau ", "M. ", "Mme "))
    if rng.random() < 0.7 and rec.get("first_name"):
        rec["first_name"] = prefix + rec["first_name"]  # type: ignore[operator]
    else:
        rec["last_name"] = f"{rec.get('last_name') or p.last}{rng.choice((', PhD', ' MBA', ' (Dr.)', ', Esq.'))}"


def pinyin(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    if p.script != "chinese":
        return
    first, last = p.first_latin.title(), p.last_latin.title()
    if rng.random() < 0.3:
        first, last = last, first  # western order misread as first/last
    rec["first_name"], rec["last_name"] = first, rng.choice((last, last.upper()))


def traditional(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    for field in _filled(rec, ("first_name", "last_name", "company", "city")):
        rec[field] = nz.traditional(rec[field])  # type: ignore[arg-type]


def homophone(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    _on_some(rec, rng, ("first_name", "last_name", "company"), lambda s: nz.homophone(s, rng), most=1)


def accents(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    edit = (lambda s: nz.mojibake(s)) if rng.random() < 0.3 else (lambda s: nz.strip_accents(s, rng))
    for field in _filled(rec, ("first_name", "last_name", "company", "city")):
        if nz.has_accents(rec[field]):  # type: ignore[arg-type]
            rec[field] = edit(rec[field])  # type: ignore[arg-type]


def case(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    _on_some(rec, rng, TEXT_FIELDS, lambda s: nz.case_noise(s, rng), most=3)


def fullwidth(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    _on_some(rec, rng, ("first_name", "last_name", "email", "phone", "company"), nz.fullwidth, most=2)


def whitespace(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    _on_some(rec, rng, TEXT_FIELDS, lambda s: nz.whitespace_noise(s, rng), most=2)


def email_missing(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    rec["email"] = None


def email_junk(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    rec["email"] = rng.choice(JUNK_EMAILS)


_DOMAIN_TYPOS = {"gmail.com": ("gmial.com", "gmail.con", "gmai.com", "gnail.com", "gmail.co", "gmail.cm"),
                 "hotmail.com": ("hotmial.com", "hotmail.co", "hotmai.com"), "qq.com": ("qq.con", "qq.cm", "qq,com", "qq.om"),
                 "163.com": ("163.con", "163.cm", "163com", "136.com"), "yahoo.com": ("yaho.com", "yahoo.co", "yahooo.com"),
                 "outlook.com": ("outlok.com", "outlook.co")}


def email_typo(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    email = rec.get("email") or p.email
    if not email or "@" not in email:
        return
    local, domain = email.split("@", 1)
    kind = rng.choice(("domain", "domain", "local", "no_at", "trailing", "comma", "mailto", "display", "two", "space"))
    if kind == "domain":
        domain = rng.choice(_DOMAIN_TYPOS.get(domain, ())) if domain in _DOMAIN_TYPOS else nz.garble(domain, rng)
        rec["email"] = f"{local}@{domain}"
    elif kind == "local":
        rec["email"] = f"{nz.garble(local, rng)}@{domain}"
    elif kind == "no_at":
        rec["email"] = rng.choice((f"{local}{domain}", f"{local} at {domain}", f"{local}@@{domain}", f"{local}#{domain}",
                                   f"{local}＠{domain}"))
    elif kind == "trailing":
        rec["email"] = email + rng.choice((".", ",", ";", ">"))
    elif kind == "comma":
        rec["email"] = email.replace(".", ",", 1)
    elif kind == "mailto":
        rec["email"] = f"mailto:{email}"
    elif kind == "display":
        rec["email"] = f'"{p.first} {p.last}" <{email}>'
    elif kind == "two":
        rec["email"] = f"{email}; {p.alt_email}" if p.alt_email else f"{email}, {email}"
    else:
        rec["email"] = f"{local} @{domain}"


def email_alt(rec: Record, p: Person, rng: random.Random, f: PeopleFactory) -> None:
    if p.alt_email:
        rec["email"] = p.alt_email
    else:
        email_typo(rec, p, rng, f)


def phone_missing(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    rec["phone"] = None


def phone_digit(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    if rec.get("phone"):
        rec["phone"] = (drop_digit if rng.random() < 0.5 else wrong_digit)(rec["phone"], rng)  # type: ignore[arg-type]


def phone_junk(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    rec["phone"] = rng.choice(JUNK_PHONES)


def phone_switchboard(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    if p.company is not None:
        text = render(p.company.switchboard, rng)
        rec["phone"] = with_extension(text, rng, p.company.country) if rng.random() < 0.5 else text


def phone_extension(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    if rec.get("phone") and p.phone is not None:
        rec["phone"] = with_extension(rec["phone"], rng, p.phone.country)  # type: ignore[arg-type]


def phone_other(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    numbers = [n for n in (p.phone, p.alt_phone, p.company.switchboard if p.company else None) if n is not None]
    if len(numbers) >= 2:
        first, second = rng.sample(numbers, 2)
        joined = rng.choice((" / ", "; ", ", ", " 或 " if p.script == "chinese" else " or ", "\n"))
        rec["phone"] = render(first, rng) + joined + render(second, rng)
    elif p.alt_phone is not None:
        rec["phone"] = render(p.alt_phone, rng)


def company_legal(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    if p.company is not None:
        rec["company"] = legal_variant(p.company, rng) if rng.random() < 0.6 else without_legal(p.company, rng)


def company_abbrev(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    if p.company is not None:
        rec["company"] = abbreviated(p.company, rng)


def company_typo(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    _on_some(rec, rng, ("company",), lambda s: nz.garble(s, rng))


def company_missing(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    rec["company"] = None


def company_department(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    if rec.get("company"):
        dept = rng.choice(("采购部", "销售部", "技术部", "财务部")) if p.script == "chinese" else rng.choice(
            (" - Sales", " (Purchasing)", " / IT", " - Finance Dept.", " c/o Accounts Payable"))
        rec["company"] = f"{rec['company']}{dept}"


def changed_job(rec: Record, p: Person, rng: random.Random, f: PeopleFactory) -> None:
    """The same person at a new employer: mobile number kept, company and work address changed."""
    if p.phone is None or not p.phone.mobile:
        return
    company = f.company_for(p.script)
    rec["company"] = name_variant(company, rng)
    rec["email"] = f"{p.first_latin[:1]}{p.last_latin}@{company.domain}" if rng.random() < 0.7 else None
    rec["phone"] = render(p.phone, rng)


def city_variant(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    city = p.city
    roll = rng.random()
    if roll < 0.6:
        rec["city"] = rng.choice(city.variants)
    elif city.country == "CN":
        rec["city"] = f"{city.region}{city.name}" if city.region != f"{city.name}市" else rng.choice(city.streets)[:3]
    else:
        rec["city"] = rng.choice((f"{rng.choice(city.postcodes)} {city.name}", f"{city.name} {city.region}",
                                  f"{city.name}, {city.country}"))


def city_missing(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    rec["city"] = None


def city_typo(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    _on_some(rec, rng, ("city",), lambda s: nz.garble(s, rng))


def swap_fields(rec: Record, p: Person, rng: random.Random, _f: PeopleFactory) -> None:
    a, b = rng.choice((("company", "city"), ("email", "phone"), ("company", "job_title"), ("first_name", "company")))
    rec[a], rec[b] = rec.get(b), rec.get(a)


# (event, weight for Latin-script people, weight for Chinese-script people)
EVENTS: tuple[tuple[Callable[[Record, Person, random.Random, PeopleFactory], None], float, float], ...] = (
    (garble_first, 7, 4), (garble_last, 9, 3), (ocr_card, 3, 3), (truncate, 4, 2), (swap_names, 5, 6),
    (initial_only, 5, 1), (nickname, 4, 0), (middle_initial, 2, 0), (one_name_field, 3, 5), (honorific, 2, 3),
    (pinyin, 0, 3), (traditional, 0, 3), (homophone, 0, 8), (accents, 3, 0), (case, 6, 2), (fullwidth, 1, 4),
    (whitespace, 3, 3), (email_missing, 5, 5), (email_junk, 4, 4), (email_typo, 6, 6), (email_alt, 3, 3),
    (phone_missing, 4, 4), (phone_digit, 4, 4), (phone_junk, 2, 2), (phone_switchboard, 3, 3), (phone_extension, 2, 2),
    (phone_other, 2, 2), (company_legal, 7, 7), (company_abbrev, 4, 4), (company_typo, 4, 3), (company_missing, 3, 3),
    (company_department, 1, 1), (changed_job, 1, 1), (city_variant, 5, 5), (city_missing, 3, 3), (city_typo, 2, 1),
    (swap_fields, 1, 1),
)
_GAPS = {"email": 0.05, "phone": 0.05, "city": 0.08, "company": 0.04}


def duplicate_record(person: Person, rng: random.Random, factory: PeopleFactory) -> tuple[Record, list[str]]:
    """Another record of `person` with a burst of noise; returns the record and the events applied."""
    rec = base_record(person, rng)
    rec["city"] = city_text(person, rng, 0.3)
    if rng.random() < 0.3:
        rec["job_title"] = None if rng.random() < 0.5 else rng.choice(CN_TITLES if person.script == "chinese" else LATIN_TITLES)
    column = 1 if person.script == "latin" else 2
    weights = [event[column] for event in EVENTS]
    count = rng.choices(list(EVENTS_PER_DUPLICATE), weights=list(EVENTS_PER_DUPLICATE.values()))[0]
    applied = []
    for event in rng.choices(EVENTS, weights=weights, k=count):
        event[0](rec, person, rng, factory)
        applied.append(event[0].__name__)
    for field, share in _GAPS.items():
        if rng.random() < share:
            rec[field] = None
            applied.append(f"gap_{field}")
    if not any(rec.get(f) for f in ("first_name", "last_name", "email", "phone")):
        rec["last_name"] = person.last  # a record with nothing to identify anyone would not survive data entry
        applied.append("restored_last_name")
    return rec, applied
