"""The reconciliation report, rendered from a staging database built by hand.

The migration is shaped unlike the demo: three entities (no deals or activities), an owner merged into
another, a departed owner with a successor, records of an owner missing from the export and records
with no owner; one entity does not balance."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup

from handover.links import DOCS_ROOT_ENV, DOCS_URL_ENV
from handover.report import render_report, write_report
from handover.report.chart import MIN_SEGMENT, segment_widths
from handover.spec import MigrationSpec, load_spec
from handover.staging import append_ledger_rows, connect, ensure_ledger, ledger_frame, replace_table

SPEC = {
    "migration": "acme_crm",
    "description": "Acme's old CRM to the new one",
    "source": {"type": "files", "path": "exports"},
    "target": {"type": "duckdb", "path": "work/target.duckdb"},
    "owners": {"match_by": "email", "departed": {"policy": "successor", "successor_of": {"S2": "S1"}, "fallback": "S1"}},
    "entities": {
        "owner": {"from": "users.csv", "id": "uid", "fields": {"name": "full_name", "email": "mail", "active": "enabled"}},
        "account": {"from": "orgs.csv", "id": "org_id", "owner": "rep", "fields": {"name": "org_name"},
                    "dedup": {"rules": ["name"], "probabilistic": {"review_between": [0.7, 0.9]}}},
        "contact": {"from": "people.csv", "id": "pid", "owner": "rep",
                    "fields": {"first_name": "given", "last_name": "family", "email": "mail"}, "links": {"account": "org"}},
    },
}
OWNERS = [  # source id, name, email, active
    ("S1", "Alice Wang", "alice@acme.example", True),
    ("S2", "Bob Li", "bob@acme.example", False),
    ("S3", "Carol Diaz", "carol@acme.example", True),
]
# contact rows: (old owner source id, resolution, new owner external id)
CONTACT_OWNERS = (
    [("S2", "successor", "acme:owner:S1")] * 3
    + [("S9", "fallback:unknown_owner", "acme:owner:S1")] * 2
    + [(None, "fallback:no_owner", "acme:owner:S1")]
    + [("S4", "direct", "acme:owner:S3"), ("S3", "direct", "acme:owner:S3")]
)
ACCOUNT_OWNERS = [("S2", "successor", "acme:owner:S1")] * 2 + [("S1", "direct", "acme:owner:S1")]
HOSTILE = "<script>alert('x')</script>"


@pytest.fixture
def spec(tmp_path: Path) -> MigrationSpec:
    path = tmp_path / "acme.yaml"
    path.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    return load_spec(path)


def _frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def build_staging(spec: MigrationSpec, *, approvals: bool = False) -> duckdb.DuckDBPyConnection:
    spec.staging_path.unlink(missing_ok=True)
    con = connect(spec.staging_path)
    ensure_ledger(con)
    replace_table(con, "cleaned", "owner", _frame([
        {"source_id": s, "external_id": f"acme:owner:{s}", "name": n, "email": e, "active": a, "row_key": f"users.csv:{i + 2}"}
        for i, (s, n, e, a) in enumerate(OWNERS)]))
    append_ledger_rows(con, "lineage", ledger_frame("lineage", [
        {"entity": "owner", "row_key": "users.csv:9", "source_id": "S4", "external_id": "acme:owner:S4",
         "golden_external_id": "acme:owner:S3", "rule": "email"}]))
    for entity, owners, file in (("contact", CONTACT_OWNERS, "people.csv"), ("account", ACCOUNT_OWNERS, "orgs.csv")):
        keys = [f"{file}:{i + 2}" for i in range(len(owners))]
        replace_table(con, "cleaned", entity, _frame([
            {"row_key": k, "source_id": f"{entity[0]}{i}", "external_id": f"acme:{entity}:{i}", "owner_source_id": o}
            for i, (k, (o, _, _)) in enumerate(zip(keys, owners))]))
        replace_table(con, "mapped", entity, _frame([
            {"external_id": f"acme:{entity}:{i}", "source_id": f"{entity[0]}{i}", "row_key": k, "email": f"p{i}@acme.example",
             "owner_external_id": new, "owner_resolution": how, "content_hash": "h"}
            for i, (k, (_, how, new)) in enumerate(zip(keys, owners))]))
    quarantined = []
    for line in range(30, 37):  # 7 rows; the first has two problems
        raw = {"pid": f"Q{line}", "given": "Ann", "family": "", "mail": HOSTILE if line == 30 else f"bad{line}-at-example"}
        quarantined.append({"entity": "contact", "stage": "cleaned", "row_key": f"people.csv:{line}", "source_file": "people.csv",
                            "source_line": line, "source_id": f"Q{line}", "field": "email", "reason": "invalid_email",
                            "detail": "not an email address", "raw": json.dumps(raw)})
    quarantined.append({**quarantined[0], "field": "last_name", "reason": "required_missing", "detail": "no valid value for last_name"})
    append_ledger_rows(con, "quarantine", ledger_frame("quarantine", quarantined))
    append_ledger_rows(con, "loads", ledger_frame("loads", [
        {"entity": "contact", "external_id": "acme:contact:0", "row_key": "people.csv:2", "status": "rejected",
         "error": "FIELD_INTEGRITY: email is not allowed"},
        {"entity": "contact", "external_id": "acme:contact:1", "row_key": "people.csv:3", "status": "created"}]))
    append_ledger_rows(con, "review", ledger_frame("review", [
        {"entity": "account", "left_id": "acme:account:0", "right_id": "acme:account:1", "probability": 0.81},
        {"entity": "account", "left_id": "acme:account:0", "right_id": "acme:account:2", "probability": 0.88}]))
    append_ledger_rows(con, "dedup_guards", ledger_frame("dedup_guards", [
        {"entity": "account", "guard": "shared_values", "enabled": True, "held": 42, "unit": "records"},
        {"entity": "account", "guard": "names", "enabled": False, "held": 0, "unit": "pairs"}]))
    replace_table(con, "reconciled", "accounting", _frame([
        {"entity": "owner", "extracted": 4, "loaded": 2, "merged": 1, "quarantined": 0, "rejected": 0, "excluded": 1,
         "unaccounted": 0, "double_counted": 0, "phantom": 0, "remainder": 0, "balanced": True},
        {"entity": "account", "extracted": 5, "loaded": 3, "merged": 0, "quarantined": 0, "rejected": 0, "excluded": 0,
         "unaccounted": 2, "double_counted": 0, "phantom": 0, "remainder": 2, "balanced": False},
        {"entity": "contact", "extracted": 10000, "loaded": 9990, "merged": 2, "quarantined": 7, "rejected": 1, "excluded": 0,
         "unaccounted": 0, "double_counted": 0, "phantom": 0, "remainder": 0, "balanced": True},
    ]))
    replace_table(con, "reconciled", "comparison", _frame([
        {"entity": "contact", "expected": 9990, "found": 9990, "missing": 0,
         "field_mismatches": json.dumps({"email": 1, "first_name": 0}),
         "samples": json.dumps([{"external_id": "acme:contact:5", "field": "email", "mapped": "p5@acme.example", "target": "P5@ACME.EXAMPLE"}]),
         "not_in_this_run": 0, "ok": False},
        {"entity": "account", "expected": 3, "found": 3, "missing": 0, "field_mismatches": "{}", "samples": "[]",
         "not_in_this_run": 0, "ok": True},
    ]))
    if approvals:
        # the table `handover approve` fills (handover.approval.mirror)
        con.execute("INSERT INTO ledger.approvals (approved_at, approver, role, data_hash) "
                    "VALUES ('2025-03-01 09:30:00+00', 'Dana Reviewer', 'data_owner', 'abc123')")
    review = spec.work_dir / "review"
    review.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"decision": [""], "probability": [0.81], "left_id": ["acme:account:0"], "right_id": ["acme:account:1"],
                  "left_name": ["Acme GmbH"], "right_name": ["ACME G.m.b.H."]}).to_csv(review / "account.csv", index=False, encoding="utf-8-sig")
    pd.DataFrame({"left_id": ["acme:account:0"], "right_id": ["acme:account:2"], "decision": ["match"],
                  "decided_at": ["2025-03-01T09:00:00+00:00"]}).to_csv(review / "account.decisions.csv", index=False)
    _write_docs(spec.work_dir / "data_docs")
    return con


def _write_docs(docs: Path) -> None:
    """One Data Docs page as run_suite leaves it: the result JSON next to its HTML page."""
    page = docs / "mapped" / "contact"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.with_suffix(".html").write_text("<html><head></head><body>FAILED</body></html>", encoding="utf-8")
    page.with_suffix(".json").write_text(json.dumps({
        "suite_name": "mapped.contact", "success": False,
        "statistics": {"evaluated_expectations": 4, "unsuccessful_expectations": 1},
        "meta": {"handover": {"page_name": "mapped/contact", "title": "acme_crm: mapped contact", "rows": 9990,
                              "run_label": "r1", "run_time": "2025-03-01T09:00:00+00:00"}},
    }), encoding="utf-8")
    (docs / "index.html").write_text("<html></html>", encoding="utf-8")


@pytest.fixture
def report(spec: MigrationSpec) -> BeautifulSoup:
    con = build_staging(spec)
    try:
        return BeautifulSoup(render_report(con, spec, rows_per_entity=3), "html.parser")
    finally:
        con.close()


def _cells(row) -> list[str]:
    return [" ".join(cell.get_text(" ", strip=True).split()) for cell in row.find_all(["td", "th"])]


def test_chart_has_one_bar_per_entity_with_each_bucket_drawn(report: BeautifulSoup) -> None:
    bars = report.select("#accounting-chart g.bar")
    assert [b["data-entity"] for b in bars] == ["owner", "account", "contact"]
    segments = {b["data-entity"]: {s["data-bucket"]: int(s["data-count"]) for s in b.select("rect.segment")} for b in bars}
    assert segments["owner"] == {"loaded": 2, "merged": 1, "excluded": 1}
    # the rows in no bucket are drawn, so a bar that does not add up looks like it
    assert segments["account"] == {"loaded": 3, "unaccounted": 2}
    assert segments["contact"] == {"loaded": 9990, "merged": 2, "quarantined": 7, "rejected": 1}
    contact = {s["data-bucket"]: float(s["width"]) for s in report.select('#accounting-chart g[data-entity="contact"] rect.segment')}
    assert min(contact.values()) >= MIN_SEGMENT - 1e-6  # 1 row in 10,000 is still visible
    assert sum(contact.values()) == pytest.approx(560, abs=0.05)
    titles = [t.get_text() for t in report.select('#accounting-chart g[data-entity="contact"] rect.segment title')]
    assert "contact: 7 quarantined (0.1%)" in titles
    assert "FAILED" in report.select_one("#verdict").get_text()


def test_segment_widths_stay_proportional_and_fill_the_bar() -> None:
    assert segment_widths([50, 50], 100) == [50, 50]
    assert segment_widths([0, 0], 100) == [0, 0]
    widths = segment_widths([9998, 1, 1, 0], 560)
    assert widths[3] == 0 and widths[1] == widths[2] == MIN_SEGMENT
    assert sum(widths) == pytest.approx(560)


def test_owner_table_says_who_handed_what_to_whom(report: BeautifulSoup) -> None:
    table = report.select_one("#owner-handover")
    header = _cells(table.select_one("thead tr"))
    assert header[4:] == ["account", "contact", "total"]
    rows = [_cells(r) for r in table.select("tbody tr")]
    by_old = {r[0]: r for r in rows}
    assert by_old["Bob Li S2 bob@acme.example"] == [
        "Bob Li S2 bob@acme.example", "departed", "Alice Wang S1 alice@acme.example", "successor", "2", "3", "5"]
    assert by_old["(unknown) S9"][1:] == ["not in the owner export", "Alice Wang S1 alice@acme.example", "fallback:unknown_owner", "0", "2", "2"]
    assert by_old["(no owner)"][1:] == ["no owner in the source", "Alice Wang S1 alice@acme.example", "fallback:no_owner", "0", "1", "1"]
    assert len(rows) == 3  # direct records, including those of the merged owner S4, are no handover
    assert _cells(table.select_one("tfoot tr"))[-3:] == ["2", "6", "8"]
    resolution = {r[0]: r[1:] for r in map(_cells, report.select("#owner-resolution tbody tr"))}
    assert resolution["direct"] == ["1", "2"] and resolution["successor"] == ["2", "3"]


def test_quarantine_shows_values_and_how_many_of_how_many(report: BeautifulSoup) -> None:
    heading = report.select_one("#quarantine-contact")
    assert "3 of 7 shown" in heading.get_text()
    rows = report.select('table.quarantine[data-entity="contact"] tbody tr')
    assert len(rows) == 3
    first = rows[0]
    assert "people.csv:30" in first.get_text()
    problems = [p.get_text(" ", strip=True) for p in first.select("td:nth-of-type(3) .problem")]
    assert any("invalid_email" in p for p in problems) and any("required_missing" in p for p in problems)
    values = [v.get_text() for v in first.select(".value")]
    assert HOSTILE in values and "(empty)" in values  # the refused values, shown as text
    assert "bad31-at-example" in rows[1].get_text()
    assert "SELECT * FROM ledger.quarantine WHERE entity = 'contact'" in report.select_one("#quarantine").get_text()


def test_source_values_are_escaped(spec: MigrationSpec) -> None:
    con = build_staging(spec)
    try:
        html = render_report(con, spec, rows_per_entity=3)
    finally:
        con.close()
    assert HOSTILE not in html
    assert "&lt;script&gt;" in html


def test_rejected_records_show_the_error_and_the_values_sent(report: BeautifulSoup) -> None:
    assert "1 of 1 shown" in report.select_one("#rejected-contact").get_text()
    row = _cells(report.select_one('table.rejected[data-entity="contact"] tbody tr'))
    assert row[1] == "acme:contact:0" and row[2] == "FIELD_INTEGRITY: email is not allowed"
    assert "p0@acme.example" in row[3] and "acme:owner:S1" in row[3]


def test_field_differences_show_both_values(report: BeautifulSoup) -> None:
    summary = {r[0]: r for r in map(_cells, report.select("#comparison tbody tr"))}
    assert summary["contact"][4:] == ["email: 1", "DIFFERS"] and summary["account"][4:] == ["none", "matches"]
    detail = _cells(report.select_one('table.differences[data-entity="contact"] tbody tr'))
    assert detail == ["email", "1", "acme:contact:5", "p5@acme.example", "P5@ACME.EXAMPLE"]
    assert report.select('table.differences[data-entity="account"]') == []


def test_review_queue_counts_and_links_the_queue_file(report: BeautifulSoup) -> None:
    counts = _cells(report.select_one('table.review-counts[data-entity="account"] tbody tr'))
    assert counts == ["2", "0.81 – 0.88", "1", "0", "1", "review/account.csv"]
    link = report.select_one('table.review-counts[data-entity="account"] a')
    assert link["href"] == "../review/account.csv"  # relative: the work folder can be zipped and mailed
    sample = _cells(report.select_one("table.review-sample tbody tr"))
    assert sample[:3] == ["0.81", "acme:account:0", "acme:account:1"] and sample[3] == "Acme GmbH ACME G.m.b.H."


def test_review_section_shows_what_each_dedup_guard_held_back(report: BeautifulSoup) -> None:
    rows = [_cells(r)[:3] for r in report.select('table.dedup-guards[data-entity="account"] tbody tr')]
    assert rows == [["names", "off", "–"], ["shared_values", "on", "42 records"]]


def test_approvals_empty_state_and_rows(spec: MigrationSpec, report: BeautifulSoup) -> None:
    assert "No approvals recorded." in report.select_one("#approvals").get_text()
    con = build_staging(spec, approvals=True)
    try:
        approved = BeautifulSoup(render_report(con, spec), "html.parser")
    finally:
        con.close()
    assert "No approvals recorded." not in approved.select_one("#approvals").get_text()
    assert _cells(approved.select_one("#approvals-table tbody tr"))[1:4] == ["Dana Reviewer", "data_owner", "abc123"]


def test_links_are_relative_and_nothing_is_loaded_from_elsewhere(spec: MigrationSpec, monkeypatch: pytest.MonkeyPatch) -> None:
    # even with the docs server configured, the report's own links stay relative
    monkeypatch.setenv(DOCS_URL_ENV, "http://127.0.0.1:3001")
    monkeypatch.setenv(DOCS_ROOT_ENV, str(spec.work_dir.parent))
    con = build_staging(spec)
    try:
        path = write_report(con, spec)
    finally:
        con.close()
    html = path.read_text(encoding="utf-8")
    page = BeautifulSoup(html, "html.parser")
    hrefs = [a["href"] for a in page.find_all("a")]
    assert "../data_docs/index.html" in hrefs and "../data_docs/mapped/contact.html" in hrefs
    for href in hrefs:
        assert href.startswith("#") or not re.match(r"(?i)([a-z]+:|/)", href), href
        if not href.startswith("#"):
            assert (path.parent / href).resolve().exists(), href
    assert page.find_all(["script", "link", "img", "iframe"]) == []
    assert page.select("svg") and "@media print" in page.style.get_text()
    assert page.select_one("#signoff") is not None


def test_report_of_a_migration_not_yet_reconciled(tmp_path: Path, spec: MigrationSpec) -> None:
    con = connect(spec.staging_path)
    try:
        page = BeautifulSoup(render_report(con, spec), "html.parser")
    finally:
        con.close()
    assert "No reconciliation has run yet" in page.select_one("#verdict").get_text()
    assert page.select("#accounting-chart") == []
    assert "No row was quarantined." in page.select_one("#quarantine").get_text()
    assert "No approvals recorded." in page.select_one("#approvals").get_text()
