"""Golden records by survivorship rules, and the reviewer's queue and decisions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from handover.cleaning.golden import deduplicate
from handover.review import ReviewError, harvest, read_decisions, write_queue
from handover.spec import EntitySpec, SpecError, load_spec
from tests.conftest import write_spec


def contacts(rows: list[tuple]) -> pd.DataFrame:
    columns = ["source_id", "email", "phone", "title", "modified_at", "created_at", "_source_file", "_source_line"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["external_id"] = "old:contact:" + frame["source_id"]
    frame["row_key"] = frame["_source_file"] + ":" + frame["_source_line"].astype(str)
    frame["extras"] = [{} for _ in range(len(frame))]
    frame["first_name"], frame["last_name"] = "Wei", "Wang"
    return frame


def entity(survivorship: dict) -> EntitySpec:
    return EntitySpec.model_validate({
        "from": ["ours.csv", "acquired.csv"], "id": "contact_id",
        "fields": {"first_name": "first_name", "last_name": "last_name", "email": "email", "phone": "phone", "title": "title",
                   "modified_at": "modified", "created_at": "created"},
        "dedup": {"rules": ["email"], "survivorship": survivorship},
    })


ROWS = [
    # source_id, email, phone, title, modified_at, created_at, file, line
    ("C1", "wei@x.example", None, "Engineer", "2024-01-01", "2020-01-01", "ours.csv", 2),
    ("C9", "wei@x.example", "+8613812345678", "Senior Engineer and Team Lead", "2025-06-01", "2022-01-01", "acquired.csv", 2),
    ("C5", "wei@x.example", "+8613900000000", "Eng", "2023-01-01", "2021-01-01", "ours.csv", 9),
]


def test_most_recent_takes_each_field_from_the_latest_record_with_a_value() -> None:
    result = deduplicate(contacts(ROWS), "contact", entity({"default": "most_recent"}))
    assert len(result.records) == 1
    golden = result.records.iloc[0]
    assert golden["external_id"] == "old:contact:C1"  # identity: the oldest record, stable across runs
    assert golden["title"] == "Senior Engineer and Team Lead" and golden["phone"] == "+8613812345678"
    assert golden["merged_count"] == 2
    assert sorted(result.lineage["source_id"]) == ["C5", "C9"]
    assert set(result.lineage["golden_external_id"]) == {"old:contact:C1"}
    assert set(result.lineage["rule"]) == {"exact:email"}
    assert sorted(golden["extras"]["merged_from"]) == ["C5", "C9"]


def test_source_priority_and_per_field_rules() -> None:
    rules = {"default": "source_priority", "source_priority": ["ours.csv", "acquired.csv"], "fields": {"title": "longest", "phone": "oldest"}}
    golden = deduplicate(contacts(ROWS), "contact", entity(rules)).records.iloc[0]
    assert golden["modified_at"] == "2024-01-01"  # ours.csv wins, its earliest line first
    assert golden["title"] == "Senior Engineer and Team Lead"  # longest
    assert golden["phone"] == "+8613900000000"  # the oldest record with a phone


def test_records_matching_nothing_pass_through_unchanged() -> None:
    rows = [("C1", "a@x.example", None, "A", None, None, "ours.csv", 2), ("C2", "b@x.example", None, "B", None, None, "ours.csv", 3)]
    result = deduplicate(contacts(rows), "contact", entity({}))
    assert sorted(result.records["source_id"]) == ["C1", "C2"] and result.lineage.empty


def test_survivorship_is_checked_against_the_spec(tmp_path: Path, small_export: Path) -> None:
    path = write_spec(tmp_path, small_export)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["entities"]["contact"]["dedup"]["survivorship"] = {"default": "source_priority", "fields": {"nickname": "longest"}}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SpecError) as error:
        load_spec(path)
    message = str(error.value)
    assert "survivorship for unmapped field 'nickname'" in message
    assert "rule source_priority needs the files in order of trust" in message


def test_reviewer_decisions_are_harvested_kept_and_the_queue_shrinks(tmp_path: Path) -> None:
    queue, store = tmp_path / "contact.csv", tmp_path / "contact.decisions.csv"
    records = pd.DataFrame({"external_id": ["a", "b", "c"], "first_name": ["Wei", "Wei", "=cmd|' /C calc'!A0"], "phone": ["+861", "+862", None]})
    pairs = pd.DataFrame({"left_id": ["a", "a"], "right_id": ["b", "c"], "probability": [0.91, 0.85]})
    written = write_queue(pairs, records, ["first_name", "phone"], queue, harvest(queue, store))
    assert list(written["left_id"]) == ["a", "a"] and list(written["decision"]) == ["", ""]
    assert list(written["right_first_name"]) == ["Wei", "'=cmd|' /C calc'!A0"]  # formula neutralised
    assert list(written["left_phone"]) == ["+861", "+861"]  # a phone number cannot run anything: kept intact

    edited = pd.read_csv(queue, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    edited.loc[edited["right_id"] == "b", "decision"] = "No_Match "
    edited.to_csv(queue, index=False)
    decisions = harvest(queue, store)
    assert decisions[["left_id", "right_id", "decision"]].values.tolist() == [["a", "b", "no_match"]]
    assert store.exists() and decisions["decided_at"].iloc[0] != ""

    again = write_queue(pairs, records, ["first_name"], queue, decisions)
    assert list(again["right_id"]) == ["c"]  # the decided pair is not asked again
    assert harvest(queue, store)[["left_id", "right_id"]].values.tolist() == [["a", "b"]]  # kept across runs


def test_a_bad_decision_names_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "contact.csv"
    path.write_text("left_id,right_id,decision\na,b,match\na,c,maybe\n", encoding="utf-8")
    with pytest.raises(ReviewError, match=r"contact.csv:3: decision 'maybe'; write match or no_match"):
        read_decisions(path)
    path.write_text("left,right,decision\n", encoding="utf-8")
    with pytest.raises(ReviewError, match="missing column"):
        read_decisions(path)


def test_queue_summary_counts_pairs_and_what_each_guard_held_back() -> None:
    import duckdb

    from handover.review import queue_summary
    from handover.staging import append_ledger_rows, ledger_frame

    con = duckdb.connect(":memory:")
    rows = [("contact", "a", "b", 0.99, "names"), ("contact", "c", "d", 0.97, "names"), ("contact", "e", "f", 0.85, "between thresholds"),
            ("contact", "g", "h", 0.96, "weak_links"), ("account", "x", "y", 0.9, "between thresholds")]
    append_ledger_rows(con, "review", ledger_frame("review", pd.DataFrame(rows, columns=["entity", "left_id", "right_id", "probability", "reason"])))
    summary = queue_summary(con).set_index("entity")
    assert summary.loc["contact", "pairs_to_review"] == 4 and summary.loc["account", "pairs_to_review"] == 1
    assert summary.loc["contact", "held_by_names"] == 2 and summary.loc["contact", "held_by_weak_links"] == 1
    assert summary.loc["contact", "held_by_shared_evidence"] == 0
    append_ledger_rows(con, "dedup_guards", ledger_frame("dedup_guards", [
        {"entity": "contact", "guard": "shared_values", "enabled": True, "held": 60, "unit": "records"},
        {"entity": "contact", "guard": "names", "enabled": True, "held": 5, "unit": "pairs"},
        {"entity": "contact", "guard": "weak_links", "enabled": False, "held": 0, "unit": "pairs"},
        {"entity": "deal", "guard": "names", "enabled": True, "held": 0, "unit": "pairs"}]))
    summary = queue_summary(con).set_index("entity")
    assert summary.loc["contact", "guard_shared_values"] == 60 and summary.loc["contact", "guard_names"] == 5
    assert pd.isna(summary.loc["contact", "guard_weak_links"])  # switched off: no count, not zero
    assert summary.loc["deal", "pairs_to_review"] == 0 and summary.loc["deal", "guard_names"] == 0
