"""Amounts as people and other CRMs type them: digit groups of several conventions, signs, units, and the
currency written with the number kept apart from it (filled into the record's currency, or kept and flagged)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from handover.cleaning.numeric import amount_currencies, clean_number
from handover.cleaning.stage import clean_entity
from handover.spec import load_spec


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        ("$1,234.50", 1234.5, "currency"), ("€1.234,50", 1234.5, "currency"), ("¥1,000", 1000.0, "currency"),
        ("(1,000)", -1000.0, "accounting_negative"), ("USD 2,500", 2500.0, "currency"), ("1 234,50 €", 1234.5, "currency"),
        ("1\u00a0234,50\u00a0€", 1234.5, "currency"), ("1\u202f234,50 €", 1234.5, "currency"), ("RMB 3,000", 3000.0, "currency"),
        ("1.5万", 15000.0, "cn_unit"), ("2.5万元", 25000.0, "cn_unit"), ("CHF 1'234.50", 1234.5, "currency"),
        ("1'234.50", 1234.5, "thousands_separator"), ("1.234.567", 1234567.0, "thousands_separator"),
        ("1.234,5", 1234.5, "thousands_separator"), ("12,50", 12.5, "decimal_comma"), ("1234,5", 1234.5, "decimal_comma"),
        ("1.234,50-", -1234.5, "accounting_negative"), ("-€5", -5.0, "currency"), ("2,500 USD", 2500.0, "currency"),
        ("HK$ 100", 100.0, "currency"), ("1,234", 1234.0, "thousands_separator"), ("1.234", 1.234, None),
    ],
)
def test_amounts_in_many_conventions_parse(raw: str, value: float, rule: str | None) -> None:
    r = clean_number(pd.Series([raw]))
    assert (r.values.iloc[0], r.problems.iloc[0], r.rules.iloc[0]) == (value, None, rule)


@pytest.mark.parametrize("raw", ["1.2.3", "1,234.5.6", "€5$", "--5", "(5", "12%", "1,23,45", "€ 5 USD"])
def test_malformed_amounts_are_invalid(raw: str) -> None:
    assert clean_number(pd.Series([raw])).problems.tolist() == ["invalid_number"]


def test_currency_marks_read_as_iso_codes_shared_marks_by_region() -> None:
    raw = pd.Series(["$5", "¥1,000", "€1.234,50", "USD 2,500", "RMB 3,000", "1.5万元", "12", None, "€ oops"])
    found, _ = amount_currencies(raw, "CN")
    assert found.tolist() == ["USD", "CNY", "EUR", "USD", "CNY", "CNY", None, None, None]
    assert amount_currencies(raw, "JP")[0].tolist()[:2] == ["USD", "JPY"]
    assert amount_currencies(raw, "CA")[0].tolist()[:2] == ["CAD", "CNY"]


def deal_spec(tmp_path: Path, with_currency: bool) -> Path:
    fields = {"name": "title", "amount": "amount"} | ({"currency": "cur"} if with_currency else {})
    data = {
        "migration": "a",
        "source": {"type": "files", "path": "exports", "default_region": "DE"},
        "target": {"type": "duckdb", "path": "work/crm.duckdb"},
        "entities": {"deal": {"from": "deals.csv", "id": "deal_id", "fields": fields}},
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def raw_deals(rows: list[list[str | None]]) -> pd.DataFrame:
    columns = ["deal_id", "title", "amount", "cur"]
    return pd.DataFrame([
        {**dict(zip(columns, r)), "_record_key": f"deals.csv:{i + 2}", "_source_file": "deals.csv", "_source_line": i + 2,
         "_raw_error": None, "_raw_text": None}
        for i, r in enumerate(rows)
    ])


def test_the_currency_of_an_amount_fills_an_empty_currency_or_is_flagged_when_it_conflicts(tmp_path: Path) -> None:
    raw = raw_deals([
        ["D1", "a", "€1.234,50", None],
        ["D2", "b", "$1,234.50", "USD"],
        ["D3", "c", "¥1,000", "RMB"],  # ¥ may be yuan or yen; RMB is yuan: no conflict
        ["D4", "d", "USD 2,500", "EUR"],
        ["D5", "e", "(1,000)", "CNY"],
        ["D6", "f", "1 234,50 €", "Euro-ish"],  # a currency field no code explains is not called a conflict
        ["D7", "g", "$99", ""],
    ])
    result = clean_entity(raw, "deal", load_spec(deal_spec(tmp_path, with_currency=True)))
    records = result.records.set_index("source_id")
    assert records["amount"].tolist() == [1234.5, 1234.5, 1000.0, 2500.0, -1000.0, 1234.5, 99.0]
    assert records["currency"].tolist() == ["EUR", "USD", "RMB", "EUR", "CNY", "Euro-ish", "USD"]
    changes = result.changes[result.changes["field"] == "currency"]
    assert changes[["row_key", "after", "rule"]].values.tolist() == [
        ["deals.csv:2", "EUR", "currency_from_amount:amount"], ["deals.csv:8", "USD", "currency_from_amount:amount"],
    ]
    issues = result.issues[result.issues["code"] == "currency_conflict"]
    assert issues[["row_key", "field"]].values.tolist() == [["deals.csv:5", "amount"]]
    assert json.loads(records.loc["D4", "extras"]) == {"amount_currency": "USD"}
    assert records.drop(index="D4")["extras"].isna().all()


def test_without_a_currency_field_the_written_currency_is_kept_in_extras(tmp_path: Path) -> None:
    raw = raw_deals([["D1", "a", "€1.234,50", None], ["D2", "b", "1234", None], ["D3", "c", "$5", None]])
    result = clean_entity(raw.drop(columns=["cur"]), "deal", load_spec(deal_spec(tmp_path, with_currency=False)))
    extras = [json.loads(e) if isinstance(e, str) else None for e in result.records.sort_values("source_id")["extras"]]
    assert extras == [{"amount_currency": "EUR"}, None, {"amount_currency": "USD"}]
    assert result.issues.empty
