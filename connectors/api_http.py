"""One HTTP client for the SaaS CRM connectors (sources and targets): authentication with refresh, the vendor's
rate limits obeyed from its headers, and retries only where a retry is safe.

- A 429 is always retried after its Retry-After (the vendor did nothing with the call).
- A known exhausted window (the vendor's "remaining" header at 0) is waited out before sending: never into a 429.
- 401 refreshes the access token once (when the connection has a refresh token) and sends again.
- 5xx, timeouts, dropped connections and unreadable bodies are retried with backoff only for calls marked `safe`
  (reads, upserts by external id); otherwise ApiError(unsafe=True) says which endpoint and that the outcome is unknown.
- A daily quota exhausted stops with QuotaExceeded: waiting minutes would not help, a rerun tomorrow resumes.
Secrets never appear in a message: errors name the method and path only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

BACKOFF = (0.5, 1.0, 2.0, 4.0, 8.0)
TIMEOUT = 30.0


class ApiError(Exception):
    """A call failed for good. `unsafe`: it may have been applied (a non-idempotent write that got no answer)."""

    def __init__(self, message: str, *, status: int | None = None, unsafe: bool = False, user_error: bool = False, body: Any = None):
        super().__init__(message)
        self.status, self.unsafe, self.user_error, self.body = status, unsafe, user_error, body


class QuotaExceeded(ApiError):
    """The vendor's daily request quota is spent."""


@dataclass
class Connection:
    """Where an API is and how to authenticate: parsed from a URL held in an environment variable,
    `https://:ACCESS_TOKEN@host[/prefix]?refresh_token=...&client_id=...&client_secret=...&token_url=...`."""

    base_url: str
    token: str
    refresh_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    token_url: str | None = None
    options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, url: str, default_host: str | None = None) -> "Connection":
        parts = urlsplit(url)
        scheme = parts.scheme.split("+")[-1] or "https"
        host = parts.hostname or default_host
        if not host:
            raise ApiError("the connection URL names no host", user_error=True)
        if not parts.password and not parts.username:
            raise ApiError(f"the connection URL for {host} holds no access token: write it as {scheme}://:TOKEN@{host}", user_error=True)
        netloc = host + (f":{parts.port}" if parts.port else "")
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return cls(f"{scheme}://{netloc}{parts.path.rstrip('/')}", parts.password or parts.username or "", query.pop("refresh_token", None),
                   query.pop("client_id", None), query.pop("client_secret", None), query.pop("token_url", None), query)

    @property
    def label(self) -> str:
        return self.base_url


@dataclass
class Policy:
    """How a vendor says things: which response is an exhausted daily quota, how long its window lasts."""

    vendor: str
    is_quota: Callable[[requests.Response], bool]
    wait_before: Callable[[requests.Response], float | None]  # seconds to wait before the next call, from the headers
    refresh: Callable[["ApiClient"], str] | None = None


class ApiClient:
    def __init__(self, connection: Connection, policy: Policy, *, timeout: float = TIMEOUT, backoff: tuple[float, ...] = BACKOFF,
                 sleep: Callable[[float], None] = time.sleep):
        self.connection, self.policy, self.backoff, self.sleep = connection, policy, backoff, sleep
        # A connection URL may set ?timeout=SECONDS (a trial against a slow sandbox, a test's injected timeouts).
        self.timeout = float(connection.options.get("timeout", timeout))
        self.session = requests.Session()
        self.calls = 0
        self.retries: dict[str, int] = {}
        self._not_before = 0.0

    def close(self) -> None:
        self.session.close()

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.connection.base_url}{path}"

    def _note(self, what: str) -> None:
        self.retries[what] = self.retries.get(what, 0) + 1

    def request(self, method: str, path: str, *, safe: bool, params: Any = None, json: Any = None, data: Any = None,
                headers: dict[str, str] | None = None, expect_json: bool = True) -> requests.Response:
        """Send one call, handling limits, refresh and (where safe) transient failures. Returns the final response
        with a status below 400, or raises ApiError naming `method path`."""
        where = f"{self.policy.vendor} {method} {path.split('?')[0]}"
        failures, refreshed, throttled = 0, False, 0
        while True:
            wait = self._not_before - time.monotonic()
            if wait > 0:
                self.sleep(wait)
            self.calls += 1
            try:
                response = self.session.request(method, self.url(path), params=params, json=json, data=data, timeout=self.timeout,
                                                headers={"Authorization": f"Bearer {self.connection.token}", **(headers or {})})
                if expect_json and response.status_code < 400 and response.content:
                    response.json()  # a body cut short must fail here, not in the caller
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError, ValueError) as exc:
                kind = "timeout" if isinstance(exc, requests.Timeout) else "unreadable answer" if isinstance(exc, ValueError) else "connection lost"
                self._note(kind)
                if not safe:
                    raise ApiError(f"{where}: {kind}; the call may or may not have been applied, so it is not sent again", unsafe=True)
                if failures >= len(self.backoff):
                    raise ApiError(f"{where}: {kind} {failures + 1} times in a row; giving up")
                self.sleep(self.backoff[failures])
                failures += 1
                continue
            pause = self.policy.wait_before(response)
            if pause:
                self._not_before = time.monotonic() + pause
            status = response.status_code
            if status < 400:
                return response
            if self.policy.is_quota(response):
                raise QuotaExceeded(f"{where}: the daily API quota is exhausted ({_brief(response)}); a rerun after the quota resets resumes where this stopped",
                                    status=status, body=_body(response))
            if status == 429:
                self._note("429")
                throttled += 1
                if throttled > 20:
                    raise ApiError(f"{where}: still rate-limited after 20 waits", status=429)
                self.sleep(_retry_after(response, self.backoff[min(throttled - 1, len(self.backoff) - 1)]))
                continue
            if status == 401 and self.policy.refresh and self.connection.refresh_token and not refreshed:
                self._note("refresh")
                self.connection.token = self.policy.refresh(self)
                refreshed = True
                continue
            if status >= 500:
                self._note(str(status))
                if safe and failures < len(self.backoff):
                    self.sleep(_retry_after(response, self.backoff[failures]))
                    failures += 1
                    continue
                message = "giving up after retries" if safe else "not sent again: the call is not safe to repeat"
                raise ApiError(f"{where}: {status} {_brief(response)}; {message}", status=status, unsafe=not safe, body=_body(response))
            raise ApiError(f"{where}: {status} {_brief(response)}", status=status, user_error=status in (401, 403, 404), body=_body(response))

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, safe=True, **kwargs).json()

    def post(self, path: str, *, safe: bool, **kwargs: Any) -> Any:
        response = self.request("POST", path, safe=safe, **kwargs)
        return response.json() if response.content else None


def _retry_after(response: requests.Response, default: float) -> float:
    value = response.headers.get("Retry-After")
    try:
        return max(float(value), 0.0) if value is not None else default
    except ValueError:
        return default


def _body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def _brief(response: requests.Response) -> str:
    body = _body(response)
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return "; ".join(f"{e.get('errorCode')}: {e.get('message')}" for e in body[:3])
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error_description") or body)[:300]
    return str(body)[:300]
