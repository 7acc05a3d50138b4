"""The spec's kinds of source and target: discriminated by `type`, credentials only as environment references."""

from __future__ import annotations

from pathlib import Path

import pytest

from handover.spec import EnvRef, FilesSource, PostgresTarget, SpecError, SqlSource, load_spec, redact, resolve_url

SQL_SPEC = """\
migration: crm_sql
source:
  type: sql
  url: ${CRM_DB_URL}
  system: suitecrm
target:
  type: postgres
  url: {env: NEWCRM_URL}
  schema: newcrm
entities:
  account:
    from: {table: accounts, modified: date_modified, deleted: deleted, join: {accounts_cstm: id_c}}
    id: id
    fields: {name: name}
  contact:
    from: contacts
    id: id
    fields: {last_name: last_name}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error(tmp_path: Path, text: str) -> str:
    with pytest.raises(SpecError) as raised:
        load_spec(write(tmp_path, text))
    return str(raised.value)


def test_sql_source_and_postgres_target_hold_only_environment_references(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, SQL_SPEC))
    assert isinstance(spec.source, SqlSource) and spec.source.url == EnvRef(env="CRM_DB_URL")
    assert isinstance(spec.target, PostgresTarget) and spec.target.url == EnvRef(env="NEWCRM_URL")
    assert spec.target.db_schema == "newcrm" and spec.target_path is None
    account = spec.entities["account"].table
    assert (account.table, account.modified, account.deleted, account.join) == ("accounts", "date_modified", "deleted", {"accounts_cstm": "id_c"})
    assert spec.entities["contact"].table.table == "contacts"
    assert spec.work_dir == tmp_path.resolve() / ".handover" / "crm_sql"
    assert spec.target_label == "${NEWCRM_URL}"


def test_an_environment_reference_resolves_only_when_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDOVER_TEST_URL", raising=False)
    with pytest.raises(SpecError, match="HANDOVER_TEST_URL is not set"):
        resolve_url(EnvRef(env="HANDOVER_TEST_URL"))
    monkeypatch.setenv("HANDOVER_TEST_URL", "postgresql://u:secret@h/db")
    assert resolve_url(EnvRef(env="HANDOVER_TEST_URL")) == "postgresql://u:secret@h/db"


def test_a_password_written_in_the_spec_is_refused_without_echoing_it(tmp_path: Path) -> None:
    message = error(tmp_path, SQL_SPEC.replace("${CRM_DB_URL}", "mysql+pymysql://crm:hunter2@db.local/crm"))
    assert "spec.yaml:4: source.url" in message and "environment variable" in message
    assert "hunter2" not in message


def test_a_url_without_password_may_be_written(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, SQL_SPEC.replace("${CRM_DB_URL}", "postgresql://postgres@127.0.0.1/crm")))
    assert resolve_url(spec.source.url) == "postgresql://postgres@127.0.0.1/crm"


def test_redact_hides_passwords_in_urls() -> None:
    assert redact("cannot reach mysql+pymysql://crm:hunter2@db.local/crm: refused") == "cannot reach mysql+pymysql://crm:***@db.local/crm: refused"


def test_unknown_key_of_a_sql_source_suggests_the_sql_keys(tmp_path: Path) -> None:
    message = error(tmp_path, SQL_SPEC.replace("  system: suitecrm\n", "  system: suitecrm\n  chunk_row: 10\n"))
    assert "spec.yaml:6: source.chunk_row: unknown key" in message
    assert "chunk_rows" in message and "did you mean 'chunk_rows'" in message
    assert "encoding" not in message  # a files-source key is not offered for a SQL source


def test_unknown_kind_lists_the_kinds(tmp_path: Path) -> None:
    message = error(tmp_path, SQL_SPEC.replace("type: postgres", "type: hubspotx"))
    assert "target" in message and "duckdb" in message and "postgres" in message and "files" in message


def test_file_keys_are_refused_for_a_sql_source(tmp_path: Path) -> None:
    message = error(tmp_path, SQL_SPEC.replace("    from: contacts\n", "    from: contacts\n    sheet: Sheet1\n"))
    assert "entities.contact.sheet" in message and "export files" in message


def test_a_table_is_refused_for_a_files_source(tmp_path: Path) -> None:
    text = SQL_SPEC.replace("  type: sql\n  url: ${CRM_DB_URL}\n", "  type: files\n  path: exports\n")
    message = error(tmp_path, text)
    assert "entities.account.from" in message and "file name" in message


def test_type_may_be_left_out_for_the_defaults(tmp_path: Path) -> None:
    text = "migration: m\nsource: {path: exports}\ntarget: {path: crm.duckdb}\nentities:\n  account: {from: a.csv, id: id, fields: {name: n}}\n"
    spec = load_spec(write(tmp_path, text))
    assert isinstance(spec.source, FilesSource) and spec.target.type == "duckdb"
