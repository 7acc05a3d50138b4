"""The sandbox speaks HubSpot closely enough for HubSpot's own Python client, with only the host changed: objects
list with the `after` cursor, search (its modified-date filter, 200 a page, the 10,000 cap), batch upsert by
idProperty (100 a call), v4 associations, owners and properties."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.sandbox_support import SMALL, seeded_sandbox

hubspot = pytest.importorskip("hubspot")
from hubspot import HubSpot  # noqa: E402
from hubspot.crm.associations.v4 import BatchInputPublicDefaultAssociationMultiPost, PublicDefaultAssociationMultiPost  # noqa: E402
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest, PublicFetchAssociationsBatchRequest  # noqa: E402
from hubspot.crm.contacts import ApiException as ContactsApiException  # noqa: E402
from hubspot.crm.contacts import PublicObjectSearchRequest  # noqa: E402
from hubspot.crm.objects import BatchInputSimplePublicObjectBatchInputUpsert, SimplePublicObjectBatchInputUpsert  # noqa: E402
from hubspot.crm.objects import ApiException as ObjectsApiException  # noqa: E402
from hubspot.crm.properties import PropertyCreate  # noqa: E402


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with seeded_sandbox(tmp_path_factory.mktemp("hs-fidelity")) as (running, seeded):
        yield running, seeded


def client(running, token: str = "hs-a-token") -> HubSpot:
    return HubSpot(access_token=token, host=running.url)


def test_objects_list_pages_with_the_after_cursor_and_skips_archived(sandbox) -> None:
    running, seeded = sandbox
    api = client(running).crm.contacts.basic_api
    seen, after, pages = [], None, 0
    while True:
        page = api.get_page(limit=50, after=after, properties=["firstname", "email"])
        pages += 1
        seen += [r.id for r in page.results]
        assert all(r.properties["email"] for r in page.results)
        if page.paging is None:
            break
        after = page.paging.next.after
    live = [str(i) for i in seeded["hubspot"]["a"]["contacts"][:-1]]  # the last one is archived
    assert seen == live and pages == 3
    archived = api.get_page(limit=100, archived=True)
    assert [r.id for r in archived.results] == [str(seeded["hubspot"]["a"]["contacts"][-1])] and archived.results[0].archived


def test_search_filters_on_last_modified_and_refuses_past_ten_thousand(sandbox) -> None:
    running, seeded = sandbox
    api = client(running).crm.contacts.search_api
    everything = api.do_search(PublicObjectSearchRequest(filter_groups=[], limit=1))
    assert everything.total == SMALL.contacts - 1
    stamps = sorted(r.properties["hs_lastmodifieddate"] for r in client(running).crm.contacts.basic_api.get_page(limit=100).results)
    middle = stamps[40]
    request = PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": middle}]}],
        sorts=[{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}], properties=["email"], limit=200)
    found = api.do_search(request)
    assert found.total == everything.total - 40
    assert [r.properties["hs_lastmodifieddate"] for r in found.results] == sorted(r.properties["hs_lastmodifieddate"] for r in found.results)
    with pytest.raises(ContactsApiException) as refused:
        api.do_search(PublicObjectSearchRequest(filter_groups=[], limit=200, after="9900"))
    assert refused.value.status == 400 and "10000" in refused.value.body
    with pytest.raises(ContactsApiException) as too_big:
        api.do_search(PublicObjectSearchRequest(filter_groups=[], limit=201))
    assert too_big.value.status == 400


def test_batch_upsert_by_id_property_creates_then_updates_and_refuses_more_than_100(sandbox) -> None:
    running, _ = sandbox
    hs = client(running, "hs-b-token")
    hs.crm.properties.core_api.create("companies", PropertyCreate(name="legacy_id", label="Legacy id", type="string", field_type="text",
                                                                    group_name="companyinformation", has_unique_value=True))
    inputs = [SimplePublicObjectBatchInputUpsert(id_property="legacy_id", id=f"L{i}", properties={"name": f"Firm {i}"}) for i in range(3)]
    first = hs.crm.objects.batch_api.upsert("companies", BatchInputSimplePublicObjectBatchInputUpsert(inputs=inputs))
    assert sorted(r.properties["legacy_id"] for r in first.results) == ["L0", "L1", "L2"] and all(r.new for r in first.results)
    inputs[0].properties = {"name": "Firm zero, renamed"}
    again = hs.crm.objects.batch_api.upsert("companies", BatchInputSimplePublicObjectBatchInputUpsert(inputs=inputs))
    assert not any(r.new for r in again.results)
    assert {r.id for r in again.results} == {r.id for r in first.results}
    read = hs.crm.companies.basic_api.get_by_id(first.results[0].id if first.results[0].properties["legacy_id"] == "L0" else
                                               next(r.id for r in first.results if r.properties["legacy_id"] == "L0"), properties=["name"])
    assert read.properties["name"] == "Firm zero, renamed"
    many = [SimplePublicObjectBatchInputUpsert(id_property="legacy_id", id=f"M{i}", properties={"name": "x"}) for i in range(101)]
    with pytest.raises(ObjectsApiException) as refused:
        hs.crm.objects.batch_api.upsert("companies", BatchInputSimplePublicObjectBatchInputUpsert(inputs=many))
    assert refused.value.status == 400
    bad = [SimplePublicObjectBatchInputUpsert(id_property="name", id="x", properties={})]
    with pytest.raises(ObjectsApiException) as not_unique:
        hs.crm.objects.batch_api.upsert("companies", BatchInputSimplePublicObjectBatchInputUpsert(inputs=bad))
    assert "unique" in not_unique.value.body


def test_associations_v4_write_and_read_past_one_hundred(sandbox) -> None:
    running, seeded = sandbox
    hs = client(running)
    crowded = str(seeded["hubspot"]["a"]["companies"][0])
    answer = hs.crm.associations.v4.batch_api.get_page("companies", "contacts", BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[PublicFetchAssociationsBatchRequest(id=crowded)]))
    assert len(answer.results[0].to) >= 110  # past the 100 HubSpot lists with a record
    listed = hs.crm.companies.basic_api.get_by_id(crowded, associations=["contacts"])
    assert len(listed.associations["contacts"].results) == 100
    deal, contact = seeded["hubspot"]["a"]["deals"][0], seeded["hubspot"]["a"]["contacts"][5]
    hs.crm.associations.v4.batch_api.create_default("deals", "contacts", BatchInputPublicDefaultAssociationMultiPost(
        inputs=[PublicDefaultAssociationMultiPost(_from={"id": str(deal)}, to={"id": str(contact)})]))
    back = hs.crm.associations.v4.basic_api.get_page("contacts", str(contact), "deals")
    assert str(deal) in {str(r.to_object_id) for r in back.results}


def test_owners_by_email_and_the_tenant_follows_the_token(sandbox) -> None:
    running, _ = sandbox
    owners_a = client(running).crm.owners.owners_api.get_page(limit=100).results
    owners_b = client(running, "hs-b-token").crm.owners.owners_api.get_page(limit=100).results
    assert len(owners_a) == SMALL.owners and {o.email for o in owners_a} == {o.email for o in owners_b}
    one = client(running, "hs-b-token").crm.owners.owners_api.get_page(email=owners_a[2].email).results
    assert [o.email for o in one] == [owners_a[2].email]
    assert client(running, "hs-b-token").crm.contacts.basic_api.get_page(limit=10).results == []
    with pytest.raises(ContactsApiException) as refused:
        client(running, "not-a-token").crm.contacts.basic_api.get_page()
    assert refused.value.status == 401 and "INVALID_AUTHENTICATION" in refused.value.body


def test_rate_limit_headers_come_with_every_answer(sandbox, tmp_path: Path) -> None:
    import requests

    running, _ = sandbox
    answer = requests.get(f"{running.url}/crm/v3/objects/deals", headers={"Authorization": "Bearer hs-a-token"}, timeout=5)
    assert answer.status_code == 200
    assert int(answer.headers["X-HubSpot-RateLimit-Remaining"]) < int(answer.headers["X-HubSpot-RateLimit-Max"])
    assert answer.headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000" and "X-HubSpot-RateLimit-Daily-Remaining" in answer.headers
