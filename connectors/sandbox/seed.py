"""Seed data for the sandbox: tenant `a` (the old CRM, full of records) and tenant `b` (the new one, only its users),
in both HubSpot and Salesforce, with their tokens. Deterministic for a given seed and size.

The shapes are the vendors', not the demo export's: HubSpot string-valued properties, a company with more than
100 contacts (associations past the inline limit), an archived contact; Salesforce 18-character ids, a deleted
contact only `queryAll` returns, tasks related by WhoId/WhatId.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from connectors.sandbox import hubspot as hs
from connectors.sandbox.salesforce import make_id
from connectors.sandbox.store import Store

CLIENT_ID, CLIENT_SECRET = "handover-sandbox", "sandbox-secret"
TOKENS = {
    ("hubspot", "a"): ("hs-a-token", "hs-a-refresh"), ("hubspot", "b"): ("hs-b-token", "hs-b-refresh"),
    ("salesforce", "a"): ("sf-a-token", "sf-a-refresh"), ("salesforce", "b"): ("sf-b-token", "sf-b-refresh"),
    ("pipedrive", "a"): ("pd-a-token", "pd-a-refresh"), ("pipedrive", "b"): ("pd-b-token", "pd-b-refresh"),
}
FIRST = ("Ana", "Bram", "Chen", "Dara", "Emeka", "Fatima", "Goran", "Hana", "Ivo", "Jia", "Kofi", "Lena", "Mateus", "Nia", "Oskar", "Priya",
         "Quan", "Rosa", "Sami", "Tuva", "Uma", "Viktor", "Wen", "Xavi", "Yara", "Zeynep")
LAST = ("Abara", "Berg", "Costa", "Dlamini", "Eriksen", "Fujita", "Garcia", "Horvat", "Ito", "Jansen", "Kowalski", "Lindqvist", "Moreau",
        "Nakamura", "Okafor", "Petrov", "Quispe", "Rossi", "Schulz", "Tanaka", "Usman", "Vargas", "Wang", "Yilmaz", "Zhou")
COMPANY = ("Fjord", "Kestrel", "Lumen", "Mosaic", "Nimbus", "Orbit", "Pioneer", "Quarry", "Saffron", "Tidal", "Umber", "Vertex", "Willow")
SUFFIX = ("Logistics", "Analytics", "Foods", "Robotics", "Textiles", "Health", "Energy", "Studios")
INDUSTRIES = ("COMPUTER_SOFTWARE", "LOGISTICS_AND_SUPPLY_CHAIN", "FOOD_PRODUCTION", "HOSPITAL_HEALTH_CARE", "RENEWABLES_ENVIRONMENT")
STAGES = ("appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "closedwon", "closedlost")
SF_STAGES = ("Prospecting", "Qualification", "Proposal/Price Quote", "Closed Won", "Closed Lost")


@dataclass(frozen=True)
class Size:
    owners: int = 5
    companies: int = 30
    contacts: int = 150  # the first company gets 110 of them: past HubSpot's 100 inline associations
    deals: int = 40
    notes: int = 60

    @classmethod
    def scaled(cls, factor: float) -> "Size":
        base = cls()
        return cls(*(max(int(getattr(base, f) * factor), 1) for f in ("owners", "companies", "contacts", "deals", "notes")))


def add_tokens(store: Store) -> None:
    for (api, tenant), (token, refresh) in TOKENS.items():
        store.add_token(api, tenant, token, refresh, CLIENT_ID, CLIENT_SECRET)


def _people(rng: random.Random, count: int, domain: str) -> list[tuple[str, str, str]]:
    people = []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        people.append((first, last, f"{first}.{last}.{i}@{domain}".lower()))
    return people


def owners(count: int) -> list[dict[str, Any]]:
    """The sales reps: the same people (by e-mail) are users of both the old and the new CRM."""
    rng = random.Random(1)
    return [{"firstName": f, "lastName": l, "email": e} for f, l, e in _people(rng, count, "rep.example.com")]


def seed_hubspot(store: Store, tenant: str, size: Size, seed: int = 7, records: bool = True) -> dict[str, list[int]]:
    rng = random.Random(seed)
    reps = owners(size.owners)
    if not records:  # the new CRM's users: the same people under other ids
        return {"owners": [w[0] for w in store.write(hs.API, tenant, "owners", [(None, r | {"userId": 7000 + i}) for i, r in enumerate(reversed(reps))])]}
    owner_ids = [w[0] for w in store.write(hs.API, tenant, "owners", [(None, r | {"userId": 9000 + i}) for i, r in enumerate(reps)])]
    companies = []
    for i in range(size.companies):
        name = f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)} {i}"
        domain = f"{name.split()[0].lower()}{i}.example.org"
        companies.append((None, {"name": name, "domain": domain, "phone": f"+44 20 7946 {i:04d}", "industry": rng.choice(INDUSTRIES),
                                 "city": rng.choice(("Leeds", "Porto", "Osaka", "Lagos", "Quito")), "numberofemployees": str(rng.randint(3, 900)),
                                 "hubspot_owner_id": str(rng.choice(owner_ids))}))
    company_ids = [w[0] for w in store.write(hs.API, tenant, "companies", companies)]
    contacts = []
    for first, last, email in _people(rng, size.contacts, "client.example.net"):
        contacts.append((None, {"firstname": first, "lastname": last, "email": email, "phone": f"+1 555 {rng.randint(1000000, 9999999)}",
                                "jobtitle": rng.choice(("Buyer", "CTO", "Head of Ops", "Analyst", "")) or None,
                                "hubspot_owner_id": str(rng.choice(owner_ids))}))
    contact_ids = [w[0] for w in store.write(hs.API, tenant, "contacts", contacts, ["email"])]
    crowded = min(110, len(contact_ids))
    pairs = []
    for i, contact in enumerate(contact_ids):
        company = company_ids[0] if i < crowded else rng.choice(company_ids)
        pairs.append(("contacts", contact, "companies", company, hs.TYPE_IDS[("contacts", "companies")], hs.TYPE_IDS[("companies", "contacts")]))
    deals = []
    for i in range(size.deals):
        deals.append((None, {"dealname": f"Renewal {i} {rng.choice(SUFFIX)}", "amount": str(rng.randint(5, 500) * 100), "dealstage": rng.choice(STAGES),
                             "pipeline": "default", "closedate": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T00:00:00.000Z",
                             "hubspot_owner_id": str(rng.choice(owner_ids))}))
    deal_ids = [w[0] for w in store.write(hs.API, tenant, "deals", deals)]
    for deal in deal_ids:
        pairs.append(("deals", deal, "companies", rng.choice(company_ids), hs.TYPE_IDS[("deals", "companies")], hs.TYPE_IDS[("companies", "deals")]))
        pairs.append(("deals", deal, "contacts", rng.choice(contact_ids), hs.TYPE_IDS[("deals", "contacts")], hs.TYPE_IDS[("contacts", "deals")]))
    notes = [(None, {"hs_note_body": f"Call about {rng.choice(('pricing', 'renewal', 'onboarding', 'an outage'))}", "hs_timestamp": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00.000Z",
                     "hubspot_owner_id": str(rng.choice(owner_ids))}) for _ in range(size.notes)]
    note_ids = [w[0] for w in store.write(hs.API, tenant, "notes", notes)]
    for note in note_ids:
        pairs.append(("notes", note, "contacts", rng.choice(contact_ids), hs.TYPE_IDS[("notes", "contacts")], hs.TYPE_IDS[("contacts", "notes")]))
    store.associate(tenant, pairs)
    store.archive(hs.API, tenant, "contacts", contact_ids[-1:])  # archived: reported, not migrated
    return {"owners": owner_ids, "companies": company_ids, "contacts": contact_ids, "deals": deal_ids, "notes": note_ids}


def seed_salesforce(store: Store, tenant: str, size: Size, seed: int = 11, records: bool = True) -> dict[str, list[str]]:
    api = "salesforce"
    rng = random.Random(seed)
    reps = owners(size.owners)
    users = [(None, {"Username": r["email"], "Email": r["email"], "FirstName": r["firstName"], "LastName": r["lastName"], "IsActive": True})
             for r in (reps if records else reversed(reps))]  # the new CRM's users: the same people under other ids
    user_ids = [make_id("User", w[0]) for w in store.write(api, tenant, "User", users)]
    if not records:
        return {"User": user_ids}
    accounts = []
    for i in range(size.companies):
        name = f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)} {i}"
        accounts.append((None, {"Name": name, "Website": f"https://{name.split()[0].lower()}{i}.example.org", "Phone": f"+49 30 {rng.randint(1000000, 9999999)}",
                                "Industry": rng.choice(("Technology", "Transportation", "Food & Beverage", "Healthcare", "Energy")),
                                "BillingCity": rng.choice(("Berlin", "Lyon", "Pune", "Perth")), "NumberOfEmployees": rng.randint(2, 5000),
                                "OwnerId": rng.choice(user_ids)}))
    account_ids = [make_id("Account", w[0]) for w in store.write(api, tenant, "Account", accounts)]
    contacts = [(None, {"FirstName": f, "LastName": l, "Email": e, "Phone": f"+33 1 {rng.randint(10000000, 99999999)}", "Title": rng.choice(("Buyer", "CFO", "Engineer")),
                        "AccountId": rng.choice(account_ids), "OwnerId": rng.choice(user_ids)}) for f, l, e in _people(rng, size.contacts, "kunde.example.de")]
    contact_ids = [make_id("Contact", w[0]) for w in store.write(api, tenant, "Contact", contacts)]
    opportunities = [(None, {"Name": f"Expansion {i}", "Amount": float(rng.randint(10, 900) * 50), "StageName": rng.choice(SF_STAGES),
                             "CloseDate": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "AccountId": rng.choice(account_ids),
                             "ContactId": rng.choice(contact_ids), "OwnerId": rng.choice(user_ids)}) for i in range(size.deals)]
    opportunity_ids = [make_id("Opportunity", w[0]) for w in store.write(api, tenant, "Opportunity", opportunities)]
    tasks = [(None, {"Subject": rng.choice(("Call", "Send quote", "Follow up")), "Description": "Discussed the renewal terms", "Status": "Completed",
                     "ActivityDate": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "WhoId": rng.choice(contact_ids), "WhatId": rng.choice(account_ids),
                     "OwnerId": rng.choice(user_ids)}) for _ in range(size.notes)]
    task_ids = [make_id("Task", w[0]) for w in store.write(api, tenant, "Task", tasks)]
    store.archive(api, tenant, "Contact", [int(contact_ids[-1][3:15])])  # deleted: only queryAll returns it
    return {"User": user_ids, "Account": account_ids, "Contact": contact_ids, "Opportunity": opportunity_ids, "Task": task_ids}


def seed_pipedrive(store: Store, tenant: str, size: Size, seed: int = 13, records: bool = True) -> dict[str, list[int]]:
    api = "pipedrive"
    rng = random.Random(seed)
    reps = owners(size.owners)
    users = [(None, {"name": f"{r['firstName']} {r['lastName']}", "email": r["email"], "active_flag": True}) for r in (reps if records else reversed(reps))]
    user_ids = [w[0] for w in store.write(api, tenant, "users", users)]
    if not records:
        return {"users": user_ids}
    orgs = [(None, {"name": f"{rng.choice(COMPANY)} {rng.choice(SUFFIX)} {i}", "owner_id": rng.choice(user_ids), "address": rng.choice(("Tallinn", "Bogotá", "Accra"))})
            for i in range(size.companies)]
    org_ids = [w[0] for w in store.write(api, tenant, "organizations", orgs)]
    persons = [(None, {"name": f"{f} {l}", "first_name": f, "last_name": l, "emails": [{"value": e, "primary": True, "label": "work"}],
                       "phones": [{"value": f"+372 5{rng.randint(1000000, 9999999)}", "primary": True, "label": "mobile"}],
                       "owner_id": rng.choice(user_ids), "org_id": rng.choice(org_ids)}) for f, l, e in _people(rng, size.contacts, "klient.example.ee")]
    person_ids = [w[0] for w in store.write(api, tenant, "persons", persons)]
    deals = [(None, {"title": f"Pilot {i}", "value": float(rng.randint(1, 90) * 1000), "currency": "EUR", "status": rng.choice(("open", "won", "lost")),
                     "expected_close_date": f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "person_id": rng.choice(person_ids),
                     "org_id": rng.choice(org_ids), "owner_id": rng.choice(user_ids)}) for i in range(size.deals)]
    deal_ids = [w[0] for w in store.write(api, tenant, "deals", deals)]
    activities = [(None, {"subject": rng.choice(("Demo call", "Contract review", "Site visit")), "type": rng.choice(("call", "meeting")),
                          "due_date": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}", "done": rng.random() < 0.5, "person_id": rng.choice(person_ids),
                          "deal_id": rng.choice(deal_ids), "owner_id": rng.choice(user_ids)}) for _ in range(size.notes)]
    activity_ids = [w[0] for w in store.write(api, tenant, "activities", activities)]
    store.archive(api, tenant, "persons", person_ids[-1:])  # deleted: listed no more
    return {"users": user_ids, "organizations": org_ids, "persons": person_ids, "deals": deal_ids, "activities": activity_ids}


def seed_all(store: Store, size: Size | None = None) -> dict[str, Any]:
    """Tenants a (records) and b (users only) in every API, and their tokens."""
    size = size or Size()
    add_tokens(store)
    return {
        "hubspot": {"a": seed_hubspot(store, "a", size), "b": seed_hubspot(store, "b", size, records=False)},
        "salesforce": {"a": seed_salesforce(store, "a", size), "b": seed_salesforce(store, "b", size, records=False)},
        "pipedrive": {"a": seed_pipedrive(store, "a", size), "b": seed_pipedrive(store, "b", size, records=False)},
    }
