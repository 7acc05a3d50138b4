"""The metadata Dagster users expect on a stage asset: row count, column schema, table name and a preview.

Counted and described in DuckDB, so a stage of a million rows costs one count and one DESCRIBE here, and
the preview reads ten rows. Values in a preview are cut short and stripped of what would break a Markdown
table (pipes, line breaks); they are the migration's own data, shown where the data engineer works.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
import pandas as pd

from assets.resources import staging_key, target_key
from handover.naming import column_key
from handover.report.sections import raw_values, show_value, source_column
from handover.spec import MigrationSpec

PREVIEW_ROWS = 10
CELL_CHARS = 40
SAMPLE_ROWS = 10


TABLE_STAGES = ("raw", "cleaned", "mapped", "loaded", "reconciled")


def table_name(spec: MigrationSpec, stage: str, entity: str) -> str:
    """Where a stage asset's rows live, as database.schema.table: a table (a view for loaded) in the migration's
    staging database, named like its resource; reconciled is what the target holds. Unique per migration,
    since Dagster links assets that share a table name."""
    if stage == "reconciled":
        return f"{target_key(spec)}.{entity}"
    return f"{staging_key(spec)}.{stage}.{entity}"


def cell(value: object, limit: int = CELL_CHARS) -> str:
    """One value as Markdown table text: empty for nulls, one line, no bare pipe or tag, at most `limit` characters."""
    try:
        if value is None or bool(pd.isna(value)):
            return ""
    except (TypeError, ValueError):  # a list or array: pd.isna answers per element
        pass
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")


def markdown_table(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    columns = list(columns if columns is not None else frame.columns)
    if not columns:
        return "(no columns)"
    lines = ["| " + " | ".join(cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame[columns].itertuples(index=False, name=None)]
    return "\n".join(lines)


def preview_md(frame: pd.DataFrame, total: int, rows: int = PREVIEW_ROWS) -> str:
    """The first `rows` rows as a Markdown table, with how many of the total they are."""
    if frame.empty:
        return f"no rows (0 of {total})"
    shown = frame.head(rows)
    return f"{len(shown)} of {total} rows\n\n" + markdown_table(shown)


def relation_metadata(con, relation: str, *, name: str, where: str = "", params: Sequence = (), order: str = "",
                      hidden: Sequence[str] = ()) -> dict:
    """row_count, column_schema, table_name and a preview of `relation` (a DuckDB table or query), optionally
    filtered by `where` (SQL after WHERE, with `params`). `hidden` columns are left out of the preview only."""
    condition = f" WHERE {where}" if where else ""
    total = int(con.execute(f"SELECT count(*) FROM {relation}{condition}", list(params)).fetchone()[0])
    described = con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    schema = dg.TableSchema(columns=[
        dg.TableColumn(name=column, type=kind, constraints=dg.TableColumnConstraints(nullable=null != "NO"))
        for column, kind, null, *_ in described
    ])
    ordering = f" ORDER BY {order}" if order else ""
    head = con.execute(f"SELECT * FROM {relation}{condition}{ordering} LIMIT {PREVIEW_ROWS}", list(params)).df()
    head = head[[c for c in head.columns if c not in set(hidden)]]
    return {**table_entries(total, schema, name), "preview": dg.MetadataValue.md(preview_md(head, total))}


def table_entries(rows: int, schema: dg.TableSchema | None = None, name: str | None = None) -> dict:
    """Dagster's own table keys (the UI shows them as the asset's row count, columns and table)."""
    entries: dict = {"dagster/row_count": dg.MetadataValue.int(rows)}
    if schema is not None:
        entries["dagster/column_schema"] = dg.MetadataValue.table_schema(schema)
    if name is not None:
        entries["dagster/table_name"] = dg.MetadataValue.text(name)
    return entries


def frame_metadata(frame: pd.DataFrame, *, name: str | None = None) -> dict:
    """The same metadata for a frame held in memory (what a stage read back from the target)."""
    schema = dg.TableSchema(columns=[dg.TableColumn(name=str(c), type=str(t)) for c, t in frame.dtypes.items()])
    return {**table_entries(len(frame), schema, name), "preview": dg.MetadataValue.md(preview_md(frame, len(frame)))}


def quarantine_sample(quarantine: pd.DataFrame, spec: MigrationSpec, entity: str, rows: int = SAMPLE_ROWS) -> dg.MetadataValue:
    """Quarantined rows a data engineer can look up: where each came from (file:line), the field, the reason and
    the value refused, with "n of m shown"."""
    if quarantine.empty:
        return dg.MetadataValue.md("nothing quarantined")
    sample = quarantine.head(rows)
    table = []
    for row in sample.itertuples(index=False):
        record = raw_values(row.raw)
        column = source_column(spec, entity, row.field)
        found = next((c for c in ((column, column_key(column)) if column else ()) if c in record), None)
        line = "" if pd.isna(row.source_line) else f":{int(row.source_line)}"
        table.append({
            "where": f"{row.source_file}{line}" if isinstance(row.source_file, str) else row.row_key,
            "source_id": row.source_id, "field": row.field, "reason": row.reason, "detail": row.detail,
            "value": show_value(record[found]) if found else "",
        })
    shown = pd.DataFrame(table)
    heading = f"{len(shown)} of {len(quarantine)} problems shown, on {quarantine['row_key'].nunique()} quarantined rows"
    return dg.MetadataValue.md(heading + "\n\n" + markdown_table(shown))
