"""The import-ready files target: what the files hold (encoding, headers per CRM template, injection neutralised,
crosswalk), what it refuses, and that it reads back exactly what it wrote, from every format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from connectors.targets.files_crm import FilesCRM
from handover.exports import neutralise_formula, restore_formula
from handover.ports import EntitySchema, Target, TargetError

OWNER = EntitySchema("owner", {"name": "person_name", "email": "email"})
ACCOUNT = EntitySchema("account", {"name": "company", "annual_revenue": "number", "employees": "integer", "tax_id": "string"}, has_owner=True)
CONTACT = EntitySchema("contact", {"first_name": "person_name", "last_name": "person_name", "email": "email", "phone": "phone",
                                   "vip": "boolean", "created_at": "datetime", "date_of_birth": "date"}, {"account": "account"}, has_owner=True)
DEAL = EntitySchema("deal", {"name": "string", "stage": "picklist", "close_date": "date", "amount": "number"},
                    {"account": "account", "contact": "contact"}, has_owner=True)
ACTIVITY = EntitySchema("activity", {"subject": "string", "occurred_at": "datetime"},
                        {"contact": "contact", "account": "account", "deal": "deal"}, has_owner=True)


def crm_at(folder: Path, template: str = "generic", formats: tuple[str, ...] = ("csv", "xlsx")) -> FilesCRM:
    target = FilesCRM(folder, template=template, formats=formats)
    for schema in (OWNER, ACCOUNT, CONTACT, DEAL, ACTIVITY):
        target.prepare(schema)
    return target


def owners() -> pd.DataFrame:
    return pd.DataFrame({"external_id": ["crm:owner:U1", "crm:owner:U2"], "name": ["王伟", "Bob Li"], "email": ["wang@example.cn", "bob@example.com"]})


def accounts() -> pd.DataFrame:
    return pd.DataFrame({
        "external_id": ["crm:account:A10", "crm:account:A2", "crm:account:A1"],
        "name": ["阿里巴巴（中国）有限公司", '=HYPERLINK("http://evil.example","点我")', "Müller & Söhne"],
        "annual_revenue": [1250000.5, None, -3.0], "employees": [12000, None, 7], "tax_id": ["+86 10 1234 5678", "@SUM(A1:A9)", "\t=1+1"],
        "owner_external_id": ["crm:owner:U1", "crm:owner:U2", None],
    })


def contacts() -> pd.DataFrame:
    return pd.DataFrame({
        "external_id": ["crm:contact:C1", "crm:contact:C2"], "first_name": ["伟", "-cmd"], "last_name": ["王", "+Lee"],
        "email": ["wei@example.cn", None], "phone": ["+8613800138000", "-"], "vip": [True, None],
        "created_at": [pd.Timestamp("2024-01-02 03:04:05", tz="Asia/Shanghai"), None], "date_of_birth": [pd.Timestamp("1990-05-06"), None],
        "account_external_id": ["crm:account:A10", None], "owner_external_id": ["crm:owner:U1", "crm:owner:U2"],
    })


def loaded(folder: Path, template: str = "generic") -> FilesCRM:
    target = crm_at(folder, template)
    for entity, rows in (("owner", owners()), ("account", accounts()), ("contact", contacts())):
        assert (target.upsert(entity, rows)["status"] == "created").all(), entity
    return target


@pytest.mark.parametrize("value", [
    "=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\rx", "-", "'=1", "''+x", "'s-Hertogenbosch", "plain", "a=b",
    "+86 138 0013 8000", "-12.5", "+1 (555) 010-9999", 5, None, 2.5,
])
def test_neutralise_formula_is_reversible_and_leaves_nothing_a_spreadsheet_would_run(value: object) -> None:
    written = neutralise_formula(value)
    assert restore_formula(written) == value
    if isinstance(written, str):
        # What a spreadsheet runs: text starting with one of these, unless it is only a number or a phone number.
        runs = written.startswith(("=", "+", "-", "@", "\t", "\r")) and any(c.isalpha() or c in "=@|!\t\r" for c in written[1:]) or written in ("-", "+")
        assert not runs, repr(written)


def test_neutralised_examples() -> None:
    assert neutralise_formula("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert neutralise_formula("+86 138 0013 8000") == "+86 138 0013 8000"  # a phone number arrives intact
    assert neutralise_formula("\t=1") == "'\t=1" and neutralise_formula("\r@x") == "'\r@x"
    assert neutralise_formula("'=1") == "''=1" and neutralise_formula("'s-Hertogenbosch") == "'s-Hertogenbosch"


def test_is_a_target_that_reads_back_exactly_what_it_wrote(tmp_path: Path) -> None:
    target = loaded(tmp_path)
    assert isinstance(target, Target)
    back = target.read_by_ids("account", ["crm:account:A1", "crm:account:A2", "crm:account:A10", "crm:account:A404"]).set_index("external_id")
    expected = accounts().set_index("external_id")
    assert sorted(back.index) == sorted(expected.index)
    for column in ("name", "tax_id", "owner_external_id"):
        assert back[column].where(back[column].notna(), None).to_dict() == expected[column].where(expected[column].notna(), None).to_dict()
    assert back.loc["crm:account:A10", "annual_revenue"] == 1250000.5 and back.loc["crm:account:A1", "employees"] == 7
    contact = target.read_by_ids("contact", ["crm:contact:C1"]).iloc[0]
    assert (contact["vip"], contact["account_external_id"]) == (True, "crm:account:A10")
    assert pd.Timestamp(contact["created_at"]) == pd.Timestamp("2024-01-01 19:04:05", tz="UTC")
    assert contact["date_of_birth"] == "1990-05-06"
    assert target.lookup("account", ["crm:account:A1", "crm:account:A404"]) == {"crm:account:A1": "crm:account:A1"}


def test_chinese_text_survives_in_the_csv_with_bom_and_in_the_xlsx(tmp_path: Path) -> None:
    loaded(tmp_path)
    raw = (tmp_path / "accounts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    text = raw.decode("utf-8-sig")
    assert "阿里巴巴（中国）有限公司" in text and "Müller & Söhne" in text
    sheet = load_workbook(tmp_path / "accounts.xlsx").active
    names = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert "阿里巴巴（中国）有限公司" in names and sheet.cell(1, 2).value == "name"
    assert (tmp_path / "users.csv").read_text(encoding="utf-8-sig").splitlines()[1] == "crm:owner:U1,王伟,wang@example.cn"


def test_formula_injection_is_neutralised_in_both_files(tmp_path: Path) -> None:
    loaded(tmp_path)
    csv = pd.read_csv(tmp_path / "accounts.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False).set_index("external_id")
    assert csv.loc["crm:account:A2", "name"] == "'" + '=HYPERLINK("http://evil.example","点我")'
    assert csv.loc["crm:account:A2", "tax_id"] == "'@SUM(A1:A9)" and csv.loc["crm:account:A1", "tax_id"] == "'\t=1+1"
    assert csv.loc["crm:account:A10", "tax_id"] == "+86 10 1234 5678"
    book = load_workbook(tmp_path / "accounts.xlsx")
    cells = [cell for row in book.active.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in cells)  # no formula anywhere
    assert "'" + '=HYPERLINK("http://evil.example","点我")' in [c.value for c in cells]
    contact_csv = (tmp_path / "contacts.csv").read_text(encoding="utf-8-sig")
    assert "'-cmd" in contact_csv and "'+Lee" in contact_csv and "+8613800138000" in contact_csv and ",'-," in contact_csv


def test_hubspot_headers_owners_by_email_and_associations_by_external_id(tmp_path: Path) -> None:
    loaded(tmp_path, "hubspot")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{n}.{e}" for n in ("users", "companies", "contacts", "crosswalk") for e in ("csv", "xlsx"))
    companies = pd.read_csv(tmp_path / "companies.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(companies.columns) == ["External ID", "Company name", "Annual Revenue", "Number of Employees", "Tax Id", "Company owner"]
    contacts_file = pd.read_csv(tmp_path / "contacts.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False).set_index("External ID")
    assert {"First Name", "Last Name", "Email", "Phone Number", "Date of birth", "Create Date", "Contact owner", "Company External ID"} <= set(contacts_file.columns)
    assert contacts_file.loc["crm:contact:C1", "Contact owner"] == "wang@example.cn"
    assert contacts_file.loc["crm:contact:C1", "Company External ID"] == "crm:account:A10"
    assert contacts_file.loc["crm:contact:C1", "Create Date"] == "2024-01-01T19:04:05Z"


def test_salesforce_headers_required_fields_and_task_relations(tmp_path: Path) -> None:
    target = loaded(tmp_path, "salesforce")
    contact_file = pd.read_csv(tmp_path / "Contact.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(contact_file.columns)[:3] == ["Handover_External_Id__c", "FirstName", "LastName"]
    assert {"Email", "Phone", "Birthdate", "CreatedDate", "Vip__c", "Owner.Email", "Account.Handover_External_Id__c"} <= set(contact_file.columns)
    deals = pd.DataFrame({"external_id": ["crm:deal:D1", "crm:deal:D2"], "name": ["Big", "No date"], "stage": ["Prospecting"] * 2,
                          "close_date": [pd.Timestamp("2024-12-31"), None], "amount": [10.0, 5.0],
                          "account_external_id": ["crm:account:A10", "crm:account:A1"], "contact_external_id": ["crm:contact:C1", None],
                          "owner_external_id": ["crm:owner:U1"] * 2})
    outcome = target.upsert("deal", deals)
    assert outcome["status"].tolist() == ["created", "rejected"] and outcome["error"][1] == "REQUIRED_FIELD_MISSING: CloseDate"
    opportunity = pd.read_csv(tmp_path / "Opportunity.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert {"Name", "StageName", "CloseDate", "Amount", "Account.Handover_External_Id__c", "Contact.Handover_External_Id__c"} <= set(opportunity.columns)

    tasks = pd.DataFrame({"external_id": ["crm:activity:T1", "crm:activity:T2", "crm:activity:T3"], "subject": ["Call", "Visit", "Mail"],
                          "occurred_at": [pd.Timestamp("2024-03-01 10:00", tz="UTC")] * 3,
                          "contact_external_id": ["crm:contact:C1", None, None], "account_external_id": ["crm:account:A10", "crm:account:A1", "crm:account:A1"],
                          "deal_external_id": ["crm:deal:D1", "crm:deal:D1", None], "owner_external_id": ["crm:owner:U2"] * 3})
    outcome = target.upsert("activity", tasks)
    assert outcome["status"].tolist() == ["created", "rejected", "created"]
    assert outcome["error"][1] == "FIELD_INTEGRITY_EXCEPTION: salesforce takes the account from the deal (crm:account:A10), not crm:account:A1"
    task_file = pd.read_csv(tmp_path / "Task.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False).set_index("Handover_External_Id__c")
    assert task_file.loc["crm:activity:T1", "Opportunity:What.Handover_External_Id__c"] == "crm:deal:D1"
    assert task_file.loc["crm:activity:T1", "Account:What.Handover_External_Id__c"] == ""  # one WhatId: the account comes from the deal
    assert task_file.loc["crm:activity:T3", "Account:What.Handover_External_Id__c"] == "crm:account:A1"
    assert task_file.loc["crm:activity:T1", "Contact:Who.Handover_External_Id__c"] == "crm:contact:C1"
    back = target.read_by_ids("activity", ["crm:activity:T1", "crm:activity:T3"]).set_index("external_id")
    assert back["account_external_id"].to_dict() == {"crm:activity:T1": "crm:account:A10", "crm:activity:T3": "crm:account:A1"}


def test_refuses_what_the_import_would_refuse(tmp_path: Path) -> None:
    target = loaded(tmp_path, "hubspot")
    target.upsert("owner", pd.DataFrame({"external_id": ["crm:owner:U3"], "name": ["No Mail"], "email": [None]}))
    rows = pd.DataFrame({"external_id": ["crm:contact:C3", "crm:contact:C4", "crm:contact:C5"], "first_name": ["A", "B", "C"],
                         "last_name": ["X", "Y", "Z"], "account_external_id": ["crm:account:A404", None, None],
                         "owner_external_id": ["crm:owner:U1", "crm:owner:U3", "crm:owner:U404"]})
    outcome = target.upsert("contact", rows)
    assert outcome["status"].tolist() == ["rejected"] * 3
    assert outcome["error"].tolist() == [
        "INVALID_CROSS_REFERENCE_KEY: account crm:account:A404 is not in companies.csv",
        "INVALID_CROSS_REFERENCE_KEY: owner crm:owner:U3 has no email in users.csv; hubspot assigns owners by email",
        "INVALID_CROSS_REFERENCE_KEY: owner crm:owner:U404 is not in users.csv",
    ]
    assert "crm:contact:C3" not in (tmp_path / "contacts.csv").read_text(encoding="utf-8-sig")
    too_long = target.upsert("contact", pd.DataFrame({"external_id": ["crm:contact:C6"], "last_name": ["x" * 40_000]}))
    assert too_long["error"][0] == "STRING_TOO_LONG: an Excel cell holds at most 32767 characters"


def test_rerun_rewrites_nothing_and_batch_order_does_not_change_the_files(tmp_path: Path) -> None:
    target = loaded(tmp_path / "one")
    before = {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()}
    again = target.upsert("account", accounts())
    assert again["status"].tolist() == ["unchanged"] * 3
    assert {p.name: p.read_bytes() for p in (tmp_path / "one").iterdir()} == before

    other = crm_at(tmp_path / "two")
    other.upsert("owner", owners().iloc[::-1])
    for part in (accounts().iloc[[2]], accounts().iloc[[0, 1]]):
        other.upsert("account", part)
    other.upsert("contact", contacts())
    for name in ("users", "accounts", "contacts", "crosswalk"):
        assert (tmp_path / "two" / f"{name}.csv").read_bytes() == before[f"{name}.csv"], name
        cells = [[c.value for c in row] for row in load_workbook(tmp_path / "two" / f"{name}.xlsx").active.iter_rows()]
        assert cells == [[c.value for c in row] for row in load_workbook(tmp_path / "one" / f"{name}.xlsx").active.iter_rows()]
    ids = pd.read_csv(tmp_path / "two" / "accounts.csv", encoding="utf-8-sig", dtype=str)["external_id"].tolist()
    assert ids == ["crm:account:A1", "crm:account:A2", "crm:account:A10"]  # natural order


def test_crosswalk_maps_every_old_id_to_its_external_id_file_and_row(tmp_path: Path) -> None:
    loaded(tmp_path, "salesforce")
    crosswalk = pd.read_csv(tmp_path / "crosswalk.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(crosswalk.columns) == ["entity", "source_system", "old_id", "external_id", "file", "row"]
    expected = {(e, i) for e, frame in (("owner", owners()), ("account", accounts()), ("contact", contacts())) for i in frame["external_id"]}
    assert set(zip(crosswalk["entity"], crosswalk["external_id"])) == expected and len(crosswalk) == len(expected)
    for entry in crosswalk.itertuples():
        assert entry.external_id == f"{entry.source_system}:{entry.entity}:{entry.old_id}"
        lines = (tmp_path / entry.file).read_text(encoding="utf-8-sig").splitlines()
        assert lines[int(entry.row) - 1].startswith(entry.external_id + ",")


def test_partial_update_delete_and_a_record_the_formats_disagree_on(tmp_path: Path) -> None:
    target = loaded(tmp_path)
    moved = target.update_fields("account", pd.DataFrame({"external_id": ["crm:account:A1", "crm:account:A404"], "owner_external_id": ["crm:owner:U2"] * 2}))
    assert moved["status"].tolist() == ["updated", "rejected"] and moved["error"][1] == "NOT_FOUND: no record with this external id"
    back = target.read_by_ids("account", ["crm:account:A1"]).iloc[0]
    assert back["owner_external_id"] == "crm:owner:U2" and back["name"] == "Müller & Söhne"
    assert target.delete("contact", ["crm:contact:C2", "crm:contact:C404"]) == 1
    assert target.lookup("contact", ["crm:contact:C1", "crm:contact:C2"]) == {"crm:contact:C1": "crm:contact:C1"}

    book = load_workbook(tmp_path / "accounts.xlsx")
    book.active.cell(2, 2).value = "edited by hand"  # crm:account:A1's name in the sheet only
    book.save(tmp_path / "accounts.xlsx")
    held = target.read_by_ids("account", ["crm:account:A1", "crm:account:A2"])
    assert held["external_id"].tolist() == ["crm:account:A2"]


def test_prepare_rewrites_an_xlsx_a_crash_left_behind(tmp_path: Path) -> None:
    loaded(tmp_path)
    (tmp_path / "contacts.xlsx").unlink()
    target = crm_at(tmp_path)
    assert (tmp_path / "contacts.xlsx").exists()
    assert len(target.read_by_ids("contact", ["crm:contact:C1", "crm:contact:C2"])) == 2


def test_csv_only_and_bad_folders(tmp_path: Path) -> None:
    target = crm_at(tmp_path / "csv", formats=("csv",))
    target.upsert("owner", owners())
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["crosswalk.csv", "users.csv"]
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(TargetError, match="is a file"):
        FilesCRM(tmp_path / "a-file")
    clash = FilesCRM(tmp_path / "clash", template="hubspot")
    with pytest.raises(TargetError, match="Phone Number"):
        clash.prepare(EntitySchema("contact", {"phone": "phone", "phone_number": "phone"}))


def test_a_row_ending_in_empty_cells_reads_back(tmp_path: Path) -> None:
    target = crm_at(tmp_path)
    target.upsert("owner", owners())
    target.upsert("account", pd.DataFrame({"external_id": ["crm:account:A1"], "name": ["Only a name"]}))
    assert target.read_by_ids("account", ["crm:account:A1"])["name"].tolist() == ["Only a name"]
