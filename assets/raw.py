"""raw: what the old CRM's export delivered, untouched, loaded by dlt into DuckDB staging."""


import os

import dagster as dg
import dlt
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData

from assets.common import key, read_raw, run_gate, staging, staging_key
from connectors.sources.files import ExportTable, crm_files
from handover.spec import MigrationSpec, source_columns

# Raw rows carry the load id they came in with, as DESIGN promises.
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")

RAW_DESCRIPTION = """What {file} delivered, untouched: every value as text, plus its file, line and dlt load id.
Records the reader could not parse are kept too, with the reason (`_raw_error`) and their raw text."""


class RawTranslator(DagsterDltTranslator):
    def __init__(self, spec: MigrationSpec):
        self.spec = spec

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        entity = data.resource.name
        return super().get_asset_spec(data).replace_attributes(
            key=key(self.spec, "raw", entity), deps=[], group_name=self.spec.migration,
            description=RAW_DESCRIPTION.format(file=", ".join(self.spec.entities[entity].files)),
        )


def export_tables(spec: MigrationSpec) -> list[ExportTable]:
    return [
        ExportTable(
            name=name, files=tuple(entity.files), encoding=entity.encoding or spec.source.encoding, sheet=entity.sheet,
            columns=tuple(dict.fromkeys(source_columns(entity, name).values())),
        )
        for name, entity in spec.entities.items()
    ]


def raw_pipeline(spec: MigrationSpec) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=f"handover_{spec.migration}_raw",
        destination=dlt.destinations.duckdb(str(spec.staging_path)),
        dataset_name="raw",
        pipelines_dir=str(spec.work_dir / "dlt"),
        progress="log" if os.environ.get("HANDOVER_DLT_PROGRESS") else None,
    )


def build(spec: MigrationSpec) -> list:
    @dlt_assets(
        dlt_source=crm_files(str(spec.source_dir), export_tables(spec)),
        dlt_pipeline=raw_pipeline(spec),
        name=f"{spec.migration}_raw",
        dagster_dlt_translator=RawTranslator(spec),
    )
    def raw_assets(context: dg.AssetExecutionContext, dlt: DagsterDltResource):
        yield from dlt.run(context=context)

    checks = [_raw_check(spec, entity) for entity in spec.ordered_entities()]
    return [raw_assets, *checks]


def _raw_check(spec: MigrationSpec, entity: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=key(spec, "raw", entity), name="expectations", blocking=True,
        required_resource_keys={staging_key(spec)},
        description=f"Great Expectations suite expectations/raw/{entity}.json; a failure stops the stages after it.",
    )
    def check(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        with staging(context, spec) as con:
            frame = read_raw(con, spec, entity)
        return run_gate(spec, "raw", entity, frame, context.run.run_id)

    return check
