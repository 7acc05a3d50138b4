"""The synthetic-contacts generator of the entity-resolution benchmark (bench/synth_contacts.py), at 2,000 rows."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = 2000


def _load():
    spec = importlib.util.spec_from_file_location("synth_contacts", ROOT / "bench" / "synth_contacts.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("synth_contacts", module)
    spec.loader.exec_module(module)
    return module


synth = _load()
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def generated() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synth.generate(ROWS, seed=1)


@pytest.fixture(scope="module")
def joined(generated) -> pd.DataFrame:
    contacts, truth = generated
    frame = contacts.merge(truth, on="id", validate="one_to_one")
    frame["size"] = frame.groupby("entity_id")["id"].transform("size")
    return frame


def _blank(series: pd.Series) -> pd.Series:
    return series.isna() | (series.fillna("").str.strip() == "")


def test_deterministic_for_a_seed(generated):
    contacts, truth = generated
    again_contacts, again_truth = synth.generate(ROWS, seed=1)
    pd.testing.assert_frame_equal(contacts, again_contacts)
    pd.testing.assert_frame_equal(truth, again_truth)
    other, _ = synth.generate(ROWS, seed=2)
    assert not other.drop(columns="id").equals(contacts.drop(columns="id"))


def test_schema(generated):
    contacts, truth = generated
    assert tuple(contacts.columns) == synth.COLUMNS
    assert list(truth.columns) == ["id", "entity_id"]
    assert len(contacts) == len(truth) == ROWS
    for column in contacts.columns:
        values = contacts[column].dropna()
        assert values.map(type).eq(str).all(), column
    assert contacts["id"].notna().all() and contacts["id"].is_unique
    # every record is still a contact: some name is present
    named = ~(_blank(contacts["first_name"]) & _blank(contacts["last_name"]) & _blank(contacts["full_name"]))
    assert named.all()


def test_rows_are_shuffled(joined):
    # duplicates are not written next to their original
    adjacent = (joined["entity_id"] == joined["entity_id"].shift()).mean()
    assert adjacent < 0.01
    assert not joined["id"].is_monotonic_increasing


def test_truth_is_consistent(generated, joined):
    contacts, truth = generated
    assert set(truth["id"]) == set(contacts["id"]) and truth["id"].is_unique
    assert truth["entity_id"].notna().all()
    sizes = truth["entity_id"].value_counts()
    assert sizes.max() <= 5  # an original and at most 4 duplicates
    dup_counts = (sizes[sizes > 1] - 1).value_counts()
    assert dup_counts.idxmax() == 1 and dup_counts.get(1, 0) > dup_counts.get(2, 0) > dup_counts.get(4, 0)
    # duplicates of one person agree on what a person cannot change: the culture of their name
    cjk = joined["full_name"].fillna("").str.contains(CJK) | joined["last_name"].fillna("").str.contains(CJK)
    per_person = cjk.groupby(joined["entity_id"]).mean()
    assert per_person[(per_person > 0) & (per_person < 1)].size < 0.2 * per_person[per_person > 0].size


@pytest.mark.parametrize("rate", [0.3, 0.1, 0.5])
def test_dup_rate_within_three_points(rate):
    _, truth = synth.generate(ROWS, seed=3, dup_rate=rate)
    people = truth["entity_id"].nunique()
    assert abs((len(truth) - people) / len(truth) - rate) <= 0.03


def test_dup_rate_out_of_range():
    with pytest.raises(ValueError):
        synth.generate(100, dup_rate=0.9)


def test_duplicates_are_perturbed(joined):
    dups = joined[joined["size"] > 1]
    fields = [c for c in synth.COLUMNS if c != "id"]
    # exact copies (double imports) exist but are a small minority
    identical = dups.duplicated(subset=["entity_id", *fields], keep=False)
    assert identical.mean() < 0.15
    # the group varies in the noisy fields
    varied = dups.groupby("entity_id")[["full_name", "email", "phone", "street", "date_of_birth"]].nunique(dropna=False)
    for column in varied.columns:
        assert (varied[column] > 1).mean() > 0.2, column
    # specific kinds of dirt
    first = dups.groupby("entity_id")["first_name"].agg(lambda s: set(s.dropna()))
    nick_pairs = sum(
        any(n in names for n in synth.NICKNAMES.get(formal, ())) for names in first for formal in names
    )
    assert nick_pairs > 0
    assert dups["first_name"].fillna("").str.isupper().any() or dups["last_name"].fillna("").str.isupper().any()
    assert dups["phone"].fillna("").str.contains(r"^\+\d").any() and dups["phone"].fillna("").str.contains(r"^0\d").any()
    traditional = set("".join(v for v in synth.tables().trad.values()))
    assert dups["full_name"].fillna("").map(lambda v: bool(set(v) & traditional)).any()
    assert dups["full_name"].fillna("").str.contains("[\uff01-\uff5e]").any() or \
        dups["street"].fillna("").str.contains("[\uff10-\uff19]").any()


def test_realistic_mix(joined):
    cjk = joined["full_name"].fillna("").str.contains(CJK) | joined["last_name"].fillna("").str.contains(CJK)
    assert 0.15 < cjk.mean() < 0.35
    missing = {c: _blank(joined[c]).mean() for c in ("email", "phone", "street", "date_of_birth")}
    assert all(0.03 < share < 0.7 for share in missing.values()), missing
    assert joined["email"].fillna("").str.contains(r"^[a-z0-9]+\.[a-z0-9]+@", case=False).any()


def test_hard_negatives_exist(joined):
    people = joined.drop_duplicates("entity_id")
    # the same full name for different people (John Smith, 王伟)
    named = people[~_blank(people["full_name"])]
    same_name = named.groupby("full_name")["entity_id"].nunique()
    assert (same_name > 1).sum() >= 5
    every_name = joined[~_blank(joined["full_name"])].groupby("full_name")["entity_id"].nunique()
    assert any(CJK.search(n) for n in every_name[every_name > 1].index)
    # the same street and city for different people (households, neighbours)
    located = joined[~_blank(joined["street"]) & ~_blank(joined["city"])]
    assert (located.groupby(["street", "city"])["entity_id"].nunique() > 1).any()
    # one phone number for different people (company switchboard, home landline)
    digits = joined["phone"].fillna("").str.replace(r"\D", "", regex=True).str[-10:]
    phoned = joined.assign(digits=digits)[digits.str.len() >= 7]
    assert (phoned.groupby("digits")["entity_id"].nunique() > 1).sum() >= 3
    # the same surname and city
    assert (located.groupby(["last_name", "city"])["entity_id"].nunique() > 1).sum() >= 5


def test_tiny_outputs():
    for rows in (1, 7, 50):
        contacts, truth = synth.generate(rows, seed=4)
        assert len(contacts) == rows and set(truth["id"]) == set(contacts["id"])


def test_cli_writes_parquet(tmp_path):
    out, truth = tmp_path / "c.parquet", tmp_path / "c.truth.parquet"
    assert synth.main(["--rows", "300", "--out", str(out), "--truth", str(truth), "--seed", "5"]) == 0
    contacts = pd.read_parquet(out)
    assert len(contacts) == 300 and set(pd.read_parquet(truth)["id"]) == set(contacts["id"])
