"""The independent sample-data generators: determinism, truth consistent with the records, the export's layout."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sampledata import labelled_accounts, noisy_contacts
from sampledata._contact_noise import EVENTS as CONTACT_EVENTS
from sampledata._people import HARD_NEGATIVE_KINDS
from sampledata.other_crm import generate_export
from sampledata.other_crm.__main__ import main as other_crm_main

ROOT = Path(__file__).resolve().parents[2]
CODECS = {"utf-8": "utf-8", "utf-8-sig": "utf-8-sig", "utf-16": "utf-16", "gb18030": "gb18030"}
BOMS = {"utf-8-sig": b"\xef\xbb\xbf", "utf-16": b"\xff\xfe"}
csv.field_size_limit(sys.maxsize)  # one activity note is larger than the csv module's default limit


@pytest.fixture(scope="module")
def contacts() -> noisy_contacts.Dataset:
    return noisy_contacts.generate_detailed(3000, seed=11)


@pytest.fixture(scope="module")
def accounts() -> labelled_accounts.Dataset:
    return labelled_accounts.generate_detailed(2000, seed=11)


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    folder = tmp_path_factory.mktemp("other_crm")
    truth = generate_export(folder, scale=0.08, seed=5)
    return folder, truth


# -- noisy contacts --------------------------------------------------------------------------------------------
def test_contacts_are_deterministic_per_seed() -> None:
    first, first_truth = noisy_contacts.generate(400, seed=3)
    again, again_truth = noisy_contacts.generate(400, seed=3)
    other, _ = noisy_contacts.generate(400, seed=4)
    pd.testing.assert_frame_equal(first, again)
    pd.testing.assert_frame_equal(first_truth, again_truth)
    assert not first.equals(other)
    assert list(first.columns) == [
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "city",
        "job_title",
        "lead_source",
    ]
    assert list(first_truth.columns) == ["id", "cluster_id"]


def test_every_contact_is_in_exactly_one_cluster_of_its_declared_size(contacts: noisy_contacts.Dataset) -> None:
    records, truth, clusters = contacts.records, contacts.truth, contacts.clusters
    assert len(records) == 3000 and records["id"].is_unique
    assert sorted(truth["id"]) == sorted(records["id"])
    assert truth["id"].is_unique
    observed = truth.groupby("cluster_id").size()
    declared = clusters.set_index("cluster_id")["size"]
    pd.testing.assert_series_equal(observed.sort_index(), declared.sort_index(), check_names=False)
    assert declared.between(1, noisy_contacts.MAX_CLUSTER_SIZE).all()
    assert (declared >= 4).sum() > 100, "large clusters must be common enough to matter"
    latin_share = (clusters["script"] == "latin").mean()
    assert 0.5 < latin_share < 0.7
    chinese_names = records["last_name"].fillna("").str.contains(r"[\u4e00-\u9fff]")
    assert 0.25 < chinese_names.mean() < 0.5


def test_contact_duplicates_are_noisy_with_every_kind_of_noise(contacts: noisy_contacts.Dataset) -> None:
    events = contacts.noise["events"].str.split(";").explode()
    wired = {event.__name__ for event, _latin, _chinese in CONTACT_EVENTS}
    assert wired <= set(events), f"never applied: {wired - set(events)}"
    table = contacts.records.merge(contacts.truth).merge(contacts.noise)
    base = table[table["events"] == "base"].set_index("cluster_id")
    dups = table[table["events"] != "base"]
    same_name = sum(
        (row.first_name, row.last_name) == (base.at[row.cluster_id, "first_name"], base.at[row.cluster_id, "last_name"])
        for row in dups.itertuples()
    )
    assert same_name / len(dups) < 0.75, "too few duplicates carry name noise"
    junk = table["email"].isin(["n/a", "none", "test@test.com", "N/A", "null"]).sum()
    assert junk > 10
    assert table["phone"].fillna("").str.contains(r"^\+86|^0086|^\(\d{3}\) \d{3}-\d{4}").any()
    assert table["phone"].fillna("").str.contains(r"ext|转|x\d").any()
    assert table["first_name"].fillna("").str.fullmatch(r"[A-Z]\.?").sum() > 10, "initial-only first names"
    assert (
        table["last_name"].fillna("").str.contains("[\uff21-\uff5a]").any()
        or table["email"].fillna("").str.contains("[\uff01-\uff5e]").any()
    ), "full-width characters"


def _digits(text: object) -> str:
    return "".join(ch for ch in str(text) if ch.isdigit())[-8:]


def test_hard_negatives_look_alike_but_are_different_people(contacts: noisy_contacts.Dataset) -> None:
    pairs = contacts.hard_negatives
    assert set(pairs["kind"]) == set(HARD_NEGATIVE_KINDS)
    assert (pairs["cluster_a"] != pairs["cluster_b"]).all()
    table = contacts.records.merge(contacts.truth).merge(contacts.noise)
    base = table[table["events"] == "base"].set_index("cluster_id")
    full = (base["last_name"].fillna("").str.replace(" Jr.", "") + base["first_name"].fillna("")).str.replace(" ", "")
    for pair in pairs.itertuples():
        a, b = base.loc[pair.cluster_a], base.loc[pair.cluster_b]
        if pair.kind.startswith("namesake") or pair.kind == "father_son_same_name":
            assert full[pair.cluster_a] == full[pair.cluster_b], pair
        if pair.kind in ("family_shared_phone", "colleagues_switchboard", "father_son_same_name"):
            assert _digits(a.phone) == _digits(b.phone) != "", pair
        if pair.kind in ("family_shared_email", "colleagues_generic_email"):
            assert a.email == b.email and a.email, pair
        if pair.kind in ("namesake_same_company", "colleagues_switchboard", "colleagues_generic_email"):
            assert a.company is not None and b.company is not None


# -- labelled accounts -----------------------------------------------------------------------------------------
def test_accounts_are_deterministic_and_consistent(accounts: labelled_accounts.Dataset) -> None:
    records, truth = labelled_accounts.generate(2000, seed=11)
    pd.testing.assert_frame_equal(records, accounts.records)
    pd.testing.assert_frame_equal(truth, accounts.truth)
    assert not records.equals(labelled_accounts.generate(2000, seed=12)[0])
    assert list(records.columns) == ["id", *labelled_accounts.FIELDS]
    assert sorted(truth["id"]) == sorted(records["id"]) and truth["id"].is_unique
    observed = truth.groupby("cluster_id").size().sort_index()
    declared = accounts.clusters.set_index("cluster_id")["size"].sort_index()
    pd.testing.assert_series_equal(observed, declared, check_names=False)
    assert declared.between(1, max(labelled_accounts.CLUSTER_SIZES)).all()
    assert records["name"].notna().all()
    names = records["name"]
    assert names.str.contains("有限公司").any() and names.str.contains("Limited|Ltd").any()
    assert names.str.contains("GmbH|G.m.b.H.", regex=True).any() and names.str.contains("Inc").any()
    websites = records["website"].dropna()
    assert websites.str.startswith("www.").any() and (~websites.str.contains("www", case=False)).any()


def test_account_hard_negatives_are_branches_and_look_alikes(accounts: labelled_accounts.Dataset) -> None:
    pairs = accounts.hard_negatives
    assert set(pairs["kind"]) == set(labelled_accounts.NEGATIVE_KINDS)
    table = accounts.records.merge(accounts.truth).merge(accounts.noise)
    base = table[table["events"] == "base"].set_index("cluster_id")
    for pair in pairs.itertuples():
        a, b = base.loc[pair.cluster_a], base.loc[pair.cluster_b]
        if pair.kind == "branch_office":
            assert a.city != b.city and a.street != b.street
        if pair.kind == "similar_name":
            assert a["name"] != b["name"]
            assert a.domain != b.domain or a.domain is None


# -- the second vendor's export --------------------------------------------------------------------------------
def _decoded(folder: Path, spec: dict) -> str:
    return (folder / spec["path"]).read_bytes().decode(CODECS[spec["encoding"]], errors="replace")


def _records(folder: Path, spec: dict) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_decoded(folder, spec), newline=""), delimiter=spec["delimiter"]))


def test_export_files_decode_as_declared_with_declared_headers(export: tuple[Path, dict]) -> None:
    folder, truth = export
    undecodable = {(b["file"], b["line"]) for b in truth["bad_rows"] if b["reason"] == "undecodable_bytes"}
    assert len(undecodable) == 1
    for key, spec in truth["files"].items():
        raw = (folder / spec["path"]).read_bytes()
        bom = BOMS.get(spec["encoding"], b"")
        assert spec["bom"] == bool(bom) and raw.startswith(bom), key
        if spec["encoding"] == "gb18030":
            failing = []
            for number, line in enumerate(raw.split(b"\n"), start=1):
                try:
                    line.decode("gb18030")
                except UnicodeDecodeError:
                    failing.append((spec["path"], number))
            assert set(failing) == undecodable
        else:
            raw.decode(CODECS[spec["encoding"]])  # strict
        rows = _records(folder, spec)
        assert rows[0] == spec["header"], key
        assert len(rows) - 1 == spec["records"] == len(truth["rows"][key]), key
        assert _decoded(folder, spec).count("\n") == spec["lines"], key
        assert spec["newline"] in ("\r\n", "\n") and (spec["newline"] == "\r\n") == ("\r\n" in _decoded(folder, spec))
    assert truth["files"]["accounts"]["encoding"] == "utf-16" and truth["files"]["accounts"]["delimiter"] == "\t"
    assert truth["files"]["deals"]["delimiter"] == ";" and truth["files"]["leads"]["header"][:3] == [
        "线索ID",
        "线索名称",
        "公司名称",
    ]


def test_truth_rows_point_at_their_records_and_counts_match(export: tuple[Path, dict]) -> None:
    folder, truth = export
    for key, spec in truth["files"].items():
        rows = _records(folder, spec)[1:]
        lines = _decoded(folder, spec).split("\n")
        entries = truth["rows"][key]
        counts = truth["counts"][key]
        ids = [row[0] for row in rows]
        for entry, row in zip(entries, rows):
            assert (entry["source_id"] or "") == row[0], (key, entry)
            if entry["source_id"]:
                assert lines[entry["line"] - 1].lstrip('\ufeff"').startswith(entry["source_id"]), (key, entry)
        seen: set[str] = set()
        repeated = 0
        for value in ids:
            repeated += bool(value) and value in seen
            seen.add(value)
        assert counts["repeated_source_id_records"] == repeated, key
        assert counts["missing_source_id"] == ids.count(""), key
        assert counts["distinct_source_ids"] == len(seen - {""}), key
        assert counts["bad"] == sum(1 for b in truth["bad_rows"] if b["file"] == spec["path"]), key
        assert counts["records"] == len(rows), key
    counts = truth["counts"]
    assert counts["accounts"]["missing_source_id"] >= 1
    for key in ("accounts", "contacts", "leads"):
        assert counts[key]["duplicate_records"] >= 1 and counts[key]["repeated_source_id_records"] >= 1, key
    for key in ("accounts", "contacts", "leads"):
        assert counts[key]["identical_repeats"] >= 1 and counts[key]["edited_repeats"] >= 1, key
    reasons = {b["reason"] for b in truth["bad_rows"]}
    assert {"missing_required", "invalid_email", "unparseable", "undecodable_bytes", "invalid_amount"} <= reasons
    unparseable = next(b for b in truth["bad_rows"] if b["reason"] == "unparseable")
    contacts = _records(folder, truth["files"]["contacts"])
    assert len(contacts[unparseable["record"]]) != len(contacts[0])
    longest = max(len(field.encode("utf-8")) for row in _records(folder, truth["files"]["activities"]) for field in row)
    assert longest > 200 * 1024


def test_links_by_business_key_resolve_to_the_true_account(export: tuple[Path, dict]) -> None:
    folder, truth = export
    account_rows = _records(folder, truth["files"]["accounts"])
    header = account_rows[0]
    names: dict[str, set[str]] = {}
    numbers: dict[str, str] = {}
    for entry, row in zip(truth["rows"]["accounts"], account_rows[1:]):
        values = dict(zip(header, row))
        if entry.get("bad"):
            continue
        names.setdefault(values["Account Name"].strip().casefold(), set()).add(entry["entity"])
        if values["Account Number"]:
            numbers[values["Account Number"]] = entry["entity"]
    known = {a["key"] for a in truth["entities"]["accounts"]}
    checked = 0
    for key, column in (("contacts", "Account Name"), ("deals", "Account Name")):
        rows = _records(folder, truth["files"][key])
        for entry, row in zip(truth["rows"][key], rows[1:]):
            if entry.get("bad") or entry.get("link_issue") or entry.get("account") is None:
                continue
            name = dict(zip(rows[0], row))[column].strip().casefold()
            assert entry["account"] in known and entry["account"] in names[name], (key, entry)
            assert entry["account_name_ambiguous"] == (len(names[name]) > 1), (key, entry)
            checked += 1
    tickets = _records(folder, truth["files"]["tickets"])
    for entry, row in zip(truth["rows"]["tickets"], tickets[1:]):
        values = dict(zip(tickets[0], row))
        if entry.get("linked_by") == "Customer No.":
            assert numbers[values["Customer No."]] == entry["account"]
            checked += 1
    assert checked > 100
    owners = {o["key"]: o for o in truth["entities"]["owners"]}
    used = {e["owner"] for rows in truth["rows"].values() for e in rows if e.get("owner")}
    assert any(not owners[k]["active"] for k in used), "a departed owner still owns records"
    assert any(not owners[k]["in_users_file"] for k in used), "an owner missing from Users.csv owns records"


def test_export_is_byte_identical_per_seed(tmp_path: Path, export: tuple[Path, dict]) -> None:
    folder, truth = export
    generate_export(tmp_path, scale=0.08, seed=5)
    for spec in truth["files"].values():
        assert (tmp_path / spec["path"]).read_bytes() == (folder / spec["path"]).read_bytes(), spec["path"]
    assert json.loads((tmp_path / "truth.json").read_text(encoding="utf-8")) == truth


# -- commands and independence ---------------------------------------------------------------------------------
def test_commands_write_their_files(tmp_path: Path) -> None:
    assert noisy_contacts.main(["--rows", "60", "--seed", "2", "--out", str(tmp_path / "c")]) == 0
    assert labelled_accounts.main(["--rows", "60", "--seed", "2", "--out", str(tmp_path / "a")]) == 0
    assert other_crm_main([str(tmp_path / "o"), "--scale", "0.02", "--seed", "3"]) == 0
    assert len(pd.read_csv(tmp_path / "c" / "contacts.csv")) == 60 == len(pd.read_csv(tmp_path / "c" / "truth.csv"))
    assert len(pd.read_csv(tmp_path / "a" / "accounts.csv")) == 60
    assert (tmp_path / "o" / "truth.json").exists() and (tmp_path / "o" / "Accounts.txt").exists()
    with pytest.raises(SystemExit) as exit_info:
        noisy_contacts.main(["--rows", "0", "--out", str(tmp_path / "x")])
    assert exit_info.value.code == 2


_PROBE = """
import hashlib, sys, tempfile, pathlib
from sampledata import noisy_contacts, labelled_accounts
from sampledata.other_crm import generate_export
digest = hashlib.sha256()
digest.update(noisy_contacts.generate(300, 1)[0].to_csv().encode())
digest.update(labelled_accounts.generate(300, 1)[0].to_csv().encode())
with tempfile.TemporaryDirectory() as folder:
    generate_export(folder, scale=0.03, seed=1)
    for path in sorted(pathlib.Path(folder).iterdir()):
        digest.update(path.read_bytes())
leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'handover', 'dlt', 'duckdb'))
print(digest.hexdigest(), leaked)
"""


def test_output_does_not_depend_on_hash_seed_and_imports_nothing_from_handover() -> None:
    outputs = []
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        done = subprocess.run(
            [sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        outputs.append(done.stdout.strip())
    assert outputs[0] == outputs[1]
    assert outputs[0].endswith("[]"), outputs[0]
    assert hashlib.sha256(b"").hexdigest() not in outputs[0]
