"""Pipedrive as the sandbox speaks it: API v2 persons, organizations, deals and activities with cursor paging
(`limit` up to 500, `additional_data.next_cursor`), `updated_since`, create (POST) and update (PATCH), search by a
field's exact value; v1 users and custom fields (hash keys); Pipedrive's `{"success": false, "error": ...}` bodies and
its x-ratelimit-* (2-second window) and x-daily-requests-left headers
(pipedrive.readme.io/docs core concepts: pagination, rate limiting; developers.pipedrive.com/docs/api/v2; checked 2026-12)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.sandbox.store import Store, parse_instant

API = "pipedrive"
PREFIXES = ("/api/v1/", "/api/v2/")
PUBLIC = ()
MAX_LIMIT = 500
MAX_URL = 8_000
WINDOW_SECONDS = 2
OBJECTS = {"persons": "personFields", "organizations": "organizationFields", "deals": "dealFields", "activities": "activityFields"}
FIELDS_OF = {v: k for k, v in OBJECTS.items()}
# Standard fields per object (value type); emails and phones are lists of {value, primary, label}.
STANDARD = {
    "persons": {"name": "varchar", "first_name": "varchar", "last_name": "varchar", "emails": "list", "phones": "list", "owner_id": "user", "org_id": "org",
                "job_title": "varchar"},
    "organizations": {"name": "varchar", "owner_id": "user", "address": "varchar", "website": "varchar"},
    "deals": {"title": "varchar", "value": "double", "currency": "varchar", "status": "varchar", "stage_id": "int", "expected_close_date": "date",
              "person_id": "person", "org_id": "org", "owner_id": "user"},
    "activities": {"subject": "varchar", "type": "varchar", "due_date": "date", "done": "bool", "note": "text", "person_id": "person", "org_id": "org",
                   "deal_id": "deal", "owner_id": "user"},
}
REQUIRED = {"persons": ("name",), "organizations": ("name",), "deals": ("title",), "activities": ("subject",)}
REFERENCE_OBJECT = {"person": "persons", "org": "organizations", "deal": "deals"}


def error(status: int, message: str, code: str | None = None) -> JSONResponse:
    return JSONResponse({"success": False, "error": message, "error_info": "Please check developers.pipedrive.com for more information about Pipedrive API.",
                         "data": None, "additional_data": None, **({"code": code} if code else {})}, status_code=status)


def unauthorized(expired: bool) -> Response:
    return error(401, "unauthorized access" if not expired else "Invalid token: access token is expired", "unauthorized")


def rate_limited(retry_after: float) -> Response:
    response = error(429, "Request over limit", "rate_limit")
    response.headers["Retry-After"] = str(int(retry_after) if float(retry_after).is_integer() else retry_after)
    return response


def quota_exceeded() -> Response:
    response = error(429, "Daily limit exceeded: the company's token budget for today is spent", "daily_limit")
    response.headers["x-daily-requests-left"] = "0"
    return response


def server_error(status: int) -> Response:
    return error(status, "Internal server error" if status == 500 else "Service unavailable")


def rate_headers(limits: dict[str, Any], used_window: int, used_daily: int) -> dict[str, str]:
    window, daily = int(limits.get("per_2s", 1 << 30)), int(limits["daily"])
    return {"x-ratelimit-limit": str(window), "x-ratelimit-remaining": str(max(window - used_window, 0)), "x-ratelimit-reset": "2",
            "x-daily-requests-left": str(max(daily - used_daily, 0))}


def _store(request: Request) -> Store:
    return request.app.state.store


def _tenant(request: Request) -> str:
    return request.scope["tenant"]


def field_key(name: str) -> str:
    """A custom field's key: Pipedrive uses a 40-character hash."""
    return hashlib.sha1(name.encode("utf-8")).hexdigest()


def _custom(store: Store, tenant: str, obj: str) -> dict[str, dict[str, Any]]:
    return store.properties(API, tenant, obj)  # key -> {type, unique}


def _cursor(record_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"id": record_id}).encode()).decode()


def _after(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["id"])
    except (ValueError, KeyError, TypeError):
        raise ValueError("invalid cursor")


def _as_item(obj: str, record: dict[str, Any], custom: dict[str, Any]) -> dict[str, Any]:
    data = record["data"]
    item = {"id": record["id"], **{k: data.get(k) for k in STANDARD[obj]}, "add_time": record["created_at"][:19] + "Z",
            "update_time": record["updated_at"][:19] + "Z", "is_deleted": record["archived"]}
    item["custom_fields"] = {k: data.get(k) for k in custom}
    return item


async def list_items(request: Request) -> Response:
    obj = request.path_params["object"]
    if obj not in OBJECTS:
        return error(404, f"Unknown method: {obj}")
    try:
        limit = int(request.query_params.get("limit", 100))
        after = _after(request.query_params.get("cursor"))
    except ValueError as exc:
        return error(400, f"Validation failed: {exc}")
    if not 1 <= limit <= MAX_LIMIT:
        return error(400, f"Validation failed: limit: Value must be between 1 and {MAX_LIMIT}")
    store, tenant = _store(request), _tenant(request)
    since = request.query_params.get("updated_since")
    custom = _custom(store, tenant, obj)
    if since:
        try:
            floor = parse_instant(since)
        except ValueError:
            return error(400, "Validation failed: updated_since: must be an RFC3339 date-time")
        records = [r for r in store.all_records(API, tenant, obj) if r["id"] > after and parse_instant(r["updated_at"]) >= floor][: limit + 1]
    else:
        records = store.page(API, tenant, obj, after, limit + 1)
    body = {"success": True, "data": [_as_item(obj, r, custom) for r in records[:limit]],
            "additional_data": {"next_cursor": _cursor(records[limit - 1]["id"]) if len(records) > limit else None}}
    return JSONResponse(body)


def _values(store: Store, tenant: str, obj: str, body: dict[str, Any], creating: bool) -> tuple[dict[str, Any], str | None]:
    custom = _custom(store, tenant, obj)
    values: dict[str, Any] = {}
    for key, value in body.items():
        if key == "custom_fields":
            for ckey, cvalue in (value or {}).items():
                if ckey not in custom:
                    return {}, f"Validation failed: custom_fields: unknown field {ckey}"
                values[ckey] = cvalue
            continue
        kind = STANDARD[obj].get(key)
        if kind is None:
            return {}, f"Validation failed: {key}: unknown field"
        if value is not None and kind in REFERENCE_OBJECT and not store.get(API, tenant, REFERENCE_OBJECT[kind], [int(value)]):
            return {}, f"Validation failed: {key}: {REFERENCE_OBJECT[kind][:-1]} with id {value} not found"
        if value is not None and kind == "user" and not store.get(API, tenant, "users", [int(value)]):
            return {}, f"Validation failed: {key}: user with id {value} not found"
        if value is not None and kind == "double":
            try:
                value = float(value)
            except (TypeError, ValueError):
                return {}, f"Validation failed: {key}: must be a number"
        values[key] = value
    if creating:
        missing = [f for f in REQUIRED[obj] if values.get(f) in (None, "")]
        if missing:
            return {}, f"Validation failed: {missing[0]}: Required"
    return values, None


async def create(request: Request) -> Response:
    obj = request.path_params["object"]
    if obj not in OBJECTS:
        return error(404, f"Unknown method: {obj}")
    store, tenant = _store(request), _tenant(request)
    values, problem = _values(store, tenant, obj, await request.json(), True)
    if problem:
        return error(400, problem)
    (record_id, *_rest), = store.write(API, tenant, obj, [(None, values)], [k for k, v in _custom(store, tenant, obj).items() if v["unique"]])
    return JSONResponse({"success": True, "data": _as_item(obj, store.get(API, tenant, obj, [record_id])[record_id], _custom(store, tenant, obj))})


async def item(request: Request) -> Response:
    obj = request.path_params["object"]
    if obj not in OBJECTS:
        return error(404, f"Unknown method: {obj}")
    store, tenant = _store(request), _tenant(request)
    record_id = int(request.path_params["id"])
    found = store.get(API, tenant, obj, [record_id]).get(record_id)
    if found is None or found["archived"]:
        return error(404, f"{obj[:-1].title()} not found")
    if request.method == "PATCH":
        values, problem = _values(store, tenant, obj, await request.json(), False)
        if problem:
            return error(400, problem)
        store.write(API, tenant, obj, [(record_id, values)], [k for k, v in _custom(store, tenant, obj).items() if v["unique"]])
        found = store.get(API, tenant, obj, [record_id])[record_id]
    return JSONResponse({"success": True, "data": _as_item(obj, found, _custom(store, tenant, obj))})


async def search(request: Request) -> Response:
    obj = request.path_params["object"]
    term = request.query_params.get("term", "")
    if obj not in OBJECTS or len(term) < 2:
        return error(400, "Validation failed: term: must be at least 2 characters")
    store, tenant = _store(request), _tenant(request)
    custom = _custom(store, tenant, obj)
    exact = request.query_params.get("exact_match", "false") == "true"
    fields = request.query_params.get("fields", "")
    keys = [k for k in custom] if "custom_fields" in fields else []
    keys += [f for f in ("name", "title", "subject") if f in fields or not fields]
    items = []
    for record in store.all_records(API, tenant, obj):
        for key in keys:
            value = str(record["data"].get(key) or "")
            if (value == term) if exact else (term.lower() in value.lower()):
                items.append({"result_score": 1.0, "item": {"id": record["id"], "type": obj[:-1], key: value}})
                break
    return JSONResponse({"success": True, "data": {"items": items[:500]}, "additional_data": {"next_cursor": None}})


async def users(request: Request) -> Response:
    data = [{"id": r["id"], "name": r["data"].get("name"), "email": r["data"].get("email"), "active_flag": not r["archived"] and r["data"].get("active_flag", True)}
            for r in _store(request).all_records(API, _tenant(request), "users", include_archived=True)]
    return JSONResponse({"success": True, "data": data})


async def custom_fields(request: Request) -> Response:
    kind = request.path_params["kind"]
    obj = FIELDS_OF.get(kind)
    if obj is None:
        return error(404, f"Unknown method: {kind}")
    store, tenant = _store(request), _tenant(request)
    if request.method == "POST":
        body = await request.json()
        name = str(body.get("name") or "")
        if not name or body.get("field_type") not in ("varchar", "text", "double", "date", "monetary"):
            return error(400, "Validation failed: name and field_type (varchar, text, double, date, monetary) are required")
        key = field_key(f"{obj}:{name}")
        # Pipedrive keeps a field's values unique only where the caller makes them so; the sandbox indexes them for search.
        store.add_properties(API, tenant, obj, [(key, f"{body['field_type']}:{name}", True)])
        return JSONResponse({"success": True, "data": {"id": len(_custom(store, tenant, obj)), "key": key, "name": name, "field_type": body["field_type"]}},
                            status_code=201)
    standard = [{"key": k, "name": k, "field_type": t, "edit_flag": False} for k, t in STANDARD[obj].items()]
    extra = [{"key": k, "name": v["type"].partition(":")[2] or k, "field_type": v["type"].partition(":")[0], "edit_flag": True}
             for k, v in _custom(store, tenant, obj).items()]
    return JSONResponse({"success": True, "data": standard + extra})


def routes() -> list[Route]:
    return [
        Route("/api/v1/users", users, methods=["GET"]),
        Route("/api/v1/{kind}", custom_fields, methods=["GET", "POST"]),
        Route("/api/v2/{object}", list_items, methods=["GET"]),
        Route("/api/v2/{object}", create, methods=["POST"]),
        Route("/api/v2/{object}/search", search, methods=["GET"]),
        Route("/api/v2/{object}/{id:int}", item, methods=["GET", "PATCH"]),
    ]
