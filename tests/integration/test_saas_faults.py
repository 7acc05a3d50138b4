"""Each injected fault is survived where a retry is safe, or reported clearly where it is not: 429 waits its
Retry-After, a known exhausted window is waited out before sending (never into a 429), 5xx/timeouts/dropped
connections/cut bodies are retried for safe calls only, 401 refreshes the token once, a spent daily quota stops
with the endpoint named, and an interrupted extraction resumes from its cursor with nothing lost or doubled."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import dlt
import duckdb
import pandas as pd
import pytest

from connectors.api_http import ApiError, QuotaExceeded
from connectors.sandbox.seed import CLIENT_ID, CLIENT_SECRET
from connectors.sources.hubspot import HubSpotCRM, HubSpotTable, helpers
from connectors.sources.salesforce import helpers as sf_helpers
from connectors.targets.hubspot import HubSpotTarget
from handover.ports import EntitySchema, TargetError
from tests.integration.sandbox_support import SMALL, seeded_sandbox, url

os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    with seeded_sandbox(tmp_path_factory.mktemp("faults")) as (running, seeded):
        yield running, seeded


@pytest.fixture
def naps() -> list[float]:
    return []


def hubspot(running, naps: list[float], token: str = "hs-a-token", **query: str):
    return helpers.client(url(running, token, **query), sleep=naps.append)


def test_429_waits_its_retry_after_then_succeeds(sandbox, naps) -> None:
    running, _ = sandbox
    running.set_faults([{"kind": "rate_limit", "api": "hubspot", "path": "/crm/v3/objects/companies", "times": 2, "retry_after": 3}])
    api = hubspot(running, naps)
    assert len(api.get("/crm/v3/objects/companies", params={"limit": 5})["results"]) == 5
    assert naps == [3.0, 3.0] and api.retries == {"429": 2}


def test_a_known_exhausted_window_is_waited_out_before_sending(sandbox, naps) -> None:
    running, _ = sandbox
    running.set_faults([])
    running.app.limits["hubspot"]["per_10s"] = 3
    try:
        running.app.meter.reset()
        api = hubspot(running, naps)
        for _ in range(3):
            api.get("/crm/v3/objects/deals", params={"limit": 1})
        assert naps == []  # the third answer said none remain
        running.app.meter.reset()  # the window passes while the client waits
        api.get("/crm/v3/objects/deals", params={"limit": 1})
        assert len(naps) == 1 and 9 < naps[0] <= 10 and "429" not in api.retries
    finally:
        running.app.limits["hubspot"]["per_10s"] = 100_000


@pytest.mark.parametrize("fault", [
    {"kind": "server_error", "status": 502}, {"kind": "timeout", "delay": 1.2}, {"kind": "drop"}, {"kind": "malformed"},
], ids=lambda f: f["kind"])
def test_transient_failures_are_retried_for_safe_calls(sandbox, naps, fault) -> None:
    running, seeded = sandbox
    running.set_faults([{**fault, "api": "hubspot", "path": "/crm/v3/objects/contacts", "method": "GET"}])
    api = hubspot(running, naps, timeout="0.5")
    pages = list(helpers.list_pages(api, "contacts", ["email"]))
    assert sum(len(p) for p, _ in pages) == SMALL.contacts - 1 and len(naps) == 1
    assert running.app.faults.describe()[0]["fired"] == 1


def test_an_unsafe_call_that_fails_is_not_sent_again_and_says_so(sandbox, naps) -> None:
    running, _ = sandbox
    running.set_faults([{"kind": "server_error", "api": "hubspot", "path": "/crm/v3/objects/companies", "method": "POST", "status": 503}])
    api = hubspot(running, naps)
    with pytest.raises(ApiError) as stopped:
        api.post("/crm/v3/objects/companies", safe=False, json={"properties": {"name": "Once Only"}})
    assert stopped.value.unsafe and "POST /crm/v3/objects/companies: 503" in str(stopped.value) and "not sent again" in str(stopped.value)
    assert naps == [] and running.app.faults.describe()[0]["seen"] == 1
    running.set_faults([{"kind": "drop", "api": "hubspot", "path": "/crm/v3/objects/companies", "method": "POST"}])
    with pytest.raises(ApiError) as dropped:
        api.post("/crm/v3/objects/companies", safe=False, json={"properties": {"name": "Once Only"}})
    assert "may or may not have been applied" in str(dropped.value)


def test_an_expired_token_is_refreshed_once(sandbox, naps) -> None:
    running, _ = sandbox
    # Spare tokens: an expired one stays expired, and the module's other tests need theirs.
    running.store.add_token("hubspot", "a", "hs-a-spare", "hs-a-spare-refresh", CLIENT_ID, CLIENT_SECRET)
    running.store.add_token("salesforce", "b", "sf-b-spare")
    running.set_faults([{"kind": "expired_token", "api": "hubspot", "path": "/crm/v3/owners"}])
    api = hubspot(running, naps, "hs-a-spare", refresh_token="hs-a-spare-refresh", client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    assert len(api.get("/crm/v3/owners")["results"]) == SMALL.owners
    assert api.connection.token != "hs-a-spare" and api.retries == {"refresh": 1}
    running.set_faults([{"kind": "expired_token", "api": "salesforce", "path": "/services/data/v59.0/query"}])
    plain = sf_helpers.client(url(running, "sf-b-spare"))
    with pytest.raises(ApiError) as refused:
        list(sf_helpers.query_pages(plain, "SELECT Id FROM User", "59.0"))
    assert refused.value.status == 401 and refused.value.user_error and "sf-b-spare" not in str(refused.value)


def test_a_spent_daily_quota_stops_the_target_naming_the_endpoint(sandbox, tmp_path: Path) -> None:
    running, _ = sandbox
    running.set_faults([])
    target = HubSpotTarget(url(running, "hs-b-token"), tmp_path / "owners.json")
    target.prepare(EntitySchema("account", {"name": "company"}))
    running.set_faults([{"kind": "request_limit", "api": "hubspot", "path": "/crm/v3/objects/companies/batch/upsert", "times": 0}])
    with pytest.raises(TargetError) as stopped:
        target.upsert("account", pd.DataFrame({"external_id": ["q:1"], "name": ["Quota Ltd"]}))
    running.set_faults([])
    assert "POST /crm/v3/objects/companies/batch/upsert" in str(stopped.value) and "daily" in str(stopped.value) and "rerun" in str(stopped.value)
    with pytest.raises(QuotaExceeded):
        running.set_faults([{"kind": "request_limit", "api": "salesforce", "times": 1}])
        sf_helpers.client(url(running, "sf-a-token")).get("/services/data/v59.0/limits")
    running.set_faults([])


def test_an_interrupted_extraction_resumes_from_its_cursor_with_nothing_lost_or_doubled(sandbox, tmp_path: Path) -> None:
    running, seeded = sandbox
    running.set_faults([])
    tables = [HubSpotTable("contact", "contacts", ("id", "email"))]
    pipeline = dlt.pipeline(pipeline_name="resume", destination=dlt.destinations.duckdb(str(tmp_path / "staging.duckdb")), dataset_name="raw",
                            pipelines_dir=str(tmp_path / "dlt"))
    pipeline.run(HubSpotCRM(url(running, "hs-a-token"), "old", tables).dlt_source())
    edited = seeded["hubspot"]["a"]["contacts"][20:25]
    running.store.write("hubspot", "a", "contacts", [(i, {"jobtitle": "Edited"}) for i in edited])
    running.set_faults([{"kind": "server_error", "api": "hubspot", "path": "/crm/v3/objects/contacts/search", "after": 1, "times": 0}])
    with pytest.raises(Exception, match="503"):
        pipeline.run(HubSpotCRM(url(running, "hs-a-token", timeout="1"), "old", tables, backoff=(0.01,)).dlt_source())
    running.set_faults([])
    pipeline = dlt.pipeline(pipeline_name="resume", destination=dlt.destinations.duckdb(str(tmp_path / "staging.duckdb")), dataset_name="raw",
                            pipelines_dir=str(tmp_path / "dlt"))
    pipeline.drop_pending_packages()
    pipeline.run(HubSpotCRM(url(running, "hs-a-token"), "old", tables).dlt_source())
    con = duckdb.connect(str(tmp_path / "staging.duckdb"), read_only=True)
    rows = con.execute("SELECT id, jobtitle, _dlt_load_id FROM raw.contact").df()
    con.close()
    assert len(rows) == SMALL.contacts and rows["id"].is_unique
    assert sorted(rows.loc[rows["jobtitle"] == "Edited", "id"]) == sorted(str(i) for i in edited)
