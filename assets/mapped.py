"""mapped: records shaped for the target: field names, picklist values, owners, links by external id."""


import dagster as dg

from assets.common import counts_md, gate_spec, key, ledger_rows, parents, read_stage, run_gate, shown, staging, staging_key
from assets.metadata import relation_metadata, table_name
from handover.mapping import OwnerDirectory, map_entity
from handover.spec import MigrationSpec
from handover.staging import ledger_frame, replace_ledger_rows, replace_table

DESCRIPTION = """{entity} records shaped for the target: target field names, picklist values mapped (values
without a mapping quarantined), owners resolved (departed reps' records to their successor or the
fallback, see `owner_resolution`), relationships as external ids, and a content hash per record."""


def build(spec: MigrationSpec) -> list[dg.AssetsDefinition]:
    return [_mapped_asset(spec, entity) for entity in spec.ordered_entities()]


def _mapped_asset(spec: MigrationSpec, entity: str) -> dg.AssetsDefinition:
    links = spec.entities[entity].links
    deps = [key(spec, "cleaned", entity)] + [key(spec, "mapped", e) for e in parents(spec, entity, owner=False)]
    if "owner" in spec.entities and entity != "owner":
        deps.append(key(spec, "cleaned", "owner"))

    @dg.asset(
        key=key(spec, "mapped", entity), **shown(spec, "mapped", entity), deps=deps, kinds={"duckdb"},
        description=DESCRIPTION.format(entity=entity), required_resource_keys={staging_key(spec)},
        check_specs=[gate_spec(spec, "mapped", entity)],
    )
    def mapped(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        with staging(context, spec) as con:
            cleaned = read_stage(con, "cleaned", entity)
            owners = None
            if "owner" in spec.entities:
                owners = OwnerDirectory.from_cleaned(read_stage(con, "cleaned", "owner"), ledger_rows(con, "lineage", "owner"))
            available = {link: set(read_stage(con, "mapped", spec.linked(entity, link)).get("external_id", [])) for link in links}
            result = map_entity(cleaned, entity, spec, owners, available)
            replace_table(con, "mapped", entity, result.records)
            replace_ledger_rows(con, "quarantine", entity, ledger_frame("quarantine", result.quarantine), stage="mapped")
            replace_ledger_rows(con, "excluded", entity, ledger_frame("excluded", result.excluded), stage="mapped")
            replace_ledger_rows(con, "issues", entity, ledger_frame("issues", result.issues), stage="mapped")
            stored = read_stage(con, "mapped", entity)
            shape = relation_metadata(con, f'mapped."{entity}"', name=table_name(spec, "mapped", entity))
        check = run_gate(spec, "mapped", entity, stored, context.run_id)
        metadata = {
            **shape,
            "records": len(result.records), "quarantined": len(result.quarantine), "excluded": len(result.excluded),
            "quarantine_reasons": counts_md(result.quarantine, "reason"),
        }
        if "owner_resolution" in result.records:
            metadata["owner_resolution"] = counts_md(result.records, "owner_resolution")
        return dg.MaterializeResult(metadata=metadata, check_results=[check])

    return mapped
