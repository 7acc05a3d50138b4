"""The metadata every stage asset carries: counted and described in DuckDB, previews that stay valid Markdown."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from assets.metadata import cell, markdown_table, quarantine_sample, relation_metadata, table_name
from tests.unit.gates_support import orbit_spec


def test_cells_stay_on_one_line_without_breaking_the_table() -> None:
    assert cell(None) == "" and cell(float("nan")) == "" and cell(pd.NA) == ""
    assert cell("a|b") == "a\\|b"
    assert cell("first line\r\nsecond\tline") == "first line second line"
    assert cell("x" * 100) == "x" * 39 + "…"
    assert cell("ä" * 40) == "ä" * 40
    assert cell(["a", "b"]) == "['a', 'b']"
    assert cell(np.array([1, 2])) == "[1 2]" and cell(np.array([])) == "[]"
    assert cell("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)>"


def test_markdown_table_has_a_row_per_record_and_escapes_the_delimiter() -> None:
    frame = pd.DataFrame({"Firma | Name": ["Lind | Co", None], "umsatz": [1.5, 2]})
    assert markdown_table(frame).splitlines() == [
        "| Firma \\| Name | umsatz |", "|---|---|", "| Lind \\| Co | 1.5 |", "|  | 2.0 |",
    ]


def test_relation_metadata_counts_describes_and_previews_a_filtered_table() -> None:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA ledger")
    con.execute("""CREATE TABLE ledger.loads AS SELECT CASE WHEN i % 3 = 0 THEN 'deal' ELSE 'account' END AS entity,
                   'orbit:' || i AS external_id, CASE WHEN i = 7 THEN 'line one' || chr(10) || 'two | three' END AS error,
                   i::BIGINT AS n FROM range(40) t(i)""")
    metadata = relation_metadata(con, "ledger.loads", name="staging.ledger.loads", where="entity = ?", params=["account"], order="n DESC", hidden=("n",))
    assert metadata["dagster/row_count"].value == 26 and metadata["dagster/table_name"].value == "staging.ledger.loads"
    assert [(c.name, c.type) for c in metadata["dagster/column_schema"].value.columns] == [("entity", "VARCHAR"), ("external_id", "VARCHAR"), ("error", "VARCHAR"), ("n", "BIGINT")]
    lines = metadata["preview"].value.splitlines()
    assert lines[0] == "10 of 26 rows"
    assert lines[2] == "| entity | external_id | error |"  # hidden columns are described, not previewed
    assert lines[4].startswith("| account | orbit:38 |") and len(lines) == 4 + 10
    assert "| account | orbit:7 | line one two \\| three |" not in lines  # beyond the first ten (n DESC)
    everything = relation_metadata(con, "ledger.loads", name="x", where="n = ?", params=[7])
    assert everything["preview"].value.splitlines()[-1] == "| account | orbit:7 | line one two \\| three | 7 |"
    empty = relation_metadata(con, "ledger.loads", name="x", where="entity = 'owner'")
    assert empty["dagster/row_count"].value == 0 and empty["preview"].value == "no rows (0 of 0)"


def test_table_names_are_unique_per_migration(tmp_path: Path) -> None:
    orbit = orbit_spec(tmp_path / "a")
    other = orbit_spec(tmp_path / "b", migration="orbit_eu")
    assert table_name(orbit, "cleaned", "contact") == "orbit_staging.cleaned.contact"
    assert table_name(other, "cleaned", "contact") == "orbit_eu_staging.cleaned.contact"
    assert table_name(orbit, "reconciled", "contact") == "orbit_target.contact"


def test_quarantine_sample_names_file_line_and_the_value_refused(tmp_path: Path) -> None:
    spec = orbit_spec(tmp_path)  # German headers: the refused value is found under the source column
    quarantine = pd.DataFrame([
        {"row_key": f"k{i}", "source_file": "personen.csv", "source_line": i + 2, "source_id": f"P{i}", "field": "email",
         "reason": "invalid_email", "detail": "no @", "raw": '{"person_nr": "P%d", "mail": "anna|kraus.example.de"}' % i}
        for i in range(12)
    ] + [{"row_key": "k0", "source_file": "personen.csv", "source_line": 2, "source_id": "P0", "field": None,
          "reason": "unparseable_record", "detail": "3 fields, 7 expected", "raw": "P0;;"}])
    sample = quarantine_sample(quarantine, spec, "contact").value.splitlines()
    assert sample[0] == "10 of 13 problems shown, on 12 quarantined rows"
    assert sample[2] == "| where | source_id | field | reason | detail | value |"
    assert sample[4] == "| personen.csv:2 | P0 | email | invalid_email | no @ | anna\\|kraus.example.de |"
    assert len(sample) == 4 + 10
    assert quarantine_sample(quarantine.iloc[12:], spec, "contact").value.splitlines()[-1] == (
        "| personen.csv:2 | P0 |  | unparseable_record | 3 fields, 7 expected |  |")
    assert quarantine_sample(quarantine.iloc[:0], spec, "contact").value == "nothing quarantined"
