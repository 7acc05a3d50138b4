"""How Handover's records become HubSpot properties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from connectors.sources.hubspot.settings import ENTITY_OBJECTS
from handover.frames import is_missing

ID_PROPERTY = "handover_external_id"  # a unique-value property holding each record's external id (the upsert's idProperty)

# Handover field type -> (HubSpot property type, fieldType) of a property the target creates
PROPERTY_TYPES = {
    "number": ("number", "number"), "integer": ("number", "number"), "date": ("date", "date"), "datetime": ("datetime", "date"),
    "boolean": ("bool", "booleancheckbox"), "text": ("string", "textarea"),
}


def entity_object(entity: str, overrides: dict[str, str]) -> str:
    return overrides.get(entity) or ENTITY_OBJECTS.get(entity, entity)


def to_text(value: Any, kind: str) -> str:
    """A value as HubSpot takes it: text; '' clears the property."""
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and kind in ("number", "integer"):
        return str(int(value))
    return str(value)
