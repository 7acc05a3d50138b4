"""The HubSpot source and target against the sandbox: full then incremental extraction, the search cap split by
time window, properties in chunks, associations past 100, and the target's upsert, owners by e-mail and read-back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import dlt
import duckdb
import pandas as pd
import pytest
import requests

from connectors.api_http import ApiError
from connectors.sources.hubspot import HubSpotCRM, HubSpotTable, helpers
from connectors.targets.hubspot import HubSpotTarget
from handover.ports import EntitySchema
from tests.integration.sandbox_support import SMALL, seeded_sandbox, url

os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")  # as the raw stage sets it
TABLES = [HubSpotTable("owner", "owners", ("id", "email")), HubSpotTable("account", "companies", ("id", "name")),
          HubSpotTable("contact", "contacts", ("id", "email", "companies_id"))]


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with seeded_sandbox(tmp_path_factory.mktemp("hs-connector")) as (running, seeded):
        yield running, seeded


def extract(source: HubSpotCRM, folder: Path) -> dlt.Pipeline:
    pipeline = dlt.pipeline(pipeline_name="hs_test", destination=dlt.destinations.duckdb(str(folder / "staging.duckdb")), dataset_name="raw",
                            pipelines_dir=str(folder / "dlt"))
    pipeline.run(source.dlt_source())
    return pipeline


def rows(folder: Path, table: str) -> pd.DataFrame:
    con = duckdb.connect(str(folder / "staging.duckdb"), read_only=True)
    try:
        return con.execute(f'SELECT * FROM raw."{table}"').df()
    finally:
        con.close()


def patch(running, obj: str, record_id: int, properties: dict) -> None:
    answer = requests.post(f"{running.url}/crm/v3/objects/{obj}/batch/upsert", headers={"Authorization": "Bearer hs-a-token"}, timeout=5,
                           json={"inputs": [{"idProperty": "hs_object_id", "id": str(record_id), "properties": properties}]})
    assert answer.status_code in (200, 400), answer.text


def test_full_then_incremental_extraction_reads_only_the_changed(sandbox, tmp_path: Path) -> None:
    running, seeded = sandbox
    source = HubSpotCRM(url(running, "hs-a-token"), "old", TABLES)
    assert source.check() == []
    extract(source, tmp_path)
    contacts = rows(tmp_path, "contact")
    assert len(contacts) == SMALL.contacts and contacts["_record_key"].is_unique
    assert contacts["_deleted"].sum() == 1  # the archived contact is read and flagged
    assert contacts["companies_id"].notna().all()  # every contact, the archived one too, keeps its company
    crowded = str(seeded["hubspot"]["a"]["companies"][0])
    assert (contacts["companies_id"] == crowded).sum() >= 110
    owners = rows(tmp_path, "owner")
    assert sorted(owners["email"]) == sorted(o["email"] for o in __import__("connectors.sandbox.seed", fromlist=["owners"]).owners(SMALL.owners))
    first_load = set(contacts["_dlt_load_id"])

    changed = seeded["hubspot"]["a"]["contacts"][:2]
    store = running.store
    store.write("hubspot", "a", "contacts", [(changed[0], {"jobtitle": "Chief Buyer"}), (changed[1], {"jobtitle": "Auditor"})])
    extract(HubSpotCRM(url(running, "hs-a-token"), "old", TABLES), tmp_path)
    again = rows(tmp_path, "contact")
    assert len(again) == SMALL.contacts  # merged on id: no row twice
    fresh = again[~again["_dlt_load_id"].isin(first_load)]
    assert sorted(fresh["id"]) == sorted(str(i) for i in changed)
    assert set(again.loc[again["id"] == str(changed[0]), "jobtitle"]) == {"Chief Buyer"}


def test_search_windows_stay_under_the_cap_and_cover_everything_once(sandbox) -> None:
    running, _ = sandbox
    api = helpers.client(url(running, "hs-a-token"))
    pages = list(helpers.changed_pages(api, "contacts", ["email"], "2000-01-01T00:00:00.000Z", 2 ** 42, cap=40))
    ids = [r["id"] for page in pages for r in page]
    assert len(ids) == len(set(ids)) == SMALL.contacts - 1
    assert len(list(helpers.windows(api, "contacts", 0, 2 ** 42, cap=40))) >= 4
    with pytest.raises(ApiError) as refused:
        api.post("/crm/v3/objects/contacts/search", safe=True, json={"limit": 100, "after": "9950"})
    assert refused.value.status == 400


def test_properties_are_requested_in_chunks_below_the_url_limit(sandbox) -> None:
    running, _ = sandbox
    long_names = [f"custom_survey_answer_with_a_long_name_{i:03d}" for i in range(260)]  # ~12,000 characters joined
    running.store.add_properties("hubspot", "a", "deals", [(n, "string", False) for n in long_names])
    deal = running.store.page("hubspot", "a", "deals", 0, 1)[0]["id"]
    running.store.write("hubspot", "a", "deals", [(deal, {long_names[-1]: "last chunk"})])
    api = helpers.client(url(running, "hs-a-token"))
    names = helpers.property_names(api, "deals")
    with pytest.raises(ApiError) as too_long:
        api.get("/crm/v3/objects/deals", params={"properties": ",".join(names)})
    assert too_long.value.status == 414
    found = {r["id"]: r for page, _ in helpers.list_pages(api, "deals", names) for r in page}
    assert len(found) == SMALL.deals and found[str(deal)][long_names[-1]] == "last chunk"
    assert len(helpers.chunk_properties(names)) >= 4


def test_target_upserts_maps_owners_by_email_and_reads_back_by_ids(sandbox, tmp_path: Path) -> None:
    running, _ = sandbox
    target = HubSpotTarget(url(running, "hs-b-token"), tmp_path / "owners.json")
    reps = __import__("connectors.sandbox.seed", fromlist=["owners"]).owners(SMALL.owners)
    target.prepare(EntitySchema("owner", {"email": "email"}))
    owners = pd.DataFrame({"external_id": ["old:owner:1", "old:owner:2"], "email": [reps[0]["email"].upper(), "gone@nowhere.example"]})
    result = target.upsert("owner", owners, match_by="email")
    assert list(result["status"]) == ["unchanged", "rejected"] and "invite" in result["error"].iloc[1]
    account = EntitySchema("account", {"name": "company", "employees": "integer"})
    contact = EntitySchema("contact", {"email": "email", "last_name": "person_name"}, {"account": "account"}, has_owner=True)
    target.prepare(account)
    target.prepare(contact)
    accounts = pd.DataFrame({"external_id": ["old:account:1", "old:account:2"], "name": ["Acme", "Bolt"], "employees": [12.0, None]})
    assert list(target.upsert("account", accounts)["status"]) == ["created", "created"]
    contacts = pd.DataFrame({"external_id": ["old:contact:1", "old:contact:2", "old:contact:3", "old:contact:4"],
                             "email": ["a@x.example", "not-an-email", "c@x.example", "d@x.example"], "last_name": ["Ames", "Bo", "Cy", "Di"],
                             "owner_external_id": ["old:owner:1", "old:owner:1", "old:owner:1", "old:owner:2"],
                             "account_external_id": ["old:account:1", "old:account:2", "old:account:9", None]})
    loaded = target.upsert("contact", contacts)
    assert list(loaded["status"]) == ["created", "rejected", "rejected", "rejected"], loaded.to_dict("records")
    assert "INVALID_EMAIL" in loaded["error"].iloc[1] and "not in HubSpot" in loaded["error"].iloc[2] and "no HubSpot user" in loaded["error"].iloc[3]
    assert list(target.upsert("contact", contacts.iloc[:1])["status"]) == ["updated"]
    back = target.read_by_ids("contact", ["old:contact:1", "old:contact:2"]).set_index("external_id")
    assert list(back.index) == ["old:contact:1"]
    assert back.loc["old:contact:1", "owner_external_id"] == "old:owner:1" and back.loc["old:contact:1", "account_external_id"] == "old:account:1"
    owners_back = target.read_by_ids("owner", ["old:owner:1", "old:owner:2"])
    assert list(owners_back["external_id"]) == ["old:owner:1"]
    assert target.lookup("account", ["old:account:1", "old:account:3"]).keys() == {"old:account:1"}
    target.close()
