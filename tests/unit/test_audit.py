"""The hash-chained audit log: every kind of tampering is detected and named; the CLI verifies and exports it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.cli import main
from handover import audit
from tests.trust_support import make_spec


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HANDOVER_ACTOR", "auditor@example")
    for n in range(1, 7):
        audit.append(tmp_path, "load" if n % 2 else "gate", f"contact-{n}", {"n": n, "counts": {"created": n}, "note": "naïve ✓"})
    return tmp_path


def lines(work: Path) -> list[str]:
    return audit.log_path(work).read_text(encoding="utf-8").splitlines(keepends=True)


def rewrite(work: Path, new: list[str]) -> None:
    audit.log_path(work).write_text("".join(new), encoding="utf-8")


def test_an_intact_log_verifies_and_names_the_actor(work: Path) -> None:
    count, problems = audit.verify(work)
    assert (count, problems) == (6, [])
    first = json.loads(lines(work)[0])
    assert first["actor"] == "auditor@example" and first["seq"] == 1 and first["prev"] == audit.GENESIS
    assert json.loads(lines(work)[1])["prev"] == first["hash"]
    assert first["details_hash"] == audit.details_hash(first["details"])


def test_an_edited_entry_is_named(work: Path) -> None:
    content = lines(work)
    content[2] = content[2].replace('"created":3', '"created":30')
    rewrite(work, content)
    _, problems = audit.verify(work)
    assert [p.seq for p in problems] == [3] and "edited" in problems[0].message and "line 3" in problems[0].message


def test_an_edited_actor_is_named(work: Path) -> None:
    content = lines(work)
    content[4] = content[4].replace("auditor@example", "someone-else")
    rewrite(work, content)
    _, problems = audit.verify(work)
    assert [p.seq for p in problems] == [5] and "hash does not match" in problems[0].message


def test_a_deleted_entry_is_named(work: Path) -> None:
    content = lines(work)
    del content[3]
    rewrite(work, content)
    _, problems = audit.verify(work)
    assert problems and problems[0].seq == 5 and "entries 4..4 are missing" in problems[0].message


def test_an_inserted_entry_is_named(work: Path) -> None:
    content = lines(work)
    content.insert(2, content[1])  # a copy of entry 2, its hash intact
    rewrite(work, content)
    _, problems = audit.verify(work)
    assert problems[0].line == 3 and problems[0].seq == 2 and "inserted" in problems[0].message


def test_reordered_entries_are_named(work: Path) -> None:
    content = lines(work)
    content[1], content[2] = content[2], content[1]
    rewrite(work, content)
    _, problems = audit.verify(work)
    assert {p.line for p in problems} >= {2, 3} and "out of sequence" in problems[0].message


def test_entries_cut_from_the_end_are_detected(work: Path) -> None:
    rewrite(work, lines(work)[:-2])
    _, problems = audit.verify(work)
    assert len(problems) == 1 and "ends at entry 4 but 6 entries were written" in problems[0].message


def test_an_entry_torn_by_a_full_disk_is_cut_off_and_the_chain_goes_on(work: Path) -> None:
    with audit.log_path(work).open("ab") as handle:
        handle.write(b'{"seq":7,"time":"2026-12-03T19:20')  # the write that failed: no end, no newline
    entry = audit.append(work, "run_start", "demo", {"job": "demo_migrate"})
    assert entry["seq"] == 7 and entry["details"]["torn_entry_discarded_bytes"] == 33
    assert audit.verify(work) == (7, [])
    assert [json.loads(line)["seq"] for line in lines(work)] == [1, 2, 3, 4, 5, 6, 7]


def test_cli_verify_and_export(tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOVER_ACTOR", "ops")
    spec = make_spec(tmp_path)
    audit.append(spec.work_dir, "run_start", spec.migration, {"job": "x"})
    audit.append(spec.work_dir, "run_end", spec.migration, {"success": True})
    assert main(["audit", "verify", str(tmp_path / "spec.yaml")]) == 0
    out = tmp_path / "audit.jsonl"
    assert main(["audit", "export", str(tmp_path / "spec.yaml"), "--out", str(out)]) == 0
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["action"] for e in exported] == ["run_start", "run_end"] and exported[1]["prev"] == exported[0]["hash"]

    content = lines(spec.work_dir)
    rewrite(spec.work_dir, [content[0].replace('"job":"x"', '"job":"y"'), content[1]])
    capsys.readouterr()
    assert main(["audit", "verify", str(tmp_path / "spec.yaml")]) == 1
    assert "line 1, entry 1 (run_start trust by ops" in capsys.readouterr().out.replace("\n", "")
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.append(spec.work_dir, "launch", "x")
