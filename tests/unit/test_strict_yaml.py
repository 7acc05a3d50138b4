"""Specs are read strictly: a key written twice is refused naming both lines, and aliases cannot explode."""

from __future__ import annotations

from pathlib import Path

import pytest

from handover.spec import SpecError, load_spec
from tests.conftest import DEMO_SPEC


def test_duplicate_field_key_names_both_lines(tmp_path: Path) -> None:
    lines = DEMO_SPEC.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "email: email" and i > 60)  # the contact's email
    lines.insert(at + 1, lines[at].replace("email: email", "email: phone"))
    spec = tmp_path / "dup.yaml"
    spec.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    assert f"{spec}:{at + 2}:" in str(caught.value)
    assert f"key 'email' is written twice in one mapping (lines {at + 1} and {at + 2})" in str(caught.value)


def test_duplicate_top_level_key_and_same_key_in_different_mappings(tmp_path: Path) -> None:
    spec = tmp_path / "top.yaml"
    spec.write_text("migration: a\nsource: {path: x}\nmigration: b\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"top.yaml:3: key 'migration' is written twice in one mapping \(lines 1 and 3\)"):
        load_spec(spec)
    # The same key in two sibling mappings is not a duplicate.
    spec.write_text("migration: a\nsource: {path: x, system: y}\ntarget: {path: x}\nentities: {}\n", encoding="utf-8")
    assert load_spec(spec).target.path == "x"


def test_alias_bomb_is_refused_quickly_with_its_line(tmp_path: Path) -> None:
    levels = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    spec = tmp_path / "bomb.yaml"
    spec.write_text("migration: bomb\n" + "\n".join(levels) + "\n", encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    message = str(caught.value)
    assert "alias bomb" in message and "expand to more than 100,000 values" in message
    assert f"{spec}:7:" in message  # a5 (line 7) is the first level past 100,000 values (9**6 > 100,000)


def test_small_aliases_still_work(tmp_path: Path) -> None:
    text = DEMO_SPEC.read_text(encoding="utf-8").replace("{U008: U002, U013: U003, U019: U002}", "{U008: &u2 U002, U013: U003, U019: *u2}")
    spec = tmp_path / "ok.yaml"
    spec.write_text(text.replace("path: ../.handover/demo/exports", f"path: {tmp_path}"), encoding="utf-8")
    assert load_spec(spec).owners.departed.successor_of == {"U008": "U002", "U013": "U003", "U019": "U002"}
