"""The approval gate of a production target: a blocking check on each entity's mapped stage, so the load after it
runs only when every required role approved exactly this data (`handover approve`)."""

import dagster as dg

from assets.common import key, staging, staging_key
from handover.approval import decide, fingerprint, load_approvals, mirror, required_roles
from handover.spec import MigrationSpec


def build(spec: MigrationSpec) -> list[dg.AssetChecksDefinition]:
    if not spec.target.production:
        return []
    return [_approval_check(spec, entity) for entity in spec.ordered_entities()]


def _approval_check(spec: MigrationSpec, entity: str) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=key(spec, "mapped", entity), name="approved", blocking=True, required_resource_keys={staging_key(spec)},
        description=f"The production target needs an approval of these mapped records by each of: {', '.join(required_roles(spec))}, "
                    "bound to their hash (`handover approve`); changed data needs a new approval.",
    )
    def approved(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
        with staging(context, spec) as con:
            now = fingerprint(con, spec)
            mirror(con, spec, now)
        decision = decide(spec, now, load_approvals(spec), [entity])
        return dg.AssetCheckResult(
            passed=decision.approved, severity=dg.AssetCheckSeverity.ERROR, description=decision.message[:1000],
            metadata={"data_hash": now.entities[entity], "records": now.counts[entity],
                      "approvals": dg.MetadataValue.json([{"approver": a.approver, "role": a.role, "time": a.time, "note": a.note}
                                                          for a in decision.approvals])},
        )

    return approved
