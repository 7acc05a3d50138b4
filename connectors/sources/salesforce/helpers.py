"""Salesforce's HTTP details: the client (auth, refresh, REQUEST_LIMIT_EXCEEDED), SOQL paging through
`nextRecordsUrl` until `done`, fields in chunks, describe."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

import requests

from connectors.api_http import ApiClient, ApiError, Connection, Policy
from connectors.sources.salesforce import settings as s


def _is_quota(response: requests.Response) -> bool:
    if response.status_code != 403:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, list) and any(e.get("errorCode") == "REQUEST_LIMIT_EXCEEDED" for e in body if isinstance(e, dict))


def _wait_before(response: requests.Response) -> float | None:
    return None  # Sforce-Limit-Info counts the day's calls; there is no short window to wait out


def _refresh(client: ApiClient) -> str:
    connection = client.connection
    url = connection.token_url or f"{connection.base_url}{s.TOKEN_PATH}"
    response = client.session.post(url, data={"grant_type": "refresh_token", "refresh_token": connection.refresh_token,
                                              "client_id": connection.client_id, "client_secret": connection.client_secret}, timeout=client.timeout)
    if response.status_code != 200:
        raise ApiError(f"salesforce POST {s.TOKEN_PATH}: the refresh token was refused ({response.status_code}); renew the connection's credentials", user_error=True)
    return response.json()["access_token"]


POLICY = Policy("salesforce", _is_quota, _wait_before, _refresh)


def client(url: str, **options: Any) -> ApiClient:
    return ApiClient(Connection.parse(url), POLICY, **options)


def describe(api: ApiClient, obj: str, version: str) -> list[dict[str, Any]]:
    return api.get(s.DESCRIBE_PATH.format(version=version, object=obj))["fields"]


def soql_time(stamp: str) -> str:
    """A SystemModstamp as a SOQL literal, cut to the second: the second's earlier records come again and merge on Id."""
    moment = datetime.fromisoformat(stamp.replace("+0000", "+00:00").replace("Z", "+00:00")).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def chunk_fields(names: Sequence[str], budget: int = s.MAX_SOQL_FIELDS_CHARS) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    used = 0
    for name in names:
        if chunks[-1] and used + len(name) + 2 > budget:
            chunks.append([])
            used = 0
        chunks[-1].append(name)
        used += len(name) + 2
    return chunks


def query_pages(api: ApiClient, soql: str, version: str, include_deleted: bool = False) -> Iterator[list[dict[str, Any]]]:
    """Every page of a SOQL query: the first from query (or queryAll), the rest from `nextRecordsUrl` until `done`."""
    path = (s.QUERY_ALL_PATH if include_deleted else s.QUERY_PATH).format(version=version)
    answer = api.get(path, params={"q": soql})
    while True:
        yield [{k: v for k, v in r.items() if k != "attributes"} for r in answer.get("records", [])]
        if answer.get("done", True) or not answer.get("nextRecordsUrl"):
            return
        answer = api.get(answer["nextRecordsUrl"])


def records(api: ApiClient, obj: str, fields: Sequence[str], version: str, since: str | None, include_deleted: bool = True) -> Iterator[list[dict[str, Any]]]:
    """Records of `obj` modified at or after `since` (all when None), oldest first, with every field: the first chunk
    of fields in the query, the others read for each page with a Collections retrieve (a POST, no URL limit)."""
    base = [f for f in ("Id", s.MODIFIED, s.DELETED) if f in fields or f == "Id"]
    rest = [f for f in fields if f not in base]
    chunks = chunk_fields(rest)
    where = f" WHERE {s.MODIFIED} >= {soql_time(since)}" if since else ""
    soql = f"SELECT {', '.join(base + chunks[0])} FROM {obj}{where} ORDER BY {s.MODIFIED}"
    for page in query_pages(api, soql, version, include_deleted):
        if len(chunks) > 1 and page:
            by_id = {r["Id"]: r for r in page}
            for chunk in chunks[1:]:
                for start in range(0, len(page), s.RETRIEVE_SIZE):
                    ids = [r["Id"] for r in page[start:start + s.RETRIEVE_SIZE]]
                    for found in api.post(s.RETRIEVE_PATH.format(version=version, object=obj), safe=True, json={"ids": ids, "fields": ["Id", *chunk]}) or []:
                        if found:
                            by_id[found["Id"]].update({k: v for k, v in found.items() if k != "attributes"})
        yield page
