"""A second, independent CRM export (a Zoho-style English export merged with a Chinese CRM's lead export).

`generate_export(out_dir, scale, seed)` writes Users.csv, Accounts.txt, Contacts.csv, leads_cn.csv, Deals.csv,
Activities.csv and Support_Tickets.csv in their own encodings and layouts (see README.md next to this file),
plus truth.json: for every record its file line, record number and source id, the true entity it belongs to,
the true account, contact and owner it links to, repeats and duplicates, deliberate faults and the counts.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from sampledata.other_crm.accounts import AccountNames, accounts_file, users_file
from sampledata.other_crm.contacts import contacts_file
from sampledata.other_crm.leads import leads_file, web_leads_file
from sampledata.other_crm.ledger import Ledger
from sampledata.other_crm.sales import activities_file, deals_file, tickets_file
from sampledata.other_crm.world import World, build

DEFAULT_SEED = 20250515
FILE_KEYS = ("users", "accounts", "contacts", "leads", "deals", "activities", "tickets", "web_leads")


def generate_export(out_dir: str | Path, scale: float = 1.0, seed: int = DEFAULT_SEED) -> dict[str, object]:
    """Write the export and truth.json into `out_dir`; return the truth."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    world = build(rng, scale)
    ledger = Ledger()
    names = AccountNames()
    users_file(world, ledger)
    accounts_file(world, rng, ledger, names)
    contacts_file(world, rng, ledger, names)
    leads_file(world, rng, ledger, names)
    deals_file(world, rng, ledger, names)
    activities_file(world, rng, ledger, names)
    tickets_file(world, rng, ledger, names)
    web_leads_file(world, random.Random(seed + 1), ledger, names)  # its own draws: the other files stay as they were
    for key in FILE_KEYS:
        ledger.files[key].write(out)
    truth = {
        "generator": "sampledata.other_crm",
        "seed": seed,
        "scale": scale,
        "files": {key: ledger.files[key].describe() for key in FILE_KEYS},
        "entities": _entities(world),
        "counts": {key: ledger.counts(key) for key in FILE_KEYS},
        "bad_rows": ledger.bad,
        "rows": {key: ledger.rows[key] for key in FILE_KEYS},
    }
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    return truth


def _entities(world: World) -> dict[str, object]:
    contact_people = {c.key for c in world.contacts}
    lead_people = {p.cluster_id for p, _a in world.lead_people}
    return {
        "owners": [
            {
                "key": o.key,
                "user_id": o.user_id or None,
                "full_name": o.full_name,
                "email": o.email,
                "active": o.active,
                "in_users_file": o.in_users_file,
                "manager": o.manager or None,
            }
            for o in world.owners
        ],
        "accounts": [
            {
                "key": a.key,
                "name": a.name,
                "account_number": a.number or None,
                "city": a.city.name,
                "country": a.city.country,
                "website": a.website,
                "parent": a.parent.key if a.parent else None,
            }
            for a in world.accounts
        ],
        "counts": {
            "owners": len(world.owners),
            "owners_inactive": sum(1 for o in world.owners if not o.active),
            "owners_missing_from_users_file": sum(1 for o in world.owners if not o.in_users_file),
            "accounts": len(world.accounts),
            "branch_accounts": sum(1 for a in world.accounts if a.parent),
            "contact_people": len(contact_people),
            "lead_only_people": len(lead_people - contact_people),
            "deals": len(world.deals),
            "activities": len(world.activities),
            "tickets": len(world.tickets),
        },
    }
