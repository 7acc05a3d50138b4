"""The embedded "new CRM": table names and the validation rules it enforces, like a real CRM would."""

TABLES = {"owner": "users", "account": "accounts", "contact": "contacts", "deal": "deals", "activity": "activities", "lead": "leads"}
ID_PREFIX = {"owner": "USR", "account": "ACC", "contact": "CON", "deal": "DEA", "activity": "ACT", "lead": "LEA"}


def table_of(entity: str) -> str:
    """The table holding an entity; a custom object's table is named after it."""
    return TABLES.get(entity, entity)

SQL_TYPES = {
    "string": "VARCHAR", "text": "VARCHAR", "email": "VARCHAR", "phone": "VARCHAR", "url": "VARCHAR", "picklist": "VARCHAR",
    "person_name": "VARCHAR", "country": "VARCHAR", "postcode": "VARCHAR", "company": "VARCHAR",
    "date": "DATE", "datetime": "TIMESTAMPTZ", "number": "DOUBLE", "integer": "BIGINT", "boolean": "BOOLEAN",
}
SHORT_TEXT_TYPES = {"string", "email", "phone", "url", "picklist", "person_name", "country", "postcode", "company"}
MAX_STRING = 255
MAX_TEXT = 32_000

# entity -> fields (or groups of alternatives) the target refuses to store empty
REQUIRED = {"owner": [("email",)], "account": [("name",)], "contact": [("last_name", "email")], "deal": [("name",)], "activity": [("subject",)]}
NON_NEGATIVE = {"account": ("annual_revenue", "employees"), "deal": ("amount",)}
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
