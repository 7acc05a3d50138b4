"""A migration's automation: the export-folder sensor, the spec's schedule and the failure alerts."""

from __future__ import annotations

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import pytest

from assets.automation import AlertChannel, alert_channel, automation, decide, export_fingerprint, failure_alert
from assets.resources import alerts_key
from handover.spec import SpecError
from tests.unit.gates_support import orbit_spec


def _touch(path: Path, text: str, mtime_ns: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_fingerprint_changes_with_any_file_the_spec_reads_and_only_those(tmp_path: Path) -> None:
    spec = orbit_spec(tmp_path)
    exports = spec.source_dir
    assert export_fingerprint(spec) is None  # nothing exported yet
    _touch(exports / "firmen.csv", "firma_nr\n", 1_000_000_000)
    first = export_fingerprint(spec)
    assert first is not None
    _touch(exports / "notes.txt", "not an export the spec names", 2_000_000_000)
    assert export_fingerprint(spec) == first
    _touch(exports / "personen.csv", "person_nr\n", 1_000_000_000)
    second = export_fingerprint(spec)
    assert second != first
    _touch(exports / "firmen.csv", "firma_nr\n", 3_000_000_000)  # same content, rewritten
    assert export_fingerprint(spec) != second


def test_sensor_runs_once_per_export_after_it_stops_changing() -> None:
    cursor: dict = {}
    steps = []
    for fingerprint in [None, "a", "a", "a", "b", "c", "c", "c", "a", "a"]:
        decision = decide(cursor, fingerprint)
        cursor = decision.cursor
        steps.append(decision.run)
    assert steps == [False, False, True, False, False, False, True, False, False, True]
    assert cursor["runs"] == 3


def test_sensor_definition_requests_the_job_with_a_run_key_per_export(tmp_path: Path) -> None:
    spec = orbit_spec(tmp_path)
    sensors, schedules = automation(spec, "orbit_migrate")
    assert schedules == [] and [s.name for s in sensors] == ["orbit_export_changed"]
    sensor = sensors[0]
    _touch(spec.source_dir / "firmen.csv", "firma_nr\n", 1_000_000_000)
    instance = dg.DagsterInstance.ephemeral()
    first = sensor.evaluate_tick(dg.build_sensor_context(instance=instance))
    assert first.run_requests == [] and "waiting until it stops changing" in first.skip_message
    second = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=first.cursor))
    assert len(second.run_requests) == 1
    request = second.run_requests[0]
    assert request.run_key.startswith("orbit-1-") and request.tags["handover/trigger"] == "export_changed"
    third = sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=second.cursor))
    assert third.run_requests == [] and "not changed since the last run" in third.skip_message


def test_no_sensor_when_the_spec_turns_it_off_and_a_schedule_when_it_has_one(tmp_path: Path) -> None:
    spec = orbit_spec(tmp_path, automation={"sensor": False, "schedule": "*/30 * * * *", "timezone": "Asia/Shanghai"})
    sensors, schedules = automation(spec, "orbit_migrate")
    assert sensors == []
    assert [(s.name, s.cron_schedule, s.execution_timezone) for s in schedules] == [("orbit_schedule", "*/30 * * * *", "Asia/Shanghai")]


@pytest.mark.parametrize(("automation", "message"), [
    ({"schedule": "every night"}, "five fields"),
    ({"schedule": "0 2 * * *", "timezone": "Europe/Berln"}, "did you mean Europe/Berlin"),
    ({"alerts": {"webhook": "https://user:secret@hooks.example.com/x"}}, "a password written in the spec"),
    ({"alert": {}}, "alert"),
])
def test_automation_mistakes_are_named(tmp_path: Path, automation: dict, message: str) -> None:
    with pytest.raises(SpecError) as error:
        orbit_spec(tmp_path, automation=automation)
    assert "automation" in str(error.value) and message in str(error.value)
    assert "secret" not in str(error.value)


def test_maintainers_are_emails_or_teams(tmp_path: Path) -> None:
    assert orbit_spec(tmp_path, maintainers=["team:sales-ops", "anna@example.de"]).maintainers == ["team:sales-ops", "anna@example.de"]
    with pytest.raises(SpecError) as error:
        orbit_spec(tmp_path, maintainers=["Anna"])
    assert "maintainers" in str(error.value) and "team:<name>" in str(error.value)


class _Hook(BaseHTTPRequestHandler):
    received: list = []
    status = 204

    def do_POST(self) -> None:  # noqa: N802
        type(self).received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def webhook():
    _Hook.received, _Hook.status = [], 204
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/alerts/T0K3N", _Hook
    finally:
        server.shutdown()
        server.server_close()


def test_alert_goes_to_the_file_and_the_webhook(tmp_path: Path, webhook) -> None:
    url, handler = webhook
    channel = AlertChannel(file=str(tmp_path / "alerts" / "failures.jsonl"), webhook=url)
    channel.send({"message": "Kundennummer fehlt"})
    handler.status = 500
    channel.send({"message": "second"})
    lines = [json.loads(line) for line in (tmp_path / "alerts" / "failures.jsonl").read_text(encoding="utf-8").splitlines()]
    assert lines == [{"message": "Kundennummer fehlt", "webhook": "delivered"}, {"message": "second", "webhook": "HTTP 500"}]
    assert [r["message"] for r in handler.received] == ["Kundennummer fehlt", "second"]


def test_an_unreachable_webhook_is_recorded_without_its_url(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    channel = AlertChannel(file=str(tmp_path / "a.jsonl"), webhook=f"http://127.0.0.1:{port}/T0K3N")
    channel.send({"message": "m"})
    line = (tmp_path / "a.jsonl").read_text(encoding="utf-8")
    assert '"webhook": "unreachable' in line and "T0K3N" not in line


def test_webhook_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, webhook) -> None:
    url, handler = webhook
    spec = orbit_spec(tmp_path, automation={"alerts": {"webhook": "${ORBIT_ALERT_HOOK}", "file": "out/alerts.jsonl"}})
    channel = alert_channel(spec)
    assert channel.file == str(tmp_path / "out" / "alerts.jsonl")
    monkeypatch.setenv("ORBIT_ALERT_HOOK", url)
    asset, check = _failing_asset(spec)
    result = dg.materialize([asset, check], resources={alerts_key(spec): channel}, raise_on_error=False)
    assert not result.success
    alert = json.loads((tmp_path / "out" / "alerts.jsonl").read_text(encoding="utf-8"))
    assert alert["webhook"] == "delivered" and handler.received[0]["run_id"] == result.run_id


def _failing_asset(spec, raises: bool = False):
    alert = failure_alert(spec)

    @dg.asset(key=dg.AssetKey(["orbit", "cleaned", "contact"]), hooks={alert},
              check_specs=[dg.AssetCheckSpec("expectations", asset=dg.AssetKey(["orbit", "cleaned", "contact"]), blocking=True)])
    def contact() -> dg.MaterializeResult:
        if raises:
            raise ValueError("personen.csv: no column 'person_nr'\nmore detail")
        return dg.MaterializeResult(check_results=[dg.AssetCheckResult(
            check_name="expectations", passed=False, severity=dg.AssetCheckSeverity.ERROR,
            description="expect_column_values_to_not_be_null, nachname: 2 rows (50.0%) against the threshold 0%",
            metadata={"data_docs": dg.MetadataValue.url("http://127.0.0.1:3001/x/cleaned/contact.html")},
        )])

    @dg.asset(key=dg.AssetKey(["orbit", "mapped", "contact"]), deps=[contact], hooks={alert})
    def mapped() -> None:
        pass

    return contact, mapped


def test_failed_gate_alert_says_what_failed_in_words(tmp_path: Path) -> None:
    spec = orbit_spec(tmp_path)
    result = dg.materialize(list(_failing_asset(spec)), resources={alerts_key(spec): alert_channel(spec)}, raise_on_error=False)
    assert not result.success
    lines = (spec.work_dir / "alerts" / "failures.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1  # the step after the gate is skipped, not failed
    alert = json.loads(lines[0])
    assert alert["migration"] == "orbit" and alert["run_id"] == result.run_id and alert["step"] == "orbit__cleaned__contact"
    assert alert["message"] == "orbit/cleaned/contact expectations: expect_column_values_to_not_be_null, nachname: 2 rows (50.0%) against the threshold 0%"
    assert alert["failed_gates"][0]["data_docs"] == "http://127.0.0.1:3001/x/cleaned/contact.html"


def test_failed_step_alert_gives_the_error_first_line(tmp_path: Path) -> None:
    spec = orbit_spec(tmp_path)
    result = dg.materialize(list(_failing_asset(spec, raises=True)), resources={alerts_key(spec): alert_channel(spec)}, raise_on_error=False)
    assert not result.success
    alert = json.loads((spec.work_dir / "alerts" / "failures.jsonl").read_text(encoding="utf-8"))
    assert alert["failed_gates"] == []
    assert alert["message"].endswith("personen.csv: no column 'person_nr'")
