"""`handover dedup` as benchmarks and users call it: one output row per input row, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import ROOT


def dedup(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "app", "dedup", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def people(tmp_path: Path) -> Path:
    rows = [
        ("1", "Wei", "Wang", "wei.wang@acme.example", "+86 138 1234 5678", "Shanghai"),
        ("2", "WEI", "Wang ", "Wei.Wang@ACME.example", "13812345678", "Shanghai"),
        ("3", "Robert", "Miller", "bob.miller@contoso.example", "+1 415 555 0100", "San Francisco"),
        ("4", "Bob", "Miller", "bob.miller@contoso.example", "415.555.0100", "San Francisco"),
        ("5", "Anna", "Schmidt", "anna.schmidt@fabrikam.example", "+49 30 123456", "Berlin"),
        ("6", "Jan", "Novak", None, "+420 601 123 456", "Praha"),
    ]
    path = tmp_path / "people.csv"
    pd.DataFrame(rows, columns=["id", "given", "family", "email", "tel", "town"]).to_csv(path, index=False)
    return path


def test_one_row_per_input_row_and_obvious_duplicates_merged(tmp_path: Path, people: Path) -> None:
    out = tmp_path / "clusters.csv"
    result = dedup(str(people), "--entity", "contact", "--out", str(out), "--map", "given=first_name,family=last_name,tel=phone,town=city")
    assert result.returncode == 0, result.stderr
    clusters = pd.read_csv(out, dtype=str)
    assert list(clusters.columns) == ["id", "cluster_id"]
    assert list(clusters["id"]) == ["1", "2", "3", "4", "5", "6"]
    by_id = dict(zip(clusters["id"], clusters["cluster_id"]))
    assert by_id["1"] == by_id["2"] and by_id["3"] == by_id["4"]
    assert len({by_id["1"], by_id["3"], by_id["5"], by_id["6"]}) == 4
    assert "6 rows -> 4 clusters" in result.stderr


def test_a_no_match_decision_keeps_records_apart(tmp_path: Path, people: Path) -> None:
    decisions = tmp_path / "decisions.csv"
    decisions.write_text("left_id,right_id,decision\n3,4,no_match\n", encoding="utf-8")
    out = tmp_path / "clusters.csv"
    result = dedup(str(people), "--entity", "contact", "--out", str(out), "--decisions", str(decisions),
                   "--map", "given=first_name,family=last_name,tel=phone,town=city")
    assert result.returncode == 0, result.stderr
    by_id = dict(pd.read_csv(out, dtype=str).values)
    assert by_id["3"] != by_id["4"] and by_id["1"] == by_id["2"]


@pytest.mark.parametrize(("args", "message"), [
    (["--map", "given=forename"], "'forename' is not a canonical contact column; valid: id, first_name"),
    (["--map", "nickname=first_name"], "has no column 'nickname'"),
])
def test_bad_map_is_a_clear_error(tmp_path: Path, people: Path, args: list[str], message: str) -> None:
    result = dedup(str(people), "--entity", "contact", "--out", str(tmp_path / "o.csv"), *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "o.csv").exists()


def test_missing_file_missing_id_and_duplicate_ids(tmp_path: Path) -> None:
    result = dedup(str(tmp_path / "nope.csv"), "--entity", "account", "--out", str(tmp_path / "o.csv"))
    assert result.returncode == 2 and "nope.csv: no such file" in result.stderr
    no_id = tmp_path / "no_id.csv"
    no_id.write_text("name\nAcme\n", encoding="utf-8")
    result = dedup(str(no_id), "--entity", "account", "--out", str(tmp_path / "o.csv"))
    assert result.returncode == 2 and "no 'id' column; its columns: name" in result.stderr
    twice = tmp_path / "twice.csv"
    twice.write_text("id,name\n1,Acme\n1,Acme Ltd\n", encoding="utf-8")
    result = dedup(str(twice), "--entity", "account", "--out", str(tmp_path / "o.csv"))
    assert result.returncode == 2 and "the 'id' column has duplicate values, e.g. '1'" in result.stderr
    assert "Traceback" not in result.stderr
