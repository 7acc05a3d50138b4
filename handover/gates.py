"""Run a Great Expectations suite on a DataFrame and write offline Data Docs.

An expectation that raised (a missing column, an error inside GX) is a broken gate, kept apart from
an expectation the data failed: its outcome carries the error, and `GateResult.broken` lists it.
"""

from __future__ import annotations

import os

# GX sends usage statistics unless told not to; this must happen before it is first imported.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import json
import re
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handover.gates_docs import raised_message, render_page, write_docs_index, write_text_atomic
from handover.gates_suite import GateSuiteError, _config_args, load_suite

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )

__all__ = [
    "ExpectationOutcome",
    "GateResult",
    "GateSuiteError",
    "load_suite",
    "row_index_columns",
    "run_suite",
    "write_docs_index",
]

PARTIAL_UNEXPECTED_MAX = 20
ROW_COUNT_EXPECTATIONS = frozenset(
    {
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal",
        "expect_table_row_count_to_equal_other_table",
    }
)
TYPE_EXPECTATIONS = frozenset({"expect_column_values_to_be_of_type", "expect_column_values_to_be_in_type_list"})
_PAGE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")

# One ephemeral GX context per process, holding one dataframe asset per page: names cannot
# collide across calls, and the lock is there because GX contexts are not thread-safe.
_GX_LOCK = threading.Lock()
_DATASOURCE: Any = None
_BATCH_DEFINITIONS: dict[str, BatchDefinition] = {}


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None
    unexpected_percent: float | None
    partial_unexpected: list
    notes: str | None
    error: str | None = None  # set when the expectation could not run: a broken gate, not bad data
    kwargs: dict = field(default_factory=dict)
    origin: str | None = None  # where the expectation comes from (a YAML path, "design", a suite file)
    element_count: int | None = None
    missing_count: int | None = None
    observed: Any = None
    unexpected_rows: list[dict] = field(default_factory=list)  # the row index columns of offending rows, with the value

    @property
    def broken(self) -> bool:
        return self.error is not None


@dataclass(frozen=True)
class GateResult:
    suite: str
    success: bool
    evaluated: int
    failed: int
    outcomes: list[ExpectationOutcome]
    docs_page: Path
    result_json: Path
    rows: int = 0

    @property
    def broken(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if o.broken]


def row_index_columns(columns: Sequence[str]) -> list[str]:
    """Columns that say where a row came from: row_key or raw's record key ("file:line" for files), else file and line."""
    if "row_key" in columns:
        return ["row_key"]
    if "_record_key" in columns:
        return ["_record_key"]
    if "_source_file" in columns and "_source_line" in columns:
        return ["_source_file", "_source_line"]
    return []


def run_suite(
    df: pd.DataFrame,
    suite: Path | dict,
    docs_dir: Path,
    *,
    page_name: str,
    title: str,
    run_label: str | None = None,
    index_columns: Sequence[str] | None = None,
) -> GateResult:
    """Validate `df` with a suite (a suite file, or a suite dict already checked) and write its page.
    `index_columns` name offending rows in the result (default: row_index_columns of df)."""
    if not _PAGE_NAME.match(page_name) or ".." in page_name.split("/"):
        raise ValueError(f"page_name {page_name!r} must be a relative path like 'cleaned/contact'")
    docs_dir = Path(docs_dir)
    page = docs_dir / f"{page_name}.html"
    result_json = docs_dir / f"{page_name}.json"
    if isinstance(suite, dict):
        suite_dict, suite_file = suite, None
    else:
        suite_dict, suite_file = load_suite(Path(suite)), Path(suite)
        if result_json.resolve() == suite_file.resolve():
            raise ValueError(f"page_name {page_name!r} would overwrite the suite {suite_file}")
    run_time = datetime.now(timezone.utc)
    index = list(row_index_columns(list(df.columns)) if index_columns is None else index_columns)
    result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": PARTIAL_UNEXPECTED_MAX}
    if index:
        result_format["unexpected_index_column_names"] = index

    gx_suite = _build_suite(suite_dict)
    with _GX_LOCK:
        batch = _batch_definition(page_name).get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(gx_suite, result_format=result_format)
    _order_like_suite(result, gx_suite)
    _plain_values(result)
    _pass_type_checks_on_empty_columns(result, df)
    if len(df) == 0:
        _pass_vacuous_on_empty(result)
    _recount(result)
    result.meta["run_id"] = {"run_name": run_label or "", "run_time": run_time.isoformat()}
    result.meta["batch_spec"] = {**result.meta.get("batch_spec", {}), "data_asset_name": page_name}
    result.meta["handover"] = {
        "page_name": page_name,
        "title": title,
        "run_label": run_label,
        "run_time": run_time.isoformat(timespec="seconds"),
        "rows": len(df),
        "suite_file": str(suite_file) if suite_file else None,
    }

    result_dict = result.to_json_dict()
    outcomes = [_outcome(evr) for evr in result_dict["results"]]
    stats = result_dict["statistics"]
    gate = GateResult(
        suite=gx_suite.name,
        success=bool(result.success),
        evaluated=int(stats["evaluated_expectations"]),
        failed=int(stats["unsuccessful_expectations"]),
        outcomes=outcomes,
        docs_page=page,
        result_json=result_json,
        rows=len(df),
    )
    write_text_atomic(result_json, json.dumps(result_dict, indent=2, default=str))
    write_text_atomic(page, render_page(result, gate, title=title, page_name=page_name))
    write_docs_index(docs_dir)
    return gate


def _build_suite(suite_dict: dict) -> ExpectationSuite:
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    expectations = [
        ExpectationConfiguration(**_config_args(e)).to_domain_obj()
        for e in suite_dict["expectations"]
    ]
    suite = ExpectationSuite(
        name=suite_dict["name"],
        expectations=expectations,
        meta=dict(suite_dict.get("meta", {})),
        notes=suite_dict.get("notes"),
        suite_parameters=suite_dict.get("suite_parameters"),
    )
    # Ids let results be put back in suite order; GX reorders them by metric.
    for expectation, raw in zip(suite.expectations, suite_dict["expectations"], strict=True):
        expectation.id = raw.get("id") or str(uuid.uuid4())
    return suite


def _batch_definition(page_name: str) -> BatchDefinition:
    """One ephemeral context per process; one dataframe asset per page, reused on later calls."""
    if page_name in _BATCH_DEFINITIONS:
        return _BATCH_DEFINITIONS[page_name]
    asset = _datasource().add_dataframe_asset(page_name)
    definition = asset.add_batch_definition_whole_dataframe("whole")
    _BATCH_DEFINITIONS[page_name] = definition
    return definition


def _datasource() -> Any:
    global _DATASOURCE
    if _DATASOURCE is None:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        _DATASOURCE = context.data_sources.add_pandas("handover")
    return _DATASOURCE


def _order_like_suite(result: ExpectationSuiteValidationResult, suite: ExpectationSuite) -> None:
    position = {e.id: i for i, e in enumerate(suite.expectations)}
    result.results.sort(key=lambda evr: position.get(evr.expectation_config.id, len(position)))


def _plain_values(result: ExpectationSuiteValidationResult) -> None:
    """numpy 2 scalars break GX's own renderer (num_to_str parses repr(), "np.float64(3.0)")."""
    for evr in result.results:
        evr.result = _plain(evr.result or {})


def _plain(value: Any) -> Any:
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    return value


def _pass_type_checks_on_empty_columns(result: ExpectationSuiteValidationResult, df: pd.DataFrame) -> None:
    """A column with no value has no type to check: DuckDB stores an all-empty column as INTEGER."""
    for evr in result.results:
        column = evr.expectation_config.kwargs.get("column")
        if evr.success or evr.expectation_config.type not in TYPE_EXPECTATIONS or column not in df.columns:
            continue
        if raised_message(evr.exception_info) is None and df[column].isna().all():
            evr.success = True
            evr.meta["handover"] = "passed because the column has no values"


def _pass_vacuous_on_empty(result: ExpectationSuiteValidationResult) -> None:
    """On 0 rows only the row count and the table's shape say anything; the rest pass."""
    for evr in result.results:
        kind = evr.expectation_config.type
        shape = kind.startswith("expect_table_") or kind == "expect_column_to_exist"
        if evr.success or kind in ROW_COUNT_EXPECTATIONS or shape or raised_message(evr.exception_info):
            continue
        evr.success = True
        evr.meta["handover"] = "passed because the table has 0 rows"


def _recount(result: ExpectationSuiteValidationResult) -> None:
    failed = sum(1 for evr in result.results if not evr.success)
    evaluated = len(result.results)
    result.success = failed == 0
    result.statistics.update(
        successful_expectations=evaluated - failed,
        unsuccessful_expectations=failed,
        success_percent=100.0 * (evaluated - failed) / evaluated if evaluated else None,
    )


def _outcome(evr: dict) -> ExpectationOutcome:
    config = evr.get("expectation_config") or {}
    kwargs = {k: v for k, v in (config.get("kwargs") or {}).items() if k != "batch_id"}
    result = evr.get("result") or {}
    count = result.get("unexpected_count")
    percent = result.get("unexpected_percent")
    error = raised_message(evr.get("exception_info"))
    return ExpectationOutcome(
        expectation=str(config.get("type")),
        column=_column(kwargs),
        success=bool(evr.get("success")) and error is None,
        unexpected_count=int(count) if count is not None else None,
        unexpected_percent=float(percent) if percent is not None else None,
        partial_unexpected=list(result.get("partial_unexpected_list") or [])[:PARTIAL_UNEXPECTED_MAX],
        notes=_notes(config),
        error=error,
        kwargs=kwargs,
        origin=(config.get("meta") or {}).get("origin"),
        element_count=result.get("element_count"),
        missing_count=result.get("missing_count"),
        observed=result.get("observed_value"),
        # Without index columns GX lists bare pandas positions, which name no row a person can find.
        unexpected_rows=[r for r in result.get("partial_unexpected_index_list") or [] if isinstance(r, dict)][:PARTIAL_UNEXPECTED_MAX],
    )


def _column(kwargs: dict) -> str | None:
    if kwargs.get("column") is not None:
        return str(kwargs["column"])
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs.get('column_B')}"
    if kwargs.get("column_list"):
        return ", ".join(str(c) for c in kwargs["column_list"])
    return None


def _notes(config: dict) -> str | None:
    notes = (config.get("meta") or {}).get("notes") or config.get("notes")
    if isinstance(notes, dict):  # GX 0.x form: {"format": "markdown", "content": ...}
        notes = notes.get("content")
    if isinstance(notes, list):
        notes = "\n".join(str(n) for n in notes)
    return str(notes) if notes else None
