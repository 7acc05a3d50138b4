"""Data Docs pages that open offline: GX's renderer, stripped of remote assets, plus our own summary.

Every page is written twice: the latest at <docs>/<stage>/<entity>.html (a stable link), and a copy
kept per run at <docs>/history/<run>/<stage>/<entity>.html with an index of that run's pages. The
main index lists the latest pages, then every run by time, migration and outcome.
"""

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
HISTORY_DIR = "history"
STAGE_ORDER = {stage: i for i, stage in enumerate(("raw", "cleaned", "mapped", "loaded", "reconciled"))}
_RUN_STAMP = re.compile(r'<meta name="handover-run" content="([^"]*)">')
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)

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
        run=run_name(result.meta.get("handover", {}).get("run_time", ""), result.meta.get("handover", {}).get("run_label")),
    )
    status = "passed" if gate.success else "BROKEN GATE" if gate.broken else "FAILED"
    html = make_offline(gx_html, title=f"{title} - {status}", header=header, index_href=index_href)
    # Lets the history tell this page from an older one next to a newer result JSON (writes race).
    stamp = f'<meta name="handover-run" content="{escape(_stamp(result.meta.get("handover", {})))}">\n'
    return html.replace("</head>", stamp + "</head>", 1)


def _stamp(info: dict[str, Any]) -> str:
    return f"{info.get('run_time', '')} {info.get('run_label') or ''}".strip()


def run_name(run_time: str, run_label: str | None) -> str:
    """A run as a person reads it: '2025-05-01 10:22:03 UTC, run 1a2b3c4d' rather than a UUID."""
    when = _readable_time(run_time)
    if not run_label:
        return when or "-"
    label = run_label[:8] if _UUID.match(run_label) else run_label
    return f"{when}, run {label}" if when else f"run {label}"


def _readable_time(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso or "")
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


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
    """Keep a copy of each latest page in its run's folder, then write the run indexes and the main index."""
    docs_dir = Path(docs_dir)
    entries = _latest(docs_dir)
    for gate in results or []:
        entry = _index_entry(docs_dir, gate.result_json) or _entry_from_gate(docs_dir, gate)
        entries[Path(gate.docs_page).resolve()] = entry
    changed_runs = {folder for page, entry in entries.items() if (folder := _archive(docs_dir, page, entry))}
    runs = _runs(docs_dir)
    for run in runs:
        if run["folder"] in changed_runs or not (docs_dir / HISTORY_DIR / run["folder"] / INDEX_NAME).is_file():
            _write_index(docs_dir / HISTORY_DIR / run["folder"], run["entries"], runs=[],
                         heading=f"Run {run['name']}", up_href=f"../../{INDEX_NAME}")
    hrefs = {run["folder"]: run["href"] for run in runs}
    latest = sorted(entries.values(), key=_page_order)
    for entry in latest:
        entry["run_name"] = run_name(entry["run_time"], entry["run_label"]) if entry["run_time"] else ""
        entry["run_href"] = hrefs.get(entry.get("run_folder", ""), "")
    return _write_index(docs_dir, latest, runs=runs, heading="Handover data quality gates", up_href=None)


def latest_entries(docs_dir: Path) -> list[dict[str, Any]]:
    """The latest page of each gate: page, href (relative to docs_dir), title, success, evaluated, failed, rows."""
    return sorted(_latest(Path(docs_dir)).values(), key=_page_order)


def _page_order(entry: dict[str, Any]) -> tuple[int, str]:
    return STAGE_ORDER.get(entry["page"].split("/")[0], len(STAGE_ORDER)), entry["page"]


def _latest(docs_dir: Path) -> dict[Path, dict[str, Any]]:
    entries: dict[Path, dict[str, Any]] = {}
    for json_path in sorted(docs_dir.rglob("*.json")) if docs_dir.is_dir() else []:
        if json_path.relative_to(docs_dir).parts[0] == HISTORY_DIR:
            continue
        entry = _index_entry(docs_dir, json_path)
        if entry is not None:
            entries[json_path.with_suffix(".html").resolve()] = entry
    return entries


def _write_index(folder: Path, entries: list[dict[str, Any]], *, runs: list[dict[str, Any]], heading: str,
                 up_href: str | None) -> Path:
    html = _templates().get_template("index.html.j2").render(
        css=_static_text("docs.css"),
        heading=heading,
        up_href=up_href,
        entries=entries,
        failing=[e for e in entries if not e["success"]],
        runs=runs,
        written=_readable_time(datetime.now(timezone.utc).isoformat(timespec="seconds")),
    )
    assert_offline(html)
    index = folder / INDEX_NAME
    write_text_atomic(index, html)
    return index


def run_folder(run_label: str | None, run_time: str) -> str:
    """The history folder of one run: its label (Dagster's run id), or its time when it has none."""
    if run_label:
        return _UNSAFE.sub("-", run_label).strip("-.")[:80] or "run"
    try:
        stamp = datetime.fromisoformat(run_time).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    except (TypeError, ValueError):
        stamp = _UNSAFE.sub("", str(run_time)) or "unknown"
    return f"adhoc-{stamp}"


def history_page(docs_dir: Path, page_name: str, run_label: str | None, run_time: str) -> Path:
    return Path(docs_dir) / HISTORY_DIR / run_folder(run_label, run_time) / f"{page_name}.html"


def run_page(docs_dir: Path, gate: GateResult) -> Path:
    """The page kept for the run that produced `gate` (a link that stays true after later runs); else the latest."""
    try:
        info = json.loads(Path(gate.result_json).read_text(encoding="utf-8"))["meta"]["handover"]
        kept = history_page(docs_dir, info["page_name"], info.get("run_label"), info["run_time"])
    except (OSError, ValueError, KeyError, TypeError):
        return Path(gate.docs_page)
    return kept if kept.is_file() else Path(gate.docs_page)


def _archive(docs_dir: Path, page: Path, entry: dict[str, Any]) -> str | None:
    """Copy the latest page into its run's folder once; the folder's name when something was copied."""
    if not entry.get("run_time") or not page.is_file():
        return None
    folder = run_folder(entry.get("run_label"), entry["run_time"])
    entry["run_folder"] = folder
    target = docs_dir / HISTORY_DIR / folder / f"{entry['page']}.html"
    if _kept_time(target) == entry["run_time"]:
        return None  # kept already; a step retried in the same run replaces it
    html = page.read_text(encoding="utf-8")
    found = _RUN_STAMP.search(html)
    if not found or found.group(1) != str(escape(_stamp(entry))):
        return None  # the page is older or newer than its result JSON: another writer is mid-way
    write_text_atomic(target, html)
    kept = {key: entry[key] for key in _KEPT}
    kept["href"] = quote(entry["page"]) + ".html"
    write_text_atomic(target.with_suffix(".entry.json"), json.dumps(kept, ensure_ascii=False))
    return folder


def _kept_time(page: Path) -> str | None:
    try:
        return json.loads(page.with_suffix(".entry.json").read_text(encoding="utf-8"))["run_time"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


_KEPT = ("page", "title", "suite", "success", "evaluated", "failed", "rows", "run_label", "run_time", "run_at")


def _runs(docs_dir: Path) -> list[dict[str, Any]]:
    """Every kept run, newest first, with its pages."""
    runs = []
    history = docs_dir / HISTORY_DIR
    for folder in sorted(p for p in history.iterdir() if p.is_dir()) if history.is_dir() else []:
        entries = []
        for path in sorted(folder.rglob("*.entry.json")):
            try:
                entries.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                continue
        if not entries:
            continue
        entries.sort(key=_page_order)
        started = min(str(e["run_time"]) for e in entries)
        started_at = min(str(e.get("run_at") or e["run_time"]) for e in entries)
        failing = [e for e in entries if not e["success"]]
        migrations = sorted({str(e.get("title", "")).partition(": ")[0] for e in entries if ": " in str(e.get("title", ""))})
        runs.append({
            "folder": folder.name,
            "href": f"{HISTORY_DIR}/{quote(folder.name)}/{INDEX_NAME}",
            "name": run_name(started, entries[0].get("run_label")),
            "started": started_at,
            "migrations": ", ".join(migrations),
            "entries": entries,
            "failing": failing,
            "success": not failing,
        })
    runs.sort(key=lambda r: (r["started"], r["folder"]), reverse=True)
    return runs


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
            # to the microsecond, so runs a second apart still sort in order
            "run_at": (data.get("meta", {}).get("run_id") or {}).get("run_time") or info.get("run_time", ""),
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
        "run_at": "",
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
