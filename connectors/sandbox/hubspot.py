"""HubSpot CRM v3/v4 as the sandbox speaks it: objects with `after` cursors, search (200 a page, 10,000 results at
most), batch read/upsert by `idProperty` (100 a call), associations v4, owners, properties, OAuth refresh, and
HubSpot's error bodies and rate-limit headers (developers.hubspot.com/docs/api-reference, checked 2026-12)."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.sandbox.store import form_fields, Store, parse_instant

API = "hubspot"
PREFIXES = ("/crm/", "/oauth/v1/")
WINDOW_SECONDS = 10
PUBLIC = ("/oauth/v1/token",)
MAX_BATCH = 100
MAX_PAGE = 100
MAX_SEARCH_PAGE = 200
SEARCH_CAP = 10_000
MAX_ASSOCIATIONS_PAGE = 500
INLINE_ASSOCIATIONS = 100  # associations listed with a record; more only through the v4 endpoints
MAX_URL = 8_000  # bytes of query string the sandbox accepts (HubSpot refuses far longer URLs with 414)

OBJECTS = {"0-1": "contacts", "0-2": "companies", "0-3": "deals", "0-46": "notes", "0-27": "tasks"}
SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal", "notes": "note", "tasks": "task"}
MODIFIED = "hs_lastmodifieddate"

# Default HubSpot-defined association type ids (from -> to) and the inverse type of each.
TYPE_IDS = {
    ("contacts", "companies"): 279, ("companies", "contacts"): 280, ("deals", "companies"): 341, ("companies", "deals"): 342,
    ("deals", "contacts"): 3, ("contacts", "deals"): 4, ("notes", "contacts"): 202, ("contacts", "notes"): 201,
    ("notes", "companies"): 190, ("companies", "notes"): 189, ("notes", "deals"): 214, ("deals", "notes"): 213,
    ("tasks", "contacts"): 204, ("contacts", "tasks"): 203, ("tasks", "companies"): 192, ("companies", "tasks"): 191,
    ("tasks", "deals"): 216, ("deals", "tasks"): 215,
}
PRIMARY_TYPE_IDS = {("contacts", "companies"): 1, ("companies", "contacts"): 2, ("deals", "companies"): 5, ("companies", "deals"): 6}

# Properties every portal has (name -> type); hs_object_id, createdate and the modified stamps are the system's.
DEFAULT_PROPERTIES: dict[str, dict[str, str]] = {
    "contacts": {"firstname": "string", "lastname": "string", "email": "string", "phone": "string", "mobilephone": "string", "company": "string",
                 "jobtitle": "string", "address": "string", "city": "string", "zip": "string", "state": "string", "country": "string",
                 "date_of_birth": "date", "hubspot_owner_id": "enumeration", "lifecyclestage": "enumeration"},
    "companies": {"name": "string", "domain": "string", "website": "string", "phone": "string", "industry": "string", "address": "string",
                  "city": "string", "zip": "string", "state": "string", "country": "string", "annualrevenue": "number",
                  "numberofemployees": "number", "description": "string", "hubspot_owner_id": "enumeration"},
    "deals": {"dealname": "string", "amount": "number", "deal_currency_code": "enumeration", "dealstage": "enumeration", "pipeline": "enumeration",
              "closedate": "datetime", "hs_deal_stage_probability": "number", "description": "string", "hubspot_owner_id": "enumeration"},
    "notes": {"hs_note_body": "string", "hs_timestamp": "datetime", "hubspot_owner_id": "enumeration"},
    "tasks": {"hs_task_subject": "string", "hs_task_body": "string", "hs_task_status": "enumeration", "hs_task_type": "enumeration",
              "hs_timestamp": "datetime", "hubspot_owner_id": "enumeration"},
}
SYSTEM = ("hs_object_id", "createdate", MODIFIED)
DEFAULT_RETURNED = {"contacts": ("firstname", "lastname", "email"), "companies": ("name", "domain"), "deals": ("dealname", "amount", "dealstage", "pipeline", "closedate"),
                    "notes": ("hs_timestamp",), "tasks": ("hs_task_subject", "hs_timestamp")}


def error(status: int, message: str, category: str = "VALIDATION_ERROR", **extra: Any) -> JSONResponse:
    return JSONResponse({"status": "error", "message": message, "correlationId": str(uuid.uuid4()), "category": category, **extra}, status_code=status)


def unauthorized(expired: bool) -> Response:
    if expired:
        return error(401, "The OAuth token used to make this call expired.", "EXPIRED_AUTHENTICATION")
    return error(401, "Authentication credentials not found. This API supports OAuth 2.0 authentication.", "INVALID_AUTHENTICATION")


def rate_limited(retry_after: float, daily: bool = False) -> Response:
    policy = "DAILY" if daily else "TEN_SECONDLY_ROLLING"
    message = "You have reached your daily limit." if daily else "You have reached your ten_secondly_rolling limit."
    response = JSONResponse({"status": "error", "message": message, "errorType": "RATE_LIMIT", "correlationId": str(uuid.uuid4()), "policyName": policy},
                            status_code=429)
    response.headers["Retry-After"] = str(int(retry_after) if float(retry_after).is_integer() else retry_after)
    return response


def server_error(status: int) -> Response:
    return error(status, "internal error" if status == 500 else "Service Unavailable", "INTERNAL_ERROR" if status == 500 else "SERVICE_UNAVAILABLE")


def rate_headers(limits: dict[str, Any], used_window: int, used_daily: int) -> dict[str, str]:
    window, daily = int(limits["per_10s"]), int(limits["daily"])
    return {"X-HubSpot-RateLimit-Daily": str(daily), "X-HubSpot-RateLimit-Daily-Remaining": str(max(daily - used_daily, 0)),
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000", "X-HubSpot-RateLimit-Max": str(window),
            "X-HubSpot-RateLimit-Remaining": str(max(window - used_window, 0))}


# --- helpers ---------------------------------------------------------------------------------------


def _store(request: Request) -> Store:
    return request.app.state.store


def _tenant(request: Request) -> str:
    return request.scope["tenant"]


def object_name(raw: str) -> str | None:
    name = OBJECTS.get(raw, raw.lower())
    return name if name in DEFAULT_PROPERTIES or name == "owners" else None


def _properties(store: Store, tenant: str, obj: str) -> dict[str, dict[str, Any]]:
    defined = {n: {"type": t, "unique": False} for n, t in DEFAULT_PROPERTIES[obj].items()}
    if obj == "contacts":
        defined["email"]["unique"] = True
    defined.update(store.properties(API, tenant, obj))
    return defined


def _as_object(record: dict[str, Any], obj: str, wanted: list[str] | None) -> dict[str, Any]:
    system = {"hs_object_id": str(record["id"]), "createdate": record["created_at"], MODIFIED: record["updated_at"]}
    if obj == "contacts":
        system["lastmodifieddate"] = record["updated_at"]
    names = wanted if wanted is not None else list(DEFAULT_RETURNED[obj])
    properties = {n: record["data"].get(n) for n in names if n not in system}
    properties.update({k: v for k, v in system.items() if wanted is None or k in wanted or k in ("hs_object_id", "createdate", MODIFIED)})
    result = {"id": str(record["id"]), "properties": properties, "createdAt": record["created_at"], "updatedAt": record["updated_at"],
              "archived": record["archived"]}
    if record["archived"]:
        result["archivedAt"] = record["updated_at"]
    return result


def _list_param(request: Request, name: str) -> list[str] | None:
    values = [v for raw in request.query_params.getlist(name) for v in raw.split(",") if v]
    return values or None


async def _json(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError:
        return None


def _check_values(props: dict[str, Any], defined: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """HubSpot's per-property validation errors for one input (empty: valid)."""
    problems = []
    for name, value in props.items():
        if name in SYSTEM or name == "lastmodifieddate":
            problems.append({"isValid": False, "message": f'"{name}" is a read only property; its value cannot be set.', "error": "READ_ONLY_VALUE", "name": name})
            continue
        if name not in defined:
            problems.append({"isValid": False, "message": f'Property "{name}" does not exist', "error": "PROPERTY_DOESNT_EXIST", "name": name})
            continue
        if value in (None, ""):
            continue
        kind = defined[name]["type"]
        try:
            if kind == "number":
                float(value)
            elif kind in ("date", "datetime"):
                parse_instant(str(value))
        except ValueError:
            problems.append({"isValid": False, "message": f"{value!r} was not a valid {kind}.", "error": f"INVALID_{kind.upper()}", "name": name})
        if name == "email" and "@" not in str(value):
            problems.append({"isValid": False, "message": f"Email address {value} is invalid", "error": "INVALID_EMAIL", "name": name})
    return problems


def _invalid(problems: list[dict[str, Any]]) -> JSONResponse:
    import json

    return error(400, f"Property values were not valid: {json.dumps(problems)}", "VALIDATION_ERROR")


def _text(props: dict[str, Any]) -> dict[str, Any]:
    """Values as HubSpot keeps them: strings ('' clears a value)."""
    return {k: (None if v in (None, "") else str(v)) for k, v in props.items()}


# --- objects ---------------------------------------------------------------------------------------


async def list_objects(request: Request) -> Response:
    obj = object_name(request.path_params["object"])
    if obj is None or obj == "owners":
        return error(400, f"Unable to infer object type from: {request.path_params['object']}")
    try:
        limit = int(request.query_params.get("limit", 10))
        after = int(request.query_params.get("after", 0) or 0)
    except ValueError:
        return error(400, "limit and after must be integers")
    if not 1 <= limit <= MAX_PAGE:
        return error(400, f"limit must be between 1 and {MAX_PAGE}")
    archived = request.query_params.get("archived", "false").lower() == "true"
    store, tenant = _store(request), _tenant(request)
    records = store.page(API, tenant, obj, after, limit + 1, archived)
    wanted = _list_param(request, "properties")
    results = _with_associations(request, obj, [_as_object(r, obj, wanted) for r in records[:limit]])
    body: dict[str, Any] = {"results": results}
    if len(records) > limit:
        cursor = str(records[limit - 1]["id"])
        body["paging"] = {"next": {"after": cursor, "link": f"{request.url.path}?after={cursor}"}}
    return JSONResponse(body)


def _with_associations(request: Request, obj: str, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `associations` a read asks for, listed with each record: the first 100 only, as HubSpot does."""
    store, tenant = _store(request), _tenant(request)
    for to in _list_param(request, "associations") or []:
        to_obj = object_name(to)
        if to_obj is None or to_obj == "owners":
            continue
        for result in results:
            found = store.associations(tenant, obj, int(result["id"]), to_obj, 0, INLINE_ASSOCIATIONS)
            if found:
                kind = f"{SINGULAR[obj]}_to_{SINGULAR[to_obj]}"
                result.setdefault("associations", {})[to_obj] = {"results": [{"id": str(i), "type": kind} for i, _ in found]}
    return results


async def get_object(request: Request) -> Response:
    obj = object_name(request.path_params["object"])
    if obj is None or obj == "owners":
        return error(400, f"Unable to infer object type from: {request.path_params['object']}")
    store, tenant = _store(request), _tenant(request)
    key = request.path_params["id"]
    id_property = request.query_params.get("idProperty")
    if id_property:
        found = store.ids_by_unique(API, tenant, obj, id_property, [key])
        record_id = found.get(key)
    else:
        record_id = int(key) if key.isdigit() else None
    record = store.get(API, tenant, obj, [record_id]).get(record_id) if record_id else None
    if record is None or (record["archived"] and request.query_params.get("archived", "false") != "true"):
        return error(404, "Object not found.  objectId are usually numeric.", "OBJECT_NOT_FOUND")
    return JSONResponse(_with_associations(request, obj, [_as_object(record, obj, _list_param(request, "properties"))])[0])


async def create_object(request: Request) -> Response:
    obj = object_name(request.path_params["object"])
    body = await _json(request)
    if obj is None or obj == "owners" or not isinstance(body, dict):
        return error(400, "Invalid input JSON on line 1")
    props = body.get("properties") or {}
    defined = _properties(_store(request), _tenant(request), obj)
    problems = _check_values(props, defined)
    if problems:
        return _invalid(problems)
    store, tenant = _store(request), _tenant(request)
    uniques = [n for n, p in defined.items() if p["unique"]]
    clash = [n for n in uniques if props.get(n) and store.ids_by_unique(API, tenant, obj, n, [str(props[n])])]
    if clash:
        return error(409, f"An object with the unique value {props[clash[0]]!r} for property {clash[0]!r} already exists.", "CONFLICT")
    (record_id, *_rest), = store.write(API, tenant, obj, [(None, _text(props))], uniques)
    pairs = []
    for association in body.get("associations") or []:
        to_id = int(association["to"]["id"])
        for kind in association.get("types") or []:
            to_obj = _object_for_type(obj, int(kind["associationTypeId"]))
            if to_obj:
                pairs.append((obj, record_id, to_obj, to_id, int(kind["associationTypeId"]), TYPE_IDS[(to_obj, obj)]))
    store.associate(tenant, pairs)
    record = store.get(API, tenant, obj, [record_id])[record_id]
    return JSONResponse(_as_object(record, obj, list(props)), status_code=201)


def _object_for_type(from_obj: str, type_id: int) -> str | None:
    for (a, b), t in {**TYPE_IDS, **PRIMARY_TYPE_IDS}.items():
        if a == from_obj and t == type_id:
            return b
    return None


async def batch_read(request: Request) -> Response:
    obj = object_name(request.path_params["object"])
    body = await _json(request)
    if obj is None or obj == "owners" or not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        return error(400, "Invalid input JSON: inputs is required")
    inputs = [str(i.get("id")) for i in body["inputs"]]
    if len(inputs) > MAX_BATCH:
        return error(400, f"Batch size {len(inputs)} exceeds the maximum of {MAX_BATCH}")
    store, tenant = _store(request), _tenant(request)
    id_property = body.get("idProperty")
    if id_property:
        by_value = store.ids_by_unique(API, tenant, obj, id_property, inputs)
    else:
        by_value = {i: int(i) for i in inputs if i.isdigit()}
    records = store.get(API, tenant, obj, list(set(by_value.values())))
    archived = request.query_params.get("archived", "false") == "true"
    wanted = list(body.get("properties") or []) or None
    if wanted is not None and id_property and id_property not in wanted:
        wanted.append(id_property)
    results, missing = [], []
    for key in dict.fromkeys(inputs):
        record = records.get(by_value.get(key, -1))
        if record is None or record["archived"] != archived:
            missing.append(key)
        else:
            results.append(_as_object(record, obj, wanted))
    return _batch_response(results, [{"status": "error", "category": "OBJECT_NOT_FOUND", "message": "Could not get some objects, they may be deleted or not exist.",
                                      "context": {"ids": missing}}] if missing else [])


def _batch_response(results: list[dict[str, Any]], errors: list[dict[str, Any]]) -> JSONResponse:
    from connectors.sandbox.store import iso_ms
    import time

    now = iso_ms(time.time())
    body: dict[str, Any] = {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
    if errors:
        body |= {"numErrors": len(errors), "errors": errors}
    return JSONResponse(body, status_code=207 if errors else 200)


async def batch_upsert(request: Request) -> Response:
    obj = object_name(request.path_params["object"])
    body = await _json(request)
    if obj is None or obj == "owners" or not isinstance(body, dict) or not isinstance(body.get("inputs"), list):
        return error(400, "Invalid input JSON: inputs is required")
    inputs = body["inputs"]
    if len(inputs) > MAX_BATCH:
        return error(400, f"Batch size {len(inputs)} exceeds the maximum of {MAX_BATCH}", "VALIDATION_ERROR")
    store, tenant = _store(request), _tenant(request)
    defined = _properties(store, tenant, obj)
    id_properties = {i.get("idProperty") for i in inputs}
    if len(id_properties) != 1 or None in id_properties:
        return error(400, "Every input needs the same idProperty", "VALIDATION_ERROR")
    id_property = id_properties.pop()
    if id_property not in defined or not defined[id_property]["unique"]:
        return error(400, f"{id_property} is not a unique identifier property for {obj}; create it with hasUniqueValue=true", "VALIDATION_ERROR")
    keys = [str(i.get("id")) for i in inputs]
    if len(set(keys)) != len(keys):
        return error(400, "Duplicate IDs found in batch input: " + ", ".join(sorted({k for k in keys if keys.count(k) > 1})), "VALIDATION_ERROR")
    problems = []
    for item in inputs:
        problems += _check_values(item.get("properties") or {}, defined)
    if problems:
        return _invalid(problems)
    existing = store.ids_by_unique(API, tenant, obj, id_property, keys)
    uniques = [n for n, p in defined.items() if p["unique"]]
    merged: list[dict[str, Any]] = []
    written = store.write(API, tenant, obj, [(existing.get(k), {**_text(i.get("properties") or {}), id_property: k}) for k, i in zip(keys, inputs)],
                          uniques, merged)
    results = []
    for (record_id, created, created_at, updated_at), data, item in sorted(zip(written, merged, inputs), key=lambda triple: triple[0][0]):
        record = {"id": record_id, "data": data, "created_at": created_at, "updated_at": updated_at, "archived": False}
        results.append(_as_object(record, obj, [*(item.get("properties") or {}), id_property]) | {"new": created})
    return _batch_response(results, [])


async def batch_archive(request: Request) -> Response:
    obj = object_name(request.path_params["object"])
    body = await _json(request)
    if obj is None or not isinstance(body, dict):
        return error(400, "Invalid input JSON: inputs is required")
    ids = [int(i["id"]) for i in body.get("inputs") or [] if str(i.get("id", "")).isdigit()]
    _store(request).archive(API, _tenant(request), obj, ids)
    return Response(status_code=204)


# --- search ----------------------------------------------------------------------------------------

_OPERATORS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "HAS_PROPERTY", "NOT_HAS_PROPERTY"}


def _matches(record: dict[str, Any], obj: str, flt: dict[str, Any]) -> bool:
    name, op = flt.get("propertyName"), flt.get("operator")
    values = _as_object(record, obj, [name])["properties"]
    value = values.get(name)
    if op == "HAS_PROPERTY":
        return value not in (None, "")
    if op == "NOT_HAS_PROPERTY":
        return value in (None, "")
    if value is None:
        return op == "NEQ"
    time_like = name in SYSTEM[1:] or name == "lastmodifieddate"

    def norm(v: Any) -> Any:
        if time_like:
            return parse_instant(str(v))
        try:
            return float(v)
        except (TypeError, ValueError):
            return str(v).lower()

    left = norm(value)
    if op == "IN":
        return left in {norm(v) for v in flt.get("values") or []}
    right = norm(flt.get("value"))
    if op == "BETWEEN":
        return right <= left <= norm(flt.get("highValue"))
    return {"EQ": left == right, "NEQ": left != right, "LT": left < right, "LTE": left <= right, "GT": left > right, "GTE": left >= right}[op]


async def search(request: Request) -> Response:
    obj = object_name(request.path_params["object"])
    body = await _json(request)
    if obj is None or obj == "owners" or not isinstance(body, dict):
        return error(400, "Invalid input JSON on line 1")
    limit = int(body.get("limit") or 10)
    after = int(body.get("after") or 0)
    if not 1 <= limit <= MAX_SEARCH_PAGE:
        return error(400, f"limit must be between 1 and {MAX_SEARCH_PAGE}")
    if after + limit > SEARCH_CAP:
        return error(400, f"The search API returns at most {SEARCH_CAP} results for a query; narrow the filters to page beyond it "
                          f"(requested results {after + 1} to {after + limit}).", "VALIDATION_ERROR")
    groups = body.get("filterGroups") or []
    for group in groups:
        for flt in group.get("filters") or []:
            if flt.get("operator") not in _OPERATORS:
                return error(400, f"Unsupported operator {flt.get('operator')!r}")
    store, tenant = _store(request), _tenant(request)
    records = store.all_records(API, tenant, obj)
    if groups:
        records = [r for r in records if any(all(_matches(r, obj, f) for f in g.get("filters") or []) for g in groups)]
    sorts = body.get("sorts") or []
    if sorts:
        sort = sorts[0] if isinstance(sorts[0], dict) else {"propertyName": str(sorts[0]).lstrip("-"), "direction": "DESCENDING" if str(sorts[0]).startswith("-") else "ASCENDING"}
        name = sort.get("propertyName")
        reverse = sort.get("direction") == "DESCENDING"
        records.sort(key=lambda r: (_as_object(r, obj, [name])["properties"].get(name) or "", r["id"]), reverse=reverse)
    wanted = list(body.get("properties") or []) or None
    page = records[after:after + limit]
    out: dict[str, Any] = {"total": len(records), "results": [_as_object(r, obj, wanted) for r in page]}
    if after + limit < len(records):
        out["paging"] = {"next": {"after": str(after + limit)}}
    return JSONResponse(out)


# --- associations v4 -------------------------------------------------------------------------------


def _pair(request: Request) -> tuple[str | None, str | None]:
    return object_name(request.path_params["from"]), object_name(request.path_params["to"])


async def associate_default(request: Request) -> Response:
    from_obj, to_obj = _pair(request)
    body = await _json(request)
    if not from_obj or not to_obj or (from_obj, to_obj) not in TYPE_IDS or not isinstance(body, dict):
        return error(400, "Invalid association: unknown object types")
    inputs = body.get("inputs") or []
    if len(inputs) > 2000:
        return error(400, "Batch size exceeds the maximum of 2000")
    store, tenant = _store(request), _tenant(request)
    from_ids = [int(i["from"]["id"]) for i in inputs]
    to_ids = [int(i["to"]["id"]) for i in inputs]
    known_from, known_to = store.get(API, tenant, from_obj, from_ids), store.get(API, tenant, to_obj, to_ids)
    pairs, results, errors = [], [], []
    for f, t in zip(from_ids, to_ids):
        if f not in known_from or t not in known_to:
            errors.append({"status": "error", "category": "VALIDATION_ERROR", "message": f"No {SINGULAR[from_obj if f not in known_from else to_obj]} with id {f if f not in known_from else t}",
                           "context": {"fromObjectId": [str(f)], "toObjectId": [str(t)]}})
            continue
        pairs.append((from_obj, f, to_obj, t, TYPE_IDS[(from_obj, to_obj)], TYPE_IDS[(to_obj, from_obj)]))
        results.append({"fromObjectTypeId": from_obj, "fromObjectId": f, "toObjectTypeId": to_obj, "toObjectId": t,
                        "labels": []})
    store.associate(tenant, pairs)
    return _batch_response(results, errors)


async def associate_one(request: Request) -> Response:
    from_obj, to_obj = _pair(request)
    if not from_obj or not to_obj or (from_obj, to_obj) not in TYPE_IDS:
        return error(400, "Invalid association: unknown object types")
    store, tenant = _store(request), _tenant(request)
    f, t = int(request.path_params["from_id"]), int(request.path_params["to_id"])
    if not store.get(API, tenant, from_obj, [f]) or not store.get(API, tenant, to_obj, [t]):
        return error(404, "Object not found", "OBJECT_NOT_FOUND")
    store.associate(tenant, [(from_obj, f, to_obj, t, TYPE_IDS[(from_obj, to_obj)], TYPE_IDS[(to_obj, from_obj)])])
    return JSONResponse({"status": "COMPLETE", "results": [{"from": {"id": str(f)}, "to": {"id": str(t)}}]})


def _association_page(store: Store, tenant: str, from_obj: str, from_id: int, to_obj: str, after: int, limit: int) -> dict[str, Any]:
    found = store.associations(tenant, from_obj, from_id, to_obj, after, limit + 1)
    page: dict[str, Any] = {"to": [{"toObjectId": to_id, "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": t, "label": "Primary" if t in PRIMARY_TYPE_IDS.values() else None}
                                                                             for t in types]} for to_id, types in found[:limit]]}
    if len(found) > limit:
        page["paging"] = {"next": {"after": str(found[limit - 1][0])}}
    return page


async def associations_batch_read(request: Request) -> Response:
    from_obj, to_obj = _pair(request)
    body = await _json(request)
    if not from_obj or not to_obj or not isinstance(body, dict):
        return error(400, "Invalid input JSON: inputs is required")
    inputs = body.get("inputs") or []
    if len(inputs) > 1000:
        return error(400, "Batch size exceeds the maximum of 1000")
    store, tenant = _store(request), _tenant(request)
    results = []
    for item in inputs:
        from_id = int(item["id"])
        page = _association_page(store, tenant, from_obj, from_id, to_obj, int(item.get("after") or 0), MAX_ASSOCIATIONS_PAGE)
        if page["to"]:
            results.append({"from": {"id": str(from_id)}, **page})
    return _batch_response(results, [])


async def associations_list(request: Request) -> Response:
    from_obj, to_obj = _pair(request)
    if not from_obj or not to_obj:
        return error(400, "Unknown object types")
    limit = min(int(request.query_params.get("limit", MAX_ASSOCIATIONS_PAGE)), MAX_ASSOCIATIONS_PAGE)
    page = _association_page(_store(request), _tenant(request), from_obj, int(request.path_params["from_id"]), to_obj,
                             int(request.query_params.get("after") or 0), limit)
    return JSONResponse({"results": page["to"], **({"paging": page["paging"]} if "paging" in page else {})})


# --- owners, properties, oauth ---------------------------------------------------------------------


def _owner(record: dict[str, Any]) -> dict[str, Any]:
    data = record["data"]
    return {"id": str(record["id"]), "email": data.get("email"), "firstName": data.get("firstName"), "lastName": data.get("lastName"),
            "userId": data.get("userId"), "createdAt": record["created_at"], "updatedAt": record["updated_at"], "archived": record["archived"], "teams": []}


async def owners(request: Request) -> Response:
    limit = int(request.query_params.get("limit", 100))
    if not 1 <= limit <= 500:
        return error(400, "limit must be between 1 and 500")
    after = int(request.query_params.get("after") or 0)
    archived = request.query_params.get("archived", "false") == "true"
    email = request.query_params.get("email")
    records = _store(request).page(API, _tenant(request), "owners", after, 100_000 if email else limit + 1, archived)
    if email:
        records = [r for r in records if str(r["data"].get("email", "")).lower() == email.lower()]
    body: dict[str, Any] = {"results": [_owner(r) for r in records[:limit]]}
    if len(records) > limit:
        body["paging"] = {"next": {"after": str(records[limit - 1]["id"])}}
    return JSONResponse(body)


async def owner(request: Request) -> Response:
    key = request.path_params["id"]
    record = _store(request).get(API, _tenant(request), "owners", [int(key)]).get(int(key)) if key.isdigit() else None
    if record is None:
        return error(404, f"No owner with id {key}", "OBJECT_NOT_FOUND")
    return JSONResponse(_owner(record))


def _property(name: str, spec: dict[str, Any], obj: str) -> dict[str, Any]:
    field_type = {"number": "number", "date": "date", "datetime": "date", "enumeration": "select"}.get(spec["type"], "text")
    return {"name": name, "label": name.replace("_", " ").title(), "type": spec["type"], "fieldType": field_type, "groupName": f"{SINGULAR[obj]}information",
            "hasUniqueValue": spec["unique"], "hidden": False, "formField": True, "options": []}


async def properties(request: Request) -> Response:
    obj = object_name(request.path_params["object"])
    if obj is None or obj == "owners":
        return error(400, f"Unable to infer object type from: {request.path_params['object']}")
    store, tenant = _store(request), _tenant(request)
    if request.method == "POST":
        body = await _json(request)
        if not isinstance(body, dict) or not body.get("name") or not body.get("type"):
            return error(400, "name, label, type, fieldType and groupName are required")
        if body["name"] in _properties(store, tenant, obj):
            return error(409, f"Property named '{body['name']}' already exists.", "OBJECT_ALREADY_EXISTS")
        store.add_properties(API, tenant, obj, [(body["name"], body["type"], bool(body.get("hasUniqueValue")))])
        return JSONResponse(_property(body["name"], {"type": body["type"], "unique": bool(body.get("hasUniqueValue"))}, obj), status_code=201)
    defined = _properties(store, tenant, obj)
    defined.update({n: {"type": "datetime" if n != "hs_object_id" else "number", "unique": n == "hs_object_id"} for n in SYSTEM})
    return JSONResponse({"results": [_property(n, s, obj) for n, s in sorted(defined.items())]})


async def oauth_token(request: Request) -> Response:
    form = await form_fields(request)
    if form.get("grant_type") != "refresh_token":
        return JSONResponse({"status": "BAD_GRANT_TYPE", "message": "grant_type must be refresh_token here"}, status_code=400)
    token = _store(request).refresh(API, str(form.get("refresh_token")), form.get("client_id"), form.get("client_secret"))
    if token is None:
        return JSONResponse({"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token"}, status_code=400)
    return JSONResponse({"access_token": token, "refresh_token": form.get("refresh_token"), "expires_in": 1800, "token_type": "bearer"})


def routes() -> list[Route]:
    return [
        Route("/oauth/v1/token", oauth_token, methods=["POST"]),
        Route("/crm/v3/owners", owners, methods=["GET"]),
        Route("/crm/v3/owners/", owners, methods=["GET"]),
        Route("/crm/v3/owners/{id}", owner, methods=["GET"]),
        Route("/crm/v3/properties/{object}", properties, methods=["GET", "POST"]),
        Route("/crm/v3/objects/{object}", list_objects, methods=["GET"]),
        Route("/crm/v3/objects/{object}", create_object, methods=["POST"]),
        Route("/crm/v3/objects/{object}/search", search, methods=["POST"]),
        Route("/crm/v3/objects/{object}/batch/read", batch_read, methods=["POST"]),
        Route("/crm/v3/objects/{object}/batch/upsert", batch_upsert, methods=["POST"]),
        Route("/crm/v3/objects/{object}/batch/archive", batch_archive, methods=["POST"]),
        Route("/crm/v3/objects/{object}/{id}", get_object, methods=["GET"]),
        Route("/crm/v4/associations/{from}/{to}/batch/associate/default", associate_default, methods=["POST"]),
        Route("/crm/v4/associations/{from}/{to}/batch/read", associations_batch_read, methods=["POST"]),
        Route("/crm/v4/objects/{from}/{from_id}/associations/default/{to}/{to_id}", associate_one, methods=["PUT"]),
        Route("/crm/v4/objects/{from}/{from_id}/associations/{to}", associations_list, methods=["GET"]),
    ]


def quota_exceeded() -> Response:
    return rate_limited(3600, daily=True)
