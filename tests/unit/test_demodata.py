"""The LegacyCRM demo export: deterministic, and every piece of dirt in the truth dict is really in the files."""

from __future__ import annotations

import csv
import io
import json
import random
import re
import unicodedata
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from sampledata.demo import generate_export, truth_path
from sampledata.demo import deals as deals_module
from sampledata.demo import people as people_module
from sampledata.demo.common import NOW, Ctx
from sampledata.demo.formats import DateRenderer
from sampledata.demo.writers import render_line

SCALE = 0.05
EXPORT_FILES = ["accounts.csv", "activities.csv", "contacts.csv", "deals.xlsx", "users.csv"]
HEADERS = {
    "users.csv": "user_id,full_name,email,department,status,manager_id",
    "accounts.csv": "account_id,account_name,website,phone,industry,city,country,owner_id,created_at,annual_revenue",
    "contacts.csv": "contact_id,first_name,last_name,email,phone,title,account_id,owner_id,created_at,last_modified",
    "activities.csv": "activity_id,type,subject,details,activity_date,contact_id,account_id,deal_id,owner_id",
    "deals.xlsx": "deal_id,deal_name,account_id,contact_id,amount,currency,stage,close_date,owner_id",
}
ENCODINGS = {"users.csv": "utf-8", "accounts.csv": "gb18030", "contacts.csv": "utf-8-sig", "activities.csv": "utf-8"}
DATE_PATTERNS = {
    "iso": r"\d{4}-\d{2}-\d{2}", "ymd_slash": r"\d{4}/\d{1,2}/\d{1,2}", "cjk": r"\d{4}年\d{1,2}月\d{1,2}日",
    "dmy_slash": r"\d{2}/\d{2}/\d{4}", "mon_d_y": r"[A-Z][a-z]{2} \d{1,2}, \d{4}", "d_mon_y": r"\d{1,2}-[A-Z][a-z]{2}-\d{4}",
    "compact": r"\d{8}", "iso_minute": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}",
    "iso_t_offset": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00", "ymd_slash_12h": r"\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2} [AP]M",
}


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo") / "exports"
    return out, generate_export(out, scale=SCALE, seed=42)


def records(path: Path) -> list[tuple[int, list[str]]]:
    """(1-based physical start line, fields) of every CSV record, header included, as a quote-aware parser sees them."""
    text = path.read_bytes().decode(ENCODINGS[path.name], errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    out, last = [], 0
    for fields in reader:
        out.append((last + 1, fields))
        last = reader.line_num
    return out


def rows_by_id(path: Path, truth: dict) -> dict[str, dict[str, str]]:
    """Well-formed records keyed by id (a repeated line collapses into one)."""
    broken = {b["line"] for b in truth["broken_lines"] if b["file"] == path.name}
    (_, header), *body = records(path)
    return {fields[0]: dict(zip(header, fields)) for line, fields in body if line not in broken}


def deal_rows(out: Path) -> list[dict]:
    sheet = openpyxl.load_workbook(out / "deals.xlsx", read_only=True)["Deals"]
    header, *body = sheet.iter_rows(values_only=True)
    return [dict(zip(header, row)) for row in body]


def documented_field_count(problem: str) -> int:
    found = re.search(r"reads (\d+) fields|: (\d+) instead", problem)
    return int(found.group(1) or found.group(2))


def norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def digits(text: str) -> str:
    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


def test_same_seed_gives_identical_bytes(tmp_path: Path) -> None:
    first = generate_export(tmp_path / "a", scale=SCALE, seed=7)
    second = generate_export(tmp_path / "b", scale=SCALE, seed=7)
    generate_export(tmp_path / "c", scale=SCALE, seed=8)
    assert first == second
    for name in EXPORT_FILES:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert (tmp_path / "a.truth.json").read_bytes() == (tmp_path / "b.truth.json").read_bytes()
    assert (tmp_path / "a" / "contacts.csv").read_bytes() != (tmp_path / "c" / "contacts.csv").read_bytes()


def test_out_dir_holds_only_the_export_and_truth_sits_beside_it(export: tuple[Path, dict]) -> None:
    out, truth = export
    assert sorted(p.name for p in out.iterdir()) == EXPORT_FILES
    assert truth_path(out) == out.parent / "exports.truth.json"
    assert json.loads(truth_path(out).read_text(encoding="utf-8")) == truth


def test_rerun_overwrites(export: tuple[Path, dict], tmp_path: Path) -> None:
    out = tmp_path / "exports"
    generate_export(out, scale=SCALE, seed=1)
    truth = generate_export(out, scale=SCALE, seed=42)
    assert truth == export[1]
    assert (out / "contacts.csv").read_bytes() == (export[0] / "contacts.csv").read_bytes()


@pytest.mark.parametrize("name", ["users.csv", "accounts.csv", "contacts.csv", "activities.csv"])
def test_csv_headers_and_encodings(export: tuple[Path, dict], name: str) -> None:
    raw = (export[0] / name).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (name == "contacts.csv")
    assert raw.decode(ENCODINGS[name], errors="replace").split("\n", 1)[0] == HEADERS[name]
    if name == "accounts.csv":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        assert "有限公司" in raw.decode("gb18030")


def test_deals_workbook(export: tuple[Path, dict]) -> None:
    out, truth = export
    book = openpyxl.load_workbook(out / "deals.xlsx", read_only=True)
    assert book.sheetnames == ["Deals"]
    header = next(book["Deals"].iter_rows(values_only=True))
    assert ",".join(header) == HEADERS["deals.xlsx"]
    deals = {d["deal_id"]: d for d in deal_rows(out)}
    assert len(deals) == truth["counts"]["deals.xlsx"]
    assert any(isinstance(d["close_date"], datetime) for d in deals.values())
    assert {i for i, d in deals.items() if isinstance(d["amount"], str)} == set(truth["text_cells"]["deals.amount"])
    assert {i for i, d in deals.items() if isinstance(d["close_date"], str)} == set(truth["text_cells"]["deals.close_date"])
    assert [i for i, d in deals.items() if isinstance(d["amount"], (int, float)) and d["amount"] < 0] == truth["negative_amounts"]
    assert [i for i, d in deals.items() if not d["deal_name"]] == truth["missing_required"]["deal"]
    assert {d["currency"] for d in deals.values()} <= {"CNY", "RMB", "USD", "EUR"}
    assert {d["stage"] for d in deals.values()} <= set(truth["picklists"]["deal.stage"])


def test_counts_match_files(export: tuple[Path, dict]) -> None:
    out, truth = export
    for name in ("users.csv", "accounts.csv", "contacts.csv", "activities.csv"):
        assert len(records(out / name)) - 1 == truth["counts"][name], name
    assert truth["counts"]["users.csv"] == 30
    users = rows_by_id(out / "users.csv", truth)
    assert sorted(u for u, row in users.items() if row["status"] == "Inactive") == truth["users_departed"]
    assert users["U001"]["status"] == "Active" and users["U001"]["manager_id"] == ""


@pytest.mark.parametrize(("name", "width"), [("contacts.csv", 10), ("activities.csv", 9)])
def test_broken_lines_are_exactly_where_recorded(export: tuple[Path, dict], name: str, width: int) -> None:
    out, truth = export
    recorded = {b["line"]: b["id"] for b in truth["broken_lines"] if b["file"] == name}
    assert recorded
    found = {line: fields[0] for line, fields in records(out / name)[1:] if len(fields) != width}
    assert found == recorded


def test_undecodable_line(export: tuple[Path, dict]) -> None:
    out, truth = export
    bad = []
    for number, line in enumerate((out / "activities.csv").read_bytes().split(b"\n"), 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
    (entry,) = truth["undecodable_lines"]
    assert bad == [entry["line"]]
    line = (out / "activities.csv").read_bytes().split(b"\n")[entry["line"] - 1].decode("gbk")
    assert line.startswith(entry["id"] + ",") and len(next(csv.reader([line]))) == 9


def test_repeated_lines(export: tuple[Path, dict]) -> None:
    out, truth = export
    lines = (out / "contacts.csv").read_bytes().split(b"\n")
    assert truth["repeated_lines"]
    for entry in truth["repeated_lines"]:
        first, second = entry["lines"]
        assert second == first + 1
        assert lines[first - 1] == lines[second - 1]
        assert lines[first - 1].startswith(entry["id"].encode() + b",")
    ids = [fields[0] for _, fields in records(out / "contacts.csv")[1:]]
    assert len(ids) - len(set(ids)) == len(truth["repeated_lines"])


def test_contact_duplicates_share_a_match_key(export: tuple[Path, dict]) -> None:
    out, truth = export
    contacts = rows_by_id(out / "contacts.csv", truth)
    assert {kind for *_, kind in truth["contact_duplicates"]} == set(people_module.DUPLICATE_KINDS)
    for original, duplicate, kind in truth["contact_duplicates"]:
        a, b = contacts[original], contacts[duplicate]
        same_email = bool(norm(a["email"])) and norm(a["email"]) == norm(b["email"])
        name = lambda r: " ".join(norm(r["first_name"] + " " + r["last_name"]).split())  # noqa: E731
        same_phone = bool(digits(a["phone"])) and digits(a["phone"]) == digits(b["phone"]) and name(a) == name(b)
        assert same_email or same_phone, (original, duplicate, kind)
        if kind == "exact":
            assert {**a, "contact_id": ""} == {**b, "contact_id": ""}
        else:
            assert a != {**b, "contact_id": original}


def test_account_duplicates_share_name_and_website(export: tuple[Path, dict]) -> None:
    out, truth = export
    accounts = rows_by_id(out / "accounts.csv", truth)
    assert truth["account_duplicates"]
    for original, duplicate, _ in truth["account_duplicates"]:
        a, b = accounts[original], accounts[duplicate]
        assert a["account_name"] != b["account_name"]
        assert re.sub(r"\s", "", norm(a["account_name"])) == re.sub(r"\s", "", norm(b["account_name"]))
        assert a["website"] and a["website"] == b["website"]


def test_injected_dirt_is_in_the_files(export: tuple[Path, dict]) -> None:
    out, truth = export
    accounts, contacts = rows_by_id(out / "accounts.csv", truth), rows_by_id(out / "contacts.csv", truth)
    activities, deals = rows_by_id(out / "activities.csv", truth), deal_rows(out)
    valid = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
    assert truth["invalid_emails"] and all(not valid.match(norm(contacts[c]["email"])) for c in truth["invalid_emails"])
    assert all(not accounts[a]["account_name"] for a in truth["missing_required"]["account"])
    assert all(not contacts[c]["last_name"] and not contacts[c]["email"] for c in truth["missing_required"]["contact"])
    assert all(contacts[c]["account_id"] not in accounts for c in truth["orphans"]["contact.account_id"])
    orphan_deals = {d["deal_id"] for d in deals if d["account_id"] not in accounts}
    assert orphan_deals == set(truth["orphans"]["deal.account_id"])
    assert all(activities[t]["contact_id"] not in contacts for t in truth["orphans"]["activity.contact_id"])
    long = {t for t, row in activities.items() if len(row["subject"]) > 255}
    assert long == set(truth["long_subjects"])
    for field, ids in truth["fullwidth"].items():
        column = field.split(".")[1]
        assert ids and all(unicodedata.normalize("NFKC", contacts[i][column]) != contacts[i][column] for i in ids)
    owners = {"account": accounts.values(), "contact": contacts.values(), "deal": deals, "activity": activities.values()}
    for entity, rows in owners.items():
        owner_ids = [r["owner_id"] for r in rows]
        assert sum(o in truth["users_departed"] for o in owner_ids) == truth["departed_owned"][entity], entity
        assert owner_ids.count("U999") == truth["unknown_owner"][entity], entity
    for entity, count in truth["departed_owned"].items():
        assert 0.02 < count / len(owners[entity]) < 0.25, entity


def test_dates_use_only_recorded_formats(export: tuple[Path, dict]) -> None:
    out, truth = export
    columns = {"accounts.csv": ["created_at"], "contacts.csv": ["created_at", "last_modified"],
               "activities.csv": ["activity_date"]}
    for name, cols in columns.items():
        for col in cols:
            formats = truth["date_formats"][f"{name.removesuffix('.csv')}.{col}"]
            pattern = re.compile("|".join(f"(?:{DATE_PATTERNS[f]})" for f in formats))
            values = [row[col] for row in rows_by_id(out / name, truth).values() if row[col]]
            assert values and all(pattern.fullmatch(v) for v in values), (name, col)
            slashed = [v for v in values if re.fullmatch(DATE_PATTERNS["dmy_slash"], v)]
            assert all(int(v[3:5]) <= 12 for v in slashed)


def test_minimum_scale_keeps_every_kind_of_dirt(tmp_path: Path) -> None:
    truth = generate_export(tmp_path / "tiny", scale=0.001, seed=3)
    assert truth["counts"]["users.csv"] == 30
    assert all(truth["counts"][n] >= 20 for n in EXPORT_FILES if n != "users.csv")
    assert {b["file"] for b in truth["broken_lines"]} == {"contacts.csv", "activities.csv"}
    for key in ("contact_duplicates", "account_duplicates", "repeated_lines", "invalid_emails", "undecodable_lines",
                "long_subjects", "negative_amounts"):
        assert truth[key], key
    assert all(truth["orphans"].values()) and all(truth["missing_required"].values())


@pytest.mark.parametrize("shape", deals_module.BROKEN_SHAPES)
def test_activity_broken_shapes_parse_as_documented(shape: str) -> None:
    ctx = Ctx(rng=random.Random(0), scale=1.0, dates=DateRenderer(random.Random(0)))
    row = {c: "U002" if c == "owner_id" else "x" for c in deals_module.ACTIVITY_COLUMNS}
    row |= {"_when": NOW, "subject": "Pricing call - Wei Wang"}
    deals_module.break_line(ctx, row, shape)
    follower = "T2,Call,ok,,2026-01-01 10:00,,A1,,U002\n"
    parsed = list(csv.reader(io.StringIO(render_line(row, deals_module.ACTIVITY_COLUMNS) + follower, newline="")))
    assert len(parsed[0]) == documented_field_count(row["_problem"])
    if shape != "unterminated_quote_eof":
        assert parsed[1] == follower.strip().split(",")


@pytest.mark.parametrize("shape", people_module.BROKEN_SHAPES)
def test_contact_broken_shapes_parse_as_documented(shape: str) -> None:
    ctx = Ctx(rng=random.Random(0), scale=1.0, dates=DateRenderer(random.Random(0)))
    row = {c: "x" for c in people_module.CONTACT_COLUMNS}
    row |= {"_created": NOW, "_modified": NOW, "email": "wei.wang@x.example", "phone": "138 1234 5678"}
    people_module.break_line(ctx, row, shape)
    follower = "C2,a,b,,,,A1,U002,2026-01-01,2026-01-01\n"
    parsed = list(csv.reader(io.StringIO(render_line(row, people_module.CONTACT_COLUMNS) + follower, newline="")))
    assert len(parsed[0]) == documented_field_count(row["_problem"])
    assert parsed[1] == follower.strip().split(",")
