"""Materialise the whole demo migration on a small generated export, the way the UI or a schedule would."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dlt import DagsterDltResource

from assets.resources import migration_resources
from connectors.targets.duckdb_crm.settings import table_of
from handover.reconcile import BUCKETS
from handover.spec import MigrationSpec, load_spec
from pipelines.definitions import build_definitions
from tests.conftest import ROOT, write_spec

pytestmark = pytest.mark.slow


def materialize(spec: MigrationSpec) -> dg.ExecuteInProcessResult:
    defs = build_definitions([spec])
    return dg.materialize(
        [*defs.assets, *defs.asset_checks],
        resources={"dlt": DagsterDltResource(), **migration_resources(spec)},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def target_snapshot(spec: MigrationSpec) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(spec.target_path), read_only=True)
    try:
        return {table_of(e): con.execute(f"SELECT * FROM {table_of(e)} ORDER BY external_id").fetchall() for e in spec.ordered_entities()}
    finally:
        con.close()


def materialized_keys(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory, small_export: Path) -> tuple[MigrationSpec, dg.ExecuteInProcessResult, dict]:
    spec = load_spec(write_spec(tmp_path_factory.mktemp("e2e"), small_export))
    result = materialize(spec)
    return spec, result, target_snapshot(spec)


def test_every_asset_materialises_and_every_check_passes(migrated) -> None:
    spec, result, _ = migrated
    assert result.success
    stage_keys = {f"demo/{stage}/{entity}" for stage in ("raw", "backup", "cleaned", "mapped", "loaded", "reconciled") for entity in spec.ordered_entities()}
    assert stage_keys | {"demo/reconciled/report", "demo/review/account"} <= materialized_keys(result)
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) >= 35
    failed = [(e.asset_key.to_user_string(), e.check_name, e.metadata) for e in evaluations if not e.passed]
    assert failed == []


def test_accounting_invariant_holds_for_every_entity(migrated) -> None:
    spec, _, _ = migrated
    con = duckdb.connect(str(spec.staging_path), read_only=True)
    rows = con.execute("SELECT * FROM reconciled.accounting").df().set_index("entity")
    raw_counts = {e: con.execute(f'SELECT count(*) FROM raw."{e}"').fetchone()[0] for e in spec.ordered_entities()}
    con.close()
    assert set(rows.index) == set(spec.ordered_entities())
    for entity, row in rows.iterrows():
        assert row["extracted"] == raw_counts[entity]
        assert row["extracted"] == sum(row[b] for b in BUCKETS), entity
        assert row["balanced"] and row["unaccounted"] == 0 and row["double_counted"] == 0
    # The dirt the generator injects lands in the right buckets.
    assert rows.loc["contact", "merged"] > 0 and rows.loc["contact", "quarantined"] > 0
    assert rows.loc["owner", "excluded"] == 5  # departed reps are not carried over
    assert rows.loc["activity", "rejected"] >= 1  # subjects longer than the target allows


def test_injected_dirt_is_accounted_for_where_the_truth_says(migrated, small_export: Path) -> None:
    spec, _, _ = migrated
    truth = json.loads((small_export.parent / f"{small_export.name}.truth.json").read_text())
    con = duckdb.connect(str(spec.staging_path), read_only=True)
    quarantined = {(f, int(line)) for f, line in con.execute("SELECT source_file, source_line FROM ledger.quarantine").fetchall()}
    for broken in truth["broken_lines"] + truth["undecodable_lines"]:
        assert (broken["file"], broken["line"]) in quarantined, broken
    rejected = {r[0] for r in con.execute("SELECT external_id FROM ledger.loads WHERE status = 'rejected'").fetchall()}
    for activity_id in truth["long_subjects"]:
        assert f"legacycrm:activity:{activity_id}" in rejected
    con.close()


def test_target_has_no_duplicates_and_departed_owners_own_nothing(migrated) -> None:
    spec, _, snapshot = migrated
    con = duckdb.connect(str(spec.target_path), read_only=True)
    for table in map(table_of, spec.ordered_entities()):
        total, distinct = con.execute(f"SELECT count(*), count(DISTINCT external_id) FROM {table}").fetchone()
        assert total == distinct > 0, table
    dup_emails = con.execute("SELECT email, count(*) FROM contacts WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1").fetchall()
    assert dup_emails == []
    departed = con.execute("SELECT count(*) FROM users WHERE active = false").fetchone()[0]
    assert departed == 0
    orphans = con.execute("SELECT count(*) FROM contacts c LEFT JOIN accounts a ON a.id = c.account_id WHERE c.account_id IS NOT NULL AND a.id IS NULL").fetchone()[0]
    assert orphans == 0
    unowned = con.execute("SELECT count(*) FROM contacts c LEFT JOIN users u ON u.id = c.owner_id WHERE u.id IS NULL").fetchone()[0]
    assert unowned == 0
    con.close()


def test_second_run_changes_nothing_in_the_target(migrated) -> None:
    spec, _, before = migrated
    again = materialize(spec)
    assert again.success
    assert target_snapshot(spec) == before
    con = duckdb.connect(str(spec.staging_path), read_only=True)
    statuses = dict(con.execute("SELECT status, count(*) FROM ledger.loads GROUP BY status").fetchall())
    con.close()
    assert set(statuses) <= {"unchanged", "rejected"}
    assert statuses["unchanged"] > 0


def test_failing_gate_stops_the_stages_after_it(tmp_path: Path, small_export: Path) -> None:
    suites = tmp_path / "expectations"
    shutil.copytree(ROOT / "expectations", suites)
    impossible = {"name": "cleaned.contact", "expectations": [
        {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 0, "max_value": 1}, "meta": {"notes": "fails on purpose"}},
    ]}
    (suites / "cleaned").mkdir(exist_ok=True)  # a hand-written suite adds to the generated one
    (suites / "cleaned" / "contact.json").write_text(json.dumps(impossible))
    spec = load_spec(write_spec(tmp_path, small_export, gates={"expectations": str(suites)}))
    result = materialize(spec)
    done = materialized_keys(result)
    assert "demo/cleaned/contact" in done  # the data is written; the gate then blocks what follows
    for blocked in ("demo/mapped/contact", "demo/loaded/contact", "demo/reconciled/contact", "demo/cleaned/deal", "demo/loaded/activity"):
        assert blocked not in done, blocked
    assert "demo/loaded/account" in done  # branches that do not depend on contacts go on
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [(e.asset_key.to_user_string(), e.check_name) for e in failed] == [("demo/cleaned/contact", "expectations")]
    docs = Path(failed[0].metadata["data_docs_path"].value)
    assert docs.exists() and "expect_table_row_count_to_be_between" in docs.read_text(encoding="utf-8")
    first_key, first = next(iter(failed[0].metadata.items()))
    assert first_key == "summary"
    assert first.value.startswith("expect_table_row_count_to_be_between: observed ") and "cleaned/contact.json expectations[0]" in first.value
    assert failed[0].metadata["status"].value == "failed"

    # the failed step raised an alert, in the gate's own words, with its Data Docs page
    alerts = [json.loads(line) for line in (spec.work_dir / "alerts" / "failures.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [a["step"] for a in alerts] == [failed[0].asset_key.to_python_identifier()], alerts
    assert alerts[0]["run_id"] == result.run_id and alerts[0]["migration"] == "demo"
    assert alerts[0]["message"].startswith("demo/cleaned/contact expectations: expect_table_row_count_to_be_between")
    assert alerts[0]["failed_gates"][0]["data_docs"].endswith("/cleaned/contact.html")


def test_merges_agree_with_the_generators_truth(migrated, small_export: Path) -> None:
    """Pairwise precision and recall of the contact merges against the duplicates the generator injected."""
    spec, _, _ = migrated
    truth = json.loads((small_export.parent / f"{small_export.name}.truth.json").read_text())
    original_of = {duplicate: original for original, duplicate, _kind in truth["contact_duplicates"]}
    con = duckdb.connect(str(spec.staging_path), read_only=True)
    merged = con.execute("SELECT source_id, golden_external_id FROM ledger.lineage WHERE entity = 'contact' AND rule <> 'repeated_line'").fetchall()
    quarantined = {r[0] for r in con.execute("SELECT source_id FROM ledger.quarantine WHERE entity = 'contact'").fetchall()}
    con.close()
    found = {(source_id, golden.rsplit(":", 1)[1]) for source_id, golden in merged}
    correct = sum(1 for a, b in found if original_of.get(a, a) == original_of.get(b, b))
    expected = {d for d, o in original_of.items() if d not in quarantined and o not in quarantined}
    assert found, "no contact was merged"
    assert correct / len(found) >= 0.98, f"precision {correct}/{len(found)}"
    assert correct / len(expected) >= 0.90, f"recall {correct}/{len(expected)}"


def test_cleaned_contacts_say_which_phones_are_mobiles(migrated) -> None:
    spec, _, _ = migrated
    con = duckdb.connect(str(spec.staging_path), read_only=True)
    kinds = dict(con.execute("SELECT phone_kind, count(*) FROM cleaned.contact WHERE phone IS NOT NULL GROUP BY ALL").fetchall())
    chinese_mobile = dict(con.execute("SELECT phone_kind, count(*) FROM cleaned.contact WHERE phone LIKE '+861__________' GROUP BY ALL").fetchall())
    con.close()
    assert kinds.get("mobile", 0) > 0 and kinds.get("fixed_line", 0) + kinds.get("fixed_line_or_mobile", 0) > 0
    # +86 1xx numbers are mobiles where the number is allocated; unallocated ranges stay unknown (None)
    assert chinese_mobile.get("mobile", 0) > 5 * chinese_mobile.get(None, 0)
    assert "fixed_line" not in chinese_mobile


STAGE_TABLES = ("raw", "cleaned", "mapped", "loaded")  # loaded: a view of the entity's rows in ledger.loads


def test_every_stage_asset_has_the_metadata_dagster_users_expect(migrated) -> None:
    spec, result, _ = migrated
    materialized = {e.asset_key: e.materialization.metadata for e in result.get_asset_materialization_events()}
    con = duckdb.connect(str(spec.staging_path), read_only=True)
    try:
        for stage in ("raw", "backup", "cleaned", "mapped", "loaded", "reconciled"):
            for entity in spec.ordered_entities():
                metadata = materialized[dg.AssetKey(["demo", stage, entity])]
                where = f"demo/{stage}/{entity}"
                rows, columns = metadata["dagster/row_count"].value, metadata["dagster/column_schema"].value.columns
                name = metadata["dagster/table_name"].value if "dagster/table_name" in metadata else None
                assert len(columns) > 2, where
                preview = metadata["preview"].value
                assert preview.startswith(f"{min(rows, 10)} of {rows} rows"), (where, preview[:80])
                assert preview.count("\n|") == min(rows, 10) + 2, where  # header, separator, one line per row
                if stage in STAGE_TABLES:
                    assert name == f"demo_staging.{stage}.{entity}", where
                    assert rows == con.execute(f'SELECT count(*) FROM {stage}."{entity}"').fetchone()[0], where
                    described = {r[0] for r in con.execute(f'DESCRIBE {stage}."{entity}"').fetchall()}
                    assert {c.name for c in columns} == described, where
                    if stage == "loaded":
                        assert rows == con.execute("SELECT count(*) FROM ledger.loads WHERE entity = ?", [entity]).fetchone()[0]
                elif stage == "backup":
                    assert name.endswith(f"{entity}.parquet") and Path(name).exists()
                    assert rows == materialized[dg.AssetKey(["demo", "raw", entity])]["dagster/row_count"].value
                else:  # reconciled: what the target holds, read back
                    assert name == f"demo_target.{entity}" and rows == metadata["target_records"].value
    finally:
        con.close()
    # how each file was read: the encoding chosen and the delimiter, or the worksheet
    contacts = materialized[dg.AssetKey(["demo", "raw", "contact"])]["read_as"].value
    assert contacts.startswith("- contacts.csv: encoding ") and "delimiter comma" in contacts
    deals = materialized[dg.AssetKey(["demo", "raw", "deal"])]["read_as"].value
    assert "deals.xlsx: sheet " in deals
    # cleaned says what it quarantined, where from, and the value refused
    sample = materialized[dg.AssetKey(["demo", "cleaned", "contact"])]["quarantine_sample"].value
    heading = re.fullmatch(r"(\d+) of (\d+) problems shown, on (\d+) quarantined rows", sample.splitlines()[0])
    assert heading, sample.splitlines()[0]
    shown, problems, rows = map(int, heading.groups())
    assert shown == min(10, problems) and 0 < rows <= problems
    assert sample.count("\n| contacts.csv:") == shown
    assert "| where | source_id | field | reason | detail | value |" in sample
    assert "contacts.csv:" in sample
