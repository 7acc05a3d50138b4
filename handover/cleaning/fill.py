"""Derived values: empty fields filled from other fields of the same record, each fill logged with its rule.

A `FillRule` declares the fields it reads and the one it writes, so a spec validator can check that the
entity maps them; `apply_fill` runs named rules in order (a later rule sees what an earlier one filled),
fills only empty values and returns a log of every value it set, with rule "fill:<name>".

    filled, log = apply_fill(contacts, ["company_from_email_domain", "country_from_phone"],
                             lookups={"accounts": {"acme.com": "Acme Corporation"}})
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import phonenumbers

from handover.cleaning.base import Distinct
from handover.cleaning.contact import clean_email, url_domain

__all__ = ["FILL_RULES", "FillRule", "apply_fill", "email_domain", "is_free_mail", "registrable_domain"]

Lookups = Mapping[str, object]


@dataclass(frozen=True)
class FillRule:
    """`fn(frame, lookups)` returns candidate values for `writes` (same index as `frame`, None where it has
    none); it is only called with the rows whose `writes` is empty, and only reads the `reads` columns."""

    reads: tuple[str, ...]
    writes: str
    fn: Callable[[pd.DataFrame, Lookups], pd.Series]
    description: str = ""
    entities: tuple[str, ...] = ()  # canonical entities the rule is meant for (a hint for spec checks)


# ------------------------------------------------------------------------------------------- domains


@cache
def _email_tables() -> tuple[frozenset[str], frozenset[str]]:
    data = json.loads(resources.files("handover.cleaning").joinpath("data/email_domains.json").read_text(encoding="utf-8"))
    return frozenset(d.casefold() for d in data["free_mail"]), frozenset(d.casefold() for d in data["second_level"])


@lru_cache(maxsize=1 << 16)
def registrable_domain(host: str) -> str:
    """The domain a company registers: mail.acme.com → acme.com, sales.acme.com.cn → acme.com.cn. A small
    shipped list of public second-level suffixes (com.cn, co.uk, com.au, co.jp, ...), not the full Public
    Suffix List."""
    labels = host.casefold().strip(".").split(".")
    if len(labels) <= 2:
        return ".".join(labels)
    _, second_level = _email_tables()
    keep = 3 if ".".join(labels[-2:]) in second_level else 2
    return ".".join(labels[-keep:])


def is_free_mail(domain: str) -> bool:
    """Whether a mail domain is a consumer provider (gmail.com, qq.com, 163.com, vip.qq.com, ...)."""
    free, _ = _email_tables()
    domain = domain.casefold()
    return domain in free or registrable_domain(domain) in free


def email_domain(emails: pd.Series) -> pd.Series:
    """Domain of each valid address (clean_email first: lower case, IDNA decoded); None otherwise."""
    valid = clean_email(emails).values
    distinct = Distinct.of(valid)
    return distinct.spread([v.rpartition("@")[2] or None for v in distinct.uniques])


def _company_name_from_label(domain: str) -> str:
    label = registrable_domain(domain).split(".")[0]
    words = re.split(r"[-_]+", label)
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


def _accounts_lookup(lookups: Lookups) -> Mapping[str, object]:
    accounts = lookups.get("accounts")
    if accounts is None:
        return {}
    if isinstance(accounts, pd.DataFrame):
        accounts = accounts.dropna(subset=["domain", "name"])
        return dict(zip(accounts["domain"].astype(str).str.casefold(), accounts["name"]))
    if isinstance(accounts, pd.Series):
        accounts = accounts.dropna()
        return dict(zip(accounts.index.astype(str).str.casefold(), accounts))
    return {str(k).casefold(): v for k, v in dict(accounts).items() if v is not None}


def _account_name(domain: str, accounts: Mapping[str, object]) -> object | None:
    return accounts.get(domain) or accounts.get(registrable_domain(domain)) or accounts.get(f"www.{domain}")


def _corporate_domains(frame: pd.DataFrame) -> tuple[Distinct, list[str | None]]:
    distinct = Distinct.of(email_domain(frame["email"]))
    return distinct, [None if is_free_mail(d) else d for d in distinct.uniques]


def _company_from_email_domain(frame: pd.DataFrame, lookups: Lookups) -> pd.Series:
    accounts = _accounts_lookup(lookups)
    distinct, domains = _corporate_domains(frame)
    names = []
    for domain in domains:
        if domain is None:
            names.append(None)
        else:
            names.append(_account_name(domain, accounts) or _company_name_from_label(domain))
    return distinct.spread(names)


def _company_from_account_domain(frame: pd.DataFrame, lookups: Lookups) -> pd.Series:
    accounts = _accounts_lookup(lookups)
    distinct, domains = _corporate_domains(frame)
    return distinct.spread([_account_name(d, accounts) if d is not None else None for d in domains])


def _domain_from_email(frame: pd.DataFrame, lookups: Lookups) -> pd.Series:
    distinct, domains = _corporate_domains(frame)
    return distinct.spread([registrable_domain(d) if d is not None else None for d in domains])


def _domain_from_website(frame: pd.DataFrame, lookups: Lookups) -> pd.Series:
    return url_domain(frame["website"])


# --------------------------------------------------------------------------------------------- phones


@lru_cache(maxsize=1 << 16)
def _region_of(phone: str) -> str | None:
    text = phone.strip()
    if not text.startswith("+"):
        return None  # a national number says nothing about the country without a default region
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(text.split(";", 1)[0], None))
    except Exception:  # NumberParseException, and anything odd input provokes
        return None
    return region if region and region != "001" else None  # 001: non-geographic (+800, +881, ...)


def _country_from_phone(frame: pd.DataFrame, lookups: Lookups) -> pd.Series:
    distinct = Distinct.of(frame["phone"])
    return distinct.spread([_region_of(v) if type(v) is str else None for v in distinct.uniques])


FILL_RULES: dict[str, FillRule] = {
    "company_from_email_domain": FillRule(
        reads=("email",), writes="company", fn=_company_from_email_domain, entities=("contact",),
        description="company from a corporate e-mail's domain (free-mail domains skipped): the name of the account "
        "with that domain when lookups['accounts'] ({domain: name}) has it, else the domain's registrable label "
        "title-cased (acme-corp.example → Acme Corp)",
    ),
    "company_from_account_domain": FillRule(
        reads=("email",), writes="company", fn=_company_from_account_domain, entities=("contact",),
        description="company from a corporate e-mail's domain, only via lookups['accounts'] ({domain: account name})",
    ),
    "country_from_phone": FillRule(
        reads=("phone",), writes="country", fn=_country_from_phone, entities=("account", "contact"),
        description="ISO 3166-1 alpha-2 country of an E.164 phone number (phonenumbers.region_code_for_number)",
    ),
    "domain_from_website": FillRule(
        reads=("website",), writes="domain", fn=_domain_from_website, entities=("account",),
        description="domain from the website: host without scheme, www. and port (url_domain)",
    ),
    "domain_from_email": FillRule(
        reads=("email",), writes="domain", fn=_domain_from_email, entities=("account", "contact"),
        description="registrable domain of a corporate e-mail address (free-mail domains skipped)",
    ),
}


# ---------------------------------------------------------------------------------------------- apply

_LOG_COLUMNS = ("row", "field", "before", "after", "rule")


def _empty(values: pd.Series) -> np.ndarray:
    """Missing, or text that is only whitespace."""
    missing = values.isna().to_numpy()
    raw = values.to_numpy(dtype=object, na_value=None)
    blank = np.fromiter((type(v) is str and not v.strip() for v in raw), dtype=bool, count=len(raw))
    return missing | blank


def _objects(values: object) -> pd.Series:
    out = np.empty(len(values), dtype=object)  # type: ignore[arg-type]
    out[:] = list(values)  # type: ignore[call-overload]
    return pd.Series(out, dtype=object)


def _as_text(value: object) -> object:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return value if isinstance(value, str) else str(value)


def apply_fill(
    frame: pd.DataFrame, rules: list[str], *, lookups: Mapping[str, object] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the named FILL_RULES in order; each sets its `writes` column where it is empty (missing or blank)
    and the rule has a value. Returns (a filled copy of `frame`, a log with one row per value set: row
    (the frame's index label), field, before (what was there: None or blank text), after, rule
    ("fill:<name>")). A missing `writes` column is added; a missing `reads` column is a ValueError, and so
    is an unknown rule name (the message lists the valid ones). `lookups`: {"accounts": {domain: name}}
    (a dict, a Series indexed by domain, or a DataFrame with domain and name columns)."""
    unknown = [r for r in rules if r not in FILL_RULES]
    if unknown:
        raise ValueError(f"unknown fill rule(s) {', '.join(map(repr, unknown))}; valid: {', '.join(sorted(FILL_RULES))}")
    lookups = lookups or {}
    filled = frame.copy()
    logs: list[pd.DataFrame] = []
    for name in rules:
        rule = FILL_RULES[name]
        missing = [c for c in rule.reads if c not in filled.columns]
        if missing:
            raise ValueError(f"fill rule {name!r} reads {', '.join(missing)}, which the frame does not have; columns: {', '.join(map(str, filled.columns))}")
        if rule.writes not in filled.columns:
            filled[rule.writes] = pd.Series(None, index=filled.index, dtype=object)
        target = filled[rule.writes]
        empty = _empty(target)
        if not empty.any():
            continue
        subset = filled.loc[empty, list(rule.reads)]
        candidates = rule.fn(subset, lookups)
        take = candidates.notna().to_numpy()
        if not take.any():
            continue
        rows = subset.index[take]
        after = candidates.to_numpy(dtype=object)[take]
        before = [_as_text(v) for v in target.loc[empty].to_numpy(dtype=object)[take]]
        if not (pd.api.types.is_object_dtype(target.dtype) or pd.api.types.is_string_dtype(target.dtype)):
            filled[rule.writes] = target.astype(object)
        positions = np.flatnonzero(empty)[take]
        column = filled.columns.get_loc(rule.writes)
        filled.iloc[positions, column] = after
        logs.append(pd.DataFrame({
            "row": pd.Series(rows, dtype=rows.dtype), "field": _objects([rule.writes] * len(rows)),
            "before": _objects(before), "after": _objects(after), "rule": _objects([f"fill:{name}"] * len(rows)),
        }))
    if logs:
        log = pd.concat(logs, ignore_index=True)
    else:
        log = pd.DataFrame({c: pd.Series(dtype=frame.index.dtype if c == "row" else object) for c in _LOG_COLUMNS})
    return filled, log
