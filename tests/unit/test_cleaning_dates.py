"""Dates as other CRMs write them: dotted, two-digit years, Excel serials, Unix epochs, a per-field
date_order, and local times inside a daylight-saving change, which are flagged rather than resolved silently."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from handover.cleaning.dates import clean_date, clean_datetime
from handover.cleaning.stage import clean_entity
from handover.spec import SpecError, load_spec


def dates(values: list[object], **options: str) -> list[tuple[object, object, object]]:
    r = clean_date(pd.Series(values, dtype=object), **options)
    return list(zip(r.values, r.problems, r.rules))


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.mark.parametrize("order", ["YMD", "DMY", "MDY"])
def test_dotted_dates_are_day_first_in_every_order(order: str) -> None:
    assert dates(["15.05.2025", "05.06.2025", "1.2.2024"], date_order=order) == [
        ("2025-05-15", None, "date_format:%d.%m.%Y"),
        ("2025-06-05", None, "date_format:%d.%m.%Y"),
        ("2024-02-01", None, "date_format:%d.%m.%Y"),
    ]


def test_two_digit_years_follow_the_posix_pivot_and_need_an_order() -> None:
    written = ["05/01/23", "31/12/68", "01/01/69", "15.05.25", "01-Jan-23", "5 Mar 99"]
    assert [v for v, _, _ in dates(written, date_order="DMY")] == [
        "2023-01-05", "2068-12-31", "1969-01-01", "2025-05-15", "2023-01-01", "1999-03-05",
    ]
    assert dates(["05/01/23"], date_order="MDY") == [("2023-05-01", None, "date_format:%m/%d/%y")]
    # without an order the year of 05/01/23 could be any part; a month name settles it
    assert dates(["05/01/23", "23/05/01", "15.05.25", "01-Jan-23"], date_order="YMD") == [
        (None, "ambiguous_date", None), (None, "ambiguous_date", None), (None, "ambiguous_date", None),
        ("2023-01-01", None, "date_format:%d-%b-%y"),
    ]


def test_excel_serials_and_unix_epochs() -> None:
    got = dates(["45000", "45000.75", 45000, "1715000000", "1715000000.5", "1715000000123", 1715000000], tz="UTC")
    assert got == [
        ("2023-03-15", None, "excel_serial"), ("2023-03-15", None, "excel_serial"), ("2023-03-15", None, "excel_serial"),
        ("2024-05-06", None, "unix_seconds"), ("2024-05-06", None, "unix_seconds"),
        ("2024-05-06", None, "unix_milliseconds"), ("2024-05-06", None, "unix_seconds"),
    ]
    # out of 1973-2099 or of shape: not an epoch
    assert [p for _, p, _ in dates(["12345678", "99999999", "12345678901", "5000000000"])] == ["invalid_date"] * 4


def test_an_epoch_date_is_the_date_in_the_source_zone() -> None:
    stamp = "1715011200"  # 2024-05-06 16:00 UTC = 2024-05-07 00:00 in Shanghai
    assert dates([stamp], tz="UTC")[0][0] == "2024-05-06"
    assert dates([stamp], tz="Asia/Shanghai")[0][0] == "2024-05-07"
    r = clean_datetime(pd.Series([stamp, "1715011200000"]), tz="Asia/Shanghai")
    assert r.values.tolist() == [utc("2024-05-06 16:00"), utc("2024-05-06 16:00")]  # epochs are UTC, not wall time
    assert r.rules.tolist() == ["unix_seconds", "unix_milliseconds"]


@pytest.mark.parametrize(
    ("raw", "tz", "expected", "problem"),
    [
        ("2023-10-29 02:30", "Europe/Berlin", utc("2023-10-29 00:30"), "dst_ambiguous_time"),
        ("2023-03-26 02:30", "Europe/Berlin", utc("2023-03-26 00:30"), "dst_nonexistent_time"),
        ("2023-11-05 01:30", "America/New_York", utc("2023-11-05 05:30"), "dst_ambiguous_time"),
        ("2023-03-12 02:15", "America/New_York", utc("2023-03-12 06:15"), "dst_nonexistent_time"),
        ("2023-03-26 03:30", "Europe/Berlin", utc("2023-03-26 01:30"), None),
        ("2023-10-29 02:30+01:00", "Europe/Berlin", utc("2023-10-29 01:30"), None),  # an offset settles it
        ("2023-10-29 02:30", "Asia/Shanghai", utc("2023-10-28 18:30"), None),
    ],
)
def test_local_times_inside_a_daylight_saving_change_are_flagged(raw: str, tz: str, expected: pd.Timestamp, problem: str | None) -> None:
    r = clean_datetime(pd.Series([raw]), tz=tz)
    assert (r.values.iloc[0], r.problems.iloc[0]) == (expected, problem)


def spec_file(tmp_path: Path, close_date: object, source_order: str = "MDY") -> Path:
    data = {
        "migration": "d",
        "source": {"type": "files", "path": "exports", "timezone": "Europe/Berlin", "date_order": source_order},
        "target": {"type": "duckdb", "path": "work/crm.duckdb"},
        "entities": {"deal": {
            "from": "deals.csv", "id": "deal_id",
            "fields": {"name": "title", "close_date": close_date, "created_at": "created"},
        }},
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def raw_deals(rows: list[list[str]]) -> pd.DataFrame:
    columns = ["deal_id", "title", "closing", "created"]
    meta = [{"_record_key": f"deals.csv:{i + 2}", "_source_file": "deals.csv", "_source_line": i + 2, "_raw_error": None, "_raw_text": None}
            for i in range(len(rows))]
    return pd.DataFrame([{**dict(zip(columns, r)), **m} for r, m in zip(rows, meta)])


def test_a_fields_date_order_overrides_the_sources_and_unparsed_values_are_flagged(tmp_path: Path) -> None:
    spec = load_spec(spec_file(tmp_path, {"from": "closing", "date_order": "DMY"}))
    raw = raw_deals([
        ["D1", "Renewal", "05/01/2025", "05/01/2025 10:00"],  # closing: DMY (field), created: MDY (source)
        ["D2", "Upsell", "31/12/2025", "2025-03-30 02:30"],  # created: inside the spring-forward gap in Berlin
        ["D3", "Pilot", "someday", "1715000000"],
    ])
    result = clean_entity(raw, "deal", spec)
    records = result.records.set_index("source_id")
    assert records.loc["D1", "close_date"] == "2025-01-05" and records.loc["D2", "close_date"] == "2025-12-31"
    assert records.loc["D1", "created_at"] == utc("2025-05-01 08:00")
    assert records.loc["D2", "created_at"] == utc("2025-03-30 00:30")  # kept, and flagged below
    assert records.loc["D3", "created_at"] == utc("2024-05-06 12:53:20")
    issues = result.issues.set_index("row_key")[["field", "code", "value"]]
    assert issues.loc["deals.csv:4"].tolist() == ["close_date", "invalid_date", "someday"]
    assert issues.loc["deals.csv:3"].tolist() == ["created_at", "dst_nonexistent_time", "2025-03-30 02:30"]
    assert len(issues) == 2


def test_without_the_fields_date_order_the_source_order_applies(tmp_path: Path) -> None:
    result = clean_entity(raw_deals([["D1", "Renewal", "05/01/2025", "2025-01-01"]]), "deal", load_spec(spec_file(tmp_path, "closing")))
    assert result.records["close_date"].tolist() == ["2025-05-01"]


def test_date_order_on_a_field_that_is_not_a_date_is_a_spec_error(tmp_path: Path) -> None:
    path = spec_file(tmp_path, "closing")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["entities"]["deal"]["fields"]["name"] = {"from": "title", "date_order": "DMY"}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(SpecError, match=r"entities\.deal\.fields\.name\.date_order: date_order is for date and datetime fields"):
        load_spec(path)
    data["entities"]["deal"]["fields"]["name"] = {"from": "title", "date_order": "DM"}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(SpecError, match=r"date_order: must be one of: 'YMD', 'DMY' or 'MDY'"):
        load_spec(path)
