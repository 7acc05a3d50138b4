"""loaded: mapped records upserted into the target by external id, with a ledger of every outcome."""

import dagster as dg

from assets.common import counts_md, key, parents, read_stage, shown, staging, staging_key
from assets.metadata import relation_metadata, table_name
from assets.resources import target_key
from connectors.targets import open_target
from handover import audit
from handover.approval import ApprovalError, entity_hash, require
from handover.loading import load_entity
from handover.spec import MigrationSpec

DESCRIPTION = """{entity} records written to the target ({target}) by idempotent upsert on external id, checkpointed
per batch. `ledger.loads` holds, per record: content hash, target id, status (created, updated, unchanged,
rejected), the target's reason for a rejection and its version stamp; `ledger.load_events` keeps every attempt."""


def build(spec: MigrationSpec) -> list[dg.AssetsDefinition]:
    return [_loaded_asset(spec, entity) for entity in spec.ordered_entities()]


def _loaded_asset(spec: MigrationSpec, entity: str) -> dg.AssetsDefinition:
    asset_key = key(spec, "loaded", entity)

    @dg.asset(
        key=asset_key, **shown(spec, "loaded", entity), kinds={spec.target.type},
        deps=[key(spec, "mapped", entity)] + [key(spec, "loaded", e) for e in parents(spec, entity, owner=True)],
        description=DESCRIPTION.format(entity=entity, target=spec.target.type),
        required_resource_keys={staging_key(spec), target_key(spec)},
        check_specs=[dg.AssetCheckSpec("every_record_has_an_outcome", asset=asset_key, blocking=True,
                                       description="Each mapped record has exactly one ledger row with a status.")],
    )
    def loaded(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        with staging(context, spec) as con:
            try:
                decision = require(con, spec, entity)
            except ApprovalError as exc:
                audit.append(spec.work_dir, "load", entity, {"run_id": context.run_id, "refused": str(exc)})
                raise dg.Failure(description=f"ApprovalError: {exc}") from None
            data_hash, _ = entity_hash(con, entity)
            mapped = read_stage(con, "mapped", entity)
            target = open_target(spec, getattr(context.resources, target_key(spec)).url)
            try:
                ledger = load_entity(con, mapped, entity, spec, target, context.run_id,
                                     progress=lambda done, total: context.log.info(f"{entity}: {done}/{total} sent"))
            finally:
                target.close()
            # The entity's outcomes as a relation of their own: what the metadata describes, and a handy query.
            con.execute("CREATE SCHEMA IF NOT EXISTS loaded")
            con.execute(f"CREATE OR REPLACE VIEW loaded.\"{entity}\" AS SELECT * FROM ledger.loads WHERE entity = '{entity}'")
            shape = relation_metadata(con, f'loaded."{entity}"', name=table_name(spec, "loaded", entity), order="external_id")
        complete = bool(ledger["status"].notna().all()) and len(ledger) == len(mapped) and ledger["external_id"].is_unique
        statuses = ledger["status"].value_counts().to_dict()
        rejected = ledger[ledger["status"] == "rejected"]
        counts = {s: int(statuses.get(s, 0)) for s in ("created", "updated", "unchanged", "rejected")}
        audit.append(spec.work_dir, "load", entity, {"run_id": context.run_id, "target": spec.target.type, "counts": counts,
                                                     "data_hash": data_hash, "approvals": [a.approver + "/" + a.role for a in decision.approvals]})
        return dg.MaterializeResult(
            metadata={**shape, **counts, "data_hash": data_hash, "approval": decision.message,
                      "rejection_reasons": counts_md(rejected.assign(reason=rejected["error"].astype(str).str.split(":").str[0]), "reason")},
            check_results=[dg.AssetCheckResult(check_name="every_record_has_an_outcome", passed=complete,
                                               metadata={"mapped": len(mapped), "ledger_rows": len(ledger)})],
        )

    return loaded
