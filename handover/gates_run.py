"""Run one stage's gate: the suite planned from the spec on the stage's rows, and the entity's
quarantine share from the ledger, both in DuckDB staging; the outcome in plain words.

A gate that cannot run is reported as broken (naming the expectation and why), never as bad data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from handover.gates import GateResult, GateSuiteError, run_suite
from handover.gates_explain import GateFinding, GateReport, broken_finding, explain, quarantine_finding
from handover.gates_plan import PlannedGate, plan_gate
from handover.spec import MigrationSpec
from handover.staging import table_exists

QUARANTINE_SAMPLE = 5
# Quarantine counts from the first stage up to the gated one: the mapped gate counts cleaned's too.
QUARANTINE_STAGES = {"cleaned": ("cleaned",), "mapped": ("cleaned", "mapped")}


@dataclass(frozen=True)
class QuarantineFacts:
    extracted: int
    quarantined: int
    sample: list[dict[str, Any]]

    @property
    def share(self) -> float:
        return self.quarantined / self.extracted if self.extracted else 0.0


@dataclass(frozen=True)
class StageGateOutcome:
    stage: str
    entity: str
    report: GateReport
    results: list[GateResult]  # the suite's, then the quarantine share's
    plan: PlannedGate | None
    quarantine: QuarantineFacts | None = None

    @property
    def passed(self) -> bool:
        return self.report.passed

    @property
    def broken(self) -> bool:
        return self.report.broken


def docs_dir(spec: MigrationSpec) -> Path:
    return spec.work_dir / "data_docs"


def run_stage_gate(con: duckdb.DuckDBPyConnection, spec: MigrationSpec, stage: str, entity: str, frame: pd.DataFrame,
                   *, run_label: str | None = None) -> StageGateOutcome:
    what = f"{stage} {entity}"
    try:
        plan = plan_gate(spec, stage, entity)
    except GateSuiteError as exc:
        finding = broken_finding("suite file", None, exc.problem, origin=str(exc.path))
        return StageGateOutcome(stage, entity, explain(what, [], [finding]), [], None)
    missing, extra = _missing_links(con, plan, frame)
    results = []
    try:
        unchecked = frozenset(f.column for f in extra if f.column)
        results.append(run_suite(frame, plan.suite(missing, unchecked), docs_dir(spec), page_name=f"{stage}/{entity}",
                                 title=f"{spec.migration}: {stage} {entity}", run_label=run_label))
    except Exception as exc:  # GX failed as a whole: the gate did not run, so it says nothing of the data
        extra.append(broken_finding(f"suite {plan.name}", None, " ".join(str(exc).split()) or type(exc).__name__))
    facts = None
    if stage in QUARANTINE_STAGES:
        facts = quarantine_facts(con, entity, stage)
        share = _quarantine_result(spec, stage, entity, facts, plan.max_quarantined, run_label)
        results.append(share)
        if not share.success:
            extra.append(quarantine_finding(entity, facts.extracted, facts.quarantined, plan.max_quarantined, facts.sample))
    shared = [r for r in results if r.suite != _quarantine_suite_name(plan)]
    return StageGateOutcome(stage, entity, explain(what, shared, extra), results, plan, facts)


def quarantine_facts(con: duckdb.DuckDBPyConnection, entity: str, stage: str) -> QuarantineFacts:
    extracted = con.execute(f'SELECT count(*) FROM raw."{entity}"').fetchone()[0] if table_exists(con, "raw", entity) else 0
    if table_exists(con, "ledger", "conversions"):  # records leads became count as rows of the entity they became
        extracted += con.execute("SELECT count(*) FROM ledger.conversions WHERE to_entity = ?", [entity]).fetchone()[0]
    if not table_exists(con, "ledger", "quarantine"):
        return QuarantineFacts(int(extracted), 0, [])
    stages = list(QUARANTINE_STAGES[stage])
    marks = ", ".join("?" for _ in stages)
    where = f"entity = ? AND stage IN ({marks})"
    quarantined = con.execute(f"SELECT count(DISTINCT row_key) FROM ledger.quarantine WHERE {where}", [entity, *stages]).fetchone()[0]
    sample = con.execute(
        f"SELECT row_key, source_file, source_line, field, reason, detail FROM ledger.quarantine WHERE {where} "
        "ORDER BY source_file, source_line LIMIT ?", [entity, *stages, QUARANTINE_SAMPLE],
    ).df()
    return QuarantineFacts(int(extracted), int(quarantined), [_plain_row(r) for r in sample.to_dict("records")])


def _quarantine_suite_name(plan: PlannedGate) -> str:
    return f"{plan.name}.quarantine"


def _quarantine_result(spec: MigrationSpec, stage: str, entity: str, facts: QuarantineFacts, threshold: float,
                       run_label: str | None) -> GateResult:
    """The share validated by GX too, so the Data Docs show it next to the suite."""
    frame = pd.DataFrame({"entity": [entity], "extracted": [facts.extracted], "quarantined": [facts.quarantined],
                          "quarantined_share": [round(facts.share, 6)]})
    suite = {"name": f"{stage}.{entity}.quarantine", "expectations": [{
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "quarantined_share", "min_value": 0, "max_value": threshold},
        "meta": {"notes": f"at most {threshold:g} of the {entity} rows extracted may be quarantined up to the {stage} stage",
                 "origin": "gates.max_quarantined"},
    }]}
    return run_suite(frame, suite, docs_dir(spec), page_name=f"{stage}/{entity}.quarantine",
                     title=f"{spec.migration}: {stage} {entity}, quarantine share", run_label=run_label, index_columns=[])


def _missing_links(con: duckdb.DuckDBPyConnection, plan: PlannedGate, frame: pd.DataFrame) -> tuple[dict[str, list], list[GateFinding]]:
    """Per link column, the values absent from the linked table; broken findings for links that cannot be checked."""
    missing: dict[str, list] = {}
    broken: list[GateFinding] = []
    for planned in plan.expectations:
        if planned.link is None:
            continue
        column = planned.kwargs["column"]
        stage, linked = planned.link
        if column not in frame.columns:
            continue  # GX reports the missing column itself
        if not table_exists(con, stage, linked):
            broken.append(broken_finding(planned.type, column, f"the linked table {stage}.{linked} does not exist", planned.origin))
            continue
        values = pd.DataFrame({"value": pd.Series(frame[column].dropna().astype(str).unique(), dtype=object)})
        con.register("_gate_link_values", values)
        try:
            missing[column] = [row[0] for row in con.execute(
                f'SELECT value FROM _gate_link_values WHERE value NOT IN (SELECT external_id FROM {stage}."{linked}" '
                "WHERE external_id IS NOT NULL) ORDER BY value"
            ).fetchall()]
        finally:
            con.unregister("_gate_link_values")
    return missing, broken


def _plain_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (None if v is None or (isinstance(v, float) and v != v) else v.item() if hasattr(v, "item") else v) for k, v in row.items()}
