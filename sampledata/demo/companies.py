"""LegacyCRM users (the sales reps) and accounts (the customer companies), with their dirt."""

from __future__ import annotations

from datetime import timedelta

from sampledata.demo import names
from sampledata.demo.common import EPOCH, NOW, Ctx, Row, shuffled
from sampledata.demo.formats import make_phone, money, to_fullwidth

USER_COUNT = 30
DEPARTED_USERS = ("U008", "U013", "U019", "U024", "U027")
USER_DOMAIN = "legacy-corp.example"
_DEPARTMENTS = ("Sales - East China", "Sales - North China", "Sales - International", "Key Accounts", "Customer Success", "销售部")


def make_users(ctx: Ctx) -> list[Row]:
    rng, users, emails = ctx.rng, [], set()
    for n in range(1, USER_COUNT + 1):
        uid = f"U{n:03d}"
        if rng.random() < 0.5:
            (family, family_py), (given, given_py) = rng.choice(names.CN_FAMILY), rng.choice(names.CN_GIVEN)
            full_name, local = family + given, f"{family_py}.{given_py}"
        else:
            first, last = rng.choice(names.EN_FIRST), rng.choice(names.EN_LAST)
            full_name, local = f"{first} {last}", f"{first}.{ascii_name(last)}".lower()
        email, k = f"{local}@{USER_DOMAIN}", 2
        while email in emails:
            email, k = f"{local}{k}@{USER_DOMAIN}", k + 1
        emails.add(email)
        if n == 1:
            department, manager = "Sales", ""
        elif n in (2, 3):
            department, manager = ("Sales - East China", "Sales - International")[n - 2], "U001"
        else:
            department = rng.choice(_DEPARTMENTS)
            manager = rng.choices(("U001", "U002", "U003"), (6, 2, 2))[0]
        status = "Inactive" if uid in DEPARTED_USERS else "Active"
        users.append({"user_id": uid, "full_name": full_name, "email": email, "department": department,
                      "status": status, "manager_id": manager})
    ctx.departed = list(DEPARTED_USERS)
    ctx.active_reps = [u["user_id"] for u in users if u["status"] == "Active"]
    return users


def ascii_name(text: str) -> str:
    """An e-mail-safe spelling of a Latin name (Müller -> mueller, O'Brien -> obrien)."""
    for src, dst in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue")):
        text = text.replace(src, dst)
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def _chinese_company(ctx: Ctx, keys: set[str]) -> Row:
    rng = ctx.rng
    for attempt in range(10_000):
        city, city_py, area = rng.choice(names.CN_CITIES)
        # Two-word brands widen the name space once single-word ones get scarce (large scales).
        brands = [rng.choice(names.CN_BRANDS) for _ in range(2 if attempt >= 20 or rng.random() < 0.3 else 1)]
        brand, brand_py = "".join(b[0] for b in brands), "".join(b[1] for b in brands)
        trade, trade_py, industry = rng.choice(names.CN_TRADES)
        if (key := f"{brand}|{trade}|{city}") not in keys:
            keys.add(key)
            break
    suffix, shape = rng.choice(names.CN_SUFFIXES), rng.random()
    if shape < 0.6:
        name = f"{city}{brand}{trade}{suffix}"
    elif shape < 0.85:
        name = f"{brand}{trade}（{city}）{suffix}"
    else:
        name = f"{brand}{trade}{suffix}"
    city_label = rng.choices((city, city + "市", city_py), (5, 2, 3))[0]
    return {"_lang": "cn", "_country": "CN", "_area": area, "_industry": industry, "_short": brand + trade,
            "_domain": f"{brand_py}-{trade_py}.example.cn", "account_name": name, "city": city_label}


def _english_company(ctx: Ctx, keys: set[str]) -> Row:
    rng = ctx.rng
    country = rng.choices(("US", "UK", "DE"), (2, 1, 1))[0]
    for attempt in range(10_000):
        word = rng.choice(names.EN_WORDS) + (" " + rng.choice(names.EN_WORDS2) if rng.random() < 0.3 else "")
        trade, industry = rng.choice(names.EN_TRADES)
        if rng.random() < 0.15:
            trade = ""
        # Past ~20,000 English accounts the plain names run out: qualify them as a real group's subsidiaries are.
        if attempt >= 20:
            word += " " + rng.choice(names.EN_QUALIFIERS) + (f" {attempt // 100 + 1}" if attempt >= 100 else "")
        if (key := f"{word}|{trade}") not in keys:
            keys.add(key)
            break
    short = f"{word} {trade}".strip()
    city, area = rng.choice(names.EN_CITIES[country])
    return {"_lang": "en", "_country": country, "_area": area, "_industry": industry, "_short": short,
            "_domain": short.lower().replace(" ", "-") + ".example",
            "account_name": f"{short} {rng.choice(names.EN_SUFFIXES[country])}", "city": city}


_SYMBOLS = {"CN": "¥", "US": "$", "DE": "€", "UK": ""}
_REVENUE_RANGE = {"CN": (6.0, 9.0), "US": (5.5, 8.5), "DE": (5.5, 8.2), "UK": (5.5, 8.2)}


def _account(ctx: Ctx, company: Row, domains: set[str]) -> Row:
    rng = ctx.rng
    domain, k = company["_domain"], 2
    while domain in domains:
        domain, k = company["_domain"].replace(".example", f"{k}.example", 1), k + 1
    domains.add(domain)
    site = rng.choice((f"www.{domain}", f"https://www.{domain}", f"http://{domain}", domain, f"https://{domain}/"))
    country = company["_country"]
    cn_label, en_label = names.INDUSTRY_LABELS[company["_industry"]]
    low, high = _REVENUE_RANGE[country]
    revenue = round(10 ** rng.uniform(low, high), -4)
    created = ctx.moment(EPOCH, NOW - timedelta(days=30))
    cn_share = 0.65 if company["_lang"] == "cn" else 0.1
    return {
        **company,
        "_domain": domain,
        "_created": created,
        "website": site if rng.random() < 0.88 else "",
        "phone": make_phone(rng, country, company["_area"], False, ctx.taken_phones)[0] if rng.random() < 0.85 else "",
        "industry": "" if rng.random() < 0.02 else (cn_label if rng.random() < cn_share else en_label),
        "country": rng.choice(names.COUNTRY_SPELLINGS[country]),
        "owner_id": ctx.owner(),
        "created_at": ctx.dates.date("accounts.created_at", created),
        "annual_revenue": "" if rng.random() < 0.05 else money(rng, revenue, _SYMBOLS[country]),
    }


def _renamed(ctx: Ctx, name: str, kind: str) -> tuple[str, str]:
    """The same company name as a second rep typed it; returns (name, kind actually applied)."""
    rng = ctx.rng
    if kind == "case" and name.upper() != name.lower():
        return rng.choice([v for v in (name.upper(), name.lower(), name.title()) if v != name]), kind
    if kind == "case" and "（" in name:
        kind = "fullwidth"
    if kind == "fullwidth":
        if "（" in name:
            return name.replace("（", "(").replace("）", ")"), kind
        if name.isascii():
            first, _, rest = name.partition(" ")
            return to_fullwidth(first) + (" " + rest if rest else ""), kind
    if " " in name:
        return " " + name.replace(" ", "  ", 1) + " ", "spacing"
    suffix = next((s for s in ("集团有限公司", "股份有限公司", "有限责任公司", "有限公司") if name.endswith(s)), "")
    cut = len(name) - len(suffix) if suffix else len(name) // 2
    return name[:cut] + rng.choice((" ", "  ")) + name[cut:] + rng.choice(("", " ")), "spacing"


def make_accounts(ctx: Ctx) -> tuple[list[Row], dict]:
    rng = ctx.rng
    total, n_dups = ctx.count(2000, 20), ctx.count(60)
    keys: set[str] = set()
    domains: set[str] = set()
    base = [
        _account(ctx, _chinese_company(ctx, keys) if rng.random() < 0.5 else _english_company(ctx, keys), domains)
        for _ in range(total - n_dups)
    ]
    base.sort(key=lambda r: r["_created"])
    pool = shuffled(rng, len(base))
    originals = ctx.take(pool, n_dups, lambda i: bool(base[i]["website"]))
    missing = ctx.take(pool, ctx.count(20))
    for i in missing:
        base[i]["account_name"] = ""

    dups: list[Row] = []
    kinds = ("case", "spacing", "fullwidth")
    for n, i in enumerate(originals):
        orig = base[i]
        name, kind = _renamed(ctx, orig["account_name"], kinds[n % len(kinds)])
        created = ctx.moment(orig["_created"] + timedelta(days=1))
        dup = {**orig, "_dup_of": orig, "_dup_kind": kind, "_created": created, "account_name": name,
               "created_at": ctx.dates.date("accounts.created_at", created)}
        if rng.random() < 0.4:
            dup["phone"] = ""
        if rng.random() < 0.5:
            dup["owner_id"] = ctx.owner()
        if rng.random() < 0.5:
            dup["annual_revenue"] = ""
        dups.append(dup)

    accounts = sorted(base + dups, key=lambda r: r["_created"])
    for n, row in enumerate(accounts, 1):
        row["account_id"] = f"A{n:05d}"
    truth = {
        "account_duplicates": [[d["_dup_of"]["account_id"], d["account_id"], d["_dup_kind"]] for d in dups],
        "missing_required": sorted(base[i]["account_id"] for i in missing),
    }
    return accounts, truth
