"""The reconciled stage: read the target back, compare it with what was mapped, and account for
every extracted row: extracted = loaded + merged + quarantined + rejected + excluded."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import duckdb
import pandas as pd

from handover.frames import comparable
from handover.ports import LOADED_STATUSES, RECORD_KEY

BUCKETS = ("loaded", "merged", "quarantined", "rejected", "excluded")


@dataclass
class Accounting:
    entity: str
    extracted: int
    loaded: int
    merged: int
    quarantined: int
    rejected: int
    excluded: int
    unaccounted: int  # extracted rows in no bucket
    double_counted: int  # rows in more than one bucket
    phantom: int  # bucket rows that match no extracted row

    @property
    def remainder(self) -> int:
        return self.extracted - sum(getattr(self, b) for b in BUCKETS)

    @property
    def balanced(self) -> bool:
        return self.remainder == 0 and self.unaccounted == 0 and self.double_counted == 0 and self.phantom == 0

    def row(self) -> dict:
        return asdict(self) | {"remainder": self.remainder, "balanced": self.balanced}


def _buckets_sql(entity_table: str) -> str:
    return f"""
        WITH extracted AS (
            SELECT DISTINCT {RECORD_KEY} AS row_key FROM raw."{entity_table}"
            -- what leads were converted into counts as extracted rows of the entity they became
            UNION SELECT to_row_key FROM ledger.conversions WHERE to_entity = $entity
        ),
        buckets AS (
            SELECT row_key, CASE WHEN status IN {LOADED_STATUSES} THEN 'loaded' ELSE 'rejected' END AS bucket
              FROM ledger.loads WHERE entity = $entity AND status IS NOT NULL
            UNION ALL SELECT DISTINCT row_key, 'quarantined' FROM ledger.quarantine WHERE entity = $entity
            UNION ALL SELECT row_key, 'merged' FROM ledger.lineage WHERE entity = $entity
            UNION ALL SELECT row_key, 'excluded' FROM ledger.excluded WHERE entity = $entity
        ),
        per_row AS (SELECT row_key, count(*) AS n FROM buckets GROUP BY row_key)
    """


def account(con: duckdb.DuckDBPyConnection, entity: str) -> Accounting:
    sql = _buckets_sql(entity) + """
        SELECT
          (SELECT count(*) FROM extracted),
          """ + ",\n".join(f"(SELECT count(*) FROM buckets WHERE bucket = '{b}')" for b in BUCKETS) + """,
          (SELECT count(*) FROM extracted e ANTI JOIN per_row p USING (row_key)),
          (SELECT count(*) FROM per_row WHERE n > 1),
          (SELECT count(*) FROM per_row p ANTI JOIN extracted e USING (row_key))
    """
    values = con.execute(sql, {"entity": entity}).fetchone()
    return Accounting(entity, *[int(v) for v in values])


def unaccounted_rows(con: duckdb.DuckDBPyConnection, entity: str) -> pd.DataFrame:
    """Row keys that break the invariant, with what is wrong, for the report and for debugging."""
    sql = _buckets_sql(entity) + """
        SELECT row_key, 'in no bucket' AS problem FROM extracted ANTI JOIN per_row USING (row_key)
        UNION ALL SELECT row_key, 'in ' || n || ' buckets' FROM per_row WHERE n > 1
        UNION ALL SELECT row_key, 'not extracted' FROM per_row ANTI JOIN extracted USING (row_key)
        ORDER BY row_key LIMIT 1000
    """
    return con.execute(sql, {"entity": entity}).df()


@dataclass
class Comparison:
    entity: str
    expected: int  # records the ledger says the target holds
    found: int
    missing: list[str] = field(default_factory=list)
    field_mismatches: dict[str, int] = field(default_factory=dict)
    samples: list[dict] = field(default_factory=list)
    not_in_this_run: int = 0  # target records from earlier runs whose source rows now land elsewhere

    @property
    def ok(self) -> bool:
        return not self.missing and not any(self.field_mismatches.values())


def compare(mapped: pd.DataFrame, ledger: pd.DataFrame, target: pd.DataFrame, types: dict[str, str]) -> Comparison:
    """Compare each loaded record's fields, owner and links with what the target holds."""
    loaded_ids = ledger.loc[ledger["status"].isin(LOADED_STATUSES), "external_id"]
    expected = mapped.loc[mapped["external_id"].isin(loaded_ids)].set_index("external_id")
    held = target.drop_duplicates("external_id").set_index("external_id")
    name = str(ledger["entity"].iloc[0]) if not ledger.empty else ""
    result = Comparison(name, len(expected), int(expected.index.isin(held.index).sum()))
    result.missing = sorted(set(expected.index) - set(held.index))
    result.not_in_this_run = int((~held.index.isin(mapped["external_id"])).sum())
    both = expected.index.intersection(held.index)
    columns = [c for c in expected.columns if c in held.columns and c not in ("row_key", "source_id", "content_hash", "owner_resolution")]
    for column in columns:
        kind = types.get(column, "string")
        left = comparable(expected.loc[both, column], kind)
        right = comparable(held.loc[both, column], kind)
        differs = ~((left == right) | (left.isna() & right.isna()))
        count = int(differs.sum())
        result.field_mismatches[column] = count
        for external in list(differs[differs].index[:3]):
            result.samples.append({"external_id": external, "field": column, "mapped": left[external], "target": right[external]})
    return result


def ids_to_read_back(con: duckdb.DuckDBPyConnection, entity: str, mapped: pd.DataFrame) -> list[str]:
    """Every external id the target may hold for this entity: this run's records, and any an earlier run loaded
    (merged or quarantined since), so stale records are found without scanning the target."""
    earlier = [r[0] for r in con.execute(
        "SELECT DISTINCT external_id FROM ledger.load_events WHERE entity = ? AND status IN ('created', 'updated')", [entity]).fetchall()]
    current = mapped["external_id"].tolist() if "external_id" in mapped else []
    return sorted(set(current) | set(earlier))


def links_to_merged(con: duckdb.DuckDBPyConnection, entity: str, links: dict[str, str]) -> dict[str, int]:
    """Per link: mapped records that still point at a record merged into another (must be zero)."""
    counts = {}
    for link, linked in links.items():
        counts[link] = int(con.execute(
            f'SELECT count(*) FROM mapped."{entity}" m JOIN ledger.lineage l ON m."{link}_external_id" = l.external_id '
            "WHERE l.entity = ? AND l.golden_external_id <> l.external_id", [linked],
        ).fetchone()[0])
    return counts


def merged_in_target(con: duckdb.DuckDBPyConnection, entity: str, held: pd.DataFrame) -> int:
    """Target records whose external id now belongs to a merged-away record (loaded by an earlier run)."""
    merged = {r[0] for r in con.execute(
        "SELECT external_id FROM ledger.lineage WHERE entity = ? AND golden_external_id <> external_id", [entity]).fetchall()}
    return int(held["external_id"].isin(merged).sum()) if not held.empty else 0
