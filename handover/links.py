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
# Only what a browser needs from a work folder is served: never staging databases, backups or exports.
SERVED_FOLDERS = frozenset({"data_docs", "reports", "review"})
_SERVED_FILES = {"reports": (".html",), "review": (".csv",)}
_DOCS_FILES = (".html", ".json")


def docs_root() -> Path | None:
    """The folder the docs server serves, when one is configured."""
    if not os.environ.get(DOCS_URL_ENV, "").strip():
        return None
    root = os.environ.get(DOCS_ROOT_ENV, "").strip()
    return Path(root).resolve() if root else Path.cwd().resolve()


def servable(relative: Path) -> bool:
    """A path under the served root that the docs server hands out: a Data Docs page or result at any
    depth under data_docs/, a report directly in reports/, a review file directly in review/."""
    parts = relative.parts
    if len(parts) < 2 or ".." in parts or parts[-1].startswith("."):  # dotfiles: half-written temporary files
        return False
    suffix = Path(parts[-1]).suffix.lower()
    if parts[-2] in _SERVED_FILES:
        return suffix in _SERVED_FILES[parts[-2]]
    return "data_docs" in parts[:-1] and suffix in _DOCS_FILES


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
