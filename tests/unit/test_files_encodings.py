"""`encoding: auto` on hand-made exports in European and East Asian encodings: decided on the whole file,
reported with its reason, and refused rather than guessed when single-byte code pages disagree."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from connectors.sources.files import ExportTable, how_read, missing_columns, read_header
from connectors.sources.files.encodings import EncodingProblem, detect_encoding
from connectors.sources.files.helpers import Export, ExportError, read_export

SPANISH = "id,nombre,ciudad\n1,Señor José Muñoz,Málaga\n2,Ñandú S.A.,Logroño\n"
GERMAN = "id,name,stadt\n1,Müller GmbH,Köln\n2,Jürgen Groß,München\n"
CURLY = "id,name,note\n1,“Quoted” Café,it’s – fine… € 5\n"
CHINESE = "客户编号,客户名称,城市\nK001,北京星辰科技有限公司,北京\nK002,上海东方贸易,上海\n"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def values(export: Export) -> list[list[str | None]]:
    assert all(r.error is None for r in export.records), [r.error for r in export.records]
    return [r.values or [] for r in export.records]


def rows_of(text: str) -> list[list[str]]:
    return [line.split(",") for line in text.splitlines()[1:]]


@pytest.mark.parametrize("text", ["id,name\n1,Señor\n", "id,name\n1,Señorx\n"], ids=["even-length", "odd-length"])
def test_latin1_spanish_is_refused_not_misread_when_code_pages_disagree(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "clientes.csv", text.encode("latin-1"))
    with pytest.raises(ExportError) as caught:
        read_export(path)
    message = str(caught.value)
    assert str(path) in message and "line 2, column 'name'" in message
    assert "'Señor" in message and "cp1252" in message and "'Seńor" in message and "cp1250" in message
    assert "`encoding:`" in message and "default_region" in message
    with pytest.raises(ExportError, match="cannot tell which encoding"):
        read_header(path)  # validation sees the same refusal


def test_the_regions_code_page_decides_between_single_byte_readings(tmp_path: Path) -> None:
    path = write(tmp_path, "clientes.csv", SPANISH.encode("latin-1"))
    export = read_export(path, region="ES")
    assert values(export) == rows_of(SPANISH)
    assert export.encoding == "cp1252" and "region ES" in (export.encoding_reason or "")


def test_a_declared_encoding_is_used_as_declared(tmp_path: Path) -> None:
    path = write(tmp_path, "clientes.csv", SPANISH.encode("latin-1"))
    export = read_export(path, "latin-1")
    assert values(export) == rows_of(SPANISH) and export.encoding_reason == "declared in the spec"


@pytest.mark.parametrize(("text", "encoding"), [(GERMAN, "latin-1"), (CURLY, "cp1252")], ids=["german-latin1", "cp1252-curly-quotes"])
def test_single_byte_files_read_alike_by_every_plausible_code_page_are_read(tmp_path: Path, text: str, encoding: str) -> None:
    export = read_export(write(tmp_path, "k.csv", text.encode(encoding)))
    assert values(export) == rows_of(text)
    assert export.encoding == "cp1252"
    assert "cp1252 (Western European) and cp1250, cp1254, cp1257 read it identically" in (export.encoding_reason or "")


def test_the_whole_file_decides_not_its_start(tmp_path: Path) -> None:
    # 200 KB of ASCII, then one non-ASCII name: a sample of the start would call these files UTF-8
    ascii_rows = "id,name\n" + "".join(f"{i},Customer {i}\n" for i in range(12_000))
    spanish = write(tmp_path, "clientes.csv", (ascii_rows + "12000,Muñoz\n").encode("cp1252"))
    with pytest.raises(ExportError, match=r"line 12002, column 'name'.*'Muñoz' in cp1252"):
        read_header(spanish)
    polish = read_export(write(tmp_path, "klienci.csv", (ascii_rows + "12000,Łódź Spółka\n").encode("cp1250")))
    assert polish.encoding == "cp1250" and "line 12002" in (polish.encoding_reason or "")
    assert polish.records[-1].values == ["12000", "Łódź Spółka"]


@pytest.mark.parametrize(
    ("codec", "bom", "expected"),
    [("utf-16-le", True, "utf-16"), ("utf-16-be", True, "utf-16"), ("utf-16-le", False, "utf-16-le"), ("utf-16-be", False, "utf-16-be")],
    ids=["le-bom", "be-bom", "le-no-bom", "be-no-bom"],
)
def test_utf16_with_and_without_bom(tmp_path: Path, codec: str, bom: bool, expected: str) -> None:
    text = "id,name,city\n1,Zoë Müller,北京\n2,Señor,Köln\n"
    mark = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}[codec] if bom else b""
    export = read_export(write(tmp_path, "u.csv", mark + text.encode(codec)))
    assert export.header == ["id", "name", "city"]
    assert values(export) == rows_of(text)
    assert export.encoding == expected
    assert (export.encoding_reason or "").startswith("UTF-16" if bom else "no byte order mark")


def test_gb18030_wins_over_a_western_region(tmp_path: Path) -> None:
    export = read_export(write(tmp_path, "a.csv", CHINESE.encode("gb18030")), region="DE")
    assert export.header == ["客户编号", "客户名称", "城市"] and values(export) == rows_of(CHINESE)
    assert export.encoding == "gb18030"


@pytest.mark.parametrize(
    ("text", "codec", "region", "expected"),
    [
        ("顧客番号,顧客名,都市\nK001,東京株式会社,東京\nK002,大阪商事,大阪\n", "shift_jis", "JP", "cp932"),
        ("客戶編號,客戶名稱,城市\nK001,臺北星辰科技有限公司,臺北\nK002,高雄東方貿易,高雄\n", "big5", "TW", "cp950"),
        ("客戶編號,客戶名稱,城市\nK001,臺北星辰科技有限公司,臺北\nK002,高雄東方貿易,高雄\n", "big5", "CN", "cp950"),
        ("고객번호,고객명,도시\nK001,서울상사,서울\nK002,부산무역,부산\n", "euc_kr", "CN", "cp949"),
    ],
    ids=["shift-jis-jp", "big5-tw", "big5-cn", "korean-not-gb18030"],
)
def test_east_asian_encodings(tmp_path: Path, text: str, codec: str, region: str, expected: str) -> None:
    export = read_export(write(tmp_path, "x.csv", text.encode(codec)), region=region)
    assert values(export) == rows_of(text) and export.header == text.splitlines()[0].split(",")
    assert export.encoding == expected


def test_declared_utf8_holding_gb18030_names_the_encoding_that_works(tmp_path: Path) -> None:
    path = write(tmp_path, "accounts.csv", CHINESE.encode("gb18030"))
    with pytest.raises(ExportError, match=r"declared encoding utf-8 does not fit: 3 of 4 lines.*reads cleanly as gb18030.*`encoding: gb18030`"):
        read_export(path, "utf-8")


def test_a_small_gb18030_file_declared_utf8_names_gb18030_in_the_row_error(tmp_path: Path) -> None:
    # one line of four is not UTF-8: few enough to quarantine alone, but the whole file reads as GB18030
    export = read_export(write(tmp_path, "accounts.csv", "id,name\n1,Acme\n2,北京星辰\n".encode("gb18030")), "utf-8")
    broken = [r for r in export.records if r.error]
    assert [r.line for r in broken] == [3]
    assert broken[0].error == "undecodable_bytes: bytes not valid in utf-8 (the whole file reads as gb18030: set `encoding: gb18030`)"


def test_a_few_bad_lines_under_a_declared_encoding_are_quarantined_alone(tmp_path: Path) -> None:
    lines = "".join(f"{i},Zoë {i}\n" for i in range(200))
    data = ("id,name\n" + lines).encode("utf-8") + "200,乙公司\n".encode("gb18030")
    export = read_export(write(tmp_path, "mixed.csv", data), "utf-8")
    broken = [r for r in export.records if r.error]
    assert [r.line for r in broken] == [202] and len(export.records) == 201
    assert broken[0].error == "undecodable_bytes: bytes not valid in utf-8"  # no single encoding reads this file whole


def test_the_encoding_used_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "accounts.csv", CHINESE.encode("gb18030"))
    write(tmp_path, "contacts.csv", SPANISH.encode("cp1252"))
    accounts = ExportTable("account", ("accounts.csv",), columns=("客户编号",), region="CN")
    assert how_read(tmp_path, accounts, "accounts.csv").startswith("accounts.csv: encoding gb18030 (not UTF-8 (line 1")
    contacts = ExportTable("contact", ("contacts.csv",), columns=("id",), region="ES")
    assert "cp1252" in how_read(tmp_path, contacts, "contacts.csv") and "region ES" in how_read(tmp_path, contacts, "contacts.csv")
    assert missing_columns(tmp_path, contacts, "contacts.csv") == ([], ["id", "nombre", "ciudad"])
    export = read_export(tmp_path / "contacts.csv", region="ES")
    assert export.describe() == how_read(tmp_path, contacts, "contacts.csv")


def test_bytes_no_candidate_reads_are_refused_with_the_reasons() -> None:
    garbage = b"id,name\n1," + bytes(range(0x80, 0x100)) * 4 + b"\n"
    with pytest.raises(EncodingProblem, match="no candidate reads it as plausible text"):
        detect_encoding(garbage)
