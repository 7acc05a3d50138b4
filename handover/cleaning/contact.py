"""E-mail addresses, phone numbers and URLs."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

import email_validator
import pandas as pd
import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from handover.cleaning.base import Distinct, Normalised, Triple, per_distinct_text

# A strict subset of what email-validator accepts, checked with one regex instead of a ~70µs call.
# Labels with "--" may be IDNA (xn--) and special-use TLDs are rejected, so both go the slow way.
_SIMPLE_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}",
    re.ASCII,
)
_SPECIAL_TLDS = frozenset(email_validator.SPECIAL_USE_DOMAIN_NAMES)


@lru_cache(maxsize=1 << 16)
def _normalise_email(text: str) -> str | None:
    lowered = text.lower()
    local, _, domain = lowered.partition("@")
    if (
        len(local) <= 64
        and len(lowered) <= 254
        and _SIMPLE_EMAIL.fullmatch(lowered)
        and "--" not in domain
        and domain.rpartition(".")[2] not in _SPECIAL_TLDS
    ):
        return lowered
    if text.count("@") != 1 or "." not in domain:
        return None  # email-validator rejects these too (no quoted local parts, domain needs a dot)
    try:
        checked = email_validator.validate_email(text, check_deliverability=False)
    except Exception:  # EmailNotValidError, and anything odd input provokes inside idna
        return None
    return checked.normalized.lower()


def _email_triple(text: str, text_rule: str | None) -> Triple:
    value = _normalise_email(text)
    if value is None:
        return None, "invalid_email", None
    if value == text:
        return value, None, text_rule
    return value, None, "lowercase" if value == text.lower() else "email_normalize"


def clean_email(s: pd.Series) -> Normalised:
    """Syntax-checked (email-validator, no DNS) and lower-cased address; problem "invalid_email"."""
    return per_distinct_text(s, _email_triple)


_CN_EXTENSION = re.compile(r"\s*(?:转|轉|分机|分機)\s*([0-9]{1,6})\s*$")
# Chinese mobiles dominate the data; for them phonenumbers' answer is known without a 25µs parse.
_CN_MOBILE = re.compile(r"(\+86[ -]?)?(1[3-9][0-9])[ -]?([0-9]{4})[ -]?([0-9]{4})", re.ASCII)
_TYPE_NAMES = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
}


@lru_cache(maxsize=1 << 16)
def _normalise_phone(text: str, region: str | None) -> str | None:
    mobile = _CN_MOBILE.fullmatch(text)
    if mobile is not None and (mobile[1] or region == "CN"):
        return "+86" + mobile[2] + mobile[3] + mobile[4]
    text = _CN_EXTENSION.sub(r" ext. \1", text)
    try:
        number = phonenumbers.parse(text, region)
        if not phonenumbers.is_possible_number(number):
            return None
        e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    except Exception:  # NumberParseException, and anything odd input provokes
        return None
    return f"{e164};ext={number.extension}" if number.extension else e164


def clean_phone(s: pd.Series, default_region: str | None = "CN") -> Normalised:
    """E.164 (`+8613812345678`, extension as `;ext=123`); numbers without a country code are read in
    `default_region` (None: they are invalid). Problem "invalid_phone" when unparseable or not a
    possible number (a length check, not a validity check)."""
    region = default_region.upper() if default_region else None

    def one(text: str, text_rule: str | None) -> Triple:
        value = _normalise_phone(text, region)
        if value is None:
            return None, "invalid_phone", None
        return value, None, text_rule if value == text else "e164"

    return per_distinct_text(s, one)


@lru_cache(maxsize=1 << 16)
def _phone_kind(e164: str) -> str | None:
    try:
        return _TYPE_NAMES.get(phonenumbers.number_type(phonenumbers.parse(e164, None)))
    except Exception:
        return None


def phone_kind(e164: pd.Series) -> pd.Series:
    """"mobile", "fixed_line", "fixed_line_or_mobile", "voip", ... for clean_phone output; None when
    empty, unparseable or not a valid number (phonenumbers' UNKNOWN)."""
    distinct = Distinct.of(e164)
    return distinct.spread([_phone_kind(v) if type(v) is str else None for v in distinct.uniques])


_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://")
_HOST = re.compile(r"(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W_](?:[\w-]{0,61}[^\W_])?\.?")


def _normalise_url(text: str) -> tuple[str | None, str | None]:
    """(normalised URL or None when invalid, most significant rule or None)."""
    if any(c.isspace() for c in text):
        return None, None
    if text.startswith("//"):
        candidate, rule = "https:" + text, "add_scheme"
    elif _SCHEME.match(text) is None:
        candidate, rule = "https://" + text, "add_scheme"
    else:
        candidate, rule = text, None
    try:
        parts = urlsplit(candidate)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return None, None
    userinfo, at, hostport = parts.netloc.rpartition("@")
    host = parts.hostname or ""
    if "." not in host or _HOST.fullmatch(host) is None:
        return None, None
    path = "" if parts.path == "/" and not parts.query and not parts.fragment else parts.path
    url = f"{parts.scheme}://{userinfo}{at}{hostport.lower()}{path}"
    url += f"?{parts.query}" if parts.query else ""
    url += f"#{parts.fragment}" if parts.fragment else ""
    scheme_as_written = candidate.partition(":")[0]
    if rule is None and (scheme_as_written != parts.scheme or hostport != hostport.lower()):
        rule = "lowercase"
    if rule is None and path != parts.path:
        rule = "trailing_slash"
    if rule is None and url != text:
        rule = "url_normalize"  # e.g. an empty "?" or "#" dropped
    return url, rule


def clean_url(s: pd.Series) -> Normalised:
    """Adds https:// when there is no scheme, lower-cases scheme and host, drops a bare host's "/";
    problem "invalid_url" when there is no host with a dot (or the URL contains spaces)."""
    def one(text: str, text_rule: str | None) -> Triple:
        value, rule = _normalise_url(text)
        if value is None:
            return None, "invalid_url", rule
        return value, None, rule or text_rule

    return per_distinct_text(s, one)


def url_domain(s: pd.Series) -> pd.Series:
    """Host of each URL without "www." and port (`https://www.acme.example/about` → `acme.example`);
    None when empty or invalid. Not public-suffix aware: `shop.acme.example` stays as it is."""
    cleaned = clean_url(s).values
    distinct = Distinct.of(cleaned)
    hosts: list[str | None] = []
    for url in distinct.uniques:
        host = (urlsplit(url).hostname or "").rstrip(".")
        hosts.append(host.removeprefix("www.") or None)
    return distinct.spread(hosts)
