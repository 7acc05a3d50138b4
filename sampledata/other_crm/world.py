"""The true state of the second vendor's CRM: owners, accounts, people, deals, activities and tickets.

Nothing here is dirty; `export.py` writes these entities out with the dirt of a real export.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field, replace
from decimal import Decimal

from sampledata._addresses import street
from sampledata._companies import Company
from sampledata._people import PeopleFactory, Person
from sampledata._phones import Phone
from sampledata._vocab import (
    CITIES_BY_COUNTRY,
    CN_GIVEN,
    CN_SURNAMES,
    LATIN_FIRST_FEMALE,
    LATIN_FIRST_MALE,
    LATIN_LAST,
    City,
)
from sampledata.other_crm.formats import amount_value, later, moment

CLIENT_DOMAIN = "meridian-instr.com"
INDUSTRIES = {
    "latin": ("Manufacturing", "Technology", "Retail", "Healthcare", "Finance", "Logistics", "Energy", "Education"),
    "chinese": ("制造业", "信息技术", "零售", "医疗", "金融", "物流", "能源", "Manufacturing", "Technology"),
}
ACCOUNT_TYPES = ("Customer", "Prospect", "Partner", "Reseller", "Competitor", "客户", "潜在客户")
STAGES = (
    ("Qualification", 10),
    ("Needs Analysis", 20),
    ("Proposal/Price Quote", 50),
    ("Negotiation/Review", 75),
    ("Closed Won", 100),
    ("Closed Lost", 0),
)
PRODUCTS = (
    "MX-200 Analyzer",
    "MX-300 Analyzer",
    "FlowSense Pro",
    "Calibration Service",
    "Cloud Monitor",
    "Spare Parts Kit",
)


@dataclass(frozen=True)
class Owner:
    key: str
    user_id: str
    first: str
    last: str
    full_name: str
    email: str
    role: str
    active: bool
    in_users_file: bool
    script: str
    manager: str = ""  # owner key


@dataclass
class Account:
    key: str
    company: Company
    name: str
    number: str  # "" when the account has no customer number
    street: str
    postcode: str
    phone: Phone
    website: str
    owner: Owner
    type: str
    industry: str
    revenue: int
    employees: int
    created: dt.datetime
    modified: dt.datetime
    parent: Account | None = None

    @property
    def city(self) -> City:
        return self.company.city


@dataclass
class Contact:
    person: Person
    account: Account | None
    owner: Owner
    created: dt.datetime
    modified: dt.datetime

    @property
    def key(self) -> str:
        return self.person.cluster_id


@dataclass
class Deal:
    key: str
    name: str
    account: Account
    contact: Contact | None
    amount: Decimal | None
    currency: str | None
    stage: str
    probability: int
    close: dt.date | None
    owner: Owner
    kind: str
    created: dt.datetime


@dataclass
class Activity:
    key: str
    kind: str
    subject: str
    module: str  # "Accounts", "Contacts" or "Deals"
    target: Account | Contact | Deal
    start: dt.datetime
    minutes: int
    status: str
    owner: Owner
    note: str


@dataclass
class Ticket:
    key: str
    subject: str
    account: Account
    contact: Contact | None
    product: str
    priority: str
    status: str
    channel: str
    opened: dt.datetime
    closed: dt.datetime | None
    owner: Owner


@dataclass
class World:
    owners: list[Owner] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    lead_people: list[tuple[Person, Account | None]] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    tickets: list[Ticket] = field(default_factory=list)


def full_name(person: Person) -> str:
    return f"{person.last}{person.first}" if person.script == "chinese" else f"{person.first} {person.last}"


def _owners(rng: random.Random, count: int) -> list[Owner]:
    owners: list[Owner] = []
    used: set[str] = set()
    roles = ("Sales Rep", "Sales Rep", "Sales Rep", "Account Manager", "Support Agent", "Sales Manager")
    for i in range(count + 1):
        script = "chinese" if i % 5 in (1, 3) else "latin"
        if script == "chinese":
            (last, last_py), (given, given_py) = CN_SURNAMES[rng.randrange(30)], rng.choice(CN_GIVEN)
            first, full, email_local = given, f"{last}{given}", f"{given_py}.{last_py}"
        else:
            first = rng.choice(LATIN_FIRST_MALE + LATIN_FIRST_FEMALE)
            last = rng.choice(LATIN_LAST)
            full, email_local = f"{first} {last}", f"{first[:1]}.{last}".lower()
        if full in used:
            continue
        used.add(full)
        email_local = "".join(ch for ch in email_local if ch.isascii() and (ch.isalnum() or ch == "."))
        role = "Sales Manager" if i < 2 else rng.choice(roles)
        active = i < 2 or rng.random() > 0.22
        owners.append(
            Owner(
                f"USR-{len(owners) + 1:03d}",
                f"zcrm_5725767000{800_000 + len(owners) * 11:09d}",
                first,
                last,
                full,
                f"{email_local}@{CLIENT_DOMAIN}",
                role,
                active,
                True,
                script,
                manager="" if i < 2 else rng.choice(("USR-001", "USR-002")),
            )
        )
    ghost = owners.pop()  # left before this export: still named on records, absent from the users file
    owners.append(
        Owner(
            ghost.key,
            "",
            ghost.first,
            ghost.last,
            ghost.full_name,
            ghost.email,
            ghost.role,
            False,
            False,
            ghost.script,
            ghost.manager,
        )
    )
    return owners


def _pick_owner(owners: list[Owner], rng: random.Random) -> Owner:
    ghost = owners[-1]
    return ghost if rng.random() < 0.02 else rng.choice(owners[:-1])


def build(rng: random.Random, scale: float) -> World:
    world = World()
    people = PeopleFactory(rng, people_per_company=5.0)
    world.owners = _owners(rng, max(6, round(22 * scale)))
    n_accounts = max(12, round(275 * scale))
    for i in range(n_accounts):
        chinese = rng.random() < 0.5
        company = people.companies.chinese() if chinese else people.companies.latin()
        world.accounts.append(_account(rng, f"ACC-{i + 1:04d}", company, world.owners))
    # Branches: same company, another city; the first and a few others carry exactly the parent's name, so some
    # links by name are ambiguous at any scale.
    for nth, parent in enumerate(rng.sample(world.accounts, max(2, round(n_accounts * 0.05)))):
        others = [c for c in CITIES_BY_COUNTRY[parent.company.country] if c != parent.city]
        city = rng.choice(others)
        branch_company = replace(parent.company, city=city, switchboard=people.companies.unique_landline(city))
        branch = _account(rng, f"ACC-{len(world.accounts) + 1:04d}", branch_company, world.owners)
        if nth == 0 or rng.random() < 0.15:
            branch.name = parent.name
        elif parent.company.script == "chinese":
            branch.name = f"{parent.name}{city.name}分公司"
        else:
            branch.name = f"{parent.name} - {city.name}"
        branch.website, branch.parent = parent.website, parent
        world.accounts.append(branch)
    for _ in range(max(30, round(1400 * scale))):
        account = rng.choice(world.accounts) if rng.random() < 0.95 else None
        script = (
            (account.company.script if rng.random() < 0.85 else rng.choice(("latin", "chinese")))
            if account
            else rng.choice(("latin", "chinese"))
        )
        person = people.person(
            script, company=account.company if account else None, **({"city": account.city} if account else {})
        )
        owner = account.owner if account and rng.random() < 0.7 else _pick_owner(world.owners, rng)
        created = moment(rng)
        world.contacts.append(Contact(person, account, owner, created, later(created, rng)))
    for _ in range(max(30, round(1700 * scale))):
        account = rng.choice(world.accounts) if rng.random() < 0.3 else None
        script = "chinese" if rng.random() < 0.8 else "latin"
        company = account.company if account else (people.companies.chinese() if script == "chinese" else None)
        person = people.person(script, company=company, **({"city": company.city} if company else {}))
        world.lead_people.append((person, account))
    for i in range(max(20, round(560 * scale))):
        world.deals.append(_deal(rng, f"DEAL-{i + 1:04d}", world))
    for i in range(max(40, round(1480 * scale))):
        world.activities.append(_activity(rng, f"ACT-{i + 1:05d}", world))
    for i in range(max(10, round(200 * scale))):
        world.tickets.append(_ticket(rng, f"TKT-{i + 1:04d}", world))
    return world


def _account(rng: random.Random, key: str, company: Company, owners: list[Owner]) -> Account:
    created = moment(rng)
    script = company.script
    return Account(
        key,
        company,
        company.name,
        f"CUST-{10_000 + int(key[4:]) * 3}" if rng.random() < 0.85 else "",
        street(company.city, rng),
        rng.choice(company.city.postcodes),
        company.switchboard,
        f"https://www.{company.domain}",
        _pick_owner(owners, rng),
        rng.choice(ACCOUNT_TYPES),
        rng.choice(INDUSTRIES[script]),
        rng.choice((0, 250_000, 1_200_000, 8_000_000, 45_000_000)) + rng.randint(0, 99) * 1000,
        rng.choice((5, 12, 40, 120, 800, 5000)),
        created,
        later(created, rng),
    )


def _deal(rng: random.Random, key: str, world: World) -> Deal:
    contact = rng.choice(world.contacts)
    account = contact.account if contact.account and rng.random() < 0.8 else rng.choice(world.accounts)
    if contact.account is not account:
        contact = None  # type: ignore[assignment]
    stage, probability = rng.choice(STAGES)
    currency = {"CN": "CNY", "GB": "GBP", "US": "USD"}.get(account.company.country, "EUR")
    if rng.random() < 0.1:
        currency = "USD"
    created = moment(rng)
    kind = "Credit Note" if rng.random() < 0.03 else rng.choice(("New Business", "Existing Business", "Renewal"))
    amount = amount_value(rng) * (-1 if kind == "Credit Note" else 1)
    close = later(created, rng, 200).date() if stage.startswith("Closed") or rng.random() < 0.9 else None
    product = rng.choice(PRODUCTS)
    return Deal(
        key,
        f"{account.company.brand_latin} - {product}",
        account,
        contact,
        amount,
        currency,
        stage,
        probability,
        close,
        account.owner if rng.random() < 0.8 else _pick_owner(world.owners, rng),
        kind,
        created,
    )


_SUBJECTS = {
    "Call": ("Follow-up call", "Intro call", "回访电话", "Pricing call"),
    "Email": ("Sent quote", "Re: proposal", "发送报价单"),
    "Meeting": ("Demo on site", "Quarterly review", "拜访客户", "Kick-off"),
    "Task": ("Prepare contract", "Send samples", "准备合同"),
    "Note": ("Note", "Customer feedback", "备注"),
}


def _activity(rng: random.Random, key: str, world: World) -> Activity:
    roll = rng.random()
    target: Account | Contact | Deal
    if roll < 0.5:
        module, target = "Contacts", rng.choice(world.contacts)
    elif roll < 0.8:
        module, target = "Accounts", rng.choice(world.accounts)
    else:
        module, target = "Deals", rng.choice(world.deals)
    kind = rng.choice(tuple(_SUBJECTS))
    start = moment(rng)
    note = rng.choice(
        (
            "",
            "",
            "Discussed pricing for MX-300, sending quote.",
            "客户对价格有异议，下周再联系。",
            "Left voicemail.\nWill try again Friday.",
            'Asked for "express" delivery, see thread.',
        )
    )
    return Activity(
        key,
        kind,
        rng.choice(_SUBJECTS[kind]),
        module,
        target,
        start,
        rng.choice((5, 15, 30, 60, 90)),
        rng.choice(("Completed", "Completed", "Not Started", "In Progress", "Deferred")),
        _pick_owner(world.owners, rng),
        note,
    )


def _ticket(rng: random.Random, key: str, world: World) -> Ticket:
    account = rng.choice(world.accounts)
    contacts = [c for c in world.contacts if c.account is account and c.person.email]
    opened = moment(rng)
    status = rng.choice(("Open", "Closed", "Closed", "Escalated", "On Hold"))
    agents = [o for o in world.owners if o.role == "Support Agent"] or world.owners
    return Ticket(
        key,
        rng.choice(
            (
                "Device not calibrating",
                "Login issue",
                "Invoice question",
                "传感器读数异常",
                "Replacement part",
                "设备无法开机",
            )
        ),
        account,
        rng.choice(contacts) if contacts and rng.random() < 0.8 else None,
        rng.choice(PRODUCTS),
        rng.choice(("Low", "Medium", "High", "Urgent")),
        status,
        rng.choice(("Email", "Phone", "Web", "微信")),
        opened,
        later(opened, rng, 40) if status == "Closed" else None,
        rng.choice(agents),
    )
