"""SQL text and server messages for the PostgreSQL target."""

from __future__ import annotations

import io

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from connectors.targets.postgres_crm.settings import EMAIL_PATTERN, NON_NEGATIVE, PERCENT, SQL_TYPES
from handover.spec import redact


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_sql(entity: str, field: str, kind: str) -> str:
    """A field's column: its type and the checks the CRM makes of it."""
    checks = []
    if kind == "email":
        checks.append(f"{quote(field)} ~ '{EMAIL_PATTERN}'")
    if field in NON_NEGATIVE.get(entity, ()):
        checks.append(f"{quote(field)} >= 0")
    if field in PERCENT.get(entity, ()):
        checks.append(f"{quote(field)} BETWEEN 0 AND 100")
    return f"{quote(field)} {SQL_TYPES.get(kind, 'varchar(255)')}" + "".join(f" CHECK ({c})" for c in checks)


def server_reason(exc: BaseException, password: str | None) -> str:
    """The server's message without secrets: its first line, plus the DETAIL where it names the offending key."""
    diag = getattr(exc, "diag", None)
    lines = str(exc).strip().splitlines()
    text = (diag.message_primary if diag is not None else None) or (lines[0] if lines else type(exc).__name__)
    detail = (diag.message_detail if diag is not None else None) or ""
    if detail.startswith("Key ("):
        text += f" ({detail})"
    text = redact(text)
    return text.replace(password, "***") if password else text


def csv_for_copy(rows: pd.DataFrame, columns: list[str]) -> bytes | None:
    """`rows` as CSV for `COPY ... (FORMAT csv)`, their positions first: written by Arrow, an empty string quoted and a
    null not. None where a column mixes Python types Arrow will not convert (the caller copies row by row)."""
    try:
        table = pa.Table.from_pandas(rows[columns], preserve_index=False)
        table = table.add_column(0, "_pos", pa.array(rows.index.to_numpy(), pa.int32()))
        buffer = io.BytesIO()
        pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False, quoting_style="needed"))
    except (pa.ArrowException, OverflowError):
        return None
    return buffer.getvalue()
