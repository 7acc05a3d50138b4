"""A deterministic, realistically dirty export of the old CRM ("LegacyCRM"): the demo's input and the tests' fixture.

`generate_export` writes users.csv, accounts.csv (GB18030), contacts.csv (UTF-8 with BOM), deals.xlsx and
activities.csv, and returns a "truth" dict listing every piece of dirt it injected, which it also writes next to
the export folder as `<folder>.truth.json`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from sampledata.demo import names
from sampledata.demo.common import NOW, UNKNOWN_OWNER, Ctx, Row
from sampledata.demo.companies import DEPARTED_USERS, make_accounts, make_users
from sampledata.demo.deals import ACTIVITY_COLUMNS, DEAL_COLUMNS, make_activities, make_deals, valid_contacts_by_account
from sampledata.demo.formats import DateRenderer
from sampledata.demo.people import CONTACT_COLUMNS, OrphanIds, make_contacts
from sampledata.demo.writers import write_csv, write_xlsx

USER_COLUMNS = ("user_id", "full_name", "email", "department", "status", "manager_id")
ACCOUNT_COLUMNS = ("account_id", "account_name", "website", "phone", "industry", "city", "country", "owner_id",
                   "created_at", "annual_revenue")
FILES = {
    "users.csv": {"encoding": "utf-8", "columns": USER_COLUMNS},
    "accounts.csv": {"encoding": "gb18030", "columns": ACCOUNT_COLUMNS},
    "contacts.csv": {"encoding": "utf-8-sig", "columns": CONTACT_COLUMNS},
    "deals.xlsx": {"sheet": "Deals", "columns": DEAL_COLUMNS},
    "activities.csv": {"encoding": "utf-8", "columns": ACTIVITY_COLUMNS},
}
# Orphan ids are A99xxx / C99xxxx, so real ids must stay below them.
MAX_SCALE = 40.0


def truth_path(out_dir: str | Path) -> Path:
    out = Path(out_dir).absolute()
    return out.parent / f"{out.name}.truth.json"


def generate_export(out_dir: str | Path, *, scale: float = 1.0, seed: int = 42) -> dict:
    """Write the export files into out_dir (created if missing, existing export files overwritten) and return the truth dict."""
    if not 0 < scale <= MAX_SCALE:
        raise ValueError(f"scale must be in (0, {MAX_SCALE:g}], got {scale!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = Ctx(rng=random.Random(seed), scale=scale, dates=DateRenderer(random.Random(seed + 1)))
    orphans = OrphanIds(ctx)

    users = make_users(ctx)
    accounts, account_truth = make_accounts(ctx)
    contacts, contact_truth = make_contacts(ctx, accounts, orphans)
    by_account = valid_contacts_by_account(contacts)
    deals, deal_truth = make_deals(ctx, accounts, by_account, orphans)
    activities, activity_truth = make_activities(ctx, deals, by_account, accounts, orphans)

    write_csv(out / "users.csv", USER_COLUMNS, users, "utf-8")
    write_csv(out / "accounts.csv", ACCOUNT_COLUMNS, accounts, "gb18030")
    contact_lines = write_csv(out / "contacts.csv", CONTACT_COLUMNS, contacts, "utf-8", bom=True)
    write_xlsx(out / "deals.xlsx", "Deals", DEAL_COLUMNS, deals)
    activity_lines = write_csv(out / "activities.csv", ACTIVITY_COLUMNS, activities, "utf-8")

    entities = {"account": accounts, "contact": contacts, "deal": deals, "activity": activities}
    truth = {
        "seed": seed,
        "scale": scale,
        "now": NOW.date().isoformat(),
        "naive_datetime_utc_offset": "+08:00",
        "files": {name: {k: v for k, v in spec.items() if k != "columns"} | {"columns": list(spec["columns"])}
                  for name, spec in FILES.items()},
        "counts": {"users.csv": len(users), "accounts.csv": len(accounts),
                   "contacts.csv": len(contacts) + sum(1 for c in contacts if c.get("_repeated")),
                   "deals.xlsx": len(deals), "activities.csv": len(activities)},
        "users_departed": list(DEPARTED_USERS),
        "contact_duplicates": contact_truth["contact_duplicates"],
        "account_duplicates": account_truth["account_duplicates"],
        "repeated_lines": [{"file": "contacts.csv", "id": c["contact_id"], "lines": contact_lines[c["contact_id"]]}
                           for c in contacts if c.get("_repeated")],
        "invalid_emails": contact_truth["invalid_emails"],
        "missing_required": {"account": account_truth["missing_required"], "contact": contact_truth["missing_required"],
                             "deal": deal_truth["missing_required"]},
        "orphans": {"contact.account_id": contact_truth["orphans"], "deal.account_id": deal_truth["orphans"],
                    "activity.contact_id": activity_truth["orphans"]},
        "departed_owned": {e: _owned_by(rows, set(DEPARTED_USERS)) for e, rows in entities.items()},
        "unknown_owner": {e: _owned_by(rows, {UNKNOWN_OWNER}) for e, rows in entities.items()},
        "broken_lines": _broken("contacts.csv", contacts, contact_lines) + _broken("activities.csv", activities, activity_lines),
        "undecodable_lines": [{"file": "activities.csv", "line": activity_lines[activity_truth["undecodable"]][0],
                               "id": activity_truth["undecodable"], "encoding": "gbk"}],
        "long_subjects": activity_truth["long_subjects"],
        "negative_amounts": deal_truth["negative_amounts"],
        "fullwidth": contact_truth["fullwidth"],
        "text_cells": deal_truth["text_cells"],
        "date_formats": ctx.dates.truth(),
        "picklists": _picklists(),
    }
    truth = json.loads(json.dumps(truth, ensure_ascii=False))
    truth_path(out).write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return truth


def _owned_by(rows: list[Row], owners: set[str]) -> int:
    """Distinct records on well-formed lines whose owner is in `owners`."""
    return sum(1 for r in rows if r["owner_id"] in owners and "_broken" not in r)


def _broken(file: str, rows: list[Row], lines: dict[str, list[int]]) -> list[dict]:
    id_column = "contact_id" if file == "contacts.csv" else "activity_id"
    return [{"file": file, "line": lines[r[id_column]][0], "id": r[id_column], "shape": r["_broken"], "problem": r["_problem"]}
            for r in rows if "_broken" in r]


def _picklists() -> dict[str, dict[str, str]]:
    """Every raw picklist value the export uses, mapped to its canonical value."""
    industry = {label: en for cn, en in names.INDUSTRY_LABELS.values() for label in (cn, en)}
    stage = {label: en for en, cn, _ in names.STAGES.values() for label in (en, cn)}
    kind = {label: en for en, cn in names.ACTIVITY_TYPES.values() for label in (en, cn)}
    iso = {"UK": "GB"}
    country = {spelling: iso.get(key, key) for key, spellings in names.COUNTRY_SPELLINGS.items() for spelling in spellings}
    currency = {"CNY": "CNY", "RMB": "CNY", "USD": "USD", "EUR": "EUR"}
    return {"account.industry": industry, "account.country": country, "deal.stage": stage,
            "deal.currency": currency, "activity.type": kind}
