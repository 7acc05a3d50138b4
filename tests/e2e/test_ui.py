"""The Dagster UI: `dagster-webserver -w workspace.yaml` serves every stage asset with its description and gates.

Two migrations are loaded at once (the demo and a differently shaped one), as a data engineer with several
running would have them: each stage is its own group, tags name stage and entity, owners come from the spec,
and each migration has its own job, sensor and (when the spec has one) schedule.

The server gets its own DAGSTER_HOME and specs in a temporary folder (HANDOVER_SPECS), so nothing under
the repository's .handover/ is read or written."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import ROOT, write_spec
from tests.unit.gates_support import write_spec as orbit_write_spec

pytestmark = pytest.mark.ui

HOST = "127.0.0.1"
MIGRATION = "ui_demo"
OTHER = "orbit"  # tests/unit/gates_support.py: German exports, three entities, no owners
OTHER_ENTITIES = ("account", "contact", "deal")
STARTUP_TIMEOUT = 90
STAGES = ("raw", "backup", "cleaned", "mapped", "loaded", "reconciled")
ENTITIES = ("owner", "account", "contact", "deal", "activity")
_VENV_WEBSERVER = ROOT / ".venv" / "bin" / "dagster-webserver"
WEBSERVER = _VENV_WEBSERVER if _VENV_WEBSERVER.exists() else Path(sys.executable).parent / "dagster-webserver"

WORKSPACE_QUERY = """
query Workspace {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError { __typename ... on PythonError { message stack } }
      }
    }
    ... on PythonError { message }
  }
}
"""

ASSET_NODES_QUERY = """
query AssetNodes {
  assetNodes {
    assetKey { path }
    description
    groupName
    jobNames
    kinds
    tags { key value }
    owners { __typename ... on TeamAssetOwner { team } ... on UserAssetOwner { email } }
    assetChecksOrError {
      __typename
      ... on AssetChecks { checks { name blocking description } }
      ... on AssetCheckNeedsMigrationError { message }
      ... on AssetCheckNeedsUserCodeUpgrade { message }
      ... on AssetCheckNeedsAgentUpgradeError { message }
    }
  }
}
"""


AUTOMATION_QUERY = """
query Automation {
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        jobs { name description }
        sensors { name sensorState { status } targets { pipelineName } }
        schedules { name cronSchedule executionTimezone pipelineName }
      }
    }
  }
}
"""


@dataclass
class Webserver:
    process: subprocess.Popen
    port: int
    url: str
    log: Path
    migration: str

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-chars:] if self.log.exists() else ""

    def graphql(self, client: httpx.Client, query: str) -> dict:
        response = client.post("/graphql", json={"query": query})
        response.raise_for_status()
        body = response.json()
        assert not body.get("errors"), body["errors"]
        return body["data"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """Terminate the webserver and whatever it started (its code servers), by pid only."""
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    _, alive = psutil.wait_procs(children, timeout=10)
    for child in alive:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass


def _wait_until_loaded(server: Webserver, client: httpx.Client) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if server.process.poll() is not None:
            pytest.fail(f"dagster-webserver exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            if client.get("/server_info").status_code == 200:
                workspace = server.graphql(client, WORKSPACE_QUERY)["workspaceOrError"]
                assert workspace["__typename"] == "Workspace", workspace
                entries = workspace["locationEntries"]
                if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                    errors = [e for e in entries if e["locationOrLoadError"]["__typename"] != "RepositoryLocation"]
                    assert not errors, errors
                    return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"dagster-webserver not ready after {STARTUP_TIMEOUT}s:\n{server.log_tail()}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def webserver(tmp_path_factory: pytest.TempPathFactory, small_export: Path) -> Iterator[Webserver]:
    folder = tmp_path_factory.mktemp("ui")
    home = folder / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    # Its own migration name, so the assets served can only have come from this spec.
    spec = write_spec(folder, small_export, migration=MIGRATION)
    other = orbit_write_spec(folder / OTHER, automation={"schedule": "0 2 * * 1-5", "timezone": "Europe/Berlin"},
                             maintainers=["anna.kraus@orbit.example.de", "team:vertrieb"])
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "HANDOVER_SPECS": os.pathsep.join([str(spec), str(other)]),
        "GX_ANALYTICS_ENABLED": "false",
        "DAGSTER_DISABLE_TELEMETRY": "1",
    }
    log = folder / "webserver.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(WEBSERVER), "-w", "workspace.yaml", "-h", HOST, "-p", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    server = Webserver(process=process, port=port, url=f"http://{HOST}:{port}", log=log, migration=MIGRATION)
    try:
        with httpx.Client(base_url=server.url, timeout=30, trust_env=False) as client:
            _wait_until_loaded(server, client)
        yield server
    finally:
        _stop(process)


@pytest.fixture(scope="module")
def asset_nodes(webserver: Webserver) -> dict[tuple[str, ...], dict]:
    with httpx.Client(base_url=webserver.url, timeout=60, trust_env=False) as client:
        nodes = webserver.graphql(client, ASSET_NODES_QUERY)["assetNodes"]
    return {tuple(node["assetKey"]["path"]): node for node in nodes}


def test_every_stage_asset_of_both_migrations_is_served_readably(webserver: Webserver, asset_nodes: dict) -> None:
    expected = {(webserver.migration, stage, entity) for stage in STAGES for entity in ENTITIES}
    expected.add((webserver.migration, "reconciled", "report"))
    expected |= {(webserver.migration, "review", "account"), (webserver.migration, "review", "contact")}
    expected |= {(OTHER, stage, entity) for stage in STAGES for entity in OTHER_ENTITIES} | {(OTHER, "reconciled", "report")}
    assert set(asset_nodes) == expected
    owners = {webserver.migration: [{"__typename": "TeamAssetOwner", "team": "crm-migration"}],
              OTHER: [{"__typename": "UserAssetOwner", "email": "anna.kraus@orbit.example.de"}, {"__typename": "TeamAssetOwner", "team": "vertrieb"}]}
    for path in expected:
        node = asset_nodes[path]
        migration, stage, name = path
        assert (node["description"] or "").strip(), f"{'/'.join(path)} has no description in the UI"
        assert node["groupName"] == f"{migration}_{stage}", path
        assert [j for j in node["jobNames"] if not j.startswith("__")] == [f"{migration}_migrate"], path
        tags = {t["key"]: t["value"] for t in node["tags"]}
        assert tags["handover/migration"] == migration and tags["handover/stage"] == stage, path
        assert tags.get("handover/entity") == (None if name == "report" else name), path
        assert node["owners"] == owners[migration], path
        assert node["kinds"], path


def test_each_migration_has_its_job_sensor_and_schedule(webserver: Webserver) -> None:
    with httpx.Client(base_url=webserver.url, timeout=60, trust_env=False) as client:
        [repository] = webserver.graphql(client, AUTOMATION_QUERY)["repositoriesOrError"]["nodes"]
    jobs = {job["name"] for job in repository["jobs"]}
    assert {f"{webserver.migration}_migrate", f"{OTHER}_migrate"} <= jobs
    sensors = {s["name"]: s for s in repository["sensors"]}
    assert set(sensors) == {f"{webserver.migration}_export_changed", f"{OTHER}_export_changed"}
    for migration in (webserver.migration, OTHER):
        sensor = sensors[f"{migration}_export_changed"]
        assert sensor["targets"] == [{"pipelineName": f"{migration}_migrate"}]
        assert sensor["sensorState"]["status"] == "STOPPED"  # switched on by a person, not by loading the code
    assert repository["schedules"] == [{"name": f"{OTHER}_schedule", "cronSchedule": "0 2 * * 1-5",
                                        "executionTimezone": "Europe/Berlin", "pipelineName": f"{OTHER}_migrate"}]


@pytest.mark.parametrize("stage", ["cleaned", "mapped"])
def test_cleaned_and_mapped_have_a_blocking_expectations_check(webserver: Webserver, asset_nodes: dict, stage: str) -> None:
    for entity in ENTITIES:
        result = asset_nodes[(webserver.migration, stage, entity)]["assetChecksOrError"]
        assert result["__typename"] == "AssetChecks", result
        checks = {check["name"]: check for check in result["checks"]}
        assert "expectations" in checks, (stage, entity, sorted(checks))
        assert checks["expectations"]["blocking"] is True, (stage, entity)
        assert checks["expectations"]["description"], (stage, entity)


def _listening(process: psutil.Process) -> list:
    return [c for c in process.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]


def test_webserver_binds_only_to_loopback(webserver: Webserver) -> None:
    main = psutil.Process(webserver.process.pid)
    sockets = _listening(main)
    assert any(c.laddr.port == webserver.port for c in sockets), sockets
    # The webserver and the code servers it started listen on the loopback interface only.
    for process in [main, *main.children(recursive=True)]:
        for conn in _listening(process):
            assert ipaddress.ip_address(conn.laddr.ip).is_loopback, (process.pid, process.cmdline(), conn.laddr)
    # And it cannot be reached through any other address of this machine.
    others = {
        addr.address for addrs in psutil.net_if_addrs().values() for addr in addrs
        if addr.family == socket.AF_INET and not ipaddress.ip_address(addr.address).is_loopback
    }
    for address in others:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            assert sock.connect_ex((address, webserver.port)) != 0, f"the UI answers on {address}:{webserver.port}"
