"""What a data engineer and a reviewer see, in a real browser (Debian's Chromium driven by Playwright).

A small migration is materialised into the Dagster instance a webserver reads, once with the shipped
suites and once more with a cleaned/contact suite that fails; the docs server serves the work folder.
The browser opens the asset graph, follows a failed gate's Data Docs link, opens the report from the
report asset's metadata and follows the report's relative link to the Data Docs. Every request the
browser makes is recorded: none may leave 127.0.0.1. Screenshots go to .handover/artifacts/browser/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import dagster as dg
import httpx
import pytest
from dagster_dlt import DagsterDltResource

from assets.resources import migration_resources
from handover.spec import MigrationSpec, load_spec
from pipelines.definitions import build_definitions
from tests.conftest import ROOT, write_spec
from tests.e2e.test_ui import HOST, OTHER, WEBSERVER, WORKSPACE_QUERY, Webserver, _stop, _wait_until_loaded, free_port
from tests.unit.gates_support import write_spec as orbit_write_spec

pytestmark = pytest.mark.ui

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MIGRATION = "browser_demo"
ARTIFACTS = ROOT / ".handover" / "artifacts" / "browser"
FAILING = {
    "type": "expect_column_value_lengths_to_be_between",
    "kwargs": {"column": "last_name", "max_value": 3},
    "meta": {"notes": "browser test: a gate made to fail"},
}
TIMEOUT_MS = 60_000


@dataclass
class Site:
    spec: MigrationSpec
    webserver: Webserver
    docs_url: str
    failed_run_id: str
    location: str
    requests: list[str] = field(default_factory=list)


def _materialize(spec: MigrationSpec, instance: dg.DagsterInstance, selection: list[dg.AssetKey] | None = None) -> dg.ExecuteInProcessResult:
    defs = build_definitions([spec])
    return dg.materialize(
        [*defs.assets, *defs.asset_checks], selection=selection, instance=instance, raise_on_error=False,
        resources={"dlt": DagsterDltResource(), **migration_resources(spec)},
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, small_export: Path) -> Iterator[Site]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing and CI=true: `make test` installs it with apt-get")
        pytest.skip(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra: pip install -e '.[dev]'")
    folder = tmp_path_factory.mktemp("browser")
    home = folder / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    suites = folder / "expectations"
    shutil.copytree(ROOT / "expectations", suites)
    spec = load_spec(write_spec(folder, small_export, migration=MIGRATION, gates={"expectations": str(suites)}))
    docs_port, web_port = free_port(), free_port()
    docs_url = f"http://{HOST}:{docs_port}"
    links_env = {"HANDOVER_DOCS_URL": docs_url, "HANDOVER_DOCS_ROOT": str(folder)}
    saved = {k: os.environ.get(k) for k in links_env}
    os.environ.update(links_env)
    processes: list[subprocess.Popen] = []
    try:
        instance = dg.DagsterInstance.from_config(str(home))
        first = _materialize(spec, instance)
        assert first.success, "the migration with the generated gates must pass"
        # A hand-written suite adds to the generated gate; this one fails it.
        suite = suites / "cleaned" / "contact.json"
        suite.parent.mkdir(parents=True, exist_ok=True)
        suite.write_text(json.dumps({"name": "cleaned.contact.extra", "expectations": [FAILING]}), encoding="utf-8")
        second = _materialize(spec, instance, [dg.AssetKey([MIGRATION, "cleaned", "contact"])])
        assert not second.success, "the gate made to fail did not fail"

        docs_log = (folder / "docs_server.log").open("wb")
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "handover.docs_server", "--root", str(folder), "--host", HOST, "--port", str(docs_port)],
            cwd=ROOT, stdout=docs_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        ))
        # A second, differently shaped migration beside it, as the UI shows several at once.
        other = orbit_write_spec(folder / OTHER, maintainers=["team:vertrieb"])
        env = {**os.environ, "DAGSTER_HOME": str(home), "HANDOVER_SPECS": os.pathsep.join([str(folder / "spec.yaml"), str(other)]),
               "GX_ANALYTICS_ENABLED": "false", "DAGSTER_DISABLE_TELEMETRY": "1"}
        log = folder / "webserver.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [str(WEBSERVER), "-w", "workspace.yaml", "-h", HOST, "-p", str(web_port)],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )
        processes.append(process)
        server = Webserver(process=process, port=web_port, url=f"http://{HOST}:{web_port}", log=log, migration=MIGRATION)
        with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as client:
            _wait_until_loaded(server, client)
            # The UI greets a new instance with a newsletter dialog over the page; mark it seen, as a click on Skip does.
            assert server.graphql(client, "mutation SetNuxSeen { setNuxSeen }")["setNuxSeen"] is True
            [location] = server.graphql(client, WORKSPACE_QUERY)["workspaceOrError"]["locationEntries"]
        yield Site(spec=spec, webserver=server, docs_url=docs_url, failed_run_id=second.run_id, location=location["name"])
    finally:
        for process in reversed(processes):
            _stop(process)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser, site: Site) -> Iterator:
    """A fresh browser profile that records every request its pages make."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.on("request", lambda request: site.requests.append(request.url))
    try:
        yield context
    finally:
        context.close()
        leaving = sorted({url for url in site.requests if not _on_loopback(url)})
        site.requests.clear()
        assert leaving == [], f"requests left 127.0.0.1: {leaving[:10]}"


def _on_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome-error"):
        return True
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname == HOST


def _screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def _open(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")


def test_asset_graph_shows_each_stage_of_both_migrations(context, site: Site) -> None:
    page = context.new_page()
    _open(page, f"{site.webserver.url}/asset-groups")
    # the graph's nodes are drawn once the asset layout is computed: one box per migration and stage
    page.get_by_text(f"{MIGRATION}_raw", exact=True).first.wait_for(state="visible")
    for migration in (MIGRATION, OTHER):
        for stage in ("raw", "backup", "cleaned", "mapped", "loaded", "reconciled"):
            assert page.get_by_text(f"{migration}_{stage}", exact=True).count() > 0, (migration, stage)
    _screenshot(page, "asset-graph")

    # a stage's group holds its entities, named as such
    _open(page, f"{site.webserver.url}/locations/{site.location}/asset-groups/{MIGRATION}_cleaned")
    page.get_by_text(f"{MIGRATION}_cleaned", exact=True).first.wait_for(state="visible")
    for entity in site.spec.ordered_entities():
        page.get_by_text(entity, exact=True).first.wait_for(state="visible")
    _screenshot(page, "asset-group-cleaned")


def test_asset_page_shows_row_count_owner_tags_preview_and_quarantine(context, site: Site) -> None:
    page = context.new_page()
    _open(page, f"{site.webserver.url}/assets/{MIGRATION}/cleaned/contact")
    page.get_by_text("Row count", exact=True).wait_for(state="visible")
    for text in ("crm-migration", "handover/stage: cleaned", "handover/entity: contact", f"{MIGRATION}_migrate",
                 f"{MIGRATION}_export_changed", f"{MIGRATION}_staging.cleaned.contact"):
        page.get_by_text(text, exact=True).first.wait_for(state="visible")
    page.get_by_text("cleaned.py", exact=False).first.wait_for(state="visible")  # the code reference
    _screenshot(page, "asset-cleaned-contact")

    _open(page, f"{site.webserver.url}/assets/{MIGRATION}/cleaned/contact?view=events")
    sample = page.get_by_role("row").filter(has_text="quarantine_sample")
    sample.wait_for(state="visible")
    assert re.search(r"\d+ of \d+ problems shown, on \d+ quarantined rows", sample.inner_text())
    assert "contacts.csv:" in sample.inner_text()
    page.get_by_role("row").filter(has_text="preview").get_by_text("[Show Markdown]").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_text("of", exact=False).first.wait_for(state="visible")
    assert re.search(r"10 of \d+ rows", dialog.inner_text())
    assert dialog.locator("table tbody tr").count() == 10
    _screenshot(page, "asset-cleaned-contact-preview")


def test_failed_gate_links_to_its_data_docs_page(context, site: Site) -> None:
    page = context.new_page()
    _open(page, f"{site.webserver.url}/assets/{MIGRATION}/cleaned/contact?view=checks")
    page.get_by_text("Failed", exact=True).first.wait_for(state="visible")
    link = page.locator(f'a[href^="{site.docs_url}/"][href*="/data_docs/"]').first
    link.wait_for(state="visible")
    href = link.get_attribute("href")
    assert f"/history/{site.failed_run_id}/cleaned/contact.html" in href, href
    _screenshot(page, "failed-gate")
    with context.expect_page() as opened:
        link.click()
    docs = opened.value
    docs.wait_for_load_state()
    assert docs.url == href
    assert "FAILED" in docs.title()
    failing = docs.locator("tr.ho-row-fail")
    assert failing.count() == 1
    assert "expect_column_value_lengths_to_be_between" in failing.inner_text()
    assert "browser test: a gate made to fail" in failing.inner_text()
    _screenshot(docs, "failed-gate-data-docs")

    # its "all gates" link leads to the run's index, and from there to the index of every run
    docs.get_by_role("link", name=re.compile("All gates")).first.click()
    docs.wait_for_load_state()
    assert docs.url.endswith(f"/history/{site.failed_run_id}/index.html")
    docs.get_by_role("link", name=re.compile("All gates and runs")).click()
    docs.wait_for_load_state()
    runs = docs.locator("table.ho-runs tbody tr")
    assert runs.count() == 2
    body = docs.inner_text("body")
    assert site.failed_run_id not in body, "runs must be listed by readable names, not raw ids"
    assert f"run {site.failed_run_id[:8]}" in body and site.spec.migration in body
    _screenshot(docs, "data-docs-index")


def test_report_renders_chart_and_owner_table(context, site: Site) -> None:
    page = context.new_page()
    _open(page, f"{site.webserver.url}/assets/{MIGRATION}/reconciled/report")
    link = page.locator(f'a[href^="{site.docs_url}/"][href$="/reports/reconciliation.html"]').first
    link.wait_for(state="visible")
    with context.expect_page() as opened:
        link.click()
    report = opened.value
    report.wait_for_load_state()
    assert report.url.startswith(site.docs_url)

    bars = report.locator("#accounting-chart g.bar")
    assert bars.count() == len(site.spec.ordered_entities())
    for index in range(bars.count()):
        bar = bars.nth(index)
        box = bar.locator("rect.segment").first.bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0  # drawn, not just in the DOM
    owners = report.locator("#owner-handover tbody tr")
    assert owners.count() > 0
    first = owners.first.inner_text()
    assert "departed" in first and re.search(r"U\d{3}", first)
    assert report.locator("#owner-handover").bounding_box()["height"] > 0
    _screenshot(report, "report")

    # the report's link to the Data Docs is relative, and works over http too
    report.locator("#gates a", has_text="Data Docs").click()
    report.wait_for_load_state()
    assert report.url.startswith(site.docs_url) and report.url.endswith("/data_docs/index.html")
    assert report.locator("table.ho-runs").count() == 1
