"""What every stage's assets share: keys, the staging resource, reading raw, and running a gate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import pandas as pd

from assets.metadata import TABLE_STAGES, table_name
from assets.resources import staging_key
from handover.naming import column_key
from handover.ports import SOURCE_META, raw_order_sql
from handover.spec import MigrationSpec, source_columns
from handover.staging import ensure_ledger, table_exists



def key(spec: MigrationSpec, stage: str, entity: str) -> dg.AssetKey:
    return dg.AssetKey([spec.migration, stage, entity])


def group(spec: MigrationSpec, stage: str) -> str:
    """One asset group per migration and stage: the UI draws each stage as a box of its own."""
    return f"{spec.migration}_{stage}"


def tags(spec: MigrationSpec, stage: str, entity: str | None = None) -> dict[str, str]:
    found = {"handover/migration": spec.migration, "handover/stage": stage}
    return found | ({"handover/entity": entity} if entity else {})


def shown(spec: MigrationSpec, stage: str, entity: str | None = None) -> dict:
    """How a stage asset is shown in the UI: its group, tags, owners (the spec's maintainers) and, for a stage
    table, where its rows live (the UI's "Storage")."""
    table = {"dagster/table_name": table_name(spec, stage, entity)} if entity and stage in TABLE_STAGES else {}
    return {"group_name": group(spec, stage), "tags": tags(spec, stage, entity), "owners": list(spec.maintainers), "metadata": table}


def parents(spec: MigrationSpec, entity: str, *, owner: bool) -> list[str]:
    """Entities whose records this entity's records point at (and the owners, when `owner` or when owners are matched
    by a business key; and the leads converted into this entity): their stage runs first."""
    linked = {e for e in spec.links_of(entity).values() if e != entity}
    linked |= {lead for lead in spec.entities if entity in spec.converts_into(lead)}
    by_key = not isinstance(spec.entities[entity].owner, (str, type(None)))
    if (owner or by_key) and entity != "owner" and "owner" in spec.entities:
        linked.add("owner")
    return sorted(linked)


@contextmanager
def staging(context: dg.AssetExecutionContext | dg.AssetCheckExecutionContext, spec: MigrationSpec) -> Iterator:
    """A connection to this migration's staging DuckDB, from the injected DuckDBResource.

    Closed here even when the step fails: DuckDBResource only closes it on success, and a connection
    left to the garbage collector keeps the file locked for the next step."""
    with getattr(context.resources, staging_key(spec)).get_connection() as con:
        try:
            yield con
        finally:
            con.close()


def read_raw(con, spec: MigrationSpec, entity: str) -> pd.DataFrame:
    """Raw rows with every column the spec names, even one dlt left out because it was all empty."""
    frame = con.execute(f'SELECT * FROM raw."{entity}" ORDER BY {raw_order_sql()}').df()
    wanted = {column_key(c) for c in source_columns(spec.entities[entity], entity).values()} | set(SOURCE_META)
    for column in wanted - set(frame.columns):
        frame[column] = None
    return frame


def read_stage(con, stage: str, entity: str) -> pd.DataFrame:
    return con.execute(f'SELECT * FROM {stage}."{entity}"').df() if table_exists(con, stage, entity) else pd.DataFrame()


def ledger_rows(con, table: str, entity: str) -> pd.DataFrame:
    ensure_ledger(con)
    return con.execute(f"SELECT * FROM ledger.{table} WHERE entity = ?", [entity]).df()


def gate_spec(spec: MigrationSpec, stage: str, entity: str) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name="expectations", asset=key(spec, stage, entity), blocking=True,
        description=f"Great Expectations suite generated from the spec (plus {spec.expectations_dir.name}/{stage}/{entity}.json "
                    "when present) and the entity's quarantine share; a failed or broken gate stops the stages after it.",
    )


def run_gate(spec: MigrationSpec, stage: str, entity: str, frame: pd.DataFrame, run_id: str, con=None) -> dg.AssetCheckResult:
    """Validate the stage's output with its gate; the first metadata entry says in words what failed and where.
    `con`: the staging connection when the caller has one open (else one is opened here, for the ledger counts)."""
    from handover.gates_docs import run_page
    from handover.gates_run import run_stage_gate
    from handover.links import served_url

    with gate_connection(spec, con) as gate_con:
        outcome = run_stage_gate(gate_con, spec, stage, entity, frame, run_label=run_id)
    report = outcome.report
    from handover import audit

    audit.append(spec.work_dir, "gate", f"{stage}/{entity}", {"run_id": run_id, "passed": report.passed, "broken": report.broken,
                                                              "findings": len(report.findings)})
    metadata: dict = {
        "summary": dg.MetadataValue.text(report.text),
        "status": dg.MetadataValue.text("passed" if report.passed else "BROKEN GATE" if report.broken else "failed"),
        "findings": dg.MetadataValue.json([f.as_dict() for f in report.findings]),
    }
    suite = next((r for r in outcome.results if not r.suite.endswith(".quarantine")), None)
    if suite is not None:
        metadata.update({
            "evaluated": suite.evaluated, "failed": suite.failed,
            "data_docs": dg.MetadataValue.url(served_url(run_page(spec.work_dir / "data_docs", suite))),
            "data_docs_path": dg.MetadataValue.path(str(suite.docs_page)),
        })
    if outcome.quarantine is not None:
        metadata.update({
            "quarantined_share": round(outcome.quarantine.share, 6), "max_quarantined": outcome.plan.max_quarantined,
        })
    return dg.AssetCheckResult(
        check_name="expectations", passed=report.passed, severity=dg.AssetCheckSeverity.ERROR,
        description=report.text.splitlines()[0], metadata=metadata,
    )


@contextmanager
def gate_connection(spec: MigrationSpec, con=None) -> Iterator:
    """The caller's staging connection, or a new one to the staging file (retried while another step holds its lock)."""
    if con is not None:
        yield con
        return
    from handover.crypto import connect_duckdb, spec_key

    opened = connect_duckdb(spec.staging_path, spec_key(spec), retries=9)
    try:
        yield opened
    finally:
        opened.close()


def counts_md(frame: pd.DataFrame, column: str, limit: int = 15) -> dg.MetadataValue:
    if frame.empty:
        return dg.MetadataValue.md("none")
    counts = frame[column].fillna("(none)").value_counts().head(limit)
    return dg.MetadataValue.md("\n".join(f"| {k} | {v} |" for k, v in counts.items()).join(["| reason | rows |\n|---|---|\n", ""]))

