"""HubSpot's HTTP details: the client (auth, refresh, rate limits), paging, search windows under the 10,000 cap,
properties in chunks, associations past 100 per record."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

import requests

from connectors.api_http import ApiClient, ApiError, Connection, Policy
from connectors.sources.hubspot import settings as s


def _is_quota(response: requests.Response) -> bool:
    if response.status_code != 429:
        return False
    try:
        return response.json().get("policyName") == "DAILY"
    except ValueError:
        return False


def _wait_before(response: requests.Response) -> float | None:
    """HubSpot sends the rolling window's remaining calls; at zero, wait the window out rather than meet a 429."""
    remaining = response.headers.get("X-HubSpot-RateLimit-Remaining")
    if remaining is not None and remaining.isdigit() and int(remaining) <= 0:
        return int(response.headers.get("X-HubSpot-RateLimit-Interval-Milliseconds", "10000")) / 1000
    return None


def _refresh(client: ApiClient) -> str:
    connection = client.connection
    url = connection.token_url or f"{connection.base_url}{s.TOKEN_PATH}"
    response = client.session.post(url, data={"grant_type": "refresh_token", "refresh_token": connection.refresh_token,
                                              "client_id": connection.client_id, "client_secret": connection.client_secret}, timeout=client.timeout)
    if response.status_code != 200:
        raise ApiError(f"hubspot POST {s.TOKEN_PATH}: the refresh token was refused ({response.status_code}); renew the connection's credentials", user_error=True)
    return response.json()["access_token"]


POLICY = Policy("hubspot", _is_quota, _wait_before, _refresh)


def client(url: str, **options: Any) -> ApiClient:
    return ApiClient(Connection.parse(url, s.DEFAULT_HOST), POLICY, **options)


def epoch_ms(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000)


def iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def property_names(api: ApiClient, obj: str) -> list[str]:
    return [p["name"] for p in api.get(s.PROPERTIES_PATH.format(object=obj))["results"]]


def chunk_properties(names: Sequence[str], budget: int = s.MAX_QUERY_CHARS) -> list[list[str]]:
    """Property names in chunks whose comma-joined length stays under `budget` characters."""
    chunks: list[list[str]] = [[]]
    used = 0
    for name in names:
        if chunks[-1] and used + len(name) + 1 > budget:
            chunks.append([])
            used = 0
        chunks[-1].append(name)
        used += len(name) + 1
    return chunks


def _flatten(result: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(result["id"]), **result.get("properties", {}), "archived": bool(result.get("archived"))}


def _fill(api: ApiClient, obj: str, rows: dict[str, dict[str, Any]], chunks: list[list[str]], archived: bool) -> None:
    """The properties past the first chunk, read for one page of ids with batch read (a POST body has no URL limit)."""
    rest = [n for chunk in chunks[1:] for n in chunk]
    if not rest or not rows:
        return
    ids = list(rows)
    for start in range(0, len(ids), s.BATCH_SIZE):
        body = {"properties": rest, "inputs": [{"id": i} for i in ids[start:start + s.BATCH_SIZE]]}
        answer = api.post(s.BATCH_READ_PATH.format(object=obj), safe=True, json=body, params={"archived": str(archived).lower()})
        for result in answer.get("results", []):
            rows[str(result["id"])].update(result.get("properties", {}))


def list_pages(api: ApiClient, obj: str, properties: Sequence[str], archived: bool = False, after: str | None = None) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
    """Every record of an object, a page at a time with the cursor that follows it (`after`)."""
    chunks = chunk_properties(properties)
    while True:
        params = {"limit": s.PAGE_SIZE, "properties": ",".join(chunks[0]), "archived": str(archived).lower()}
        if after:
            params["after"] = after
        answer = api.get(s.OBJECTS_PATH.format(object=obj), params=params)
        rows = {str(r["id"]): _flatten(r) for r in answer.get("results", [])}
        _fill(api, obj, rows, chunks, archived)
        after = ((answer.get("paging") or {}).get("next") or {}).get("after")
        yield list(rows.values()), after
        if not after:
            return


def _search(api: ApiClient, obj: str, since_ms: int, until_ms: int, properties: list[str], after: int, limit: int) -> dict[str, Any]:
    body = {"filterGroups": [{"filters": [{"propertyName": s.MODIFIED, "operator": "GTE", "value": str(since_ms)},
                                          {"propertyName": s.MODIFIED, "operator": "LT", "value": str(until_ms)}]}],
            "sorts": [{"propertyName": s.MODIFIED, "direction": "ASCENDING"}], "properties": properties, "limit": limit, "after": str(after)}
    return api.post(s.SEARCH_PATH.format(object=obj), safe=True, json=body)


def windows(api: ApiClient, obj: str, since_ms: int, until_ms: int, cap: int = s.SEARCH_CAP) -> Iterator[tuple[int, int]]:
    """[since, until) split in halves until each window holds at most `cap` records: the search never pages past its cap."""
    total = _search(api, obj, since_ms, until_ms, ["hs_object_id"], 0, 1).get("total", 0)
    if total <= cap or until_ms - since_ms <= 1:
        if total > cap:
            raise ApiError(f"hubspot search {obj}: {total} records changed within one millisecond; more than the {cap} a search can return")
        if total:
            yield since_ms, until_ms
        return
    middle = (since_ms + until_ms) // 2
    yield from windows(api, obj, since_ms, middle, cap)
    yield from windows(api, obj, middle, until_ms, cap)


def changed_pages(api: ApiClient, obj: str, properties: Sequence[str], since: str, until_ms: int, cap: int = s.SEARCH_CAP) -> Iterator[list[dict[str, Any]]]:
    """Records modified at or after `since`, oldest first, window by window."""
    chunks = chunk_properties(properties, budget=1 << 30)  # a search's properties travel in the body
    for low, high in windows(api, obj, epoch_ms(since), until_ms, cap):
        after = 0
        while True:
            answer = _search(api, obj, low, high, chunks[0], after, s.SEARCH_PAGE_SIZE)
            rows = [_flatten(r) for r in answer.get("results", [])]
            if rows:
                yield rows
            following = ((answer.get("paging") or {}).get("next") or {}).get("after")
            if not following:
                break
            after = int(following)


def associations(api: ApiClient, from_obj: str, to_obj: str, ids: Sequence[str]) -> dict[str, list[str]]:
    """id -> associated ids of `to_obj` (primary first), every page of each record's associations (past 100)."""
    found: dict[str, list[tuple[bool, str]]] = {}
    pending = [{"id": i} for i in ids]
    while pending:
        batch, pending = pending[:s.ASSOCIATIONS_BATCH], pending[s.ASSOCIATIONS_BATCH:]
        answer = api.post(s.ASSOCIATIONS_READ_PATH.format(from_object=from_obj, to_object=to_obj), safe=True, json={"inputs": batch})
        for result in answer.get("results", []):
            key = str(result["from"]["id"])
            for to in result.get("to", []):
                primary = any(t.get("typeId") in s.PRIMARY_TYPE_IDS for t in to.get("associationTypes", []))
                found.setdefault(key, []).append((not primary, str(to["toObjectId"])))
            following = ((result.get("paging") or {}).get("next") or {}).get("after")
            if following:
                pending.append({"id": key, "after": following})
    return {k: [i for _, i in sorted(v, key=lambda p: p[0])] for k, v in found.items()}


def owner_pages(api: ApiClient, archived: bool) -> Iterator[list[dict[str, Any]]]:
    after = None
    while True:
        params = {"limit": s.OWNERS_PAGE_SIZE, "archived": str(archived).lower(), **({"after": after} if after else {})}
        answer = api.get(s.OWNERS_PATH, params=params)
        yield [{"id": str(o["id"]), "email": o.get("email"), "first_name": o.get("firstName"), "last_name": o.get("lastName"),
                "user_id": None if o.get("userId") is None else str(o["userId"]), "active": "false" if archived or o.get("archived") else "true",
                "archived": bool(archived or o.get("archived")), s.OWNER_MODIFIED: o.get("updatedAt")} for o in answer.get("results", [])]
        after = ((answer.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            return
