"""Pairwise precision, recall and F1 of a clustering against the truth, from contingency counts.

A pair of records is predicted when both are in the same predicted cluster and true when both belong
to the same real entity. Counts come from cluster sizes (n choose 2 summed over clusters and over the
predicted x true contingency cells), so no pair is ever enumerated: 1M records score in a second.

    python bench/score.py PRED.csv TRUTH.csv|TRUTH.parquet [--truth-col true_id]

PRED.csv has `id,cluster_id`; TRUTH has `id` and the truth column (default `true_id`, or `entity_id`
as bench/synth_contacts.py writes it).
"""

from __future__ import annotations

import argparse
import json
import sys

import numpy as np
import pandas as pd


def _pairs(counts: np.ndarray) -> int:
    counts = counts.astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def pairwise_scores(pred: pd.Series, truth: pd.Series) -> dict:
    """pred: predicted cluster label per record id (index); truth: true entity per record id.

    Only ids present in both are scored. Returns tp, fp, fn, precision, recall, f1 and counts.
    """
    joined = pd.DataFrame({"pred": pred}).join(pd.DataFrame({"truth": truth}), how="inner")
    if joined["pred"].isna().any() or joined["truth"].isna().any():
        raise ValueError("missing cluster or truth labels")
    pred_codes = pd.factorize(joined["pred"])[0]
    truth_codes = pd.factorize(joined["truth"])[0]
    predicted = _pairs(np.bincount(pred_codes))
    actual = _pairs(np.bincount(truth_codes))
    cell = pred_codes.astype(np.int64) * (truth_codes.max() + 1 if len(truth_codes) else 1) + truth_codes
    tp = _pairs(np.unique(cell, return_counts=True)[1])
    fp, fn = predicted - tp, actual - tp
    precision = tp / predicted if predicted else 1.0
    recall = tp / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"records": int(len(joined)), "true_pairs": actual, "predicted_pairs": predicted,
            "tp": tp, "fp": fp, "fn": fn, "precision": precision, "recall": recall, "f1": f1}


def _read(path: str, columns: list[str] | None = None) -> pd.DataFrame:
    if path.lower().endswith((".parquet", ".pq")):
        return pd.read_parquet(path, columns=columns).astype(str)
    return pd.read_csv(path, dtype=str, keep_default_na=False, usecols=columns)


def load_scores(pred_csv: str, truth_csv: str, truth_col: str | None = None) -> dict:
    """Scores of a prediction CSV (id, cluster_id) against a truth CSV or Parquet with `id` and the
    truth column (default: true_id, else entity_id)."""
    pred = _read(pred_csv, ["id", "cluster_id"])
    if truth_col is None:
        if truth_csv.lower().endswith((".parquet", ".pq")):
            import pyarrow.parquet as pq

            header = pq.read_schema(truth_csv).names
        else:
            header = pd.read_csv(truth_csv, dtype=str, nrows=0).columns
        truth_col = "true_id" if "true_id" in header else "entity_id"
    truth = _read(truth_csv, ["id", truth_col])
    missing = set(truth["id"]) - set(pred["id"])
    if missing:
        raise ValueError(f"{pred_csv}: {len(missing)} ids of {truth_csv} have no cluster")
    return pairwise_scores(pred.set_index("id")["cluster_id"], truth.set_index("id")[truth_col])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pred")
    parser.add_argument("truth")
    parser.add_argument("--truth-col", default=None, help="default: true_id, else entity_id")
    args = parser.parse_args()
    try:
        scores = load_scores(args.pred, args.truth, args.truth_col)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(scores, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
