"""Entities beyond the built-in five: custom objects, leads converted for a target that keeps none, links by
business key, and files of one entity whose headers differ. Shaped unlike the demo: a project-management CRM
with projects, customers keyed by registration number, and leads from a web form and a trade-show scanner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from handover.cleaning.stage import clean_entity
from handover.spec import MigrationSpec, SpecError, load_spec
from tests.unit.test_cleaning_stage import raw_frame

ACCOUNT_COLUMNS = ["cust_no", "company", "homepage", "reg_no"]
PROJECT_COLUMNS = ["proj", "title", "budget", "customer", "customer_site", "reg"]


def spec_data(**changes: Any) -> dict:
    entities = {
        "account": {"from": "customers.csv", "id": "cust_no", "fields": {"name": "company", "website": "homepage", "registration": "reg_no"},
                    "required": ["name"]},
        "project": {"custom": True, "from": "projects.csv", "id": "proj",
                    "fields": {"title": "title", "budget": {"from": "budget", "type": "number"}},
                    "links": {"account": {"from": ["customer", "customer_site"], "by": ["name", "domain"]}}},
    }
    for name, change in changes.items():
        entities[name] = change if name not in entities else {**entities[name], **change}
    return {"migration": "pm", "source": {"type": "files", "path": "exports", "system": "pm", "timezone": "Europe/Berlin"},
            "target": {"type": "duckdb", "path": "work/crm.duckdb"}, "entities": entities}


def make_spec(tmp_path: Path, data: dict) -> MigrationSpec:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_spec(path)


def spec_error(tmp_path: Path, data: dict) -> str:
    with pytest.raises(SpecError) as caught:
        make_spec(tmp_path, data)
    return str(caught.value)


def customers() -> pd.DataFrame:
    return raw_frame("customers.csv", ACCOUNT_COLUMNS, [
        ["K1", "Nordlicht GmbH", "https://nordlicht.de", "HRB 1"],
        ["K2", "Nordlicht GmbH", "https://www.nordlicht-bau.de", "HRB 2"],  # same name, another company
        ["K3", "Fjord AS", "fjord.no", "NO 3"],
    ])


def cleaned_accounts(spec: MigrationSpec):
    return clean_entity(customers(), "account", spec)


# --- the spec -------------------------------------------------------------------------------------


def test_a_custom_object_loads_after_what_it_links_to(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, spec_data())
    assert spec.ordered_entities() == ["account", "project"]
    assert spec.links_of("project") == {"account": "account"}
    assert spec.entities["project"].field_specs("project")["title"].type == "string"


def test_a_misspelt_built_in_is_not_taken_for_a_custom_object(tmp_path: Path) -> None:
    data = spec_data(contacts={"from": "c.csv", "id": "cid", "fields": {"email": "mail"}})
    message = spec_error(tmp_path, data)
    assert "entities.contacts: 'contacts' is not a built-in entity (did you mean 'contact'?)" in message and "custom: true" in message
    data["entities"]["contacts"]["custom"] = True
    assert "contacts" in make_spec(tmp_path, data).entities


def test_a_key_field_the_linked_entity_lacks_is_named_with_its_fields(tmp_path: Path) -> None:
    message = spec_error(tmp_path, spec_data(project={"links": {"account": {"from": "customer", "by": "vat_id"}}}))
    assert "entities.project.links.account.by: account has no field 'vat_id'" in message and "registration" in message
    message = spec_error(tmp_path, spec_data(project={"links": {"account": {"from": "customer", "by": ["name", "domain"]}}}))
    assert "1 column(s) in from but 2 field(s) in by" in message


def test_conversion_names_what_it_cannot_make(tmp_path: Path) -> None:
    lead = {"from": "leads.csv", "id": "lid", "fields": {"full_name": "name", "company": "firm"}, "convert": {"contact": {}, "deal": {"name": "company"}}}
    message = spec_error(tmp_path, spec_data(lead=lead))
    assert "leads convert into contact, which the spec does not migrate" in message
    assert "a deal is made from a lead that has an amount: map the deal's amount" in message
    account = {"from": "customers.csv", "id": "cust_no", "fields": {"name": "company"}, "convert": {"contact": {}}}
    assert "convert is for leads" in spec_error(tmp_path, spec_data(account=account))


# --- links by business key --------------------------------------------------------------------------


def test_links_by_name_and_domain_resolve_and_report_ambiguous_and_missing_rows(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, spec_data())
    targets = {"account": cleaned_accounts(spec).link_target()}
    raw = raw_frame("projects.csv", PROJECT_COLUMNS, [
        ["P1", "Bridge", "1000", "NORDLICHT GMBH ", "nordlicht-bau.de", None],  # case, spacing; the website's domain
        ["P2", "Tunnel", "2000", "Fjord AS", "http://www.fjord.no/kontakt", None],
        ["P3", "Dam", "3000", "Nordlicht GmbH", "nordlicht.example", None],  # no such name and domain
        ["P4", "Road", "4000", None, None, None],  # no customer at all: nothing to report
    ])
    result = clean_entity(raw, "project", spec, targets)
    links = dict(zip(result.records["source_id"], result.records["account_external_id"]))
    assert links == {"P1": "pm:account:K2", "P2": "pm:account:K3", "P3": None, "P4": None}
    issues = result.issues.set_index("source_id")
    assert list(issues.index) == ["P3"] and issues.loc["P3", "code"] == "orphan_link"
    assert "name = 'Nordlicht GmbH' and domain = 'nordlicht.example'" in issues.loc["P3", "value"]
    assert json.loads(result.records.set_index("source_id").loc["P3", "extras"])["unresolved_links"]["account"] == "Nordlicht GmbH | nordlicht.example"


def test_an_ambiguous_name_is_flagged_or_quarantined_as_the_link_says(tmp_path: Path) -> None:
    raw = raw_frame("projects.csv", PROJECT_COLUMNS, [["P1", "Bridge", "1", "Nordlicht GmbH", None, None], ["P2", "Road", "2", "Fjord AS", None, None]])
    flag = make_spec(tmp_path, spec_data(project={"links": {"account": {"from": "customer", "by": "name"}}}))
    flagged = clean_entity(raw, "project", flag, {"account": cleaned_accounts(flag).link_target()})
    issue = flagged.issues.iloc[0]
    assert (issue["source_id"], issue["code"]) == ("P1", "ambiguous_link") and "pm:account:K1, pm:account:K2" in issue["value"]
    assert sorted(flagged.records["source_id"]) == ["P1", "P2"]
    strict = make_spec(tmp_path, spec_data(project={"links": {"account": {"from": "customer", "by": "name", "ambiguous": "quarantine"}}}))
    quarantined = clean_entity(raw, "project", strict, {"account": cleaned_accounts(strict).link_target()})
    row = quarantined.quarantine.iloc[0]
    assert (row["source_id"], row["reason"], row["field"]) == ("P1", "ambiguous_link", "account") and "2 records have name" in row["detail"]
    assert quarantined.records["source_id"].tolist() == ["P2"]


def test_link_alternatives_are_tried_in_order(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, spec_data(project={"links": {"account": [
        {"from": "reg", "by": "registration"}, {"from": "customer", "by": "name"}]}}))
    raw = raw_frame("projects.csv", PROJECT_COLUMNS, [
        ["P1", "Bridge", "1", "Nordlicht GmbH", None, "hrb 2"],  # the number settles what the name cannot
        ["P2", "Road", "2", "Fjord AS", None, None],  # no number: by name
        ["P3", "Dam", "3", "Fjord AS", None, "HRB 9"],  # an unknown number, then the name
    ])
    result = clean_entity(raw, "project", spec, {"account": cleaned_accounts(spec).link_target()})
    assert dict(zip(result.records["source_id"], result.records["account_external_id"])) == {
        "P1": "pm:account:K2", "P2": "pm:account:K3", "P3": "pm:account:K3"}
    assert result.issues.empty


# --- leads converted ---------------------------------------------------------------------------------


LEAD_COLUMNS = ["lid", "name", "mail", "firm", "value"]


def test_leads_convert_and_an_existing_contact_keeps_its_id(tmp_path: Path) -> None:
    lead = {"from": "leads.csv", "id": "lid", "fields": {"full_name": "name", "email": "mail", "company": "firm", "amount": "value"},
            "dedup": {"rules": ["email"]}, "convert": {"contact": {}, "account": {}, "deal": {}}}
    contact = {"from": "people.csv", "id": "pid", "fields": {"first_name": "first", "last_name": "last", "email": "mail"},
               "links": {"account": "cust"}, "required": ["last_name|email"], "dedup": {"rules": ["email"]}}
    deal = {"from": "deals.csv", "id": "did", "fields": {"name": "title", "amount": "amount"}, "links": {"account": "cust", "contact": "pid"}}
    spec = make_spec(tmp_path, spec_data(lead=lead, contact=contact, deal=deal))
    assert spec.ordered_entities()[:4] == ["lead", "account", "contact", "deal"]
    leads = clean_entity(raw_frame("leads.csv", LEAD_COLUMNS, [
        ["L1", "王小明", "wang@fjord.no", "Fjord AS", "¥12,000"],
        ["L2", "Eva Berg", "eva@berg.no", None, None],
        ["L3", "Wang Xiaoming", "WANG@fjord.no", "Fjord AS", None],  # the same person as L1
    ]), "lead", spec)
    conversions = leads.conversions.set_index(["external_id", "to_entity"])
    assert sorted(conversions.index) == [("pm:lead:L1", "account"), ("pm:lead:L1", "contact"), ("pm:lead:L1", "deal"), ("pm:lead:L2", "contact")]
    assert json.loads(conversions.loc[("pm:lead:L1", "deal"), "record"])["amount"] == 12000.0
    lineage = leads.lineage.set_index("source_id")
    assert lineage.loc["L3", "rule"] == "exact:email" and lineage.loc["L1", "rule"] == "converted"
    assert lineage.loc["L1", "golden_external_id"] == "pm:contact:lead:L1"

    account_spec_rows = clean_entity(customers(), "account", spec, converted=leads.conversions.query("to_entity == 'account'"))
    people = raw_frame("people.csv", ["pid", "first", "last", "mail", "cust"], [["C7", "Xiaoming", "Wang", "wang@fjord.no", "K3"]])
    contacts = clean_entity(people, "contact", spec, {"account": account_spec_rows.link_target()},
                            converted=leads.conversions.query("to_entity == 'contact'"))
    records = contacts.records.set_index("source_id")
    assert sorted(records.index) == ["C7", "lead:L2"]  # L1 became C7, which keeps its id and its account
    assert records.loc["C7", "account_external_id"] == "pm:account:K3"
    assert records.loc["lead:L2", "first_name"] == "Eva" and records.loc["lead:L2", "last_name"] == "Berg"
    merged = contacts.lineage.set_index("source_id")
    assert merged.loc["lead:L1", "golden_external_id"] == "pm:contact:C7"
    assert merged.loc["lead:L1", "row_key"] == "leads.csv:2>contact"


# --- files whose headers differ ---------------------------------------------------------------------


def test_files_with_different_headers_are_staged_under_the_spec_names(tmp_path: Path) -> None:
    from connectors.sources import open_source

    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "leads_cn.csv").write_bytes("线索ID,姓名,邮箱\nX1,王小明,wang@fjord.no\n".encode("gb18030"))
    (exports / "web.csv").write_text("\ufeffLead ID,Full Name,E-mail,Campaign\nW1,Eva Berg,eva@berg.no,Spring\n", encoding="utf-8")
    lead = {"from": [{"file": "leads_cn.csv", "encoding": "gb18030"}, {"file": "web.csv", "columns": {"线索ID": "Lead ID", "姓名": "Full Name", "邮箱": "E-mail"}}],
            "id": "线索ID", "fields": {"full_name": "姓名", "email": "邮箱"}}
    spec = make_spec(tmp_path, spec_data(lead=lead))
    source = open_source(spec)
    assert [p for p in source.check() if p.stream == "lead"] == []
    tables = list(source.dlt_source().resources["lead"])
    frame = pd.concat([t.to_pandas() for t in tables], ignore_index=True)
    assert frame[["线索id", "姓名", "邮箱", "_source_file"]].values.tolist() == [
        ["X1", "王小明", "wang@fjord.no", "leads_cn.csv"], ["W1", "Eva Berg", "eva@berg.no", "web.csv"]]
    assert frame["campaign"].tolist()[1] == "Spring"  # an unmapped column of one file is kept
    broken = spec_data(lead={**lead, "from": ["leads_cn.csv", {"file": "web.csv", "columns": {"线索ID": "Lead No"}}]})
    problems = [p for p in open_source(make_spec(tmp_path, broken)).check() if p.stream == "lead"]
    assert any("web.csv" in p.message and "Lead No" in p.message for p in problems)


def test_a_link_naming_a_record_merged_into_another_finds_the_golden_one(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, spec_data(account={"dedup": {"rules": ["website"]}}, project={"links": {"account": {"from": "customer", "by": "name"}}}))
    accounts = clean_entity(raw_frame("customers.csv", ACCOUNT_COLUMNS, [
        ["K1", "Fjord AS", "https://fjord.no", None], ["K4", "Fjordbyggeriet", "fjord.no", None]]), "account", spec)
    assert accounts.records["source_id"].tolist() == ["K1"] and accounts.aliases["row_key"].tolist() == ["customers.csv:2", "customers.csv:3"]
    raw = raw_frame("projects.csv", PROJECT_COLUMNS, [["P1", "Quay", "1", "fjordbyggeriet", None, None]])
    result = clean_entity(raw, "project", spec, {"account": accounts.link_target()})
    assert result.records["account_external_id"].tolist() == ["pm:account:K1"] and result.issues.empty
