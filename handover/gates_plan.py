"""The gates each stage must pass, generated from the spec and the canonical model.

A gate is one GX suite per stage (raw, cleaned, mapped) and entity. Its expectations come from what
the spec declares (required fields, field types, picklist maps, links, owners) and from what the design
guarantees (one golden record per external id, every raw row knows its file and line); a hand-written
suite in `<expectations>/<stage>/<entity>.json` adds to them. Nothing here depends on one export: a spec
that validates gets gates its data can pass. Besides the suite, the cleaned and mapped gates bound the
share of the entity's extracted rows that went to quarantine (`gates.max_quarantined`).

`check_gates` finds, before anything runs, the gates that could not run: a suite file that is not a
valid suite, an expectation on a column the stage will not hold.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd

from handover.entities import ENTITIES
from handover.naming import column_key
from handover.ports import RAW_META, RECORD_KEY
from handover.spec import MigrationSpec, source_columns, where_in_spec

GATED_STAGES = ("raw", "cleaned", "mapped")
DEFAULT_MAX_QUARANTINED = 0.05
OWNER_RESOLUTIONS = ("direct", "successor", "fallback:departed", "fallback:unknown_owner", "fallback:no_owner")

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
E164_PATTERN = r"^\+[1-9][0-9]{5,14}(?:;ext=[0-9]+)?$"
URL_PATTERN = r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$"
COUNTRY_PATTERN = r"^[A-Z]{2}$"

# Field type -> (expectation, kwargs, what a value must be). The cleaned stage converts every value or
# leaves it empty (the original goes to `extras`), so these hold by design; a failure means a cleaner
# let something through. Text types have no shape to check.
TYPE_EXPECTATIONS: dict[str, tuple[str, dict[str, Any], str]] = {
    "email": ("expect_column_values_to_match_regex", {"regex": EMAIL_PATTERN}, "a valid e-mail address"),
    "phone": ("expect_column_values_to_match_regex", {"regex": E164_PATTERN}, "an E.164 phone number"),
    "url": ("expect_column_values_to_match_regex", {"regex": URL_PATTERN}, "an absolute URL"),
    "country": ("expect_column_values_to_match_regex", {"regex": COUNTRY_PATTERN}, "an ISO 3166 alpha-2 country code"),
    # GX names pandas column types its own way: a DuckDB DATE reads back as datetime64, a TIMESTAMPTZ as Timestamp.
    "date": ("expect_column_values_to_be_of_type", {"type_": "datetime64"}, "a date"),
    "datetime": ("expect_column_values_to_be_of_type", {"type_": "Timestamp"}, "a date-time"),
    "number": ("expect_column_values_to_be_of_type", {"type_": "float64"}, "a number"),
    "integer": ("expect_column_values_to_be_of_type", {"type_": "int64"}, "a whole number"),
    "boolean": ("expect_column_values_to_be_of_type", {"type_": "bool"}, "true or false"),
}


@dataclass(frozen=True)
class PlannedExpectation:
    type: str
    kwargs: dict[str, Any]
    why: str  # in words, shown as the expectation's notes
    origin: str  # where it comes from: a YAML path of the spec, "design", or a suite file and index
    link: tuple[str, str] | None = None  # (stage, entity) whose external ids the values must be among
    generated: bool = True  # False: from a hand-written suite

    def as_gx(self) -> dict[str, Any]:
        meta = {"notes": self.why, "origin": self.origin}
        if self.link:
            meta["link"] = f"{self.link[0]}.{self.link[1]}"
        return {"type": self.type, "kwargs": dict(self.kwargs), "meta": meta}


@dataclass(frozen=True)
class PlannedGate:
    stage: str
    entity: str
    expectations: tuple[PlannedExpectation, ...]
    suite_file: Path | None  # the hand-written suite that adds to the generated expectations
    max_quarantined: float

    @property
    def name(self) -> str:
        return f"{self.stage}.{self.entity}"

    @property
    def generated(self) -> int:
        return sum(1 for e in self.expectations if e.generated)

    @property
    def summary(self) -> str:
        """One line for `handover validate`: what this gate will check."""
        added = len(self.expectations) - self.generated
        extra = f" + {added} from {_shown(self.suite_file)}" if added and self.suite_file else ""
        share = f"; at most {self.max_quarantined:g} of the rows quarantined" if self.stage != "raw" else ""
        return f"{self.stage} {self.entity}: {self.generated} expectations from the spec{extra}{share}"

    def suite(self, missing_links: Mapping[str, Sequence[Any]] | None = None, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The GX suite; `missing_links`: per link column, the values absent from the linked table;
        `skip`: link columns that cannot be checked (reported as broken instead)."""
        expectations = []
        for planned in self.expectations:
            if planned.link is not None:
                column = planned.kwargs["column"]
                if column in skip:
                    continue
                values = sorted({str(v) for v in (missing_links or {}).get(column, ())})
                planned = replace(planned, kwargs={**planned.kwargs, "value_set": values})
            expectations.append(planned.as_gx())
        return {"name": self.name, "expectations": expectations, "meta": {"stage": self.stage, "entity": self.entity}}


def suites_dir(spec: MigrationSpec) -> Path:
    return spec.expectations_dir


def max_quarantined(spec: MigrationSpec, entity: str) -> float:
    setting = spec.gates.max_quarantined
    if isinstance(setting, Mapping):
        return float(setting.get(entity, setting.get("default", DEFAULT_MAX_QUARANTINED)))
    return float(setting)


def plan_gates(spec: MigrationSpec) -> list[PlannedGate]:
    """Every gate a run of this spec applies, in stage then load order. Raises GateSuiteError for a
    hand-written suite that is not a valid suite (check_gates reports those as problems)."""
    return [plan_gate(spec, stage, entity) for stage in GATED_STAGES for entity in spec.ordered_entities()]


def plan_gate(spec: MigrationSpec, stage: str, entity: str) -> PlannedGate:
    from handover.gates import load_suite

    if stage not in GATED_STAGES:
        raise ValueError(f"stage {stage!r} has no gate; gated stages: {', '.join(GATED_STAGES)}")
    generated = {"raw": _raw_expectations, "cleaned": _cleaned_expectations, "mapped": _mapped_expectations}[stage](spec, entity)
    suite_file = suites_dir(spec) / stage / f"{entity}.json"
    added: list[PlannedExpectation] = []
    if suite_file.is_file():
        for index, raw in enumerate(load_suite(suite_file)["expectations"]):
            meta = raw.get("meta") or {}
            why = meta.get("notes") or raw.get("notes") or raw.get("description") or "hand-written"
            added.append(PlannedExpectation(raw["type"], dict(raw["kwargs"]), _text(why), f"{_shown(suite_file)} expectations[{index}]", generated=False))
    return PlannedGate(stage, entity, tuple(generated + added), suite_file if suite_file.is_file() else None,
                       max_quarantined(spec, entity))


def check_gates(spec: MigrationSpec, headers: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """Why a gate of this spec could not run, one message per problem naming the suite file or YAML path.
    `headers`: the export's column names per entity, when read already (they make raw suites checkable)."""
    from handover.gates import GateSuiteError

    problems = _setting_problems(spec) + _stray_suites(spec)
    for stage in GATED_STAGES:
        for entity in spec.ordered_entities():
            try:
                gate = plan_gate(spec, stage, entity)
            except GateSuiteError as exc:
                problems.append(f"{_shown(exc.path)}: {exc.problem}")
                continue
            columns = stage_columns(spec, stage, entity, headers)
            if columns is None:
                continue
            for planned in gate.expectations:
                for column in _columns_of(planned.kwargs):
                    if column not in columns:
                        problems.append(_missing_column(planned, column, stage, entity, columns))
    return problems


def stage_columns(spec: MigrationSpec, stage: str, entity: str, headers: Mapping[str, Sequence[str]] | None = None) -> frozenset[str] | None:
    """The columns the stage's table will hold, found by running the stage's core on zero rows.
    None when that cannot be known without the data (raw without the export's headers)."""
    spec_columns = [column_key(c) for c in source_columns(spec.entities[entity], entity).values()]
    if stage == "raw":
        if headers is None or entity not in headers:
            return None
        return frozenset(spec_columns) | {column_key(c) for c in headers[entity]} | set(RAW_META)
    try:
        return _dry_run_columns(spec, entity, tuple((headers or {}).get(entity, ())))[stage]
    except Exception:  # a spec mistake (an exclusion that is not SQL, ...): other checks name it
        return None


# --- what each stage must hold ----------------------------------------------------------------------


def _raw_expectations(spec: MigrationSpec, name: str) -> list[PlannedExpectation]:
    entity = spec.entities[name]
    read = list(dict.fromkeys(column_key(c) for c in source_columns(entity, name).values()))
    out = [PlannedExpectation(
        "expect_table_columns_to_match_set", {"column_set": read, "exact_match": False},
        f"{', '.join(entity.files)} hold every column the spec reads", _path(("entities", name)),
    )]
    out += [
        PlannedExpectation("expect_column_values_to_not_be_null", {"column": RECORD_KEY}, "every raw row has its record key", "design"),
        PlannedExpectation("expect_column_values_to_be_unique", {"column": RECORD_KEY}, "no two raw rows share a record key", "design"),
        PlannedExpectation("expect_column_values_to_not_be_null", {"column": "_dlt_load_id"}, "every raw row carries the load it came in with", "design"),
    ]
    share = max_quarantined(spec, name)
    out.append(PlannedExpectation(
        "expect_column_values_to_be_null", {"column": "_raw_error", "mostly": round(1 - share, 6)},
        f"rows the reader could not parse stay under the quarantine threshold ({share:g}); more suggests a wrong "
        "delimiter or encoding, not a few bad rows", "gates.max_quarantined",
    ))
    return out


def _record_expectations(stage: str) -> list[PlannedExpectation]:
    """What the design guarantees of every cleaned and mapped table."""
    out = [
        PlannedExpectation("expect_column_values_to_not_be_null", {"column": "external_id"}, "every record has an external id", "design"),
        PlannedExpectation("expect_column_values_to_be_unique", {"column": "external_id"}, "one golden record per external id", "design"),
        PlannedExpectation("expect_column_values_to_not_be_null", {"column": "source_id"}, "every record keeps its id in the old CRM", "design"),
        PlannedExpectation("expect_column_values_to_not_be_null", {"column": "row_key"}, "every record knows its file and line", "design"),
        PlannedExpectation("expect_column_values_to_be_unique", {"column": "row_key"}, "a source row becomes at most one record", "design"),
    ]
    if stage == "cleaned":
        out.append(PlannedExpectation("expect_column_values_to_be_between", {"column": "merged_count", "min_value": 0},
                                      "a golden record counts the records merged into it", "design"))
    else:
        out.append(PlannedExpectation("expect_column_values_to_not_be_null", {"column": "content_hash"},
                                      "every record has a content hash, so a rerun resends only what changed", "design"))
    return out


def _field_expectations(spec: MigrationSpec, name: str, names: Mapping[str, str]) -> list[PlannedExpectation]:
    """Required fields and field types; `names` maps canonical field -> the stage's column name."""
    entity = spec.entities[name]
    base = ("entities", name)
    out = []
    for index, requirement in enumerate(entity.required):
        group = [names[f.strip()] for f in requirement.split("|")]
        origin = _path(base + ("required", index))
        if len(group) == 1:
            out.append(PlannedExpectation("expect_column_values_to_not_be_null", {"column": group[0]}, f"{group[0]} is required", origin))
            continue
        # "a|b": b must have a value wherever a has none (GX has no at-least-one-of expectation).
        condition = " & ".join(f"`{c}`.isnull()" for c in group[:-1])
        out.append(PlannedExpectation(
            "expect_column_values_to_not_be_null", {"column": group[-1], "row_condition": condition, "condition_parser": "pandas"},
            f"one of {', '.join(group)} is required", origin,
        ))
    types = {f: s.type for f, s in entity.field_specs(name).items()} | entity.derived_fields(name)
    for canonical, kind in types.items():
        if kind in TYPE_EXPECTATIONS and canonical in names:
            expectation, kwargs, what = TYPE_EXPECTATIONS[kind]
            origin = _path(base + ("fields", canonical)) if canonical in entity.fields else _path(base + ("fill",))
            out.append(PlannedExpectation(expectation, {"column": names[canonical], **kwargs}, f"every {names[canonical]} is {what} ({kind})", origin))
    return out


def _cleaned_expectations(spec: MigrationSpec, name: str) -> list[PlannedExpectation]:
    fields = _canonical_fields(spec, name)
    return _record_expectations("cleaned") + _field_expectations(spec, name, {f: f for f in fields})


def _mapped_expectations(spec: MigrationSpec, name: str) -> list[PlannedExpectation]:
    from handover.mapping import target_fields

    entity = spec.entities[name]
    base = ("entities", name)
    targets = {canonical: target for canonical, (target, _kind) in target_fields(spec, name).items()}
    out = _record_expectations("mapped") + _field_expectations(spec, name, targets)
    for canonical, mapping in entity.picklists.items():
        other = mapping.get("*", "quarantine")
        if other == "keep":
            continue
        allowed = {v for k, v in mapping.items() if k != "*" and v is not None}
        if other not in ("quarantine", "null", None):
            allowed.add(other)
        if allowed:  # with no target value at all, every value was quarantined or emptied
            out.append(PlannedExpectation(
                "expect_column_values_to_be_in_set", {"column": targets[canonical], "value_set": sorted(allowed)},
                f"{targets[canonical]} holds only the target's picklist values", _path(base + ("picklists", canonical)),
            ))
    for link in entity.links:
        linked = spec.linked(name, link)
        out.append(PlannedExpectation(
            "expect_column_values_to_not_be_in_set", {"column": f"{link}_external_id", "value_set": []},
            f"each {link} link points at a record of mapped {linked}, or is empty; listed are the ids missing there",
            _path(base + ("links", link)), link=("mapped", linked),
        ))
    if entity.owner and "owner" in spec.entities:
        out.append(PlannedExpectation("expect_column_values_to_be_in_set", {"column": "owner_resolution", "value_set": list(OWNER_RESOLUTIONS)},
                                      "every record says how its owner was resolved", _path(base + ("owner",))))
        # Mapped records wait for the cleaned owners, not the mapped ones, so that is the table to check against.
        out.append(PlannedExpectation(
            "expect_column_values_to_not_be_in_set", {"column": "owner_external_id", "value_set": []},
            "each owner is a migrated owner, or is empty; listed are the ids missing there", _path(base + ("owner",)), link=("cleaned", "owner"),
        ))
        if spec.owners.departed.fallback:
            out.append(PlannedExpectation("expect_column_values_to_not_be_null", {"column": "owner_external_id"},
                                          "every record has an owner: unknown and departed owners' records go to the fallback",
                                          _path(("owners", "departed", "fallback"))))
    if name == "owner" and spec.owners.match_by == "email" and "email" in targets:
        out.append(PlannedExpectation("expect_column_values_to_be_unique", {"column": targets["email"]},
                                      "owners are matched by e-mail in the new CRM, so no two may share one (merge them with dedup rule email)",
                                      _path(("owners", "match_by"))))
    return out


# --- check_gates helpers ----------------------------------------------------------------------------


def _setting_problems(spec: MigrationSpec) -> list[str]:
    problems = []
    setting = spec.gates.max_quarantined
    if isinstance(setting, Mapping):
        for key in setting:
            if key != "default" and key not in spec.entities:
                close = difflib.get_close_matches(key, list(spec.entities), n=1)
                problems.append(f"{where_in_spec(spec, ('gates', 'max_quarantined', key))}: {key!r} is not an entity of this spec; "
                                f"use default or one of: {', '.join(spec.entities)}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    if spec.gates.expectations and not suites_dir(spec).is_dir():
        problems.append(f"{where_in_spec(spec, ('gates', 'expectations'))}: folder {suites_dir(spec)} does not exist")
    return problems


def _stray_suites(spec: MigrationSpec) -> list[str]:
    """Suite files no gate would read: a misspelt stage or entity would otherwise be ignored in silence."""
    folder = suites_dir(spec)
    if not folder.is_dir():
        return []
    known = set(ENTITIES) | set(spec.entities)
    problems = []
    for path in sorted(folder.glob("*/*.json")):
        stage, entity = path.parent.name, path.stem
        if stage not in GATED_STAGES:
            close = difflib.get_close_matches(stage, GATED_STAGES, n=1)
            problems.append(f"{_shown(path)}: no gate reads it: {stage!r} is not a gated stage ({', '.join(GATED_STAGES)})"
                            + (f"; did you mean {close[0]!r}?" if close else ""))
        elif entity not in known:
            close = difflib.get_close_matches(entity, sorted(known), n=1)
            problems.append(f"{_shown(path)}: no gate reads it: {entity!r} is not an entity; suites are named <stage>/<entity>.json"
                            + (f"; did you mean {close[0]!r}?" if close else ""))
    return problems


def _missing_column(planned: PlannedExpectation, column: str, stage: str, entity: str, columns: frozenset[str]) -> str:
    # A renamed target field keeps the canonical name inside it (stage -> pipeline_stage): difflib alone misses that.
    close = difflib.get_close_matches(column, sorted(columns), n=1) or sorted(c for c in columns if column in c.split("_"))[:1]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return (f"{planned.origin} ({planned.type}): column {column!r} will not be in {stage} {entity}{hint}; "
            f"its columns: {', '.join(sorted(columns))}")


def _columns_of(kwargs: Mapping[str, Any]) -> list[str]:
    columns = [kwargs[k] for k in ("column", "column_A", "column_B") if isinstance(kwargs.get(k), str)]
    for key in ("column_list", "column_set"):
        if isinstance(kwargs.get(key), (list, tuple)):
            columns += [c for c in kwargs[key] if isinstance(c, str)]
    return columns


def _canonical_fields(spec: MigrationSpec, name: str) -> list[str]:
    entity = spec.entities[name]
    return list(entity.field_specs(name)) + list(entity.derived_fields(name))


_DRY_RUNS: dict[tuple[str, str, str, tuple[str, ...]], dict[str, frozenset[str]]] = {}


def _dry_run_columns(spec: MigrationSpec, name: str, header: tuple[str, ...]) -> dict[str, frozenset[str]]:
    key = (spec.model_dump_json(by_alias=True), str(spec.base_dir), name, header)
    if key not in _DRY_RUNS:
        if len(_DRY_RUNS) > 64:
            _DRY_RUNS.clear()
        _DRY_RUNS[key] = _dry_run(spec, name, header)
    return _DRY_RUNS[key]


def _dry_run(spec: MigrationSpec, name: str, header: tuple[str, ...]) -> dict[str, frozenset[str]]:
    """The stage cores on zero rows; the export's other columns let exclusions that read them compile."""
    from handover.cleaning.stage import clean_entity
    from handover.mapping import map_entity

    entity = spec.entities[name]
    read = [*source_columns(entity, name).values(), *header]
    columns = list(dict.fromkeys(column_key(c) for c in read)) + list(RAW_META)
    raw = pd.DataFrame({c: pd.Series(dtype="int64" if c == "_source_line" else object) for c in columns})
    cleaned = clean_entity(raw, name, spec).records
    mapped = set(map_entity(cleaned, name, spec, None, {link: set() for link in entity.links}).records.columns)
    if "owner" in spec.entities:  # the columns owner resolution adds (it needs the owners' data)
        mapped |= {"active"} if name == "owner" else {"owner_external_id", "owner_resolution"} if entity.owner else set()
    return {"cleaned": frozenset(cleaned.columns), "mapped": frozenset(mapped)}


def _path(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


def _shown(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("content", "")
    if isinstance(value, list):
        value = " ".join(str(v) for v in value)
    return str(value)
