"""Rows of a lived-in SuiteCRM: the ground truth of the SuiteCRM sample database.

Noise is SuiteCRM's own, not the demo export's: ids are GUIDs (the admin user is '1'), deleted rows stay with
`deleted = 1` (records, link rows and e-mail links alike), e-mail addresses live in `email_addresses` with a
primary flag per record, a contact may be linked to two accounts (one link usually deleted), free-text
`annual_revenue` and `employees`, websites with and without scheme, phones as users typed them, custom-field rows
that some records lack, activities pointing at accounts, contacts, deals or leads through `parent_type`.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field

from sampledata._companies import Company
from sampledata._people import PeopleFactory, Person
from sampledata._phones import render

INDUSTRIES = ("Apparel", "Banking", "Biotechnology", "Chemicals", "Communications", "Construction", "Consulting", "Education", "Electronics",
              "Energy", "Engineering", "Finance", "Healthcare", "Insurance", "Machinery", "Manufacturing", "Media", "Retail", "Technology",
              "Telecommunications", "Transportation", "Other")
ACCOUNT_TYPES = ("Customer", "Customer", "Customer", "Prospect", "Partner", "Reseller", "Competitor", "Investor", "Other")
STAGES = (("Prospecting", 10), ("Qualification", 20), ("Needs Analysis", 25), ("Value Proposition", 30), ("Id. Decision Makers", 40),
          ("Perception Analysis", 50), ("Proposal/Price Quote", 65), ("Negotiation/Review", 80), ("Closed Won", 100), ("Closed Lost", 0))
LEAD_STATUSES = ("New", "Assigned", "In Process", "Converted", "Recycled", "Dead")
LEAD_SOURCES = ("Cold Call", "Existing Customer", "Self Generated", "Employee", "Partner", "Public Relations", "Direct Mail", "Conference",
                "Trade Show", "Web Site", "Word of mouth", "Email", "Campaign", "Other", "")
# SuiteCRM's default currency is the row-less id -99 (US Dollars); others are rows of `currencies`.
CURRENCIES = (("-99", "US Dollars", "$", "USD", 1.0), ("c7a1e1f0-5b1a-4c2e-9d0e-000000000156", "人民币", "¥", "CNY", 7.1),
              ("c7a1e1f0-5b1a-4c2e-9d0e-000000000978", "Euro", "€", "EUR", 0.92))
COUNTRY_SPELLINGS = {"CN": ("China", "CHINA", "中国", "CN", "P.R. China", ""), "US": ("USA", "United States", "US", "U.S.A.", ""),
                     "GB": ("United Kingdom", "UK", "England", "GB"), "DE": ("Germany", "Deutschland", "DE"), "FR": ("France", "FR"),
                     "NL": ("Netherlands", "Holland", "NL")}
PARENT_TYPES = (("Accounts", 0.45), ("Contacts", 0.3), ("Opportunities", 0.2), ("Leads", 0.05))
NOW = dt.datetime(2026, 11, 30, 18, 0, 0)


@dataclass
class SuiteCrmData:
    rows: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, table: str, **row: object) -> dict:
        self.rows.setdefault(table, []).append(row)
        return row

    def counts(self) -> dict[str, int]:
        return {t: len(r) for t, r in self.rows.items()}

    def deleted(self) -> dict[str, int]:
        return {t: sum(1 for r in rows if r.get("deleted") == 1) for t, rows in self.rows.items()}


class _Maker:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.people = PeopleFactory(self.rng)
        self.data = SuiteCrmData()

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def moments(self, after: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
        """(date_entered, date_modified), whole seconds, UTC, modified never before entered."""
        rng = self.rng
        start = after or NOW - dt.timedelta(days=5 * 365)
        entered = start + dt.timedelta(seconds=rng.randrange(max(int((NOW - start).total_seconds()) - 86400, 1)))
        modified = entered if rng.random() < 0.3 else entered + dt.timedelta(seconds=rng.randrange(max(int((NOW - entered).total_seconds()), 1)))
        return entered, modified

    def deleted(self, share: float) -> int:
        return 1 if self.rng.random() < share else 0

    def phone(self, person_or_company) -> str | None:
        phone = getattr(person_or_company, "phone", None) or getattr(person_or_company, "switchboard", None)
        return render(phone, self.rng) if phone is not None and self.rng.random() < 0.9 else None

    def email(self, bean_id: str, module: str, addresses: list[str], when: dt.datetime) -> None:
        for i, address in enumerate(a for a in addresses if a):
            email_id = self.guid()
            if self.rng.random() < 0.05:
                address = address.upper() if self.rng.random() < 0.5 else f" {address}"
            self.data.add("email_addresses", id=email_id, email_address=address, email_address_caps=address.strip().upper(),
                          invalid_email=1 if self.rng.random() < 0.01 else 0, opt_out=1 if self.rng.random() < 0.03 else 0,
                          date_created=when, date_modified=when, deleted=0)
            self.data.add("email_addr_bean_rel", id=self.guid(), email_address_id=email_id, bean_id=bean_id, bean_module=module,
                          primary_address=1 if i == 0 else 0, reply_to_address=0, date_created=when, date_modified=when,
                          deleted=self.deleted(0.02) if i else 0)

    def link(self, table: str, left: str, left_id: str, right: str, right_id: str, when: dt.datetime, deleted: int = 0, **extra: object) -> None:
        self.data.add(table, id=self.guid(), **{left: left_id, right: right_id}, **extra, date_modified=when, deleted=deleted)


def _website(m: _Maker, company: Company) -> str | None:
    r = m.rng.random()
    if r < 0.12:
        return None
    return (f"www.{company.domain}", f"http://www.{company.domain}", f"https://{company.domain}/", company.domain)[int(r * 10) % 4]


def _revenue(m: _Maker) -> str | None:
    amount = m.rng.choice((5, 12, 30, 80, 150, 400, 1200)) * 100_000
    return m.rng.choice((None, f"{amount:,}", str(amount), f"{amount / 1e6:g}M", f"约{amount // 10_000}万", f"${amount:,}"))


def generate(scale: float = 1.0, seed: int = 42) -> SuiteCrmData:
    """scale 1: 25 users, 1,500 accounts, 4,500 contacts, 1,200 leads, 2,000 opportunities, 7,000 activities."""
    m = _Maker(seed)
    rng, data = m.rng, m.data
    n = {k: max(3, int(v * scale)) for k, v in {"users": 25, "accounts": 1500, "contacts": 4500, "leads": 1200, "deals": 2000, "activities": 7000}.items()}

    for cid, name, symbol, iso, rate in CURRENCIES[1:]:
        data.add("currencies", id=cid, name=name, symbol=symbol, iso4217=iso, conversion_rate=rate, status="Active", deleted=0,
                 date_entered=NOW - dt.timedelta(days=2000), date_modified=NOW - dt.timedelta(days=2000), created_by="1")

    users = []
    for i in range(min(n["users"], 60)):
        person = m.people.person(rng.choice(("chinese", "chinese", "latin")), company=None)
        uid = "1" if i == 0 else m.guid()
        entered, modified = m.moments()
        active = i < 2 or rng.random() > 0.2
        first, last = (("Administrator", "") if i == 0 else (person.first, person.last))
        data.add("users", id=uid, user_name="admin" if i == 0 else f"{person.first_latin}.{person.last_latin}{i}", user_hash=f"$2y$10${m.guid()[:22]}",
                 system_generated_password=0, first_name=first or None, last_name=last, reports_to_id=users[0] if users and i > 1 else None,
                 is_admin=1 if i == 0 else 0, title=person.title or None, department=rng.choice(("Sales", "Sales", "Marketing", "Support", "销售部", None)),
                 phone_work=m.phone(person), phone_mobile=None, status="Active" if active else "Inactive",
                 employee_status="Active" if active else rng.choice(("Terminated", "Leave of Absence")),
                 date_entered=entered, date_modified=modified, deleted=0 if i < 2 else m.deleted(0.04))
        m.email(uid, "Users", [f"{person.first_latin}.{person.last_latin}{i}@handover-crm.example"], modified)
        users.append(uid)
    owner = lambda: rng.choice(users[1:]) if rng.random() > 0.02 else None  # noqa: E731

    accounts: list[tuple[str, Company]] = []
    for _ in range(n["accounts"]):
        script = "chinese" if rng.random() < 0.6 else "latin"
        company = m.people.company_for(script)
        aid = m.guid()
        entered, modified = m.moments()
        country = rng.choice(COUNTRY_SPELLINGS.get(company.country, ("",)))
        name = company.name if rng.random() > 0.05 else f" {company.name}"
        data.add("accounts", id=aid, date_entered=entered, date_modified=modified, modified_user_id=owner(), created_by=owner(),
                 description=rng.choice((None, None, "", "Key account", "重点客户，每季度回访")), deleted=m.deleted(0.04),
                 assigned_user_id=owner(), name=name, account_type=rng.choice(ACCOUNT_TYPES), industry=rng.choice(INDUSTRIES + (None, "")),
                 annual_revenue=_revenue(m), phone_fax=None, billing_address_street=rng.choice(company.city.streets),
                 billing_address_city=rng.choice((company.city.name, *company.city.variants)), billing_address_state=company.city.region or None,
                 billing_address_postalcode=rng.choice(company.city.postcodes), billing_address_country=country or None,
                 rating=None, phone_office=m.phone(company), phone_alternate=None, website=_website(m, company), ownership=None,
                 employees=rng.choice((None, "10", "50-100", "200", "1,000+", "500")), ticker_symbol=None,
                 shipping_address_street=None, shipping_address_city=None, shipping_address_state=None, shipping_address_postalcode=None,
                 shipping_address_country=None, parent_id=None, sic_code=None, campaign_id=None)
        if rng.random() < 0.85:
            data.add("accounts_cstm", id_c=aid, jjwg_maps_lng_c=round(rng.uniform(73, 135), 6), jjwg_maps_lat_c=round(rng.uniform(18, 53), 6),
                     jjwg_maps_geocode_status_c=rng.choice(("OK", "OK", "ZERO_RESULTS", None)), jjwg_maps_address_c=None,
                     tax_id_c=f"91{rng.randrange(10**15, 10**16)}" if script == "chinese" and rng.random() < 0.7 else None,
                     customer_tier_c=rng.choice(("Gold", "Silver", "Bronze", None)))
        accounts.append((aid, company))

    contacts: list[str] = []
    person: Person | None = None
    for _ in range(n["contacts"]):
        # A rep re-enters someone already in the CRM (a trade-show import, a business card): same person, new GUID.
        again = person is not None and rng.random() < 0.03
        if not again:
            aid, company = rng.choice(accounts)
            person = m.people.person(company.script, company=company)
        cid = m.guid()
        entered, modified = m.moments()
        data.add("contacts", id=cid, date_entered=entered, date_modified=modified, modified_user_id=owner(), created_by=owner(),
                 description=None, deleted=m.deleted(0.04), assigned_user_id=owner(),
                 salutation=rng.choice(("Mr.", "Ms.", "Mrs.", "Dr.", "Prof.", None, None)),
                 first_name=person.first or None, last_name=person.last if rng.random() > 0.01 else None, title=person.title or None,
                 department=rng.choice((None, None, "Purchasing", "IT", "采购部", "财务部")), do_not_call=1 if rng.random() < 0.03 else 0,
                 phone_home=None, phone_mobile=render(person.phone, rng) if person.phone and person.phone.mobile else None,
                 phone_work=m.phone(person) if rng.random() < 0.6 else None, phone_other=None, phone_fax=None,
                 primary_address_street=rng.choice(person.city.streets), primary_address_city=person.city.name,
                 primary_address_state=person.city.region or None, primary_address_postalcode=rng.choice(person.city.postcodes),
                 primary_address_country=rng.choice(COUNTRY_SPELLINGS.get(person.city.country, ("",))) or None,
                 alt_address_street=None, alt_address_city=None, alt_address_state=None, alt_address_postalcode=None, alt_address_country=None,
                 assistant=None, assistant_phone=None, lead_source=rng.choice(LEAD_SOURCES) or None, reports_to_id=None,
                 birthdate=dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(16000)) if rng.random() < 0.15 else None,
                 campaign_id=None, portal_account_name=None)
        m.email(cid, "Contacts", [person.email.upper() if again else person.email, person.alt_email if rng.random() < 0.3 else ""], modified)
        if rng.random() < 0.7:
            data.add("contacts_cstm", id_c=cid, jjwg_maps_lng_c=None, jjwg_maps_lat_c=None, jjwg_maps_geocode_status_c=None, jjwg_maps_address_c=None,
                     wechat_c=f"wx_{person.first_latin}{rng.randrange(1000)}" if company.script == "chinese" and rng.random() < 0.5 else None,
                     preferred_language_c=rng.choice(("zh_CN", "en_us", None)))
        r = rng.random()
        if r < 0.9:
            if r < 0.06:  # moved: an old, deleted link to the account they left
                m.link("accounts_contacts", "contact_id", cid, "account_id", rng.choice(accounts)[0], entered, deleted=1)
            m.link("accounts_contacts", "contact_id", cid, "account_id", aid, modified)
        contacts.append(cid)

    leads = []
    for _ in range(n["leads"]):
        person = m.people.person(rng.choice(("chinese", "latin")))
        lid = m.guid()
        entered, modified = m.moments()
        status = rng.choice(LEAD_STATUSES)
        converted = status == "Converted"
        data.add("leads", id=lid, date_entered=entered, date_modified=modified, modified_user_id=owner(), created_by=owner(), description=None,
                 deleted=m.deleted(0.03), assigned_user_id=owner(), salutation=None, first_name=person.first or None, last_name=person.last,
                 title=person.title or None, department=None, do_not_call=0, phone_home=None, phone_mobile=m.phone(person), phone_work=None,
                 phone_other=None, phone_fax=None, primary_address_street=None, primary_address_city=person.city.name, primary_address_state=None,
                 primary_address_postalcode=None, primary_address_country=rng.choice(COUNTRY_SPELLINGS.get(person.city.country, ("",))) or None,
                 alt_address_street=None, alt_address_city=None, alt_address_state=None, alt_address_postalcode=None, alt_address_country=None,
                 assistant=None, assistant_phone=None, lead_source=rng.choice(LEAD_SOURCES) or None, reports_to_id=None, birthdate=None, campaign_id=None,
                 converted=1 if converted else 0, refered_by=None, lead_source_description=None, status=status, status_description=None,
                 account_id=rng.choice(accounts)[0] if converted else None, contact_id=rng.choice(contacts) if converted else None, opportunity_id=None,
                 account_name=(person.company.name if person.company else None), account_description=None, opportunity_name=None,
                 opportunity_amount=rng.choice((None, "50000", "¥200,000", "10k")), website=None)
        m.email(lid, "Leads", [person.email], modified)
        leads.append(lid)

    deals = []
    for _ in range(n["deals"]):
        aid, company = rng.choice(accounts)
        did = m.guid()
        entered, modified = m.moments()
        stage, probability = rng.choice(STAGES)
        currency = CURRENCIES[1] if company.script == "chinese" and rng.random() < 0.7 else rng.choice(CURRENCIES)
        amount = round(rng.lognormvariate(11, 1.2), 2) if rng.random() > 0.03 else None
        data.add("opportunities", id=did, date_entered=entered, date_modified=modified, modified_user_id=owner(), created_by=owner(),
                 description=None, deleted=m.deleted(0.04), assigned_user_id=owner(),
                 name=rng.choice((f"{company.brand_latin} - {rng.choice(('Renewal', 'Expansion', 'Pilot', 'New Business'))}", f"{company.brand}年度采购"))[:50],
                 opportunity_type=rng.choice(("New Business", "Existing Business", None)), campaign_id=None, lead_source=rng.choice(LEAD_SOURCES) or None,
                 amount=amount, amount_usdollar=round(amount / currency[4], 2) if amount else None, currency_id=currency[0],
                 date_closed=(entered + dt.timedelta(days=rng.randrange(10, 200))).date(), next_step=None, sales_stage=stage,
                 probability=probability if rng.random() > 0.1 else None)
        if rng.random() < 0.97:
            m.link("accounts_opportunities", "opportunity_id", did, "account_id", aid, modified)
        if rng.random() < 0.6:
            m.link("opportunities_contacts", "contact_id", rng.choice(contacts), "opportunity_id", did, modified,
                   contact_role=rng.choice(("Primary Decision Maker", "Business Decision Maker", "Technical Evaluator", "Influencer", None)))
        deals.append(did)

    parents = {"Accounts": [a for a, _ in accounts], "Contacts": contacts, "Opportunities": deals, "Leads": leads}
    kinds = [t for t, _ in PARENT_TYPES]
    weights = [w for _, w in PARENT_TYPES]
    for i in range(n["activities"]):
        table = ("calls", "meetings", "notes")[0 if i % 10 < 5 else 1 if i % 10 < 7 else 2]
        entered, modified = m.moments()
        parent_type = rng.choices(kinds, weights)[0]
        common = dict(id=m.guid(), date_entered=entered, date_modified=modified, modified_user_id=owner(), created_by=owner(),
                      deleted=m.deleted(0.03), assigned_user_id=owner(), parent_type=parent_type, parent_id=rng.choice(parents[parent_type]))
        start = entered + dt.timedelta(hours=rng.randrange(1, 400))
        if table == "calls":
            data.add(table, **common, name=rng.choice(("Follow-up call", "回访电话", "Demo call", "Price discussion", "确认需求")),
                     description=rng.choice((None, "Left voicemail", "客户要求下周再联系")), duration_hours=0, duration_minutes=rng.choice((15, 30, 45)),
                     date_start=start, date_end=start + dt.timedelta(minutes=30), status=rng.choice(("Planned", "Held", "Held", "Not Held")),
                     direction=rng.choice(("Inbound", "Outbound")), reminder_time=-1, outlook_id=None)
        elif table == "meetings":
            data.add(table, **common, name=rng.choice(("Kick-off", "季度业务回顾", "On-site visit", "Contract signing")),
                     description=None, location=rng.choice((None, "Client office", "线上会议", "Zoom")), password=None, join_url=None,
                     duration_hours=1, duration_minutes=0, date_start=start, date_end=start + dt.timedelta(hours=1),
                     status=rng.choice(("Planned", "Held", "Not Held")), type="Sugar", reminder_time=-1)
        else:
            data.add(table, **common, name=rng.choice(("Note", "Requirements", "会议纪要", "Pricing notes")),
                     description=rng.choice(("Customer asked for a discount.", "需要技术支持", "Send the proposal by Friday.", None)),
                     file_mime_type=None, filename=None, contact_id=rng.choice(contacts) if parent_type == "Contacts" else None, portal_flag=0, embed_flag=0)
    return data


def truth(data: SuiteCrmData) -> dict:
    """Counts a test can check a migration against: rows per table and how many are flagged deleted."""
    return {"counts": data.counts(), "deleted": data.deleted(), "by_parent_type": dict(Counter(r["parent_type"] for t in ("calls", "meetings", "notes") for r in data.rows.get(t, [])))}
