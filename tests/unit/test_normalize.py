"""Table-driven tests for handover.cleaning.normalize."""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

import numpy as np
import pandas as pd
import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email

from handover.cleaning import contact
from handover.cleaning.normalize import (
    CLEANERS, Normalised, clean, clean_boolean, clean_date, clean_datetime, clean_email, clean_integer, clean_number,
    clean_phone, clean_picklist, clean_text, clean_url, phone_kind, url_domain,
)  # fmt: skip

EMPTIES = [None, np.nan, pd.NA, pd.NaT, "", "   ", "\u3000", "\u200b", "\t\n"]


def one(cleaner, raw, **options) -> tuple[object, object, object]:
    r = cleaner(pd.Series([raw], dtype=object), **options)
    return r.values.iloc[0], r.problems.iloc[0], r.rules.iloc[0]


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        ("Acme Ltd", "Acme Ltd", None), ("  Acme Ltd ", "Acme Ltd", "trim"), ("Acme   Ltd", "Acme Ltd", "whitespace"),
        ("Acme\t\tLtd\nChina", "Acme Ltd China", "whitespace"), ("ＡＣＭＥ　１２３！", "ACME 123!", "fullwidth"),
        ("Ac\u200bme\ufeff", "Acme", "invisible_chars"), ("Acme\x00 Ltd", "Acme Ltd", "invisible_chars"),
        ("Ⅻ", "XII", "nfkc"), ("北京市 朝阳区", "北京市 朝阳区", None), ("東京都　港区", "東京都 港区", "fullwidth"), ("😀 hi", "😀 hi", None),
        (13812345678.0, "13812345678", "stringify"), (12.5, "12.5", "stringify"), (42, "42", "stringify"),
    ],
)
def test_clean_text(raw, value, rule):
    assert one(clean_text, raw) == (value, None, rule)


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        ("line 1\nline 2", "line 1\nline 2", None),
        ("line 1  \r\n  line 2\t\tend\n\n", "line 1\nline 2 end", "whitespace"), ("\n a \n", "a", "trim"),
        ("a\u2028b", "a\nb", "whitespace"),
    ],
)
def test_clean_text_multiline(raw, value, rule):
    assert one(clean_text, raw, multiline=True) == (value, None, rule)
    assert one(CLEANERS["text"], raw) == (value, None, rule)


def test_picklist_keeps_case():
    assert one(clean_picklist, " Closed Won ") == ("Closed Won", None, "trim")


@pytest.mark.parametrize(
    ("raw", "value", "problem", "rule"),
    [
        ("john.doe@example.com", "john.doe@example.com", None, None),
        ("John.Doe@Example.COM", "john.doe@example.com", None, "lowercase"),
        ("  a.b+tag@acme.example ", "a.b+tag@acme.example", None, "trim"),
        ("ＵＳＥＲ＠ＡＣＭＥ．ＣＯＭ", "user@acme.com", None, "lowercase"), ("用户@例子.广告", "用户@例子.广告", None, None),
        ("user@Bücher.example", "user@bücher.example", None, "lowercase"),
        ("user@xn--bcher-kva.example", "user@bücher.example", None, "email_normalize"),
        ("a@b", None, "invalid_email", None), ("x@@y.example", None, "invalid_email", None),
        ("no-email", None, "invalid_email", None), ("a b@acme.example", None, "invalid_email", None),
        ("user@acme.test", None, "invalid_email", None), ("a..b@acme.example", None, "invalid_email", None),
        ("a@-acme.example", None, "invalid_email", None),
        ("a@acme.example; b@acme.example", None, "invalid_email", None),
    ],
)
def test_clean_email(raw, value, problem, rule):
    assert one(clean_email, raw) == (value, problem, rule)


def test_email_fast_path_agrees_with_email_validator():
    rng = random.Random(7)
    alphabet = "abcXYZ019._%+-@"
    candidates = ["".join(rng.choice(alphabet) for _ in range(rng.randint(3, 14))) + rng.choice(
        [".com", ".cn", ".test", ".local", ".c", "", ".example", "-.com", ".co-m"]
    ) for _ in range(3000)]
    candidates += ["a" * 64 + "@acme.com", "a" * 65 + "@acme.com", "a@" + "b" * 64 + ".com", "a@ab--c.com"]
    contact._normalise_email.cache_clear()
    for text in candidates:
        try:
            expected = validate_email(text, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            expected = None
        assert contact._normalise_email(text) == expected, text


@pytest.mark.parametrize(
    ("raw", "region", "value", "problem"),
    [
        ("+86 138 1234 5678", "CN", "+8613812345678", None), ("13812345678", "CN", "+8613812345678", None),
        ("138-1234-5678", "CN", "+8613812345678", None), ("１３８１２３４５６７８", "CN", "+8613812345678", None),
        (13812345678.0, "CN", "+8613812345678", None), ("(021) 6123-4567", "CN", "+862161234567", None),
        ("021-61234567", "CN", "+862161234567", None), ("+1 (415) 555-0100", "CN", "+14155550100", None),
        ("415.555.0100", "US", "+14155550100", None), ("+44 20 7946 0958", "CN", "+442079460958", None),
        ("+49 30 123456", "CN", "+4930123456", None), ("+1 415 555 0100 x123", "CN", "+14155550100;ext=123", None),
        ("415-555-0100 ext. 45", "US", "+14155550100;ext=45", None),
        ("021-61234567转123", "CN", "+862161234567;ext=123", None),
        ("021-61234567 分机 8", "CN", "+862161234567;ext=8", None),
        ("13812345678", "US", "+13812345678", None),  # the region decides; US reads a leading 1 as trunk prefix
        ("555-01", "US", None, "invalid_phone"), ("abc", "CN", None, "invalid_phone"),
        ("12", "CN", None, "invalid_phone"), ("13812345678 / 13987654321", "CN", None, "invalid_phone"),
        ("+999 123", "CN", None, "invalid_phone"),
    ],
)
def test_clean_phone(raw, region, value, problem):
    assert one(clean_phone, raw, default_region=region) == (value, problem, "e164" if value else None)


def test_phone_rules_and_default_region():
    r = clean_phone(pd.Series(["+8613812345678", " +8613812345678", "13812345678"]))
    assert r.rules.tolist() == [None, "trim", "e164"]
    assert one(clean_phone, "415.555.0100", default_region="us")[0] == "+14155550100"


def test_phone_mobile_fast_path_agrees_with_phonenumbers():
    rng = random.Random(3)
    for _ in range(500):
        digits = "1" + str(rng.randint(3, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(9))
        head, mid, tail = digits[:3], digits[3:7], digits[7:]
        for text in (digits, f"+86 {head} {mid} {tail}", f"{head}-{mid}-{tail}"):
            number = phonenumbers.parse(text, "CN")
            assert phonenumbers.is_possible_number(number)
            assert contact._normalise_phone(text, "CN") == phonenumbers.format_number(number, 0)


def test_phone_parses_each_distinct_value_once(monkeypatch):
    calls: list[str] = []
    parse = phonenumbers.parse
    monkeypatch.setattr(contact.phonenumbers, "parse", lambda text, region: calls.append(text) or parse(text, region))
    contact._normalise_phone.cache_clear()
    values = clean_phone(pd.Series(["021-61234567", "+1 415 555 0100", "(021) 6123-4567"] * 1000)).values
    assert len(calls) == 3 and values.nunique() == 2


def test_phone_kind():
    kinds = phone_kind(pd.Series(["+8613812345678", "+862161234567", "+14155550100;ext=1", None, "junk", "+8612345"]))
    assert kinds.tolist() == ["mobile", "fixed_line", "fixed_line_or_mobile", None, None, None]


DATES = [  # (raw, rule): each reads as 2023-01-05 in every date_order
    ("2023-01-05", None), ("2023/1/5", "date_format:%Y/%m/%d"), ("2023.1.5", "date_format:%Y.%m.%d"),
    ("2023年1月5日", "date_format:%Y年%m月%d日"), ("20230105", "date_format:%Y%m%d"),
    ("Jan 5, 2023", "date_format:%b %d, %Y"),
    ("5 Jan 2023", "date_format:%d %b %Y"), ("5-Jan-2023", "date_format:%d-%b-%Y"),
    ("January 5, 2023", "date_format:%B %d, %Y"), ("44931", "excel_serial"), ("44931.0", "excel_serial"),
    ("44931.75", "excel_serial"), ("2023-01-05T14:30:00+08:00", "date_format:%Y-%m-%dT%H:%M:%S%z"),
    ("2023-01-05T23:30:00-05:00", "date_format:%Y-%m-%dT%H:%M:%S%z"),
    ("2023-01-05 14:30", "date_format:%Y-%m-%d %H:%M"),
    (" 2023-01-05 ", "trim"), ("２０２３－０１－０５", "fullwidth"),
]


@pytest.mark.parametrize(("raw", "rule"), DATES)
@pytest.mark.parametrize("order", ["YMD", "DMY", "MDY"])
def test_clean_date_formats(raw, rule, order):
    assert one(clean_date, raw, date_order=order) == ("2023-01-05", None, rule)


@pytest.mark.parametrize(
    ("raw", "order", "value", "problem", "rule"),
    [
        ("05/01/2023", "DMY", "2023-01-05", None, "date_format:%d/%m/%Y"),
        ("05/01/2023", "MDY", "2023-05-01", None, "date_format:%m/%d/%Y"),
        ("05/01/2023", "YMD", None, "ambiguous_date", None),
        ("13/01/2023", "YMD", "2023-01-13", None, "date_format:%d/%m/%Y"),
        ("01/25/2023", "YMD", "2023-01-25", None, "date_format:%m/%d/%Y"),
        ("05/05/2023", "YMD", "2023-05-05", None, "date_format:%d/%m/%Y"),
        ("05.01.2023", "DMY", "2023-01-05", None, "date_format:%d.%m.%Y"),
        ("5-1-2023", "MDY", "2023-05-01", None, "date_format:%m-%d-%Y"),
        ("13/01/2023", "MDY", None, "invalid_date", None), ("05/01/2023 14:30", "YMD", None, "ambiguous_date", None),
        ("2023-02-30", "YMD", None, "invalid_date", None), ("2023-13-01", "YMD", None, "invalid_date", None),
        ("2023015", "YMD", None, "invalid_date", None), ("10000", "YMD", None, "invalid_date", None),
        ("90000", "YMD", None, "invalid_date", None), ("2023-01-05 25:00", "YMD", None, "invalid_date", None),
        ("2023-01-05 13:00 PM", "YMD", None, "invalid_date", None), ("yesterday", "YMD", None, "invalid_date", None),
        ("12:30", "YMD", None, "invalid_date", None),
    ],
)
def test_clean_date_order_and_problems(raw, order, value, problem, rule):
    assert one(clean_date, raw, date_order=order) == (value, problem, rule)


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        (dt.datetime(2023, 1, 5, 23, 30), "2023-01-05", "native"), (dt.date(2023, 1, 5), "2023-01-05", "native"),
        (pd.Timestamp("2023-01-05 23:30", tz="Asia/Shanghai"), "2023-01-05", "native"),
        (np.datetime64("2023-01-05T10:00"), "2023-01-05", "native"), (44931, "2023-01-05", "excel_serial"),
        (44931.5, "2023-01-05", "excel_serial"), (20230105, "2023-01-05", "date_format:%Y%m%d"),
    ],
)
def test_clean_date_non_string_cells(raw, value, rule):
    assert one(clean_date, raw) == (value, None, rule)


@pytest.mark.parametrize(
    ("raw", "tz", "expected", "rule"),
    [
        ("2023-01-05T14:30:00+08:00", "UTC", utc("2023-01-05 06:30"), "datetime_format:%Y-%m-%dT%H:%M:%S%z"),
        ("2023-01-05T14:30:00Z", "Asia/Shanghai", utc("2023-01-05 14:30"), "datetime_format:%Y-%m-%dT%H:%M:%S%z"),
        ("2023-01-05 14:30:00.25 +0530", "UTC", utc("2023-01-05 09:00:00.25"),
         "datetime_format:%Y-%m-%d %H:%M:%S.%f %z"),
        ("2023-01-05 14:30", "Asia/Shanghai", utc("2023-01-05 06:30"), "datetime_format:%Y-%m-%d %H:%M"),
        ("2023-01-05 14:30:00", "UTC", utc("2023-01-05 14:30"), "datetime_format:%Y-%m-%d %H:%M:%S"),
        ("2023/1/5 2:30 PM", "UTC", utc("2023-01-05 14:30"), "datetime_format:%Y/%m/%d %I:%M %p"),
        ("2023/1/5 12:05 am", "UTC", utc("2023-01-05 00:05"), "datetime_format:%Y/%m/%d %I:%M %p"),
        ("2023年1月5日 14:30", "Asia/Shanghai", utc("2023-01-05 06:30"), "datetime_format:%Y年%m月%d日 %H:%M"),
        ("2023-01-05", "Asia/Shanghai", utc("2023-01-04 16:00"), "datetime_format:%Y-%m-%d"),
        ("Jan 5, 2023", "America/New_York", utc("2023-01-05 05:00"), "datetime_format:%b %d, %Y"),
        ("44931.75", "UTC", utc("2023-01-05 18:00"), "excel_serial"),
        (dt.datetime(2023, 1, 5, 14, 30), "Asia/Shanghai", utc("2023-01-05 06:30"), "native"),
        (pd.Timestamp("2023-01-05 14:30", tz="Asia/Shanghai"), "UTC", utc("2023-01-05 06:30"), "native"),
        (dt.date(2023, 1, 5), "Asia/Shanghai", utc("2023-01-04 16:00"), "native"),
        # local times inside a daylight-saving change: tests/unit/test_cleaning_dates.py
    ],
)
def test_clean_datetime(raw, tz, expected, rule):
    value, problem, got_rule = one(clean_datetime, raw, tz=tz)
    assert (value, problem, got_rule) == (expected, None, rule)
    assert isinstance(value, pd.Timestamp) and str(value.tz) == "UTC"


@pytest.mark.parametrize(
    ("raw", "order", "expected", "problem"),
    [
        ("05/01/2023 14:30", "DMY", utc("2023-01-05 14:30"), None),
        ("05/01/2023 14:30", "MDY", utc("2023-05-01 14:30"), None),
        ("05/01/2023 14:30", "YMD", None, "ambiguous_date"), ("2023-01-05 24:00", "YMD", None, "invalid_datetime"),
        ("2023-01-05 14:30 +25:00", "YMD", None, "invalid_datetime"), ("garbage", "YMD", None, "invalid_datetime"),
        (dt.time(14, 30), "YMD", None, "invalid_datetime"),
    ],
)
def test_clean_datetime_order_and_problems(raw, order, expected, problem):
    assert one(clean_datetime, raw, date_order=order)[:2] == (expected, problem)


@pytest.mark.parametrize(
    ("raw", "value", "problem", "rule"),
    [
        ("1200000", 1200000.0, None, None), ("1,200,000", 1200000.0, None, "thousands_separator"),
        ("1,200,000.50", 1200000.5, None, "thousands_separator"), ("¥1,200,000.00", 1200000.0, None, "currency"),
        ("￥1,200", 1200.0, None, "currency"), ("$3,500", 3500.0, None, "currency"),
        ("-$3,500", -3500.0, None, "currency"), ("€ 12.5", 12.5, None, "currency"),
        ("USD 3,500", 3500.0, None, "currency"), ("1,200元", 1200.0, None, "currency"), ("-250", -250.0, None, None),
        ("(250)", -250.0, None, "accounting_negative"), ("($1,250.50)", -1250.5, None, "accounting_negative"),
        ("１２３", 123.0, None, "fullwidth"), ("12.5万", 125000.0, None, "cn_unit"),
        ("1.2亿", 120000000.0, None, "cn_unit"), ("0.07亿元", 7000000.0, None, "cn_unit"), ("1e3", 1000.0, None, None),
        (".5", 0.5, None, None), (12, 12.0, None, None), (3.5, 3.5, None, None), (Decimal("2.50"), 2.5, None, None),
        (np.int64(7), 7.0, None, None), ("1.234,56", 1234.56, None, "thousands_separator"),
        ("1,23", 1.23, None, "decimal_comma"), ("12%", None, "invalid_number", None),
        ("abc", None, "invalid_number", None), ("nan", None, "invalid_number", None),
        ("inf", None, "invalid_number", None), ("1e999", None, "invalid_number", None),
        ("$€5", None, "invalid_number", None), ("(5", None, "invalid_number", None),
        ("--5", None, "invalid_number", None), (float("inf"), None, "invalid_number", None),
        (True, None, "invalid_number", None),
    ],
)
def test_clean_number(raw, value, problem, rule):
    got = one(clean_number, raw)
    assert got == (value, problem, rule)
    assert value is None or type(got[0]) is float


@pytest.mark.parametrize(
    ("raw", "value", "problem"),
    [
        ("1,200,000", 1200000, None), ("12345678901234567", 12345678901234567, None), ("12.5万", 125000, None),
        ("3.0", 3, None), (7.0, 7, None), (np.int64(-4), -4, None), ("1.5", None, "invalid_integer"),
        ("1.23456万", None, "invalid_integer"), ("abc", None, "invalid_integer"), ("1e30", None, "invalid_integer"),
    ],
)
def test_clean_integer(raw, value, problem):
    got = one(clean_integer, raw)
    assert got[:2] == (value, problem)
    assert value is None or type(got[0]) is int


BOOLEANS = {True: ["TRUE", "Yes", "Y", "1", "是", "Active", "ENABLED", 1],
            False: ["no", "n", "0", "否", "inactive", "disabled", 0.0]}


@pytest.mark.parametrize(("raw", "value"), [(raw, value) for value, words in BOOLEANS.items() for raw in words])
def test_clean_boolean(raw, value):
    assert one(clean_boolean, raw) == (value, None, "boolean")


@pytest.mark.parametrize(
    ("raw", "value", "problem"),
    [("true", True, None), ("false", False, None), (True, True, None), (np.bool_(False), False, None),
     ("maybe", None, "invalid_boolean"), ("2", None, "invalid_boolean"), ("是的", None, "invalid_boolean")],
)  # fmt: skip
def test_clean_boolean_unchanged_or_invalid(raw, value, problem):
    assert one(clean_boolean, raw) == (value, problem, None)


@pytest.mark.parametrize(
    ("raw", "value", "problem", "rule"),
    [
        ("https://acme.example/about", "https://acme.example/about", None, None),
        ("acme.example", "https://acme.example", None, "add_scheme"),
        ("www.acme.example/About?x=1#top", "https://www.acme.example/About?x=1#top", None, "add_scheme"),
        ("//cdn.acme.example/x", "https://cdn.acme.example/x", None, "add_scheme"),
        ("https://www.acme.example/", "https://www.acme.example", None, "trailing_slash"),
        ("HTTP://WWW.Acme.Example/About", "http://www.acme.example/About", None, "lowercase"),
        ("https://user:pw@Acme.example:8080/", "https://user:pw@acme.example:8080", None, "lowercase"),
        (" https://acme.example ", "https://acme.example", None, "trim"),
        ("例子.广告", "https://例子.广告", None, "add_scheme"), ("n/a", None, "invalid_url", None),
        ("acme", None, "invalid_url", None), ("http://", None, "invalid_url", None),
        ("www.acme .example", None, "invalid_url", None), ("https://acme.example:99999/", None, "invalid_url", None),
        ("https://-acme.example", None, "invalid_url", None),
    ],
)
def test_clean_url(raw, value, problem, rule):
    assert one(clean_url, raw) == (value, problem, rule)


def test_url_domain():
    s = pd.Series(["https://www.acme.example/about", "acme.example", "WWW.Shop.Acme.Example:8080/x", "bad", None],
                  index=list("abcde"))
    domains = url_domain(s)
    assert domains.index.tolist() == list("abcde")
    assert domains.tolist() == ["acme.example", "acme.example", "shop.acme.example", None, None]


GOOD_INPUT = {
    "string": "Acme", "text": "Acme", "email": "a@acme.example", "phone": "+8613812345678", "date": "2023-01-05",
    "datetime": "2023-01-05", "number": "5", "integer": "5", "boolean": "yes", "url": "acme.example",
    "picklist": "Open", "person_name": "John Smith", "country": "China", "postcode": "SW1A 1AA", "company": "Acme Ltd",
}  # fmt: skip


def test_registry_covers_every_type():
    assert set(CLEANERS) == set(GOOD_INPUT)


@pytest.mark.parametrize("type_name", sorted(GOOD_INPUT))
def test_every_cleaner_handles_empties_and_keeps_the_index(type_name):
    raw = [GOOD_INPUT[type_name], *EMPTIES]
    index = pd.Index([f"row{i}" for i in reversed(range(len(raw)))])
    r = clean(type_name, pd.Series(raw, index=index, dtype=object), tz="Asia/Shanghai", date_order="DMY")
    assert isinstance(r, Normalised)
    for part in (r.values, r.problems, r.rules):
        assert part.dtype == object and part.index.equals(index)
    assert r.values.iloc[0] is not None and r.problems.iloc[0] is None
    assert r.values.iloc[1:].tolist() == [None] * len(EMPTIES)
    assert r.problems.iloc[1:].tolist() == [None] * len(EMPTIES)
    assert r.rules.iloc[1:].tolist() == [None] * len(EMPTIES)


@pytest.mark.parametrize("type_name", sorted(GOOD_INPUT))
def test_every_cleaner_accepts_pandas_string_dtype(type_name):
    s = pd.Series([GOOD_INPUT[type_name], None, GOOD_INPUT[type_name]], dtype="string", index=[10, 5, 7])
    r = clean(type_name, s)
    assert r.values.index.tolist() == [10, 5, 7]
    assert r.values.iloc[0] == r.values.iloc[2] is not None and r.values.iloc[1] is None


def _garbage() -> list[object]:
    rng = random.Random(11)
    values: list[object] = []
    for _ in range(200):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 30)))
        values += [raw.decode("utf-8", "replace"), raw.decode("utf-8", "surrogateescape"), raw.decode("latin-1")]
    values += ["x" * 200_000, "9" * 50_000, "😀👨‍👩‍👧🇨🇳", "\udcff@x.com", "+" * 40, "(" * 40, "@" * 40, "1," * 500,
               "2023-" * 50, "http://" + "a." * 200, [1, 2], {"a": 1}, dt.time(1, 2), complex(1, 2), object(),
               float("-inf"), 10**40, b"\xff\xfe", np.float32(2.5), True, Decimal("NaN")]
    return values


@pytest.mark.parametrize("type_name", sorted(CLEANERS))
def test_nothing_raises_on_garbage(type_name):
    s = pd.Series(_garbage(), dtype=object)
    r = clean(type_name, s, tz="America/New_York")
    assert len(r.values) == len(s) and r.values.index.equals(s.index)
    rows = r.values.isna().to_numpy() | r.problems.isna().to_numpy()
    assert rows.all()  # a row never has both a value and a problem
    assert clean(type_name, s.iloc[::-1]).values.tolist() == r.values.iloc[::-1].tolist()


def test_helpers_do_not_raise_on_garbage():
    s = pd.Series(_garbage(), dtype=object)
    assert len(phone_kind(s)) == len(url_domain(s)) == len(s)


def test_clean_passes_only_accepted_options():
    s = pd.Series(["415.555.0100"])
    assert clean("phone", s, default_region="US", tz="Asia/Shanghai", date_order="DMY").values.iloc[0] == "+14155550100"
    r = clean("datetime", pd.Series(["05/01/2023 14:30"]), tz="Asia/Shanghai", date_order="DMY", default_region="US")
    assert r.values.iloc[0] == utc("2023-01-05 06:30")
    assert clean("string", pd.Series([" x "]), tz="UTC").values.iloc[0] == "x"
    with pytest.raises(ValueError):
        clean("colour", s)
    with pytest.raises(ValueError):
        clean("date", s, date_order="XYZ")


def test_throughput_smoke():
    """Runs each cleaner over a larger column with repeats; checks results, never times them."""
    rng = np.random.default_rng(0)
    patterns = {"string": " Ｎａｍｅ {i} ", "email": "User{i}@Acme.example", "phone": "138{i:08d}",
                "date": "{y}/{m}/{d}", "number": "¥{i:,}", "url": "www.Acme{i}.example/"}
    for type_name, pattern in patterns.items():
        pool = [pattern.format(i=i, y=2000 + i % 24, m=1 + i % 12, d=1 + i % 28) for i in range(3000)]
        picks = rng.integers(0, len(pool), 10_000)
        s = pd.Series(np.asarray(pool, dtype=object)[picks])
        started = time.perf_counter()
        r = clean(type_name, s)
        rate = len(s) / max(time.perf_counter() - started, 1e-9)
        print(f"{type_name}: {rate:,.0f} rows/s")
        expected = clean(type_name, pd.Series(pool)).values.to_numpy()[picks]
        assert r.values.tolist() == expected.tolist()
        assert r.problems.isna().all()
