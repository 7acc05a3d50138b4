"""Users.csv, Accounts.txt and Contacts.csv of the second vendor's export."""

from __future__ import annotations

import csv
import random

from sampledata import _noise as nz
from sampledata._companies import legal_variant
from sampledata._phones import render, with_extension
from sampledata._vocab import COUNTRY_VARIANTS
from sampledata.other_crm.files import ExportFile
from sampledata.other_crm.formats import accounts_time, contacts_time, later, zoho_id
from sampledata.other_crm.ledger import Ledger, Pending, bad, chosen, insert_randomly, place_repeats
from sampledata.other_crm.world import Account, Contact, World

USERS_HEADER = ["User ID", "Full Name", "First Name", "Last Name", "Email", "Role", "Profile", "Status", "Reports To",
                "Time Zone", "Language"]
ACCOUNTS_HEADER = ["Account ID", "Account Name", "Account Number", "Account Owner", "Account Type", "Industry", "Website",
                   "Phone", "Billing Street", "Billing City", "Billing State/Province", "Billing Code", "Billing Country",
                   "Annual Revenue", "Employees", "Parent Account", "Created Time", "Modified Time", "Description"]
CONTACTS_HEADER = ["Contact ID", "Salutation", "First Name", "Last Name", "Account Name", "Title", "Department", "Email",
                   "Secondary Email", "Phone", "Mobile", "Mailing City", "Mailing Zip", "Mailing Country", "Contact Owner",
                   "Lead Source", "Email Opt Out", "Created Time", "Modified Time", "Description"]


class AccountNames:
    """The names under which each true account appears in Accounts.txt (what other files link by)."""

    def __init__(self) -> None:
        self.by_account: dict[str, list[str]] = {}
        self.accounts_by_name: dict[str, list[str]] = {}

    def add(self, key: str, name: str) -> None:
        if name not in self.by_account.setdefault(key, []):
            self.by_account[key].append(name)
        folded = name.strip().casefold()
        if key not in self.accounts_by_name.setdefault(folded, []):
            self.accounts_by_name[folded].append(key)

    def pick(self, account: Account, rng: random.Random) -> str:
        return rng.choice(self.by_account[account.key])

    def ambiguous(self, name: str) -> bool:
        """True when the name (ignoring case and outer spaces) belongs to more than one true account."""
        return len(self.accounts_by_name.get(name.strip().casefold(), [])) > 1


def users_file(world: World, ledger: Ledger) -> None:
    file = ExportFile("Users.csv", "utf-8-sig", ",", "\r\n", USERS_HEADER)
    names = {o.key: o.full_name for o in world.owners}
    pending = []
    for owner in world.owners:
        if not owner.in_users_file:
            continue
        row = {"User ID": owner.user_id, "Full Name": owner.full_name, "First Name": owner.first, "Last Name": owner.last,
               "Email": owner.email, "Role": owner.role, "Profile": "Standard" if owner.role != "Sales Manager" else "Manager",
               "Status": "Active" if owner.active else "Inactive", "Reports To": names.get(owner.manager, ""),
               "Time Zone": "Asia/Shanghai" if owner.script == "chinese" else "Europe/Berlin",
               "Language": "Chinese (Simplified)" if owner.script == "chinese" else "English"}
        pending.append(Pending(row, owner.user_id, {"entity": owner.key, "manager": owner.manager or None,
                                                    "active": owner.active}))
    ledger.write_all("users", file, pending)


def _website(account: Account, rng: random.Random) -> str:
    host = account.website.split("://", 1)[1]
    return rng.choice((account.website, host, host.removeprefix("www."), f"http://{host}/", ""))


def _account_row(account: Account, rng: random.Random, source_id: str, names: AccountNames) -> dict[str, str | None]:
    city = account.city
    revenue = rng.choice((f"${account.revenue:,}", str(account.revenue), f"{account.revenue:,}", "")) if account.revenue else ""
    return {
        "Account ID": source_id, "Account Name": account.name, "Account Number": account.number,
        "Account Owner": account.owner.full_name, "Account Type": account.type, "Industry": account.industry,
        "Website": _website(account, rng), "Phone": render(account.phone, rng), "Billing Street": account.street,
        "Billing City": city.name if rng.random() < 0.85 else rng.choice(city.variants), "Billing State/Province": city.region,
        "Billing Code": account.postcode, "Billing Country": rng.choice(COUNTRY_VARIANTS[city.country][:4]),
        "Annual Revenue": revenue, "Employees": str(account.employees) if rng.random() < 0.8 else "",
        "Parent Account": names.pick(account.parent, rng) if account.parent else "",
        "Created Time": accounts_time(account.created), "Modified Time": accounts_time(account.modified),
        "Description": rng.choice(("", "", "", "Key account.\nVisit twice a year.", "Tab\tinside a description",
                                   "老客户，付款及时。", 'Prefers "net 60" terms, invoices by post')),
    }


def accounts_file(world: World, rng: random.Random, ledger: Ledger, names: AccountNames) -> None:
    file = ExportFile("Accounts.txt", "utf-16", "\t", "\r\n", ACCOUNTS_HEADER)
    # Every true name is known before any row is written, so "Parent Account" can name any account.
    for account in world.accounts:
        names.add(account.key, account.name)
    rows: list[Pending] = []
    repeats: list[Pending] = []
    count = len(world.accounts)
    no_id, duplicated, repeated = chosen(rng, count, 0.04), chosen(rng, count, 0.06), chosen(rng, count, 0.04)
    for n, account in enumerate(world.accounts):
        source_id = "" if n in no_id and n not in repeated else zoho_id(1, n)
        row = _account_row(account, rng, source_id, names)
        truth = {"entity": account.key, "owner": account.owner.key,
                 "parent_account": account.parent.key if account.parent else None}
        rows.append(Pending(row, source_id, truth))
        if n in duplicated:  # the same company keyed in again under another id
            variant = legal_variant(account.company, rng) if account.name == account.company.name else nz.case_noise(account.name, rng)
            copy = _account_row(account, rng, zoho_id(1, 50_000 + n), names)
            copy.update({"Account Name": variant, "Account Number": "", "Employees": "",
                         "Created Time": accounts_time(later(account.created, rng))})
            names.add(account.key, variant)
            rows.append(Pending(copy, copy["Account ID"] or "", dict(truth)))
        if n in repeated:
            if repeated[n] == "identical":
                repeats.append(Pending(dict(row), source_id, dict(truth)))
            else:
                edited = {**row, "Phone": render(account.phone, rng), "Modified Time": accounts_time(later(account.modified, rng)),
                          "Description": "Updated after the customer call."}
                repeats.append(Pending(edited, source_id, dict(truth)))
    broken = []
    for i in range(max(1, round(2 * len(world.accounts) / 290))):
        account = rng.choice(world.accounts)
        row = _account_row(account, rng, zoho_id(1, 90_000 + i), names)
        row.update({"Account Name": rng.choice(("", " ", "")), "Parent Account": ""})
        broken.append(Pending(row, row["Account ID"] or "", {"entity": account.key, "owner": account.owner.key,
                                                             "parent_account": None,
                                                             "bad": bad("missing_required", "Account Name", row["Account Name"])}))
    ledger.write_all("accounts", file, place_repeats(insert_randomly(rows, broken, rng), repeats, rng))


def _contact_row(contact: Contact, rng: random.Random, source_id: str, account_name: str) -> dict[str, str | None]:
    p = contact.person
    first, last = p.first, p.last
    if p.script == "chinese" and rng.random() < 0.25:
        first, last = "", f"{p.last}{p.first}"
    salutation = rng.choice(("Mr.", "Mr.", "Dr.", "", "")) if p.gender == "m" else rng.choice(("Ms.", "Mrs.", "Dr.", ""))
    office = p.alt_phone or (p.company.switchboard if p.company else None)
    phone = render(office, rng) if office else ""
    if phone and office is not p.alt_phone and rng.random() < 0.5:
        phone = with_extension(phone, rng, office.country)  # type: ignore[union-attr]
    return {
        "Contact ID": source_id, "Salutation": salutation if p.script == "latin" else "", "First Name": first,
        "Last Name": last, "Account Name": account_name, "Title": p.title,
        "Department": rng.choice(("Purchasing", "IT", "Finance", "Management", "采购部", "")),
        "Email": p.email, "Secondary Email": p.alt_email, "Phone": phone,
        "Mobile": render(p.phone, rng) if p.phone and p.phone.mobile else "",
        "Mailing City": p.city.name, "Mailing Zip": rng.choice(p.city.postcodes) if rng.random() < 0.6 else "",
        "Mailing Country": COUNTRY_VARIANTS[p.city.country][0], "Contact Owner": contact.owner.full_name,
        "Lead Source": rng.choice(("Web", "Trade Show", "Partner", "Cold Call", "Import", "")),
        "Email Opt Out": rng.choice(("false", "false", "true")), "Created Time": contacts_time(contact.created),
        "Modified Time": contacts_time(contact.modified),
        "Description": rng.choice(("",) * 8 + ("Met at Hannover Messe, interested in MX-300.", "Prefers WeChat.\n微信同手机号",
                                                'Nickname "Bo", call after 3pm')),
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
        truth = {"entity": contact.key, "account": contact.account.key if contact.account else None,
                 "owner": contact.owner.key, "account_name_ambiguous": bool(link) and names.ambiguous(link)}
        row = _contact_row(contact, rng, source_id, link)
        rows.append(Pending(row, source_id, truth))
        if n in duplicated:
            rows.append(Pending(_duplicate_contact(contact, rng, zoho_id(2, 50_000 + n), link), zoho_id(2, 50_000 + n),
                                dict(truth)))
        if n in repeated:
            if repeated[n] == "identical":
                repeats.append(Pending(dict(row), source_id, dict(truth)))
            else:
                edited = {**row, "Title": rng.choice(("Director", "Head of Purchasing", "采购总监")),
                          "Modified Time": contacts_time(later(contact.modified, rng))}
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
        out.append(Pending(row, row["Contact ID"] or "", {"entity": contact.key, "account": None, "owner": contact.owner.key,
                                                          "bad": bad("missing_required", "Last Name", "")}))
    for i, contact in enumerate(picks[max(1, round(3 * scale)):-2]):
        local = contact.person.last_latin or "x"
        value = rng.choice((f"{local}@", f"{local}@@example.com", f"{local}@163", f"{local} {local}@mail.com",
                            f"{local}.example.com", f"@{local}.com"))
        row = _contact_row(contact, rng, zoho_id(2, 91_000 + i), "")
        row["Email"] = value
        out.append(Pending(row, row["Contact ID"] or "", {"entity": contact.key, "account": None, "owner": contact.owner.key,
                                                          "bad": bad("invalid_email", "Email", value)}))
    dangling = picks[-2]
    row = _contact_row(dangling, rng, zoho_id(2, 92_000), "Globex Corporation (closed)")
    out.append(Pending(row, row["Contact ID"] or "", {"entity": dangling.key, "account": None, "owner": dangling.owner.key,
                                                      "link_issue": "account name not in Accounts.txt"}))
    broken = picks[-1]
    values = _contact_row(broken, rng, zoho_id(2, 93_000), "")
    values["Description"] = "Called twice, no answer, try again, maybe Monday"
    line = ",".join(str(values[h] or "").replace('"', "").replace("\n", " ") for h in CONTACTS_HEADER)
    fields = len(next(csv.reader([line])))
    out.append(Pending(line, values["Contact ID"] or "", {
        "entity": broken.key, "account": None, "owner": broken.owner.key,
        "bad": bad("unparseable", "Description", values["Description"],
                   f"{fields} fields where the header has {len(CONTACTS_HEADER)} (unquoted commas)")}))
    return out
