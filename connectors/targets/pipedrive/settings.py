"""How Handover's records become Pipedrive fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from connectors.sources.pipedrive.settings import ENTITY_OBJECTS
from handover.frames import is_missing

EXTERNAL_ID_FIELD = "Handover external id"  # a custom field holding each record's external id (Pipedrive keys it by a hash)

# Handover field -> Pipedrive standard field, per object; other fields become custom fields of the same name.
STANDARD_FIELDS: dict[str, dict[str, str]] = {
    "persons": {"name": "name", "first_name": "first_name", "last_name": "last_name", "email": "emails", "phone": "phones", "title": "job_title"},
    "organizations": {"name": "name", "city": "address", "website": "website"},
    "deals": {"name": "title", "amount": "value", "currency": "currency", "close_date": "expected_close_date"},
    "activities": {"subject": "subject", "type": "type", "due_date": "due_date", "details": "note"},
}
LINK_FIELDS = {"account": "org_id", "contact": "person_id", "deal": "deal_id"}
FIELD_TYPES = {"number": "double", "integer": "double", "date": "date", "datetime": "varchar", "text": "text"}


def entity_object(entity: str, overrides: dict[str, str]) -> str:
    return overrides.get(entity) or ENTITY_OBJECTS.get(entity, entity)


def to_value(value: Any, kind: str) -> Any:
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    return value
