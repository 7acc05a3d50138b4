"""Faults the sandbox injects, from config: what real CRMs do to a long migration.

A fault matches calls by API, HTTP method and path (a glob), lets `after` matching calls through, then fires on the
next `times` calls (0: on every one). Kinds:
  rate_limit        429 with Retry-After and the vendor's body and headers
  request_limit     Salesforce 403 REQUEST_LIMIT_EXCEEDED; HubSpot's daily-limit 429
  server_error      a 5xx (`status`, default 503)
  slow              answers after `delay` seconds
  timeout           sends nothing for `delay` seconds, then closes the connection
  drop              sends the headers and half the body, then closes the connection (dropped mid-page)
  malformed         200 with a body cut short (invalid JSON)
  expired_token     401 with the vendor's body; the token presented stays expired until refreshed
"""

from __future__ import annotations

import asyncio
import fnmatch
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

Kind = Literal["rate_limit", "request_limit", "server_error", "slow", "timeout", "drop", "malformed", "expired_token"]
KINDS = Kind.__args__  # type: ignore[attr-defined]


@dataclass
class Fault:
    kind: Kind
    api: str | None = None  # hubspot | salesforce | None: any
    path: str = "*"
    method: str | None = None
    after: int = 0
    times: int = 1
    retry_after: float = 1.0
    delay: float = 2.0
    status: int = 503
    seen: int = field(default=0)
    fired: int = field(default=0)

    def matches(self, api: str, method: str, path: str) -> bool:
        return ((self.api is None or self.api == api) and (self.method is None or self.method.upper() == method)
                and fnmatch.fnmatchcase(path, self.path))


class FaultError(ValueError):
    """A fault config that cannot be used; the message names the entry and key."""


def parse_faults(entries: Any, where: str = "faults") -> list[Fault]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise FaultError(f"{where}: a list of faults, each with a kind ({', '.join(KINDS)})")
    faults = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or entry.get("kind") not in KINDS:
            raise FaultError(f"{where}[{i}]: kind must be one of {', '.join(KINDS)}")
        unknown = set(entry) - {f for f in Fault.__dataclass_fields__ if f not in ("seen", "fired")}
        if unknown:
            raise FaultError(f"{where}[{i}]: unknown key {', '.join(sorted(unknown))}")
        faults.append(Fault(**entry))
    return faults


def load_faults(path: Path) -> list[Fault]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return parse_faults(data.get("faults") if isinstance(data, dict) else data, f"{path}: faults")


class FaultPlan:
    def __init__(self, faults: list[Fault] | None = None):
        self.faults = faults or []
        self.lock = threading.Lock()

    def replace(self, faults: list[Fault]) -> None:
        with self.lock:
            self.faults = faults

    def pick(self, api: str, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if not fault.matches(api, method, path):
                    continue
                fault.seen += 1
                if fault.seen > fault.after and (fault.times == 0 or fault.fired < fault.times):
                    fault.fired += 1
                    return fault
        return None

    def describe(self) -> list[dict[str, Any]]:
        with self.lock:
            return [asdict(f) for f in self.faults]


async def send_cut(send: Any, status: int, headers: list[tuple[bytes, bytes]], body: bytes, announce: int) -> None:
    """Start a response announcing `announce` bytes, send `body` (fewer), and stop: the client sees the connection end mid-body."""
    await send({"type": "http.response.start", "status": status, "headers": [*headers, (b"content-length", str(announce).encode())]})
    await send({"type": "http.response.body", "body": body, "more_body": True})
    await asyncio.sleep(0.01)
