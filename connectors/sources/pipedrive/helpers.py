"""Pipedrive's HTTP details: the client (token, the 2-second window from x-ratelimit-*, the daily budget), cursor
paging, custom fields by name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import requests

from connectors.api_http import ApiClient, Connection, Policy
from connectors.sources.pipedrive import settings as s
from handover.naming import column_key


def _is_quota(response: requests.Response) -> bool:
    if response.status_code != 429:
        return False
    if response.headers.get("x-daily-requests-left") == "0":
        return True
    try:
        return response.json().get("code") == "daily_limit"
    except ValueError:
        return False


def _wait_before(response: requests.Response) -> float | None:
    remaining = response.headers.get("x-ratelimit-remaining")
    if remaining is not None and remaining.isdigit() and int(remaining) <= 0:
        reset = response.headers.get("x-ratelimit-reset", "2")
        return float(reset) if reset.replace(".", "", 1).isdigit() else 2.0
    return None


POLICY = Policy("pipedrive", _is_quota, _wait_before, None)


def client(url: str, **options: Any) -> ApiClient:
    return ApiClient(Connection.parse(url, s.DEFAULT_HOST), POLICY, **options)


def custom_fields(api: ApiClient, obj: str) -> dict[str, str]:
    """key (a hash) -> name of the object's custom fields."""
    answer = api.get(s.FIELDS_PATH.format(fields=s.FIELDS_OF[obj]))
    return {f["key"]: f["name"] for f in answer.get("data") or [] if f.get("edit_flag")}


def pages(api: ApiClient, obj: str, since: str | None = None) -> Iterator[list[dict[str, Any]]]:
    """Every record of an object (changed at or after `since`), a page of up to 500 at a time."""
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": s.PAGE_SIZE, **({"cursor": cursor} if cursor else {}), **({"updated_since": since} if since else {})}
        answer = api.get(s.LIST_PATH.format(object=obj), params=params)
        yield answer.get("data") or []
        cursor = (answer.get("additional_data") or {}).get("next_cursor")
        if not cursor:
            return


def primary(values: Any) -> str | None:
    """The primary value of Pipedrive's [{value, primary, label}] lists (emails, phones)."""
    if not isinstance(values, list) or not values:
        return None
    chosen = next((v for v in values if v.get("primary")), values[0])
    return chosen.get("value")


def flatten(item: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A record as raw columns: lists to their primary value, custom fields under their names' column keys."""
    row = {k: v for k, v in item.items() if k not in ("custom_fields", "emails", "phones")}
    if "emails" in item:
        row["email"] = primary(item["emails"])
    if "phones" in item:
        row["phone"] = primary(item["phones"])
    for key, value in (item.get("custom_fields") or {}).items():
        row[column_key(names.get(key, key))] = value
    return row
