"""Data Docs pages that open offline: GX's renderer, stripped of remote assets, plus our own summary."""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jinja2
from markupsafe import escape

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )

    from handover.gates import GateResult

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
INDEX_NAME = "index.html"

_flags = re.S | re.I
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", _flags)
_STYLE = re.compile(r"<style\b[^>]*>.*?</style\s*>", _flags)
_FOOTER = re.compile(r"<footer\b[^>]*>.*?</footer\s*>", _flags)
_TITLE = re.compile(r"<title\b[^>]*>.*?</title\s*>", _flags)
_LINK_OR_IMG = re.compile(r"<(?:link|img|base)\b[^>]*>", _flags)
_TAG = re.compile(r"<[a-z][^>]*>", _flags)  # text is escaped by the renderers, so "<x" is markup
_URL_ATTR = re.compile(r"""\s(href|src|srcset|action|poster)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", _flags)
_CSS_URL = re.compile(r"""url\(\s*['"]?\s*(?:[a-z]+:)?//[^)]*\)""", _flags)
_GX_HOME = re.compile(r"(?:\.\./)*index\.html")
_FALLBACK = (
    '<!DOCTYPE html><html><head><meta charset="UTF-8"></head>'
    '<body><p class="ho-details-title ho-error">'
    "Great Expectations could not render its details: {problem}</p></body></html>"
)
_REMOTE_REF = re.compile(
    r"""<[a-z][^>]*?\s(?:href|src|srcset|action|poster)\s*=\s*["']?\s*(?:[a-z]+:)?//""", _flags
)


def render_page(
    result: ExpectationSuiteValidationResult, gate: GateResult, *, title: str, page_name: str
) -> str:
    index_href = "../" * page_name.count("/") + INDEX_NAME
    try:
        gx_html = _gx_view().render(_gx_renderer().render(result))
    except Exception as exc:  # GX's page is a bonus; our summary must still be written
        logger.warning("GX could not render %s: %s", page_name, exc, exc_info=True)
        gx_html = _FALLBACK.format(problem=escape(" ".join(str(exc).split())))
    header = _templates().get_template("page_header.html.j2").render(
        title=title,
        gate=gate,
        info=result.meta.get("handover", {}),
        rows=_summary_rows(result, gate),
        index_href=index_href,
    )
    status = "passed" if gate.success else "BROKEN GATE" if gate.broken else "FAILED"
    return make_offline(gx_html, title=f"{title} - {status}", header=header, index_href=index_href)


def make_offline(html: str, *, title: str, header: str, index_href: str) -> str:
    """Remove everything GX loads from the internet; inline our stylesheet and script instead."""
    for pattern in (_SCRIPT, _STYLE, _FOOTER, _TITLE, _LINK_OR_IMG):
        html = pattern.sub("", html)
    html = _TAG.sub(lambda tag: _local_tag(tag.group(0), index_href), html)
    head = (
        f"<title>{escape(title)}</title>\n"
        f"<style>{_static_text('docs.css')}</style>\n<script>{_static_text('docs.js')}</script>\n"
    )
    html = html.replace("</head>", head + "</head>", 1)
    html = re.sub(r"<body\b[^>]*>", lambda m: m.group(0) + header, html, count=1, flags=re.I)
    assert_offline(html)
    return html


def assert_offline(html: str) -> None:
    found = _REMOTE_REF.search(html)
    if found:
        raise RuntimeError(f"Data Docs page still references a remote URL near {found.group(0)!r}")


def _local_tag(tag: str, index_href: str) -> str:
    tag = _URL_ATTR.sub(lambda attr: _local_attr(attr, index_href), tag)
    return _CSS_URL.sub("none", tag)


def _local_attr(match: re.Match[str], index_href: str) -> str:
    value = match.group(2).strip("\"'").strip()
    if value.startswith("#"):
        return match.group(0)
    if match.group(1).lower() == "href" and _GX_HOME.fullmatch(value):
        return f' href="{index_href}"'
    return ""  # remote, or a GX site page (suite, static image) that we do not write


def raised_message(exception_info: dict[str, Any] | None) -> str | None:
    """GX stores one exception record, or one per failed metric keyed by metric id."""
    info = exception_info or {}
    records = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    for record in records:
        if record.get("raised_exception"):
            message = " ".join(str(record.get("exception_message") or "").split())
            return message.removeprefix("Error: ") or "exception while computing metrics"
    return None


@dataclass(frozen=True)
class _Row:
    outcome: Any
    kwargs: str
    observed: str | None
    values: list[str]
    error: str | None
    vacuous: str | None


def _summary_rows(result: ExpectationSuiteValidationResult, gate: GateResult) -> list[_Row]:
    rows = []
    for outcome, evr in zip(gate.outcomes, result.results, strict=True):
        kwargs = {k: v for k, v in evr.expectation_config.kwargs.items() if k != "batch_id"}
        observed = (evr.result or {}).get("observed_value")
        rows.append(
            _Row(
                outcome=outcome,
                kwargs=_show(kwargs),
                observed=None if observed is None else _show(observed),
                values=list(dict.fromkeys(_show(v) for v in outcome.partial_unexpected)),
                error=raised_message(evr.exception_info),
                vacuous=(evr.meta or {}).get("handover"),
            )
        )
    return rows


def _show(value: Any, limit: int = 300) -> str:
    if isinstance(value, str):
        text = value if value else '""'
    elif isinstance(value, float) and value != value:  # NaN is how pandas reports a missing value
        text = "null"
    else:
        text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"  # a value_set can be huge


def write_docs_index(docs_dir: Path, results: list[GateResult] | None = None) -> Path:
    docs_dir = Path(docs_dir)
    entries: dict[Path, dict[str, Any]] = {}
    for json_path in sorted(docs_dir.rglob("*.json")):
        entry = _index_entry(docs_dir, json_path)
        if entry is not None:
            entries[json_path.with_suffix(".html").resolve()] = entry
    for gate in results or []:
        entry = _index_entry(docs_dir, gate.result_json) or _entry_from_gate(docs_dir, gate)
        entries[Path(gate.docs_page).resolve()] = entry
    ordered = sorted(entries.values(), key=lambda e: e["page"])
    html = _templates().get_template("index.html.j2").render(
        css=_static_text("docs.css"),
        entries=ordered,
        failing=[e for e in ordered if not e["success"]],
        written=datetime.now(timezone.utc).isoformat(timespec="seconds"),
    )
    assert_offline(html)
    index = docs_dir / INDEX_NAME
    write_text_atomic(index, html)
    return index


def _index_entry(docs_dir: Path, json_path: Path) -> dict[str, Any] | None:
    """A validation result written by run_suite; other JSON files in docs_dir are not pages."""
    page = json_path.with_suffix(".html")
    if json_path.name.startswith(".") or not page.is_file():
        return None
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
        stats = data["statistics"]
        info = data.get("meta", {}).get("handover", {})
        return {
            "page": info.get("page_name") or _relative(docs_dir, page).removesuffix(".html"),
            "href": quote(_relative(docs_dir, page)),
            "title": info.get("title", ""),
            "suite": data["suite_name"],
            "success": bool(data["success"]),
            "evaluated": stats["evaluated_expectations"],
            "failed": stats["unsuccessful_expectations"],
            "rows": info.get("rows", ""),
            "run_label": info.get("run_label") or "",
            "run_time": info.get("run_time", ""),
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _entry_from_gate(docs_dir: Path, gate: GateResult) -> dict[str, Any]:
    relative = _relative(docs_dir, Path(gate.docs_page))
    return {
        "page": relative.removesuffix(".html"),
        "href": quote(relative),
        "title": "",
        "suite": gate.suite,
        "success": gate.success,
        "evaluated": gate.evaluated,
        "failed": gate.failed,
        "rows": "",
        "run_label": "",
        "run_time": "",
    }


def _relative(docs_dir: Path, path: Path) -> str:
    return Path(os.path.relpath(path.resolve(), docs_dir.resolve())).as_posix()


def write_text_atomic(path: Path, text: str) -> None:
    """Readers (a browser, the Dagster UI) never see half a file; concurrent writers never collide."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@lru_cache(maxsize=None)
def _static_text(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(STATIC_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=1)
def _gx_renderer() -> Any:
    from great_expectations.render.renderer import ValidationResultsPageRenderer

    return ValidationResultsPageRenderer()


@lru_cache(maxsize=1)
def _gx_view() -> Any:
    from great_expectations.render.view import DefaultJinjaPageView

    return DefaultJinjaPageView()
