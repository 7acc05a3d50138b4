"""One entity-resolution path: exact rules through handover.dedup (the same match keys with or without
probabilistic matching), and golden records (handover.cleaning.golden)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from handover.cleaning.golden import golden_records
from handover.dedup import ProbabilisticConfig, resolve

PEOPLE = pd.DataFrame({
    "id": ["A", "B", "C", "D", "E"],
    "first_name": ["Ann", "ANN", "ann", "Zed", "Someone"],
    "last_name": ["Lee", "Lee", "Lee", "Zed", "Else"],
    "email": ["ann@x.com", "ANN@X.COM", None, "zed@x.com", None],
    "phone": [None, "138 0013 8000", "+86 13800138000", None, "13800138000"],
}, dtype=object)


def labels(frame: pd.DataFrame, rules: list[str], **kw: object) -> list[str]:
    return resolve(frame, "contact", rules=rules, probabilistic=None, **kw).cluster_id.tolist()


def test_exact_rules_are_transitive() -> None:
    # A~B by email, B~C by phone+name: one cluster named by its smallest id; E shares the phone, not the name
    assert labels(PEOPLE, ["email", "phone+name"]) == ["A", "A", "A", "D", "E"]
    assert labels(PEOPLE, ["email"]) == ["A", "A", "C", "D", "E"]
    assert labels(PEOPLE.iloc[:0], ["email"]) == []


def test_exact_rules_on_a_non_default_index_keep_it() -> None:
    frame = PEOPLE.set_axis([50, 40, 30, 20, 10])
    result = resolve(frame, "contact", rules=["email", "phone+name"], probabilistic=None)
    assert result.cluster_id.index.tolist() == [50, 40, 30, 20, 10]
    assert result.cluster_id.tolist() == ["A", "A", "A", "D", "E"]


def test_the_email_rule_reads_addresses_the_same_way_with_or_without_the_model() -> None:
    """Gmail dots, +tags, case and a display name fold alike whether or not `probabilistic` is set."""
    rows = [("G1", "John", "Smith", "j.smith+crm@gmail.com"), ("G2", "John", "Smith", "JSmith@GoogleMail.com"),
            ("G3", "John", "Smith", '"John Smith" <jsmith@gmail.com>')]
    rows += [(f"F{i}", f"Person{i}", f"Family{i % 7}", f"p{i}@example.org") for i in range(40)]
    frame = pd.DataFrame(rows, columns=["id", "first_name", "last_name", "email"])
    exact = resolve(frame, "contact", rules=["email"], probabilistic=None)
    both = resolve(frame, "contact", rules=["email"], probabilistic=ProbabilisticConfig())
    assert exact.cluster_id.iloc[:3].tolist() == ["G1"] * 3
    assert both.cluster_id.iloc[:3].tolist() == ["G1"] * 3
    assert set(exact.pairs["rule"]) == {"exact:email"}


def test_rules_on_other_fields_and_entities_use_generic_keys() -> None:
    owners = pd.DataFrame({"id": ["U1", "U2", "U3"], "email": ["Li.Wang@Acme.cn", "li.wang@acme.cn", "x@acme.cn"],
                           "department": ["Sales", "SALES ", "sales"]})
    assert resolve(owners, "owner", rules=["email"], probabilistic=None).cluster_id.tolist() == ["U1", "U1", "U3"]
    assert resolve(owners, "owner", rules=["department"], probabilistic=None).cluster_id.tolist() == ["U1"] * 3
    with pytest.raises(ValueError, match="probabilistic matching is for"):
        resolve(owners, "owner", rules=["email"])
    with pytest.raises(ValueError, match="unknown field 'title'"):
        resolve(owners, "owner", rules=["title"], probabilistic=None)


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
    frame.insert(0, "id", [f"R{i:03d}" for i in range(n)])
    frame["first_name"], frame["last_name"] = frame["name"], "Same"
    labels = pd.factorize(resolve(frame, "contact", rules=["email", "phone+name"], probabilistic=None).cluster_id)[0]
    golden, survivors = golden_records(frame, labels, ["email"], identity_order=["line"], value_order=["line"], value_ascending=[True])
    assert len(golden) == len(set(labels.tolist()))
    assert set(survivors) == set(golden.index)
    for label in set(labels.tolist()):
        members = frame.index[labels == label]
        assert survivors.loc[members].nunique() == 1
        assert survivors.loc[members].iloc[0] == members.min()  # identity by line: the first member
