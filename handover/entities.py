"""Canonical CRM entities: their fields, types and relationships.

Every source is shaped into these entities in the cleaned stage; targets map from them.
"""

from __future__ import annotations

ENTITIES: tuple[str, ...] = ("owner", "account", "contact", "deal", "activity")

FIELD_TYPES: tuple[str, ...] = (
    "string", "text", "email", "phone", "date", "datetime", "number", "integer", "boolean", "url", "picklist",
    "person_name", "country", "postcode", "company",
)

# Types that hold free text: a spec may use any of them where the canonical field has another.
TEXT_TYPES = frozenset({"string", "text", "picklist", "person_name", "company"})

CANONICAL_FIELDS: dict[str, dict[str, str]] = {
    "owner": {
        "name": "person_name", "email": "email", "phone": "phone", "department": "string", "title": "string",
        "active": "boolean", "manager": "string",
    },
    "account": {
        "name": "company", "website": "url", "domain": "string", "phone": "phone", "industry": "picklist", "street": "string",
        "city": "string", "postcode": "postcode", "state": "string", "country": "country",
        "annual_revenue": "number", "employees": "integer", "tax_id": "string", "description": "text",
        "created_at": "datetime", "modified_at": "datetime",
    },
    "contact": {
        "first_name": "person_name", "last_name": "person_name", "full_name": "person_name", "email": "email",
        "phone": "phone", "mobile": "phone", "company": "company", "title": "string", "department": "string",
        "street": "string", "city": "string", "postcode": "postcode", "state": "string", "country": "country", "date_of_birth": "date", "description": "text",
        "created_at": "datetime", "modified_at": "datetime",
    },
    "deal": {
        "name": "string", "amount": "number", "currency": "picklist", "stage": "picklist",
        "probability": "number", "close_date": "date", "description": "text",
        "created_at": "datetime", "modified_at": "datetime",
    },
    "activity": {
        "type": "picklist", "subject": "string", "details": "text", "occurred_at": "datetime",
        "due_date": "date", "status": "picklist", "created_at": "datetime", "modified_at": "datetime",
    },
}

# link name -> entity it points at
LINKS: dict[str, dict[str, str]] = {
    "owner": {},
    "account": {},
    "contact": {"account": "account"},
    "deal": {"account": "account", "contact": "contact"},
    "activity": {"contact": "contact", "account": "account", "deal": "deal"},
}

# Fields derived from others, usable in dedup rules.
VIRTUAL_FIELDS: dict[str, dict[str, str]] = {
    "owner": {},
    "account": {"domain": "website"},
    "contact": {"name": "first_name+last_name", "domain": "email"},
    "deal": {},
    "activity": {},
}

