"""The whole demo migration into import-ready files (HubSpot's and Salesforce's templates): reconciled from the files
themselves, every row accounted for, a crosswalk for every record, and a rerun that rewrites nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from handover.spec import load_spec
from tests.conftest import write_spec
from tests.integration.test_postgres_migration import materialize, retarget

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def hubspot(tmp_path_factory: pytest.TempPathFactory, small_export: Path):
    folder = tmp_path_factory.mktemp("files_hubspot")
    spec = load_spec(retarget(write_spec(folder, small_export), {"type": "files", "path": str(folder / "import"), "template": "hubspot"}))
    return spec, materialize(spec)


@pytest.fixture(scope="module")
def salesforce(hubspot, tmp_path_factory: pytest.TempPathFactory, small_export: Path):
    """The same mapped records loaded into Salesforce's files: only the loaded and reconciled stages run again."""
    folder = tmp_path_factory.mktemp("files_salesforce")
    spec = load_spec(retarget(write_spec(folder, small_export), {"type": "files", "path": str(folder / "import"), "template": "salesforce"}))
    spec.work_dir.mkdir(parents=True)
    shutil.copy(hubspot[0].staging_path, spec.staging_path)
    return spec, materialize(spec, ("loaded", "reconciled"))


@pytest.fixture(params=["hubspot", "salesforce"])
def migrated(request: pytest.FixtureRequest):
    return request.getfixturevalue(request.param)


def test_every_check_passes_and_every_row_is_accounted_for(migrated) -> None:
    spec, result = migrated
    assert result.success
    failed = [(e.asset_key.to_user_string(), e.check_name, e.metadata) for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed == []
    con = duckdb.connect(str(spec.staging_path), read_only=True)
    accounting = con.execute("SELECT * FROM reconciled.accounting").df().set_index("entity")
    comparison = con.execute("SELECT * FROM reconciled.comparison").df().set_index("entity")
    con.close()
    assert accounting["balanced"].all() and comparison["ok"].all() and (comparison["found"] == comparison["expected"]).all()
    assert (comparison["expected"] > 0).all()


def test_crosswalk_holds_every_loaded_record_and_nothing_else(migrated) -> None:
    spec, _ = migrated
    con = duckdb.connect(str(spec.staging_path), read_only=True)
    loaded = con.execute("SELECT entity, external_id FROM ledger.loads WHERE status IN ('created', 'updated', 'unchanged')").fetchall()
    mapped_ids = {e: dict(con.execute(f'SELECT external_id, source_id FROM mapped."{e}"').fetchall()) for e in spec.ordered_entities()}
    con.close()
    crosswalk = pd.read_csv(spec.target_path / "crosswalk.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert set(zip(crosswalk["entity"], crosswalk["external_id"])) == set(loaded) and len(crosswalk) == len(loaded)
    for entry in crosswalk.itertuples():
        assert mapped_ids[entry.entity][entry.external_id] == entry.old_id and entry.source_system == "legacycrm"


def test_files_are_headed_for_the_crm_and_chinese_survives(migrated) -> None:
    spec, _ = migrated
    if spec.target.template == "hubspot":
        contacts, header = spec.target_path / "contacts.csv", ["External ID", "First Name", "Last Name", "Email"]
    else:
        contacts, header = spec.target_path / "Contact.csv", ["Handover_External_Id__c", "FirstName", "LastName", "Email"]
    text = contacts.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(contacts, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns[:4]) == header
    assert frame[header[2]].str.contains(r"[\u4e00-\u9fff]").any()  # Chinese surnames, readable


def test_rerun_rewrites_nothing(hubspot) -> None:
    spec, _ = hubspot  # one template is enough: every template's files are written alike
    before = {p.name: p.read_bytes() for p in spec.target_path.iterdir()}
    again = materialize(spec, ("loaded", "reconciled"))
    assert again.success
    assert {p.name: p.read_bytes() for p in spec.target_path.iterdir()} == before
