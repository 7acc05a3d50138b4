"""handover.matching: match keys, exact-rule clustering and golden records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from handover.matching import ExactRule, cluster_exact, cluster_pairs, golden_records, match_key, rule_keys


def keys(values: list[object]) -> list[str | None]:
    out = match_key(pd.Series(values, dtype=object))
    return [None if pd.isna(v) else v for v in out]


# --- match_key -------------------------------------------------------------------------------------


def test_match_key_ignores_case_width_and_punctuation() -> None:
    assert keys(["Ann.Lee@Example.COM", "ann.lee@example.com", "ＡＮＮ．ＬＥＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ"]) == ["annleeexamplecom"] * 3
    assert keys(["(010) 5555-1234", "010 5555 1234", "010-5555-1234"]) == ["01055551234"] * 3
    assert keys(["Straße GmbH", "STRASSE gmbh"]) == ["strassegmbh"] * 2  # casefold, not lower
    assert keys(["北京 星辰科技", "北京星辰科技"]) == ["北京星辰科技"] * 2


def test_match_key_keeps_different_values_apart() -> None:
    a, b = keys(["ann@example.com", "anne@example.com"])
    assert a != b


def test_match_key_of_empty_values_is_none() -> None:
    assert keys([None, np.nan, "", "  ", "---", "\u3000"]) == [None] * 6


def test_match_key_keeps_the_index() -> None:
    series = pd.Series(["A", "a"], index=[10, 20])
    assert match_key(series).index.tolist() == [10, 20]


# --- rule_keys -------------------------------------------------------------------------------------


def test_rule_keys_join_all_parts() -> None:
    frame = pd.DataFrame({"phone": ["138-0013-8000", "13800138000"], "name": ["Ann Lee", "ANN LEE"]})
    result = rule_keys(frame, ExactRule.parse("phone + name"))
    assert result.iloc[0] == result.iloc[1] is not None


def test_rule_keys_none_when_a_part_is_missing() -> None:
    frame = pd.DataFrame({"phone": ["1", None, "1", "  "], "name": ["Ann", "Ann", None, "Ann"]}, dtype=object)
    result = rule_keys(frame, ExactRule.parse("phone+name"))
    assert result.iloc[0] is not None
    assert result.iloc[1:].isna().all()


def test_rule_keys_do_not_collide_across_the_separator() -> None:
    frame = pd.DataFrame({"a": ["ab", "a"], "b": ["c", "bc"]})
    result = rule_keys(frame, ExactRule.parse("a+b"))
    assert result.iloc[0] != result.iloc[1]


def test_exact_rule_parse() -> None:
    assert ExactRule.parse("phone + name") == ExactRule("phone + name", ("phone", "name"))


# --- clustering ------------------------------------------------------------------------------------

PEOPLE = pd.DataFrame(
    {
        "email": ["ann@x.com", "ANN@X.COM", None, "zed@x.com", None],
        "phone": [None, "138 0013 8000", "13800138000", None, "13800138000"],
        "name": ["Ann", "Ann Lee", "ann lee", "Zed", "Someone Else"],
    },
    dtype=object,
)
RULES = [ExactRule.parse("email"), ExactRule.parse("phone+name")]


def test_cluster_exact_is_transitive() -> None:
    labels, joined_by = cluster_exact(PEOPLE, RULES)
    # A~B by email, B~C by phone+name: one cluster labelled by its first member; D and E alone
    assert labels.tolist() == [0, 0, 0, 3, 4]
    # every member of a merged cluster is explained by a rule, whichever of them survives (A by email too)
    assert joined_by == {0: "email", 1: "email", 2: "phone+name"}


def test_cluster_exact_with_one_rule_only() -> None:
    labels, _ = cluster_exact(PEOPLE, [ExactRule.parse("email")])
    assert labels.tolist() == [0, 0, 2, 3, 4]


def test_cluster_exact_without_matches_or_rows() -> None:
    labels, joined_by = cluster_exact(PEOPLE, [ExactRule.parse("name")])
    assert labels.tolist() == [0, 1, 1, 3, 4]  # "Ann Lee" and "ann lee"
    labels, joined_by = cluster_exact(PEOPLE.iloc[:0], RULES)
    assert labels.tolist() == [] and joined_by == {}


def test_cluster_exact_on_a_non_default_index() -> None:
    frame = PEOPLE.set_axis([50, 40, 30, 20, 10])
    labels, _ = cluster_exact(frame, RULES)
    assert labels.tolist() == [0, 0, 0, 3, 4]  # positions, not index labels


def test_cluster_pairs_labels_are_smallest_positions() -> None:
    labels = cluster_pairs(6, np.array([5, 3, 4]), np.array([3, 1, 2]))
    assert labels.tolist() == [0, 1, 2, 1, 2, 1]


# --- golden records --------------------------------------------------------------------------------


def cluster_frame() -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.DataFrame(
        {
            "id": ["C1", "C2", "C3", "C4"],
            "email": ["new@x.com", None, "old@x.com", "solo@x.com"],
            "phone": [None, "+8613800138000", "+8613900139000", None],
            "created": pd.to_datetime(["2022-01-01", "2020-06-01", "2021-01-01", "2019-01-01"], utc=True),
            "modified": pd.to_datetime(["2024-01-01", "2023-01-01", None, "2019-01-01"], utc=True),
            "line": [2, 3, 4, 5],
        },
        index=[100, 101, 102, 103],
    )
    return frame, np.array([0, 0, 0, 3])


def test_golden_identity_is_the_oldest_record() -> None:
    frame, labels = cluster_frame()
    golden, survivors = golden_records(
        frame, labels, ["email", "phone"], identity_order=["created", "line"], value_order=["modified", "line"], value_ascending=[False, True],
    )
    assert sorted(golden.index) == [101, 103]
    assert golden.loc[101, "id"] == "C2"  # created 2020, the oldest of C1..C3
    assert survivors.tolist() == [101, 101, 101, 103]
    assert survivors.index.tolist() == frame.index.tolist()


def test_golden_values_are_first_non_null_by_value_order() -> None:
    frame, labels = cluster_frame()
    golden, _ = golden_records(
        frame, labels, ["email", "phone"], identity_order=["created", "line"], value_order=["modified", "line"], value_ascending=[False, True],
    )
    # most recently modified first: C1 (email, no phone), C2 (phone), C3 (never modified: last)
    assert golden.loc[101, "email"] == "new@x.com"
    assert golden.loc[101, "phone"] == "+8613800138000"
    assert golden.loc[103].to_dict() == frame.loc[103].to_dict()  # a single record is its own golden record


def test_golden_values_with_ascending_order_pick_the_other_end() -> None:
    frame, labels = cluster_frame()
    golden, _ = golden_records(
        frame, labels, ["email", "phone"], identity_order=["created"], value_order=["line"], value_ascending=[False],
    )
    assert golden.loc[101, "email"] == "old@x.com" and golden.loc[101, "phone"] == "+8613900139000"


def test_golden_identity_ties_and_missing_dates() -> None:
    frame, labels = cluster_frame()
    frame["created"] = pd.to_datetime([None, None, "2021-01-01", None], utc=True)
    golden, survivors = golden_records(
        frame, labels, ["email"], identity_order=["created", "line"], value_order=["line"], value_ascending=[True],
    )
    assert golden.loc[102, "id"] == "C3"  # the only dated record wins; missing dates sort last
    assert survivors.tolist() == [102, 102, 102, 103]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_golden_records_partition_the_input(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    frame = pd.DataFrame({
        "email": rng.choice(["a@x", "b@x", "c@x", None], n).astype(object),
        "phone": rng.choice(["1", "2", "3", "4", None], n).astype(object),
        "name": rng.choice(["A", "B"], n).astype(object),
        "line": np.arange(n),
    })
    labels, _ = cluster_exact(frame, RULES)
    golden, survivors = golden_records(frame, labels, ["email"], identity_order=["line"], value_order=["line"], value_ascending=[True])
    assert len(golden) == len(set(labels.tolist()))
    assert set(survivors) == set(golden.index)
    for label in set(labels.tolist()):
        members = frame.index[labels == label]
        assert survivors.loc[members].nunique() == 1
        assert survivors.loc[members].iloc[0] == members.min()  # identity by line: the first member
