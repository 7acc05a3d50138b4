"""Entity resolution: which records are the same customer, and the golden record of each cluster.

Exact rules here; a probabilistic matcher plugs in by returning more pairs to `cluster_pairs`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

_PUNCT_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)


@dataclass(frozen=True)
class ExactRule:
    """Records whose key fields are all present and equal (after match normalisation) are the same."""

    name: str
    fields: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> "ExactRule":
        return cls(text, tuple(part.strip() for part in text.split("+")))


def match_key(series: pd.Series) -> pd.Series:
    """Case-, width- and punctuation-insensitive form of a value, for comparing only."""
    def one(value: object) -> str | None:
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return None
        key = _PUNCT_SPACE.sub("", unicodedata.normalize("NFKC", str(value)).casefold())
        return key or None

    values = series.astype(object)
    # only present values as keys: None and NaN together would be a duplicate (missing) key for map()
    mapping = {v: one(v) for v in pd.unique(values[values.notna()])}
    return values.map(mapping)


def rule_keys(frame: pd.DataFrame, rule: ExactRule) -> pd.Series:
    """One key per row, None where any field of the rule is empty."""
    parts = [match_key(frame[f]) for f in rule.fields]
    key = parts[0].astype(object)
    for part in parts[1:]:
        key = key + "\x1f" + part.astype(object)
    missing = pd.concat([p.isna() for p in parts], axis=1).any(axis=1)
    return key.where(~missing, None)


def cluster_pairs(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected components over n records joined by pairs; labels are the smallest member position."""
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    first = pd.Series(np.arange(n)).groupby(labels).transform("min").to_numpy()
    return first


def exact_pairs(frame: pd.DataFrame, rules: list[ExactRule]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Pairs (position, position of first record with the same key) for every rule."""
    lefts, rights, names = [], [], []
    positions = pd.Series(np.arange(len(frame)), index=frame.index)
    for rule in rules:
        keys = rule_keys(frame, rule)
        present = keys.notna()
        if not present.any():
            continue
        first = positions[present].groupby(keys[present].to_numpy()).transform("min")
        joined = first != positions[present]
        lefts.append(positions[present][joined].to_numpy())
        rights.append(first[joined].to_numpy())
        names += [rule.name] * int(joined.sum())
    if not lefts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), []
    return np.concatenate(lefts), np.concatenate(rights), names


def cluster_exact(frame: pd.DataFrame, rules: list[ExactRule]) -> tuple[np.ndarray, dict[int, str]]:
    """Cluster label (position of the cluster's first record) per row, and the rule that joined each merged row."""
    left, right, names = exact_pairs(frame, rules)
    labels = cluster_pairs(len(frame), left, right)
    joined_by: dict[int, str] = {}
    for a, b, name in zip(left.tolist(), right.tolist(), names):
        joined_by.setdefault(a, name)
        joined_by.setdefault(b, name)  # the survivor may be either end: the other one was merged by this rule
    return labels, joined_by


SortOrder = tuple[tuple[str, ...], tuple[bool, ...]]


def golden_records(
    frame: pd.DataFrame, labels: np.ndarray, value_columns: list[str], *, identity_order: list[str],
    value_order: list[str], value_ascending: list[bool], field_orders: dict[str, SortOrder] | None = None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Build one golden record per cluster.

    Identity (which record's id survives) comes from the first record by `identity_order`, so the
    golden external id stays stable across runs; values come, field by field, from the first
    non-empty value by the field's order in `field_orders` (survivorship rules), else by
    `value_order`. Returns (golden rows indexed like their surviving record, survivor index per input row).
    """
    work = frame.copy()
    work["__cluster"] = labels
    survivor_of_cluster = work.sort_values(identity_order, kind="stable", na_position="last").groupby("__cluster").head(1)
    survivor_by_cluster = pd.Series(survivor_of_cluster.index, index=survivor_of_cluster["__cluster"].to_numpy())
    survivors = pd.Series(survivor_by_cluster.loc[labels].to_numpy(), index=frame.index)

    multi = work["__cluster"].map(work["__cluster"].value_counts()) > 1
    golden = frame.loc[survivor_by_cluster.to_numpy()].copy()
    if not multi.any():
        return golden, survivors
    default: SortOrder = (tuple(value_order), tuple(value_ascending))
    by_order: dict[SortOrder, list[str]] = {}
    for column in value_columns:
        by_order.setdefault((field_orders or {}).get(column, default), []).append(column)
    members = work.loc[multi]
    for (columns, ascending), fields in by_order.items():
        ordered = members.sort_values(list(columns), ascending=list(ascending), kind="stable", na_position="last")
        values = ordered.groupby("__cluster")[fields].first()
        values.index = survivor_by_cluster.loc[values.index].to_numpy()
        golden.loc[values.index, fields] = values
    return golden, survivors
