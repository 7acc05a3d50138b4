"""What the report shows, read from staging: each function returns plain rows for the template."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from handover.spec import MigrationSpec
from handover.staging import table_exists

VALUE_LIMIT = 120  # characters of one value shown; the full value is in staging


def query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    frame = con.execute(sql, params or []).df()
    frame = frame.astype(object).where(frame.notna(), None)
    return frame.to_dict("records")


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    if not table_exists(con, schema, table):
        return []
    return [r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, table]).fetchall()]


def shorten(value: Any, limit: int = VALUE_LIMIT) -> str:
    if value is None:
        return ""
    text = json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, (dict, list, tuple)) else str(value)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}\u2026 ({len(text)} characters)"


def show_value(value: Any) -> str:
    """A value as a reviewer should see it: an empty string is visible as such."""
    if value is None:
        return "(missing)"
    if isinstance(value, str) and not value.strip():
        return "(empty)"
    return shorten(value)


def source_column(spec: MigrationSpec, entity: str, field: str | None) -> str | None:
    """The source column a canonical field (or link, id, owner) is read from."""
    if not field or entity not in spec.entities:
        return None
    entity_spec = spec.entities[entity]
    specs = entity_spec.field_specs(entity)
    if field in specs:
        return specs[field].from_
    if field in entity_spec.links:
        return ", ".join(c for s in entity_spec.link_specs()[field] for c in s.columns)
    if field in ("id", "source_id"):
        return entity_spec.id
    if field in ("owner", "owner_id") and entity_spec.owner:
        return entity_spec.owner_column
    return None


def raw_values(text: str | None) -> dict[str, Any]:
    try:
        values = json.loads(text) if text else {}
    except ValueError:
        return {}
    return values if isinstance(values, dict) else {}


def quarantine(con: duckdb.DuckDBPyConnection, spec: MigrationSpec, entity: str, limit: int) -> dict[str, Any]:
    """One line per quarantined source row (what accounting counts), each problem with the value refused."""
    total = con.execute("SELECT count(DISTINCT row_key) FROM ledger.quarantine WHERE entity = ?", [entity]).fetchone()[0]
    keys = query(con, """
        SELECT row_key, min(source_file) AS source_file, min(source_line) AS source_line, min(source_id) AS source_id
        FROM ledger.quarantine WHERE entity = ? GROUP BY row_key
        ORDER BY source_file, source_line, row_key LIMIT ?""", [entity, limit])
    problems = query(con, """
        SELECT row_key, stage, field, reason, detail, raw FROM ledger.quarantine
        WHERE entity = ? AND row_key IN (SELECT unnest(?::VARCHAR[])) ORDER BY stage, field""",
        [entity, [k["row_key"] for k in keys]]) if keys else []
    by_key: dict[str, list[dict[str, Any]]] = {}
    for problem in problems:
        by_key.setdefault(problem["row_key"], []).append(problem)
    rows = []
    for key in keys:
        found = by_key.get(key["row_key"], [])
        raw = next((raw_values(p["raw"]) for p in found if p["raw"]), {})
        shown = []
        for p in found:
            column = source_column(spec, entity, p["field"])
            shown.append({
                "stage": p["stage"], "field": p["field"] or "", "reason": p["reason"] or "", "detail": p["detail"] or "",
                "column": column or "", "value": show_value(raw.get(column)) if column and column in raw else "",
            })
        where = f"{key['source_file']}:{key['source_line']}" if key["source_file"] else key["row_key"]
        rows.append({"where": where, "source_id": key["source_id"] or "", "problems": shown,
                     "record": "; ".join(f"{k}={shorten(v, 60)}" for k, v in raw.items() if v not in (None, ""))})
    reasons = query(con, """SELECT reason, count(DISTINCT row_key) AS rows FROM ledger.quarantine WHERE entity = ?
                            GROUP BY reason ORDER BY rows DESC, reason""", [entity])
    return {"entity": entity, "total": int(total), "rows": rows, "reasons": reasons}


def rejected(con: duckdb.DuckDBPyConnection, entity: str, limit: int) -> dict[str, Any]:
    """Records the target refused, with the target's error and the values that were sent."""
    total = con.execute("SELECT count(*) FROM ledger.loads WHERE entity = ? AND status = 'rejected'", [entity]).fetchone()[0]
    rows = query(con, """SELECT external_id, row_key, error FROM ledger.loads WHERE entity = ? AND status = 'rejected'
                         ORDER BY regexp_extract(row_key, '^(.*):', 1), TRY_CAST(regexp_extract(row_key, ':([0-9]+)$', 1) AS BIGINT),
                                  row_key, external_id LIMIT ?""", [entity, limit])
    sent: dict[str, dict[str, Any]] = {}
    mapped_columns = columns(con, "mapped", entity)
    if rows and mapped_columns:
        shown = "".join(f', "{c}"' for c in mapped_columns if c not in ("external_id", "row_key", "content_hash", "owner_resolution"))
        frame = con.execute(
            f'SELECT external_id{shown} FROM mapped."{entity}" WHERE external_id IN (SELECT unnest(?::VARCHAR[]))',
            [[r["external_id"] for r in rows]]).df()
        frame = frame.astype(object).where(frame.notna(), None)
        sent = {r.pop("external_id"): r for r in frame.to_dict("records")}
    for row in rows:
        values = sent.get(row["external_id"], {})
        row["values"] = [(k, shorten(v)) for k, v in values.items() if v is not None]
    return {"entity": entity, "total": int(total), "rows": rows}


def differences(con: duckdb.DuckDBPyConnection, order: dict[str, int]) -> list[dict[str, Any]]:
    """Per entity: records missing from the target, and each field that differs, with examples."""
    if not table_exists(con, "reconciled", "comparison"):
        return []
    result = []
    for row in query(con, "SELECT * FROM reconciled.comparison"):
        mismatches = json.loads(row.get("field_mismatches") or "{}")
        samples = json.loads(row.get("samples") or "[]")
        fields = []
        for field, count in mismatches.items():
            examples = [s for s in samples if s.get("field") == field]
            fields.append({"field": field, "count": int(count), "examples": [
                {"external_id": s.get("external_id"), "mapped": show_value(s.get("mapped")), "target": show_value(s.get("target"))}
                for s in examples]})
        result.append({
            "entity": row["entity"], "expected": row["expected"], "found": row["found"], "missing": row["missing"],
            "ok": bool(row["ok"]), "fields": fields, "differing": [f for f in fields if f["count"]],
        })
    result.sort(key=lambda r: order.get(r["entity"], 99))
    return result


def owner_handover(con: duckdb.DuckDBPyConnection, spec: MigrationSpec) -> dict[str, Any]:
    """Who handed what to whom: per (old owner, new owner) the records reassigned, per entity."""
    entities = [e for e in spec.ordered_entities()
                if {"owner_resolution", "owner_external_id", "row_key"} <= set(columns(con, "mapped", e))
                and "owner_source_id" in columns(con, "cleaned", e)]
    resolved: dict[str, dict[str, int]] = {}
    parts = []
    for entity in entities:
        for row in query(con, f'SELECT owner_resolution AS resolution, count(*) AS records FROM mapped."{entity}" GROUP BY ALL'):
            resolved.setdefault(str(row["resolution"]), {})[entity] = int(row["records"])
        parts.append(con.execute(f"""
            SELECT '{entity}' AS entity, c.owner_source_id AS old_id, m.owner_resolution AS resolution,
                   m.owner_external_id AS new_external_id, count(*) AS records
            FROM mapped."{entity}" m JOIN cleaned."{entity}" c USING (row_key)
            WHERE m.owner_resolution IS DISTINCT FROM 'direct' GROUP BY ALL""").df())
    moved = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    owners = _owner_directory(con)
    handovers = []
    if not moved.empty:
        moved["old_id"] = moved["old_id"].astype(object).where(moved["old_id"].notna(), None)
        moved["new_external_id"] = moved["new_external_id"].astype(object).where(moved["new_external_id"].notna(), None)
        groups = moved.groupby(["old_id", "resolution", "new_external_id"], dropna=False, sort=False)
        for (old_id, resolution, new_external_id), group in groups:
            old_id = None if pd.isna(old_id) else old_id
            new_external_id = None if pd.isna(new_external_id) else new_external_id
            counts = dict(zip(group["entity"], group["records"].astype(int)))
            handovers.append({
                "old": _old_owner(owners, old_id, str(resolution)),
                "new": owners["by_external"].get(new_external_id, {"name": "(none)", "source_id": new_external_id or "", "email": ""}),
                "resolution": str(resolution),
                "counts": [counts.get(e, 0) for e in entities],
                "total": int(sum(counts.values())),
            })
    handovers.sort(key=lambda h: (h["old"]["status"] != "departed", -h["total"], h["old"]["source_id"] or ""))
    resolutions = sorted(resolved, key=lambda r: (r != "direct", r != "successor", r))
    summary = [{"resolution": r, "counts": [resolved[r].get(e, 0) for e in entities]} for r in resolutions]
    return {"entities": entities, "handovers": handovers, "summary": summary,
            "totals": [sum(h["counts"][i] for h in handovers) for i in range(len(entities))]}


def _owner_directory(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, Any]]:
    wanted = [c for c in ("source_id", "external_id", "name", "email", "active") if c in columns(con, "cleaned", "owner")]
    by_source: dict[str, dict[str, Any]] = {}
    by_external: dict[str, dict[str, Any]] = {}
    if {"source_id", "external_id"} <= set(wanted):
        for row in query(con, f'SELECT {", ".join(wanted)} FROM cleaned.owner'):
            owner = {"name": row.get("name") or "", "email": row.get("email") or "", "source_id": row["source_id"],
                     "active": row.get("active") is not False}
            by_source[row["source_id"]] = owner
            by_external[row["external_id"]] = owner
        # an owner merged into another is found under the golden record
        for row in query(con, "SELECT source_id, golden_external_id FROM ledger.lineage WHERE entity = 'owner'"):
            if row["source_id"] not in by_source and row["golden_external_id"] in by_external:
                by_source[row["source_id"]] = by_external[row["golden_external_id"]]
    return {"by_source": by_source, "by_external": by_external}


def _old_owner(owners: dict[str, dict[str, Any]], old_id: str | None, resolution: str) -> dict[str, Any]:
    if old_id is None:
        return {"name": "(no owner)", "email": "", "source_id": "", "status": "no owner in the source"}
    known = owners["by_source"].get(old_id)
    if known is None:
        return {"name": "(unknown)", "email": "", "source_id": old_id, "status": "not in the owner export"}
    status = "departed" if not known["active"] else ("reassigned" if resolution != "direct" else "active")
    return {**known, "source_id": old_id, "status": status}


def review_queue(con: duckdb.DuckDBPyConnection, spec: MigrationSpec, report_dir: Path, limit: int) -> list[dict[str, Any]]:
    """Pairs the matcher was unsure of: candidates, decisions taken, and what still waits in the queue file."""
    from handover.links import relative_href
    from handover.review import read_decisions

    candidates = {r["entity"]: r for r in query(con, """SELECT entity, count(*) AS pairs, min(probability) AS low,
                                                       max(probability) AS high FROM ledger.review GROUP BY entity""")}
    guards = guard_effects(con)
    result = []
    for entity in spec.ordered_entities():
        dedup = spec.entities[entity].dedup
        probabilistic = dedup is not None and dedup.probabilistic is not None
        queue = spec.work_dir / "review" / f"{entity}.csv"
        store = spec.resolve(dedup.decisions) if dedup and dedup.decisions else spec.work_dir / "review" / f"{entity}.decisions.csv"
        if not (probabilistic or entity in candidates or queue.exists() or entity in guards):
            continue
        pending = pd.read_csv(queue, dtype=str, keep_default_na=False, encoding="utf-8-sig") if queue.exists() else pd.DataFrame()
        try:
            decided = read_decisions(store)
        except Exception as exc:  # a broken decisions file is reported, not fatal to the report
            decided, problem = pd.DataFrame(columns=["decision"]), str(exc)
        else:
            problem = ""
        shown_fields = [c.removeprefix("left_") for c in pending.columns
                        if c.startswith("left_") and c != "left_id" and f"right_{c.removeprefix('left_')}" in pending.columns][:4]
        sample = [{
            "probability": r.get("probability", ""), "left_id": r.get("left_id", ""), "right_id": r.get("right_id", ""),
            "fields": [(f, show_value(r.get(f"left_{f}")), show_value(r.get(f"right_{f}"))) for f in shown_fields],
        } for r in pending.head(limit).to_dict("records")]
        stats = candidates.get(entity, {})
        result.append({
            "entity": entity, "pairs": int(stats.get("pairs") or 0), "low": stats.get("low"), "high": stats.get("high"),
            "pending": len(pending), "matches": int((decided["decision"] == "match").sum()),
            "no_matches": int((decided["decision"] == "no_match").sum()), "problem": problem,
            "queue": relative_href(queue, report_dir) if queue.exists() else "", "queue_name": f"review/{queue.name}",
            "sample": sample, "fields": shown_fields, "guards": guards.get(entity, []),
        })
    return result


def guard_effects(con: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """Per entity, each dedup guard: on or off, what it held back (ledger.dedup_guards), what it does."""
    from handover.dedup.guards import GUARDS

    out: dict[str, list[dict[str, Any]]] = {}
    if not columns(con, "ledger", "dedup_guards"):
        return out
    for row in query(con, "SELECT entity, guard, enabled, held, unit FROM ledger.dedup_guards ORDER BY entity, guard"):
        out.setdefault(row["entity"], []).append({**row, "what": GUARDS.get(row["guard"], "")})
    return out


def approvals(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Approvals of the load, once the approval feature records them in ledger.approvals."""
    names = columns(con, "ledger", "approvals")
    if not names:
        return {"columns": [], "rows": []}
    newest = next((c for c in ("approved_at", "decided_at", "created_at", "at") if c in names), None)
    rows = query(con, "SELECT * FROM ledger.approvals" + (f' ORDER BY "{newest}" DESC' if newest else ""))
    return {"columns": names, "rows": [[shorten(r[c]) for c in names] for r in rows]}
