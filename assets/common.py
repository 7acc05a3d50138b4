"""What every stage's assets share: keys, the staging resource, reading raw, and running a gate."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import pandas as pd

from assets.resources import staging_key
from handover.entities import LINKS
from handover.naming import column_key
from handover.ports import SOURCE_META, raw_order_sql
from handover.spec import MigrationSpec, source_columns
from handover.staging import ensure_ledger, table_exists



def key(spec: MigrationSpec, stage: str, entity: str) -> dg.AssetKey:
    return dg.AssetKey([spec.migration, stage, entity])


def parents(spec: MigrationSpec, entity: str, *, owner: bool) -> list[str]:
    """Entities whose records this entity's records point at (and the owners, when `owner`): their stage runs first."""
    linked = {LINKS[entity][link] for link in spec.entities[entity].links}
    if owner and entity != "owner" and "owner" in spec.entities:
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
        description=f"Great Expectations suite expectations/{stage}/{entity}.json; a failure stops the stages after it.",
    )


def run_gate(spec: MigrationSpec, stage: str, entity: str, frame: pd.DataFrame, run_id: str) -> dg.AssetCheckResult:
    """Validate the stage's output with its GX suite and link the Data Docs page."""
    from handover.gates import GateSuiteError, run_suite
    from handover.gates_docs import run_page
    from handover.links import served_url

    suite = spec.expectations_dir / stage / f"{entity}.json"
    if not suite.exists():
        return dg.AssetCheckResult(
            check_name="expectations", passed=True, severity=dg.AssetCheckSeverity.WARN,
            metadata={"suite": dg.MetadataValue.text(f"no suite at {suite}: this stage is not gated")},
        )
    try:
        result = run_suite(frame, suite, spec.work_dir / "data_docs", page_name=f"{stage}/{entity}",
                           title=f"{spec.migration}: {stage} {entity}", run_label=run_id)
    except GateSuiteError as exc:
        return dg.AssetCheckResult(check_name="expectations", passed=False, metadata={"error": dg.MetadataValue.text(str(exc))})
    failed = [o for o in result.outcomes if not o.success]
    return dg.AssetCheckResult(
        check_name="expectations", passed=result.success, severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "evaluated": result.evaluated, "failed": result.failed,
            "data_docs": dg.MetadataValue.url(served_url(run_page(spec.work_dir / "data_docs", result))),
            "data_docs_path": dg.MetadataValue.path(str(result.docs_page)),
            "failures": dg.MetadataValue.md("\n".join(
                f"- `{o.expectation}` on `{o.column}`: {o.unexpected_count} unexpected, e.g. {o.partial_unexpected[:5]}" for o in failed
            ) or "none"),
        },
    )


def counts_md(frame: pd.DataFrame, column: str, limit: int = 15) -> dg.MetadataValue:
    if frame.empty:
        return dg.MetadataValue.md("none")
    counts = frame[column].fillna("(none)").value_counts().head(limit)
    return dg.MetadataValue.md("\n".join(f"| {k} | {v} |" for k, v in counts.items()).join(["| reason | rows |\n|---|---|\n", ""]))

