"""Tests for handover.cleaning.fill: fill rules, only-empty filling, the log, errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from handover.cleaning.fill import FILL_RULES, FillRule, apply_fill, email_domain, is_free_mail, registrable_domain

ACCOUNTS = {"acme.com": "ACME Corporation", "huawei.com.cn": "华为技术有限公司"}


def texts(s: pd.Series) -> list[object]:
    return [v if isinstance(v, str) else None for v in s]


def fill_one(rule: str, column: str, value: object, target: str, lookups: dict | None = None) -> object:
    frame = pd.DataFrame({column: pd.Series([value], dtype=object), target: pd.Series([None], dtype=object)})
    filled, _ = apply_fill(frame, [rule], lookups=lookups)
    return filled[target].iloc[0]


def test_registry_declares_reads_and_writes():
    expected = {
        "company_from_email_domain": (("email",), "company"),
        "company_from_account_domain": (("email",), "company"),
        "country_from_phone": (("phone",), "country"),
        "domain_from_website": (("website",), "domain"),
        "domain_from_email": (("email",), "domain"),
    }
    assert {name: (rule.reads, rule.writes) for name, rule in FILL_RULES.items()} == expected
    assert all(isinstance(rule, FillRule) and callable(rule.fn) and rule.description for rule in FILL_RULES.values())


@pytest.mark.parametrize(
    ("email", "company"),
    [
        ("john@acme-corp.example", "Acme Corp"), ("John@Globex.com", "Globex"), ("li@mail.globex.com.cn", "Globex"),
        ("a@sales.initech.co.uk", "Initech"), ("x@acme.com", "ACME Corporation"), ("x@mail.acme.com", "ACME Corporation"),
        ("x@huawei.com.cn", "华为技术有限公司"), ("info@acme.com", "ACME Corporation"),
        # free mail says nothing about the company
        ("john@gmail.com", None), ("wang@qq.com", None), ("wang@vip.qq.com", None), ("li@163.com", None), ("li@126.com", None),
        ("x@outlook.com", None), ("x@hotmail.com", None), ("x@yahoo.com", None), ("x@sina.com", None), ("x@foxmail.com", None),
        ("x@icloud.com", None), ("x@Gmail.COM", None),
        # not an address
        ("not-an-email", None), ("a@b", None), (None, None), ("", None),
    ],
)
def test_company_from_email_domain(email, company):
    assert fill_one("company_from_email_domain", "email", email, "company", {"accounts": ACCOUNTS}) == company


@pytest.mark.parametrize(
    ("email", "company"),
    [("x@acme.com", "ACME Corporation"), ("x@eu.acme.com", "ACME Corporation"), ("x@globex.com", None), ("x@gmail.com", None)],
)
def test_company_from_account_domain_only_uses_the_lookup(email, company):
    assert fill_one("company_from_account_domain", "email", email, "company", {"accounts": ACCOUNTS}) == company


@pytest.mark.parametrize(
    "accounts",
    [
        {"ACME.COM": "ACME Corporation"},
        pd.Series({"acme.com": "ACME Corporation"}),
        pd.DataFrame({"domain": ["acme.com", None], "name": ["ACME Corporation", "Nameless"]}),
    ],
)
def test_accounts_lookup_shapes(accounts):
    assert fill_one("company_from_email_domain", "email", "x@acme.com", "company", {"accounts": accounts}) == "ACME Corporation"


@pytest.mark.parametrize(
    ("phone", "country"),
    [
        ("+8613812345678", "CN"), ("+14155552671", "US"), ("+16135550123", "CA"), ("+442079460000", "GB"),
        ("+4930123456", "DE"), ("+81312345678", "JP"), ("+85223456789", "HK"), ("+886223456789", "TW"),
        ("+8613812345678;ext=12", "CN"), ("+80012345678", None), ("13812345678", None), ("+999", None), ("junk", None), (None, None),
    ],
)
def test_country_from_phone(phone, country):
    assert fill_one("country_from_phone", "phone", phone, "country") == country


@pytest.mark.parametrize(
    ("website", "domain"),
    [("https://www.acme.example/about", "acme.example"), ("ACME.example", "acme.example"), ("shop.acme.example", "shop.acme.example"),
     ("not a url", None), (None, None)],
)
def test_domain_from_website(website, domain):
    assert fill_one("domain_from_website", "website", website, "domain") == domain


@pytest.mark.parametrize(
    ("email", "domain"),
    [("x@acme.com", "acme.com"), ("x@mail.acme.com.cn", "acme.com.cn"), ("x@gmail.com", None), ("bad", None)],
)
def test_domain_from_email(email, domain):
    assert fill_one("domain_from_email", "email", email, "domain") == domain


def test_apply_fill_fills_only_empty_values_and_logs_each():
    frame = pd.DataFrame(
        {
            "email": ["a@acme-corp.example", "b@globex.com", "c@gmail.com", "d@initech.com", "e@umbrella.com", None],
            "phone": ["+8613812345678", "+14155552671", "+442079460000", None, "+4930123456", "+81312345678"],
            "company": [None, "Globex Inc", None, "", np.nan, None],
            "country": ["CN", None, " ", None, "DE", None],
        },
        index=[101, 102, 103, 104, 105, 106],
    )
    original = frame.copy()
    filled, log = apply_fill(frame, ["company_from_email_domain", "country_from_phone"])
    pd.testing.assert_frame_equal(frame, original)  # the input is not touched
    assert filled.index.tolist() == [101, 102, 103, 104, 105, 106]
    assert texts(filled["company"]) == ["Acme Corp", "Globex Inc", None, "Initech", "Umbrella", None]
    assert texts(filled["country"]) == ["CN", "US", "GB", None, "DE", "JP"]
    assert list(log.columns) == ["row", "field", "before", "after", "rule"]
    assert log.to_dict("records") == [
        {"row": 101, "field": "company", "before": None, "after": "Acme Corp", "rule": "fill:company_from_email_domain"},
        {"row": 104, "field": "company", "before": "", "after": "Initech", "rule": "fill:company_from_email_domain"},
        {"row": 105, "field": "company", "before": None, "after": "Umbrella", "rule": "fill:company_from_email_domain"},
        {"row": 102, "field": "country", "before": None, "after": "US", "rule": "fill:country_from_phone"},
        {"row": 103, "field": "country", "before": " ", "after": "GB", "rule": "fill:country_from_phone"},
        {"row": 106, "field": "country", "before": None, "after": "JP", "rule": "fill:country_from_phone"},
    ]


def test_apply_fill_adds_a_missing_target_and_chains_rules():
    frame = pd.DataFrame({"website": ["https://www.acme.example", None], "email": ["x@acme.example", "y@globex.com"]})
    filled, log = apply_fill(frame, ["domain_from_website", "domain_from_email"])
    assert filled["domain"].tolist() == ["acme.example", "globex.com"]
    assert log["rule"].tolist() == ["fill:domain_from_website", "fill:domain_from_email"]
    assert log["row"].tolist() == [0, 1]


def test_apply_fill_into_a_numeric_all_missing_column():
    frame = pd.DataFrame({"phone": ["+8613812345678"], "country": [np.nan]})
    filled, log = apply_fill(frame, ["country_from_phone"])
    assert filled["country"].tolist() == ["CN"]
    assert log["after"].tolist() == ["CN"]


def test_apply_fill_with_nothing_to_do_returns_an_empty_log():
    frame = pd.DataFrame({"phone": ["+8613812345678"], "country": ["CN"]})
    filled, log = apply_fill(frame, ["country_from_phone"])
    pd.testing.assert_frame_equal(filled, frame)
    assert list(log.columns) == ["row", "field", "before", "after", "rule"] and log.empty
    assert apply_fill(frame, [])[1].empty


def test_apply_fill_errors_name_the_valid_choices():
    frame = pd.DataFrame({"email": ["x@acme.com"]})
    with pytest.raises(ValueError, match=r"unknown fill rule\(s\) 'company_from_mail'.*valid: .*company_from_email_domain"):
        apply_fill(frame, ["company_from_mail"])
    with pytest.raises(ValueError, match="reads phone"):
        apply_fill(frame, ["country_from_phone"])


@pytest.mark.parametrize(
    ("host", "registrable"),
    [("acme.com", "acme.com"), ("mail.acme.com", "acme.com"), ("a.b.acme.com.cn", "acme.com.cn"), ("acme.co.uk", "acme.co.uk"),
     ("www.acme.co.jp", "acme.co.jp"), ("localhost", "localhost")],
)
def test_registrable_domain(host, registrable):
    assert registrable_domain(host) == registrable


def test_free_mail_and_email_domain():
    assert is_free_mail("gmail.com") and is_free_mail("vip.163.com") and is_free_mail("QQ.com")
    assert not is_free_mail("acme.com") and not is_free_mail("mail.acme.com")
    domains = email_domain(pd.Series(["A@Acme.COM", "bad", None], index=[3, 2, 1]))
    assert domains.index.tolist() == [3, 2, 1] and domains.tolist() == ["acme.com", None, None]
