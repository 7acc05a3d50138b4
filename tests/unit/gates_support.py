"""A small migration unlike the demo (no owners, accounts without a phone, a three-way required group,
a fixed picklist fallback, a renamed target field) and its stages built with the real core in DuckDB."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import yaml

from handover.cleaning.stage import clean_entity, link_target
from handover.frames import apply_types
from handover.mapping import map_entity
from handover.spec import MigrationSpec, load_spec
from handover.staging import connect, ensure_ledger, ledger_frame, replace_ledger_rows, replace_table

SPEC = {
    "migration": "orbit",
    "source": {"type": "files", "path": "exports", "system": "orbit", "date_order": "DMY", "default_region": "DE"},
    "target": {"type": "duckdb", "path": "work/crm.duckdb"},
    "entities": {
        "account": {
            "from": "firmen.csv", "id": "firma_nr",
            "fields": {"name": "firma", "website": "web", "industry": "branche", "country": "land",
                       "employees": "mitarbeiter", "created_at": "angelegt"},
            "picklists": {"industry": {"Software": "Technology", "Maschinenbau": "Manufacturing", "*": "Other"}},
            "required": ["name"],
        },
        "contact": {
            "from": "personen.csv", "id": "person_nr",
            "fields": {"first_name": "vorname", "last_name": "nachname", "email": "mail", "mobile": "handy",
                       "date_of_birth": "geboren"},
            "links": {"account": "firma_nr"},
            "required": ["last_name|email|mobile"],
        },
        "deal": {
            "from": "chancen.csv", "id": "chance_nr",
            "fields": {"name": "titel", "amount": "wert", "stage": {"from": "phase", "target": "pipeline_stage"}},
            "links": {"account": "firma_nr"},
            "picklists": {"stage": {"neu": "New", "gewonnen": "Won", "verloren": "Lost"}},
            "required": ["name"],
        },
    },
}

ACCOUNTS = [
    ("F1", "Kraus Software GmbH", "kraus.example.de", "Software", "Deutschland", "120", "03.02.2015"),
    ("F2", "Berger Maschinen AG", "https://berger.example.at", "Maschinenbau", "AT", "1.200", "2011-06-30"),
    ("F3", "Lind & Co", "", "Handel", "", "", ""),
]
CONTACTS = [
    ("P1", "Anna", "Kraus", "anna@kraus.example.de", "+49 171 2345678", "12.03.1980", "F1"),
    ("P2", "", "", "", "0171 9876543", "", "F2"),
    ("P3", "Jonas", "", "jonas@berger.example.at", "", "", "F2"),
    ("P4", "", "Lind", "", "", "", "F9"),
]
DEALS = [
    ("D1", "Lizenz 2024", "12000", "neu", "F1"),
    ("D2", "Wartung", "800.50", "gewonnen", "F2"),
]


def write_spec(folder: Path, **changes: object) -> Path:
    data = yaml.safe_load(yaml.safe_dump(SPEC))
    for key, value in changes.items():
        data[key] = value
    (folder / "exports").mkdir(parents=True, exist_ok=True)
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def orbit_spec(folder: Path, **changes: object) -> MigrationSpec:
    return load_spec(write_spec(folder, **changes))


def raw_frame(file: str, columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame([[v if v != "" else None for v in row] for row in rows], columns=columns, dtype=object)
    frame["_source_file"] = file
    frame["_source_line"] = pd.Series(range(2, len(rows) + 2), dtype="int64")
    frame["_record_key"] = file + ":" + frame["_source_line"].astype(str)
    frame["_raw_error"] = None
    frame["_raw_text"] = None
    frame["_dlt_load_id"] = "1"
    return frame


def raw_frames() -> dict[str, pd.DataFrame]:
    return {
        "account": raw_frame("firmen.csv", ["firma_nr", "firma", "web", "branche", "land", "mitarbeiter", "angelegt"], ACCOUNTS),
        "contact": raw_frame("personen.csv", ["person_nr", "vorname", "nachname", "mail", "handy", "geboren", "firma_nr"], CONTACTS),
        "deal": raw_frame("chancen.csv", ["chance_nr", "titel", "wert", "phase", "firma_nr"], DEALS),
    }


def build_stages(spec: MigrationSpec, raws: dict[str, pd.DataFrame] | None = None) -> duckdb.DuckDBPyConnection:
    """raw, cleaned and mapped tables and the ledger, as the stage assets write them (no owners)."""
    from handover.mapping import target_types

    raws = raws or raw_frames()
    con = connect(spec.staging_path)
    ensure_ledger(con)
    cleaned: dict[str, pd.DataFrame] = {}
    for name in spec.ordered_entities():
        entity = spec.entities[name]
        replace_table(con, "raw", name, raws[name])
        links = {link: link_target(cleaned[target].records, cleaned[target].lineage, cleaned[target].quarantine, cleaned[target].excluded)
                 for link, target in (("account", "account"),) if link in entity.links}
        result = clean_entity(raws[name], name, spec, links)
        cleaned[name] = result
        types = {f: s.type for f, s in entity.field_specs(name).items()} | entity.derived_fields(name)
        replace_table(con, "cleaned", name, apply_types(result.records, types))
        replace_ledger_rows(con, "quarantine", name, ledger_frame("quarantine", result.quarantine), stage="cleaned")
        stored = con.execute(f'SELECT * FROM cleaned."{name}"').df()
        available = {link: set(con.execute(f'SELECT external_id FROM mapped."{link}"').df()["external_id"]) for link in entity.links}
        mapped = map_entity(stored, name, spec, None, available)
        replace_table(con, "mapped", name, apply_types(mapped.records, target_types(spec, name)))
        replace_ledger_rows(con, "quarantine", name, ledger_frame("quarantine", mapped.quarantine), stage="mapped")
    return con


def stage_frame(con: duckdb.DuckDBPyConnection, stage: str, entity: str) -> pd.DataFrame:
    return con.execute(f'SELECT * FROM {stage}."{entity}"').df()
