"""The reconciliation report: one self-contained HTML page a reviewer reads before approving a load."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import jinja2

from handover.reconcile import BUCKETS
from handover.spec import MigrationSpec
from handover.staging import ensure_ledger, table_exists

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ spec.migration }}: reconciliation report</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:2rem auto;max-width:1200px;color:#1d232a;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem} h2{margin-top:2rem;border-bottom:1px solid #d8dee4;padding-bottom:.3rem} h3{margin-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:13px} th,td{border:1px solid #d8dee4;padding:.25rem .55rem;text-align:left;vertical-align:top}
th{background:#f3f5f7} td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#116329;font-weight:600} .bad{color:#a40e26;font-weight:600} .muted{color:#57606a} code{background:#f3f5f7;padding:0 .2rem}
.banner{padding:.6rem 1rem;border-radius:6px;margin:1rem 0} .banner.ok{background:#dafbe1} .banner.bad{background:#ffebe9}
</style></head><body>
<h1>{{ spec.migration }}: reconciliation report</h1>
<p class="muted">{{ spec.description }}<br>Source: {{ spec.source.type }} <code>{{ spec.source_dir }}</code> &rarr; target: {{ spec.target.type }} <code>{{ spec.target_path }}</code><br>Generated {{ generated }}</p>
<div class="banner {{ 'ok' if all_ok else 'bad' }}">{% if all_ok %}Every extracted row is accounted for and the target matches what was mapped.{% else %}Reconciliation FAILED: see the rows marked below.{% endif %}</div>

<h2>Accounting</h2>
<p>Per entity: <b>extracted = loaded + merged + quarantined + rejected + excluded</b>, each source row in exactly one bucket.</p>
<table><tr><th>entity</th><th>extracted</th>{% for b in buckets %}<th>{{ b }}</th>{% endfor %}<th>remainder</th><th>status</th></tr>
{% for r in accounting %}<tr><td>{{ r.entity }}</td><td class="n">{{ r.extracted }}</td>{% for b in buckets %}<td class="n">{{ r[b] }}</td>{% endfor %}
<td class="n">{{ r.remainder }}</td><td class="{{ 'ok' if r.balanced else 'bad' }}">{{ 'balanced' if r.balanced else 'UNBALANCED (' ~ r.unaccounted ~ ' unaccounted, ' ~ r.double_counted ~ ' double-counted)' }}</td></tr>{% endfor %}
</table>

<h2>Target read back</h2>
<table><tr><th>entity</th><th>loaded per ledger</th><th>found in target</th><th>missing</th><th>fields that differ</th><th>status</th></tr>
{% for r in comparison %}<tr><td>{{ r.entity }}</td><td class="n">{{ r.expected }}</td><td class="n">{{ r.found }}</td><td class="n">{{ r.missing }}</td>
<td>{% for f, n in r.mismatches.items() if n %}{{ f }}: {{ n }}<br>{% else %}none{% endfor %}</td><td class="{{ 'ok' if r.ok else 'bad' }}">{{ 'matches' if r.ok else 'DIFFERS' }}</td></tr>{% endfor %}
</table>

{% for title, rows, note in sections %}<h2>{{ title }}</h2>{% if note %}<p class="muted">{{ note|safe }}</p>{% endif %}
{% if rows %}<table><tr>{% for c in rows[0].keys() %}<th>{{ c }}</th>{% endfor %}</tr>
{% for r in rows %}<tr>{% for v in r.values() %}<td{% if v is number %} class="n"{% endif %}>{{ v if v is not none else '' }}</td>{% endfor %}</tr>{% endfor %}</table>
{% else %}<p>None.</p>{% endif %}{% endfor %}

<h2>Expectations</h2>
<p>{% if docs_index %}Great Expectations Data Docs for every gated stage: <a href="{{ docs_index }}">{{ docs_index }}</a>{% else %}No Data Docs were written.{% endif %}</p>
<h2>Querying the buckets</h2>
<p>Every row of every bucket is in the staging database <code>{{ spec.staging_path }}</code>, schema <code>ledger</code>:
<code>quarantine</code>, <code>excluded</code>, <code>lineage</code> (merged), <code>loads</code> (loaded and rejected), plus <code>issues</code> (flagged values and
detached relationships) and <code>changes</code> (every value cleaning changed). For example:
<code>SELECT * FROM ledger.quarantine WHERE entity = 'contact'</code>.</p>
</body></html>
"""


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    frame = con.execute(sql, params or []).df()
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


def report_data(con: duckdb.DuckDBPyConnection, spec: MigrationSpec) -> dict:
    ensure_ledger(con)
    accounting = _query(con, "SELECT * FROM reconciled.accounting") if table_exists(con, "reconciled", "accounting") else []
    order = {e: i for i, e in enumerate(spec.ordered_entities())}
    accounting.sort(key=lambda r: order.get(r["entity"], 99))
    comparison = []
    if table_exists(con, "reconciled", "comparison"):
        for row in _query(con, "SELECT * FROM reconciled.comparison"):
            row["mismatches"] = json.loads(row["field_mismatches"] or "{}")
            comparison.append(row)
    comparison.sort(key=lambda r: order.get(r["entity"], 99))
    sections = [
        ("Quarantine: reasons", _query(con, "SELECT entity, stage, reason, field, count(DISTINCT row_key) AS rows FROM ledger.quarantine GROUP BY ALL ORDER BY entity, rows DESC"),
         "Rows that could not be used, with the reason; each is in <code>ledger.quarantine</code> with its file, line and raw values."),
        ("Quarantine: first rows", _query(con, "SELECT entity, source_file || ':' || source_line AS \"where\", source_id, field, reason, detail FROM ledger.quarantine ORDER BY entity, source_file, source_line LIMIT 60"), None),
        ("Rejected by the target", _query(con, "SELECT entity, split_part(error, ':', 1) AS reason, count(*) AS rows, min(error) AS example FROM ledger.loads WHERE status = 'rejected' GROUP BY ALL ORDER BY entity, rows DESC"), None),
        ("Merged duplicates", _query(con, "SELECT entity, rule, count(*) AS rows FROM ledger.lineage GROUP BY ALL ORDER BY entity, rows DESC"),
         "Rows merged into a golden record; <code>ledger.lineage</code> maps each merged id to its golden external id."),
        ("Excluded", _query(con, "SELECT entity, stage, reason, count(*) AS rows FROM ledger.excluded GROUP BY ALL ORDER BY entity, rows DESC"), None),
        ("Flagged values and detached relationships", _query(con, "SELECT entity, stage, field, code, count(*) AS rows FROM ledger.issues GROUP BY ALL ORDER BY entity, rows DESC"),
         "Loaded, but a value was invalid (kept in the record's <code>extras</code>) or a relationship pointed at a record that is not migrated."),
        ("Values changed by cleaning", _query(con, "SELECT entity, field, split_part(rule, ':', 1) AS rule, count(*) AS rows FROM ledger.changes GROUP BY ALL ORDER BY entity, rows DESC LIMIT 80"), None),
    ]
    owners = []
    for entity in spec.ordered_entities():
        if table_exists(con, "mapped", entity) and "owner_resolution" in con.execute(f'SELECT * FROM mapped."{entity}" LIMIT 0').df().columns:
            owners += _query(con, f"SELECT '{entity}' AS entity, owner_resolution, count(*) AS records FROM mapped.\"{entity}\" GROUP BY ALL ORDER BY records DESC")
    sections.insert(4, ("Owners (过户)", owners, "How each record's owner was resolved: <code>direct</code>, <code>successor</code> of a departed rep, or <code>fallback</code>."))
    docs_index = spec.work_dir / "data_docs" / "index.html"
    all_ok = bool(accounting) and all(r["balanced"] for r in accounting) and all(r["ok"] for r in comparison)
    return {"accounting": accounting, "comparison": comparison, "sections": sections, "all_ok": all_ok,
            "docs_index": docs_index.resolve().as_uri() if docs_index.exists() else None}


def write_report(con: duckdb.DuckDBPyConnection, spec: MigrationSpec) -> Path:
    data = report_data(con, spec)
    html = jinja2.Environment(autoescape=True).from_string(TEMPLATE).render(
        spec=spec, buckets=BUCKETS, generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), **data,
    )
    path = spec.work_dir / "reports" / "reconciliation.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
