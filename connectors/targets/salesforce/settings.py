"""How Handover's records become Salesforce fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from connectors.sources.salesforce.settings import ENTITY_OBJECTS
from handover.frames import is_missing

EXTERNAL_ID_FIELD = "Handover_External_Id__c"

# Handover field -> standard field, per sObject; other fields map to a field of the same name (any case) or a custom field.
STANDARD_FIELDS: dict[str, dict[str, str]] = {
    "User": {"email": "Email", "first_name": "FirstName", "last_name": "LastName", "title": "Title", "department": "Department", "phone": "Phone",
             "active": "IsActive"},
    "Account": {"name": "Name", "website": "Website", "phone": "Phone", "industry": "Industry", "street": "BillingStreet", "city": "BillingCity",
                "postcode": "BillingPostalCode", "state": "BillingState", "country": "BillingCountry", "annual_revenue": "AnnualRevenue",
                "employees": "NumberOfEmployees", "description": "Description"},
    "Contact": {"first_name": "FirstName", "last_name": "LastName", "email": "Email", "phone": "Phone", "mobile": "MobilePhone", "title": "Title",
                "department": "Department", "street": "MailingStreet", "city": "MailingCity", "postcode": "MailingPostalCode", "state": "MailingState",
                "country": "MailingCountry", "date_of_birth": "Birthdate", "description": "Description"},
    "Lead": {"first_name": "FirstName", "last_name": "LastName", "company": "Company", "email": "Email", "phone": "Phone", "status": "Status"},
    "Opportunity": {"name": "Name", "amount": "Amount", "currency": "CurrencyIsoCode", "stage": "StageName", "probability": "Probability",
                    "close_date": "CloseDate", "description": "Description"},
    "Task": {"subject": "Subject", "details": "Description", "type": "Type", "status": "Status", "due_date": "ActivityDate"},
}
# link -> (relationship name, lookup field) per sObject; Who/What are polymorphic and name their type.
RELATIONSHIPS: dict[str, dict[str, tuple[str, str]]] = {
    "Contact": {"account": ("Account", "AccountId")},
    "Opportunity": {"account": ("Account", "AccountId"), "contact": ("Contact", "ContactId")},
    "Task": {"contact": ("Who", "WhoId"), "deal": ("What", "WhatId"), "account": ("What", "WhatId")},
}
# Handover field type -> Tooling API CustomField type, for fields the target creates
CUSTOM_TYPES = {"number": "Number", "integer": "Number", "date": "Date", "datetime": "DateTime", "boolean": "Checkbox", "text": "LongTextArea",
                "email": "Email", "phone": "Phone", "url": "Url"}


def entity_object(entity: str, overrides: dict[str, str]) -> str:
    return overrides.get(entity) or ENTITY_OBJECTS.get(entity, entity.title())


def custom_name(field: str) -> str:
    return "".join(part.title() for part in field.split("_")) + "__c"


def to_value(value: Any, kind: str) -> Any:
    """A value as Salesforce's JSON takes it."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}+0000"
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer() and kind == "integer":
        return int(value)
    return value
