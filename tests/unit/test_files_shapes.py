"""Export files shaped unlike the demo's: long notes, small files with quoted line breaks, files that are not
what their name says, merged cells, and workbooks whose first sheet is a readme."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from connectors.sources.files import ExportTable, how_read, missing_columns, read_header
from connectors.sources.files.helpers import Export, ExportError, read_export


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def good(export: Export) -> list[list[str | None]]:
    assert [r.error for r in export.records if r.error] == []
    return [r.values or [] for r in export.records]


def workbook_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def simple_workbook() -> bytes:
    book = Workbook()
    book.active.append(["id", "name"])
    book.active.append(["1", "Acme"])
    return workbook_bytes(book)


# --- CSV shapes ------------------------------------------------------------------------------------


def test_a_field_longer_than_128_kb_is_read(tmp_path: Path) -> None:
    body = "Dear customer,\n" + "lorem ipsum, dolor; sit amet " * 10_000  # ~290 KB with commas and a line break
    text = 'id,subject,body\nE1,Renewal,"' + body + '"\nE2,Hello,short\n'
    export = read_export(write(tmp_path, "emails.csv", text.encode("utf-8")))
    assert good(export) == [["E1", "Renewal", body], ["E2", "Hello", "short"]]
    assert [r.line for r in export.records] == [2, 4]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'id,name,note\r\n0,Acme,|:\t\'\'\r\n1,Beta,\r\n2,Gamma,"\t;\n"\r\n',
         [["0", "Acme", "|:\t''"], ["1", "Beta", ""], ["2", "Gamma", "\t;\n"]]),
        (b'id,name,note\n0,Acme,";\t2024-01-01\r\n"\n1,Beta,\n2,Gamma,"a ""b""-\n|"\n',
         [["0", "Acme", ";\t2024-01-01\n"], ["1", "Beta", ""], ["2", "Gamma", 'a "b"-\n|']]),
        (b'id,name,note\n0,Acme,"\n\t\'\'\tx;y"\n1,Beta,  \n',
         [["0", "Acme", "\n\t''\tx;y"], ["1", "Beta", "  "]]),
    ],
    ids=["tab-and-semicolon-in-quotes", "crlf-inside-quotes", "leading-line-break"],
)
def test_small_files_with_quoted_line_breaks_have_no_broken_rows(tmp_path: Path, data: bytes, expected: list[list[str]]) -> None:
    export = read_export(write(tmp_path, "notes.csv", data))
    assert export.header == ["id", "name", "note"]
    assert good(export) == expected
    assert read_header(tmp_path / "notes.csv") == ["id", "name", "note"]


def test_a_semicolon_file_whose_values_hold_commas_keeps_its_delimiter(tmp_path: Path) -> None:
    data = "Kundennummer;Firma;Notiz\nK1;Müller, Schmidt & Co;\"Termin: 3.5., dann\nRückruf\"\nK2;Beta;x\n".encode("utf-8")
    export = read_export(write(tmp_path, "kunden.csv", data))
    assert good(export) == [["K1", "Müller, Schmidt & Co", "Termin: 3.5., dann\nRückruf"], ["K2", "Beta", "x"]]


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"], ids=["zero-bytes", "blank-lines", "bom-only", "bom-newline"])
def test_an_empty_file_is_reported_as_empty_when_checking_the_spec(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "c.csv", data)
    with pytest.raises(ExportError, match=r"c\.csv: the file is empty"):
        missing_columns(tmp_path, ExportTable("contact", ("c.csv",), columns=("id",)), "c.csv")
    with pytest.raises(ExportError, match="the file is empty"):
        read_export(path)


def test_an_empty_workbook_file_is_reported_as_empty(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"d\.xlsx: the file is empty"):
        read_export(write(tmp_path, "d.xlsx", b""))


# --- files that are not what their name says -------------------------------------------------------


def test_an_xlsx_named_csv_is_named_as_a_workbook(tmp_path: Path) -> None:
    path = write(tmp_path, "accounts.csv", simple_workbook())
    for read in (read_export, read_header):
        with pytest.raises(ExportError) as caught:
            read(path)
        message = str(caught.value)
        assert "an Excel workbook (XLSX" in message and "name it .xlsx" in message
        assert "PK" not in message and "[Content_Types]" not in message


def encrypted_workbook() -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(simple_workbook())).encrypt("secret", out)
    return out.getvalue()


@pytest.mark.parametrize("name", ["locked.xlsx", "locked.csv"])
def test_a_password_protected_workbook_says_so(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, name, encrypted_workbook())
    with pytest.raises(ExportError, match="password-protected") as caught:
        read_export(path)
    assert "zip" not in str(caught.value).lower()
    with pytest.raises(ExportError, match="password-protected"):
        read_header(path)


def test_an_old_xls_workbook_named_xlsx_says_what_it_is(tmp_path: Path) -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 1000
    with pytest.raises(ExportError, match=r"old-format Excel workbook \(\.xls\).*save it as \.xlsx or CSV"):
        read_export(write(tmp_path, "old.xlsx", ole))


def test_csv_text_named_xlsx_says_it_is_not_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"not an XLSX workbook.*name it \.csv"):
        read_export(write(tmp_path, "deals.xlsx", b"id,name\n1,a\n"))


# --- merged cells ----------------------------------------------------------------------------------


def merged_workbook(tmp_path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Contacts"
    sheet.append(["company", "contact", "phone", "city"])
    sheet.append(["Acme GmbH", "Anna", "030 1234", "Berlin"])
    sheet.append([None, "Ben", "030 5678", None])
    sheet.append([None, "Cleo", None, None])
    sheet.append(["Beta AG", "Dora", "089 111", None])
    sheet.merge_cells("A2:A4")  # one company for three contacts, as people lay out sheets
    sheet.merge_cells("D2:D3")
    sheet.merge_cells("C5:D5")  # a value spread across two columns
    path = tmp_path / "contacts.xlsx"
    book.save(path)
    return path


def test_cells_inside_merged_ranges_take_the_top_left_value_and_are_noted(tmp_path: Path) -> None:
    export = read_export(merged_workbook(tmp_path))
    assert good(export) == [
        ["Acme GmbH", "Anna", "030 1234", "Berlin"],
        ["Acme GmbH", "Ben", "030 5678", "Berlin"],
        ["Acme GmbH", "Cleo", None, None],
        ["Beta AG", "Dora", "089 111", "089 111"],
    ]
    assert len(export.notes) == 1
    assert export.notes[0] == ("sheet 'Contacts': 4 cells inside merged ranges filled with the value of each range's "
                               "top-left cell: A2:A4, D2:D3, C5:D5")
    assert "A2:A4" in export.describe()


# --- which sheet -----------------------------------------------------------------------------------


def readme_workbook(tmp_path: Path, second_too: bool = False) -> Path:
    book = Workbook()
    readme = book.active
    readme.title = "Readme"
    readme.append(["This export was produced by OtherCRM on 2025-05-01."])
    readme.append(["Columns: id, name, email"])
    for title in ("Contacts", "Contacts (old)") if second_too else ("Contacts",):
        data = book.create_sheet(title)
        data.append(["id", "name", "email"])
        data.append(["C1", "Anna", "anna@example.com"])
    path = tmp_path / "contacts.xlsx"
    book.save(path)
    return path


def test_the_sheet_with_the_specs_columns_is_read_when_the_first_is_a_readme(tmp_path: Path) -> None:
    path = readme_workbook(tmp_path)
    table = ExportTable("contact", ("contacts.xlsx",), columns=("id", "name", "email"))
    assert missing_columns(tmp_path, table, "contacts.xlsx") == ([], ["id", "name", "email"])
    export = read_export(path, columns=table.columns)
    assert export.sheet == "Contacts" and good(export) == [["C1", "Anna", "anna@example.com"]]
    assert export.notes == ["read sheet 'Contacts': the first sheet 'Readme' lacks the spec's columns"]
    assert how_read(tmp_path, table, "contacts.xlsx").startswith("contacts.xlsx: sheet 'Contacts'; read sheet 'Contacts'")


def test_no_sheet_with_the_columns_names_every_sheet(tmp_path: Path) -> None:
    path = readme_workbook(tmp_path)
    with pytest.raises(ExportError, match=r"no sheet has every column the spec needs \(id, phone\): 'Readme' has none of them; 'Contacts' lacks phone"):
        read_export(path, columns=("id", "phone"))


def test_two_sheets_with_the_columns_ask_which(tmp_path: Path) -> None:
    path = readme_workbook(tmp_path, second_too=True)
    with pytest.raises(ExportError, match=r"sheets 'Contacts', 'Contacts \(old\)' all have the spec's columns; say which to read with `sheet:`"):
        read_header(path, columns=("id", "email"))
    assert read_export(path, sheet="Contacts (old)", columns=("id", "email")).sheet == "Contacts (old)"
