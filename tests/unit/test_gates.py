import json
import re
from pathlib import Path

import pandas as pd
import pytest

from handover import gates
from handover.gates import GateSuiteError, load_suite, run_suite, write_docs_index

_URL_ATTR = re.compile(r"""\b(?:src|href|srcset)\s*=\s*["']?\s*([^"'\s>]*)""", re.I)

CONTACT_SUITE = {
    "name": "cleaned_contact",
    "expectations": [
        {
            "type": "expect_table_row_count_to_be_between",
            "kwargs": {"min_value": 1},
            "meta": {"notes": "An empty extract means the export failed."},
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "kwargs": {"column": "external_id"},
            "meta": {"notes": "Every contact must trace back to the old CRM."},
        },
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "external_id"}},
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "country", "value_set": ["DE", "FR"]},
        },
        {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "age", "min_value": 18}},
    ],
    "meta": {},
}


def write_suite(path: Path, suite: dict) -> Path:
    path.write_text(json.dumps(suite, indent=2), encoding="utf-8")
    return path


def remote_refs(html: str) -> list[str]:
    return [u for u in _URL_ATTR.findall(html) if re.match(r"(?i)(https?:)?//", u)]


@pytest.fixture
def suite_path(tmp_path: Path) -> Path:
    return write_suite(tmp_path / "contact.json", CONTACT_SUITE)


@pytest.fixture
def good_df() -> pd.DataFrame:
    return pd.DataFrame(
        {"external_id": ["a1", "a2", "a3"], "country": ["DE", "FR", "DE"], "age": [30, 41, 52]}
    )


@pytest.fixture
def bad_df() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "external_id": ["a1", None, "a1", "a4"],
            "country": ["DE", "XX", "US", "FR"],
            "age": [30, 41, 52, 19],
        }
    )


def test_passing_suite(tmp_path: Path, suite_path: Path, good_df: pd.DataFrame) -> None:
    docs = tmp_path / "docs"
    result = run_suite(good_df, suite_path, docs, page_name="cleaned/contact", title="Contacts")

    assert result.success is True
    assert (result.suite, result.evaluated, result.failed) == ("cleaned_contact", 5, 0)
    assert result.docs_page == docs / "cleaned" / "contact.html"
    assert result.result_json == docs / "cleaned" / "contact.json"
    assert result.docs_page.is_file() and result.result_json.is_file()
    assert [o.expectation for o in result.outcomes] == [e["type"] for e in CONTACT_SUITE["expectations"]]
    not_null = result.outcomes[1]
    assert not_null.column == "external_id"
    assert not_null.notes == "Every contact must trace back to the old CRM."
    assert result.outcomes[0].column is None
    assert json.loads(result.result_json.read_text())["success"] is True


def test_failing_suite(tmp_path: Path, suite_path: Path, bad_df: pd.DataFrame) -> None:
    docs = tmp_path / "docs"
    result = run_suite(
        bad_df, suite_path, docs, page_name="cleaned/contact", title="Contacts", run_label="run-42"
    )

    assert result.success is False
    assert (result.evaluated, result.failed) == (5, 3)
    by_type = {o.expectation: o for o in result.outcomes}
    not_null = by_type["expect_column_values_to_not_be_null"]
    assert not not_null.success
    assert not_null.unexpected_count == 1
    assert not_null.unexpected_percent == pytest.approx(25.0)
    assert not_null.partial_unexpected == [None]
    unique = by_type["expect_column_values_to_be_unique"]
    assert (unique.success, unique.unexpected_count, unique.partial_unexpected) == (False, 2, ["a1", "a1"])
    in_set = by_type["expect_column_values_to_be_in_set"]
    assert (in_set.unexpected_count, sorted(in_set.partial_unexpected)) == (2, ["US", "XX"])
    assert by_type["expect_column_mean_to_be_between"].success

    saved = json.loads(result.result_json.read_text())
    assert saved["statistics"]["unsuccessful_expectations"] == 3
    assert saved["meta"]["run_id"]["run_name"] == "run-42"


def test_pages_are_offline_and_readable(tmp_path: Path, suite_path: Path, bad_df: pd.DataFrame) -> None:
    result = run_suite(bad_df, suite_path, tmp_path, page_name="cleaned/contact", title="Contacts <QA>")
    html = result.docs_page.read_text()
    index = (tmp_path / "index.html").read_text()

    for page in (html, index):
        assert remote_refs(page) == []
        assert "<link" not in page
        assert "https://" not in page and "http://" not in page
        assert "<style>" in page
    assert "Contacts &lt;QA&gt;" in html
    assert "Every contact must trace back to the old CRM." in html
    assert "XX" in html and "FAILED" in html
    assert 'href="../index.html"' in html
    assert "function hideSucceededValidations" in html  # GX's filter buttons still work without jQuery


def test_index_lists_every_page(
    tmp_path: Path, suite_path: Path, good_df: pd.DataFrame, bad_df: pd.DataFrame
) -> None:
    passed = run_suite(good_df, suite_path, tmp_path, page_name="cleaned/contact", title="Cleaned")
    failed = run_suite(bad_df, suite_path, tmp_path, page_name="mapped/contact", title="Mapped")
    (tmp_path / "notes.json").write_text("{}")  # JSON that is not a result must not become a page

    index = write_docs_index(tmp_path, [passed, failed])
    html = index.read_text()

    assert index == tmp_path / "index.html"
    assert re.findall(r'<tr class="ho-row-(\w+)">\s*<td>.*?</td>\s*<td><a href="([^"]+)"', html, re.S) == [
        ("pass", "cleaned/contact.html"),
        ("fail", "mapped/contact.html"),
    ]
    assert "1 failing" in html
    assert "notes" not in re.sub(r"<style>.*?</style>", "", html, flags=re.S)


def test_rerun_overwrites_page_and_reuses_context(
    tmp_path: Path, suite_path: Path, good_df: pd.DataFrame, bad_df: pd.DataFrame
) -> None:
    first = run_suite(bad_df, suite_path, tmp_path, page_name="cleaned/contact", title="C")
    datasource = gates._DATASOURCE
    definition = gates._BATCH_DEFINITIONS["cleaned/contact"]
    second = run_suite(good_df, suite_path, tmp_path, page_name="cleaned/contact", title="C")
    third = run_suite(good_df, suite_path, tmp_path, page_name="cleaned/contact", title="C")

    assert (first.success, second.success, third.success) == (False, True, True)
    assert gates._DATASOURCE is datasource
    assert gates._BATCH_DEFINITIONS["cleaned/contact"] is definition
    assert sorted(p.name for p in (tmp_path / "cleaned").iterdir()) == ["contact.html", "contact.json"]
    assert json.loads(third.result_json.read_text())["success"] is True


def test_empty_dataframe_only_row_count_fails(tmp_path: Path, suite_path: Path, good_df: pd.DataFrame) -> None:
    result = run_suite(good_df.iloc[0:0], suite_path, tmp_path, page_name="empty", title="Empty")

    assert [(o.expectation, o.success) for o in result.outcomes] == [
        ("expect_table_row_count_to_be_between", False),
        ("expect_column_values_to_not_be_null", True),
        ("expect_column_values_to_be_unique", True),
        ("expect_column_values_to_be_in_set", True),
        ("expect_column_mean_to_be_between", True),  # GX itself fails this on 0 rows
    ]
    assert (result.success, result.failed) == (False, 1)
    assert "passed because the table has 0 rows" in result.docs_page.read_text()


def test_missing_column_is_a_failure_not_a_crash(tmp_path: Path, good_df: pd.DataFrame) -> None:
    suite = {
        "name": "s",
        "expectations": [
            {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "external_id"}},
            {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "nope"}},
        ],
    }
    path = write_suite(tmp_path / "s.json", suite)
    with pytest.raises(ValueError, match="overwrite the suite"):
        run_suite(good_df, path, tmp_path, page_name="s", title="S")
    for df in (good_df, good_df.iloc[0:0]):
        result = run_suite(df, path, tmp_path / "docs", page_name="s", title="S")
        assert (result.success, result.failed) == (False, 1)
        # GX reports expectations that raised first; outcomes keep the suite's order
        assert [(o.column, o.success) for o in result.outcomes] == [("external_id", True), ("nope", False)]
        assert 'The column "nope"' in result.docs_page.read_text()


@pytest.mark.parametrize("page_name", ["../escape", "/abs", "a//b", "", "a/../b"])
def test_page_name_must_stay_inside_docs_dir(
    tmp_path: Path, suite_path: Path, good_df: pd.DataFrame, page_name: str
) -> None:
    with pytest.raises(ValueError, match="page_name"):
        run_suite(good_df, suite_path, tmp_path / "docs", page_name=page_name, title="x")


def test_load_suite_accepts_gx_suite_json(suite_path: Path) -> None:
    assert load_suite(suite_path) == CONTACT_SUITE


def test_load_suite_bad_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{\n  "name": "x",\n  "expectations": [\n    {"type": "a",},\n  ]\n}\n')
    with pytest.raises(GateSuiteError) as error:
        load_suite(path)
    message = str(error.value)
    assert isinstance(error.value, ValueError)
    assert message.startswith(f"{path}: invalid JSON at line 4, column")
    assert "\n" not in message


def test_load_suite_unknown_type_suggests_close_match(tmp_path: Path) -> None:
    suite = {"name": "x", "expectations": [{"type": "expect_column_values_to_not_be_nul", "kwargs": {}}]}
    with pytest.raises(GateSuiteError) as error:
        load_suite(write_suite(tmp_path / "typo.json", suite))
    message = str(error.value)
    assert "typo.json" in message
    assert "unknown expectation type 'expect_column_values_to_not_be_nul'" in message
    assert "did you mean 'expect_column_values_to_not_be_null'" in message


@pytest.mark.parametrize(
    ("expectation", "problem"),
    [
        ({"type": "expect_column_values_to_be_unique", "kwargs": {}}, "missing kwarg 'column'"),
        (
            {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "c", "valueset": [1]}},
            "unknown kwarg 'valueset' (did you mean 'value_set'?)",
        ),
        (
            {"expectation_type": "expect_column_values_to_be_unique", "kwargs": {"column": "c"}},
            "unknown key 'expectation_type'; GX 1.x calls it 'type'",
        ),
        ({"type": "expect_column_values_to_be_unique", "kwargs": "c"}, "'kwargs' must be an object"),
    ],
)
def test_load_suite_explains_bad_expectations(tmp_path: Path, expectation: dict, problem: str) -> None:
    first = {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 0}}
    suite = {"name": "x", "expectations": [first, expectation]}
    with pytest.raises(GateSuiteError, match=re.escape(problem)) as error:
        load_suite(write_suite(tmp_path / "s.json", suite))
    assert "expectations[1]" in str(error.value)


def test_load_suite_rejects_missing_file_and_empty_suite(tmp_path: Path) -> None:
    with pytest.raises(GateSuiteError, match="cannot read suite"):
        load_suite(tmp_path / "absent.json")
    with pytest.raises(GateSuiteError, match="'expectations' must be a non-empty list"):
        load_suite(write_suite(tmp_path / "empty.json", {"name": "x", "expectations": []}))


def duckdb_frame(sql: str) -> pd.DataFrame:
    import duckdb

    return duckdb.connect().execute(sql).df()


def test_type_checks_read_duckdb_types_and_say_nothing_of_an_empty_column(tmp_path: Path) -> None:
    frame = duckdb_frame(
        "SELECT * FROM (VALUES ('a:2', DATE '2024-01-31', '2024-02-01', NULL::INTEGER, TIMESTAMPTZ '2024-01-01 10:00:00+00', 1.5::DOUBLE),"
        " ('a:3', NULL, 'gestern', NULL, NULL, NULL)) t(row_key, closed, opened, due, seen, amount)"
    )
    suite = {"name": "types", "expectations": [
        {"type": "expect_column_values_to_be_of_type", "kwargs": {"column": c, "type_": t}}
        for c, t in (("closed", "datetime64"), ("opened", "datetime64"), ("due", "datetime64"), ("seen", "Timestamp"), ("amount", "float64"))
    ]}
    result = run_suite(frame, suite, tmp_path, page_name="types", title="Types")
    assert [(o.column, o.success) for o in result.outcomes] == [
        ("closed", True), ("opened", False), ("due", True), ("seen", True), ("amount", True),
    ]
    assert result.outcomes[1].observed == "str" and not result.outcomes[1].broken
    assert "passed because the column has no values" in result.docs_page.read_text()


def test_broken_expectations_are_kept_apart_from_failed_ones(tmp_path: Path, bad_df: pd.DataFrame) -> None:
    suite = {"name": "s", "expectations": [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "external_id"}, "meta": {"origin": "design"}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "currency", "value_set": ["EUR"]}},
    ]}
    result = run_suite(bad_df, suite, tmp_path, page_name="s", title="S")
    failed, broken = result.outcomes
    assert (failed.success, failed.broken, failed.origin) == (False, False, "design")
    assert broken.broken and 'The column "currency"' in broken.error
    assert result.broken == [broken]
    html = result.docs_page.read_text()
    assert "BROKEN GATE" in html and "broken" in html and "from design" in html


def test_offending_rows_are_named_by_their_row_key_or_file_and_line(tmp_path: Path) -> None:
    suite = {"name": "s", "expectations": [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "email"}}]}
    keyed = pd.DataFrame({"row_key": ["c.csv:2", "c.csv:3"], "email": ["a@b.cn", None]})
    raw = pd.DataFrame({"_source_file": ["c.csv", "c.csv"], "_source_line": [2, 3], "email": [None, "a@b.cn"]})
    assert run_suite(keyed, suite, tmp_path, page_name="k", title="K").outcomes[0].unexpected_rows == [{"email": None, "row_key": "c.csv:3"}]
    rows = run_suite(raw, suite, tmp_path, page_name="r", title="R").outcomes[0].unexpected_rows
    assert [(r["_source_file"], r["_source_line"]) for r in rows] == [("c.csv", 2)]
    unnamed = run_suite(pd.DataFrame({"email": [None]}), suite, tmp_path, page_name="n", title="N").outcomes[0]
    assert (unnamed.unexpected_count, unnamed.unexpected_rows) == (1, [])
