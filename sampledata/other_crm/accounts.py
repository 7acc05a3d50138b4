"""Users.csv and Accounts.txt (UTF-16 with BOM, tab-delimited), and the account names other files link by."""

from __future__ import annotations

import random

from sampledata import _noise as nz
from sampledata._companies import legal_variant
from sampledata._phones import render
from sampledata._vocab import COUNTRY_VARIANTS
from sampledata.other_crm.files import ExportFile
from sampledata.other_crm.formats import accounts_time, later, zoho_id
from sampledata.other_crm.ledger import Ledger, Pending, bad, chosen, insert_randomly, place_repeats
from sampledata.other_crm.world import Account, World

USERS_HEADER = [
    "User ID",
    "Full Name",
    "First Name",
    "Last Name",
    "Email",
    "Role",
    "Profile",
    "Status",
    "Reports To",
    "Time Zone",
    "Language",
]
ACCOUNTS_HEADER = [
    "Account ID",
    "Account Name",
    "Account Number",
    "Account Owner",
    "Account Type",
    "Industry",
    "Website",
    "Phone",
    "Billing Street",
    "Billing City",
    "Billing State/Province",
    "Billing Code",
    "Billing Country",
    "Annual Revenue",
    "Employees",
    "Parent Account",
    "Created Time",
    "Modified Time",
    "Description",
]


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
        row = {
            "User ID": owner.user_id,
            "Full Name": owner.full_name,
            "First Name": owner.first,
            "Last Name": owner.last,
            "Email": owner.email,
            "Role": owner.role,
            "Profile": "Standard" if owner.role != "Sales Manager" else "Manager",
            "Status": "Active" if owner.active else "Inactive",
            "Reports To": names.get(owner.manager, ""),
            "Time Zone": "Asia/Shanghai" if owner.script == "chinese" else "Europe/Berlin",
            "Language": "Chinese (Simplified)" if owner.script == "chinese" else "English",
        }
        pending.append(
            Pending(row, owner.user_id, {"entity": owner.key, "manager": owner.manager or None, "active": owner.active})
        )
    ledger.write_all("users", file, pending)


def _website(account: Account, rng: random.Random) -> str:
    host = account.website.split("://", 1)[1]
    return rng.choice((account.website, host, host.removeprefix("www."), f"http://{host}/", ""))


def _account_row(account: Account, rng: random.Random, source_id: str, names: AccountNames) -> dict[str, str | None]:
    city = account.city
    revenue = (
        rng.choice((f"${account.revenue:,}", str(account.revenue), f"{account.revenue:,}", ""))
        if account.revenue
        else ""
    )
    return {
        "Account ID": source_id,
        "Account Name": account.name,
        "Account Number": account.number,
        "Account Owner": account.owner.full_name,
        "Account Type": account.type,
        "Industry": account.industry,
        "Website": _website(account, rng),
        "Phone": render(account.phone, rng),
        "Billing Street": account.street,
        "Billing City": city.name if rng.random() < 0.85 else rng.choice(city.variants),
        "Billing State/Province": city.region,
        "Billing Code": account.postcode,
        "Billing Country": rng.choice(COUNTRY_VARIANTS[city.country][:4]),
        "Annual Revenue": revenue,
        "Employees": str(account.employees) if rng.random() < 0.8 else "",
        "Parent Account": names.pick(account.parent, rng) if account.parent else "",
        "Created Time": accounts_time(account.created),
        "Modified Time": accounts_time(account.modified),
        "Description": rng.choice(
            (
                "",
                "",
                "",
                "Key account.\nVisit twice a year.",
                "Tab\tinside a description",
                "老客户，付款及时。",
                'Prefers "net 60" terms, invoices by post',
            )
        ),
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
        truth = {
            "entity": account.key,
            "owner": account.owner.key,
            "parent_account": account.parent.key if account.parent else None,
        }
        rows.append(Pending(row, source_id, truth))
        if n in duplicated:  # the same company keyed in again under another id
            variant = (
                legal_variant(account.company, rng)
                if account.name == account.company.name
                else nz.case_noise(account.name, rng)
            )
            copy = _account_row(account, rng, zoho_id(1, 50_000 + n), names)
            copy.update(
                {
                    "Account Name": variant,
                    "Account Number": "",
                    "Employees": "",
                    "Created Time": accounts_time(later(account.created, rng)),
                }
            )
            names.add(account.key, variant)
            rows.append(Pending(copy, copy["Account ID"] or "", dict(truth)))
        if n in repeated:
            if repeated[n] == "identical":
                repeats.append(Pending(dict(row), source_id, dict(truth)))
            else:
                edited = {
                    **row,
                    "Phone": render(account.phone, rng),
                    "Modified Time": accounts_time(later(account.modified, rng)),
                    "Description": "Updated after the customer call.",
                }
                repeats.append(Pending(edited, source_id, dict(truth)))
    broken = []
    for i in range(max(1, round(2 * len(world.accounts) / 290))):
        account = rng.choice(world.accounts)
        row = _account_row(account, rng, zoho_id(1, 90_000 + i), names)
        row.update({"Account Name": rng.choice(("", " ", "")), "Parent Account": ""})
        broken.append(
            Pending(
                row,
                row["Account ID"] or "",
                {
                    "entity": account.key,
                    "owner": account.owner.key,
                    "parent_account": None,
                    "bad": bad("missing_required", "Account Name", row["Account Name"]),
                },
            )
        )
    ledger.write_all("accounts", file, place_repeats(insert_randomly(rows, broken, rng), repeats, rng))
