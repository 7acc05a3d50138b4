"""Table-driven tests for handover.cleaning.places: countries, postcodes, company names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from handover.cleaning.normalize import CLEANERS, clean
from handover.cleaning.places import (
    check_postcode, clean_company, clean_country, clean_postcode, company_match_key, country_code,
)  # fmt: skip

EMPTIES = [None, np.nan, pd.NA, "", "   ", "\u3000", "\u200b"]


def one(cleaner, raw, *args) -> tuple[object, object, object]:
    r = cleaner(pd.Series([raw], dtype=object), *args)
    return r.values.iloc[0], r.problems.iloc[0], r.rules.iloc[0]


@pytest.mark.parametrize(
    ("raw", "code", "rule"),
    [
        # alpha-2 in any case, alpha-3
        ("CN", "CN", None), ("cn", "CN", "uppercase"), ("Us", "US", "uppercase"), ("de", "DE", "uppercase"),
        ("GB", "GB", None), ("CHN", "CN", "alpha3"), ("usa", "US", "alpha3"), ("USA", "US", "alpha3"), ("DEU", "DE", "alpha3"), ("GBR", "GB", "alpha3"),
        # English names and variants
        ("China", "CN", "country_name"), ("United States", "US", "country_name"), ("U.S.", "US", "country_name"),
        ("U.S.A.", "US", "country_name"), ("United States of America", "US", "country_name"), ("UK", "GB", "country_name"),
        ("U.K.", "GB", "country_name"), ("United Kingdom", "GB", "country_name"), ("Great Britain", "GB", "country_name"),
        ("England", "GB", "country_name"), ("Scotland", "GB", "country_name"), ("Germany", "DE", "country_name"),
        ("Deutschland", "DE", "country_name"), ("PRC", "CN", "country_name"), ("P.R. China", "CN", "country_name"),
        ("People's Republic of China", "CN", "country_name"), ("Mainland China", "CN", "country_name"),
        ("China (Mainland)", "CN", "country_name"), ("Hong Kong", "HK", "country_name"), ("Hong Kong SAR", "HK", "country_name"),
        ("Taiwan", "TW", "country_name"), ("Macau", "MO", "country_name"), ("South Korea", "KR", "country_name"),
        ("Korea, Republic of", "KR", "country_name"), ("North Korea", "KP", "country_name"), ("Russia", "RU", "country_name"),
        ("Viet Nam", "VN", "country_name"), ("the Netherlands", "NL", "country_name"), ("Holland", "NL", "country_name"),
        ("Czech Republic", "CZ", "country_name"), ("Côte d'Ivoire", "CI", "country_name"), ("UAE", "AE", "country_name"),
        ("Singapore", "SG", "country_name"), ("japan", "JP", "country_name"), ("FRANCE", "FR", "country_name"),
        ("Namibia", "NA", "country_name"),
        # Chinese, simplified and traditional
        ("中国", "CN", "country_name"), ("中国大陆", "CN", "country_name"), ("中華人民共和國", "CN", "country_name"),
        ("美国", "US", "country_name"), ("美國", "US", "country_name"), ("英国", "GB", "country_name"), ("德国", "DE", "country_name"),
        ("法国", "FR", "country_name"), ("日本", "JP", "country_name"), ("韩国", "KR", "country_name"), ("韓國", "KR", "country_name"),
        ("新加坡", "SG", "country_name"), ("香港", "HK", "country_name"), ("中国香港", "HK", "country_name"),
        ("台湾", "TW", "country_name"), ("臺灣", "TW", "country_name"), ("澳门", "MO", "country_name"), ("澳門", "MO", "country_name"),
        ("澳大利亚", "AU", "country_name"), ("加拿大", "CA", "country_name"), ("俄罗斯", "RU", "country_name"),
        ("荷兰", "NL", "country_name"), ("意大利", "IT", "country_name"), ("西班牙", "ES", "country_name"),
        # text cleaning first
        ("  ｃｈｉｎａ ", "CN", "country_name"), (" CN ", "CN", "trim"), ("ＣＮ", "CN", "fullwidth"),
    ],
)
def test_clean_country(raw, code, rule):
    assert one(clean_country, raw) == (code, None, rule)
    assert country_code(raw) == code


@pytest.mark.parametrize("raw", ["N/A", "NA", "n/a", "unknown", "未知", "xx", "XYZ", "Atlantis", "火星", "-", "Chinaa", 12, "C N"])
def test_clean_country_invalid(raw):
    assert one(clean_country, raw) == (None, "invalid_country", None)


def test_clean_country_empties_index_and_registry():
    index = pd.Index([f"r{i}" for i in range(len(EMPTIES) + 2)])
    s = pd.Series(["中国", *EMPTIES, "usa"], index=index, dtype=object)
    r = clean("country", s)
    assert CLEANERS["country"] is clean_country
    for part in (r.values, r.problems, r.rules):
        assert part.dtype == object and part.index.equals(index)
    assert r.values.tolist() == ["CN", *[None] * len(EMPTIES), "US"]
    assert r.problems.tolist() == [None] * (len(EMPTIES) + 2)


@pytest.mark.parametrize(
    ("postcode", "country", "value", "problem", "rule"),
    [
        ("SW1A 1AA", "GB", "SW1A 1AA", None, None), ("sw1a1aa", "GB", "SW1A 1AA", None, "postcode_format"),
        ("ec1a 1bb", "United Kingdom", "EC1A 1BB", None, "postcode_format"), ("M1 1AE", "UK", "M1 1AE", None, None),
        ("X1 1AA", "GB", None, "invalid_postcode", None), ("SW1A", "GB", None, "invalid_postcode", None),
        ("k1a0b1", "CA", "K1A 0B1", None, "postcode_format"), ("K1A 0B1", "Canada", "K1A 0B1", None, None),
        ("D1A 0B1", "CA", None, "invalid_postcode", None),
        ("1234ab", "NL", "1234 AB", None, "postcode_format"), ("1234 AB", "NL", "1234 AB", None, None),
        ("0123 AB", "NL", None, "invalid_postcode", None), ("NL-1234 AB", "NL", "1234 AB", None, "country_prefix"),
        ("12345", "US", "12345", None, None), ("12345-6789", "US", "12345-6789", None, None),
        ("123456789", "USA", "12345-6789", None, "postcode_format"), ("1234", "US", None, "invalid_postcode", None),
        (2134, "US", "02134", None, "leading_zero"), (2134.0, "US", "02134", None, "leading_zero"),
        ("200000", "CN", "200000", None, None), ("20000", "中国", None, "invalid_postcode", None),
        ("2000000", "CN", None, "invalid_postcode", None), (100080, "CN", "100080", None, "stringify"),
        ("10115", "DE", "10115", None, None), ("D-10115", "Deutschland", "10115", None, "country_prefix"),
        ("1011", "DE", None, "invalid_postcode", None), ("75001", "FR", "75001", None, None), ("F-75001", "FR", "75001", None, "country_prefix"),
        ("7500A", "FR", None, "invalid_postcode", None),
        ("123-4567", "JP", "123-4567", None, None), ("1234567", "日本", "123-4567", None, "postcode_format"),
        ("１２３－４５６７", "JP", "123-4567", None, "fullwidth"), ("12-34567", "JP", "123-4567", None, "postcode_format"),
        ("123456", "JP", None, "invalid_postcode", None),
        ("00950", "PL", "00-950", None, "postcode_format"), ("114 55", "SE", "114 55", None, None), ("11455", "SE", "114 55", None, "postcode_format"),
        ("D02 X285", "IE", "D02 X285", None, None), ("3000", "AU", "3000", None, None), ("01310-100", "BR", "01310-100", None, None),
        ("06236", "KR", "06236", None, None), ("018956", "SG", "018956", None, None), ("110001", "IN", "110001", None, None),
        ("1000-001", "PT", "1000-001", None, None), ("8001", "CH", "8001", None, None), ("28013", "ES", "28013", None, None),
        ("99999", "ES", None, "invalid_postcode", None), ("101000", "RU", "101000", None, None),
        # unknown or no country: as written (text-cleaned), no problem
        ("anything", "HK", "anything", None, None), ("ab 12", None, "ab 12", None, None), (" ab 12 ", "Atlantis", "ab 12", None, "trim"),
    ],
)
def test_check_postcode(postcode, country, value, problem, rule):
    r = check_postcode(pd.Series([postcode], dtype=object, index=[4]), pd.Series([country], dtype=object, index=[4]))
    assert r.values.index.tolist() == [4]
    assert (r.values.iloc[0], r.problems.iloc[0], r.rules.iloc[0]) == (value, problem, rule)


def test_check_postcode_pairs_and_empties():
    postcodes = pd.Series(["sw1a1aa", "10115", "10115", "sw1a1aa", None, "", "10115"], index=list("abcdefg"), dtype=object)
    countries = pd.Series(["GB", "DE", "GB", "GB", "DE", "GB", None], index=list("abcdefg"), dtype=object)
    r = check_postcode(postcodes, countries)
    assert r.values.index.tolist() == list("abcdefg")
    assert r.values.tolist() == ["SW1A 1AA", "10115", None, "SW1A 1AA", None, None, "10115"]
    assert r.problems.tolist() == [None, None, "invalid_postcode", None, None, None, None]
    assert r.rules.tolist() == ["postcode_format", None, None, "postcode_format", None, None, None]
    one_country = check_postcode(pd.Series(["k1a0b1", "bad"]), "CA")
    assert one_country.values.tolist() == ["K1A 0B1", None]
    assert one_country.problems.tolist() == [None, "invalid_postcode"]
    with pytest.raises(ValueError):
        check_postcode(pd.Series(["1"]), pd.Series(["GB", "DE"]))


def test_clean_postcode_registry():
    assert CLEANERS["postcode"] is clean_postcode
    r = clean("postcode", pd.Series([" sw1a 1aa ", "10115", None], dtype=object), default_region="CN", tz="UTC")
    assert r.values.tolist() == ["SW1A 1AA", "10115", None]
    assert r.rules.tolist() == ["uppercase", None, None]
    assert r.problems.isna().all()
    assert clean_postcode(pd.Series(["sw1a1aa"]), "GB").values.tolist() == ["SW1A 1AA"]


@pytest.mark.parametrize(
    "names",
    [
        ["ACME Ltd.", "Acme Limited", "acme", "Acme, Inc.", "ACME INC", "Acme Incorporated", "Acme Corp.", "Acme Corporation",
         "Acme Co.", "Acme Company", "Acme LLC", "Acme L.L.C.", "Acme GmbH", "ACME AG", "Acme KG", "Acme GmbH & Co. KG",
         "Acme S.A.", "Acme SAS", "Acme S.r.l.", "Acme B.V.", "Acme N.V.", "Acme Pty Ltd", "Acme PLC", "Acme Co., Ltd.",
         "ACME CO.,LTD", "Acme Pte. Ltd.", "Acme Sdn. Bhd.", "Acme (China) Co., Ltd.", "Acme (Shanghai) Ltd", "ＡＣＭＥ　ＬＴＤ",
         "  acme   limited "],
        ["上海华信科技有限公司", "上海华信科技", "上海华信科技有限责任公司", "上海华信科技股份有限公司", "上海华信科技集团有限公司",
         "上海华信科技(中国)有限公司", "上海华信科技（中国）有限公司", "上海华信科技有限公司北京分公司", "上海华信科技公司"],
        ["西门子(中国)有限公司", "西门子有限公司", "西门子"],
        ["株式会社トヨタ", "トヨタ株式会社", "トヨタ"],
        ["Müller Bau GmbH", "MÜLLER BAU", "Müller-Bau"],
    ],
)
def test_company_match_key_equal(names):
    keys = company_match_key(pd.Series(names, dtype=object))
    assert keys.nunique() == 1, dict(zip(names, keys))


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ACME Ltd.", "acme"), ("上海华信科技有限公司", "上海华信科技"), ("Acme Holdings Ltd", "acme holdings"),
        ("The Company Store Inc", "the company store"), ("AT&T Inc.", "att"), ("Johnson & Johnson", "johnson johnson"),
        ("Limited", "limited"), ("Company Ltd", "company"), ("L.L.C.", "llc"), ("华信(上海)科技有限公司", "华信科技"),
        ("Acme (Holdings) Ltd", "acme holdings"), ("Acme Group", "acme group"), ("阿里巴巴集团控股有限公司", "阿里巴巴集团控股"),
        ("Foo S.A. de C.V.", "foo"), ("Café Über GmbH", "café über"), ("", None), (None, None), ("!!!", None),
    ],
)
def test_company_match_key(name, key):
    result = company_match_key(pd.Series([name], dtype=object, index=["x"]))
    assert result.index.tolist() == ["x"]
    assert result.iloc[0] == key


def test_company_match_key_keeps_different_companies_apart():
    keys = company_match_key(pd.Series(["Acme Ltd", "Acme Software Ltd", "Acmes Ltd", "北京华信科技有限公司", "上海华信科技有限公司"]))
    assert keys.nunique() == 5


@pytest.mark.parametrize(
    ("raw", "value", "rule"),
    [
        ("Acme Ltd", "Acme Ltd", None), ("acme ltd.", "acme Ltd.", "company_suffix"), ("ACME LTD", "ACME Ltd", "company_suffix"),
        ("ACME GMBH", "ACME GmbH", "company_suffix"), ("Acme s.r.l.", "Acme S.r.l.", "company_suffix"),
        ("acme co.,ltd", "acme Co.,Ltd", "company_suffix"), ("Acme inc.", "Acme Inc.", "company_suffix"),
        ("acme llc", "acme LLC", "company_suffix"), ("Acme b.v.", "Acme B.V.", "company_suffix"),
        ("ACME GMBH & CO. KG", "ACME GmbH & Co. KG", "company_suffix"), ("Acme plc", "Acme PLC", "company_suffix"),
        ("  Acme   Ltd ", "Acme Ltd", "whitespace"), ("ＡＣＭＥ　ＬＴＤ", "ACME Ltd", "company_suffix"),
        ("上海华信科技有限公司", "上海华信科技有限公司", None), ("西门子（中国）有限公司", "西门子(中国)有限公司", "fullwidth"),
        ("Limited", "Limited", None), ("ltd", "ltd", None), ("The Company Store", "The Company Store", None),
    ],
)
def test_clean_company(raw, value, rule):
    assert one(clean_company, raw) == (value, None, rule)
    assert CLEANERS["company"] is clean_company


@pytest.mark.parametrize("cleaner", [clean_country, clean_company, clean_postcode])
def test_places_cleaners_handle_empties(cleaner):
    r = cleaner(pd.Series(EMPTIES, dtype=object))
    assert r.values.tolist() == r.problems.tolist() == r.rules.tolist() == [None] * len(EMPTIES)
    keys = company_match_key(pd.Series(EMPTIES, dtype=object))
    assert keys.tolist() == [None] * len(EMPTIES)


GARBAGE = [
    "x" * 100_000, "😀👨‍👩‍👧🇨🇳", "\udcff", "()" * 20, "(((", "(中国)", "有限公司", "分公司", "公司分公司", "&", "-", ".", "Ltd Ltd Ltd",
    [1, 2], {"a": 1}, object(), complex(1, 2), float("-inf"), 10**40, b"\xff\xfe", True, np.float32(2.5), 12345.0,
]


def test_places_never_raise_on_garbage():
    s = pd.Series(GARBAGE, dtype=object)
    for cleaner in (clean_country, clean_company, clean_postcode):
        r = cleaner(s)
        assert len(r.values) == len(s)
        assert (r.values.isna() | r.problems.isna()).all()
    assert len(company_match_key(s)) == len(s)
    countries = pd.Series(["GB", "US", "CN", None, "xx", 5] * 4 + ["DE"], dtype=object)[: len(s)]
    r = check_postcode(s, countries.reset_index(drop=True))
    assert len(r.values) == len(s) and (r.values.isna() | r.problems.isna()).all()
