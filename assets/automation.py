"""A migration's automation: a sensor on its export folder, its schedule, and an alert for every failed step.

The sensor starts the migration job when the export files the spec names have changed and then stayed
unchanged for one more evaluation, so a file still being copied into the folder is never migrated half-written.
The alert goes to a JSON-lines file (always) and to a webhook (when the spec names one, through an environment
variable); a failed gate's alert carries the gate's reason in words and its Data Docs link. An alert that cannot
be delivered is logged and never fails the run a second time.
"""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import dagster as dg

from assets.resources import alerts_key, env_or_value
from handover.spec import FilesSource, MigrationSpec

SENSOR_INTERVAL_SECONDS = 30
WEBHOOK_TIMEOUT_SECONDS = 10


def export_fingerprint(spec: MigrationSpec) -> str | None:
    """A digest of the name, size and modification time of every export file the spec reads; None when none exists."""
    folder = spec.source_dir
    parts, found = [], False
    for name in sorted({f for entity in spec.entities.values() for f in entity.files}):
        path = folder / name
        if path.is_file():
            stat = path.stat()
            parts.append(f"{name}\0{stat.st_size}\0{stat.st_mtime_ns}")
            found = True
        else:
            parts.append(f"{name}\0missing")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest() if found else None


@dataclass(frozen=True)
class Decision:
    cursor: dict
    run: bool
    reason: str


def decide(cursor: dict, fingerprint: str | None) -> Decision:
    """What the sensor does with the export as it is now. `seen`: the export at the last evaluation;
    `ran`: the export the last run was started for."""
    if fingerprint is None:
        return Decision(cursor, False, "no export file the spec names is in the folder")
    if fingerprint != cursor.get("seen"):
        return Decision({**cursor, "seen": fingerprint}, False, "the export changed; waiting until it stops changing")
    if fingerprint == cursor.get("ran"):
        return Decision(cursor, False, "the export has not changed since the last run")
    return Decision({**cursor, "ran": fingerprint, "runs": cursor.get("runs", 0) + 1}, True, "the export changed and has stopped changing")


def export_sensor(spec: MigrationSpec, job_name: str) -> dg.SensorDefinition:
    folder = spec.source_dir

    @dg.sensor(
        name=f"{spec.migration}_export_changed", job_name=job_name, minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        description=f"Runs {job_name} when the export files in {folder} change, once they have stopped changing. "
                    "Off until switched on.",
    )
    def sensor(context: dg.SensorEvaluationContext):
        decision = decide(json.loads(context.cursor) if context.cursor else {}, export_fingerprint(spec))
        context.update_cursor(json.dumps(decision.cursor))
        if not decision.run:
            return dg.SkipReason(decision.reason)
        export = decision.cursor["ran"]
        # Numbered: an export put back exactly as it was before a different one still gets its run.
        return dg.RunRequest(run_key=f"{spec.migration}-{decision.cursor['runs']}-{export[:12]}",
                             tags={"handover/trigger": "export_changed", "handover/export": export[:16]})

    return sensor


def automation(spec: MigrationSpec, job_name: str) -> tuple[list[dg.SensorDefinition], list[dg.ScheduleDefinition]]:
    """The migration's sensor (files sources, unless the spec turns it off) and schedule (when the spec has one)."""
    sensors = [export_sensor(spec, job_name)] if spec.automation.sensor and isinstance(spec.source, FilesSource) else []
    schedules = []
    if spec.automation.schedule:
        schedules.append(dg.ScheduleDefinition(
            name=f"{spec.migration}_schedule", job_name=job_name, cron_schedule=spec.automation.schedule,
            execution_timezone=spec.automation.timezone, default_status=dg.DefaultScheduleStatus.RUNNING,
            description=f"Runs {job_name} on the spec's schedule ({spec.automation.schedule}, {spec.automation.timezone}).",
        ))
    return sensors, schedules


class AlertChannel(dg.ConfigurableResource):
    """Where failures of a migration's runs are reported: a JSON-lines file, and a webhook when one is set."""

    file: str
    webhook: str | None = None

    def send(self, alert: dict, log=None) -> None:
        path = Path(self.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.webhook:
            delivered = _post(self.webhook, alert)
            alert = {**alert, "webhook": delivered}
            if delivered != "delivered" and log is not None:
                log.warning(f"failure alert not delivered to the webhook: {delivered}; it is in {path}")
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(alert, ensure_ascii=False, default=str) + "\n")


def _post(url: str, alert: dict) -> str:
    """"delivered", or why not; never the URL, which may hold a token."""
    request = urllib.request.Request(url, data=json.dumps(alert, ensure_ascii=False, default=str).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:
            return "delivered" if 200 <= response.status < 300 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return f"unreachable ({getattr(exc, 'reason', exc).__class__.__name__})"


def failed_gates(instance: dg.DagsterInstance, run_id: str, step_key: str) -> list[dict]:
    """The failed blocking checks of one step, each with its reason in words and its Data Docs link."""
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION).records
    gates = []
    for record in records:
        event = record.event_log_entry.dagster_event
        if event is None or event.step_key != step_key:
            continue
        evaluation = event.event_specific_data
        if evaluation.passed:
            continue
        docs = evaluation.metadata.get("data_docs")
        gates.append({
            "check": f"{evaluation.asset_key.to_user_string()} {evaluation.check_name}",
            "reason": evaluation.description or "", "data_docs": docs.value if docs is not None else None,
        })
    return gates


def failure_alert(spec: MigrationSpec) -> dg.HookDefinition:
    @dg.failure_hook(name=f"{spec.migration}_failure_alert", required_resource_keys={alerts_key(spec)})
    def alert(context: dg.HookContext) -> None:
        error = context.op_exception
        gates = failed_gates(context.instance, context.run_id, context.step_key)
        message = "; ".join(f"{g['check']}: {g['reason']}" for g in gates) or (
            f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}" if error else "the step failed")
        getattr(context.resources, alerts_key(spec)).send({
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "migration": spec.migration,
            "job": context.job_name, "run_id": context.run_id, "step": context.step_key,
            "message": message, "failed_gates": gates,
        }, context.log)

    return alert


def alert_channel(spec: MigrationSpec) -> AlertChannel:
    alerts = spec.automation.alerts
    file = spec.resolve(alerts.file) if alerts.file else spec.work_dir / "alerts" / "failures.jsonl"
    return AlertChannel(file=str(file), webhook=env_or_value(alerts.webhook))
