"""Pipedrive endpoints and limits (developers.pipedrive.com/docs/api/v2; pipedrive.readme.io core concepts:
cursor pagination with `limit` up to 500 and `additional_data.next_cursor`, rate limiting per 2-second window with
x-ratelimit-* headers and x-daily-requests-left; checked 2026-12)."""

DEFAULT_HOST = "api.pipedrive.com"
LIST_PATH = "/api/v2/{object}"
ITEM_PATH = "/api/v2/{object}/{id}"
SEARCH_PATH = "/api/v2/{object}/search"
USERS_PATH = "/api/v1/users"
FIELDS_PATH = "/api/v1/{fields}"

PAGE_SIZE = 500
MODIFIED = "update_time"
OBJECTS = ("users", "persons", "organizations", "deals", "activities")
FIELDS_OF = {"persons": "personFields", "organizations": "organizationFields", "deals": "dealFields", "activities": "activityFields"}
ENTITY_OBJECTS = {"owner": "users", "account": "organizations", "contact": "persons", "deal": "deals", "activity": "activities"}
