"""backup: an immutable Parquet snapshot of raw with a sha256 manifest, taken before anything changes."""


import dagster as dg

from assets.common import key, shown, staging, staging_key
from assets.metadata import table_entries
from assets.raw import raw_metadata
from handover import audit
from handover.backup import snapshot_table, verify
from handover.crypto import spec_key
from handover.spec import MigrationSpec

DESCRIPTION = """Parquet snapshot of raw {entity} with a sha256 manifest, one folder per extraction (dlt load id).
Immutable; `handover restore` rebuilds raw from it; it doubles as the exit archive of the old CRM."""


def build(spec: MigrationSpec) -> list[dg.AssetsDefinition]:
    return [_backup_asset(spec, entity) for entity in spec.ordered_entities()]


def _backup_asset(spec: MigrationSpec, entity: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=key(spec, "backup", entity), deps=[key(spec, "raw", entity)], **shown(spec, "backup", entity),
        description=DESCRIPTION.format(entity=entity), required_resource_keys={staging_key(spec)}, kinds={"parquet"},
        check_specs=[dg.AssetCheckSpec("sha256_verified", asset=key(spec, "backup", entity), blocking=True,
                                       description="The snapshot file matches its manifest's sha256 and row count.")],
    )
    def backup(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        secret = spec_key(spec)
        with staging(context, spec) as con:
            load_id = con.execute(f'SELECT max(_dlt_load_id) FROM raw."{entity}"').fetchone()[0] or "unknown"
            snapshot = spec.work_dir / "backup" / str(load_id)
            entry = snapshot_table(con, "raw", entity, snapshot, spec.migration, key=secret)
            raw_rows = int(con.execute(f'SELECT count(*) FROM raw."{entity}"').fetchone()[0])
            shape = raw_metadata(con, spec, entity)  # the snapshot holds raw as it was: same columns, same rows
        verified = verify(snapshot, [entity], key=secret)[0]
        audit.append(spec.work_dir, "backup", entity, {"snapshot": snapshot.name, "rows": entry.rows, "sha256": entry.sha256,
                                                       "encrypted": secret is not None})
        parquet = snapshot / entry.file
        return dg.MaterializeResult(
            metadata={
                **shape, **table_entries(entry.rows, name=str(parquet)), "dagster/uri": dg.MetadataValue.path(str(parquet)),
                "snapshot": dg.MetadataValue.path(str(snapshot)), "rows": entry.rows, "sha256": entry.sha256, "bytes": entry.bytes,
                "encrypted": secret is not None,
            },
            check_results=[dg.AssetCheckResult(
                check_name="sha256_verified", passed=verified.sha256 == entry.sha256 and entry.rows == raw_rows,
                metadata={"raw_rows": raw_rows, "snapshot_rows": entry.rows},
            )],
        )

    return backup
