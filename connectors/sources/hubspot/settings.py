"""HubSpot CRM endpoints and limits (developers.hubspot.com/docs/api-reference, CRM v3 objects and search,
v4 associations, v3 owners and properties; checked 2026-12)."""

DEFAULT_HOST = "api.hubapi.com"
OBJECTS_PATH = "/crm/v3/objects/{object}"
SEARCH_PATH = "/crm/v3/objects/{object}/search"
BATCH_READ_PATH = "/crm/v3/objects/{object}/batch/read"
BATCH_UPSERT_PATH = "/crm/v3/objects/{object}/batch/upsert"
PROPERTIES_PATH = "/crm/v3/properties/{object}"
OWNERS_PATH = "/crm/v3/owners"
ASSOCIATIONS_READ_PATH = "/crm/v4/associations/{from_object}/{to_object}/batch/read"
ASSOCIATE_PATH = "/crm/v4/associations/{from_object}/{to_object}/batch/associate/default"
TOKEN_PATH = "/oauth/v1/token"

PAGE_SIZE = 100  # objects list: 100 a page at most
SEARCH_PAGE_SIZE = 200  # search: 200 a page at most
SEARCH_CAP = 10_000  # search: results past the 10,000th of one query are refused (400)
BATCH_SIZE = 100  # batch read / upsert: 100 inputs a call
OWNERS_PAGE_SIZE = 500
ASSOCIATIONS_BATCH = 1_000
MAX_QUERY_CHARS = 3_000  # properties per GET are chunked so the query string stays well below the servers' URL limits

MODIFIED = "hs_lastmodifieddate"
OWNER_MODIFIED = "updated_at"
OBJECTS = ("contacts", "companies", "deals", "notes", "tasks", "owners")
ENTITY_OBJECTS = {"owner": "owners", "account": "companies", "contact": "contacts", "deal": "deals", "activity": "notes"}
# A link column `<object>_id` holds the record's first associated <object> (HubSpot's primary where it has one).
LINK_SUFFIX = "_id"
PRIMARY_TYPE_IDS = {1, 5}
