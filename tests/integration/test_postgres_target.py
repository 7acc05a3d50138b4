"""The PostgreSQL target against the real server: upsert by external id, rejections one by one with the database's
reason, reads by ids, partial updates, deletes, and one clear message for a server it cannot use."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pandas as pd
import psycopg
import pytest

from connectors.targets.postgres_crm import PostgresCRM
from handover.ports import EntitySchema, Target, TargetError
from tests.integration.pg import admin, scratch_database

ACCOUNT_TYPES = {"name": "company", "annual_revenue": "number", "website": "url", "founded": "date", "employees": "integer"}
CONTACT_TYPES = {"last_name": "person_name", "email": "email", "notes": "text", "vip": "boolean", "seen_at": "datetime"}


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with scratch_database("handover_pgtarget") as url:
        yield url


@pytest.fixture
def crm(database: str) -> Iterator[PostgresCRM]:
    schema = f"crm_{uuid.uuid4().hex[:8]}"  # a schema per test, so tests do not see each other's rows
    target = PostgresCRM(database, schema)
    target.prepare(EntitySchema("owner", {"name": "person_name", "email": "email"}))
    target.prepare(EntitySchema("account", ACCOUNT_TYPES, has_owner=True))
    target.prepare(EntitySchema("contact", CONTACT_TYPES, {"account": "account"}, has_owner=True))
    target.upsert("owner", pd.DataFrame({"external_id": ["o:1", "o:2"], "name": ["Boss", "Deputy"], "email": ["boss@x.com", "dep@x.com"]}))
    yield target
    target.close()


def accounts(n: int, **columns: list) -> pd.DataFrame:
    base = {"external_id": [f"a:{i}" for i in range(1, n + 1)], "name": [f"Acme {i}" for i in range(1, n + 1)],
            "annual_revenue": [100.5] * n, "website": ["https://acme.example"] * n, "founded": [pd.Timestamp("2001-02-03")] * n,
            "employees": [12] * n, "owner_external_id": ["o:1"] * n}
    return pd.DataFrame({**base, **columns})


def outcome(results: pd.DataFrame) -> dict[str, tuple[str, str | None]]:
    return {e: (s, None if pd.isna(r) else r) for e, s, r in zip(results["external_id"], results["status"], results["error"])}


def rows_of(crm: PostgresCRM, table: str) -> list[tuple]:
    return crm.con.execute(f'SELECT external_id, name, owner_id, system_modified_at FROM "{crm.schema}"."{table}" ORDER BY external_id').fetchall()


def test_is_a_target_with_honest_capabilities(crm: PostgresCRM) -> None:
    assert isinstance(crm, Target)
    caps = crm.capabilities
    assert caps.upsert_by_external_id and caps.partial_update and caps.delete and caps.read_by_ids and caps.read_modified_since
    assert caps.calls_per_second is None and caps.lookup_is_cheap


def test_upsert_creates_updates_and_leaves_unchanged_records_alone(crm: PostgresCRM) -> None:
    first = crm.upsert("account", accounts(3))
    assert first["status"].tolist() == ["created"] * 3
    ids = dict(zip(first["external_id"], first["target_id"]))
    assert len(set(ids.values())) == 3 and all(i.isdigit() for i in ids.values())
    before = rows_of(crm, "accounts")

    second = crm.upsert("account", accounts(4, name=["Acme 1", "Acme Two", "Acme 3", "Acme 4"]).iloc[[3, 1, 0, 2]])
    assert second["external_id"].tolist() == ["a:4", "a:2", "a:1", "a:3"]  # results in input order
    assert second["status"].tolist() == ["created", "updated", "unchanged", "unchanged"]
    assert {e: t for e, t in zip(second["external_id"], second["target_id"]) if e in ids} == ids
    after = {r[0]: r for r in rows_of(crm, "accounts")}
    assert after["a:1"] == before[0] and after["a:3"] == before[2]  # not even the modified stamp moved
    assert after["a:2"][1] == "Acme Two" and after["a:2"][3] > before[1][3]
    assert second.set_index("external_id").loc["a:2", "target_version"] == after["a:2"][3].isoformat()
    assert crm.lookup("account", ["a:1", "a:2", "a:404"]) == {"a:1": ids["a:1"], "a:2": ids["a:2"]}


def test_rows_the_table_refuses_are_rejected_one_by_one_with_the_database_reason(crm: PostgresCRM) -> None:
    batch = accounts(
        7,
        name=["fine", "x" * 256, "negative", None, "unknown owner", "also fine", "fine again"],
        annual_revenue=[1.0, 1.0, -5.0, 1.0, 1.0, 2.0, 3.0],
        owner_external_id=["o:1", "o:1", "o:1", "o:1", "o:404", "o:2", None],
    )
    results = outcome(crm.upsert("account", batch))
    assert results["a:1"] == ("created", None)
    assert results["a:6"] == ("created", None) and results["a:7"] == ("created", None)
    assert results["a:2"] == ("rejected", "value too long for type character varying(255)")
    assert results["a:3"][0] == "rejected" and 'violates check constraint "accounts_annual_revenue_check"' in results["a:3"][1]
    assert results["a:4"][0] == "rejected" and 'null value in column "name"' in results["a:4"][1] and "not-null" in results["a:4"][1]
    assert results["a:5"] == ("rejected", "violates foreign key: owner o:404 is not present in table users")
    assert [r[0] for r in rows_of(crm, "accounts")] == ["a:1", "a:6", "a:7"]

    contacts = pd.DataFrame({
        "external_id": ["c:1", "c:2", "c:3", "c:4", "c:4"], "last_name": ["Lee", None, "Wu", "王", "王五"],
        "email": ["not-an-email", None, "wu@x.com", None, None], "notes": [None, None, "n" * 300, None, None],
        "vip": [True, None, False, None, None], "seen_at": [pd.Timestamp("2024-05-01 08:00", tz="Asia/Shanghai")] * 5,
        "account_external_id": ["a:1", "a:1", "a:6", None, None],
    })
    results = crm.upsert("contact", contacts)
    assert results["status"].tolist()[:3] == ["rejected", "rejected", "created"]
    assert 'violates check constraint "contacts_email_check"' in results["error"][0]
    assert 'violates check constraint "contacts_needs_last_name_or_email"' in results["error"][1]
    # The same external id twice in one batch: the first creates, the second updates it.
    assert results["status"].tolist()[3:] == ["created", "updated"]
    assert crm.read_by_ids("contact", ["c:4"])["last_name"].tolist() == ["王五"]


def test_a_value_the_column_type_cannot_hold_is_rejected_not_the_batch(crm: PostgresCRM) -> None:
    batch = accounts(3, employees=[5, 10**20, 7], annual_revenue=[1.0, 2.0, "lots"])
    results = outcome(crm.upsert("account", batch))
    assert results["a:1"] == ("created", None)
    assert results["a:2"] == ("rejected", "bigint out of range")
    assert results["a:3"][0] == "rejected" and "invalid input syntax for type numeric" in results["a:3"][1]


def test_read_back_gives_typed_fields_and_references_by_external_id(crm: PostgresCRM) -> None:
    crm.upsert("account", accounts(2))
    crm.upsert("contact", pd.DataFrame({
        "external_id": ["c:1"], "last_name": ["李"], "email": ["li@x.com"], "notes": ["长文本"], "vip": [True],
        "seen_at": [pd.Timestamp("2024-05-01 08:00", tz="Asia/Shanghai")], "account_external_id": ["a:2"], "owner_external_id": ["o:2"],
    }))
    back = crm.read_by_ids("contact", ["c:1", "c:404"])
    assert len(back) == 1
    row = back.iloc[0]
    assert (row["external_id"], row["last_name"], row["notes"], row["vip"]) == ("c:1", "李", "长文本", True)
    assert (row["owner_external_id"], row["account_external_id"]) == ("o:2", "a:2")
    assert pd.Timestamp(row["seen_at"]) == pd.Timestamp("2024-05-01 00:00", tz="UTC")
    assert row["target_id"] == crm.lookup("contact", ["c:1"])["c:1"]
    account = crm.read_by_ids("account", ["a:1"]).iloc[0]
    assert account["annual_revenue"] == 100.5 and str(account["founded"]) == "2001-02-03" and account["employees"] == 12


def test_partial_update_changes_only_the_owner_and_delete_removes(crm: PostgresCRM) -> None:
    crm.upsert("account", accounts(2))
    moved = crm.update_fields("account", pd.DataFrame({"external_id": ["a:2", "a:404", "a:1"], "owner_external_id": ["o:2", "o:2", "o:404"]}))
    assert moved["status"].tolist() == ["updated", "rejected", "rejected"]
    assert moved["error"][1] == "not found: no record with this external id"
    assert "o:404" in moved["error"][2]
    back = crm.read_by_ids("account", ["a:1", "a:2"]).set_index("external_id")
    assert back.loc["a:2", "owner_external_id"] == "o:2" and back.loc["a:2", "name"] == "Acme 2"
    assert back.loc["a:1", "owner_external_id"] == "o:1"
    since = back.loc["a:1", "target_version"]
    assert crm.read_modified_since("account", since)["external_id"].tolist() == ["a:2"]
    assert crm.delete("account", ["a:1", "a:404"]) == 1
    assert crm.lookup("account", ["a:1", "a:2"]).keys() == {"a:2"}


def test_owner_without_an_external_id_is_adopted_by_email(crm: PostgresCRM) -> None:
    crm.con.execute(f'INSERT INTO "{crm.schema}".users (name, email) VALUES (%s, %s)', ["Admin-made", "Made@X.com"])
    made = crm.con.execute(f'SELECT id::text FROM "{crm.schema}".users WHERE email = %s', ["Made@X.com"]).fetchone()[0]
    results = crm.upsert("owner", pd.DataFrame({"external_id": ["o:9"], "name": ["Made"], "email": ["made@x.com"]}), match_by="email")
    assert results["status"].tolist() == ["updated"] and results["target_id"].tolist() == [made]
    clash = crm.upsert("owner", pd.DataFrame({"external_id": ["o:10"], "name": ["Clash"], "email": ["BOSS@x.com"]}), match_by="email")
    assert clash["status"].tolist() == ["rejected"] and "users_email_unique" in clash["error"][0]


def test_unreachable_server_and_unknown_role_name_the_host_never_the_password() -> None:
    with pytest.raises(TargetError) as unreachable:
        PostgresCRM("postgresql://crm:s3cret-pw@127.0.0.1:1/crm", "crm")
    assert unreachable.value.user_error
    message = str(unreachable.value)
    assert "127.0.0.1:1/crm" in message and "schema crm" in message and "s3cret-pw" not in message

    with pytest.raises(TargetError) as refused:
        PostgresCRM(f"postgresql://nobody_{uuid.uuid4().hex[:6]}:s3cret-pw@127.0.0.1:5432/postgres", "crm")
    assert refused.value.user_error and "127.0.0.1:5432/postgres" in str(refused.value) and "s3cret-pw" not in str(refused.value)
    assert "does not exist" in str(refused.value) or "authentication failed" in str(refused.value)


def test_read_only_database_and_read_only_role_are_one_clear_message(database: str) -> None:
    schema = f"crm_{uuid.uuid4().hex[:8]}"
    with PostgresCRM(database, schema) as crm:
        crm.prepare(EntitySchema("owner", {"name": "person_name", "email": "email"}))
    role = f"handover_ro_{uuid.uuid4().hex[:8]}"
    dbname = database.rsplit("/", 1)[1]
    admin(f'CREATE ROLE "{role}" LOGIN')
    try:
        with psycopg.connect(database, autocommit=True) as con:
            con.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
            con.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
        with PostgresCRM(f"postgresql://{role}@127.0.0.1:5432/{dbname}", schema) as crm:
            with pytest.raises(TargetError) as denied:
                crm.prepare(EntitySchema("owner", {"name": "person_name", "email": "email"}))
        assert denied.value.user_error
        assert f"schema {schema}" in str(denied.value) and "users" in str(denied.value) and "127.0.0.1:5432" in str(denied.value)
    finally:
        with psycopg.connect(database, autocommit=True) as con:
            con.execute(f'DROP OWNED BY "{role}"')
        admin(f'DROP ROLE IF EXISTS "{role}"')

    with psycopg.connect(database, autocommit=True) as con:
        con.execute(f'ALTER DATABASE "{dbname}" SET default_transaction_read_only = on')
    try:
        with PostgresCRM(database, schema) as crm:
            with pytest.raises(TargetError) as read_only:
                crm.prepare(EntitySchema("owner", {"name": "person_name", "email": "email"}))
        assert read_only.value.user_error and "read-only" in str(read_only.value) and f"schema {schema}" in str(read_only.value)
    finally:
        with psycopg.connect(database, autocommit=True) as con:
            con.execute("SET default_transaction_read_only = off")
            con.execute(f'ALTER DATABASE "{dbname}" RESET default_transaction_read_only')


def test_url_is_not_a_postgres_url() -> None:
    with pytest.raises(TargetError, match="not a PostgreSQL connection URL"):
        PostgresCRM("postgresql://u:pw@host:notaport/db?sslmode=bogus&x==", "crm")

