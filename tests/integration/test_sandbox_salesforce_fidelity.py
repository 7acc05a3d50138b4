"""The sandbox speaks Salesforce closely enough for simple-salesforce with only the instance changed (and the
sandbox's self-signed certificate trusted, since simple-salesforce speaks only https): query with nextRecordsUrl/done
at 2,000 a page, queryAll for deleted rows, describe, sObject Collections upsert by external id (200 a call, results
in order), Bulk API 2.0 upsert, and Salesforce's error bodies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from connectors.sandbox import Size, seed_all, serve_in_thread

simple_salesforce = pytest.importorskip("simple_salesforce")
from simple_salesforce import Salesforce, SalesforceMalformedRequest  # noqa: E402

SIZE = Size(owners=3, companies=10, contacts=2_100, deals=5, notes=5)  # contacts: more than one query page


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    folder = tmp_path_factory.mktemp("sf-fidelity")
    with serve_in_thread(folder / "sandbox.db", tls=True) as running:
        yield running, seed_all(running.store, SIZE)


def client(running, token: str = "sf-a-token") -> Salesforce:
    session = requests.Session()
    session.verify = str(running.certificate)
    session.trust_env = False  # a CA bundle named in the environment would replace the sandbox certificate
    return Salesforce(instance_url=running.url, session_id=token, session=session, version="59.0")


def test_query_pages_through_next_records_url_until_done(sandbox) -> None:
    running, seeded = sandbox
    sf = client(running)
    first = sf.query("SELECT Id, LastName, AccountId FROM Contact")
    assert first["done"] is False and len(first["records"]) == 2_000 and first["totalSize"] == SIZE.contacts - 1
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/")
    second = sf.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert second["done"] is True and len(second["records"]) == SIZE.contacts - 1 - 2_000
    every = sf.query_all("SELECT Id FROM Contact")
    assert [r["Id"] for r in every["records"]] == seeded["salesforce"]["a"]["Contact"][:-1]


def test_query_all_returns_deleted_rows_and_query_does_not(sandbox) -> None:
    running, seeded = sandbox
    sf = client(running)
    deleted = seeded["salesforce"]["a"]["Contact"][-1]
    assert sf.query(f"SELECT Id FROM Contact WHERE Id = '{deleted}'")["totalSize"] == 0
    found = sf.query_all(f"SELECT Id, IsDeleted FROM Contact WHERE Id = '{deleted}'", include_deleted=True)["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in found] == [(deleted, True)]


def test_describe_and_malformed_queries_answer_like_salesforce(sandbox) -> None:
    running, _ = sandbox
    sf = client(running)
    fields = {f["name"]: f for f in sf.Account.describe()["fields"]}
    assert {"Id", "Name", "SystemModstamp", "OwnerId"} <= set(fields) and fields["Name"]["nillable"] is False
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.query("SELECT Nonsense__c FROM Account")
    assert refused.value.content[0]["errorCode"] == "INVALID_FIELD"


def test_collections_upsert_by_external_id_in_order_with_per_record_errors(sandbox) -> None:
    running, _ = sandbox
    sf = client(running, "sf-b-token")
    created = sf.restful("tooling/sobjects/CustomField", method="POST", json={
        "FullName": "Account.Legacy_Id__c", "Metadata": {"type": "Text", "length": 40, "label": "Legacy Id", "externalId": True, "unique": True}})
    assert created["success"]
    records = [{"attributes": {"type": "Account"}, "Legacy_Id__c": f"A{i}", "Name": f"Firm {i}"} for i in range(3)]
    records.insert(1, {"attributes": {"type": "Account"}, "Legacy_Id__c": "A-bad"})  # no Name: refused alone
    answer = sf.restful("composite/sobjects/Account/Legacy_Id__c", method="PATCH", json={"allOrNone": False, "records": records})
    assert [r["success"] for r in answer] == [True, False, True, True]
    assert answer[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    again = sf.restful("composite/sobjects/Account/Legacy_Id__c", method="PATCH", json={"allOrNone": False, "records": records[:1]})
    assert again[0]["created"] is False and again[0]["id"] == answer[0]["id"]
    contact = [{"attributes": {"type": "Contact"}, "LastName": "Ames", "Email": "ames@x.example", "Account": {"Legacy_Id__c": "A2"},
                "Legacy_Id__c": "C1"}]
    sf.restful("tooling/sobjects/CustomField", method="POST", json={
        "FullName": "Contact.Legacy_Id__c", "Metadata": {"type": "Text", "length": 40, "label": "Legacy Id", "externalId": True, "unique": True}})
    linked = sf.restful("composite/sobjects/Contact/Legacy_Id__c", method="PATCH", json={"allOrNone": False, "records": contact})
    assert linked[0]["success"], linked
    held = sf.query(f"SELECT AccountId FROM Contact WHERE Id = '{linked[0]['id']}'")["records"][0]
    assert held["AccountId"] == answer[3]["id"]
    with pytest.raises(SalesforceMalformedRequest) as refused:
        sf.restful("composite/sobjects/Account/Legacy_Id__c", method="PATCH", json={"records": [records[0]] * 201})
    assert refused.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_bulk_api_2_upsert_reports_successes_and_failures(sandbox) -> None:
    running, _ = sandbox
    sf = client(running, "sf-b-token")
    sf.restful("tooling/sobjects/CustomField", method="POST", json={
        "FullName": "Opportunity.Legacy_Id__c", "Metadata": {"type": "Text", "length": 40, "label": "Legacy Id", "externalId": True, "unique": True}})
    rows = [{"Legacy_Id__c": f"O{i}", "Name": f"Deal {i}", "StageName": "Prospecting", "CloseDate": "2026-03-01"} for i in range(5)]
    rows.append({"Legacy_Id__c": "O-bad", "Name": "No stage", "StageName": "", "CloseDate": "2026-03-01"})
    results = sf.bulk2.Opportunity.upsert(records=rows, external_id_field="Legacy_Id__c")
    assert results[0]["numberRecordsProcessed"] == 6 and results[0]["numberRecordsFailed"] == 1
    held = sf.query("SELECT Id, Legacy_Id__c FROM Opportunity")["records"]
    assert sorted(r["Legacy_Id__c"] for r in held) == [f"O{i}" for i in range(5)]


def test_an_unknown_session_is_refused_with_invalid_session_id(sandbox) -> None:
    running, _ = sandbox
    from simple_salesforce import SalesforceExpiredSession

    with pytest.raises(SalesforceExpiredSession):
        client(running, "nobody").query("SELECT Id FROM Account")
