"""Data Docs keep every run's pages, and the index lists runs by time, migration and outcome."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from handover.gates import run_suite
from handover.gates_docs import HISTORY_DIR, latest_entries, run_folder, run_name, run_page, write_docs_index

RUN_1 = "0b5e7a52-93c4-4d0c-9d3e-0d2f6c1e9a11"
RUN_2 = "f3c1d9e0-1111-4a2b-8c3d-222233334444"
SUITE = {
    "name": "cleaned.account",
    "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "name"}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": "website", "regex": r"^https://"}},
    ],
}


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    path = tmp_path / "suites" / "account.json"
    path.parent.mkdir()
    path.write_text(json.dumps(SUITE), encoding="utf-8")
    return path


GOOD = pd.DataFrame({"name": ["北辰 Ltd", "Kite GmbH"], "website": ["https://beichen.example", "https://kite.example"]})
BAD = pd.DataFrame({"name": ["北辰 Ltd", None, "Kite"], "website": ["https://beichen.example", "ftp://x", "www.kite"]})


def _soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_run_keeps_its_pages(tmp_path: Path, suite: Path) -> None:
    docs = tmp_path / "docs"
    first = run_suite(BAD, suite, docs, page_name="cleaned/account", title="crm_one: cleaned account", run_label=RUN_1)
    kept_first = run_page(docs, first)
    second = run_suite(GOOD, suite, docs, page_name="cleaned/account", title="crm_one: cleaned account", run_label=RUN_2)
    kept_second = run_page(docs, second)

    assert kept_first == docs / HISTORY_DIR / RUN_1 / "cleaned" / "account.html"
    assert kept_second == docs / HISTORY_DIR / RUN_2 / "cleaned" / "account.html"
    # the first run's page still tells what that run found, after a later run passed
    assert "FAILED" in _soup(kept_first).title.get_text()
    assert "ftp://x" in kept_first.read_text(encoding="utf-8")
    assert "passed" in _soup(kept_second).title.get_text()
    assert "passed" in _soup(second.docs_page).title.get_text()

    index = _soup(docs / "index.html")
    runs = [[c.get_text(" ", strip=True) for c in row.find_all("td")] for row in index.select("table.ho-runs tbody tr")]
    assert [r[0] for r in runs] == ["PASSED", "FAILED"]  # newest first
    assert runs[0][1].endswith(f"UTC, run {RUN_2[:8]}") and runs[1][1].endswith(f"UTC, run {RUN_1[:8]}")
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", runs[1][1])
    assert runs[1][2:] == ["crm_one", "1", "cleaned/account"]
    text = index.get_text(" ")
    assert RUN_1 not in text and RUN_2 not in text  # no raw ids for a person to read

    # each run has its own index; a kept page's "all gates" link leads there, and on to the main index
    run_index = docs / HISTORY_DIR / RUN_1 / "index.html"
    link = next(a["href"] for a in _soup(kept_first).find_all("a") if "All gates" in a.get_text())
    assert (kept_first.parent / link).resolve() == run_index.resolve()
    up = next(a["href"] for a in _soup(run_index).find_all("a") if "All gates and runs" in a.get_text())
    assert (run_index.parent / up).resolve() == (docs / "index.html").resolve()
    pages = [a["href"] for a in _soup(run_index).select("tbody a")]
    assert [(run_index.parent / p).resolve() for p in pages] == [kept_first.resolve()]

    # the latest pages are listed as before, with the run that wrote them
    latest = latest_entries(docs)
    assert [(e["page"], e["success"], e["run_label"]) for e in latest] == [("cleaned/account", True, RUN_2)]


def test_a_page_older_than_its_result_is_not_kept(tmp_path: Path, suite: Path) -> None:
    """Another writer may have replaced the JSON but not yet the page: the pair must agree to be kept."""
    docs = tmp_path / "docs"
    gate = run_suite(GOOD, suite, docs, page_name="cleaned/account", title="t", run_label=RUN_1)
    result = json.loads(gate.result_json.read_text(encoding="utf-8"))
    result["meta"]["handover"]["run_label"] = RUN_2
    gate.result_json.write_text(json.dumps(result), encoding="utf-8")
    write_docs_index(docs)
    assert not (docs / HISTORY_DIR / RUN_2).exists()
    assert (docs / HISTORY_DIR / RUN_1 / "cleaned" / "account.html").is_file()


def test_a_step_retried_in_the_same_run_replaces_its_kept_page(tmp_path: Path, suite: Path) -> None:
    docs = tmp_path / "docs"
    run_suite(BAD, suite, docs, page_name="cleaned/account", title="t", run_label=RUN_1)
    kept = docs / HISTORY_DIR / RUN_1 / "cleaned" / "account.html"
    entry = kept.with_suffix(".entry.json")
    entry.write_text(json.dumps({**json.loads(entry.read_text(encoding="utf-8")), "run_time": "2000-01-01T00:00:00+00:00"}))
    run_suite(GOOD, suite, docs, page_name="cleaned/account", title="t", run_label=RUN_1)
    assert "passed" in _soup(kept).title.get_text()
    assert len(list((docs / HISTORY_DIR).iterdir())) == 1


def test_runs_without_a_label_are_kept_by_time(tmp_path: Path, suite: Path) -> None:
    docs = tmp_path / "docs"
    gate = run_suite(GOOD, suite, docs, page_name="cleaned/account", title="t")
    kept = run_page(docs, gate)
    assert kept.parent.parent.name.startswith("adhoc-") and kept.is_file()


def test_run_names_and_folders() -> None:
    assert run_name("2025-05-01T10:22:03+00:00", RUN_1) == "2025-05-01 10:22:03 UTC, run 0b5e7a52"
    assert run_name("2025-05-01T18:22:03+08:00", "nightly") == "2025-05-01 10:22:03 UTC, run nightly"
    assert run_name("2025-05-01T10:22:03+00:00", None) == "2025-05-01 10:22:03 UTC"
    assert run_folder(RUN_1, "x") == RUN_1
    assert run_folder("../../etc", "x") == "etc"
    assert run_folder(None, "2025-05-01T10:22:03+00:00") == "adhoc-20250501T102203Z"
