"""Running a stage's gate on stages built by the real core in DuckDB: it passes on a sound export unlike
the demo, names bad data in plain words with file:line, bounds the quarantine share, and reports a gate
that cannot run as broken, never as bad data."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from handover.gates_run import run_stage_gate
from handover.staging import ledger_frame, replace_ledger_rows, replace_table
from tests.unit.gates_support import build_stages, orbit_spec, raw_frame, raw_frames, stage_frame


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    """Shared stages: tests change the frames they validate, never these tables."""
    spec = orbit_spec(tmp_path_factory.mktemp("orbit"))
    con = build_stages(spec)
    yield spec, con
    con.close()


@pytest.fixture
def own(tmp_path: Path):
    """Stages of its own, for a test that changes tables."""
    spec = orbit_spec(tmp_path)
    con = build_stages(spec)
    yield spec, con
    con.close()


def gate(con, spec, stage: str, entity: str, frame: pd.DataFrame | None = None):
    return run_stage_gate(con, spec, stage, entity, stage_frame(con, stage, entity) if frame is None else frame, run_label="t")


def test_every_gate_of_a_sound_export_unlike_the_demo_passes(built) -> None:
    spec, con = built
    for stage in ("raw", "cleaned", "mapped"):
        for entity in spec.ordered_entities():
            outcome = gate(con, spec, stage, entity)
            assert outcome.passed, outcome.report.text
            assert outcome.report.text.startswith(f"{stage} {entity}: gate passed")
            assert outcome.results[0].docs_page.is_file()
    docs = spec.work_dir / "data_docs"
    assert (docs / "mapped" / "deal.quarantine.html").is_file()


def test_header_only_files_pass_every_gate(tmp_path: Path) -> None:
    spec = orbit_spec(tmp_path)
    raws = {name: frame.iloc[0:0] for name, frame in raw_frames().items()}
    con = build_stages(spec, raws)
    for stage in ("raw", "cleaned", "mapped"):
        for entity in spec.ordered_entities():
            outcome = gate(con, spec, stage, entity)
            assert outcome.passed, outcome.report.text


def test_a_failure_names_expectation_column_count_threshold_and_rows(built) -> None:
    spec, con = built
    frame = stage_frame(con, "cleaned", "contact")
    frame.loc[frame["source_id"] == "P3", "mobile"] = "0171 555"  # what a broken cleaner would let through
    outcome = gate(con, spec, "cleaned", "contact", frame)
    assert not outcome.passed and not outcome.broken
    first = outcome.report.text.splitlines()[0]
    assert first.startswith("expect_column_values_to_match_regex, column mobile: 1 of 3 rows (33.3%) against the threshold (mostly=1)")
    assert "'0171 555' at personen.csv:4" in first and "(from entities.contact.fields.mobile)" in first
    finding = outcome.report.findings[0]
    assert (finding.unexpected, finding.considered, finding.threshold) == (1, 3, "mostly=1")
    assert finding.samples == [{"value": "0171 555", "where": "personen.csv:4"}]
    assert json.dumps(outcome.report.as_dict())  # structured data a UI or a report can keep


def test_required_group_fails_only_where_every_member_is_empty(built) -> None:
    spec, con = built
    frame = stage_frame(con, "mapped", "contact")
    empty = frame["source_id"] == "P2"
    frame.loc[empty, "mobile"] = None  # P2 had only a mobile
    outcome = gate(con, spec, "mapped", "contact", frame)
    finding = outcome.report.findings[0]
    assert finding.column == "mobile" and finding.unexpected == 1 and finding.origin == "entities.contact.required.0"
    assert finding.samples == [{"value": None, "where": "personen.csv:3"}]
    assert "empty at personen.csv:3" in finding.sentence


def test_picklist_and_uniqueness_failures_at_mapped(built) -> None:
    spec, con = built
    frame = stage_frame(con, "mapped", "deal")
    frame.loc[1, "pipeline_stage"] = "gewonnen"  # a source value that slipped through unmapped
    frame.loc[1, "external_id"] = frame.loc[0, "external_id"]
    outcome = gate(con, spec, "mapped", "deal", frame)
    by_kind = {f.expectation: f for f in outcome.report.findings}
    assert by_kind["expect_column_values_to_be_in_set"].samples == [{"value": "gewonnen", "where": "chancen.csv:3"}]
    unique = by_kind["expect_column_values_to_be_unique"]
    assert unique.unexpected == 2 and {s["where"] for s in unique.samples} == {"chancen.csv:2", "chancen.csv:3"}


def test_link_to_a_record_missing_from_the_linked_table_fails(built) -> None:
    spec, con = built
    frame = stage_frame(con, "mapped", "contact")
    frame.loc[frame["source_id"] == "P1", "account_external_id"] = "orbit:account:F404"
    outcome = gate(con, spec, "mapped", "contact", frame)
    finding = outcome.report.findings[0]
    assert finding.expectation == "expect_column_values_to_not_be_in_set" and finding.column == "account_external_id"
    assert finding.samples == [{"value": "orbit:account:F404", "where": "personen.csv:2"}]
    assert finding.considered == 3  # empty links (P4's account was never migrated) are fine


def test_link_check_without_the_linked_table_is_a_broken_gate(own) -> None:
    spec, con = own
    frame = stage_frame(con, "mapped", "deal")
    con.execute('DROP TABLE mapped."account"')
    outcome = gate(con, spec, "mapped", "deal", frame)
    assert outcome.broken and not outcome.passed
    assert outcome.report.text.startswith("BROKEN GATE: expect_column_values_to_not_be_in_set on column account_external_id")
    assert "the linked table mapped.account does not exist" in outcome.report.text


def test_quarantine_share_over_the_threshold_fails_with_reasons_and_rows(own, tmp_path: Path) -> None:
    spec, con = own
    rows = [{"entity": "contact", "stage": "cleaned", "row_key": f"personen.csv:{n}", "source_file": "personen.csv", "source_line": n,
             "source_id": f"X{n}", "field": "last_name|email|mobile", "reason": "required_missing", "detail": "no valid value"} for n in (7, 8)]
    replace_ledger_rows(con, "quarantine", "contact", ledger_frame("quarantine", rows), stage="cleaned")
    raw = raw_frames()["contact"]
    replace_table(con, "raw", "contact", pd.concat([raw, raw_frame("personen.csv", list(raw.columns[:7]), [("X7",) + ("",) * 6, ("X8",) + ("",) * 6])]))
    outcome = gate(con, spec, "cleaned", "contact")
    assert not outcome.passed and not outcome.broken
    assert outcome.quarantine.extracted == 6 and outcome.quarantine.quarantined == 2
    assert outcome.report.text.splitlines()[0] == (
        "quarantine share of contact: 2 of 6 extracted rows (33.3%) quarantined against the threshold (max_quarantined=0.05); "
        "e.g. personen.csv:7 required_missing [last_name|email|mobile] (no valid value), "
        "personen.csv:8 required_missing [last_name|email|mobile] (no valid value)"
    )
    lenient = orbit_spec(tmp_path, gates={"max_quarantined": {"default": 0.05, "contact": 0.5}})
    assert gate(con, lenient, "cleaned", "contact").passed


def test_raw_rows_the_reader_could_not_parse_fail_the_raw_gate_with_their_lines(built) -> None:
    spec, con = built
    frame = stage_frame(con, "raw", "contact")
    frame["_raw_error"] = frame["_raw_error"].astype(object)
    frame.loc[1, "_raw_error"] = "field_count: 9 fields, the header has 7"
    outcome = gate(con, spec, "raw", "contact", frame)
    assert outcome.report.text.startswith("expect_column_values_to_be_null, column _raw_error: 1 of 4 rows (25.0%) against the threshold (mostly=0.95)")
    assert "at personen.csv:3" in outcome.report.text


def test_a_hand_written_suite_on_a_missing_column_is_a_broken_gate_not_bad_data(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    (suites / "mapped").mkdir(parents=True)
    (suites / "mapped" / "deal.json").write_text(json.dumps({"name": "mapped.deal", "expectations": [
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "currency", "value_set": ["EUR"]}},
    ]}), encoding="utf-8")
    spec = orbit_spec(tmp_path, gates={"expectations": str(suites)})
    con = build_stages(spec)
    frame = stage_frame(con, "mapped", "deal")
    frame.loc[0, "amount"] = None
    outcome = gate(con, spec, "mapped", "deal", frame)
    assert outcome.broken and not outcome.passed
    lines = outcome.report.text.splitlines()
    assert lines[0].startswith("BROKEN GATE: expect_column_values_to_be_in_set on column currency (from ")
    assert "mapped/deal.json expectations[0]) cannot run: " in lines[0] and 'The column "currency"' in lines[0]
    assert "not of the data" in lines[0]
    assert outcome.report.headline == "mapped deal: BROKEN GATE: 1 expectation(s) cannot run"
    assert "BROKEN GATE" in outcome.results[0].docs_page.read_text(encoding="utf-8")


def test_a_suite_file_that_is_not_a_suite_is_a_broken_gate(tmp_path: Path) -> None:
    suites = tmp_path / "suites"
    (suites / "cleaned").mkdir(parents=True)
    (suites / "cleaned" / "account.json").write_text('{"name": "x", "expectations": [{"type": "expect_column_values_to_be_uniq", "kwargs": {}}]}')
    spec = orbit_spec(tmp_path, gates={"expectations": str(suites)})
    con = build_stages(spec)
    outcome = gate(con, spec, "cleaned", "account")
    assert outcome.broken and outcome.results == []
    assert "account.json" in outcome.report.text and "unknown expectation type 'expect_column_values_to_be_uniq'" in outcome.report.text
