"""The in-house CRM's schema in PostgreSQL: tables, column types and the constraints it enforces."""

from __future__ import annotations

TABLES = {"owner": "users", "account": "accounts", "contact": "contacts", "deal": "deals", "activity": "activities", "lead": "leads"}


def table_of(entity: str) -> str:
    """The table holding an entity; a custom object's table is named after it."""
    return TABLES.get(entity, entity)


MAX_STRING = 255
MAX_TEXT = 32_000

# Handover field type -> column type. Short text is bounded like a CRM's text field; numbers are exact.
SQL_TYPES = {
    "string": f"varchar({MAX_STRING})", "email": f"varchar({MAX_STRING})", "phone": "varchar(40)", "url": f"varchar({MAX_STRING})",
    "picklist": f"varchar({MAX_STRING})", "person_name": f"varchar({MAX_STRING})", "country": f"varchar({MAX_STRING})",
    "postcode": "varchar(20)", "company": f"varchar({MAX_STRING})", "text": f"varchar({MAX_TEXT})",
    "date": "date", "datetime": "timestamptz", "number": "numeric", "integer": "bigint", "boolean": "boolean",
}
# The unbounded type each column is staged in, so a value too long or out of range is refused by the table, row by row.
STAGING_TYPES = {"date": "date", "datetime": "timestamptz", "number": "numeric", "integer": "numeric", "boolean": "boolean"}

# entity -> fields the CRM refuses to store empty (NOT NULL), and groups of which one must be set (CHECK)
NOT_NULL = {"owner": ("email",), "account": ("name",), "deal": ("name",), "activity": ("subject",)}
ONE_OF = {"contact": ("last_name", "email")}
NON_NEGATIVE = {"account": ("annual_revenue", "employees"), "deal": ("amount",)}
PERCENT = {"deal": ("probability",)}
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# Owners may exist before a migration (created by an admin), without an external id; they are adopted by email.
NULLABLE_EXTERNAL_ID = {"owner"}
UNIQUE_LOWER = {"owner": ("email",)}
