"""The reconciliation report: one self-contained HTML page a reviewer reads, prints and signs before a load.

It holds the accounting of every extracted row (a chart and a table per entity), who handed which
records to whom, the refused rows with their values, the fields that differ in the target, the
duplicate review queue, the approvals and the gates. Nothing is loaded from elsewhere: styles and the
chart (SVG) are inline, and links to the Data Docs and review files are relative, so the work folder
can be zipped and mailed.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import jinja2

from handover.gates_docs import STAGE_ORDER, assert_offline, latest_entries
from handover.crypto import spec_key
from handover.links import relative_href
from handover.pii import mask_report
from handover.reconcile import BUCKETS
from handover.report import sections
from handover.report.chart import COLOURS, accounting_chart
from handover.spec import MigrationSpec
from handover.staging import ensure_ledger, table_exists

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
REPORT_NAME = "reconciliation.html"
ROWS_PER_ENTITY = 50  # refused rows shown per entity; the rest are counted and queryable in staging
REVIEW_SAMPLE = 10


def report_path(spec: MigrationSpec) -> Path:
    return spec.work_dir / "reports" / REPORT_NAME


def report_data(con: duckdb.DuckDBPyConnection, spec: MigrationSpec, *, rows_per_entity: int = ROWS_PER_ENTITY,
                partial: str | None = None) -> dict[str, Any]:
    """`partial`: why the run stopped, for the report of a run that did not finish (shown first, in red)."""
    ensure_ledger(con)
    report_dir = report_path(spec).parent
    order = {e: i for i, e in enumerate(spec.ordered_entities())}
    accounting = sections.query(con, "SELECT * FROM reconciled.accounting") if table_exists(con, "reconciled", "accounting") else []
    accounting.sort(key=lambda r: order.get(r["entity"], 99))
    comparison = sections.differences(con, order)
    entities = spec.ordered_entities()
    quarantine = [q for q in (sections.quarantine(con, spec, e, rows_per_entity) for e in entities) if q["total"]]
    rejected = [r for r in (sections.rejected(con, e, rows_per_entity) for e in entities) if r["total"]]
    docs_dir = spec.work_dir / "data_docs"
    gates = sorted(latest_entries(docs_dir), key=lambda g: (
        STAGE_ORDER.get(g["page"].split("/")[0], len(STAGE_ORDER)), order.get(g["page"].split("/")[-1], len(order)), g["page"]))
    docs_prefix = relative_href(docs_dir, report_dir)
    for gate in gates:
        gate["link"] = f"{docs_prefix}/{gate['href']}"
    all_ok = not partial and bool(accounting) and all(r["balanced"] for r in accounting) and all(r["ok"] for r in comparison)
    return mask_report({
        "accounting": accounting,
        "chart": accounting_chart(accounting),
        "comparison": comparison,
        "owners": sections.owner_handover(con, spec),
        "quarantine": quarantine,
        "rejected": rejected,
        "review": sections.review_queue(con, spec, report_dir, REVIEW_SAMPLE),
        "approvals": sections.approvals(con),
        "merged": sections.query(con, "SELECT entity, rule, count(*) AS rows FROM ledger.lineage GROUP BY ALL ORDER BY entity, rows DESC"),
        "excluded": sections.query(con, "SELECT entity, stage, reason, count(*) AS rows FROM ledger.excluded GROUP BY ALL ORDER BY entity, rows DESC"),
        "flagged": sections.query(con, "SELECT entity, stage, field, code, count(*) AS rows FROM ledger.issues GROUP BY ALL ORDER BY entity, rows DESC"),
        "changed": sections.query(con, """SELECT entity, field, split_part(rule, ':', 1) AS rule, count(*) AS rows FROM ledger.changes
                                          GROUP BY ALL ORDER BY entity, rows DESC LIMIT 80"""),
        "gates": gates,
        "failing_gates": [g for g in gates if not g["success"]],
        "docs_index": f"{docs_prefix}/index.html" if (docs_dir / "index.html").is_file() else None,
        "all_ok": all_ok,
        "rows_per_entity": rows_per_entity,
        "partial": partial,
    }, spec, spec_key(spec))


def render_report(con: duckdb.DuckDBPyConnection, spec: MigrationSpec, **options: Any) -> str:
    data = report_data(con, spec, **options)
    html = _templates().get_template("report.html.j2").render(
        spec=spec, buckets=BUCKETS, colours=COLOURS, css=(STATIC_DIR / "report.css").read_text(encoding="utf-8"),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), **data,
    )
    assert_offline(html)
    return html


def write_report(con: duckdb.DuckDBPyConnection, spec: MigrationSpec, **options: Any) -> Path:
    path = report_path(spec)
    html = render_report(con, spec, **options)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(STATIC_DIR), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
