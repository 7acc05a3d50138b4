"""`handover sandbox start [--port N] [--config FILE] | seed | stop | status`: the local stand-in for the SaaS CRMs.

`start` runs the server as a background process and prints each API's base URL and the tokens of tenants a (the
old CRM) and b (the new one); `seed` fills tenant a with records and both tenants with the same users; `stop` ends
the process it started (by the pid it wrote). State lives in .handover/sandbox/ (or --dir).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_DIR = Path(".handover") / "sandbox"
DEFAULT_PORT = 8765


class SandboxCommandError(Exception):
    """A user's mistake or a sandbox that is not there; printed without a traceback, exit code 2."""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("start", "seed", "stop", "status"))
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    p.add_argument("--dir", default=str(DEFAULT_DIR), help="folder for the database, pid and log (default .handover/sandbox)")
    p.add_argument("--config", help="YAML: faults: [{kind, api, path, after, times, retry_after, delay}], limits: {hubspot: {per_10s, daily}}")
    p.add_argument("--scale", type=float, default=1.0, help="seed: size relative to the default (5 owners, 30 companies, 150 contacts, ...)")


def _state(folder: Path) -> dict:
    path = folder / "sandbox.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _print_urls(port: int, out) -> None:
    from connectors.sandbox.seed import TOKENS
    from connectors.sandbox.server import base_urls

    for api, url in base_urls("127.0.0.1", port).items():
        tokens = ", ".join(f"tenant {t}: {TOKENS[(api, t)][0]}" for t in ("a", "b"))
        print(f"{api:<11} {url}   ({tokens})", file=out)
    print(f"connection URLs for specs (tenant a): http://:hs-a-token@127.0.0.1:{port} (HubSpot), http://:sf-a-token@127.0.0.1:{port} (Salesforce)", file=out)


def start(folder: Path, port: int, config: str | None) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    state = _state(folder)
    if state.get("pid") and _alive(state["pid"]):
        raise SandboxCommandError(f"a sandbox already runs (pid {state['pid']}, port {state['port']}); `handover sandbox stop --dir {folder}` first")
    if config and not Path(config).is_file():
        raise SandboxCommandError(f"{config}: sandbox config file not found")
    log = open(folder / "sandbox.log", "ab")
    command = [sys.executable, "-m", "connectors.sandbox.server", "--db", str(folder / "sandbox.db"), "--port", str(port)]
    if config:
        command += ["--config", str(Path(config).resolve())]
    process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
    import httpx

    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (folder / "sandbox.log").read_text(errors="replace")[-600:]
            raise SandboxCommandError(f"the sandbox did not start on port {port}:\n{tail}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=0.5).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.terminate()
        raise SandboxCommandError(f"the sandbox did not answer on port {port} within 15 s; see {folder / 'sandbox.log'}")
    (folder / "sandbox.json").write_text(json.dumps({"pid": process.pid, "port": port}))
    print(f"sandbox running (pid {process.pid}), database {folder / 'sandbox.db'}", file=sys.stdout)
    _print_urls(port, sys.stdout)
    return 0


def seed(folder: Path, scale: float) -> int:
    from connectors.sandbox.seed import Size, seed_all
    from connectors.sandbox.store import Store

    folder.mkdir(parents=True, exist_ok=True)
    store = Store(folder / "sandbox.db")
    try:
        store.reset()
        seeded = seed_all(store, Size.scaled(scale))
    finally:
        store.close()
    for api, tenants in seeded.items():
        counts = ", ".join(f"{obj} {len(ids)}" for obj, ids in tenants["a"].items())
        print(f"{api}: tenant a: {counts}; tenant b: users only", file=sys.stdout)
    return 0


def stop(folder: Path) -> int:
    state = _state(folder)
    pid = state.get("pid")
    if not pid or not _alive(pid):
        (folder / "sandbox.json").unlink(missing_ok=True)
        raise SandboxCommandError(f"no sandbox is running from {folder}")
    os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        if not _alive(pid):
            break
        time.sleep(0.1)
    (folder / "sandbox.json").unlink(missing_ok=True)
    print(f"sandbox stopped (pid {pid})", file=sys.stdout)
    return 0


def status(folder: Path) -> int:
    state = _state(folder)
    if state.get("pid") and _alive(state["pid"]):
        print(f"sandbox running (pid {state['pid']})", file=sys.stdout)
        _print_urls(state["port"], sys.stdout)
        return 0
    print("no sandbox running", file=sys.stdout)
    return 1


def sandbox_command(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if args.action == "start":
        return start(folder, args.port, args.config)
    if args.action == "seed":
        return seed(folder, args.scale)
    if args.action == "stop":
        return stop(folder)
    return status(folder)
