"""A gate's outcome in plain words: which expectation, on which column, how many rows against which
threshold, and a sample of the offending values with the file and line they came from.

The first line of `GateReport.text` is the most important finding, so a UI that shows one line shows that.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from handover.gates import ExpectationOutcome, GateResult

SAMPLE_SIZE = 5


@dataclass(frozen=True)
class GateFinding:
    kind: Literal["failed", "broken"]
    expectation: str
    column: str | None
    sentence: str
    unexpected: int | None = None
    considered: int | None = None  # rows the expectation looked at
    percent: float | None = None
    threshold: str | None = None  # e.g. "mostly=0.95", "max_quarantined=0.05"
    samples: list[dict[str, Any]] = field(default_factory=list)  # {"value": ..., "where": "file:line"}
    origin: str | None = None  # where the expectation comes from
    reason: str | None = None  # why a broken expectation could not run

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GateReport:
    passed: bool
    broken: bool
    headline: str
    findings: list[GateFinding]

    @property
    def text(self) -> str:
        return "\n".join([f.sentence for f in self.findings] or [self.headline])

    def as_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "broken": self.broken, "headline": self.headline,
                "findings": [f.as_dict() for f in self.findings]}


def explain(what: str, results: list[GateResult], extra: list[GateFinding] | None = None) -> GateReport:
    """The report of one gate: `results` of its suites, `extra` findings made outside GX. Broken
    expectations come first: until they run, the data's verdict is incomplete."""
    findings = list(extra or [])
    for result in results:
        findings += [explain_outcome(o) for o in result.outcomes if not o.success]
    findings.sort(key=lambda f: f.kind != "broken")
    broken = sum(1 for f in findings if f.kind == "broken")
    failed = len(findings) - broken
    evaluated = sum(r.evaluated for r in results)
    if broken:
        headline = f"{what}: BROKEN GATE: {broken} expectation(s) cannot run" + (f", {failed} failed" if failed else "")
    elif failed:
        headline = f"{what}: gate failed: {failed} of {evaluated} expectations"
    else:
        headline = f"{what}: gate passed: {evaluated} expectations on {results[0].rows if results else 0} rows"
    return GateReport(passed=not findings, broken=bool(broken), headline=headline, findings=findings)


def explain_outcome(outcome: ExpectationOutcome) -> GateFinding:
    origin = f" (from {outcome.origin})" if outcome.origin else ""
    on = f" on column {outcome.column}" if outcome.column else ""
    if outcome.broken:
        return GateFinding(
            kind="broken", expectation=outcome.expectation, column=outcome.column, origin=outcome.origin, reason=outcome.error,
            sentence=f"BROKEN GATE: {outcome.expectation}{on}{origin} cannot run: {outcome.error}. "
                     "This is a fault of the gate, not of the data: fix the suite or the spec.",
        )
    mostly = outcome.kwargs.get("mostly", 1.0)
    threshold = f"mostly={mostly:g}"
    samples = _samples(outcome)
    shown = "; e.g. " + ", ".join(_show_sample(s) for s in samples) if samples else ""
    column = f", column {outcome.column}" if outcome.column else ""
    if outcome.unexpected_count is not None:
        considered = _considered(outcome)
        percent = outcome.unexpected_percent if outcome.unexpected_percent is not None else (
            100.0 * outcome.unexpected_count / considered if considered else 0.0)
        of = f" of {considered}" if considered is not None else ""
        sentence = (f"{outcome.expectation}{column}: {outcome.unexpected_count}{of} rows ({percent:.1f}%) against the "
                    f"threshold ({threshold}){shown}{origin}")
        return GateFinding(kind="failed", expectation=outcome.expectation, column=outcome.column, sentence=sentence,
                           unexpected=outcome.unexpected_count, considered=considered, percent=round(percent, 3),
                           threshold=threshold, samples=samples, origin=outcome.origin)
    expected = {k: v for k, v in outcome.kwargs.items() if k not in ("column", "mostly", "result_format")}
    sentence = (f"{outcome.expectation}{column}: observed {_plain_text(outcome.observed)}, expected "
                f"{_plain_text(expected) if expected else 'otherwise'}{origin}")
    return GateFinding(kind="failed", expectation=outcome.expectation, column=outcome.column, sentence=sentence,
                       threshold=None, origin=outcome.origin)


def quarantine_finding(entity: str, extracted: int, quarantined: int, threshold: float, sample: list[dict[str, Any]]) -> GateFinding:
    """The quarantine share over its threshold, with quarantined rows and their reasons."""
    percent = 100.0 * quarantined / extracted if extracted else 0.0
    samples = [{"value": _reason(row), "where": _where(row)} for row in sample[:SAMPLE_SIZE]]
    shown = "; e.g. " + ", ".join(f"{s['where']} {s['value']}" for s in samples) if samples else ""
    return GateFinding(
        kind="failed", expectation="quarantine share", column=None, unexpected=quarantined, considered=extracted,
        percent=round(percent, 3), threshold=f"max_quarantined={threshold:g}", samples=samples, origin="gates.max_quarantined",
        sentence=(f"quarantine share of {entity}: {quarantined} of {extracted} extracted rows ({percent:.1f}%) quarantined "
                  f"against the threshold (max_quarantined={threshold:g}){shown}"),
    )


def broken_finding(expectation: str, column: str | None, reason: str, origin: str | None = None) -> GateFinding:
    """An expectation that could not even be handed to GX (its suite file, the table a link needs)."""
    on = f" on column {column}" if column else ""
    source = f" (from {origin})" if origin else ""
    return GateFinding(kind="broken", expectation=expectation, column=column, origin=origin, reason=reason,
                       sentence=f"BROKEN GATE: {expectation}{on}{source} cannot run: {reason}. "
                                "This is a fault of the gate, not of the data: fix the suite or the spec.")


def _considered(outcome: ExpectationOutcome) -> int | None:
    if outcome.element_count is None:
        return None
    return outcome.element_count - (outcome.missing_count or 0)


def _samples(outcome: ExpectationOutcome) -> list[dict[str, Any]]:
    samples = []
    for row in outcome.unexpected_rows[:SAMPLE_SIZE]:
        value = row.get(outcome.column) if outcome.column in row else None
        samples.append({"value": _clean(value), "where": _where(row)})
    if not samples:
        samples = [{"value": _clean(v), "where": None} for v in outcome.partial_unexpected[:SAMPLE_SIZE]]
    return samples


def _where(row: dict[str, Any]) -> str | None:
    if row.get("row_key"):
        return str(row["row_key"])
    file, line = row.get("_source_file") or row.get("source_file"), row.get("_source_line") or row.get("source_line")
    if file is not None and line is not None:
        return f"{file}:{int(line)}"
    return str(row["_record_key"]) if row.get("_record_key") else None  # a database's or an API's record


def _reason(row: dict[str, Any]) -> str:
    reason = str(row.get("reason") or "quarantined")
    field_name, detail = row.get("field"), row.get("detail")
    return reason + (f" [{field_name}]" if field_name else "") + (f" ({detail})" if detail else "")


def _show_sample(sample: dict[str, Any]) -> str:
    value = "empty" if sample["value"] is None else repr(sample["value"])
    return f"{value} at {sample['where']}" if sample.get("where") else value


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _plain_text(value: Any, limit: int = 200) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
