"""handover.cleaning.stage.clean_entity on small hand-made raw frames: every bucket, and the invariant
that each raw row leaves exactly once (record, quarantine, excluded or lineage)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from handover.cleaning.stage import CleanResult, LinkTarget, clean_entity, link_target
from handover.spec import MigrationSpec, SpecError, load_spec

CONTACT_COLUMNS = ["contact_id", "first_name", "last_name", "email", "phone", "created", "account_id", "notes"]
ACCOUNT_COLUMNS = ["account_id", "account_name", "website"]


def spec_data(**contact_changes: Any) -> dict:
    contact = {
        "from": "contacts.csv", "id": "contact_id",
        "fields": {"first_name": "first_name", "last_name": "last_name", "email": "email", "phone": "phone", "created_at": "created"},
        "links": {"account": "account_id"},
        "required": ["last_name|email"],
        "exclude": [{"when": "first_name = 'TEST'", "reason": "test record"}],
        "dedup": {"rules": ["email"]},
    }
    contact.update(contact_changes)
    return {
        "migration": "t",
        "source": {"type": "files", "path": "exports", "system": "old", "timezone": "Asia/Shanghai"},
        "target": {"type": "duckdb", "path": "work/crm.duckdb"},
        "entities": {
            "account": {
                "from": "accounts.csv", "id": "account_id", "fields": {"name": "account_name", "website": "website"},
                "required": ["name"], "dedup": {"rules": ["name"]},
            },
            "contact": contact,
        },
    }


def make_spec(tmp_path: Path, **contact_changes: Any) -> MigrationSpec:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(spec_data(**contact_changes), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_spec(path)


@dataclass(frozen=True)
class Broken:
    """A physical line the reader could not parse."""

    error: str
    text: str


def raw_frame(file: str, columns: list[str], rows: list[list[str | None] | Broken]) -> pd.DataFrame:
    """Raw rows as the files source stages them; row i is at line i + 2."""
    records = []
    for i, row in enumerate(rows):
        meta = {"_record_key": f"{file}:{i + 2}", "_source_file": file, "_source_line": i + 2}
        if isinstance(row, Broken):
            records.append({**dict.fromkeys(columns), **meta, "_raw_error": row.error, "_raw_text": row.text})
        else:
            assert len(row) == len(columns), "test bug: row width"
            records.append({**dict(zip(columns, row)), **meta, "_raw_error": None, "_raw_text": None})
    return pd.DataFrame(records, columns=[*columns, "_record_key", "_source_file", "_source_line", "_raw_error", "_raw_text"])


def contact(cid: str | None, first: str | None = "Ann", last: str | None = "Lee", email: str | None = None,
            phone: str | None = None, created: str | None = None, account: str | None = None, notes: str | None = None) -> list[str | None]:
    return [cid, first, last, email, phone, created, account, notes]


def row_of(frame: pd.DataFrame, key: str) -> dict:
    rows = frame.loc[frame["row_key"] == key]
    assert len(rows) == 1, f"{key}: {len(rows)} rows in\n{frame}"
    return rows.iloc[0].to_dict()


def assert_each_row_once(raw: pd.DataFrame, result: CleanResult) -> None:
    inputs = (raw["_source_file"] + ":" + raw["_source_line"].astype(str)).tolist()
    merged_away = result.lineage["row_key"].tolist()
    out = result.records["row_key"].tolist() + result.quarantine["row_key"].tolist() + result.excluded["row_key"].tolist() + merged_away
    assert sorted(out) == sorted(inputs)
    assert len(set(out)) == len(out)


# --- quarantine ------------------------------------------------------------------------------------


def test_broken_rows_are_quarantined_with_their_reason_code(tmp_path: Path) -> None:
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [
        contact("C1", email="a@x.com"),
        Broken("field_count: expected 8 fields, found 9", "C2,a,b,c,d,e,f,g,h"),
        Broken("undecodable_bytes: bytes not valid in utf-8", "C3,\\xd2\\xd2"),
    ])
    result = clean_entity(raw, "contact", make_spec(tmp_path))
    assert result.records["source_id"].tolist() == ["C1"]
    q = row_of(result.quarantine, "contacts.csv:3")
    assert q["reason"] == "field_count" and q["detail"] == "field_count: expected 8 fields, found 9"
    assert q["raw"] == "C2,a,b,c,d,e,f,g,h" and q["source_line"] == 3 and q["stage"] == "cleaned"
    assert row_of(result.quarantine, "contacts.csv:4")["reason"] == "undecodable_bytes"
    assert_each_row_once(raw, result)


def test_missing_id_is_quarantined(tmp_path: Path) -> None:
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [contact(None, email="a@x.com"), contact("  ", email="b@x.com"), contact("C3")])
    result = clean_entity(raw, "contact", make_spec(tmp_path))
    assert result.records["source_id"].tolist() == ["C3"]
    for key in ("contacts.csv:2", "contacts.csv:3"):
        q = row_of(result.quarantine, key)
        assert q["reason"] == "missing_id" and q["field"] == "contact_id"
        assert json.loads(q["raw"])["first_name"] == "Ann"  # the raw values, for a human to fix
    assert_each_row_once(raw, result)


def test_required_missing(tmp_path: Path) -> None:
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [contact("C1", last=None), contact("C2", last=None, email="c2@x.com")])
    result = clean_entity(raw, "contact", make_spec(tmp_path))
    q = row_of(result.quarantine, "contacts.csv:2")
    assert q["reason"] == "required_missing" and q["field"] == "last_name|email" and q["source_id"] == "C1"
    assert result.records["source_id"].tolist() == ["C2"]  # one of the alternatives is enough


def test_invalid_required_email_is_quarantined_as_invalid_email(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, required=["email"])
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [contact("C1", email="not-an-email"), contact("C2", email="ok@x.com")])
    result = clean_entity(raw, "contact", spec)
    q = row_of(result.quarantine, "contacts.csv:2")
    assert q["reason"] == "invalid_email" and q["field"] == "email"
    assert json.loads(q["raw"])["email"] == "not-an-email"
    assert result.records["source_id"].tolist() == ["C2"]
    assert result.issues.empty  # quarantined rows raise no issues as well


def test_invalid_optional_email_keeps_the_record_and_the_original(tmp_path: Path) -> None:
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [contact("C1", email="not-an-email", notes="vip")])
    result = clean_entity(raw, "contact", make_spec(tmp_path))
    record = row_of(result.records, "contacts.csv:2")
    assert record["email"] is None
    assert json.loads(record["extras"]) == {"invalid_values": {"email": "not-an-email"}, "notes": "vip"}
    issue = row_of(result.issues, "contacts.csv:2")
    assert (issue["field"], issue["code"], issue["value"]) == ("email", "invalid_email", "not-an-email")
    assert result.quarantine.empty


def test_same_id_with_different_values_is_one_record_with_its_conflicts_listed(tmp_path: Path) -> None:
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [
        contact("C1", email="a@x.com"), contact("C2"), contact("C1", email="b@x.com", phone="+86 138 1234 5678"),
    ])
    result = clean_entity(raw, "contact", make_spec(tmp_path))
    assert result.quarantine.empty
    assert sorted(result.records["source_id"]) == ["C1", "C2"]
    golden = result.records.set_index("source_id").loc["C1"]
    # identity of the first row, values from the most complete (no modified time to say which is the latest)
    assert golden["row_key"] == "contacts.csv:2" and golden["email"] == "b@x.com" and golden["phone"] == "+8613812345678"
    assert result.lineage[["row_key", "external_id", "golden_external_id", "rule"]].to_dict("records") == [
        {"row_key": "contacts.csv:4", "external_id": golden["external_id"], "golden_external_id": golden["external_id"], "rule": "repeated_id"}]
    conflicts = result.conflicts.set_index("field")
    assert list(conflicts.index) == ["email"]  # a value one row lacks is no conflict
    assert conflicts.loc["email", "kept"] == "b@x.com" and json.loads(conflicts.loc["email", "seen"]) == ["a@x.com", "b@x.com"]
    assert json.loads(conflicts.loc["email", "row_keys"]) == ["contacts.csv:2", "contacts.csv:4"]


# --- excluded and lineage --------------------------------------------------------------------------


def test_exclusion_rule(tmp_path: Path) -> None:
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [contact("C1", first="TEST"), contact("C2", first="Real")])
    result = clean_entity(raw, "contact", make_spec(tmp_path))
    assert result.excluded[["row_key", "source_id", "reason"]].to_dict("records") == [
        {"row_key": "contacts.csv:2", "source_id": "C1", "reason": "test record"}
    ]
    assert result.records["source_id"].tolist() == ["C2"]


def test_exclusion_rules_first_match_wins(tmp_path: Path) -> None:
    rules = [{"when": "first_name = 'TEST'", "reason": "test record"}, {"when": "notes ILIKE '%spam%'", "reason": "spam"}]
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [contact("C1", first="TEST", notes="spam"), contact("C2", notes="SPAM!")])
    result = clean_entity(raw, "contact", make_spec(tmp_path, exclude=rules))
    assert result.excluded["reason"].tolist() == ["test record", "spam"]
    assert result.records.empty


def test_bad_exclusion_sql_is_a_spec_error_naming_the_path(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, exclude=[{"when": "first_name = 'x'", "reason": "a"}, {"when": "no_such_column = 1", "reason": "b"}])
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [contact("C1")])
    with pytest.raises(SpecError) as info:
        clean_entity(raw, "contact", spec)
    message = str(info.value)
    assert "spec.yaml:" in message and "entities.contact.exclude.1.when" in message
    assert "no_such_column" in message and "columns: contact_id, first_name" in message


def test_repeated_identical_line_goes_to_lineage(tmp_path: Path) -> None:
    line = contact("C1", email="a@x.com")
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [line, list(line), list(line)])
    result = clean_entity(raw, "contact", make_spec(tmp_path))
    assert result.records["row_key"].tolist() == ["contacts.csv:2"]
    assert result.lineage[["row_key", "golden_external_id", "rule"]].to_dict("records") == [
        {"row_key": "contacts.csv:3", "golden_external_id": "old:contact:C1", "rule": "repeated_line"},
        {"row_key": "contacts.csv:4", "golden_external_id": "old:contact:C1", "rule": "repeated_line"},
    ]
    assert result.quarantine.empty
    assert_each_row_once(raw, result)


def test_dedup_by_email_merges_into_the_oldest_record(tmp_path: Path) -> None:
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [
        contact("C1", email="Ann@X.com", created="2021-05-01", phone=None),
        contact("C2", email="ann@x.com", created="2019-01-01", phone="13800138000"),
        contact("C3", email="other@x.com"),
    ])
    result = clean_entity(raw, "contact", make_spec(tmp_path))
    assert sorted(result.records["source_id"]) == ["C2", "C3"]
    golden = row_of(result.records, "contacts.csv:3")
    assert golden["external_id"] == "old:contact:C2" and golden["merged_count"] == 1
    assert golden["phone"] == "+8613800138000"
    assert json.loads(golden["extras"])["merged_from"] == ["C1"]
    merged = row_of(result.lineage, "contacts.csv:2")
    assert (merged["source_id"], merged["external_id"], merged["golden_external_id"], merged["rule"]) == (
        "C1", "old:contact:C1", "old:contact:C2", "exact:email")
    target = result.link_target()
    assert target.resolve["C1"] == target.resolve["C2"] == "old:contact:C2"
    guards = result.guards.set_index("guard")  # for ledger.dedup_guards: every guard, on or off, and its count
    assert set(guards.index) == {"shared_values", "names", "shared_evidence", "weak_links"}
    assert (guards["entity"] == "contact").all() and (guards["held"] == 0).all()
    assert guards.loc["shared_values", "unit"] == "records" and guards.loc["names", "unit"] == "pairs"


# --- links -----------------------------------------------------------------------------------------


def accounts(tmp_path: Path, spec: MigrationSpec) -> CleanResult:
    raw = raw_frame("accounts.csv", ACCOUNT_COLUMNS, [
        ["A1", "Acme", "acme.com"],
        ["A2", "ACME", None],  # merged into A1 by name
        ["A3", None, "x.com"],  # quarantined: required name missing
        ["A4", "Beta", None],
    ])
    return clean_entity(raw, "account", spec)


def test_links_resolve_through_merges_and_report_orphans(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    account_result = accounts(tmp_path, spec)
    assert sorted(account_result.records["source_id"]) == ["A1", "A4"]
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [
        contact("C1", email="c1@x.com", account="A2"),
        contact("C2", email="c2@x.com", account="A9"),
        contact("C3", email="c3@x.com", account="A3"),
        contact("C4", email="c4@x.com", account=None),
        contact("C5", email="c5@x.com", account=" A4 "),
    ])
    result = clean_entity(raw, "contact", spec, {"account": account_result.link_target()})
    by_id = result.records.set_index("source_id")
    assert by_id.loc["C1", "account_external_id"] == "old:account:A1"  # A2 was merged into A1
    assert by_id.loc["C2", "account_external_id"] is None
    assert by_id.loc["C3", "account_external_id"] is None
    assert by_id.loc["C4", "account_external_id"] is None
    assert by_id.loc["C5", "account_external_id"] == "old:account:A4"
    issues = result.issues.set_index("source_id")
    assert issues.loc["C2", "code"] == "orphan_link" and issues.loc["C2", "value"] == "A9"
    assert issues.loc["C3", "code"] == "link_to_quarantined"
    assert set(issues.index) == {"C2", "C3"}
    assert json.loads(by_id.loc["C2", "extras"])["unresolved_links"] == {"account": "A9"}


def test_links_without_a_target_are_orphans(tmp_path: Path) -> None:
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [contact("C1", account="A1")])
    result = clean_entity(raw, "contact", make_spec(tmp_path))
    assert result.records["account_external_id"].tolist() == [None]
    assert result.issues["code"].tolist() == ["orphan_link"]


def test_link_target_marks_excluded_and_quarantined_ids() -> None:
    records = pd.DataFrame({"source_id": ["A1"], "external_id": ["s:account:A1"]})
    lineage = pd.DataFrame({"source_id": ["A2"], "golden_external_id": ["s:account:A1"]})
    quarantine = pd.DataFrame({"source_id": ["A3", "A1", None]})
    excluded = pd.DataFrame({"source_id": ["A4"]})
    target = link_target(records, lineage, quarantine, excluded)
    assert target == LinkTarget({"A1": "s:account:A1", "A2": "s:account:A1"}, {"A4": "excluded", "A3": "quarantined"})


# --- values and the invariant ----------------------------------------------------------------------


def test_values_are_normalised_and_changes_logged(tmp_path: Path) -> None:
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [contact("Ｃ１", first="  Ann  ", email="ANN@X.COM", created="2023-05-01 08:00")])
    result = clean_entity(raw, "contact", make_spec(tmp_path))
    record = result.records.iloc[0]
    assert record["source_id"] == "C1" and record["external_id"] == "old:contact:C1"
    assert record["first_name"] == "Ann" and record["email"] == "ann@x.com"
    assert pd.Timestamp(record["created_at"]) == pd.Timestamp("2023-05-01 00:00", tz="UTC")  # 08:00 in Shanghai
    changed = set(result.changes["field"])
    assert {"first_name", "email", "created_at"} <= changed


def test_every_row_leaves_exactly_once(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    account_result = accounts(tmp_path, spec)
    twice = contact("C5", email="rep@x.com")
    raw = raw_frame("contacts.csv", CONTACT_COLUMNS, [
        contact("C1", email="ann@x.com", created="2020-01-01", account="A1"),
        contact("C2", email="ANN@x.com", created="2021-01-01", account="A2"),
        contact(None, email="n@x.com"),
        contact("C3", last=None),
        contact("C4", email="bad-mail", account="A9"),
        contact("C9", first="TEST", email="t@x.com"),
        twice, list(twice),
        contact("C7", email="o@x.com"), contact("C7", email="o2@x.com"),
        contact("C8", last=None, email="bad@"),
        Broken("malformed_csv: unexpected end of data", 'C10,"x'),
        contact("C11", email="ann@x.com"),
    ])
    result = clean_entity(raw, "contact", spec, {"account": account_result.link_target()})
    assert_each_row_once(raw, result)
    assert sorted(result.records["source_id"]) == ["C1", "C4", "C5", "C7"]  # C1 is the golden record of C2 and C11
    assert sorted(result.quarantine["reason"]) == ["invalid_email", "malformed_csv", "missing_id", "required_missing"]
    assert sorted(result.lineage["rule"]) == ["exact:email", "exact:email", "repeated_id", "repeated_line"]
    assert result.excluded["source_id"].tolist() == ["C9"]
