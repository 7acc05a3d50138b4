"""Links to the Data Docs, reports and review files that a browser can follow.

A page served over http (the Dagster UI) may not open a file:// URL, so when the docs server runs
(`make ui` sets HANDOVER_DOCS_URL and HANDOVER_DOCS_ROOT) every link is an http URL under it; without
it links are file URIs, which work from a terminal or a file manager. Links between our own pages
are relative, so a work folder can be zipped and mailed and its pages still find each other.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

DOCS_URL_ENV = "HANDOVER_DOCS_URL"
DOCS_ROOT_ENV = "HANDOVER_DOCS_ROOT"
# Only these folders of a work folder are served: staging databases and backups never are.
SERVED_FOLDERS = frozenset({"data_docs", "reports", "review"})


def docs_root() -> Path | None:
    """The folder the docs server serves, when one is configured."""
    if not os.environ.get(DOCS_URL_ENV, "").strip():
        return None
    root = os.environ.get(DOCS_ROOT_ENV, "").strip()
    return Path(root).resolve() if root else Path.cwd().resolve()


def servable(relative: Path) -> bool:
    """A path under the served root that the docs server hands out."""
    parts = relative.parts
    return (
        bool(parts)
        and ".." not in parts
        and not parts[-1].startswith(".")  # half-written temporary files
        and any(part in SERVED_FOLDERS for part in parts[:-1])
    )


def served_url(path: str | Path) -> str:
    """The http URL of `path` on the docs server when it is configured and serves it; else its file URI."""
    resolved = Path(path).resolve()
    root = docs_root()
    if root is not None:
        try:
            relative = resolved.relative_to(root)
        except ValueError:
            relative = None
        if relative is not None and servable(relative):
            base = os.environ[DOCS_URL_ENV].strip().rstrip("/")
            return f"{base}/{quote(relative.as_posix())}"
    return resolved.as_uri()


def relative_href(target: str | Path, from_dir: str | Path) -> str:
    """A relative link from a page in `from_dir` to `target`, percent-encoded for an href."""
    relative = os.path.relpath(Path(target).resolve(), Path(from_dir).resolve())
    return quote(Path(relative).as_posix())
