"""The Salesforce source and target against the sandbox: full then incremental extraction with deleted rows,
fields in chunks, and the target's Collections upsert, Bulk API 2.0 above its threshold, owners by e-mail,
parents by external id and read-back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import dlt
import duckdb
import pandas as pd
import pytest

from connectors.sandbox.seed import owners as seeded_owners
from connectors.sources.salesforce import SalesforceCRM, SalesforceTable, helpers
from connectors.targets.salesforce import SalesforceTarget
from handover.ports import EntitySchema
from tests.integration.sandbox_support import SMALL, seeded_sandbox, url

os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")  # as the raw stage sets it
TABLES = [SalesforceTable("owner", "User", ("Id", "Email")), SalesforceTable("contact", "Contact", ("Id", "LastName", "AccountId"))]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with seeded_sandbox(tmp_path_factory.mktemp("sf-connector")) as (running, seeded):
        yield running, seeded


def extract(source: SalesforceCRM, folder: Path) -> pd.DataFrame:
    pipeline = dlt.pipeline(pipeline_name="sf_test", destination=dlt.destinations.duckdb(str(folder / "staging.duckdb")), dataset_name="raw",
                            pipelines_dir=str(folder / "dlt"))
    pipeline.run(source.dlt_source())
    con = duckdb.connect(str(folder / "staging.duckdb"), read_only=True)
    try:
        return con.execute('SELECT * FROM raw."contact"').df()
    finally:
        con.close()


def test_full_then_incremental_extraction_with_deleted_rows(sandbox, tmp_path: Path) -> None:
    running, seeded = sandbox
    source = SalesforceCRM(url(running, "sf-a-token"), "old", TABLES)
    assert source.check() == []
    contacts = extract(source, tmp_path)
    assert len(contacts) == SMALL.contacts and contacts["_record_key"].is_unique
    assert list(contacts.loc[contacts["_deleted"], "id"]) == [seeded["salesforce"]["a"]["Contact"][-1]]
    assert contacts["accountid"].str.startswith("001").all()
    first = set(contacts["_dlt_load_id"])
    import time

    time.sleep(1.1)  # SOQL literals are whole seconds: the edit lands in a later one
    edited = seeded["salesforce"]["a"]["Contact"][7]
    running.store.write("salesforce", "a", "Contact", [(int(edited[3:15]), {"Title": "Procurement Lead"})])
    again = extract(SalesforceCRM(url(running, "sf-a-token"), "old", TABLES), tmp_path)
    assert len(again) == SMALL.contacts
    assert list(again.loc[~again["_dlt_load_id"].isin(first), "id"]) == [edited]
    assert again.loc[again["id"] == edited, "title"].item() == "Procurement Lead"


def test_fields_past_the_url_budget_are_read_in_a_second_call(sandbox) -> None:
    running, seeded = sandbox
    names = [f"Survey_Answer_With_A_Long_Name_{i:03d}__c" for i in range(300)]
    running.store.add_properties("salesforce", "a", "Account", [(n, "string", False) for n in names])
    account = seeded["salesforce"]["a"]["Account"][0]
    running.store.write("salesforce", "a", "Account", [(int(account[3:15]), {names[-1]: "far field"})])
    api = helpers.client(url(running, "sf-a-token"))
    fields = [f["name"] for f in helpers.describe(api, "Account", "59.0")]
    assert len(helpers.chunk_fields(fields)) >= 2
    rows = {r["Id"]: r for page in helpers.records(api, "Account", fields, "59.0", None) for r in page}
    assert len(rows) == SMALL.companies and rows[account][names[-1]] == "far field"


def test_target_collections_and_bulk_upsert_owners_parents_and_read_back(sandbox, tmp_path: Path) -> None:
    running, _ = sandbox
    target = SalesforceTarget(url(running, "sf-b-token"), tmp_path / "owners.json", bulk_above=50)
    reps = seeded_owners(SMALL.owners)
    target.prepare(EntitySchema("owner", {"email": "email"}))
    owners = target.upsert("owner", pd.DataFrame({"external_id": ["o:1", "o:2"], "email": [reps[1]["email"], "left@nowhere.example"]}), match_by="email")
    assert list(owners["status"]) == ["unchanged", "rejected"]
    target.prepare(EntitySchema("account", {"name": "company", "extras": "text"}, has_owner=True))
    target.prepare(EntitySchema("contact", {"last_name": "person_name", "email": "email"}, {"account": "account"}, has_owner=True))
    accounts = pd.DataFrame({"external_id": [f"a:{i}" for i in range(60)], "name": [f"Firm {i}" for i in range(59)] + [None],
                             "extras": ['{"tier": "gold"}'] * 60, "owner_external_id": ["o:1"] * 60})
    loaded = target.upsert("account", accounts)  # 60 > 50: one Bulk API 2.0 job
    assert target.bulk_jobs == 1
    assert (loaded["status"] == "created").sum() == 59 and "REQUIRED_FIELD_MISSING" in loaded["error"].iloc[59]
    contacts = pd.DataFrame({"external_id": ["c:1", "c:2", "c:3"], "last_name": ["Ames", "Bo", None], "email": ["a@x.example", "b@x.example", "c@x.example"],
                             "owner_external_id": ["o:1", "o:2", "o:1"], "account_external_id": ["a:3", "a:4", "a:5"]})
    result = target.upsert("contact", contacts)  # 3 <= 50: Collections
    assert list(result["status"]) == ["created", "rejected", "rejected"] and target.bulk_jobs == 1
    assert "no Salesforce User" in result["error"].iloc[1] and "REQUIRED_FIELD_MISSING" in result["error"].iloc[2]
    assert list(target.upsert("contact", contacts.iloc[:1])["status"]) == ["updated"]
    back = target.read_by_ids("contact", ["c:1", "c:2"]).set_index("external_id")
    assert list(back.index) == ["c:1"] and back.loc["c:1", "account_external_id"] == "a:3" and back.loc["c:1", "owner_external_id"] == "o:1"
    assert back.loc["c:1", "last_name"] == "Ames"
    assert set(target.lookup("account", ["a:1", "a:59", "a:99"])) == {"a:1"}
    target.close()
