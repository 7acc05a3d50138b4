"""raw: what the old CRM delivered, untouched, loaded by dlt into DuckDB staging."""

import inspect
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import dlt
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData
from dagster_duckdb import DuckDBResource

from assets.common import key, read_raw, run_gate, shown, staging, staging_key
from assets.metadata import relation_metadata, table_name
from assets.resources import CrmConnection, source_key
from connectors.sources import open_source
from handover.crypto import CATALOG, connect_duckdb, copy_schema, spec_key
from handover.ports import DLT_ID, LOAD_ID, RAW_TEXT, raw_order_sql
from handover.spec import MigrationSpec

# Raw rows carry the load id they came in with, as DESIGN promises.
os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")

RAW_DESCRIPTION = """What {location} delivered, untouched: every value as text, plus its record key, provenance
(file and line where there are files) and dlt load id. Records the source could not parse are kept too, with the
reason (`_raw_error`) and their raw text; records the source reports deleted carry `_deleted`."""


class RawTranslator(DagsterDltTranslator):
    def __init__(self, spec: MigrationSpec):
        self.spec = spec
        self.locations = {s.name: s.location for s in open_source(spec).streams()}

    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        entity = data.resource.name
        shown_as = shown(self.spec, "raw", entity)
        return super().get_asset_spec(data).replace_attributes(
            key=key(self.spec, "raw", entity), deps=[], group_name=shown_as["group_name"], owners=shown_as["owners"],
            description=RAW_DESCRIPTION.format(location=self.locations.get(entity, entity)),
        ).merge_attributes(tags=shown_as["tags"], metadata=shown_as["metadata"])


def raw_pipeline(spec: MigrationSpec) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=f"handover_{spec.migration}_raw",
        destination=dlt.destinations.duckdb(str(spec.staging_path)),
        dataset_name="raw",
        pipelines_dir=str(spec.work_dir / "dlt"),
        progress="log" if os.environ.get("HANDOVER_DLT_PROGRESS") else None,
    )


@contextmanager
def encrypted_extraction(spec: MigrationSpec, key: str) -> Iterator[dlt.Pipeline]:
    """dlt cannot write into an encrypted DuckDB file: with a key it extracts into a scratch copy of raw (with dlt's state,
    so incremental cursors carry on) in a private temporary folder that also holds dlt's working files; raw is copied
    back into the encrypted staging and the folder deleted, so nothing stays in the clear in the work folder."""
    with tempfile.TemporaryDirectory(prefix="handover-raw-") as scratch:
        scratch_db = Path(scratch) / "extraction.duckdb"  # not raw.duckdb: its catalog would shadow the raw schema
        copy_schema(connect_duckdb(spec.staging_path, key, retries=10), CATALOG, scratch_db, "raw", into_scratch=True)
        yield dlt.pipeline(
            pipeline_name=f"handover_{spec.migration}_raw", destination=dlt.destinations.duckdb(str(scratch_db)),
            dataset_name="raw", pipelines_dir=str(Path(scratch) / "dlt"),
        )
        copy_schema(connect_duckdb(spec.staging_path, key, retries=10), CATALOG, scratch_db, "raw", into_scratch=False)


def build(spec: MigrationSpec) -> list:
    connection_param = source_key(spec)

    def run_extraction(context: dg.AssetExecutionContext, dlt: DagsterDltResource, **connections):
        source = open_source(spec, connections[connection_param].url)
        secret = spec_key(spec)
        if secret is None:
            results = list(dlt.run(context=context, dlt_source=source.dlt_source()))
        else:
            with encrypted_extraction(spec, secret) as pipeline:
                results = list(dlt.run(context=context, dlt_source=source.dlt_source(), dlt_pipeline=pipeline))
        read_as = source.describe()
        with staging(context, spec) as con:
            for result in results:
                entity = result.asset_key.path[-1]
                ours = {
                    **raw_metadata(con, spec, entity),
                    "read_as": dg.MetadataValue.md("\n".join(f"- {line.split(': ', 1)[-1]}" for line in read_as if line.startswith(f"{entity}: "))),
                }
                # Ours first: the UI lists metadata in order, and dlt's load details are long.
                yield dg.MaterializeResult(asset_key=result.asset_key, metadata={**ours, **{k: v for k, v in result.metadata.items() if k not in ours}})

    # The source's connection is a resource named per migration; Dagster injects resources by parameter name.
    run_extraction.__signature__ = inspect.Signature([  # type: ignore[attr-defined]
        inspect.Parameter("context", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=dg.AssetExecutionContext),
        inspect.Parameter("dlt", inspect.Parameter.KEYWORD_ONLY, annotation=DagsterDltResource),
        inspect.Parameter(connection_param, inspect.Parameter.KEYWORD_ONLY, annotation=CrmConnection),
        inspect.Parameter(staging_key(spec), inspect.Parameter.KEYWORD_ONLY, annotation=DuckDBResource),
    ])
    raw_assets = dlt_assets(
        dlt_source=open_source(spec).dlt_source(), dlt_pipeline=raw_pipeline(spec),
        name=f"{spec.migration}_raw", dagster_dlt_translator=RawTranslator(spec),
    )(run_extraction)
    checks = [_raw_check(spec, entity) for entity in spec.ordered_entities()]
    return [raw_assets, *checks]


def raw_metadata(con, spec: MigrationSpec, entity: str) -> dict:
    """Row count, columns and a preview of the raw table; the preview leaves out dlt's bookkeeping columns."""
    return relation_metadata(con, f'raw."{entity}"', name=table_name(spec, "raw", entity),
                             order=raw_order_sql(), hidden=(LOAD_ID, DLT_ID, RAW_TEXT))


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
