"""LegacyCRM deals and activities, with their dirt."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from sampledata.demo import names
from sampledata.demo.common import NOW, Ctx, Row, shuffled
from sampledata.demo.formats import ALL_FORMATS, money
from sampledata.demo.people import OrphanIds

DEAL_COLUMNS = ("deal_id", "deal_name", "account_id", "contact_id", "amount", "currency", "stage", "close_date", "owner_id")
ACTIVITY_COLUMNS = ("activity_id", "type", "subject", "details", "activity_date", "contact_id", "account_id", "deal_id",
                    "owner_id")
_CURRENCIES = {"CN": (("CNY", "RMB"), (7, 3)), "US": (("USD",), (1,)), "DE": (("EUR",), (1,)), "UK": (("USD", "EUR"), (1, 1))}
_AMOUNT_RANGE = {"CN": (4.3, 6.7), "US": (3.7, 6.0), "DE": (3.7, 6.0), "UK": (3.7, 6.0)}
_SYMBOLS = {"CNY": "¥", "RMB": "¥", "USD": "$", "EUR": "€"}
_STAGE_WEIGHTS = {"qualification": 20, "proposal": 18, "negotiation": 12, "won": 28, "lost": 22}


def valid_contacts_by_account(contacts: list[Row]) -> dict[str, list[Row]]:
    """Contacts that deals and activities may point at: well-formed lines attached to a real account."""
    by_account: dict[str, list[Row]] = defaultdict(list)
    for row in contacts:
        if "_broken" not in row and row["account_id"] == row["_account"]["account_id"]:
            by_account[row["account_id"]].append(row)
    return by_account


def _deal(ctx: Ctx, account: Row, contacts: list[Row]) -> Row:
    rng = ctx.rng
    today = NOW.date()
    stage = rng.choices(list(_STAGE_WEIGHTS), list(_STAGE_WEIGHTS.values()))[0]
    en_label, cn_label, closed = names.STAGES[stage]
    cn = account["_lang"] == "cn"
    if closed:
        close = ctx.day(account["_created"].date() + timedelta(days=30), today)
    else:
        close = ctx.day(today - timedelta(days=60), today + timedelta(days=270))
    currencies, weights = _CURRENCIES[account["_country"]]
    currency = rng.choices(currencies, weights)[0]
    low, high = _AMOUNT_RANGE[account["_country"]]
    amount = round(10 ** rng.uniform(low, high), -2 if cn else -1)
    topic = rng.choice(names.DEAL_TOPICS_CN if cn and rng.random() < 0.8 else names.DEAL_TOPICS_EN)
    contact = rng.choice(contacts) if contacts and rng.random() < 0.8 else None
    return {
        "_account": account, "_contact": contact, "_close": close,
        "_created": ctx.moment(account["_created"], min(NOW, datetime.combine(close, time()))),
        "deal_name": account["_short"] + rng.choice(("：", "-") if cn else (" - ", " – ", ": ")) + topic,
        "account_id": account["account_id"],
        "contact_id": contact["contact_id"] if contact else "",
        "amount": _amount_cell(ctx, amount, currency),
        "currency": currency,
        "stage": cn_label if rng.random() < (0.55 if cn else 0.1) else en_label,
        "close_date": _close_cell(ctx, close),
        "owner_id": account["owner_id"] if rng.random() < 0.75 else ctx.owner(),
    }


def _amount_cell(ctx: Ctx, amount: float, currency: str) -> float | int | str:
    """Mostly numeric cells; some amounts typed as text, with separators or a currency symbol."""
    if ctx.rng.random() < 0.08:
        return money(ctx.rng, amount, _SYMBOLS[currency])
    return int(amount) if amount == int(amount) else amount


def _close_cell(ctx: Ctx, close: date) -> date | str | None:
    r = ctx.rng.random()
    if r < 0.01:
        return None
    if r < 0.11:
        return ctx.dates.date("deals.close_date", close)
    ctx.dates.note("deals.close_date", "excel_date")
    return close


def make_deals(ctx: Ctx, accounts: list[Row], by_account: dict[str, list[Row]], orphans: OrphanIds) -> tuple[list[Row], dict]:
    rng = ctx.rng
    with_contacts = [a for a in accounts if a["account_id"] in by_account]
    chosen = [rng.choice(with_contacts) if with_contacts and rng.random() < 0.9 else rng.choice(accounts)
              for _ in range(ctx.count(3000, 20))]
    deals = sorted((_deal(ctx, a, by_account.get(a["account_id"], [])) for a in chosen), key=lambda r: r["_created"])
    for n, row in enumerate(deals, 1):
        row["deal_id"] = f"D{n:05d}"

    pool = shuffled(rng, len(deals))
    missing = ctx.take(pool, ctx.count(30))
    for i in missing:
        deals[i]["deal_name"] = ""
    orphaned = ctx.take(pool, ctx.count(30))
    for i in orphaned:
        deals[i].update(account_id=orphans.new("A", 5), contact_id="", _orphan=True)
    negative = ctx.take(pool, ctx.count(2))
    for i in negative:
        deals[i]["amount"] = -abs(round(10 ** rng.uniform(3, 5), -2))
    truth = {
        "missing_required": sorted(deals[i]["deal_id"] for i in missing),
        "orphans": sorted(deals[i]["deal_id"] for i in orphaned),
        "negative_amounts": sorted(deals[i]["deal_id"] for i in negative),
        "text_cells": {
            "deals.amount": [d["deal_id"] for d in deals if isinstance(d["amount"], str)],
            "deals.close_date": [d["deal_id"] for d in deals if isinstance(d["close_date"], str)],
        },
    }
    return deals, truth


def _details(ctx: Ctx, cn: bool) -> str:
    rng = ctx.rng
    if rng.random() < 0.35:
        return ""
    parts = rng.sample(names.DETAILS_CN if cn else names.DETAILS_EN, rng.randint(1, 3))
    return ("\n" if rng.random() < 0.25 else " ").join(parts)


def _activity(ctx: Ctx, deals: list[Row], contacts: list[Row], accounts: list[Row]) -> Row:
    rng = ctx.rng
    r = rng.random()
    deal = contact = account = None
    if r < 0.25 and deals:
        deal = rng.choice(deals)
        account, contact = deal["_account"], deal["_contact"]
    elif r < 0.75:
        contact = rng.choice(contacts)
        account = contact["_account"]
    elif r < 0.9:
        account = rng.choice(accounts)
    else:
        contact = rng.choice(contacts)
    anchor = deal or contact or account
    cn = (contact or account)["_lang"] == "cn"
    kind = rng.choices(list(names.ACTIVITY_TYPES), (30, 30, 15, 15, 10))[0]
    subject = rng.choice((names.SUBJECTS_CN if cn else names.SUBJECTS_EN)[kind])
    if contact and rng.random() < 0.5:
        first, last = contact["first_name"], contact["last_name"]
        subject += f"-{last}{first}" if cn else f" - {first} {last}"
    elif account and rng.random() < 0.3:
        subject += f" - {account['_short']}"
    when = ctx.moment(max(x["_created"] for x in (deal, contact, account) if x))
    en_label, cn_label = names.ACTIVITY_TYPES[kind]
    return {
        "_when": when, "_cn": cn, "_kind": kind,
        "type": cn_label if rng.random() < (0.7 if cn else 0.05) else en_label,
        "subject": subject, "details": _details(ctx, cn),
        "activity_date": ctx.dates.datetime("activities.activity_date", when),
        "contact_id": contact["contact_id"] if contact else "",
        "account_id": account["account_id"] if account else "",
        "deal_id": deal["deal_id"] if deal else "",
        "owner_id": anchor["owner_id"] if rng.random() < 0.7 else ctx.owner(),
    }


# The first four broken lines get one shape each; beyond that the first three repeat (only the last line can hold an EOF quote).
BROKEN_SHAPES = ("too_many_fields", "too_few_fields", "unterminated_quote", "unterminated_quote_eof")


def break_line(ctx: Ctx, row: Row, shape: str) -> None:
    """Marks an activity to be written as a structurally broken line (see writers.render_line)."""
    row["details"] = ctx.rng.choice(("", "see notes", "待跟进"))
    row["activity_date"] = ALL_FORMATS["iso_minute"](row["_when"])
    subject = row["subject"]
    if shape == "too_many_fields":
        row["_raw"] = {"subject": f"{subject}, follow-up"}
        row["_problem"] = "too many fields: 10 instead of 9 (unquoted comma in subject)"
    elif shape == "too_few_fields":
        row["_truncate"] = 2
        row["_problem"] = "too few fields: 7 instead of 9 (line cut after account_id)"
    elif shape == "unterminated_quote":
        row["_raw"] = {"subject": f'"{subject}', "owner_id": f'{row["owner_id"]}"'}
        row["_problem"] = ("unterminated quote: subject opens a quote that only closes at the end of the line, "
                           "so a quote-aware parser reads 3 fields (the rest of the line is one field)")
    else:
        row["_raw"] = {"subject": f'"{subject}, export interrupted'}
        row["_problem"] = ("unterminated quote in subject on the last line: the quote never closes, "
                           "so a quote-aware parser reads 3 fields (the rest of the line is one field)")
    row["_broken"] = shape


def make_activities(ctx: Ctx, deals: list[Row], by_account: dict[str, list[Row]], accounts: list[Row],
                    orphans: OrphanIds) -> tuple[list[Row], dict]:
    rng = ctx.rng
    contacts = [c for rows in by_account.values() for c in rows]
    linkable_deals = [d for d in deals if "_orphan" not in d]
    rows = sorted((_activity(ctx, linkable_deals, contacts, accounts) for _ in range(ctx.count(10000, 20))),
                  key=lambda r: r["_when"])
    for n, row in enumerate(rows, 1):
        row["activity_id"] = f"T{n:06d}"

    n_broken = ctx.count(4)
    shapes = [BROKEN_SHAPES[i] if i < len(BROKEN_SHAPES) else BROKEN_SHAPES[i % 3] for i in range(n_broken)]
    pool = shuffled(rng, len(rows) - 1)
    if BROKEN_SHAPES[3] in shapes:
        shapes.remove(BROKEN_SHAPES[3])
        break_line(ctx, rows[-1], BROKEN_SHAPES[3])
    else:
        pool.append(len(rows) - 1)
    for i, shape in zip(ctx.take(pool, len(shapes)), shapes):
        break_line(ctx, rows[i], shape)

    for i in ctx.take(pool, 1):
        row = rows[i]
        row.update(type=names.ACTIVITY_TYPES[row["_kind"]][1], details="客户回访记录",
                   subject=rng.choice(names.SUBJECTS_CN[row["_kind"]]) + "（旧系统导入）",
                   activity_date=ALL_FORMATS["iso_minute"](row["_when"]), _encoding="gbk")
        undecodable = row["activity_id"]
    long_subjects = ctx.take(pool, ctx.count(3))
    for i in long_subjects:
        filler = names.LONG_SUBJECT_FILLER
        rows[i]["subject"] = f"Fwd: Re: {rows[i]['subject']} - " + filler[:rng.randint(260, len(filler))]
    orphaned = ctx.take(pool, ctx.count(50))
    for i in orphaned:
        rows[i]["contact_id"] = orphans.new("C", 6)
    truth = {
        "undecodable": undecodable,
        "long_subjects": sorted(rows[i]["activity_id"] for i in long_subjects),
        "orphans": sorted(rows[i]["activity_id"] for i in orphaned),
    }
    return rows, truth
