"""The CSV/XLSX export reader (connectors/sources/files): encodings, delimiters, broken lines, XLSX cells,
and one real dlt pipeline run twice into DuckDB."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import dlt
import duckdb
import pytest
from openpyxl import Workbook

from connectors.sources.files import ExportTable, crm_files, missing_columns, read_header
from connectors.sources.files.helpers import Export, ExportError, Record, detect_encoding, read_export
from handover.naming import column_key

CHINESE_HEADER = ["客户编号", "客户名称", "城市"]
CHINESE_ROWS = [["K001", "北京星辰科技有限公司", "北京"], ["K002", "上海东方贸易", "上海"]]


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    return "".join(delimiter.join(cells) + "\n" for cells in [header, *rows])


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def good(export: Export) -> list[list[str | None]]:
    return [r.values for r in export.records if r.error is None]


def broken(export: Export) -> dict[int, Record]:
    return {r.line: r for r in export.records if r.error is not None}


def code(record: Record) -> str:
    assert record.error is not None
    return record.error.split(":")[0]


# --- encodings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: t.encode("utf-8-sig"), "utf-8-sig"),
        (lambda t: t.encode("gb18030"), "gb18030"),
        (lambda t: t.encode("utf-16"), "utf-16"),  # with BOM
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "utf-16-bom"],
)
def test_encodings_keep_chinese_headers_and_values(tmp_path: Path, encode, expected: str) -> None:
    path = write(tmp_path, "accounts.csv", encode(csv_text(CHINESE_HEADER, CHINESE_ROWS)))
    export = read_export(path)
    assert export.encoding == expected
    assert export.header == CHINESE_HEADER  # no BOM glued to the first name
    assert export.keys == [column_key(h) for h in CHINESE_HEADER] == CHINESE_HEADER
    assert good(export) == CHINESE_ROWS
    assert [r.line for r in export.records] == [2, 3]
    assert read_header(path) == CHINESE_HEADER


def test_detect_encoding_on_bytes() -> None:
    assert detect_encoding(codecs.BOM_UTF8 + b"a,b\n").encoding == "utf-8-sig"
    assert detect_encoding(codecs.BOM_UTF16_LE + "名称\n".encode("utf-16-le")).encoding == "utf-16"
    assert detect_encoding(b"plain,ascii\n").encoding == "utf-8"
    assert detect_encoding("名称,城市\n北京,上海\n".encode("gbk")).encoding == "gb18030"


def test_one_gbk_line_in_a_utf8_file_is_quarantined_alone(tmp_path: Path) -> None:
    data = (
        "id,name\n1,Zoë 张\n".encode("utf-8")
        + "2,乙公司\n".encode("gbk")
        + "3,丙\n4,Ünal\n".encode("utf-8")
    )
    export = read_export(write(tmp_path, "mixed.csv", data))
    assert export.encoding == "utf-8"
    assert good(export) == [["1", "Zoë 张"], ["3", "丙"], ["4", "Ünal"]]
    bad = broken(export)
    assert list(bad) == [3]
    assert code(bad[3]) == "undecodable_bytes"
    assert bad[3].values is None
    assert bad[3].raw_text is not None and bad[3].raw_text.startswith("2,") and "\\x" in bad[3].raw_text


def gb18030_cut_mid_character(chunk: int = 1 << 16) -> bytes:
    """A GB18030 export larger than `chunk` whose first `chunk` bytes end inside a two-byte character."""
    rows = [f"K{i:05d},{CHINESE_ROWS[i % 2][1]},{CHINESE_ROWS[i % 2][2]}" for i in range(4000)]
    for pad in range(4):
        data = csv_text(CHINESE_HEADER, [[r + "x" * pad] for r in rows]).encode("gb18030")
        try:
            data[:chunk].decode("gb18030")
        except UnicodeDecodeError:
            return data
    raise AssertionError("test bug: could not place a character across the chunk boundary")


def test_read_header_of_a_large_gb18030_file_cut_mid_character(tmp_path: Path) -> None:
    path = write(tmp_path, "big.csv", gb18030_cut_mid_character())
    assert read_header(path) == CHINESE_HEADER
    missing, _ = missing_columns(tmp_path, ExportTable("account", ("big.csv",), columns=tuple(CHINESE_HEADER)), "big.csv")
    assert missing == []
    assert read_export(path).header == CHINESE_HEADER


def test_explicit_encoding_overrides_detection(tmp_path: Path) -> None:
    path = write(tmp_path, "latin.csv", "id,name\n1,Müller\n".encode("latin-1"))
    assert good(read_export(path, "latin-1")) == [["1", "Müller"]]


# --- delimiters, quoting, broken lines ------------------------------------------------------------


def test_semicolon_delimiter(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", b"id;name;city\n1;Acme, Inc.;Berlin\n2;Beta;Paris\n")
    export = read_export(path)
    assert export.header == ["id", "name", "city"]
    assert good(export) == [["1", "Acme, Inc.", "Berlin"], ["2", "Beta", "Paris"]]
    assert read_header(path) == ["id", "name", "city"]


def test_quoted_embedded_newlines_keep_line_numbers(tmp_path: Path) -> None:
    data = b'id,name,note\n1,a,"first\nsecond\r\nthird"\n2,b,"said ""hi"""\n3,c,plain\n'
    export = read_export(write(tmp_path, "q.csv", data))
    assert good(export) == [["1", "a", "first\nsecond\nthird"], ["2", "b", 'said "hi"'], ["3", "c", "plain"]]
    assert [r.line for r in export.records] == [2, 5, 6]  # physical line where each record starts


def test_crlf_line_endings(tmp_path: Path) -> None:
    export = read_export(write(tmp_path, "w.csv", b"id,name\r\n1,a\r\n2,b\r\n"))
    assert good(export) == [["1", "a"], ["2", "b"]]
    assert [r.line for r in export.records] == [2, 3]


def test_wrong_field_counts_are_records_with_their_line(tmp_path: Path) -> None:
    data = b"id,name,city\n1,a,x\n2,b,x,extra\n3\n4,d,x\n\n6,f,x\n"
    export = read_export(write(tmp_path, "n.csv", data))
    assert good(export) == [["1", "a", "x"], ["4", "d", "x"], ["6", "f", "x"]]
    bad = broken(export)
    assert sorted(bad) == [3, 4]
    assert bad[3].error == "field_count: expected 3 fields, found 4" and bad[3].raw_text == "2,b,x,extra"
    assert bad[4].error == "field_count: expected 3 fields, found 1" and bad[4].raw_text == "3"
    assert [r.line for r in export.records] == [2, 3, 4, 5, 7]  # the blank line 6 is no record


def test_unterminated_quote_mid_file_loses_only_its_line(tmp_path: Path) -> None:
    data = b'id,name,note\n1,a,x\n2,"Acme,x\n3,c,"ok, quoted"\n4,d,x\n5,e,"multi\nline"\n'
    export = read_export(write(tmp_path, "u.csv", data))
    assert good(export) == [["1", "a", "x"], ["3", "c", "ok, quoted"], ["4", "d", "x"], ["5", "e", "multi\nline"]]
    bad = broken(export)
    assert list(bad) == [3]
    assert bad[3].raw_text == '2,"Acme,x'
    assert [r.line for r in export.records] == [2, 3, 4, 5, 6]


def test_stray_quote_that_swallows_lines_with_wrong_count_is_resynced(tmp_path: Path) -> None:
    # the quote opened on line 3 closes on line 4, giving a 4-field record: only line 3 is lost
    data = b'id,name,note\n1,a,x\n2,"b,x\n3,c",x,y\n4,d,x\n'
    export = read_export(write(tmp_path, "r.csv", data))
    bad = broken(export)
    assert 3 in bad and code(bad[3]) == "field_count" and bad[3].raw_text == '2,"b,x'
    assert ["4", "d", "x"] in good(export)
    assert [r.line for r in export.records] == [2, 3, 4, 5]


def test_unterminated_quote_on_the_last_line(tmp_path: Path) -> None:
    data = b'id,name\n1,a\n2,b\n3,"never closed\n'
    export = read_export(write(tmp_path, "e.csv", data))
    assert good(export) == [["1", "a"], ["2", "b"]]
    bad = broken(export)
    assert list(bad) == [4]
    assert code(bad[4]) == "malformed_csv" and bad[4].raw_text == '3,"never closed'


@pytest.mark.parametrize("data", [b"", b"\n\n   \n", codecs.BOM_UTF8])
def test_empty_file_is_an_export_error(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(ExportError, match="empty"):
        read_export(write(tmp_path, "empty.csv", data))


def test_header_only_file_has_no_records(tmp_path: Path) -> None:
    export = read_export(write(tmp_path, "h.csv", b"id,name\n"))
    assert export.header == ["id", "name"] and export.records == []


def test_missing_and_unsupported_files(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="file not found"):
        read_export(tmp_path / "nope.csv")
    with pytest.raises(ExportError, match="unsupported file type '.json'"):
        read_export(write(tmp_path, "x.json", b"{}"))


def test_duplicate_and_odd_headers_get_distinct_keys(tmp_path: Path) -> None:
    export = read_export(write(tmp_path, "k.csv", "Name,name, E-Mail ,1st,客户 名称\na,b,c,d,e\n".encode()))
    assert export.keys == ["name", "name_2", "e_mail", "c_1st", "客户_名称"]


# --- XLSX ------------------------------------------------------------------------------------------


def workbook(tmp_path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Deals"
    sheet.append(["deal_id", "金额 (CNY)", "close date", "updated", "probability"])
    sheet.append(["D1", 1200.0, dt.datetime(2023, 5, 1), dt.datetime(2023, 5, 1, 13, 30), 0.25])
    sheet.append(["D2", 7, dt.date(2024, 1, 2), None, None])
    sheet.append([None, None, None])
    sheet.append(["D3", 1, 2, 3, 4, 5])
    sheet.append(["D4", 13800138000, "2024-02-03"])
    book.create_sheet("Notes").append(["note_id", "text"])
    path = tmp_path / "deals.xlsx"
    book.save(path)
    return path


def test_xlsx_dates_and_numbers_become_text(tmp_path: Path) -> None:
    export = read_export(workbook(tmp_path))
    assert export.encoding is None
    assert export.header == ["deal_id", "金额 (CNY)", "close date", "updated", "probability"]
    assert export.keys == ["deal_id", "金额_cny", "close_date", "updated", "probability"]
    assert good(export) == [
        ["D1", "1200", "2023-05-01", "2023-05-01 13:30:00", "0.25"],
        ["D2", "7", "2024-01-02", None, None],
        ["D4", "13800138000", "2024-02-03", None, None],
    ]
    bad = broken(export)
    assert list(bad) == [5] and bad[5].error == "field_count: expected 5 fields, found 6"
    assert [r.line for r in export.records] == [2, 3, 5, 6]  # the empty row 4 is no record


def test_xlsx_named_sheet_and_missing_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    assert read_export(path, sheet="Notes").header == ["note_id", "text"]
    with pytest.raises(ExportError, match="no worksheet 'Nope'; sheets: Deals, Notes"):
        read_export(path, sheet="Nope")
    assert read_header(path) == ["deal_id", "金额 (CNY)", "close date", "updated", "probability"]
    assert read_header(path, sheet="Notes") == ["note_id", "text"]
    with pytest.raises(ExportError, match="no worksheet 'Nope'; sheets: Deals, Notes"):
        read_header(path, sheet="Nope")


def test_damaged_xlsx_is_an_export_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="not a readable XLSX"):
        read_export(write(tmp_path, "bad.xlsx", b"PK\x03\x04 not really a zip"))


# --- missing_columns -------------------------------------------------------------------------------


def test_missing_columns_compares_normalised_names(tmp_path: Path) -> None:
    write(tmp_path, "accounts.csv", csv_text(["ID", "客户名称", "Web Site"], [["1", "a", "b"]]).encode("gb18030"))
    table = ExportTable("account", ("accounts.csv",), columns=("id", "客户名称", "web_site", "industry"))
    missing, header = missing_columns(tmp_path, table, "accounts.csv")
    assert missing == ["industry"]
    assert header == ["ID", "客户名称", "Web Site"]


def test_missing_columns_of_xlsx(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    missing, _ = missing_columns(path.parent, ExportTable("deal", (path.name,), columns=("deal_id", "金额 (CNY)")), path.name)
    assert missing == []
    with pytest.raises(ExportError, match=r"no sheet has every column the spec needs \(deal_id, 金额 \(CNY\), stage\): 'Deals' lacks stage; 'Notes' has none of them"):
        missing_columns(path.parent, ExportTable("deal", (path.name,), columns=("deal_id", "金额 (CNY)", "stage")), path.name)
    one_sheet = ExportTable("deal", (path.name,), sheet="Deals", columns=("deal_id", "stage"))
    assert missing_columns(path.parent, one_sheet, path.name)[0] == ["stage"]  # a named sheet is read as named


# --- a real dlt pipeline ---------------------------------------------------------------------------


def test_dlt_pipeline_replaces_and_keeps_broken_lines(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    text = 'contact_id,姓名,email\nC1,张三,a@x.com\nC2,李四,b@x.com,extra\nC3,"王五\nC4,赵六,d@x.com\n'
    (folder / "contacts.csv").write_bytes(text.encode("utf-8-sig"))
    table = ExportTable("contact", ("contacts.csv",), columns=("contact_id", "姓名"))
    database = tmp_path / "s.duckdb"
    counts = []
    for _ in range(2):
        pipeline = dlt.pipeline(
            pipeline_name="files_test", destination=dlt.destinations.duckdb(str(database)),
            dataset_name="raw", pipelines_dir=str(tmp_path / "dlt"),
        )
        pipeline.run(crm_files(str(folder), [table]))
        with duckdb.connect(str(database), read_only=True) as con:
            counts.append(con.execute("SELECT count(*) FROM raw.contact").fetchone()[0])
            rows = con.execute(
                'SELECT _source_line, contact_id, "姓名", _raw_error, _raw_text FROM raw.contact ORDER BY _source_line'
            ).fetchall()
    assert counts == [4, 4]
    assert rows[0] == (2, "C1", "张三", None, None)
    assert rows[3] == (5, "C4", "赵六", None, None)
    assert rows[1][0] == 3 and rows[1][1] is None and rows[1][3].startswith("field_count") and rows[1][4] == "C2,李四,b@x.com,extra"
    assert rows[2][0] == 4 and rows[2][3].startswith("malformed_csv") and rows[2][4] == 'C3,"王五'


def test_crm_files_fails_before_loading_when_a_column_is_missing(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text("contact_id,name\nC1,a\n", encoding="utf-8")
    source = crm_files(str(tmp_path), [ExportTable("contact", ("contacts.csv",), columns=("contact_id", "email"))])
    with pytest.raises(Exception, match="no column 'email'; the file has: contact_id, name"):
        list(source.resources["contact"])
