"""Vectorised value normalisers for the "cleaned" stage, and the registry mapping field types to them.

Every cleaner takes a Series of raw cells and returns a `Normalised` (values, problems, rules) with the
same index. Empty cells (None, NaN, "", whitespace) give None/None/None; a value that cannot be read
gives value None and a problem code, and the caller keeps the original. A value read with a caveat (a local
time inside a daylight-saving change, an amount whose currency conflicts) keeps its value and carries a problem
code too, so it is flagged, never resolved silently.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import cache

import pandas as pd

from handover.cleaning.base import Normalised, clean_text
from handover.cleaning.contact import clean_email, clean_phone, clean_url, phone_kind, url_domain
from handover.cleaning.dates import clean_date, clean_datetime
from handover.cleaning.names import clean_person_name
from handover.cleaning.numeric import clean_boolean, clean_integer, clean_number
from handover.cleaning.places import clean_company, clean_country, clean_postcode

__all__ = [
    "CLEANERS",
    "Normalised",
    "clean",
    "clean_boolean",
    "clean_company",
    "clean_country",
    "clean_date",
    "clean_datetime",
    "clean_email",
    "clean_integer",
    "clean_multiline_text",
    "clean_number",
    "clean_person_name",
    "clean_phone",
    "clean_picklist",
    "clean_postcode",
    "clean_text",
    "clean_url",
    "phone_kind",
    "url_domain",
]


def clean_multiline_text(s: pd.Series) -> Normalised:
    """clean_text keeping line breaks (the "text" type: notes, descriptions, addresses)."""
    return clean_text(s, multiline=True)


def clean_picklist(s: pd.Series) -> Normalised:
    """clean_text, case kept: mapping to the target's options happens elsewhere."""
    return clean_text(s)


CLEANERS: dict[str, Callable[..., Normalised]] = {
    "string": clean_text,
    "text": clean_multiline_text,
    "email": clean_email,
    "phone": clean_phone,
    "date": clean_date,
    "datetime": clean_datetime,
    "number": clean_number,
    "integer": clean_integer,
    "boolean": clean_boolean,
    "url": clean_url,
    "picklist": clean_picklist,
    "person_name": clean_person_name,
    "country": clean_country,
    "postcode": clean_postcode,
    "company": clean_company,
}


@cache
def _option_names(cleaner: Callable[..., Normalised]) -> frozenset[str]:
    params = list(inspect.signature(cleaner).parameters.values())[1:]
    return frozenset(p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))


def clean(type_name: str, s: pd.Series, **options: object) -> Normalised:
    """Run the cleaner for `type_name`, passing only the options it accepts (so a caller can hand the
    same `tz`, `date_order`, `default_region` to every column)."""
    try:
        cleaner = CLEANERS[type_name]
    except KeyError:
        raise ValueError(f"no cleaner for type {type_name!r}; known: {sorted(CLEANERS)}") from None
    accepted = _option_names(cleaner)
    return cleaner(s, **{k: v for k, v in options.items() if k in accepted})
