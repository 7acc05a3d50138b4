"""A whole migration HubSpot sandbox A -> HubSpot sandbox B through the Dagster stages, with faults injected on the
way (429 with Retry-After, 5xx, a timeout, a connection dropped mid-page, a body cut short, an expired token):
every entity and relationship reconciled with the accounting invariant, owners mapped to B's users by e-mail,
then an incremental rerun after editing ~1.5% of the contacts that extracts and loads only those."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import yaml

from connectors.sandbox.seed import CLIENT_ID, CLIENT_SECRET
from handover.spec import load_spec
from tests.integration.sandbox_support import SMALL, seeded_sandbox, url
from tests.integration.test_postgres_migration import materialize

pytestmark = pytest.mark.slow

FAULTS = [
    {"kind": "rate_limit", "api": "hubspot", "path": "/crm/v3/objects/companies/batch/upsert", "retry_after": 0.2},
    {"kind": "server_error", "api": "hubspot", "path": "/crm/v3/objects/contacts", "method": "GET", "status": 503},
    {"kind": "drop", "api": "hubspot", "path": "/crm/v3/objects/contacts", "method": "GET", "after": 1},
    {"kind": "malformed", "api": "hubspot", "path": "/crm/v3/objects/deals", "method": "GET"},
    {"kind": "timeout", "api": "hubspot", "path": "/crm/v3/objects/notes", "method": "GET", "delay": 1.5},
    {"kind": "expired_token", "api": "hubspot", "path": "/crm/v3/objects/contacts/batch/upsert", "after": 1},
]


def field(name: str) -> dict:
    return {"from": name, "target": name}


def spec_data(folder: Path) -> dict:
    return {
        "migration": "hs_to_hs", "work": str(folder / "work"),
        "source": {"type": "hubspot", "url": "${HANDOVER_TEST_HS_A}", "system": "hubspot_a"},
        "target": {"type": "hubspot", "url": "${HANDOVER_TEST_HS_B}"},
        "owners": {"match_by": "email", "departed": {"policy": "fallback", "fallback": "1"}},
        "entities": {
            "owner": {"from": "owners", "id": "id", "fields": {"email": "email", "active": "active"}, "required": ["email"]},
            "account": {"from": "companies", "id": "id", "owner": "hubspot_owner_id", "required": ["name"],
                        "fields": {"name": field("name"), "domain": field("domain"), "phone": field("phone"), "city": field("city"),
                                   "employees": field("numberofemployees")}},
            "contact": {"from": "contacts", "id": "id", "owner": "hubspot_owner_id", "links": {"account": "companies_id"},
                        "fields": {"first_name": field("firstname"), "last_name": field("lastname"), "email": field("email"),
                                   "phone": field("phone"), "title": field("jobtitle")}},
            "deal": {"from": "deals", "id": "id", "owner": "hubspot_owner_id", "links": {"account": "companies_id", "contact": "contacts_id"},
                     "fields": {"name": field("dealname"), "amount": field("amount"), "stage": field("dealstage"), "close_date": field("closedate")}},
            "activity": {"from": "notes", "id": "id", "owner": "hubspot_owner_id", "links": {"contact": "contacts_id"},
                         "fields": {"details": field("hs_note_body"), "occurred_at": field("hs_timestamp")}},
        },
    }


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    folder = tmp_path_factory.mktemp("hs_to_hs")
    with seeded_sandbox(folder) as (running, seeded):
        refresh = {"refresh_token": "hs-b-refresh", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "timeout": "1"}
        os.environ["HANDOVER_TEST_HS_A"] = url(running, "hs-a-token", timeout="1")
        os.environ["HANDOVER_TEST_HS_B"] = url(running, "hs-b-token", **refresh)
        path = folder / "spec.yaml"
        path.write_text(yaml.safe_dump(spec_data(folder), sort_keys=False), encoding="utf-8")
        spec = load_spec(path)
        running.set_faults(FAULTS)
        try:
            result = materialize(spec)
            yield spec, running, seeded, result
        finally:
            os.environ.pop("HANDOVER_TEST_HS_A", None)
            os.environ.pop("HANDOVER_TEST_HS_B", None)


def query(spec, sql: str) -> list[tuple]:
    con = duckdb.connect(str(spec.staging_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_fault_fired_and_the_migration_still_passed_every_check(migrated) -> None:
    spec, running, _, result = migrated
    fired = [f["fired"] for f in running.app.faults.describe()]
    assert all(fired), running.app.faults.describe()
    failed = [(e.asset_key.to_user_string(), e.check_name, e.metadata) for e in result.get_asset_check_evaluations() if not e.passed]
    assert result.success and failed == []


def test_every_record_and_relationship_is_accounted_for_and_in_b(migrated) -> None:
    spec, running, seeded, _ = migrated
    accounting = {r[0]: r[1:] for r in query(spec, "SELECT entity, extracted, loaded, excluded, remainder, balanced FROM reconciled.accounting")}
    assert all(row[-1] for row in accounting.values()) and all(row[-2] == 0 for row in accounting.values())
    assert accounting["contact"][:3] == (SMALL.contacts, SMALL.contacts - 1, 1)  # the archived contact is excluded, with its reason
    assert accounting["owner"][1] == SMALL.owners and accounting["deal"][1] == SMALL.deals and accounting["activity"][1] == SMALL.notes
    comparison = {r[0]: r[1:] for r in query(spec, "SELECT entity, missing, ok FROM reconciled.comparison")}
    assert all(ok and missing == 0 for missing, ok in comparison.values())
    store = running.store
    assert len(store.all_records("hubspot", "b", "contacts")) == SMALL.contacts - 1
    assert len(store.all_records("hubspot", "b", "deals")) == SMALL.deals
    email_a = {str(r["id"]): r["data"]["email"] for r in store.all_records("hubspot", "a", "owners")}
    email_b = {str(r["id"]): r["data"]["email"] for r in store.all_records("hubspot", "b", "owners")}
    assert set(email_a.values()) == set(email_b.values()) and email_a != email_b  # the same people under other ids
    owner_in_a = {str(r["id"]): email_a[r["data"]["hubspot_owner_id"]] for r in store.all_records("hubspot", "a", "contacts")}
    for record in store.all_records("hubspot", "b", "contacts"):  # each record went to B's user with its A owner's e-mail
        source_id = record["data"]["handover_external_id"].rsplit(":", 1)[1]
        assert email_b[record["data"]["hubspot_owner_id"]] == owner_in_a[source_id]
    linked = sum(1 for r in store.all_records("hubspot", "b", "contacts") if store.associations("b", "contacts", r["id"], "companies", 0, 5))
    assert linked == SMALL.contacts - 1
    deal_links = sum(1 for r in store.all_records("hubspot", "b", "deals") if store.associations("b", "deals", r["id"], "contacts", 0, 5))
    assert deal_links >= SMALL.deals - 1  # a deal linked to the archived contact keeps no contact


def test_an_incremental_rerun_after_editing_some_contacts_loads_only_those(migrated) -> None:
    spec, running, seeded, _ = migrated
    running.set_faults([])
    edited = seeded["hubspot"]["a"]["contacts"][3:5]
    running.store.write("hubspot", "a", "contacts", [(edited[0], {"jobtitle": "VP Purchasing"}), (edited[1], {"lastname": "Okonkwo-Berg"})])
    runs = {r[0] for r in query(spec, "SELECT DISTINCT run_id FROM ledger.load_events")}
    again = materialize(spec)
    assert again.success
    sent = [r[1:] for r in query(spec, "SELECT run_id, entity, external_id FROM ledger.load_events") if r[0] not in runs]
    assert sorted(sent) == sorted(("contact", f"hubspot_a:contact:{i}") for i in edited)
    loads = query(spec, "SELECT count(DISTINCT _dlt_load_id) FROM raw.contact")[0][0]
    assert loads == 2  # the rerun's extraction delivered only the edited rows
    title = [r["data"].get("jobtitle") for r in running.store.all_records("hubspot", "b", "contacts") if r["data"].get("handover_external_id") == f"hubspot_a:contact:{edited[0]}"]
    assert title == ["VP Purchasing"]
