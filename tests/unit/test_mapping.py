"""handover.mapping: picklists, owner resolution (过户), departed owners, links and content hashes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from handover.mapping import OwnerDirectory, content_hash, map_entity, resolve_owners
from handover.spec import MigrationSpec, SpecError, load_spec

INDUSTRY = {"IT服务": "Information Technology", "Finance": "Finance"}


def make_spec(tmp_path: Path, *, industry: dict[str, str | None] | None = None, departed: dict[str, Any] | None = None) -> MigrationSpec:
    data = {
        "migration": "t",
        "source": {"type": "files", "path": "exports", "system": "old"},
        "target": {"type": "duckdb", "path": "work/crm.duckdb"},
        "owners": {"departed": departed or {"policy": "successor", "successor_of": {"U8": "U2"}, "fallback": "U1"}},
        "entities": {
            "owner": {"from": "users.csv", "id": "user_id", "fields": {"name": "full_name", "email": "email"}},
            "account": {
                "from": "accounts.csv", "id": "account_id", "owner": "owner_id",
                "fields": {"name": "account_name", "industry": "industry", "employees": "staff"},
                "picklists": {"industry": INDUSTRY if industry is None else industry},
            },
            "contact": {
                "from": "contacts.csv", "id": "contact_id", "owner": "owner_id",
                "fields": {"last_name": "last_name", "email": {"from": "email", "target": "email_address"}},
                "links": {"account": "account_id"},
            },
        },
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_spec(path)


def plain(series: pd.Series) -> list:
    """Values with every kind of missing as None."""
    return [None if pd.isna(v) else v for v in series]


def directory() -> OwnerDirectory:
    """U1, U2 active; U8, U9 departed; U3 merged into U2 by the cleaned stage."""
    ids = {u: f"old:owner:{u}" for u in ("U1", "U2", "U8", "U9")}
    return OwnerDirectory(
        external_id={**ids, "U3": ids["U2"]},
        active={ids["U1"]: True, ids["U2"]: True, ids["U8"]: False, ids["U9"]: False},
        source_of={v: k for k, v in ids.items()},
    )


def accounts(rows: list[tuple[str, str | None, str | None]]) -> pd.DataFrame:
    """Cleaned accounts from (id, industry, owner id)."""
    return pd.DataFrame({
        "source_id": [r[0] for r in rows],
        "external_id": [f"old:account:{r[0]}" for r in rows],
        "row_key": [f"accounts.csv:{i + 2}" for i in range(len(rows))],
        "_source_file": "accounts.csv",
        "_source_line": [i + 2 for i in range(len(rows))],
        "name": [f"Company {r[0]}" for r in rows],
        "industry": [r[1] for r in rows],
        "employees": [10] * len(rows),
        "owner_source_id": [r[2] for r in rows],
        "extras": None,
    })


def mapped_industry(tmp_path: Path, values: list[str | None], industry: dict[str, str | None]) -> tuple[list, pd.DataFrame]:
    spec = make_spec(tmp_path, industry=industry)
    result = map_entity(accounts([(f"A{i}", v, "U1") for i, v in enumerate(values)]), "account", spec, directory(), {})
    by_id = dict(zip(result.records["source_id"], result.records["industry"]))
    return [by_id.get(f"A{i}", "<quarantined>") for i in range(len(values))], result.quarantine


# --- picklists -------------------------------------------------------------------------------------


def test_picklist_exact_and_case_insensitive(tmp_path: Path) -> None:
    values, quarantine = mapped_industry(tmp_path, ["IT服务", "Finance", "finance", "FINANCE", None], {**INDUSTRY, "*": "keep"})
    assert values == ["Information Technology", "Finance", "Finance", "Finance", None]
    assert quarantine.empty


def test_picklist_exact_match_wins_over_case_folded() -> None:
    from handover.mapping import _map_picklist

    values, unmapped = _map_picklist(pd.Series(["Retail", "retail"]), {"Retail": "R", "retail": "r"})
    assert values.tolist() == ["R", "r"] and not unmapped.any()


@pytest.mark.parametrize(
    ("other", "expected"),
    [("keep", "Mining"), ("null", None), (None, None), ("Other", "Other")],
    ids=["keep", "null", "yaml-null", "fixed-value"],
)
def test_picklist_star_says_what_to_do_with_other_values(tmp_path: Path, other: str | None, expected: str | None) -> None:
    values, quarantine = mapped_industry(tmp_path, ["Mining", "Finance"], {**INDUSTRY, "*": other})
    assert values == [expected, "Finance"]
    assert quarantine.empty


@pytest.mark.parametrize("star", [{}, {"*": "quarantine"}], ids=["absent", "explicit"])
def test_picklist_without_star_quarantines_unmapped_values(tmp_path: Path, star: dict) -> None:
    values, quarantine = mapped_industry(tmp_path, ["Mining", "Finance", None], {**INDUSTRY, **star})
    assert values == ["<quarantined>", "Finance", None]
    q = quarantine.iloc[0].to_dict()
    assert len(quarantine) == 1
    assert (q["row_key"], q["source_id"], q["field"], q["reason"], q["stage"]) == ("accounts.csv:2", "A0", "industry", "picklist_unmapped", "mapped")
    assert "Mining" in q["detail"] and "entities.account.picklists.industry" in q["detail"]


# --- owners ----------------------------------------------------------------------------------------


def test_owner_resolution_kinds(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    owner_ids = pd.Series(["U2", "U8", "U9", "U77", None, "U3", "U1"], dtype=object)
    owners, how = resolve_owners(spec, owner_ids, directory())
    assert how.tolist() == ["direct", "successor", "fallback:departed", "fallback:unknown_owner", "fallback:no_owner", "direct", "direct"]
    assert owners.tolist() == ["old:owner:U2", "old:owner:U2", "old:owner:U1", "old:owner:U1", "old:owner:U1", "old:owner:U2", "old:owner:U1"]


def test_owner_resolution_in_map_entity(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    result = map_entity(accounts([("A1", None, "U8"), ("A2", None, None)]), "account", spec, directory(), {})
    assert result.records["owner_external_id"].tolist() == ["old:owner:U2", "old:owner:U1"]
    assert result.records["owner_resolution"].tolist() == ["successor", "fallback:no_owner"]


def test_policy_fallback_ignores_successors(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, departed={"policy": "fallback", "successor_of": {"U8": "U2"}, "fallback": "U1"})
    owners, how = resolve_owners(spec, pd.Series(["U8", "U2"], dtype=object), directory())
    assert how.tolist() == ["fallback:departed", "direct"]
    assert owners.tolist() == ["old:owner:U1", "old:owner:U2"]


def test_policy_keep_keeps_departed_owners(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, departed={"policy": "keep"})
    owners, how = resolve_owners(spec, pd.Series(["U8", "U77"], dtype=object), directory())
    assert how.tolist() == ["direct", "fallback:unknown_owner"]
    assert plain(owners) == ["old:owner:U8", None]


@pytest.mark.parametrize(
    ("departed", "path", "problem"),
    [
        ({"policy": "successor", "fallback": "U8"}, "owners.departed.fallback", "not active"),
        ({"policy": "successor", "fallback": "U404"}, "owners.departed.fallback", "not among the migrated owners"),
        ({"policy": "successor", "successor_of": {"U8": "U9"}, "fallback": "U1"}, "owners.departed.successor_of.U8", "not active"),
    ],
    ids=["fallback-departed", "fallback-unknown", "successor-departed"],
)
def test_unusable_owner_in_the_spec_is_a_spec_error(tmp_path: Path, departed: dict, path: str, problem: str) -> None:
    spec = make_spec(tmp_path, departed=departed)
    with pytest.raises(SpecError) as info:
        resolve_owners(spec, pd.Series(["U1"], dtype=object), directory())
    message = str(info.value)
    assert "spec.yaml:" in message and path in message and problem in message


def owners_cleaned() -> pd.DataFrame:
    return pd.DataFrame({
        "source_id": ["U1", "U2", "U8"], "external_id": ["old:owner:U1", "old:owner:U2", "old:owner:U8"],
        "row_key": ["users.csv:2", "users.csv:3", "users.csv:4"], "_source_file": "users.csv", "_source_line": [2, 3, 4],
        "name": ["Boss", "Two", "Gone"], "email": ["b@x.com", "t@x.com", "g@x.com"], "active": [True, None, False],
        "extras": None,
    })


def test_owner_directory_from_cleaned() -> None:
    lineage = pd.DataFrame({"source_id": ["U5"], "golden_external_id": ["old:owner:U2"]})
    found = OwnerDirectory.from_cleaned(owners_cleaned(), lineage)
    assert found.external_id == {"U1": "old:owner:U1", "U2": "old:owner:U2", "U8": "old:owner:U8", "U5": "old:owner:U2"}
    assert found.active == {"old:owner:U1": True, "old:owner:U2": True, "old:owner:U8": False}  # unknown status: active
    assert found.source_of["old:owner:U8"] == "U8"


def test_departed_owners_are_excluded_under_successor_policy(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    cleaned = owners_cleaned()
    result = map_entity(cleaned, "owner", spec, OwnerDirectory.from_cleaned(cleaned, pd.DataFrame(columns=["source_id", "golden_external_id"])), {})
    assert result.records["source_id"].tolist() == ["U1", "U2"]
    assert result.excluded[["row_key", "source_id"]].to_dict("records") == [{"row_key": "users.csv:4", "source_id": "U8"}]
    assert "departed owner" in result.excluded["reason"].iloc[0] and "successor" in result.excluded["reason"].iloc[0]


def test_departed_owners_are_kept_inactive_under_keep_policy(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, departed={"policy": "keep"})
    cleaned = owners_cleaned()
    result = map_entity(cleaned, "owner", spec, OwnerDirectory.from_cleaned(cleaned, pd.DataFrame(columns=["source_id", "golden_external_id"])), {})
    assert result.records["source_id"].tolist() == ["U1", "U2", "U8"]
    assert result.records["active"].tolist() == [True, True, False]
    assert result.excluded.empty


# --- links, field names, hashes --------------------------------------------------------------------


def contacts(rows: list[tuple[str, str | None]]) -> pd.DataFrame:
    """Cleaned contacts from (id, account external id)."""
    return pd.DataFrame({
        "source_id": [r[0] for r in rows], "external_id": [f"old:contact:{r[0]}" for r in rows],
        "row_key": [f"contacts.csv:{i + 2}" for i in range(len(rows))], "_source_file": "contacts.csv",
        "_source_line": [i + 2 for i in range(len(rows))], "last_name": "Lee", "email": "a@x.com",
        "owner_source_id": "U1", "account_source_id": [r[1].rsplit(":", 1)[-1] if r[1] else None for r in rows],
        "account_external_id": [r[1] for r in rows], "extras": [json.dumps({"notes": "vip"})] + [None] * (len(rows) - 1),
    })


def test_links_to_records_not_mapped_are_detached(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    cleaned = contacts([("C1", "old:account:A1"), ("C2", "old:account:A2"), ("C3", None)])
    result = map_entity(cleaned, "contact", spec, directory(), {"account": {"old:account:A1"}})
    assert plain(result.records["account_external_id"]) == ["old:account:A1", None, None]
    assert result.issues[["source_id", "field", "code", "value"]].to_dict("records") == [
        {"source_id": "C2", "field": "account", "code": "link_to_quarantined", "value": "old:account:A2"}
    ]
    assert json.loads(result.records["extras"].iloc[1]) == {"unresolved_links": {"account": "A2"}}
    assert json.loads(result.records["extras"].iloc[0]) == {"notes": "vip"}


def test_target_field_names_and_types(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    result = map_entity(contacts([("C1", None)]), "contact", spec, directory(), {"account": set()})
    assert "email_address" in result.records.columns and "email" not in result.records.columns
    accounts_result = map_entity(accounts([("A1", "Finance", "U1")]), "account", spec, directory(), {})
    assert str(accounts_result.records["employees"].dtype) == "Int64"


def test_content_hash_is_stable_and_sensitive() -> None:
    frame = pd.DataFrame({"name": ["Acme", "Acme"], "amount": [1.0, 1.0], "when": pd.to_datetime(["2024-01-01", "2024-01-01"], utc=True)})
    hashes = content_hash(frame, ["name", "amount", "when"])
    assert hashes.iloc[0] == hashes.iloc[1]
    again = content_hash(frame.iloc[::-1].set_axis([7, 8]), ["name", "amount", "when"])
    assert again.tolist() == hashes.tolist() and again.index.tolist() == [7, 8]
    for column, value in (("name", "Acme Ltd"), ("amount", 1.5), ("when", pd.Timestamp("2024-01-02", tz="UTC"))):
        changed = frame.copy()
        changed.loc[1, column] = value
        other = content_hash(changed, ["name", "amount", "when"])
        assert other.iloc[0] == hashes.iloc[0] and other.iloc[1] != hashes.iloc[1], column
    missing = frame.astype(object)
    missing.loc[1, "name"] = None
    assert content_hash(missing, ["name"]).iloc[1] != content_hash(frame, ["name"]).iloc[1]


def test_map_entity_hash_ignores_where_the_row_came_from(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    first = map_entity(accounts([("A1", "Finance", "U1")]), "account", spec, directory(), {})
    moved = accounts([("A1", "Finance", "U1")]).assign(row_key="accounts.csv:99", _source_line=99)
    second = map_entity(moved, "account", spec, directory(), {})
    assert first.records["content_hash"].iloc[0] == second.records["content_hash"].iloc[0]
    renamed = accounts([("A1", "Finance", "U1")]).assign(name="Renamed")
    third = map_entity(renamed, "account", spec, directory(), {})
    assert third.records["content_hash"].iloc[0] != first.records["content_hash"].iloc[0]
    reowned = map_entity(accounts([("A1", "Finance", "U8")]), "account", spec, directory(), {})
    assert reowned.records["content_hash"].iloc[0] != first.records["content_hash"].iloc[0]  # owner is content
