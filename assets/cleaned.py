"""cleaned: canonical entities; values normalised, invalid rows quarantined, duplicates merged."""


from pathlib import Path

import dagster as dg
import pandas as pd

from assets.common import counts_md, gate_spec, key, ledger_rows, parents, read_raw, read_stage, run_gate, shown, staging, staging_key
from assets.metadata import quarantine_sample, relation_metadata, table_name
from handover.crypto import spec_key
from handover.pii import pii_fields
from handover.cleaning.stage import LinkTarget, clean_entity, link_target
from handover.review import harvest
from handover.frames import apply_types
from handover.spec import MigrationSpec
from handover.staging import ledger_frame, replace_ledger_rows, replace_table

DESCRIPTION = """Canonical {entity} records from raw: text, emails, phones (E.164), dates and numbers normalised;
rows that cannot be used sent to `ledger.quarantine` with a reason code; exact duplicates merged into
golden records (`ledger.lineage`); every changed value logged in `ledger.changes`."""


def build(spec: MigrationSpec) -> list[dg.AssetsDefinition]:
    cleaned = [_cleaned_asset(spec, entity) for entity in spec.ordered_entities()]
    return cleaned + [_review_asset(spec, entity) for entity in spec.ordered_entities() if reviewed(spec, entity)]


REVIEW_DESCRIPTION = """Pairs of {entity} records the matcher is unsure of (probability between the spec's
review_between thresholds), side by side in {path}. Write match or no_match in the decision column;
the next run merges or keeps them apart accordingly and remembers the decision."""


def _review_asset(spec: MigrationSpec, entity: str) -> dg.AssetsDefinition:
    from handover.review import read_decisions, write_queue

    queue_path, store = review_paths(spec, entity)

    @dg.asset(
        key=dg.AssetKey([spec.migration, "review", entity]), **shown(spec, "review", entity), kinds={"csv"},
        deps=[key(spec, "cleaned", entity)], required_resource_keys={staging_key(spec)},
        description=REVIEW_DESCRIPTION.format(entity=entity, path=queue_path),
    )
    def review(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        with staging(context, spec) as con:
            pairs = ledger_rows(con, "review", entity)
            records = read_stage(con, "cleaned", entity)
        fields = list(spec.entities[entity].field_specs(entity))
        queue = write_queue(pairs, records, fields, queue_path, read_decisions(store), masked=pii_fields(spec), key=spec_key(spec))
        return dg.MaterializeResult(metadata={
            "pending": len(queue), "queue": dg.MetadataValue.path(str(queue_path)), "decisions": dg.MetadataValue.path(str(store)),
        })

    return review


def reviewed(spec: MigrationSpec, entity: str) -> bool:
    dedup = spec.entities[entity].dedup
    return dedup is not None and dedup.probabilistic is not None


def review_paths(spec: MigrationSpec, entity: str) -> tuple[Path, Path]:
    """(the queue a reviewer edits, the durable decisions file)."""
    dedup = spec.entities[entity].dedup
    queue = spec.work_dir / "review" / f"{entity}.csv"
    store = spec.resolve(dedup.decisions) if dedup and dedup.decisions else spec.work_dir / "review" / f"{entity}.decisions.csv"
    return queue, store


def fill_lookups(con, spec: MigrationSpec, entity: str) -> dict:
    """What fill rules may look up: the cleaned accounts' names by web domain (for contacts)."""
    if entity != "contact" or not spec.entities[entity].fill:
        return {}
    accounts = read_stage(con, "cleaned", "account")
    if accounts.empty or "name" not in accounts:
        return {}
    from handover.cleaning.normalize import url_domain

    domains = accounts["domain"] if "domain" in accounts else url_domain(accounts["website"]) if "website" in accounts else None
    if domains is None:
        return {}
    return {"accounts": pd.DataFrame({"domain": domains, "name": accounts["name"]}).dropna()}


def link_targets(con, spec: MigrationSpec, entity: str) -> dict[str, LinkTarget]:
    """What each link (and an owner column matched by name or e-mail, as `owner`) resolves against."""
    links = spec.links_of(entity)
    if not isinstance(spec.entities[entity].owner, (str, type(None))) and "owner" in spec.entities:
        links["owner"] = "owner"
    targets = {}
    for link, linked in links.items():
        records = read_stage(con, "cleaned", linked)
        if records.empty:
            targets[link] = LinkTarget()
            continue
        types = {f: s.type for f, s in spec.entities[linked].field_specs(linked).items()}
        targets[link] = link_target(records, ledger_rows(con, "lineage", linked), ledger_rows(con, "quarantine", linked),
                                    ledger_rows(con, "excluded", linked), types, ledger_rows(con, "aliases", linked))
    return targets


def converted_into(con, spec: MigrationSpec, entity: str) -> pd.DataFrame | None:
    """ledger.conversions rows of leads this run converts into `entity` (None when no lead converts into it)."""
    leads = [lead for lead in spec.entities if entity in spec.converts_into(lead)]
    if not leads:
        return None
    rows = ledger_rows(con, "conversions", leads[0])
    return rows.loc[rows["to_entity"] == entity].reset_index(drop=True)


def _cleaned_asset(spec: MigrationSpec, entity: str) -> dg.AssetsDefinition:
    linked = parents(spec, entity, owner=False)
    field_types = {f: s.type for f, s in spec.entities[entity].field_specs(entity).items()} | spec.entities[entity].derived_fields(entity)

    @dg.asset(
        key=key(spec, "cleaned", entity), **shown(spec, "cleaned", entity), kinds={"duckdb"},
        deps=[key(spec, "backup", entity)] + [key(spec, "cleaned", e) for e in linked],
        description=DESCRIPTION.format(entity=entity), required_resource_keys={staging_key(spec)},
        check_specs=[gate_spec(spec, "cleaned", entity)],
    )
    def cleaned(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        with staging(context, spec) as con:
            raw = read_raw(con, spec, entity)
            decisions = harvest(*review_paths(spec, entity)) if reviewed(spec, entity) else None
            result = clean_entity(raw, entity, spec, link_targets(con, spec, entity), decisions, fill_lookups(con, spec, entity),
                                  converted_into(con, spec, entity))
            replace_ledger_rows(con, "conflicts", entity, ledger_frame("conflicts", result.conflicts))
            replace_ledger_rows(con, "aliases", entity, ledger_frame("aliases", result.aliases))
            if spec.converts_into(entity):
                replace_ledger_rows(con, "conversions", entity, ledger_frame("conversions", result.conversions))
            replace_ledger_rows(con, "review", entity, ledger_frame("review", result.review))
            replace_ledger_rows(con, "dedup_guards", entity, ledger_frame("dedup_guards", result.guards))
            replace_table(con, "cleaned", entity, apply_types(result.records, field_types))
            replace_ledger_rows(con, "quarantine", entity, ledger_frame("quarantine", result.quarantine), stage="cleaned")
            replace_ledger_rows(con, "excluded", entity, ledger_frame("excluded", result.excluded), stage="cleaned")
            replace_ledger_rows(con, "issues", entity, ledger_frame("issues", result.issues), stage="cleaned")
            replace_ledger_rows(con, "lineage", entity, ledger_frame("lineage", result.lineage))
            replace_ledger_rows(con, "changes", entity, ledger_frame("changes", result.changes))
            stored = read_stage(con, "cleaned", entity)
            shape = relation_metadata(con, f'cleaned."{entity}"', name=table_name(spec, "cleaned", entity))
        check = run_gate(spec, "cleaned", entity, stored, context.run_id)
        return dg.MaterializeResult(
            metadata={
                **shape, "quarantine_sample": quarantine_sample(result.quarantine, spec, entity),
                "raw_rows": len(raw), "records": len(result.records), "quarantined": len(result.quarantine),
                "merged": len(result.lineage), "pairs_to_review": len(result.review), "excluded": len(result.excluded), "values_changed": len(result.changes),
                "quarantine_reasons": counts_md(result.quarantine, "reason"), "flagged_values": counts_md(result.issues, "code"),
            },
            check_results=[check],
        )

    return cleaned
