"""The sandbox server: one loopback ASGI app that speaks HubSpot and Salesforce, over one SQLite file.

Every vendor call is authenticated by its token (which picks the tenant), counted (per API and tenant, for the
figures of `bench/saas.py`), rate-limited with the vendor's headers, and may be hit by a configured fault.
Admin endpoints under /_sandbox/ (no token): config (faults, limits), stats, reset.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.sandbox import hubspot, pipedrive, salesforce
from connectors.sandbox.faults import Fault, FaultError, FaultPlan, parse_faults, send_cut
from connectors.sandbox.store import Store

VENDORS: tuple[ModuleType, ...] = (hubspot, salesforce, pipedrive)
DEFAULT_LIMITS: dict[str, dict[str, Any]] = {
    "hubspot": {"per_10s": 100_000, "daily": 10_000_000},
    "salesforce": {"daily": 10_000_000},
    "pipedrive": {"per_2s": 100_000, "daily": 10_000_000},
}


def vendor_of(path: str) -> ModuleType | None:
    return next((v for v in VENDORS if path.startswith(v.PREFIXES)), None)


class Meter:
    """Calls per API and tenant: the rolling ten-second window and the day, and totals for the figures."""

    def __init__(self) -> None:
        self.window: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self.daily: dict[tuple[str, str], int] = defaultdict(int)
        self.calls: dict[str, int] = defaultdict(int)
        self.lock = threading.Lock()

    def count(self, api: str, tenant: str, path: str, seconds: float = 10) -> tuple[int, int]:
        now = time.monotonic()
        with self.lock:
            window = self.window[(api, tenant)]
            window.append(now)
            while window and window[0] < now - seconds:
                window.popleft()
            self.daily[(api, tenant)] += 1
            self.calls[f"{api}:{tenant}"] += 1
            return len(window), self.daily[(api, tenant)]

    def reset(self) -> None:
        with self.lock:
            self.window.clear()
            self.daily.clear()
            self.calls.clear()


class SandboxApp:
    def __init__(self, store: Store, faults: list[Fault] | None = None, limits: dict[str, dict[str, Any]] | None = None):
        self.store = store
        self.faults = FaultPlan(faults)
        self.limits = {api: {**DEFAULT_LIMITS[api], **(limits or {}).get(api, {})} for api in DEFAULT_LIMITS}
        self.meter = Meter()
        routes = [Route("/_sandbox/config", self.config, methods=["GET", "POST"]), Route("/_sandbox/stats", self.stats, methods=["GET", "POST"]),
                  Route("/_sandbox/reset", self.reset, methods=["POST"]), Route("/_sandbox/health", self.health, methods=["GET"])]
        for vendor in VENDORS:
            routes += vendor.routes()
        self.router = Starlette(routes=routes)
        self.router.state.store = store
        self.router.state.sandbox = self

    # --- admin -----------------------------------------------------------------------------------

    async def config(self, request: Request) -> Response:
        if request.method == "POST":
            body = await request.json()
            try:
                if "faults" in body:
                    self.faults.replace(parse_faults(body["faults"]))
            except FaultError as exc:
                return JSONResponse({"error": str(exc)}, status_code=400)
            for api, values in (body.get("limits") or {}).items():
                if api in self.limits:
                    self.limits[api].update(values)
        return JSONResponse({"faults": self.faults.describe(), "limits": self.limits})

    async def stats(self, request: Request) -> Response:
        calls = dict(self.meter.calls)
        if request.method == "POST":
            self.meter.reset()
        return JSONResponse({"calls": calls})

    async def reset(self, request: Request) -> Response:
        self.store.reset()
        self.meter.reset()
        self.faults.replace([])
        return JSONResponse({"reset": True})

    async def health(self, request: Request) -> Response:
        return JSONResponse({"ok": True})

    # --- every vendor call -----------------------------------------------------------------------

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        vendor = vendor_of(scope.get("path", "")) if scope["type"] == "http" else None
        if vendor is None:
            await self.router(scope, receive, send)
            return
        path, method = scope["path"], scope["method"]
        fault = self.faults.pick(vendor.API, method, path)
        token = _bearer(scope)
        if fault is not None:
            if fault.kind == "expired_token" and token:
                self.store.expire(token)
            elif fault.kind in ("slow", "timeout"):
                await asyncio.sleep(fault.delay)
                if fault.kind == "timeout":
                    return  # the server gives up without a word; the client's own timeout has long fired
            elif fault.kind == "rate_limit":
                await vendor.rate_limited(fault.retry_after)(scope, receive, send)
                return
            elif fault.kind == "request_limit":
                await vendor.quota_exceeded()(scope, receive, send)
                return
            elif fault.kind == "server_error":
                await vendor.server_error(fault.status)(scope, receive, send)
                return
        if path not in vendor.PUBLIC:
            tenant, expired = self.store.tenant_of(vendor.API, token or "")
            if tenant is None or expired:
                await vendor.unauthorized(expired)(scope, receive, send)
                return
            window, daily = self.meter.count(vendor.API, tenant, path, vendor.WINDOW_SECONDS)
            limits = self.limits[vendor.API]
            if daily > limits["daily"]:
                await vendor.quota_exceeded()(scope, receive, send)
                return
            if window > limits.get("per_10s", limits.get("per_2s", 1 << 62)):
                await vendor.rate_limited(1)(scope, receive, send)
                return
            scope["tenant"] = tenant
            headers = vendor.rate_headers(limits, window, daily)
        else:
            headers = {}
        if len(scope.get("query_string", b"")) > getattr(vendor, "MAX_URL", 1 << 30):
            await vendor.error(414, "Request-URI Too Long: request fewer properties per call")(scope, receive, send)
            return
        extra = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        if fault is not None and fault.kind in ("drop", "malformed"):
            await self._cut(scope, receive, send, extra, fault.kind)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.router(scope, receive, send_with_headers)

    async def _cut(self, scope: dict, receive: Any, send: Any, extra: list[tuple[bytes, bytes]], kind: str) -> None:
        status, headers, chunks = 200, [], []

        async def capture(message: dict) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status, headers = message["status"], [h for h in message.get("headers", []) if h[0].lower() != b"content-length"]
            else:
                chunks.append(message.get("body", b""))

        await self.router(scope, receive, capture)
        body = b"".join(chunks)
        half = body[: max(len(body) // 2, 1)]
        if kind == "drop":
            await send_cut(send, status, [*headers, *extra], half, len(body))
            return
        await send({"type": "http.response.start", "status": status, "headers": [*headers, *extra, (b"content-length", str(len(half)).encode())]})
        await send({"type": "http.response.body", "body": half})


def _bearer(scope: dict) -> str | None:
    """The access token: `Authorization: Bearer`, or Pipedrive's `x-api-token` header or `api_token` parameter."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            text = value.decode("latin-1")
            return text.split(" ", 1)[1].strip() if " " in text else text
        if name == b"x-api-token":
            return value.decode("latin-1").strip()
    from urllib.parse import parse_qs

    found = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("api_token")
    return found[-1] if found else None


def build_app(db: Path | str, faults: list[Fault] | None = None, limits: dict[str, dict[str, Any]] | None = None) -> SandboxApp:
    return SandboxApp(Store(db), faults, limits)


def base_urls(host: str, port: int) -> dict[str, str]:
    root = f"http://{host}:{port}"
    return {"hubspot": root, "salesforce": root, "pipedrive": f"{root}/api"}


class RunningSandbox:
    """A sandbox served by uvicorn in a background thread (tests, benchmarks)."""

    def __init__(self, app: SandboxApp, host: str, port: int, server: Any, thread: threading.Thread, certificate: Path | None = None):
        self.app, self.host, self.port, self.server, self.thread, self.certificate = app, host, port, server, thread, certificate

    @property
    def url(self) -> str:
        return f"{'https' if self.certificate else 'http'}://{self.host}:{self.port}"

    @property
    def store(self) -> Store:
        return self.app.store

    def set_faults(self, faults: list[dict[str, Any]]) -> None:
        self.app.faults.replace(parse_faults(faults))

    def calls(self, reset: bool = False) -> dict[str, int]:
        calls = dict(self.app.meter.calls)
        if reset:
            self.app.meter.reset()
        return calls


@contextmanager
def serve_in_thread(db: Path | str, host: str = "127.0.0.1", port: int = 0, tls: bool = False, **options: Any) -> Iterator[RunningSandbox]:
    """Serve in a background thread; `tls`: over HTTPS with a self-signed certificate (RunningSandbox.certificate)."""
    import socket

    import uvicorn

    if port == 0:
        with socket.socket() as probe:
            probe.bind((host, 0))
            port = probe.getsockname()[1]
    app = build_app(db, **options)
    certificate = key = None
    if tls:
        from connectors.sandbox.tls import self_signed

        certificate, key = self_signed(Path(db).parent, host)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off", timeout_keep_alive=30,
                                           ssl_certfile=str(certificate) if certificate else None, ssl_keyfile=str(key) if key else None))
    thread = threading.Thread(target=server.run, daemon=True, name="handover-sandbox")
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the sandbox did not start on {host}:{port}")
        time.sleep(0.02)
    try:
        yield RunningSandbox(app, host, port, server, thread, certificate)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.store.close()


def main(argv: list[str] | None = None) -> int:
    """`python -m connectors.sandbox.server --db FILE --port N [--config FILE]`: serve until stopped."""
    import argparse

    import uvicorn
    import yaml

    p = argparse.ArgumentParser(prog="handover-sandbox")
    p.add_argument("--db", required=True)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--config", help="YAML with faults: [...] and limits: {hubspot: {per_10s, daily}, salesforce: {daily}}")
    args = p.parse_args(argv)
    config = yaml.safe_load(Path(args.config).read_text(encoding="utf-8")) if args.config else {}
    app = build_app(args.db, parse_faults((config or {}).get("faults"), f"{args.config}: faults"), (config or {}).get("limits"))
    print(json.dumps(base_urls(args.host, args.port)), flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", lifespan="off")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
