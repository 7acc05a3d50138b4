"""Salesforce REST endpoints and limits (developer.salesforce.com/docs/platform/api-rest: Query, QueryAll, Query More
Results, sObject Describe, sObject Collections, Bulk API 2.0 ingest; checked 2026-12)."""

DEFAULT_VERSION = "59.0"
QUERY_PATH = "/services/data/v{version}/query"
QUERY_ALL_PATH = "/services/data/v{version}/queryAll"
DESCRIBE_PATH = "/services/data/v{version}/sobjects/{object}/describe"
RETRIEVE_PATH = "/services/data/v{version}/composite/sobjects/{object}"
UPSERT_PATH = "/services/data/v{version}/composite/sobjects/{object}/{field}"
INGEST_PATH = "/services/data/v{version}/jobs/ingest"
CUSTOM_FIELD_PATH = "/services/data/v{version}/tooling/sobjects/CustomField"
TOKEN_PATH = "/services/oauth2/token"

PAGE_SIZE = 2_000  # records a query page holds at most (nextRecordsUrl for the rest)
COLLECTION_SIZE = 200  # records an sObject Collections call takes at most
RETRIEVE_SIZE = 2_000  # ids a Collections retrieve takes at most
MAX_SOQL_FIELDS_CHARS = 8_000  # fields past this go in a second read (a POST), so no query URL grows past the limit

MODIFIED = "SystemModstamp"
DELETED = "IsDeleted"
OBJECTS = ("User", "Account", "Contact", "Lead", "Opportunity", "Task")
ENTITY_OBJECTS = {"owner": "User", "account": "Account", "contact": "Contact", "deal": "Opportunity", "activity": "Task", "lead": "Lead"}
