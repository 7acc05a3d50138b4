"""Contacts.csv: UTF-8 without BOM; contacts name their account by Account Name."""

from __future__ import annotations

import csv
import random

from sampledata import _noise as nz
from sampledata._phones import render, with_extension
from sampledata._vocab import COUNTRY_VARIANTS
from sampledata.other_crm.accounts import AccountNames
from sampledata.other_crm.files import ExportFile
from sampledata.other_crm.formats import contacts_time, later, zoho_id
from sampledata.other_crm.ledger import Ledger, Pending, bad, chosen, insert_randomly, place_repeats
from sampledata.other_crm.world import Contact, World

CONTACTS_HEADER = [
    "Contact ID",
    "Salutation",
    "First Name",
    "Last Name",
    "Account Name",
    "Title",
    "Department",
    "Email",
    "Secondary Email",
    "Phone",
    "Mobile",
    "Mailing City",
    "Mailing Zip",
    "Mailing Country",
    "Contact Owner",
    "Lead Source",
    "Email Opt Out",
    "Created Time",
    "Modified Time",
    "Description",
]


def _contact_row(contact: Contact, rng: random.Random, source_id: str, account_name: str) -> dict[str, str | None]:
    p = contact.person
    first, last = p.first, p.last
    if p.script == "chinese" and rng.random() < 0.25:
        first, last = "", f"{p.last}{p.first}"
    salutation = (
        rng.choice(("Mr.", "Mr.", "Dr.", "", "")) if p.gender == "m" else rng.choice(("Ms.", "Mrs.", "Dr.", ""))
    )
    office = p.alt_phone or (p.company.switchboard if p.company else None)
    phone = render(office, rng) if office else ""
    if phone and office is not p.alt_phone and rng.random() < 0.5:
        phone = with_extension(phone, rng, office.country)  # type: ignore[union-attr]
    return {
        "Contact ID": source_id,
        "Salutation": salutation if p.script == "latin" else "",
        "First Name": first,
        "Last Name": last,
        "Account Name": account_name,
        "Title": p.title,
        "Department": rng.choice(("Purchasing", "IT", "Finance", "Management", "采购部", "")),
        "Email": p.email,
        "Secondary Email": p.alt_email,
        "Phone": phone,
        "Mobile": render(p.phone, rng) if p.phone and p.phone.mobile else "",
        "Mailing City": p.city.name,
        "Mailing Zip": rng.choice(p.city.postcodes) if rng.random() < 0.6 else "",
        "Mailing Country": COUNTRY_VARIANTS[p.city.country][0],
        "Contact Owner": contact.owner.full_name,
        "Lead Source": rng.choice(("Web", "Trade Show", "Partner", "Cold Call", "Import", "")),
        "Email Opt Out": rng.choice(("false", "false", "true")),
        "Created Time": contacts_time(contact.created),
        "Modified Time": contacts_time(contact.modified),
        "Description": rng.choice(
            ("",) * 8
            + (
                "Met at Hannover Messe, interested in MX-300.",
                "Prefers WeChat.\n微信同手机号",
                'Nickname "Bo", call after 3pm',
            )
        ),
    }


def _link_name(contact: Contact, rng: random.Random, names: AccountNames) -> str:
    if contact.account is None:
        return ""
    name = names.pick(contact.account, rng)
    roll = rng.random()
    if roll < 0.03:
        return name.upper()
    if roll < 0.05:
        return f" {name} "
    return name


def contacts_file(world: World, rng: random.Random, ledger: Ledger, names: AccountNames) -> dict[str, str]:
    """Writes Contacts.csv; returns each contact's source id (used by leads that convert)."""
    file = ExportFile("Contacts.csv", "utf-8", ",", "\n", CONTACTS_HEADER)
    rows: list[Pending] = []
    repeats: list[Pending] = []
    ids: dict[str, str] = {}
    duplicated, repeated = chosen(rng, len(world.contacts), 0.05), chosen(rng, len(world.contacts), 0.03)
    for n, contact in enumerate(world.contacts):
        source_id = zoho_id(2, n)
        ids[contact.key] = source_id
        link = _link_name(contact, rng, names)
        truth = {
            "entity": contact.key,
            "account": contact.account.key if contact.account else None,
            "owner": contact.owner.key,
            "account_name_ambiguous": bool(link) and names.ambiguous(link),
        }
        row = _contact_row(contact, rng, source_id, link)
        rows.append(Pending(row, source_id, truth))
        if n in duplicated:
            rows.append(
                Pending(
                    _duplicate_contact(contact, rng, zoho_id(2, 50_000 + n), link), zoho_id(2, 50_000 + n), dict(truth)
                )
            )
        if n in repeated:
            if repeated[n] == "identical":
                repeats.append(Pending(dict(row), source_id, dict(truth)))
            else:
                edited = {
                    **row,
                    "Title": rng.choice(("Director", "Head of Purchasing", "采购总监")),
                    "Modified Time": contacts_time(later(contact.modified, rng)),
                }
                repeats.append(Pending(edited, source_id, dict(truth)))
    rows = place_repeats(rows, repeats, rng)
    ledger.write_all("contacts", file, insert_randomly(rows, _bad_contacts(world, rng, file), rng))
    return ids


def _duplicate_contact(contact: Contact, rng: random.Random, source_id: str, link: str) -> dict[str, str | None]:
    p = contact.person
    row = _contact_row(contact, rng, source_id, link)
    for _ in range(rng.randint(1, 2)):
        edit = rng.choice(("email_case", "no_email", "name_typo", "nickname", "title", "no_mobile", "swap"))
        if edit == "email_case" and row["Email"]:
            row["Email"] = row["Email"].upper()  # type: ignore[union-attr]
        elif edit == "no_email":
            row["Email"] = ""
        elif edit == "name_typo" and row["Last Name"]:
            row["Last Name"] = nz.garble(row["Last Name"], rng)  # type: ignore[arg-type]
        elif edit == "nickname" and p.script == "latin":
            row["First Name"] = (row["First Name"] or "")[:1] + "."
        elif edit == "title":
            row["Title"] = ""
        elif edit == "no_mobile":
            row["Mobile"] = ""
        elif edit == "swap":
            row["First Name"], row["Last Name"] = row["Last Name"], row["First Name"]
    return row


def _bad_contacts(world: World, rng: random.Random, file: ExportFile) -> list[Pending]:
    scale = len(world.contacts) / 1400
    out = []
    picks = rng.sample(world.contacts, max(6, round(12 * scale)))
    for i, contact in enumerate(picks[: max(1, round(3 * scale))]):
        row = _contact_row(contact, rng, zoho_id(2, 90_000 + i), "")
        row.update({"First Name": "", "Last Name": "", "Email": ""})
        out.append(
            Pending(
                row,
                row["Contact ID"] or "",
                {
                    "entity": contact.key,
                    "account": None,
                    "owner": contact.owner.key,
                    "bad": bad("missing_required", "Last Name", ""),
                },
            )
        )
    for i, contact in enumerate(picks[max(1, round(3 * scale)) : -2]):
        local = contact.person.last_latin or "x"
        value = rng.choice(
            (
                f"{local}@",
                f"{local}@@example.com",
                f"{local}@163",
                f"{local} {local}@mail.com",
                f"{local}.example.com",
                f"@{local}.com",
            )
        )
        row = _contact_row(contact, rng, zoho_id(2, 91_000 + i), "")
        row["Email"] = value
        out.append(
            Pending(
                row,
                row["Contact ID"] or "",
                {
                    "entity": contact.key,
                    "account": None,
                    "owner": contact.owner.key,
                    "bad": bad("invalid_email", "Email", value),
                },
            )
        )
    dangling = picks[-2]
    row = _contact_row(dangling, rng, zoho_id(2, 92_000), "Globex Corporation (closed)")
    out.append(
        Pending(
            row,
            row["Contact ID"] or "",
            {
                "entity": dangling.key,
                "account": None,
                "owner": dangling.owner.key,
                "link_issue": "account name not in Accounts.txt",
            },
        )
    )
    broken = picks[-1]
    values = _contact_row(broken, rng, zoho_id(2, 93_000), "")
    values["Description"] = "Called twice, no answer, try again, maybe Monday"
    line = ",".join(str(values[h] or "").replace('"', "").replace("\n", " ") for h in CONTACTS_HEADER)
    fields = len(next(csv.reader([line])))
    out.append(
        Pending(
            line,
            values["Contact ID"] or "",
            {
                "entity": broken.key,
                "account": None,
                "owner": broken.owner.key,
                "bad": bad(
                    "unparseable",
                    "Description",
                    values["Description"],
                    f"{fields} fields where the header has {len(CONTACTS_HEADER)} (unquoted commas)",
                ),
            },
        )
    )
    return out
