"""leads_cn.csv (a Chinese CRM's lead export), Deals.csv, Activities.csv and Support_Tickets.csv."""

from __future__ import annotations

import csv
import random

from sampledata._addresses import street
from sampledata._companies import without_legal
from sampledata._people import Person
from sampledata._phones import drop_digit, render, with_extension
from sampledata.other_crm.core_files import AccountNames
from sampledata.other_crm.files import RAW_BYTES, ExportFile
from sampledata.other_crm.formats import (
    activities_time, amount_text, deals_date, deals_time, later, leads_time, moment, tickets_time, zoho_id,
)  # fmt: skip
from sampledata.other_crm.ledger import Ledger, Pending, bad, chosen, insert_randomly, place_repeats
from sampledata.other_crm.world import Account, Contact, Deal, Owner, World

LEADS_HEADER = ["线索ID", "线索名称", "公司名称", "职位", "手机", "电话", "邮箱", "微信", "省份", "城市", "详细地址", "线索来源",
                "线索状态", "负责人", "创建时间", "最后跟进时间", "备注"]
DEALS_HEADER = ["Deal ID", "Deal Name", "Account Name", "Contact Name", "Amount", "Currency", "Stage", "Probability (%)",
                "Closing Date", "Deal Owner", "Type", "Created Time", "Modified Time", "Description"]
ACTIVITIES_HEADER = ["Activity ID", "Activity Type", "Subject", "Related Module", "Related To", "Contact Email", "Start Time",
                     "Duration (min)", "Status", "Assigned To", "Created Time", "Description"]
TICKETS_HEADER = ["Ticket Number", "Subject", "Customer No.", "Account Name", "Contact Email", "Product", "Priority", "Status",
                  "Channel", "Opened On", "Closed On", "Assigned To", "Resolution Notes"]
LONG_NOTE_BYTES = 215_000
_SYMBOL = {"EUR": "€", "USD": "$", "GBP": "£", "CNY": "¥"}


def full_name(person: Person) -> str:
    return f"{person.last}{person.first}" if person.script == "chinese" else f"{person.first} {person.last}"


# -- leads -----------------------------------------------------------------------------------------------------
def _lead_row(person: Person, account: Account | None, owner: Owner, rng: random.Random, names: AccountNames,
              lead_id: str) -> dict[str, str | None]:
    if account is not None:
        company = rng.choice((names.pick(account, rng), account.company.name, without_legal(account.company, rng)))
    elif person.company is not None:
        company = person.company.name if rng.random() < 0.7 else without_legal(person.company, rng)
    else:
        company = rng.choice(("", "个人", "个体户"))
    created = moment(rng)
    office = person.company.switchboard if person.company else None
    city = person.city
    return {
        "线索ID": lead_id, "线索名称": full_name(person), "公司名称": company, "职位": person.title,
        "手机": render(person.phone, rng) if person.phone and person.phone.mobile else "",
        "电话": with_extension(render(office, rng), rng, office.country) if office and rng.random() < 0.4 else "",
        "邮箱": person.email if rng.random() < 0.7 else "",
        "微信": rng.choice(("", "", f"wxid_{rng.randint(10**9, 10**10)}", person.phone.nsn if person.phone else "")),
        "省份": city.region if city.country == "CN" else "", "城市": city.name,
        "详细地址": street(city, rng) if rng.random() < 0.5 else "", "线索来源": rng.choice(("官网", "展会", "电话营销", "转介绍", "百度推广", "微信")),
        "线索状态": rng.choice(("未处理", "跟进中", "跟进中", "已转化", "无效")), "负责人": owner.full_name,
        "创建时间": leads_time(created, rng), "最后跟进时间": leads_time(later(created, rng), rng) if rng.random() < 0.7 else "",
        "备注": rng.choice(("", "", "", "客户要求报价，下周回访", "展会上交换名片, 对MX-300感兴趣", "电话打不通\n改发微信")),
    }


def leads_file(world: World, rng: random.Random, ledger: Ledger, names: AccountNames) -> None:
    file = ExportFile("leads_cn.csv", "gb18030", ",", "\r\n", LEADS_HEADER, raw_bytes="中".encode("gb18030")[:1])
    sources: list[tuple[Person, Account | None, str | None]] = [(p, a, None) for p, a in world.lead_people]
    for contact in rng.sample(world.contacts, round(len(world.lead_people) * 0.15)):
        sources.append((contact.person, contact.account, contact.key))
    rng.shuffle(sources)
    owners = [o for o in world.owners if o.script == "chinese"] or world.owners
    rows: list[Pending] = []
    repeats: list[Pending] = []
    duplicated, repeated = chosen(rng, len(sources), 0.05), chosen(rng, len(sources), 0.02)
    for n, (person, account, contact_key) in enumerate(sources):
        owner = rng.choice(owners) if rng.random() < 0.8 else rng.choice(world.owners)
        lead_id = f"XS{2021 + n % 5}{n:06d}"
        row = _lead_row(person, account, owner, rng, names, lead_id)
        truth = {"entity": person.cluster_id, "account": account.key if account else None, "owner": owner.key,
                 "also_a_contact": contact_key is not None}
        rows.append(Pending(row, lead_id, truth))
        if n in duplicated:
            again = _lead_row(person, account, owner, rng, names, f"XS{2021 + n % 5}{500_000 + n:06d}")
            if person.script == "chinese":
                again["线索名称"] = f"{person.last}{rng.choice(('总', '经理', '先生' if person.gender == 'm' else '女士'))}"
            rows.append(Pending(again, again["线索ID"] or "", dict(truth)))
        if n in repeated:
            edited = repeated[n] == "edited"
            copy = {**row, "线索状态": "已转化", "最后跟进时间": leads_time(moment(rng), rng)} if edited else dict(row)
            repeats.append(Pending(copy, lead_id, dict(truth)))
    ledger.write_all("leads", file, place_repeats(insert_randomly(rows, _bad_leads(world, rng, names), rng), repeats, rng))


def _bad_leads(world: World, rng: random.Random, names: AccountNames) -> list[Pending]:
    scale = len(world.lead_people) / 1700
    out = []
    for i in range(max(1, round(3 * scale))):
        person, account = rng.choice(world.lead_people)
        row = _lead_row(person, account, world.owners[0], rng, names, f"XS2099{i:06d}")
        row.update({"线索名称": "", "手机": "", "邮箱": "", "电话": "", "微信": ""})
        out.append(Pending(row, row["线索ID"] or "", {"entity": person.cluster_id, "account": account.key if account else None,
                                                      "owner": world.owners[0].key,
                                                      "bad": bad("missing_required", "线索名称", "", "no name, phone or email")}))
    mobiles = [(p, a) for p, a in world.lead_people if p.phone and p.phone.mobile and p.phone.country == "CN"]
    for i, (person, account) in enumerate(rng.sample(mobiles, max(1, round(2 * scale)))):
        row = _lead_row(person, account, world.owners[0], rng, names, f"XS2098{i:06d}")
        row["手机"] = drop_digit(person.phone.nsn, rng)  # type: ignore[union-attr]
        out.append(Pending(row, row["线索ID"] or "", {"entity": person.cluster_id, "account": account.key if account else None,
                                                      "owner": world.owners[0].key,
                                                      "bad": bad("invalid_phone", "手机", row["手机"], "a Chinese mobile with 10 digits")}))
    person, account = rng.choice([(p, a) for p, a in world.lead_people if p.email])
    row = _lead_row(person, account, world.owners[0], rng, names, "XS2097000001")
    row["邮箱"] = person.email.replace("@", "#")
    out.append(Pending(row, row["线索ID"] or "", {"entity": person.cluster_id, "account": account.key if account else None,
                                                  "owner": world.owners[0].key, "bad": bad("invalid_email", "邮箱", row["邮箱"])}))
    person, account = rng.choice(world.lead_people)
    row = _lead_row(person, account, world.owners[0], rng, names, "XS2097000002")
    row["备注"] = "客户说明：备注字段在导出时被截断" + RAW_BYTES
    out.append(Pending(row, row["线索ID"] or "", {
        "entity": person.cluster_id, "account": account.key if account else None, "owner": world.owners[0].key,
        "bad": bad("undecodable_bytes", "备注", None, "a note cut inside a two-byte character: lead byte 0xD6, then the line end")}))
    return out


# -- deals -----------------------------------------------------------------------------------------------------
def _deal_row(deal: Deal, rng: random.Random, names: AccountNames, source_id: str) -> tuple[dict[str, str | None], bool]:
    """The row, and whether its currency can be read from it at all."""
    text = amount_text(deal.amount, deal.currency, rng) if deal.amount is not None else ""  # type: ignore[arg-type]
    roll = rng.random()
    column = deal.currency if roll < 0.6 else "" if roll < 0.85 else _SYMBOL[deal.currency or "EUR"]
    stated = bool(column) or any(mark in text for mark in ("€", "$", "£", "¥", "EUR", "USD", "GBP", "CNY", "RMB", "元"))
    return {
        "Deal ID": source_id, "Deal Name": deal.name, "Account Name": names.pick(deal.account, rng),
        "Contact Name": full_name(deal.contact.person) if deal.contact else "", "Amount": text, "Currency": column,
        "Stage": deal.stage, "Probability (%)": str(deal.probability), "Closing Date": deals_date(deal.close, rng) if deal.close else "",
        "Deal Owner": deal.owner.full_name, "Type": deal.kind, "Created Time": deals_time(deal.created),
        "Modified Time": deals_time(later(deal.created, rng)), "Description": rng.choice(("", "", "Budget approved Q3; Rabatt 5 %")),
    }, stated


def deals_file(world: World, rng: random.Random, ledger: Ledger, names: AccountNames) -> None:
    file = ExportFile("Deals.csv", "utf-8-sig", ";", "\r\n", DEALS_HEADER)
    rows: list[Pending] = []
    repeats: list[Pending] = []
    repeated = chosen(rng, len(world.deals), 0.03)
    for n, deal in enumerate(world.deals):
        source_id = zoho_id(3, n)
        row, stated = _deal_row(deal, rng, names, source_id)
        truth = {"entity": deal.key, "account": deal.account.key, "account_name_ambiguous": names.ambiguous(row["Account Name"] or ""),
                 "contact": deal.contact.key if deal.contact else None,
                 "owner": deal.owner.key, "amount": str(deal.amount), "currency": deal.currency, "currency_stated": stated,
                 "close_date": deal.close.isoformat() if deal.close else None}
        rows.append(Pending(row, source_id, truth))
        if n in repeated:
            edited = {**row, "Stage": "Closed Won", "Probability (%)": "100", "Modified Time": deals_time(later(deal.created, rng))}
            repeats.append(Pending(edited, source_id, dict(truth)))
    extra = []
    for i, (value, reason, column) in enumerate((("TBD", "invalid_amount", "Amount"), ("ca. 5k", "invalid_amount", "Amount"),
                                                  ("31.02.2025", "invalid_date", "Closing Date"), ("", "missing_required", "Deal Name"))):
        deal = rng.choice(world.deals)
        row, _stated = _deal_row(deal, rng, names, zoho_id(3, 90_000 + i))
        row[column] = value
        extra.append(Pending(row, row["Deal ID"] or "", {"entity": deal.key, "account": deal.account.key, "owner": deal.owner.key,
                                                         "bad": bad(reason, column, value)}))
    deal = rng.choice(world.deals)
    row, _stated = _deal_row(deal, rng, names, zoho_id(3, 91_000))
    row["Account Name"] = "Initech GmbH i.L."
    extra.append(Pending(row, row["Deal ID"] or "", {"entity": deal.key, "account": None, "owner": deal.owner.key,
                                                     "link_issue": "account name not in Accounts.txt"}))
    ledger.write_all("deals", file, place_repeats(insert_randomly(rows, extra, rng), repeats, rng))


# -- activities ------------------------------------------------------------------------------------------------
def long_note(rng: random.Random, size: int = LONG_NOTE_BYTES) -> str:
    """An e-mail thread pasted into a note: quoted replies, both scripts, commas, quotes and blank lines."""
    parts, total, n = [], 0, 0
    while total < size:
        n += 1
        block = (f"From: Wang Wei <wang.wei@huaxin-tech.com.cn>\nSent: {n % 28 + 1}.03.2025 09:{n % 60:02d}\n"
                 f"Subject: RE: RE: Quote #{4000 + n}, MX-300 \"urgent\"\n\n"
                 f"Dear Mr. Müller,\n> thanks for the update, please see the revised figures: 1.234,50 €; 2,500 USD.\n"
                 f"> 王总说价格还可以再谈，请尽快回复。\n{'> ' * (n % 4)}Regards, 王伟 / Wang Wei\n\n")
        parts.append(block)
        total += len(block.encode("utf-8"))
    return "".join(parts)


def _related(activity_target: Account | Contact | Deal, rng: random.Random, names: AccountNames) -> tuple[str, str, str, str | None]:
    """(Related To text, Contact Email, true related key, true account key)."""
    if isinstance(activity_target, Contact):
        p = activity_target.person
        email = p.email if p.email and rng.random() < 0.8 else ""
        return full_name(p), email, activity_target.key, activity_target.account.key if activity_target.account else None
    if isinstance(activity_target, Deal):
        return activity_target.name, "", activity_target.key, activity_target.account.key
    return names.pick(activity_target, rng), "", activity_target.key, activity_target.key


def activities_file(world: World, rng: random.Random, ledger: Ledger, names: AccountNames) -> None:
    file = ExportFile("Activities.csv", "utf-8", ",", "\n", ACTIVITIES_HEADER)
    rows: list[Pending] = []
    long_one = rng.randrange(len(world.activities))
    for n, act in enumerate(world.activities):
        source_id = zoho_id(4, n)
        related, email, key, account = _related(act.target, rng, names)
        note = long_note(rng) if n == long_one else act.note
        row = {"Activity ID": source_id, "Activity Type": act.kind, "Subject": act.subject, "Related Module": act.module,
               "Related To": related, "Contact Email": email, "Start Time": activities_time(act.start),
               "Duration (min)": str(act.minutes), "Status": act.status, "Assigned To": act.owner.email,
               "Created Time": activities_time(act.start), "Description": note}
        truth = {"entity": act.key, "related_module": act.module, "related": key, "account": account, "owner": act.owner.key,
                 "related_name_ambiguous": act.module == "Accounts" and names.ambiguous(related)}
        if n == long_one:
            truth["long_text_bytes"] = len(note.encode("utf-8"))
        rows.append(Pending(row, source_id, truth))
    act = rng.choice(world.activities)
    orphan = {h: "" for h in ACTIVITIES_HEADER} | {"Activity ID": zoho_id(4, 90_000), "Activity Type": "Call",
                                                    "Subject": "Call back", "Related Module": "Contacts",
                                                    "Start Time": activities_time(act.start), "Assigned To": act.owner.email}
    extra = [Pending(orphan, orphan["Activity ID"] or "", {"entity": act.key, "related": None, "account": None,
                                                           "owner": act.owner.key, "bad": bad("missing_required", "Related To", "")})]
    ledger.write_all("activities", file, insert_randomly(rows, extra, rng))


# -- support tickets (the custom object) -----------------------------------------------------------------------
def tickets_file(world: World, rng: random.Random, ledger: Ledger, names: AccountNames) -> None:
    file = ExportFile("Support_Tickets.csv", "utf-8-sig", ",", "\n", TICKETS_HEADER, quoting=csv.QUOTE_ALL)
    rows: list[Pending] = []
    repeats: list[Pending] = []
    repeated = chosen(rng, len(world.tickets), 0.05)
    for n, ticket in enumerate(world.tickets):
        number = f"#{100_200 + n * 3}"
        account = ticket.account
        by_number = bool(account.number)
        row = {"Ticket Number": number, "Subject": ticket.subject, "Customer No.": account.number,
               "Account Name": names.pick(account, rng) if not by_number or rng.random() < 0.4 else "",
               "Contact Email": ticket.contact.person.email if ticket.contact else "", "Product": ticket.product,
               "Priority": ticket.priority, "Status": ticket.status, "Channel": ticket.channel,
               "Opened On": tickets_time(ticket.opened), "Closed On": tickets_time(ticket.closed) if ticket.closed else "",
               "Assigned To": ticket.owner.full_name,
               "Resolution Notes": "Replaced sensor; customer confirmed." if ticket.closed else ""}
        truth = {"entity": ticket.key, "account": account.key, "linked_by": "Customer No." if by_number else "Account Name",
                 "account_name_ambiguous": not by_number and names.ambiguous(row["Account Name"] or ""),
                 "contact": ticket.contact.key if ticket.contact else None, "owner": ticket.owner.key}
        rows.append(Pending(row, number, truth))
        if n in repeated:
            closed = later(ticket.opened, rng, 30)
            edited = {**row, "Status": "Closed", "Closed On": tickets_time(closed), "Resolution Notes": "Fixed remotely, closed."}
            repeats.append(Pending(edited, number, dict(truth)))
    orphan_at, unknown_at = rng.sample(range(len(world.tickets)), 2)
    orphan = {**rows[orphan_at].row, "Ticket Number": "#999001", "Customer No.": "", "Account Name": ""}  # type: ignore[dict-item]
    unknown = {**rows[unknown_at].row, "Ticket Number": "#999002", "Customer No.": "CUST-99999", "Account Name": ""}  # type: ignore[dict-item]
    extra = [Pending(orphan, "#999001", {"entity": world.tickets[orphan_at].key, "account": None,
                                         "owner": world.tickets[orphan_at].owner.key,
                                         "bad": bad("missing_required", "Customer No.", "", "neither Customer No. nor Account Name")}),
             Pending(unknown, "#999002", {"entity": world.tickets[unknown_at].key, "account": None,
                                          "owner": world.tickets[unknown_at].owner.key,
                                          "link_issue": "Customer No. not in Accounts.txt"})]
    ledger.write_all("tickets", file, place_repeats(insert_randomly(rows, extra, rng), repeats, rng))
