"""The embedded DuckDB target, the loaded stage's ledger, reconciliation (accounting and read-back
comparison) and raw backups."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from connectors.targets.duckdb_crm import DuckDBCRM
from handover.backup import BackupError, read_manifest, restore, snapshot_table, verify
from handover.loading import load_entity
from handover.mapping import content_hash, target_types
from handover.ports import EntitySchema
from handover.reconcile import account, compare, unaccounted_rows
from handover.spec import MigrationSpec, load_spec
from handover.staging import append_ledger_rows, ensure_ledger, ledger_frame

ACCOUNT_TYPES = {"name": "string", "annual_revenue": "number", "website": "url"}
CONTACT_TYPES = {"last_name": "string", "email": "email", "notes": "text"}


@pytest.fixture
def crm(tmp_path: Path):
    target = DuckDBCRM(tmp_path / "crm.duckdb")
    target.prepare(EntitySchema("owner", {"name": "string", "email": "email"}))
    target.prepare(EntitySchema("account", ACCOUNT_TYPES, has_owner=True))
    target.prepare(EntitySchema("contact", CONTACT_TYPES, {"account": "account"}, has_owner=True))
    target.upsert("owner", pd.DataFrame({"external_id": ["o:1"], "name": ["Boss"], "email": ["boss@x.com"]}))
    yield target
    target.close()


def account_rows(**columns: list) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {"external_id": [f"a:{i}" for i in range(1, n + 1)], "name": [f"Acme {i}" for i in range(1, n + 1)],
            "annual_revenue": [100.0] * n, "website": ["https://acme.example"] * n, "owner_external_id": ["o:1"] * n}
    return pd.DataFrame({**base, **columns})


def status_of(outcome: pd.DataFrame) -> dict[str, tuple[str, str | None]]:
    return {e: (s, None if pd.isna(err) else err) for e, s, err in zip(outcome["external_id"], outcome["status"], outcome["error"])}


# --- the DuckDB target -----------------------------------------------------------------------------


def test_upsert_creates_then_updates_by_external_id(crm: DuckDBCRM) -> None:
    first = crm.upsert("account", account_rows(name=["Acme", "Beta"]))
    assert first["status"].tolist() == ["created", "created"]
    ids = dict(zip(first["external_id"], first["target_id"]))
    assert all(i.startswith("ACC-") for i in ids.values()) and len(set(ids.values())) == 2

    second = crm.upsert("account", account_rows(name=["Acme Ltd", "Beta"], external_id=["a:1", "a:2"]).iloc[[1, 0]])
    assert second["status"].tolist() == ["updated", "updated"]
    assert dict(zip(second["external_id"], second["target_id"])) == ids
    rows = crm.con.execute("SELECT external_id, id, name, owner_id FROM accounts ORDER BY external_id").fetchall()
    owner_id = crm.lookup("owner", ["o:1"])["o:1"]
    assert rows == [("a:1", ids["a:1"], "Acme Ltd", owner_id), ("a:2", ids["a:2"], "Beta", owner_id)]
    assert crm.lookup("account", ["a:1", "a:2", "a:9"]) == {e: i for e, i in ids.items()}


def test_upsert_mixed_batch_of_new_and_known(crm: DuckDBCRM) -> None:
    crm.upsert("account", account_rows(name=["Acme"]))
    outcome = crm.upsert("account", account_rows(name=["Acme 2", "Beta"]))
    assert outcome["status"].tolist() == ["updated", "created"]
    assert crm.con.execute("SELECT count(*) FROM accounts").fetchone()[0] == 2


def test_refusals_carry_the_reason(crm: DuckDBCRM) -> None:
    accounts = account_rows(
        name=["ok", "x" * 256, "neg", None, "owner?"],
        annual_revenue=[1.0, 1.0, -5.0, 1.0, 1.0],
        owner_external_id=["o:1", "o:1", "o:1", "o:1", "o:404"],
    )
    outcome = status_of(crm.upsert("account", accounts))
    assert outcome["a:1"] == ("created", None)
    assert outcome["a:2"] == ("rejected", "STRING_TOO_LONG: name has 256 characters, the limit is 255")
    assert outcome["a:3"] == ("rejected", "NUMBER_OUTSIDE_VALID_RANGE: annual_revenue must not be negative")
    assert outcome["a:4"] == ("rejected", "REQUIRED_FIELD_MISSING: name")
    assert outcome["a:5"] == ("rejected", "INVALID_CROSS_REFERENCE_KEY: owner o:404 not found")
    assert crm.con.execute("SELECT external_id FROM accounts").fetchall() == [("a:1",)]

    contacts = pd.DataFrame({
        "external_id": ["c:1", "c:2", "c:3", "c:4"], "last_name": ["Lee", None, "Wu", "Li"],
        "email": ["not-an-email", None, "wu@x.com", None], "notes": [None, None, None, "y" * 300],
        "account_external_id": ["a:1", "a:1", "a:404", None],
    })
    outcome = status_of(crm.upsert("contact", contacts))
    assert outcome["c:1"] == ("rejected", "INVALID_EMAIL_ADDRESS: email")
    assert outcome["c:2"] == ("rejected", "REQUIRED_FIELD_MISSING: last_name or email")
    assert outcome["c:3"] == ("rejected", "INVALID_CROSS_REFERENCE_KEY: account a:404 not found")
    assert outcome["c:4"] == ("created", None)  # 300 characters are fine in a text field


def test_read_back_gives_references_by_external_id(crm: DuckDBCRM) -> None:
    crm.upsert("account", account_rows(name=["Acme"]))
    crm.upsert("contact", pd.DataFrame({"external_id": ["c:1"], "last_name": ["Lee"], "email": ["l@x.com"], "notes": [None],
                                        "account_external_id": ["a:1"], "owner_external_id": ["o:1"]}))
    back = crm.read_by_ids("contact", ["c:1", "c:2"])
    assert back[["external_id", "last_name", "owner_external_id", "account_external_id"]].to_dict("records") == [
        {"external_id": "c:1", "last_name": "Lee", "owner_external_id": "o:1", "account_external_id": "a:1"}
    ]


# --- the loaded stage ------------------------------------------------------------------------------


class SpyCRM(DuckDBCRM):
    """Counts the rows each upsert call sends."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.sent: list[list[str]] = []

    def upsert(self, entity: str, rows: pd.DataFrame, *, match_by: str | None = None) -> pd.DataFrame:
        self.sent.append(rows["external_id"].tolist())
        return super().upsert(entity, rows, match_by=match_by)


def make_spec(tmp_path: Path) -> MigrationSpec:
    data = {
        "migration": "t", "source": {"type": "files", "path": "exports"}, "target": {"type": "duckdb", "path": "work/crm.duckdb"},
        "owners": {"departed": {"policy": "keep"}},
        "entities": {
            "owner": {"from": "users.csv", "id": "user_id", "fields": {"name": "full_name", "email": "email"}},
            "account": {"from": "accounts.csv", "id": "account_id", "owner": "owner_id",
                        "fields": {"name": "account_name", "annual_revenue": "revenue", "website": "website"}},
        },
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return load_spec(path)


def mapped_accounts(names: list[str]) -> pd.DataFrame:
    frame = account_rows(name=names)
    frame["source_id"] = [e.split(":")[1] for e in frame["external_id"]]
    frame["row_key"] = [f"accounts.csv:{i + 2}" for i in range(len(frame))]
    frame["owner_resolution"] = "direct"
    frame["extras"] = None  # map_entity always adds it
    frame["content_hash"] = content_hash(frame, ["name", "annual_revenue", "website", "owner_external_id", "extras"])
    return frame


def test_load_entity_is_idempotent_and_sends_only_changes(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    target = SpyCRM(tmp_path / "crm.duckdb")
    con = duckdb.connect(str(tmp_path / "staging.duckdb"))
    try:
        target.prepare(EntitySchema("owner", {"name": "string", "email": "email"}))
        target.upsert("owner", pd.DataFrame({"external_id": ["o:1"], "name": ["Boss"], "email": ["b@x.com"]}))
        target.sent.clear()
        mapped = mapped_accounts(["Acme", "Beta", "x" * 300])

        first = load_entity(con, mapped, "account", spec, target, "run-1")
        assert first["status"].tolist() == ["created", "created", "rejected"]
        assert first[["entity", "row_key", "content_hash", "run_id"]].iloc[0].tolist() == ["account", "accounts.csv:2", mapped["content_hash"].iloc[0], "run-1"]
        assert target.sent == [["a:1", "a:2", "a:3"]]

        second = load_entity(con, mapped, "account", spec, target, "run-2")
        assert second.set_index("external_id")["status"].to_dict() == {"a:1": "unchanged", "a:2": "unchanged", "a:3": "rejected"}
        assert target.sent[1:] == [["a:3"]]  # only the refused row is tried again
        assert second.set_index("external_id").loc["a:1", "target_id"] == first.set_index("external_id").loc["a:1", "target_id"]

        fixed = mapped_accounts(["Acme", "Beta Ltd", "Gamma"])
        third = load_entity(con, fixed, "account", spec, target, "run-3")
        assert third.set_index("external_id")["status"].to_dict() == {"a:1": "unchanged", "a:2": "updated", "a:3": "created"}
        assert target.sent[2:] == [["a:2", "a:3"]]
        assert target.con.execute("SELECT count(*) FROM accounts").fetchone()[0] == 3

        target.con.execute("DELETE FROM accounts WHERE external_id = 'a:1'")  # gone behind our back: sent again
        fourth = load_entity(con, fixed, "account", spec, target, "run-4")
        assert fourth.set_index("external_id").loc["a:1", "status"] == "created"
        assert target.sent[3:] == [["a:1"]]
    finally:
        target.close()
        con.close()


def test_compare_detects_changes_behind_our_back(tmp_path: Path, crm: DuckDBCRM) -> None:
    spec = make_spec(tmp_path)
    mapped = mapped_accounts(["Acme", "Beta", "Gamma"])
    ledger = load_entity(duckdb.connect(str(tmp_path / "staging.duckdb")), mapped, "account", spec, crm, "run-1")
    types = target_types(spec, "account")

    clean = compare(mapped, ledger, crm.read_all("account"), types)
    assert clean.ok and clean.expected == clean.found == 3 and clean.missing == []
    assert clean.field_mismatches["name"] == 0 and clean.field_mismatches["owner_external_id"] == 0

    crm.con.execute("UPDATE accounts SET name = 'Hacked', annual_revenue = 100.0000001 WHERE external_id = 'a:2'")
    crm.con.execute("DELETE FROM accounts WHERE external_id = 'a:3'")
    result = compare(mapped, ledger, crm.read_all("account"), types)
    assert not result.ok
    assert result.field_mismatches["name"] == 1
    assert result.field_mismatches["annual_revenue"] == 0  # equal to six decimals
    assert result.missing == ["a:3"] and result.found == 2
    assert {"external_id": "a:2", "field": "name", "mapped": "Beta", "target": "Hacked"} in result.samples


# --- accounting ------------------------------------------------------------------------------------


def staging(tmp_path: Path, lines: int) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "staging.duckdb"))
    ensure_ledger(con)
    con.execute("CREATE TABLE raw.contact AS SELECT 'contacts.csv:' || (range + 2) AS _record_key, 'contacts.csv' AS _source_file, range + 2 AS _source_line FROM range(?)", [lines])
    return con


def put(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    append_ledger_rows(con, table, ledger_frame(table, [{"entity": "contact", **r} for r in rows]))


def fill_balanced(con: duckdb.DuckDBPyConnection) -> None:
    put(con, "loads", [{"row_key": "contacts.csv:2", "external_id": "s:contact:1", "status": "created"},
                       {"row_key": "contacts.csv:3", "external_id": "s:contact:2", "status": "unchanged"},
                       {"row_key": "contacts.csv:4", "external_id": "s:contact:3", "status": "rejected", "error": "INVALID_EMAIL_ADDRESS: email"}])
    put(con, "quarantine", [{"row_key": "contacts.csv:5", "stage": "cleaned", "reason": "missing_id"},
                            {"row_key": "contacts.csv:6", "stage": "mapped", "reason": "picklist_unmapped", "field": "a"},
                            {"row_key": "contacts.csv:6", "stage": "mapped", "reason": "picklist_unmapped", "field": "b"}])
    put(con, "lineage", [{"row_key": "contacts.csv:7", "rule": "exact:email"}])
    put(con, "excluded", [{"row_key": "contacts.csv:8", "stage": "cleaned", "reason": "test record"}])
    put(con, "excluded", [{"entity": "account", "row_key": "contacts.csv:9", "reason": "another entity's row"}])


def test_accounting_balanced(tmp_path: Path) -> None:
    con = staging(tmp_path, 7)  # lines 2..8
    fill_balanced(con)
    result = account(con, "contact")
    assert (result.extracted, result.loaded, result.rejected, result.quarantined, result.merged, result.excluded) == (7, 2, 1, 2, 1, 1)
    assert result.remainder == 0 and result.balanced
    assert (result.unaccounted, result.double_counted, result.phantom) == (0, 0, 0)
    assert unaccounted_rows(con, "contact").empty
    assert result.row()["balanced"] is True


def test_accounting_catches_a_row_in_two_buckets_and_a_row_in_none(tmp_path: Path) -> None:
    con = staging(tmp_path, 8)  # lines 2..9: line 9 is in no bucket
    fill_balanced(con)
    put(con, "lineage", [{"row_key": "contacts.csv:5", "rule": "exact:email"}])  # also quarantined
    result = account(con, "contact")
    assert result.remainder == 0  # the sum alone would hide both mistakes
    assert (result.unaccounted, result.double_counted) == (1, 1)
    assert not result.balanced
    problems = dict(unaccounted_rows(con, "contact").itertuples(index=False, name=None))
    assert problems == {"contacts.csv:5": "in 2 buckets", "contacts.csv:9": "in no bucket"}


def test_accounting_catches_rows_that_were_never_extracted(tmp_path: Path) -> None:
    con = staging(tmp_path, 7)
    fill_balanced(con)
    put(con, "excluded", [{"row_key": "contacts.csv:99", "stage": "cleaned", "reason": "?"}])
    result = account(con, "contact")
    assert result.phantom == 1 and result.remainder == -1 and not result.balanced


# --- backups ---------------------------------------------------------------------------------------


def raw_db(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "staging.duckdb"))
    con.execute("CREATE SCHEMA raw")
    con.execute("""CREATE TABLE raw.contact AS SELECT * FROM (VALUES
        ('C2', '李四', 'contacts.csv:3', 'contacts.csv', 3, NULL, NULL), ('C1', '张三', 'contacts.csv:2', 'contacts.csv', 2, NULL, NULL),
        (NULL, NULL, 'contacts.csv:4', 'contacts.csv', 4, 'field_count: expected 2 fields, found 3', 'a,b,c'))
        t(contact_id, "姓名", _record_key, _source_file, _source_line, _raw_error, _raw_text)""")
    return con


def test_snapshot_verify_tamper_and_restore(tmp_path: Path) -> None:
    con = raw_db(tmp_path)
    snapshot = tmp_path / "backups" / "20240101T000000"
    entry = snapshot_table(con, "raw", "contact", snapshot, "demo")
    assert (entry.entity, entry.rows, entry.file) == ("contact", 3, "contact.parquet")
    manifest = read_manifest(snapshot)
    assert manifest["migration"] == "demo" and manifest["tables"]["contact"]["sha256"] == entry.sha256
    assert verify(snapshot) == [entry]

    con.execute("DELETE FROM raw.contact WHERE contact_id = 'C1'")
    again = snapshot_table(con, "raw", "contact", snapshot, "demo")
    assert again == entry  # immutable: not rewritten from the changed table

    fresh = duckdb.connect(str(tmp_path / "restored.duckdb"))
    assert restore(fresh, snapshot) == [entry]
    query = 'SELECT contact_id, "姓名", _source_file, _source_line, _raw_error, _raw_text FROM raw.contact ORDER BY _source_line'
    assert fresh.execute(query).fetchall() == [
        ("C1", "张三", "contacts.csv", 2, None, None), ("C2", "李四", "contacts.csv", 3, None, None),
        (None, None, "contacts.csv", 4, "field_count: expected 2 fields, found 3", "a,b,c"),
    ]

    parquet = snapshot / "contact.parquet"
    data = bytearray(parquet.read_bytes())
    data[len(data) // 2] ^= 0xFF
    parquet.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="was altered"):
        verify(snapshot)
    with pytest.raises(BackupError):
        restore(fresh, snapshot)


def test_backup_errors(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="not a snapshot"):
        verify(tmp_path)
    con = raw_db(tmp_path)
    snapshot = tmp_path / "snap"
    snapshot_table(con, "raw", "contact", snapshot, "demo")
    with pytest.raises(BackupError, match="no table 'deal'"):
        verify(snapshot, ["deal"])
    (snapshot / "contact.parquet").unlink()
    with pytest.raises(BackupError, match="missing from the snapshot"):
        verify(snapshot)
