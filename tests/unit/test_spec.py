"""handover.spec: loading the demo spec, and error messages that name file, line and YAML path."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from handover.spec import MigrationSpec, SpecError, json_schema, load_spec, where_in_spec

ROOT = Path(__file__).resolve().parents[2]

# Line numbers matter: tests assert them. Keep the comments in sync when editing.
BASE = """\
migration: t
source:
  type: files
  path: exports
  timezone: Asia/Shanghai
target: {type: duckdb, path: work/crm.duckdb}
owners:
  departed: {policy: successor, successor_of: {U8: U2}, fallback: U1}
entities:
  owner:
    from: users.csv
    id: user_id
    fields: {name: full_name, email: email}
  account:
    from: accounts.csv
    id: account_id
    owner: owner_id
    fields: {name: account_name, website: website}
  contact:
    from: contacts.csv
    id: contact_id
    owner: owner_id
    fields:
      first_name: first_name
      last_name: last_name
      email: email
      phone: phone
    links: {account: account_id}
"""
ENTITY_NAMES = ("owner", "account", "contact", "deal", "activity")


def write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def edited(old: str, new: str) -> str:
    assert old in BASE, f"test bug: {old!r} is not in BASE"
    return BASE.replace(old, new, 1)


def error_of(tmp_path: Path, text: str) -> tuple[Path, str]:
    path = write(tmp_path, text)
    with pytest.raises(SpecError) as info:
        load_spec(path)
    return path, str(info.value)


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing needle."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def assert_names(message: str, path: Path, line: int, dotted: str) -> None:
    assert f"{path}:{line}: {dotted}:" in message, message


# --- valid specs -----------------------------------------------------------------------------------


def test_demo_spec_loads() -> None:
    spec = load_spec(ROOT / "pipelines" / "demo.yaml")
    assert isinstance(spec, MigrationSpec)
    assert spec.migration == "demo"
    assert spec.ordered_entities() == list(ENTITY_NAMES)
    assert spec.base_dir == (ROOT / "pipelines").resolve()
    assert spec.source_dir == (ROOT / ".handover" / "demo" / "exports").resolve()
    assert spec.owners.departed.successor_of["U008"] == "U002"
    deal_fields = spec.entities["deal"].field_specs("deal")
    assert deal_fields["amount"].type == "number" and deal_fields["amount"].from_ == "amount"


def test_base_spec_loads_and_fills_defaults(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, BASE))
    assert spec.ordered_entities() == ["owner", "account", "contact"]
    assert spec.source.encoding == "auto" and spec.source.system == "legacy" and spec.owners.match_by == "email"
    fields = spec.entities["contact"].field_specs("contact")
    assert fields["email"].type == "email" and fields["phone"].type == "phone"
    assert spec.target_path == (tmp_path / "work" / "crm.duckdb").resolve()
    assert spec.staging_path == (tmp_path / ".handover" / "t" / "staging.duckdb").resolve()


def test_where_in_spec_names_line_of_a_loaded_spec(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    spec = load_spec(path)
    assert where_in_spec(spec, ("entities", "contact", "links", "account")) == f"{path}:{line_of(BASE, 'links:')}: entities.contact.links.account"


def test_json_schema_describes_entities() -> None:
    schema = json_schema()
    assert isinstance(schema, dict)
    assert "entities" in schema["properties"]
    assert set(schema["required"]) >= {"migration", "source", "target", "entities"}
    assert "base_dir" not in schema["properties"]


# --- unknown keys and names ------------------------------------------------------------------------


def test_unknown_top_level_key(tmp_path: Path) -> None:
    text = BASE + "descripton: typo\n"
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "descripton"), "descripton")
    assert "unknown key" in message
    assert "valid keys: migration, description, source, target, work, owners, entities, gates" in message
    assert "did you mean 'description'?" in message


def test_unknown_entity_key_suggests_the_right_one(tmp_path: Path) -> None:
    text = edited("    id: contact_id\n", "    id: contact_id\n    feilds: {x: y}\n")
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "feilds"), "entities.contact.feilds")
    assert "did you mean 'fields'?" in message
    assert "valid keys: from, sheet, encoding, id, owner, fields" in message


def test_unknown_entity_name_lists_valid_entities(tmp_path: Path) -> None:
    text = BASE + "  acount:\n    from: a.csv\n    id: a\n    fields: {name: n}\n"
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "acount:"), "entities.acount")
    for name in ENTITY_NAMES:
        assert repr(name) in message


def test_unknown_field_type(tmp_path: Path) -> None:
    text = edited("      email: email\n", "      email: {from: email, type: emial}\n")
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "emial"), "entities.contact.fields.email.type")
    assert "unknown type 'emial'" in message
    assert "valid: string, text, email, phone" in message
    assert message.count(f"{path}:") == 1, "the short form's failure must not be reported as well"


def test_field_type_that_contradicts_canonical_type(tmp_path: Path) -> None:
    text = edited("      email: email\n", "      email: {from: email, type: number}\n")
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "type: number"), "entities.contact.fields.email")
    assert "email field" in message


def test_unknown_link(tmp_path: Path) -> None:
    text = edited("links: {account: account_id}", "links: {acount: account_id}")
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "acount"), "entities.contact.links.acount")
    assert "contact has no link 'acount'; valid: account" in message


def test_link_to_an_entity_not_migrated(tmp_path: Path) -> None:
    start, end = BASE.index("  account:\n"), BASE.index("  contact:\n")
    text = BASE[:start] + BASE[end:]
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "links:"), "entities.contact.links.account")
    assert "does not migrate" in message


def test_picklist_on_unmapped_field(tmp_path: Path) -> None:
    text = BASE + "    picklists: {industry: {a: b}}\n"
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "picklists"), "entities.contact.picklists.industry")
    assert "picklist for unmapped field 'industry'; mapped fields: email, first_name, last_name, phone" in message


def test_required_field_not_mapped(tmp_path: Path) -> None:
    text = BASE + '    required: ["last_name|titel"]\n'
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "required"), "entities.contact.required")
    assert "required field 'titel' is not mapped" in message
    assert "'last_name'" not in message


def test_dedup_rule_with_unknown_field(tmp_path: Path) -> None:
    text = BASE + "    dedup:\n      rules:\n        - email\n        - phone+nmae\n"
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "phone+nmae"), "entities.contact.dedup.rules.1")
    assert "unknown field 'nmae'" in message
    assert "usable: domain, email, first_name, last_name, name, phone" in message  # virtual fields included


def test_bad_time_zone_suggests_a_close_one(tmp_path: Path) -> None:
    text = edited("timezone: Asia/Shanghai", "timezone: Asia/Shanghia")
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "Shanghia"), "source.timezone")
    assert "unknown time zone 'Asia/Shanghia'; did you mean Asia/Shanghai" in message


def test_bad_encoding(tmp_path: Path) -> None:
    text = edited("  path: exports\n", "  path: exports\n  encoding: utf-9\n")
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "utf-9"), "source.encoding")
    assert "unknown encoding 'utf-9'" in message and "gb18030" in message


def test_successor_policy_needs_a_fallback(tmp_path: Path) -> None:
    text = edited(", fallback: U1}", "}")
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "departed:"), "owners.departed.fallback")
    assert "policy 'successor' needs a fallback owner id" in message


def test_bad_policy_lists_choices(tmp_path: Path) -> None:
    text = edited("policy: successor", "policy: inherit")
    path, message = error_of(tmp_path, text)
    assert_names(message, path, line_of(text, "inherit"), "owners.departed.policy")
    assert "must be one of: 'successor', 'fallback' or 'keep'" in message


def test_missing_required_key(tmp_path: Path) -> None:
    text = edited("    id: contact_id\n", "")
    path, message = error_of(tmp_path, text)
    assert f"{path}:{line_of(text, '  contact:')}: entities.contact.id: required key is missing" in message


def test_every_problem_is_reported(tmp_path: Path) -> None:
    text = edited("links: {account: account_id}", "links: {acount: account_id}") + '    required: [titel]\n'
    _, message = error_of(tmp_path, text)
    assert "entities.contact.links.acount" in message and "entities.contact.required" in message


# --- files that are not specs ----------------------------------------------------------------------


def test_invalid_yaml_names_line_and_column(tmp_path: Path) -> None:
    text = "migration: t\nsource: {type: files\ntarget: x\n"
    path, message = error_of(tmp_path, text)
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: not valid YAML", message), message


def test_tab_indentation_is_invalid_yaml_at_its_line(tmp_path: Path) -> None:
    text = "migration: t\nsource:\n\ttype: files\n"
    path, message = error_of(tmp_path, text)
    assert message.startswith(f"{path}:3:1: not valid YAML"), message


def test_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SpecError, match="spec file not found") as info:
        load_spec(missing)
    assert str(missing) in str(info.value)


@pytest.mark.parametrize("text", ["- a\n- b\n", "just a string\n", ""])
def test_not_a_mapping(tmp_path: Path, text: str) -> None:
    path, message = error_of(tmp_path, text)
    assert message.startswith(f"{path}: a spec is a YAML mapping"), message


def test_undecodable_file(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_bytes("migration: 客户\n".encode("gb18030"))
    with pytest.raises(SpecError, match="cannot read spec file") as info:
        load_spec(path)
    assert str(path) in str(info.value)
