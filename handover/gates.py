"""Run a Great Expectations suite (JSON in the repo) on a DataFrame and write offline Data Docs."""

from __future__ import annotations

import os

# GX sends usage statistics unless told not to; this must happen before it is first imported.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import difflib
import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handover.gates_docs import raised_message, render_page, write_docs_index, write_text_atomic

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
_SUITE_KEYS = frozenset({"name", "expectations", "meta", "notes", "id", "suite_parameters"})
_EXPECTATION_KEYS = frozenset(
    {"type", "kwargs", "meta", "notes", "description", "severity", "id", "rendered_content"}
)
_RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": PARTIAL_UNEXPECTED_MAX}
_PAGE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$")

# One ephemeral GX context per process, holding one dataframe asset per page: names cannot
# collide across calls, and the lock is there because GX contexts are not thread-safe.
_GX_LOCK = threading.Lock()
_DATASOURCE: Any = None
_BATCH_DEFINITIONS: dict[str, BatchDefinition] = {}


class GateSuiteError(ValueError):
    """A suite file a person wrote is wrong; the message names the file and the problem."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None
    unexpected_percent: float | None
    partial_unexpected: list
    notes: str | None


@dataclass(frozen=True)
class GateResult:
    suite: str
    success: bool
    evaluated: int
    failed: int
    outcomes: list[ExpectationOutcome]
    docs_page: Path
    result_json: Path


def load_suite(path: Path) -> dict:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GateSuiteError(path, f"cannot read suite: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise GateSuiteError(path, f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    try:
        suite = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GateSuiteError(
            path, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    if not isinstance(suite, dict):
        raise GateSuiteError(path, "a suite must be a JSON object with 'name' and 'expectations'")
    _check_keys(path, "suite", suite, _SUITE_KEYS, {"expectation_suite_name": "name"})
    if not isinstance(suite.get("name"), str) or not suite["name"].strip():
        raise GateSuiteError(path, "'name' must be a non-empty string")
    expectations = suite.get("expectations")
    if not isinstance(expectations, list) or not expectations:
        raise GateSuiteError(path, "'expectations' must be a non-empty list")
    if not isinstance(suite.get("meta", {}), dict):
        raise GateSuiteError(path, "'meta' must be an object")
    ids = [e.get("id") for e in expectations if isinstance(e, dict) and e.get("id")]
    if len(ids) != len(set(ids)):
        raise GateSuiteError(path, "two expectations share the same 'id'")
    for index, expectation in enumerate(expectations):
        _check_expectation(path, index, expectation)
    return suite


def run_suite(
    df: pd.DataFrame,
    suite_path: Path,
    docs_dir: Path,
    *,
    page_name: str,
    title: str,
    run_label: str | None = None,
) -> GateResult:
    if not _PAGE_NAME.match(page_name) or ".." in page_name.split("/"):
        raise ValueError(f"page_name {page_name!r} must be a relative path like 'cleaned/contact'")
    suite_dict = load_suite(Path(suite_path))
    docs_dir = Path(docs_dir)
    page = docs_dir / f"{page_name}.html"
    result_json = docs_dir / f"{page_name}.json"
    if result_json.resolve() == Path(suite_path).resolve():
        raise ValueError(f"page_name {page_name!r} would overwrite the suite {suite_path}")
    run_time = datetime.now(timezone.utc)

    suite = _build_suite(suite_dict)
    with _GX_LOCK:
        batch = _batch_definition(page_name).get_batch(batch_parameters={"dataframe": df})
        result = batch.validate(suite, result_format=_RESULT_FORMAT)
    _order_like_suite(result, suite)
    _plain_values(result)
    if len(df) == 0:
        _pass_vacuous_on_empty(result)
    result.meta["run_id"] = {"run_name": run_label or "", "run_time": run_time.isoformat()}
    result.meta["batch_spec"] = {**result.meta.get("batch_spec", {}), "data_asset_name": page_name}
    result.meta["handover"] = {
        "page_name": page_name,
        "title": title,
        "run_label": run_label,
        "run_time": run_time.isoformat(timespec="seconds"),
        "rows": len(df),
        "suite_file": str(suite_path),
    }

    result_dict = result.to_json_dict()
    outcomes = [_outcome(evr) for evr in result_dict["results"]]
    stats = result_dict["statistics"]
    gate = GateResult(
        suite=suite.name,
        success=bool(result.success),
        evaluated=int(stats["evaluated_expectations"]),
        failed=int(stats["unsuccessful_expectations"]),
        outcomes=outcomes,
        docs_page=page,
        result_json=result_json,
    )
    write_text_atomic(result_json, json.dumps(result_dict, indent=2, default=str))
    write_text_atomic(page, render_page(result, gate, title=title, page_name=page_name))
    write_docs_index(docs_dir)
    return gate


def _check_keys(
    path: Path, where: str, obj: dict, allowed: frozenset[str], renamed: dict[str, str]
) -> None:
    for key in obj:
        if key in allowed:
            continue
        if key in renamed:
            hint = f"; GX 1.x calls it '{renamed[key]}'"
        else:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (allowed: {', '.join(sorted(allowed))})"
        raise GateSuiteError(path, f"{where}: unknown key '{key}'{hint}")


def _check_expectation(path: Path, index: int, expectation: Any) -> None:
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )
    from great_expectations.expectations.registry import (
        get_expectation_impl,
        list_registered_expectation_implementations,
    )

    where = f"expectations[{index}]"
    if not isinstance(expectation, dict):
        raise GateSuiteError(path, f"{where}: must be an object with 'type' and 'kwargs'")
    _check_keys(path, where, expectation, _EXPECTATION_KEYS, {"expectation_type": "type"})
    kind = expectation.get("type")
    if not isinstance(kind, str):
        raise GateSuiteError(path, f"{where}: 'type' is missing (e.g. \"expect_column_values_to_not_be_null\")")
    known = list_registered_expectation_implementations()
    if kind not in known:
        close = difflib.get_close_matches(kind, known, n=3, cutoff=0.6)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise GateSuiteError(path, f"{where}: unknown expectation type {kind!r}{hint}")
    where = f"{where} ({kind})"
    if not isinstance(expectation.get("kwargs"), dict):
        raise GateSuiteError(path, f"{where}: 'kwargs' must be an object")
    if not isinstance(expectation.get("meta", {}), dict):
        raise GateSuiteError(path, f"{where}: 'meta' must be an object")
    try:
        ExpectationConfiguration(**_config_args(expectation)).to_domain_obj()
    except Exception as exc:  # GX raises pydantic, marshmallow and its own errors here
        fields = list(getattr(get_expectation_impl(kind), "__fields__", {}))
        raise GateSuiteError(path, f"{where}: {_kwargs_problem(exc, fields)}") from None


def _kwargs_problem(exc: Exception, fields: list[str]) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return " ".join(str(exc).split())
    problems: dict[str, str] = {}
    for error in errors():
        name = ".".join(str(part) for part in error.get("loc", ()))
        if name in problems:
            continue  # pydantic lists one error per Union member; the first is enough
        if error.get("type") == "value_error.missing":
            problems[name] = f"missing kwarg '{name}'"
        elif error.get("type") == "value_error.extra":
            close = difflib.get_close_matches(name, fields, n=1)
            problems[name] = f"unknown kwarg '{name}'" + (f" (did you mean '{close[0]}'?)" if close else "")
        elif name == "__root__":
            problems[name] = str(error.get("msg"))
        else:
            problems[name] = f"kwarg '{name}': {error.get('msg')}"
    return "; ".join(problems.values())


def _config_args(expectation: dict) -> dict:
    # GX refuses expectations that already carry an id ("belong to another suite"); ids are set later.
    return {k: v for k, v in expectation.items() if k not in {"id", "rendered_content"}}


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


def _pass_vacuous_on_empty(result: ExpectationSuiteValidationResult) -> None:
    """On 0 rows only the row count and the table's shape say anything; the rest pass."""
    for evr in result.results:
        kind = evr.expectation_config.type
        shape = kind.startswith("expect_table_") or kind == "expect_column_to_exist"
        if evr.success or kind in ROW_COUNT_EXPECTATIONS or shape or raised_message(evr.exception_info):
            continue
        evr.success = True
        evr.meta["handover"] = "passed because the table has 0 rows"
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
    kwargs = config.get("kwargs") or {}
    result = evr.get("result") or {}
    count = result.get("unexpected_count")
    percent = result.get("unexpected_percent")
    return ExpectationOutcome(
        expectation=str(config.get("type")),
        column=_column(kwargs),
        success=bool(evr.get("success")),
        unexpected_count=int(count) if count is not None else None,
        unexpected_percent=float(percent) if percent is not None else None,
        partial_unexpected=list(result.get("partial_unexpected_list") or [])[:PARTIAL_UNEXPECTED_MAX],
        notes=_notes(config),
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
