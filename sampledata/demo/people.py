"""LegacyCRM contacts, with duplicates, broken e-mails, missing names, orphans and full-width text."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from sampledata.demo import names
from sampledata.demo.common import Ctx, Row, shuffled
from sampledata.demo.companies import ascii_name
from sampledata.demo.formats import ALL_FORMATS, has_fullwidth, invalid_email, make_phone, to_fullwidth

CONTACT_COLUMNS = ("contact_id", "first_name", "last_name", "email", "phone", "title", "account_id", "owner_id",
                   "created_at", "last_modified")
BROKEN_SHAPES = ("too_many_fields", "too_few_fields", "unterminated_quote")
DUPLICATE_KINDS = ("exact", "email_case", "whitespace", "phone_format", "fullwidth")
_CN_SINGLE_GIVEN = tuple(g for g in names.CN_GIVEN if len(g[0]) == 1)
_PERSONAL_DOMAINS = {"cn": ("163.example", "qq.example"), "en": ("mail.example", "inbox.example")}


def normalise_email(email: str) -> str:
    return unicodedata.normalize("NFKC", email).strip().lower()


class OrphanIds:
    """Ids in the style of a table that do not exist in it (deleted parents): A99xxx, C99xxxx.

    When the 99 block fills up (large scales) ids come from the 90-99 block; real ids stay below it (MAX_SCALE).
    """

    def __init__(self, ctx: Ctx) -> None:
        self._rng, self._used = ctx.rng, set()

    def new(self, prefix: str, width: int) -> str:
        block = 10 ** (width - 2)
        in_99 = sum(1 for v in self._used if v.startswith(f"{prefix}99"))
        low = 99 * block if in_99 < 0.8 * block else 90 * block
        while (value := f"{prefix}{self._rng.randrange(low, 100 * block)}") in self._used:
            pass
        self._used.add(value)
        return value


def _person(ctx: Ctx, account: Row, emails: set[str]) -> Row:
    rng = ctx.rng
    chinese = rng.random() < (0.8 if account["_lang"] == "cn" else 0.02)
    if chinese:
        family, family_py = rng.choice(names.CN_FAMILY)
        if rng.random() < 0.6:
            given, given_py = rng.choice(names.CN_GIVEN)
        else:
            (g1, p1), (g2, p2) = rng.choice(_CN_SINGLE_GIVEN), rng.choice(_CN_SINGLE_GIVEN)
            given, given_py = g1 + g2, p1 + p2
        first, last = given, family
        local = rng.choice((f"{given_py}.{family_py}", f"{family_py}{given_py}", f"{family_py}.{given_py}",
                            f"{given_py[0]}{family_py}"))
    else:
        first, last = rng.choice(names.EN_FIRST), rng.choice(names.EN_LAST)
        f_ascii, l_ascii = ascii_name(first).lower(), ascii_name(last).lower()
        local = rng.choices((f"{f_ascii}.{l_ascii}", f"{f_ascii[0]}{l_ascii}", f"{f_ascii}_{l_ascii}"), (2, 1, 1))[0]
    lang = "cn" if chinese else "en"
    domain = account["_domain"] if rng.random() < 0.85 else rng.choice(_PERSONAL_DOMAINS[lang])
    email = _unique_email(local, domain, emails) if rng.random() < 0.94 else ""
    mobile = account["_country"] == "CN" and rng.random() < 0.75
    phone, family_renderings = make_phone(rng, account["_country"], account["_area"], mobile, ctx.taken_phones)
    has_phone = rng.random() < 0.85
    created = ctx.moment(account["_created"])
    modified = ctx.moment(created)
    return {
        "_lang": lang, "_local": local, "_domain": domain, "_created": created, "_modified": modified,
        "_phones": family_renderings if has_phone else [], "_account": account,
        "first_name": first, "last_name": last, "email": email, "phone": phone if has_phone else "",
        "title": rng.choice(names.TITLES_CN if chinese else names.TITLES_EN),
        "account_id": account["account_id"],
        "owner_id": account["owner_id"] if rng.random() < 0.8 else ctx.owner(),
        "created_at": ctx.dates.date("contacts.created_at", created),
        "last_modified": ctx.dates.datetime("contacts.last_modified", modified),
    }


def _unique_email(local: str, domain: str, emails: set[str]) -> str:
    email, k = f"{local}@{domain}", 2
    while normalise_email(email) in emails:
        email, k = f"{local}{k}@{domain}", k + 1
    emails.add(normalise_email(email))
    return email


def _email_case(ctx: Ctx, email: str) -> str:
    local, _, domain = email.partition("@")
    variant = ctx.rng.choice((
        email.upper(),
        ".".join(p.capitalize() for p in local.split(".")) + "@" + domain.capitalize(),
        local.capitalize() + "@" + domain.upper(),
    ))
    return variant if variant != email else email.upper()


def _duplicate(ctx: Ctx, orig: Row, kind: str, emails: set[str]) -> Row:
    """A second record of the same person; matchable by normalised e-mail, or by phone digits + name."""
    rng = ctx.rng
    dup = dict(orig, _dup_of=orig, _dup_kind=kind)
    if kind == "exact":
        return dup
    created = ctx.moment(orig["_created"] + timedelta(days=1))
    dup.update(_created=created, created_at=ctx.dates.date("contacts.created_at", created),
               last_modified=ctx.dates.datetime("contacts.last_modified", ctx.moment(created)))
    if rng.random() < 0.3:
        dup["owner_id"] = ctx.owner()
    if rng.random() < 0.3:
        dup["title"] = ""
    if kind == "email_case":
        dup["email"] = _email_case(ctx, orig["email"])
    elif kind == "whitespace":
        dup["first_name"] = rng.choice((" ", "  ", "")) + orig["first_name"] + rng.choice((" ", ""))
        dup["last_name"] = orig["last_name"] + " "
        dup["email"] = rng.choice((" ", "")) + orig["email"] + rng.choice((" ", "  "))
    elif kind == "phone_format":
        dup["phone"] = rng.choice([p for p in orig["_phones"] if p != orig["phone"]])
        personal = rng.choice(_PERSONAL_DOMAINS[orig["_lang"]])
        dup["email"] = "" if rng.random() < 0.5 else _unique_email(orig["_local"], personal, emails)
    else:
        fields = rng.choice((("email",), ("phone",), ("email", "phone")))
        for field in fields:
            dup[field] = to_fullwidth(orig[field])
    return dup


def break_line(ctx: Ctx, row: Row, shape: str) -> None:
    """Marks a contact to be written as a structurally broken line (see writers.render_line)."""
    row["created_at"] = ALL_FORMATS["iso"](row["_created"])
    row["last_modified"] = ALL_FORMATS["iso_minute"](row["_modified"])
    row["title"] = row["title"].replace(",", "")
    if shape == "too_many_fields":
        row["title"] = ctx.rng.choice(("Director, Procurement", "VP, Sales", "采购经理, 华东区"))
        row["_raw"] = {"title": row["title"]}
        row["_problem"] = "too many fields: 11 instead of 10 (unquoted comma in title)"
    elif shape == "too_few_fields":
        row["_truncate"] = 2
        row["_problem"] = "too few fields: 8 instead of 10 (line cut after owner_id)"
    else:
        row["_raw"] = {"email": f'"{row["email"]}', "last_modified": f'{row["last_modified"]}"'}
        row["_problem"] = ("unterminated quote: email opens a quote that only closes at the end of the line, "
                           "so a quote-aware parser reads 4 fields (the rest of the line is one field)")
    row["_broken"] = shape


def make_contacts(ctx: Ctx, accounts: list[Row], orphans: OrphanIds) -> tuple[list[Row], dict]:
    rng = ctx.rng
    total, n_dups = ctx.count(10000, 20), ctx.count(600)
    weights = [0.3 if "_dup_of" in a else 1.0 for a in accounts]
    emails: set[str] = set()
    base = [_person(ctx, a, emails) for a in rng.choices(accounts, weights, k=total - n_dups)]
    base.sort(key=lambda r: r["_created"])

    pool = shuffled(rng, len(base))
    for n, i in enumerate(ctx.take(pool, ctx.count(2))):
        break_line(ctx, base[i], BROKEN_SHAPES[n % len(BROKEN_SHAPES)])
    for i in ctx.take(pool, ctx.count(3)):
        base[i]["_repeated"] = True
    originals = ctx.take(pool, n_dups, lambda i: bool(base[i]["email"] and base[i]["phone"]))
    invalid = ctx.take(pool, ctx.count(200))
    for i in invalid:
        row = base[i]
        cn_name = row["last_name"] + row["first_name"] if row["_lang"] == "cn" else "张三"
        row["email"] = invalid_email(rng, row["_local"], row["_domain"], cn_name)
    missing = ctx.take(pool, ctx.count(100))
    for i in missing:
        base[i]["last_name"] = base[i]["email"] = ""
    orphaned = ctx.take(pool, ctx.count(100))
    for i in orphaned:
        base[i]["account_id"] = orphans.new("A", 5)
    for i in ctx.take(pool, ctx.count(300), lambda i: base[i]["_lang"] == "en"):
        field = rng.choice(("first_name", "last_name"))
        base[i][field] = to_fullwidth(base[i][field])
    for field in ("email", "phone"):
        for i in ctx.take(pool, ctx.count(300), lambda i: bool(base[i][field])):
            base[i][field] = to_fullwidth(base[i][field])

    rng.shuffle(originals)
    dups = [_duplicate(ctx, base[i], DUPLICATE_KINDS[n % len(DUPLICATE_KINDS)], emails) for n, i in enumerate(originals)]
    contacts = sorted(base + dups, key=lambda r: r["_created"])
    for n, row in enumerate(contacts, 1):
        row["contact_id"] = f"C{n:06d}"
    truth = {
        "contact_duplicates": [[d["_dup_of"]["contact_id"], d["contact_id"], d["_dup_kind"]] for d in dups],
        "invalid_emails": sorted(base[i]["contact_id"] for i in invalid),
        "missing_required": sorted(base[i]["contact_id"] for i in missing),
        "orphans": sorted(base[i]["contact_id"] for i in orphaned),
        "fullwidth": {
            f"contact.{field}": [r["contact_id"] for r in contacts if has_fullwidth(r[field])]
            for field in ("first_name", "last_name", "email", "phone")
        },
    }
    return contacts, truth
