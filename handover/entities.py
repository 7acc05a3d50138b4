"""Canonical CRM entities: their fields, types and relationships.

Every source is shaped into these entities in the cleaned stage; targets map from them.
"""

from __future__ import annotations

# Built-in entities, in load order; a spec may declare others (custom objects), whose fields are its own.
ENTITIES: tuple[str, ...] = ("owner", "lead", "account", "contact", "deal", "activity")

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
    "lead": {
        "first_name": "person_name", "last_name": "person_name", "full_name": "person_name", "email": "email",
        "phone": "phone", "mobile": "phone", "company": "company", "title": "string", "website": "url", "industry": "picklist",
        "status": "picklist", "source": "picklist", "street": "string", "city": "string", "postcode": "postcode", "state": "string",
        "country": "country", "amount": "number", "currency": "picklist", "description": "text",
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
    "lead": {},
    "contact": {"account": "account"},
    "deal": {"account": "account", "contact": "contact"},
    "activity": {"contact": "contact", "account": "account", "deal": "deal"},
}

# Fields derived from others, usable in dedup rules.
VIRTUAL_FIELDS: dict[str, dict[str, str]] = {
    "owner": {},
    "account": {"domain": "website"},
    "contact": {"name": "first_name+last_name", "domain": "email"},
    "lead": {"name": "first_name+last_name", "domain": "email"},
    "deal": {},
    "activity": {},
}



def canonical_fields(entity: str) -> dict[str, str]:
    """The canonical fields of a built-in entity; none for a custom object (its spec declares them)."""
    return CANONICAL_FIELDS.get(entity, {})


def linked_entity(entity: str, link: str, declared: str | None = None) -> str:
    """The entity a link points at: as declared, else the built-in relationship, else the entity the link is named after."""
    return declared or LINKS.get(entity, {}).get(link, link)


# What a converted lead becomes, field by field (target field -> lead field), when the spec does not say.
CONVERSION_FIELDS: dict[str, dict[str, str]] = {
    "contact": {f: f for f in ("first_name", "last_name", "full_name", "email", "phone", "mobile", "company", "title", "street",
                                "city", "postcode", "state", "country", "description", "created_at", "modified_at")},
    "account": {"name": "company", "website": "website", "phone": "phone", "industry": "industry", "street": "street",
                "city": "city", "postcode": "postcode", "state": "state", "country": "country", "created_at": "created_at"},
    "deal": {"name": "company", "amount": "amount", "currency": "currency", "created_at": "created_at"},
}
