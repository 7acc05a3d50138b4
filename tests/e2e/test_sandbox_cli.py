"""`handover sandbox start|seed|status|stop`: the server runs as its own process, prints each API's base URL,
answers the vendors' calls with the seeded tenants, and stops; mistakes end with one message and exit code 2."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import requests

from tests.conftest import ROOT


def handover(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_start_seed_answer_and_stop(tmp_path: Path) -> None:
    port, folder = free_port(), str(tmp_path / "sandbox")
    started = handover("sandbox", "start", "--port", str(port), "--dir", folder)
    try:
        assert started.returncode == 0, started.stderr
        assert f"hubspot     http://127.0.0.1:{port}" in started.stdout and f"salesforce  http://127.0.0.1:{port}" in started.stdout
        again = handover("sandbox", "start", "--port", str(port), "--dir", folder)
        assert again.returncode == 2 and "already runs" in again.stderr and "Traceback" not in again.stderr
        seeded = handover("sandbox", "seed", "--dir", folder, "--scale", "0.2")
        assert seeded.returncode == 0 and "contacts 30" in seeded.stdout
        answer = requests.get(f"http://127.0.0.1:{port}/crm/v3/objects/contacts", params={"limit": 100}, headers={"Authorization": "Bearer hs-a-token"}, timeout=5)
        assert answer.status_code == 200 and len(answer.json()["results"]) == 29  # one of the 30 is archived
        query = requests.get(f"http://127.0.0.1:{port}/services/data/v59.0/query", params={"q": "SELECT Id FROM User"},
                             headers={"Authorization": "Bearer sf-b-token"}, timeout=5)
        assert query.json()["totalSize"] == 1 and query.json()["done"] is True
        assert handover("sandbox", "status", "--dir", folder).returncode == 0
    finally:
        stopped = handover("sandbox", "stop", "--dir", folder)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    after = handover("sandbox", "stop", "--dir", folder)
    assert after.returncode == 2 and "no sandbox is running" in after.stderr


def test_a_bad_fault_config_is_named(tmp_path: Path) -> None:
    config = tmp_path / "faults.yaml"
    config.write_text("faults:\n  - kind: earthquake\n", encoding="utf-8")
    started = handover("sandbox", "start", "--port", str(free_port()), "--dir", str(tmp_path / "s"), "--config", str(config))
    assert started.returncode == 2 and "kind must be one of" in started.stderr and "faults[0]" in started.stderr
