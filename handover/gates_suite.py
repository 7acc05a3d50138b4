"""Hand-written GX suite files: read, and checked so that a mistake names the file, the expectation and the fix."""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

_SUITE_KEYS = frozenset({"name", "expectations", "meta", "notes", "id", "suite_parameters"})
_EXPECTATION_KEYS = frozenset(
    {"type", "kwargs", "meta", "notes", "description", "severity", "id", "rendered_content"}
)


class GateSuiteError(ValueError):
    """A suite file a person wrote is wrong; the message names the file and the problem."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


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
