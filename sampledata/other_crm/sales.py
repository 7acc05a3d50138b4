"""Deals.csv (";"-delimited, European dates and amounts), Activities.csv and Support_Tickets.csv (the custom object)."""

from __future__ import annotations

import csv
import random

from sampledata.other_crm.accounts import AccountNames
from sampledata.other_crm.files import ExportFile
from sampledata.other_crm.formats import (
    activities_time,
    amount_text,
    deals_date,
    deals_time,
    later,
    tickets_time,
    zoho_id,
)
from sampledata.other_crm.ledger import Ledger, Pending, bad, chosen, insert_randomly, place_repeats
from sampledata.other_crm.world import Account, Contact, Deal, World, full_name

DEALS_HEADER = [
    "Deal ID",
    "Deal Name",
    "Account Name",
    "Contact Name",
    "Amount",
    "Currency",
    "Stage",
    "Probability (%)",
    "Closing Date",
    "Deal Owner",
    "Type",
    "Created Time",
    "Modified Time",
    "Description",
]
ACTIVITIES_HEADER = [
    "Activity ID",
    "Activity Type",
    "Subject",
    "Related Module",
    "Related To",
    "Contact Email",
    "Start Time",
    "Duration (min)",
    "Status",
    "Assigned To",
    "Created Time",
    "Description",
]
TICKETS_HEADER = [
    "Ticket Number",
    "Subject",
    "Customer No.",
    "Account Name",
    "Contact Email",
    "Product",
    "Priority",
    "Status",
    "Channel",
    "Opened On",
    "Closed On",
    "Assigned To",
    "Resolution Notes",
]
LONG_NOTE_BYTES = 215_000
_SYMBOL = {"EUR": "€", "USD": "$", "GBP": "£", "CNY": "¥"}


# -- deals -----------------------------------------------------------------------------------------------------
def _deal_row(
    deal: Deal, rng: random.Random, names: AccountNames, source_id: str
) -> tuple[dict[str, str | None], bool]:
    """The row, and whether its currency can be read from it at all."""
    text = amount_text(deal.amount, deal.currency, rng) if deal.amount is not None else ""  # type: ignore[arg-type]
    roll = rng.random()
    column = deal.currency if roll < 0.6 else "" if roll < 0.85 else _SYMBOL[deal.currency or "EUR"]
    stated = bool(column) or any(mark in text for mark in ("€", "$", "£", "¥", "EUR", "USD", "GBP", "CNY", "RMB", "元"))
    return {
        "Deal ID": source_id,
        "Deal Name": deal.name,
        "Account Name": names.pick(deal.account, rng),
        "Contact Name": full_name(deal.contact.person) if deal.contact else "",
        "Amount": text,
        "Currency": column,
        "Stage": deal.stage,
        "Probability (%)": str(deal.probability),
        "Closing Date": deals_date(deal.close, rng) if deal.close else "",
        "Deal Owner": deal.owner.full_name,
        "Type": deal.kind,
        "Created Time": deals_time(deal.created),
        "Modified Time": deals_time(later(deal.created, rng)),
        "Description": rng.choice(("", "", "Budget approved Q3; Rabatt 5 %")),
    }, stated


def deals_file(world: World, rng: random.Random, ledger: Ledger, names: AccountNames) -> None:
    file = ExportFile("Deals.csv", "utf-8-sig", ";", "\r\n", DEALS_HEADER)
    rows: list[Pending] = []
    repeats: list[Pending] = []
    repeated = chosen(rng, len(world.deals), 0.03)
    for n, deal in enumerate(world.deals):
        source_id = zoho_id(3, n)
        row, stated = _deal_row(deal, rng, names, source_id)
        truth = {
            "entity": deal.key,
            "account": deal.account.key,
            "account_name_ambiguous": names.ambiguous(row["Account Name"] or ""),
            "contact": deal.contact.key if deal.contact else None,
            "owner": deal.owner.key,
            "amount": str(deal.amount),
            "currency": deal.currency,
            "currency_stated": stated,
            "close_date": deal.close.isoformat() if deal.close else None,
        }
        rows.append(Pending(row, source_id, truth))
        if n in repeated:
            edited = {
                **row,
                "Stage": "Closed Won",
                "Probability (%)": "100",
                "Modified Time": deals_time(later(deal.created, rng)),
            }
            repeats.append(Pending(edited, source_id, dict(truth)))
    extra = []
    for i, (value, reason, column) in enumerate(
        (
            ("TBD", "invalid_amount", "Amount"),
            ("ca. 5k", "invalid_amount", "Amount"),
            ("31.02.2025", "invalid_date", "Closing Date"),
            ("", "missing_required", "Deal Name"),
        )
    ):
        deal = rng.choice(world.deals)
        row, _stated = _deal_row(deal, rng, names, zoho_id(3, 90_000 + i))
        row[column] = value
        extra.append(
            Pending(
                row,
                row["Deal ID"] or "",
                {
                    "entity": deal.key,
                    "account": deal.account.key,
                    "owner": deal.owner.key,
                    "bad": bad(reason, column, value),
                },
            )
        )
    deal = rng.choice(world.deals)
    row, _stated = _deal_row(deal, rng, names, zoho_id(3, 91_000))
    row["Account Name"] = "Initech GmbH i.L."
    extra.append(
        Pending(
            row,
            row["Deal ID"] or "",
            {
                "entity": deal.key,
                "account": None,
                "owner": deal.owner.key,
                "link_issue": "account name not in Accounts.txt",
            },
        )
    )
    ledger.write_all("deals", file, place_repeats(insert_randomly(rows, extra, rng), repeats, rng))


# -- activities ------------------------------------------------------------------------------------------------
def long_note(rng: random.Random, size: int = LONG_NOTE_BYTES) -> str:
    """An e-mail thread pasted into a note: quoted replies, both scripts, commas, quotes and blank lines."""
    parts, total, n = [], 0, 0
    while total < size:
        n += 1
        block = (
            f"From: Wang Wei <wang.wei@huaxin-tech.com.cn>\nSent: {n % 28 + 1}.03.2025 09:{n % 60:02d}\n"
            f'Subject: RE: RE: Quote #{4000 + n}, MX-300 "urgent"\n\n'
            f"Dear Mr. Müller,\n> thanks for the update, please see the revised figures: 1.234,50 €; 2,500 USD.\n"
            f"> 王总说价格还可以再谈，请尽快回复。\n{'> ' * (n % 4)}Regards, 王伟 / Wang Wei\n\n"
        )
        parts.append(block)
        total += len(block.encode("utf-8"))
    return "".join(parts)


def _related(
    activity_target: Account | Contact | Deal, rng: random.Random, names: AccountNames
) -> tuple[str, str, str, str | None]:
    """(Related To text, Contact Email, true related key, true account key)."""
    if isinstance(activity_target, Contact):
        p = activity_target.person
        email = p.email if p.email and rng.random() < 0.8 else ""
        return (
            full_name(p),
            email,
            activity_target.key,
            activity_target.account.key if activity_target.account else None,
        )
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
        row = {
            "Activity ID": source_id,
            "Activity Type": act.kind,
            "Subject": act.subject,
            "Related Module": act.module,
            "Related To": related,
            "Contact Email": email,
            "Start Time": activities_time(act.start),
            "Duration (min)": str(act.minutes),
            "Status": act.status,
            "Assigned To": act.owner.email,
            "Created Time": activities_time(act.start),
            "Description": note,
        }
        truth = {
            "entity": act.key,
            "related_module": act.module,
            "related": key,
            "account": account,
            "owner": act.owner.key,
            "related_name_ambiguous": act.module == "Accounts" and names.ambiguous(related),
        }
        if n == long_one:
            truth["long_text_bytes"] = len(note.encode("utf-8"))
        rows.append(Pending(row, source_id, truth))
    act = rng.choice(world.activities)
    orphan = {h: "" for h in ACTIVITIES_HEADER} | {
        "Activity ID": zoho_id(4, 90_000),
        "Activity Type": "Call",
        "Subject": "Call back",
        "Related Module": "Contacts",
        "Start Time": activities_time(act.start),
        "Assigned To": act.owner.email,
    }
    extra = [
        Pending(
            orphan,
            orphan["Activity ID"] or "",
            {
                "entity": act.key,
                "related": None,
                "account": None,
                "owner": act.owner.key,
                "bad": bad("missing_required", "Related To", ""),
            },
        )
    ]
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
        row = {
            "Ticket Number": number,
            "Subject": ticket.subject,
            "Customer No.": account.number,
            "Account Name": names.pick(account, rng) if not by_number or rng.random() < 0.4 else "",
            "Contact Email": ticket.contact.person.email if ticket.contact else "",
            "Product": ticket.product,
            "Priority": ticket.priority,
            "Status": ticket.status,
            "Channel": ticket.channel,
            "Opened On": tickets_time(ticket.opened),
            "Closed On": tickets_time(ticket.closed) if ticket.closed else "",
            "Assigned To": ticket.owner.full_name,
            "Resolution Notes": "Replaced sensor; customer confirmed." if ticket.closed else "",
        }
        truth = {
            "entity": ticket.key,
            "account": account.key,
            "linked_by": "Customer No." if by_number else "Account Name",
            "account_name_ambiguous": not by_number and names.ambiguous(row["Account Name"] or ""),
            "contact": ticket.contact.key if ticket.contact else None,
            "owner": ticket.owner.key,
        }
        rows.append(Pending(row, number, truth))
        if n in repeated:
            closed = later(ticket.opened, rng, 30)
            edited = {
                **row,
                "Status": "Closed",
                "Closed On": tickets_time(closed),
                "Resolution Notes": "Fixed remotely, closed.",
            }
            repeats.append(Pending(edited, number, dict(truth)))
    orphan_at, unknown_at = rng.sample(range(len(world.tickets)), 2)
    orphan = {**rows[orphan_at].row, "Ticket Number": "#999001", "Customer No.": "", "Account Name": ""}  # type: ignore[dict-item]
    unknown = {**rows[unknown_at].row, "Ticket Number": "#999002", "Customer No.": "CUST-99999", "Account Name": ""}  # type: ignore[dict-item]
    extra = [
        Pending(
            orphan,
            "#999001",
            {
                "entity": world.tickets[orphan_at].key,
                "account": None,
                "owner": world.tickets[orphan_at].owner.key,
                "bad": bad("missing_required", "Customer No.", "", "neither Customer No. nor Account Name"),
            },
        ),
        Pending(
            unknown,
            "#999002",
            {
                "entity": world.tickets[unknown_at].key,
                "account": None,
                "owner": world.tickets[unknown_at].owner.key,
                "link_issue": "Customer No. not in Accounts.txt",
            },
        ),
    ]
    ledger.write_all("tickets", file, place_repeats(insert_randomly(rows, extra, rng), repeats, rng))
