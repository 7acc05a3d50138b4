"""reconciled: the target read back and compared with mapped; the accounting of every extracted row."""


import json

import dagster as dg
import pandas as pd

from assets.common import key, ledger_rows, read_stage, shown, staging, staging_key
from assets.metadata import frame_metadata, table_name
from assets.resources import target_key
from connectors.targets import open_target
from handover.loading import entity_schema
from handover.links import served_url
from handover.mapping import target_types
from handover.reconcile import account, compare, ids_to_read_back, links_to_merged, merged_in_target, unaccounted_rows
from handover.report import write_report
from handover.spec import MigrationSpec
from handover.staging import replace_table

DESCRIPTION = """The target read back for {entity}: every loaded record present, every field, owner and
relationship equal to what was mapped; and the accounting invariant
extracted = loaded + merged + quarantined + rejected + excluded, with no row in two buckets."""

REPORT_DESCRIPTION = """The reconciliation report (HTML, self-contained) over every entity, with the accounting
table, the reasons in each bucket and links to the Data Docs: what a reviewer reads before approving."""


def build(spec: MigrationSpec) -> list[dg.AssetsDefinition]:
    return [_reconciled_asset(spec, entity) for entity in spec.ordered_entities()] + [_report_asset(spec)]


def _replace_rows(con, table: str, entity: str, frame: pd.DataFrame) -> None:
    existing = read_stage(con, "reconciled", table)
    if not existing.empty:
        frame = pd.concat([existing[existing["entity"] != entity], frame], ignore_index=True)
    replace_table(con, "reconciled", table, frame)


def _reconciled_asset(spec: MigrationSpec, entity: str) -> dg.AssetsDefinition:
    asset_key = key(spec, "reconciled", entity)

    @dg.asset(
        key=asset_key, **shown(spec, "reconciled", entity), deps=[key(spec, "loaded", entity)], kinds={"duckdb"},
        description=DESCRIPTION.format(entity=entity), required_resource_keys={staging_key(spec), target_key(spec)},
        check_specs=[
            dg.AssetCheckSpec("accounting_balanced", asset=asset_key, blocking=True,
                              description="extracted = loaded + merged + quarantined + rejected + excluded, each row in exactly one bucket."),
            dg.AssetCheckSpec("target_matches_mapped", asset=asset_key, blocking=True,
                              description="Every loaded record is in the target with the mapped fields, owner and links."),
            dg.AssetCheckSpec("no_links_to_merged_records", asset=asset_key, blocking=True,
                              description="No relationship points at a record that was merged into a golden record."),
        ],
    )
    def reconciled(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        types = target_types(spec, entity)
        with staging(context, spec) as con:
            mapped = read_stage(con, "mapped", entity)
            loads = ledger_rows(con, "loads", entity)
            target = open_target(spec, getattr(context.resources, target_key(spec)).url)
            try:
                target.prepare(entity_schema(spec, entity))
                held = target.read_by_ids(entity, ids_to_read_back(con, entity, mapped))
            finally:
                target.close()
            comparison = compare(mapped, loads, held, types)
            accounting = account(con, entity)
            dangling = links_to_merged(con, entity, spec.links_of(entity))
            stale_merged = merged_in_target(con, entity, held)
            problems = unaccounted_rows(con, entity) if not accounting.balanced else pd.DataFrame(columns=["row_key", "problem"])
            _replace_rows(con, "accounting", entity, pd.DataFrame([accounting.row()]))
            _replace_rows(con, "comparison", entity, pd.DataFrame([{
                "entity": entity, "expected": comparison.expected, "found": comparison.found, "missing": len(comparison.missing),
                "field_mismatches": json.dumps(comparison.field_mismatches), "samples": json.dumps(comparison.samples, default=str),
                "not_in_this_run": comparison.not_in_this_run, "ok": comparison.ok,
            }]))
            _replace_rows(con, "unaccounted", entity, problems.assign(entity=entity))
        return dg.MaterializeResult(
            metadata={**frame_metadata(held, name=table_name(spec, "reconciled", entity)), **accounting.row(), "target_records": len(held)},
            check_results=[
                dg.AssetCheckResult(check_name="accounting_balanced", passed=accounting.balanced, metadata={
                    "remainder": accounting.remainder, "unaccounted": accounting.unaccounted,
                    "double_counted": accounting.double_counted, "phantom": accounting.phantom,
                }),
                dg.AssetCheckResult(check_name="target_matches_mapped", passed=comparison.ok, metadata={
                    "expected": comparison.expected, "found": comparison.found, "missing": len(comparison.missing),
                    "field_mismatches": dg.MetadataValue.json(comparison.field_mismatches),
                }),
                dg.AssetCheckResult(check_name="no_links_to_merged_records", passed=not any(dangling.values()), metadata={
                    "links_to_merged": dg.MetadataValue.json(dangling),
                    "merged_records_in_target_from_earlier_runs": stale_merged,
                }),
            ],
        )

    return reconciled


def _report_asset(spec: MigrationSpec) -> dg.AssetsDefinition:
    @dg.asset(
        key=dg.AssetKey([spec.migration, "reconciled", "report"]), **shown(spec, "reconciled"), kinds={"html"},
        deps=[key(spec, "reconciled", e) for e in spec.ordered_entities()], description=REPORT_DESCRIPTION,
        required_resource_keys={staging_key(spec)},
    )
    def report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        with staging(context, spec) as con:
            path = write_report(con, spec)
        return dg.MaterializeResult(metadata={"report": dg.MetadataValue.url(served_url(path)), "path": dg.MetadataValue.path(str(path))})

    return report
