"""A small three-entity migration loaded run by run into a real target, for the undo and approval tests.

Shaped unlike the demo: accounts carry a founding date and a revenue, contacts a free-text note and a link that a
later run moves to a new account, and owners change hands between runs."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import yaml

from handover.loading import load_entity
from handover.mapping import content_hash, target_types
from handover.spec import MigrationSpec, load_spec

ORDER = ("owner", "account", "contact")


def make_spec(tmp_path: Path, target: dict | None = None, **extra) -> MigrationSpec:
    data = {
        "migration": "trust", "source": {"type": "files", "path": "exports"},
        "target": target or {"type": "duckdb", "path": "work/crm.duckdb"}, "work": "work",
        "owners": {"departed": {"policy": "keep"}},
        "entities": {
            "owner": {"from": "users.csv", "id": "user_id", "fields": {"name": "full_name", "email": "email"}},
            "account": {"from": "accounts.csv", "id": "account_id", "owner": "owner_id",
                        "fields": {"name": "account_name", "annual_revenue": {"from": "revenue", "type": "number"},
                                   "founded": {"from": "founded", "type": "date"}}},
            "contact": {"from": "contacts.csv", "id": "contact_id", "owner": "owner_id", "links": {"account": "account_id"},
                        "fields": {"last_name": "surname", "email": "mail", "notes": {"from": "remarks", "type": "text"}}},
        },
        **extra,
    }
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_spec(path)


def mapped(spec: MigrationSpec, entity: str, rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame["source_id"] = frame["external_id"].str.split(":").str[1]
    frame["row_key"] = entity + ":" + frame["source_id"]
    frame["extras"] = None
    if "founded" in frame:
        frame["founded"] = pd.to_datetime(frame["founded"]).dt.date
    payload = [c for c in frame.columns if c not in ("external_id", "source_id", "row_key")]
    frame["content_hash"] = content_hash(frame, payload)
    assert set(target_types(spec, entity)) >= {c for c in payload if not c.endswith("_external_id")}
    return frame


FIRST = {
    "owner": [{"external_id": "o:1", "name": "Wang Fang", "email": "fang@old.example"},
              {"external_id": "o:2", "name": "Olu Ade", "email": "olu@old.example"}],
    "account": [{"external_id": "a:1", "name": "Acme", "annual_revenue": 1250.5, "founded": "1999-03-01", "owner_external_id": "o:1"},
                {"external_id": "a:2", "name": "北方贸易", "annual_revenue": None, "founded": None, "owner_external_id": "o:1"}],
    "contact": [{"external_id": "c:1", "last_name": "Lee", "email": "lee@acme.example", "notes": "met at fair\nprefers mail",
                 "owner_external_id": "o:1", "account_external_id": "a:1"},
                {"external_id": "c:2", "last_name": "Müller", "email": None, "notes": None, "owner_external_id": "o:2",
                 "account_external_id": None}],
}

# Run 2 updates a:1 (name, revenue, owner) and c:1 (email, moved to a new account), creates a:3, c:3 and o:3.
SECOND = {
    "owner": FIRST["owner"] + [{"external_id": "o:3", "name": "New Rep", "email": "new@old.example"}],
    "account": [{**FIRST["account"][0], "name": "Acme Holdings", "annual_revenue": 9000.0, "owner_external_id": "o:3"},
                FIRST["account"][1],
                {"external_id": "a:3", "name": "Gamma GmbH", "annual_revenue": 10.0, "founded": "2020-02-29", "owner_external_id": "o:3"}],
    "contact": [{**FIRST["contact"][0], "email": "lee@acme-holdings.example", "account_external_id": "a:3"},
                FIRST["contact"][1],
                {"external_id": "c:3", "last_name": "Novak", "email": "n@gamma.example", "notes": "new", "owner_external_id": "o:3",
                 "account_external_id": "a:3"}],
}


def load_run(con: duckdb.DuckDBPyConnection, spec: MigrationSpec, target, data: dict, run_id: str) -> dict[str, pd.DataFrame]:
    return {entity: load_entity(con, mapped(spec, entity, data[entity]), entity, spec, target, run_id) for entity in ORDER}


def target_state(target, ids: dict[str, list[str]] | None = None) -> dict[str, list[dict]]:
    """Every record of the entities, as read back by external id (ids and versions left out: they are the target's)."""
    ids = ids or {e: sorted({r["external_id"] for run in (FIRST, SECOND) for r in run[e]}) for e in ORDER}
    state = {}
    for entity in ORDER:
        frame = target.read_by_ids(entity, ids[entity]).drop(columns=["target_version"], errors="ignore")
        frame = frame.sort_values("external_id").reset_index(drop=True)
        state[entity] = [{k: (None if not isinstance(v, (list, dict)) and pd.isna(v) else v) for k, v in row.items()}
                         for row in frame.to_dict("records")]
    return state
