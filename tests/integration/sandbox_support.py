"""Shared helpers for tests that run against the SaaS sandbox (connectors/sandbox)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from connectors.sandbox import RunningSandbox, Size, seed_all, serve_in_thread

SMALL = Size(owners=4, companies=12, contacts=130, deals=20, notes=25)  # 130 contacts: one company holds 110 of them


@contextmanager
def seeded_sandbox(folder: Path, size: Size = SMALL) -> Iterator[tuple[RunningSandbox, dict]]:
    with serve_in_thread(folder / "sandbox.db") as sandbox:
        yield sandbox, seed_all(sandbox.store, size)


def url(sandbox: RunningSandbox, token: str, **query: str) -> str:
    """A connection URL as a spec's environment variable holds it: the token as the password."""
    tail = "&".join(f"{k}={v}" for k, v in query.items())
    return f"http://:{token}@{sandbox.host}:{sandbox.port}" + (f"?{tail}" if tail else "")
