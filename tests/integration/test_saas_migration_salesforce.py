"""A whole migration Salesforce sandbox A -> Salesforce sandbox B through the Dagster stages, with faults injected
(429 with Retry-After, a 500, a connection dropped mid-page, an expired session refreshed): every entity and
relationship reconciled, owners mapped to B's Users by e-mail; an incremental rerun after editing a few contacts
loads only those; and a daily REQUEST_LIMIT_EXCEEDED stops the load with a message naming the endpoint."""

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
    {"kind": "rate_limit", "api": "salesforce", "path": "/services/data/v59.0/composite/sobjects/Account/*", "retry_after": 0.2},
    {"kind": "server_error", "api": "salesforce", "path": "/services/data/v59.0/queryAll", "status": 500},
    {"kind": "drop", "api": "salesforce", "path": "/services/data/v59.0/queryAll", "after": 2},
    {"kind": "expired_token", "api": "salesforce", "path": "/services/data/v59.0/composite/sobjects/Contact/*"},
]


def spec_data(folder: Path) -> dict:
    return {
        "migration": "sf_to_sf", "work": str(folder / "work"),
        "source": {"type": "salesforce", "url": "${HANDOVER_TEST_SF_A}", "system": "sf_a"},
        "target": {"type": "salesforce", "url": "${HANDOVER_TEST_SF_B}"},
        "owners": {"match_by": "email", "departed": {"policy": "fallback", "fallback": "005000000000001AAA"}},
        "entities": {
            "owner": {"from": "User", "id": "Id", "fields": {"email": "Email", "first_name": "FirstName", "last_name": "LastName", "active": "IsActive"},
                      "required": ["email"]},
            "account": {"from": "Account", "id": "Id", "owner": "OwnerId", "required": ["name"],
                        "fields": {"name": "Name", "website": "Website", "phone": "Phone", "industry": "Industry", "city": "BillingCity",
                                   "employees": "NumberOfEmployees"}},
            "contact": {"from": "Contact", "id": "Id", "owner": "OwnerId", "links": {"account": "AccountId"},
                        "fields": {"first_name": "FirstName", "last_name": "LastName", "email": "Email", "phone": "Phone", "title": "Title"}},
            "deal": {"from": "Opportunity", "id": "Id", "owner": "OwnerId", "links": {"account": "AccountId", "contact": "ContactId"},
                     "fields": {"name": "Name", "amount": "Amount", "stage": "StageName", "close_date": "CloseDate"}},
            "activity": {"from": "Task", "id": "Id", "owner": "OwnerId", "links": {"contact": "WhoId", "account": "WhatId"},
                         "fields": {"subject": "Subject", "details": "Description", "status": "Status", "due_date": "ActivityDate"}},
        },
    }


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    folder = tmp_path_factory.mktemp("sf_to_sf")
    with seeded_sandbox(folder) as (running, seeded):
        os.environ["HANDOVER_TEST_SF_A"] = url(running, "sf-a-token", timeout="2")
        os.environ["HANDOVER_TEST_SF_B"] = url(running, "sf-b-token", refresh_token="sf-b-refresh", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
        path = folder / "spec.yaml"
        path.write_text(yaml.safe_dump(spec_data(folder), sort_keys=False), encoding="utf-8")
        spec = load_spec(path)
        running.set_faults(FAULTS)
        try:
            yield spec, running, seeded, materialize(spec)
        finally:
            os.environ.pop("HANDOVER_TEST_SF_A", None)
            os.environ.pop("HANDOVER_TEST_SF_B", None)


def query(spec, sql: str) -> list[tuple]:
    con = duckdb.connect(str(spec.staging_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_every_fault_fired_and_every_check_passed(migrated) -> None:
    spec, running, _, result = migrated
    assert all(f["fired"] for f in running.app.faults.describe()), running.app.faults.describe()
    failed = [(e.asset_key.to_user_string(), e.check_name, e.metadata) for e in result.get_asset_check_evaluations() if not e.passed]
    assert result.success and failed == []


def test_every_record_and_relationship_is_accounted_for_and_in_b(migrated) -> None:
    spec, running, seeded, _ = migrated
    accounting = {r[0]: r[1:] for r in query(spec, "SELECT entity, extracted, loaded, excluded, balanced FROM reconciled.accounting")}
    assert all(row[-1] for row in accounting.values())
    assert accounting["contact"][:3] == (SMALL.contacts, SMALL.contacts - 1, 1)  # the deleted contact: extracted, excluded with its reason
    assert accounting["deal"][1] == SMALL.deals and accounting["activity"][1] == SMALL.notes and accounting["owner"][1] == SMALL.owners
    assert all(r[1] and r[0] == 0 for r in query(spec, "SELECT missing, ok FROM reconciled.comparison"))
    store = running.store
    users_a = {r["id"]: r["data"]["Email"] for r in store.all_records("salesforce", "a", "User")}
    users_b = {r["id"]: r["data"]["Email"] for r in store.all_records("salesforce", "b", "User")}
    assert users_a != users_b and set(users_a.values()) == set(users_b.values())
    owner_in_a = {f"005{n:012d}AAA": e for n, e in users_a.items()}
    a_contacts = {f"003{r['id']:012d}AAA": r["data"] for r in store.all_records("salesforce", "a", "Contact")}
    b_contacts = store.all_records("salesforce", "b", "Contact")
    assert len(b_contacts) == SMALL.contacts - 1
    for record in b_contacts:
        source = a_contacts[record["data"]["Handover_External_Id__c"].rsplit(":", 1)[1]]
        assert users_b[int(record["data"]["OwnerId"][3:15])] == owner_in_a[source["OwnerId"]]
        assert record["data"]["AccountId"].startswith("001")


def test_an_incremental_rerun_after_editing_some_contacts_loads_only_those(migrated) -> None:
    import time

    spec, running, seeded, _ = migrated
    running.set_faults([])
    time.sleep(1.1)  # SOQL cursors are whole seconds
    edited = seeded["salesforce"]["a"]["Contact"][10:12]
    running.store.write("salesforce", "a", "Contact", [(int(edited[0][3:15]), {"Title": "Head of Sourcing"}), (int(edited[1][3:15]), {"LastName": "Quist"})])
    runs = {r[0] for r in query(spec, "SELECT DISTINCT run_id FROM ledger.load_events")}
    again = materialize(spec)
    assert again.success
    sent = [r[1:] for r in query(spec, "SELECT run_id, entity, external_id FROM ledger.load_events") if r[0] not in runs]
    assert sorted(sent) == sorted(("contact", f"sf_a:contact:{i}") for i in edited)


def test_a_spent_daily_quota_stops_the_load_naming_the_endpoint(migrated) -> None:
    from connectors.targets import open_target
    from handover.ports import EntitySchema, TargetError

    spec, running, _, _ = migrated
    target = open_target(spec)
    target.prepare(EntitySchema("account", {"name": "company"}))
    running.set_faults([{"kind": "request_limit", "api": "salesforce", "path": "/services/data/v59.0/composite/sobjects/Account/*", "times": 0}])
    import pandas as pd

    with pytest.raises(TargetError) as stopped:
        target.upsert("account", pd.DataFrame({"external_id": ["x:1"], "name": ["Quota Ltd"]}))
    running.set_faults([])
    message = str(stopped.value)
    assert "PATCH /services/data/v59.0/composite/sobjects/Account" in message and "REQUEST_LIMIT_EXCEEDED" in message and "rerun" in message
    assert "sf-b-token" not in message
