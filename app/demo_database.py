"""`handover demo-data --to <database URL>`: a SuiteCRM database to migrate from, on a MariaDB/MySQL or PostgreSQL server."""

from __future__ import annotations

from connectors.sources.sql.helpers import engine_url, server
from handover.ports import SourceError
from handover.spec import redact


class DemoDatabaseError(Exception):
    """The database cannot be created or filled; the message names the server and database, never a password."""


def seed_database(url: str, scale: float, seed: int) -> str:
    """Create the SuiteCRM sample database at `url` and fill it; returns a one-line summary."""
    from sampledata.suitecrm import SeedError, generate, seed as seed_rows

    try:
        parsed = engine_url(url)
    except SourceError as exc:
        raise DemoDatabaseError(str(exc))
    except Exception as exc:
        raise DemoDatabaseError(f"{redact(url)} is not a database URL: {exc}")
    if not parsed.database:
        raise DemoDatabaseError(f"{redact(url)}: name the database to create, e.g. mysql://root@127.0.0.1:3306/suitecrm")
    data = generate(scale=scale, seed=seed)
    try:
        seed_rows(parsed, data)
    except SeedError as exc:
        raise DemoDatabaseError(str(exc))
    counts = data.counts()
    main = ("users", "accounts", "contacts", "leads", "opportunities", "calls", "meetings", "notes")
    return f"filled SuiteCRM database on {server(parsed)}: " + ", ".join(f"{t} {counts.get(t, 0)}" for t in main)
