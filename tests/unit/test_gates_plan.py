"""Gates generated from the spec: what each stage must hold, and the gate problems `check_gates` finds
before anything runs. The spec here is not the demo's (no owners, accounts without a phone...)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from handover.gates_plan import DEFAULT_MAX_QUARANTINED, check_gates, plan_gate, plan_gates, stage_columns
from handover.spec import SpecError, load_spec
from tests.unit.gates_support import SPEC, orbit_spec, write_spec


def kinds(gate) -> list[tuple[str, str | None]]:
    return [(e.type, e.kwargs.get("column")) for e in gate.expectations]


def columns_checked(gate) -> set[str]:
    return {e.kwargs["column"] for e in gate.expectations if "column" in e.kwargs}


def write_suite(folder: Path, stage: str, entity: str, expectations: list[dict]) -> Path:
    path = folder / stage / f"{entity}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"name": f"{stage}.{entity}", "expectations": expectations}), encoding="utf-8")
    return path


def test_a_spec_without_owners_or_phones_gets_gates_that_only_name_its_own_columns(tmp_path: Path) -> None:
    spec = orbit_spec(tmp_path)
    gates = plan_gates(spec)
    assert [g.name for g in gates] == [f"{s}.{e}" for s in ("raw", "cleaned", "mapped") for e in ("account", "contact", "deal")]
    for gate in gates:
        if gate.stage == "raw":
            continue
        checked = columns_checked(gate)
        assert not checked & {"owner_external_id", "owner_resolution", "phone", "currency"}, gate.name
        assert checked <= stage_columns(spec, gate.stage, gate.entity), gate.name
    assert check_gates(spec) == []


def test_cleaned_gate_holds_design_guarantees_required_fields_and_types(tmp_path: Path) -> None:
    gate = plan_gate(orbit_spec(tmp_path), "cleaned", "account")
    found = kinds(gate)
    for guaranteed in [("expect_column_values_to_be_unique", "external_id"), ("expect_column_values_to_not_be_null", "external_id"),
                       ("expect_column_values_to_be_unique", "row_key"), ("expect_column_values_to_not_be_null", "name")]:
        assert guaranteed in found
    by_column = {e.kwargs["column"]: e for e in gate.expectations if e.origin.startswith("entities.account.fields")}
    assert by_column["website"].kwargs["regex"].startswith("^[A-Za-z]")
    assert by_column["country"].kwargs["regex"] == "^[A-Z]{2}$"
    assert by_column["employees"].kwargs["type_"] == "int64"
    assert by_column["created_at"].kwargs["type_"] == "Timestamp"
    assert "industry" not in by_column and "name" not in by_column  # free text has no shape to check
    assert ("expect_column_values_to_be_unique", "email") not in kinds(plan_gate(orbit_spec(tmp_path), "cleaned", "contact"))


def test_required_group_becomes_a_conditional_not_null(tmp_path: Path) -> None:
    gate = plan_gate(orbit_spec(tmp_path), "cleaned", "contact")
    group = [e for e in gate.expectations if e.origin == "entities.contact.required.0"]
    assert len(group) == 1
    assert group[0].kwargs == {"column": "mobile", "row_condition": "`last_name`.isnull() & `email`.isnull()", "condition_parser": "pandas"}


def test_mapped_gate_uses_target_names_picklist_values_and_links(tmp_path: Path) -> None:
    spec = orbit_spec(tmp_path)
    deal = plan_gate(spec, "mapped", "deal")
    in_set = {e.kwargs["column"]: e.kwargs["value_set"] for e in deal.expectations if e.type == "expect_column_values_to_be_in_set"}
    assert in_set == {"pipeline_stage": ["Lost", "New", "Won"]}
    links = [e for e in deal.expectations if e.link]
    assert [(e.kwargs["column"], e.link) for e in links] == [("account_external_id", ("mapped", "account"))]
    account = plan_gate(spec, "mapped", "account")
    industry = [e.kwargs["value_set"] for e in account.expectations if e.kwargs.get("column") == "industry"]
    assert industry == [["Manufacturing", "Other", "Technology"]]  # the fixed "*" value is a target value too


@pytest.mark.parametrize(("star", "expected"), [("keep", None), ("null", ["Technology"]), ("quarantine", ["Technology"]), ("Misc", ["Misc", "Technology"])])
def test_picklist_value_set_follows_the_star_rule(tmp_path: Path, star: str, expected: list[str] | None) -> None:
    entities = yaml.safe_load(yaml.safe_dump(SPEC["entities"]))
    entities["account"]["picklists"] = {"industry": {"Software": "Technology", "*": star}}
    gate = plan_gate(orbit_spec(tmp_path, entities=entities), "mapped", "account")
    sets = [e.kwargs["value_set"] for e in gate.expectations if e.kwargs.get("column") == "industry"]
    assert sets == ([expected] if expected else [])


def test_owner_gates_appear_only_with_an_owner_entity(tmp_path: Path) -> None:
    entities = yaml.safe_load(yaml.safe_dump(SPEC["entities"]))
    entities["owner"] = {"from": "users.csv", "id": "uid", "fields": {"name": "name", "email": "mail"}}
    entities["account"]["owner"] = "betreuer"
    spec = orbit_spec(tmp_path, entities=entities, owners={"departed": {"policy": "fallback", "fallback": "U1"}})
    account = kinds(plan_gate(spec, "mapped", "account"))
    assert ("expect_column_values_to_be_in_set", "owner_resolution") in account
    assert ("expect_column_values_to_not_be_null", "owner_external_id") in account
    assert ("expect_column_values_to_not_be_in_set", "owner_external_id") in account
    assert ("expect_column_values_to_be_unique", "email") in kinds(plan_gate(spec, "mapped", "owner"))
    assert "owner_resolution" not in columns_checked(plan_gate(spec, "mapped", "contact"))  # contacts name no owner column
    assert check_gates(spec) == []


def test_raw_gate_is_structural_and_never_asks_for_rows(tmp_path: Path) -> None:
    gate = plan_gate(orbit_spec(tmp_path, gates={"max_quarantined": 0.1}), "raw", "deal")
    assert [e.type for e in gate.expectations if e.type.startswith("expect_table_row_count")] == []
    columns = next(e for e in gate.expectations if e.type == "expect_table_columns_to_match_set")
    assert sorted(columns.kwargs["column_set"]) == ["chance_nr", "firma_nr", "phase", "titel", "wert"]
    assert columns.kwargs["exact_match"] is False
    unparsed = next(e for e in gate.expectations if e.kwargs.get("column") == "_raw_error")
    assert unparsed.kwargs["mostly"] == pytest.approx(0.9)


def test_max_quarantined_default_number_and_per_entity(tmp_path: Path) -> None:
    assert plan_gate(orbit_spec(tmp_path), "cleaned", "contact").max_quarantined == DEFAULT_MAX_QUARANTINED == 0.05
    spec = orbit_spec(tmp_path, gates={"max_quarantined": {"default": 0.02, "contact": 0.25}})
    assert [plan_gate(spec, "cleaned", e).max_quarantined for e in ("account", "contact")] == [0.02, 0.25]
    assert plan_gate(orbit_spec(tmp_path, gates={"max_quarantined": 0}), "mapped", "deal").max_quarantined == 0


@pytest.mark.parametrize(("value", "problem"), [(1.5, "1.5 is not between 0 and 1"), ("5%", "'5%' is not a share"),
                                                ({"contact": -0.1}, "contact: -0.1 is not between 0 and 1")])
def test_max_quarantined_must_be_a_share(tmp_path: Path, value: object, problem: str) -> None:
    path = write_spec(tmp_path, gates={"max_quarantined": value})
    with pytest.raises(SpecError) as error:
        load_spec(path)
    assert "gates.max_quarantined" in str(error.value) and problem in str(error.value)


def test_check_gates_names_an_unknown_entity_in_max_quarantined(tmp_path: Path) -> None:
    path = write_spec(tmp_path, gates={"max_quarantined": {"default": 0.05, "contacts": 0.2}})
    problems = check_gates(load_spec(path))
    assert len(problems) == 1
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "contacts:" in text)
    assert problems[0].startswith(f"{path}:{line}: gates.max_quarantined.contacts: 'contacts' is not an entity of this spec")
    assert "did you mean 'contact'?" in problems[0]


def test_hand_written_suites_add_to_the_generated_ones(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    path = write_suite(suites, "mapped", "deal", [
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "amount", "min_value": 0}, "meta": {"notes": "no negative deals"}},
    ])
    spec = orbit_spec(tmp_path, gates={"expectations": str(suites)})
    gate = plan_gate(spec, "mapped", "deal")
    assert gate.suite_file == path
    added = [e for e in gate.expectations if not e.generated]
    assert [(e.type, e.why) for e in added] == [("expect_column_values_to_be_between", "no negative deals")]
    assert added[0].origin.endswith("mapped/deal.json expectations[0]")
    assert gate.generated == len(gate.expectations) - 1 > 5
    assert gate.summary == f"mapped deal: {gate.generated} expectations from the spec + 1 from {path}; at most 0.05 of the rows quarantined"
    assert check_gates(spec) == []


def test_check_gates_finds_suites_that_would_break(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    write_suite(suites, "mapped", "deal", [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "name"}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "currency", "value_set": ["EUR"]}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "stage"}},
    ])
    write_suite(suites, "cleaned", "contacts", [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "email"}}])
    write_suite(suites, "loaded", "deal", [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "email"}}])
    (suites / "cleaned" / "account.json").write_text('{"name": "x", "expectations": [}', encoding="utf-8")
    problems = check_gates(orbit_spec(tmp_path, gates={"expectations": str(suites)}))
    text = "\n".join(problems)
    assert len(problems) == 5, text
    assert "mapped/deal.json expectations[1] (expect_column_values_to_be_in_set): column 'currency' will not be in mapped deal" in text
    assert "mapped/deal.json expectations[2] (expect_column_values_to_not_be_null): column 'stage' will not be in mapped deal; did you mean 'pipeline_stage'?" in text
    assert "cleaned/contacts.json: no gate reads it: 'contacts' is not an entity" in text and "did you mean 'contact'?" in text
    assert "loaded/deal.json: no gate reads it: 'loaded' is not a gated stage" in text
    assert "cleaned/account.json: invalid JSON at line 1" in text


def test_check_gates_checks_raw_suites_against_the_export_headers_when_given(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    write_suite(suites, "raw", "deal", [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "währung"}}])
    spec = orbit_spec(tmp_path, gates={"expectations": str(suites)})
    assert check_gates(spec) == []  # without the headers, raw's columns are unknown
    assert check_gates(spec, {"deal": ["chance_nr", "titel", "wert", "phase", "firma_nr", "Währung"]}) == []
    problems = check_gates(spec, {"deal": ["chance_nr", "titel", "wert", "phase", "firma_nr"]})
    assert len(problems) == 1 and "column 'währung' will not be in raw deal" in problems[0]


def test_missing_expectations_folder_is_a_problem(tmp_path: Path) -> None:
    problems = check_gates(orbit_spec(tmp_path, gates={"expectations": "nowhere"}))
    assert len(problems) == 1 and "gates.expectations: folder" in problems[0] and "does not exist" in problems[0]


def test_with_the_headers_an_exclusion_on_an_unmapped_column_still_lets_suites_be_checked(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    write_suite(suites, "cleaned", "deal", [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "status"}}])
    entities = yaml.safe_load(yaml.safe_dump(SPEC["entities"]))
    entities["deal"]["exclude"] = [{"when": "geloescht = 'ja'", "reason": "deleted in the old CRM"}]
    spec = orbit_spec(tmp_path, entities=entities, gates={"expectations": str(suites)})
    assert stage_columns(spec, "cleaned", "deal") is None  # the exclusion reads a column only the export knows
    assert check_gates(spec) == []
    problems = check_gates(spec, {"deal": ["chance_nr", "titel", "wert", "phase", "firma_nr", "geloescht"]})
    assert len(problems) == 1 and "column 'status' will not be in cleaned deal" in problems[0]
