"""Salesforce REST as the sandbox speaks it: SOQL query and queryAll (2,000 a page, `nextRecordsUrl`/`done`),
describe, sObject rows, sObject Collections upsert by external id (200 a call, results in order), Bulk API 2.0
ingest jobs, Tooling API custom fields, OAuth refresh, and Salesforce's error bodies and `Sforce-Limit-Info`
(developer.salesforce.com/docs/platform/api-rest, checked 2026-12). SOQL: SELECT fields FROM object
[WHERE a op value AND ...] [ORDER BY field [ASC|DESC]] [LIMIT n]; no relationship queries."""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.sandbox.store import form_fields, Store, iso_ms, parse_instant

API = "salesforce"
PREFIXES = ("/services/",)
WINDOW_SECONDS = 10
PUBLIC = ("/services/oauth2/token",)
VERSION_PATTERN = r"v{version:str}"
MAX_PAGE = 2_000
MAX_COLLECTION = 200
BULK_MAX_BYTES = 150 * 1024 * 1024
MAX_URL = 16_000

# object -> (id prefix, {field: type}, required fields)
OBJECTS: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {
    "User": ("005", {"Username": "string", "Email": "email", "FirstName": "string", "LastName": "string", "Title": "string", "Department": "string",
                     "Phone": "phone", "IsActive": "boolean"}, ("LastName", "Email")),
    "Account": ("001", {"Name": "string", "Website": "url", "Phone": "phone", "Industry": "picklist", "BillingStreet": "textarea", "BillingCity": "string",
                        "BillingPostalCode": "string", "BillingState": "string", "BillingCountry": "string", "AnnualRevenue": "currency",
                        "NumberOfEmployees": "int", "Description": "textarea", "OwnerId": "reference"}, ("Name",)),
    "Contact": ("003", {"FirstName": "string", "LastName": "string", "Email": "email", "Phone": "phone", "MobilePhone": "phone", "Title": "string",
                        "Department": "string", "MailingStreet": "textarea", "MailingCity": "string", "MailingPostalCode": "string", "MailingState": "string",
                        "MailingCountry": "string", "Birthdate": "date", "Description": "textarea", "AccountId": "reference", "OwnerId": "reference"}, ("LastName",)),
    "Lead": ("00Q", {"FirstName": "string", "LastName": "string", "Company": "string", "Email": "email", "Phone": "phone", "Status": "picklist",
                     "OwnerId": "reference"}, ("LastName", "Company")),
    "Opportunity": ("006", {"Name": "string", "Amount": "currency", "CurrencyIsoCode": "picklist", "StageName": "picklist", "Probability": "percent",
                            "CloseDate": "date", "Description": "textarea", "AccountId": "reference", "ContactId": "reference", "OwnerId": "reference"},
                    ("Name", "StageName", "CloseDate")),
    "Task": ("00T", {"Subject": "string", "Description": "textarea", "Type": "picklist", "Status": "picklist", "ActivityDate": "date",
                     "WhoId": "reference", "WhatId": "reference", "OwnerId": "reference"}, ()),
}
REFERENCES = {"AccountId": ("Account",), "ContactId": ("Contact",), "OwnerId": ("User",), "WhoId": ("Contact", "Lead"), "WhatId": ("Account", "Opportunity")}
SYSTEM = {"Id": "id", "CreatedDate": "datetime", "LastModifiedDate": "datetime", "SystemModstamp": "datetime", "IsDeleted": "boolean"}
PREFIX_OF = {prefix: name for name, (prefix, _f, _r) in OBJECTS.items()}


def errors(status: int, code: str, message: str, fields: list[str] | None = None) -> JSONResponse:
    return JSONResponse([{"message": message, "errorCode": code, **({"fields": fields} if fields is not None else {})}], status_code=status)


def error(status: int, message: str) -> JSONResponse:
    return errors(status, "URI_TOO_LONG" if status == 414 else "BAD_REQUEST", message)


def unauthorized(expired: bool) -> Response:
    return errors(401, "INVALID_SESSION_ID", "Session expired or invalid")


def rate_limited(retry_after: float) -> Response:
    # Salesforce answers concurrent-limit overload with 503/429 depending on the edge; the sandbox sends 429 with Retry-After.
    response = errors(429, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.")
    response.headers["Retry-After"] = str(int(retry_after) if float(retry_after).is_integer() else retry_after)
    return response


def quota_exceeded() -> Response:
    return errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")


def server_error(status: int) -> Response:
    return errors(status, "SERVER_UNAVAILABLE" if status == 503 else "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please try again.")


def rate_headers(limits: dict[str, Any], used_window: int, used_daily: int) -> dict[str, str]:
    return {"Sforce-Limit-Info": f"api-usage={used_daily}/{int(limits['daily'])}"}


# --- ids, values -----------------------------------------------------------------------------------


def make_id(obj: str, number: int) -> str:
    return f"{OBJECTS[obj][0]}{number:012d}AAA"


def parse_id(value: str) -> tuple[str | None, int | None]:
    text = str(value or "")
    if len(text) not in (15, 18) or text[:3] not in PREFIX_OF or not text[3:15].isdigit():
        return None, None
    return PREFIX_OF[text[:3]], int(text[3:15])


def sf_time(stamp: str) -> str:
    return stamp.replace("Z", "+0000")


def _store(request: Request) -> Store:
    return request.app.state.store


def _tenant(request: Request) -> str:
    return request.scope["tenant"]


def _fields(store: Store, tenant: str, obj: str) -> dict[str, dict[str, Any]]:
    defined = {name: {"type": kind, "externalId": False, "unique": False, "custom": False} for name, kind in OBJECTS[obj][1].items()}
    for name, spec in store.properties(API, tenant, obj).items():
        defined[name] = {"type": spec["type"], "externalId": spec["unique"], "unique": spec["unique"], "custom": True}
    return defined


def canonical(defined: dict[str, Any], name: str) -> str | None:
    lowered = {n.lower(): n for n in [*defined, *SYSTEM]}
    return lowered.get(name.lower())


def _as_row(obj: str, record: dict[str, Any], fields: list[str], version: str) -> dict[str, Any]:
    row: dict[str, Any] = {"attributes": {"type": obj, "url": f"/services/data/{version}/sobjects/{obj}/{make_id(obj, record['id'])}"}}
    for name in fields:
        if name == "Id":
            row[name] = make_id(obj, record["id"])
        elif name == "CreatedDate":
            row[name] = sf_time(record["created_at"])
        elif name in ("LastModifiedDate", "SystemModstamp"):
            row[name] = sf_time(record["updated_at"])
        elif name == "IsDeleted":
            row[name] = record["archived"]
        else:
            row[name] = record["data"].get(name)
    return row


def _coerce(kind: str, value: Any) -> Any:
    """A value as Salesforce stores it, or ValueError with Salesforce's wording."""
    if value is None or value == "":
        return None
    if kind in ("currency", "percent", "double"):
        return float(value)
    if kind == "int":
        number = float(value)
        if not number.is_integer():
            raise ValueError(f"value not of required type: {value}")
        return int(number)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false"):
            return str(value).lower() == "true"
        raise ValueError(f"value not of required type: {value}")
    if kind == "date":
        return str(value)[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", str(value)) else _raise(f"value not of required type: {value}")
    if kind == "datetime":
        parse_instant(str(value).replace("+0000", "+00:00"))
        return str(value)
    if kind in ("string", "email", "phone", "url", "picklist") and len(str(value)) > 255:
        raise ValueError(f"data value too large: {str(value)[:40]}... (max length=255)")
    if kind == "email" and "@" not in str(value):
        raise ValueError(f"invalid email address: {value}")
    return value


def _raise(message: str) -> Any:
    raise ValueError(message)


# --- SOQL ------------------------------------------------------------------------------------------

_SOQL = re.compile(r"^\s*SELECT\s+(?P<fields>.+?)\s+FROM\s+(?P<object>\w+)(?:\s+WHERE\s+(?P<where>.+?))?"
                   r"(?:\s+ORDER\s+BY\s+(?P<order>\w+)(?:\s+(?P<dir>ASC|DESC))?)?(?:\s+LIMIT\s+(?P<limit>\d+))?\s*$", re.I | re.S)
_CONDITION = re.compile(r"^\s*(?P<field>\w+)\s*(?P<op>=|!=|<>|>=|<=|>|<|\bIN\b|\bNOT IN\b)\s*(?P<value>.+?)\s*$", re.I | re.S)


class SoqlError(ValueError):
    pass


def _literal(text: str) -> Any:
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        return [_literal(p) for p in re.findall(r"'(?:[^'\\]|\\.)*'|[^,\s]+", text[1:-1])]
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("\\'", "'")
    if text.lower() in ("null",):
        return None
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if re.match(r"^\d{4}-\d{2}-\d{2}T", text):
        return ("instant", parse_instant(text.replace("+0000", "+00:00")))
    try:
        return float(text)
    except ValueError:
        raise SoqlError(f"unexpected token: '{text}'")


def parse_soql(query: str, store: Store, tenant: str) -> dict[str, Any]:
    match = _SOQL.match(query)
    if not match:
        raise SoqlError("unexpected token: the sandbox reads SELECT fields FROM object [WHERE ...] [ORDER BY f] [LIMIT n]")
    obj = next((o for o in OBJECTS if o.lower() == match["object"].lower()), None)
    if obj is None:
        raise SoqlError(f"sObject type '{match['object']}' is not supported.")
    defined = _fields(store, tenant, obj)
    fields = []
    for raw in match["fields"].split(","):
        name = canonical(defined, raw.strip())
        if name is None:
            raise SoqlError(f"No such column '{raw.strip()}' on entity '{obj}'.")
        fields.append(name)
    conditions = []
    if match["where"]:
        for part in re.split(r"\s+AND\s+", match["where"], flags=re.I):
            cond = _CONDITION.match(part)
            if not cond:
                raise SoqlError(f"unexpected token: '{part.strip()}' (the sandbox reads conditions joined by AND)")
            name = canonical(defined, cond["field"])
            if name is None:
                raise SoqlError(f"No such column '{cond['field']}' on entity '{obj}'.")
            conditions.append((name, cond["op"].upper(), _literal(cond["value"])))
    order = canonical(defined, match["order"]) if match["order"] else None
    return {"object": obj, "fields": fields, "conditions": conditions, "order": order, "desc": (match["dir"] or "").upper() == "DESC",
            "limit": int(match["limit"]) if match["limit"] else None}


def _value_of(obj: str, record: dict[str, Any], name: str) -> Any:
    if name == "Id":
        return make_id(obj, record["id"])
    if name in ("LastModifiedDate", "SystemModstamp"):
        return ("instant", parse_instant(record["updated_at"]))
    if name == "CreatedDate":
        return ("instant", parse_instant(record["created_at"]))
    if name == "IsDeleted":
        return record["archived"]
    return record["data"].get(name)


def _holds(left: Any, op: str, right: Any) -> bool:
    if op in ("IN", "NOT IN"):
        inside = left in right
        return inside if op == "IN" else not inside
    if op == "=":
        return left == right
    if op in ("!=", "<>"):
        return left != right
    if left is None or right is None:
        return False
    return {">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op]


def run_soql(store: Store, tenant: str, query: dict[str, Any], include_deleted: bool) -> list[dict[str, Any]]:
    obj = query["object"]
    records = store.all_records(API, tenant, obj, include_archived=include_deleted)
    records = [r for r in records if all(_holds(_value_of(obj, r, f), op, v) for f, op, v in query["conditions"])]
    if query["order"]:
        records.sort(key=lambda r: (_value_of(obj, r, query["order"]) is None, _value_of(obj, r, query["order"]) or 0, r["id"]), reverse=query["desc"])
    return records[: query["limit"]] if query["limit"] is not None else records


# --- query -----------------------------------------------------------------------------------------

_CURSORS: dict[str, dict[str, Any]] = {}


def _batch_size(request: Request) -> int:
    options = request.headers.get("sforce-query-options", "")
    found = re.search(r"batchSize=(\d+)", options)
    return max(200, min(int(found.group(1)), MAX_PAGE)) if found else MAX_PAGE


def _page(request: Request, cursor_id: str, cursor: dict[str, Any], start: int) -> JSONResponse:
    size, version = cursor["size"], request.path_params["version"]
    ids = cursor["ids"][start:start + size]
    store, obj = _store(request), cursor["object"]
    found = store.get(API, cursor["tenant"], obj, ids)
    rows = [_as_row(obj, found[i], cursor["fields"], f"v{version}") for i in ids if i in found]
    body: dict[str, Any] = {"totalSize": len(cursor["ids"]), "done": start + size >= len(cursor["ids"]), "records": rows}
    if not body["done"]:
        body["nextRecordsUrl"] = f"/services/data/v{version}/query/{cursor_id}-{start + size}"
    return JSONResponse(body)


async def query(request: Request) -> Response:
    text = request.query_params.get("q")
    if not text:
        return errors(400, "MALFORMED_QUERY", "A query string has to be specified")
    store, tenant = _store(request), _tenant(request)
    try:
        parsed = parse_soql(text, store, tenant)
    except SoqlError as exc:
        return errors(400, "INVALID_FIELD" if "No such column" in str(exc) else "MALFORMED_QUERY", str(exc))
    include_deleted = request.url.path.rstrip("/").endswith("queryAll")
    records = run_soql(store, tenant, parsed, include_deleted)
    cursor_id = f"01g{uuid.uuid4().hex[:15]}"
    _CURSORS[cursor_id] = {"tenant": tenant, "object": parsed["object"], "fields": parsed["fields"], "ids": [r["id"] for r in records],
                           "size": _batch_size(request)}
    return _page(request, cursor_id, _CURSORS[cursor_id], 0)


async def query_more(request: Request) -> Response:
    locator = request.path_params["locator"]
    cursor_id, _, start = locator.rpartition("-")
    cursor = _CURSORS.get(cursor_id)
    if cursor is None or cursor["tenant"] != _tenant(request) or not start.isdigit():
        return errors(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    return _page(request, cursor_id, cursor, int(start))


# --- sobjects --------------------------------------------------------------------------------------


def _object(request: Request) -> str | None:
    raw = request.path_params["object"]
    return next((o for o in OBJECTS if o.lower() == raw.lower()), None)


def _not_found(raw: str) -> JSONResponse:
    return errors(404, "NOT_FOUND", f"The requested resource does not exist: sObject type '{raw}' is not supported.")


async def describe(request: Request) -> Response:
    obj = _object(request)
    if obj is None:
        return _not_found(request.path_params["object"])
    defined = _fields(_store(request), _tenant(request), obj)
    required = OBJECTS[obj][2]
    fields = [{"name": n, "type": k, "externalId": False, "unique": False, "custom": False, "nillable": False, "updateable": False, "createable": False,
               "length": 18 if k == "id" else 0} for n, k in SYSTEM.items()]
    for name, spec in defined.items():
        fields.append({"name": name, "type": spec["type"], "externalId": spec["externalId"], "unique": spec["unique"], "custom": spec["custom"],
                       "nillable": name not in required, "updateable": True, "createable": True, "idLookup": spec["externalId"],
                       "length": 255 if spec["type"] in ("string", "email", "phone", "url", "picklist") else 0,
                       "referenceTo": list(REFERENCES.get(name, ()))})
    return JSONResponse({"name": obj, "label": obj, "keyPrefix": OBJECTS[obj][0], "fields": fields, "queryable": True, "createable": True, "updateable": True})


async def sobjects(request: Request) -> Response:
    return JSONResponse({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [{"name": o, "keyPrefix": p, "queryable": True} for o, (p, _f, _r) in OBJECTS.items()]})


def _prepare_record(store: Store, tenant: str, obj: str, record: dict[str, Any], defined: dict[str, Any], creating: bool) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(the values to store, Salesforce's per-record errors). Relationship fields given by external id are resolved."""
    values: dict[str, Any] = {}
    problems = []
    for key, value in record.items():
        if key == "attributes":
            continue
        if isinstance(value, dict):  # Account: {Ext__c: "x"}: a parent by its external id
            field = f"{key}Id" if canonical(defined, f"{key}Id") else None
            targets = REFERENCES.get(field or "", ())
            ext = next(iter(k for k in value if k != "attributes"), None)
            parent_obj = (value.get("attributes") or {}).get("type") or (targets[0] if targets else None)
            if field is None or parent_obj not in OBJECTS or ext is None:
                problems.append({"statusCode": "INVALID_FIELD", "message": f"No such relationship '{key}' on sobject of type {obj}", "fields": [key]})
                continue
            parent = store.ids_by_unique(API, tenant, parent_obj, canonical(_fields(store, tenant, parent_obj), ext) or ext, [str(value[ext])])
            if not parent:
                problems.append({"statusCode": "INVALID_FIELD", "message": f"Foreign key external ID: {value[ext]} not found for field {ext} in entity {parent_obj}", "fields": [key]})
                continue
            values[field] = make_id(parent_obj, next(iter(parent.values())))
            continue
        name = canonical(defined, key)
        if name is None or name in SYSTEM:
            problems.append({"statusCode": "INVALID_FIELD", "message": f"No such column '{key}' on sobject of type {obj}", "fields": [key]})
            continue
        try:
            values[name] = _coerce(defined[name]["type"], value)
        except ValueError as exc:
            problems.append({"statusCode": "STRING_TOO_LONG" if "too large" in str(exc) else "INVALID_TYPE_ON_FIELD_IN_RECORD" if "type" in str(exc) else "INVALID_EMAIL_ADDRESS",
                             "message": f"{name}: {exc}", "fields": [name]})
            continue
        if defined[name]["type"] == "reference" and values[name] is not None:
            ref_obj, number = parse_id(values[name])
            if ref_obj not in REFERENCES.get(name, ()) or not store.get(API, tenant, ref_obj, [number]):
                problems.append({"statusCode": "INVALID_CROSS_REFERENCE_KEY", "message": "invalid cross reference id", "fields": [name]})
    if creating:
        missing = [f for f in OBJECTS[obj][2] if values.get(f) in (None, "")]
        if missing:
            problems.append({"statusCode": "REQUIRED_FIELD_MISSING", "message": f"Required fields are missing: [{', '.join(missing)}]", "fields": missing})
    return values, problems


def _unique_fields(defined: dict[str, Any]) -> list[str]:
    return [n for n, s in defined.items() if s["unique"]]


async def create(request: Request) -> Response:
    obj = _object(request)
    if obj is None:
        return _not_found(request.path_params["object"])
    store, tenant = _store(request), _tenant(request)
    defined = _fields(store, tenant, obj)
    values, problems = _prepare_record(store, tenant, obj, await request.json(), defined, True)
    if problems:
        return JSONResponse([{"message": p["message"], "errorCode": p["statusCode"], "fields": p["fields"]} for p in problems], status_code=400)
    (number, *_rest), = store.write(API, tenant, obj, [(None, values)], _unique_fields(defined))
    return JSONResponse({"id": make_id(obj, number), "success": True, "errors": []}, status_code=201)


async def record(request: Request) -> Response:
    obj = _object(request)
    if obj is None:
        return _not_found(request.path_params["object"])
    store, tenant = _store(request), _tenant(request)
    ref_obj, number = parse_id(request.path_params["id"])
    found = store.get(API, tenant, obj, [number]).get(number) if ref_obj == obj else None
    if found is None or found["archived"]:
        return errors(404, "NOT_FOUND", "The requested resource does not exist")
    defined = _fields(store, tenant, obj)
    if request.method == "DELETE":
        store.archive(API, tenant, obj, [number])
        return Response(status_code=204)
    if request.method == "PATCH":
        values, problems = _prepare_record(store, tenant, obj, await request.json(), defined, False)
        if problems:
            return JSONResponse([{"message": p["message"], "errorCode": p["statusCode"], "fields": p["fields"]} for p in problems], status_code=400)
        store.write(API, tenant, obj, [(number, values)], _unique_fields(defined))
        return Response(status_code=204)
    wanted = request.query_params.get("fields")
    fields = [canonical(defined, f) or f for f in wanted.split(",")] if wanted else [*SYSTEM, *defined]
    return JSONResponse(_as_row(obj, found, fields, f"v{request.path_params['version']}"))


def upsert_many(store: Store, tenant: str, obj: str, ext_field: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """UpsertResults, in order: {id, success, errors, created}."""
    defined = _fields(store, tenant, obj)
    keys = [str(r.get(ext_field) or "") for r in records]
    existing = store.ids_by_unique(API, tenant, obj, ext_field, [k for k in keys if k])
    results: list[dict[str, Any] | None] = [None] * len(records)
    writes, slots = [], []
    for i, (key, item) in enumerate(zip(keys, records)):
        if not key:
            results[i] = {"success": False, "errors": [{"statusCode": "MISSING_ARGUMENT", "message": f"{ext_field} not specified", "fields": [ext_field]}]}
            continue
        if keys.index(key) != i:
            results[i] = {"success": False, "errors": [{"statusCode": "DUPLICATE_EXTERNAL_ID", "message": f"Duplicate external id specified: {key}", "fields": [ext_field]}]}
            continue
        values, problems = _prepare_record(store, tenant, obj, item, defined, key not in existing)
        if problems:
            results[i] = {"success": False, "errors": problems}
            continue
        writes.append((existing.get(key), values))
        slots.append(i)
    for slot, (number, created, _c, _u) in zip(slots, store.write(API, tenant, obj, writes, _unique_fields(defined))):
        results[slot] = {"id": make_id(obj, number), "success": True, "errors": [], "created": created}
    return [r for r in results if r is not None]


async def collection_upsert(request: Request) -> Response:
    obj = _object(request)
    if obj is None:
        return _not_found(request.path_params["object"])
    store, tenant = _store(request), _tenant(request)
    defined = _fields(store, tenant, obj)
    ext_field = canonical(defined, request.path_params["field"])
    if ext_field is None or not defined[ext_field]["externalId"]:
        return errors(400, "INVALID_FIELD", f"Field name provided, {request.path_params['field']} is not an External ID or indexed field for {obj}")
    body = await request.json()
    records = body.get("records") if isinstance(body, dict) else None
    if not isinstance(records, list):
        return errors(400, "JSON_PARSER_ERROR", "records is required")
    if len(records) > MAX_COLLECTION:
        return errors(400, "EXCEEDED_ID_LIMIT", f"record limit reached. cannot submit more than {MAX_COLLECTION} records into this call")
    if any((r.get("attributes") or {}).get("type") != obj for r in records):
        return errors(400, "INVALID_TYPE", f"each record needs attributes.type = {obj}")
    return JSONResponse(upsert_many(store, tenant, obj, ext_field, records))


async def collection_retrieve(request: Request) -> Response:
    obj = _object(request)
    if obj is None:
        return _not_found(request.path_params["object"])
    if request.method == "POST":
        body = await request.json()
        ids, fields = body.get("ids") or [], body.get("fields") or []
    else:
        ids = [i for i in request.query_params.get("ids", "").split(",") if i]
        fields = [f for f in request.query_params.get("fields", "").split(",") if f]
    if len(ids) > 2000:
        return errors(400, "EXCEEDED_ID_LIMIT", "cannot request more than 2000 ids")
    store, tenant = _store(request), _tenant(request)
    defined = _fields(store, tenant, obj)
    names = [canonical(defined, f) for f in fields]
    if None in names or not names:
        return errors(400, "INVALID_FIELD", f"fields must name columns of {obj}")
    numbers = {i: parse_id(i)[1] for i in ids}
    found = store.get(API, tenant, obj, [n for n in numbers.values() if n is not None])
    version = f"v{request.path_params['version']}"
    return JSONResponse([_as_row(obj, found[n], names, version) if n in found and not found[n]["archived"] else None for n in numbers.values()])


# --- Bulk API 2.0 ----------------------------------------------------------------------------------

_JOBS: dict[str, dict[str, Any]] = {}


def _job_info(job: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in job.items() if k not in ("data", "results", "tenant")}


async def bulk_create(request: Request) -> Response:
    body = await request.json()
    obj = next((o for o in OBJECTS if o.lower() == str(body.get("object", "")).lower()), None)
    if obj is None or body.get("operation") not in ("insert", "upsert", "update"):
        return errors(400, "INVALIDJOB", "object and operation (insert, upsert, update) are required")
    if body["operation"] == "upsert" and not body.get("externalIdFieldName"):
        return errors(400, "INVALIDJOB", "externalIdFieldName is required for upsert")
    job_id = f"750{uuid.uuid4().hex[:15]}"
    _JOBS[job_id] = {"id": job_id, "operation": body["operation"], "object": obj, "externalIdFieldName": body.get("externalIdFieldName"),
                     "state": "Open", "contentType": "CSV", "lineEnding": body.get("lineEnding", "LF"), "columnDelimiter": "COMMA",
                     "apiVersion": float(request.path_params["version"]), "createdDate": sf_time(iso_ms(time.time())),
                     "numberRecordsProcessed": 0, "numberRecordsFailed": 0, "data": [], "results": [], "tenant": _tenant(request)}
    return JSONResponse(_job_info(_JOBS[job_id]))


def _job(request: Request) -> dict[str, Any] | None:
    job = _JOBS.get(request.path_params["job"])
    return job if job and job["tenant"] == _tenant(request) else None


async def bulk_upload(request: Request) -> Response:
    job = _job(request)
    if job is None:
        return errors(404, "NOT_FOUND", "Job not found")
    if job["state"] != "Open":
        return errors(409, "INVALIDJOBSTATE", "Job is not open for data")
    payload = await request.body()
    if len(payload) > BULK_MAX_BYTES:
        return errors(400, "INVALIDBATCH", "upload exceeds 150 MB")
    job["data"].append(payload.decode("utf-8"))
    return Response(status_code=201)


async def bulk_state(request: Request) -> Response:
    job = _job(request)
    if job is None:
        return errors(404, "NOT_FOUND", "Job not found")
    if request.method == "GET":
        return JSONResponse(_job_info(job))
    body = await request.json()
    if body.get("state") == "Aborted":
        job["state"] = "Aborted"
    elif body.get("state") == "UploadComplete" and job["state"] == "Open":
        _process(_store(request), job)
    return JSONResponse(_job_info(job))


def _process(store: Store, job: dict[str, Any]) -> None:
    """The sandbox processes a job at once; a client still polls until JobComplete, as with the real service."""
    rows = []
    for part in job["data"]:
        rows += list(csv.DictReader(io.StringIO(part)))
    records = []
    for row in rows:
        record: dict[str, Any] = {}
        for key, value in row.items():
            value = None if value in ("", "#N/A") else value
            relationship, dot, field = key.partition(".")
            if dot:  # Account.Ext__c: the parent by its external id
                if value is not None:
                    record[relationship] = {field: value}
            else:
                record[key] = value
        records.append(record)
    ext = job["externalIdFieldName"]
    results = upsert_many(store, job["tenant"], job["object"], ext, records) if job["operation"] == "upsert" else []
    job["results"] = list(zip(rows, results))
    job["numberRecordsProcessed"] = len(rows)
    job["numberRecordsFailed"] = sum(1 for r in results if not r["success"])
    job["state"] = "JobComplete"


def _results_csv(job: dict[str, Any], successful: bool) -> str:
    out = io.StringIO()
    columns = list(job["results"][0][0]) if job["results"] else []
    head = ["sf__Id", "sf__Created"] if successful else ["sf__Id", "sf__Error"]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(head + columns)
    for row, result in job["results"]:
        if result["success"] != successful:
            continue
        first = [result.get("id", ""), str(result.get("created", False)).lower()] if successful else \
            ["", ";".join(f"{e['statusCode']}:{e['message']}" for e in result["errors"])]
        writer.writerow(first + [row.get(c, "") for c in columns])
    return out.getvalue()


async def bulk_results(request: Request) -> Response:
    job = _job(request)
    if job is None:
        return errors(404, "NOT_FOUND", "Job not found")
    if job["state"] != "JobComplete":
        return errors(400, "INVALIDJOBSTATE", "results are available once the job is complete")
    return Response(_results_csv(job, request.path_params["kind"] == "successfulResults"), media_type="text/csv")


# --- tooling, limits, oauth ------------------------------------------------------------------------

FIELD_TYPES = {"Text": "string", "Number": "double", "Date": "date", "DateTime": "datetime", "Checkbox": "boolean", "Email": "email",
               "Phone": "phone", "Url": "url", "LongTextArea": "textarea", "Currency": "currency", "Percent": "percent"}


async def custom_field(request: Request) -> Response:
    body = await request.json()
    full_name = str(body.get("FullName", ""))
    obj_name, _, field = full_name.partition(".")
    obj = next((o for o in OBJECTS if o.lower() == obj_name.lower()), None)
    metadata = body.get("Metadata") or {}
    if obj is None or not field.endswith("__c") or metadata.get("type") not in FIELD_TYPES:
        return errors(400, "INVALID_INPUT", f"FullName must be Object.Field__c and Metadata.type one of {', '.join(FIELD_TYPES)}")
    store, tenant = _store(request), _tenant(request)
    if canonical(_fields(store, tenant, obj), field):
        return errors(400, "DUPLICATE_DEVELOPER_NAME", f"There is already a field named {field} on {obj}.")
    store.add_properties(API, tenant, obj, [(field, FIELD_TYPES[metadata["type"]], bool(metadata.get("externalId")))])
    return JSONResponse({"id": f"00N{uuid.uuid4().hex[:15]}", "success": True, "errors": []}, status_code=201)


async def limits(request: Request) -> Response:
    sandbox = request.app.state.sandbox
    used = sandbox.meter.daily.get((API, _tenant(request)), 0)
    daily = int(sandbox.limits[API]["daily"])
    return JSONResponse({"DailyApiRequests": {"Max": daily, "Remaining": max(daily - used, 0)}})


async def oauth_token(request: Request) -> Response:
    form = await form_fields(request)
    if form.get("grant_type") != "refresh_token":
        return JSONResponse({"error": "unsupported_grant_type", "error_description": "grant type not supported"}, status_code=400)
    token = _store(request).refresh(API, str(form.get("refresh_token")), form.get("client_id"), form.get("client_secret"))
    if token is None:
        return JSONResponse({"error": "invalid_grant", "error_description": "expired access/refresh token"}, status_code=400)
    root = f"{request.url.scheme}://{request.url.netloc}"
    return JSONResponse({"access_token": token, "instance_url": root, "id": f"{root}/id/00D000000000001/005000000000001",
                         "token_type": "Bearer", "issued_at": str(int(time.time() * 1000)), "signature": uuid.uuid4().hex})


def routes() -> list[Route]:
    base = "/services/data/v{version}"
    return [
        Route("/services/oauth2/token", oauth_token, methods=["POST"]),
        Route(f"{base}/query", query, methods=["GET"]),
        Route(f"{base}/query/", query, methods=["GET"]),
        Route(f"{base}/queryAll", query, methods=["GET"]),
        Route(f"{base}/queryAll/", query, methods=["GET"]),
        Route(f"{base}/query/{{locator}}", query_more, methods=["GET"]),
        Route(f"{base}/queryAll/{{locator}}", query_more, methods=["GET"]),
        Route(f"{base}/limits", limits, methods=["GET"]),
        Route(f"{base}/limits/", limits, methods=["GET"]),
        Route(f"{base}/sobjects", sobjects, methods=["GET"]),
        Route(f"{base}/sobjects/", sobjects, methods=["GET"]),
        Route(f"{base}/sobjects/{{object}}/describe", describe, methods=["GET"]),
        Route(f"{base}/sobjects/{{object}}/describe/", describe, methods=["GET"]),
        Route(f"{base}/sobjects/{{object}}", create, methods=["POST"]),
        Route(f"{base}/sobjects/{{object}}/", create, methods=["POST"]),
        Route(f"{base}/sobjects/{{object}}/{{id}}", record, methods=["GET", "PATCH", "DELETE"]),
        Route(f"{base}/composite/sobjects/{{object}}/{{field}}", collection_upsert, methods=["PATCH"]),
        Route(f"{base}/composite/sobjects/{{object}}", collection_retrieve, methods=["GET", "POST"]),
        Route(f"{base}/jobs/ingest", bulk_create, methods=["POST"]),
        Route(f"{base}/jobs/ingest/", bulk_create, methods=["POST"]),
        Route(f"{base}/jobs/ingest/{{job}}/batches", bulk_upload, methods=["PUT"]),
        Route(f"{base}/jobs/ingest/{{job}}", bulk_state, methods=["GET", "PATCH"]),
        Route(f"{base}/jobs/ingest/{{job}}/{{kind}}", bulk_results, methods=["GET"]),
        Route(f"{base}/tooling/sobjects/CustomField", custom_field, methods=["POST"]),
        Route(f"{base}/tooling/sobjects/CustomField/", custom_field, methods=["POST"]),
    ]
