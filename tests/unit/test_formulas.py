"""Formula injection: values a spreadsheet would run are neutralised in the core, and `handover dedup --out`
writes ids through it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from handover.dedup.command import main as dedup_main
from handover.exports import neutralise_column, neutralise_formula as neutralise

DANGEROUS = ["=HYPERLINK(\"http://x\",\"a\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1+1", "\r=1+1", "=1"]


@pytest.mark.parametrize("value", DANGEROUS)
def test_values_a_spreadsheet_would_run_get_a_leading_quote(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["C-001", "Acme", "-5", "+8613800138000", "-1.5e3", "", "a=b", "1+1"])
def test_other_values_and_plain_numbers_stay(value: str) -> None:
    assert neutralise(value) == value


def test_neutralise_column_keeps_missing_values() -> None:
    out = neutralise_column(pd.Series(["=1", None, "x", float("nan")], dtype=object))
    assert out.iloc[0] == "'=1" and out.iloc[1] is None and out.iloc[2] == "x" and pd.isna(out.iloc[3])


def test_dedup_out_neutralises_ids(tmp_path: Path) -> None:
    ids = ["=1+1", "+A1", "-cmd", "@SUM(A1)", "\tX", "-5", "C7"]
    emails = ["a@x.example", "a@x.example", "b@x.example", "c@x.example", "d@x.example", "e@x.example", "f@x.example"]
    source = tmp_path / "contacts.csv"
    pd.DataFrame({"id": ids, "email": emails}).to_csv(source, index=False)
    out = tmp_path / "clusters.csv"
    assert dedup_main([str(source), "--entity", "contact", "--out", str(out), "--rules", "email", "--no-probabilistic"]) == 0
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert written["id"].tolist() == ["'=1+1", "'+A1", "'-cmd", "'@SUM(A1)", "'\tX", "-5", "C7"]
    assert written["cluster_id"].tolist()[:2] == ["'+A1", "'+A1"]  # the cluster of the two shared e-mails: smallest id
    assert not any(v.startswith(("=", "+", "@", "\t")) for v in written.stack())
