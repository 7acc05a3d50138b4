"""A plain Splink setup: the yardstick `handover dedup` is measured against in bench/dedup_compare.py.

    python bench/splink_plain.py INPUT --entity contact|account --out OUT.csv [--threshold 0.95]

What a competent user would write from Splink's documentation, with nothing tuned to a data set:
values lower-cased and trimmed, common null tokens (n/a, none, unknown, -, ...) and invalid values
(an e-mail without "@" and ".", a phone or date of birth with fewer than 7 digits) set to null, phones and
dates of birth reduced to their digits;
Splink's out-of-the-box comparisons per populated column (NameComparison on names, EmailComparison,
Damerau-Levenshtein on phone, date of birth and postcode, Jaro-Winkler on company and street, exact
match with term frequencies on city, state and country); blocking rules on the obvious keys; the prior
from deterministic rules (recall 0.7), u by random sampling (seeded), m by EM on two blocking rules;
pairs at or above the threshold clustered as connected components. Writes `id,cluster_id`, one row
per input row, like `handover dedup`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import pandas as pd

NULL_TOKENS = {"", "n/a", "na", "none", "null", "nil", "unknown", "-", "--", ".", "?", "0", "tbd", "test", "x", "无", "暂无", "未知"}
TEXT = ("first_name", "last_name", "full_name", "email", "company", "street", "city", "postcode", "state", "country",
        "name", "domain", "tax_id")


def _read(path: str) -> pd.DataFrame:
    if path.endswith((".parquet", ".pq")):
        return pd.read_parquet(path).astype(object)
    return pd.read_csv(path, dtype=str, keep_default_na=False).astype(object)


def clean(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"unique_id": frame["id"].astype(str).to_numpy()})
    for column in frame.columns:
        if column == "id":
            continue
        values = frame[column].astype("string").str.strip().str.lower()
        values = values.where(~values.isin(NULL_TOKENS))
        if column == "email":
            values = values.where(values.str.contains("@", regex=False) & values.str.contains(".", regex=False))
        if column in ("phone", "date_of_birth"):
            values = values.str.replace(r"\D", "", regex=True)
            values = values.where(values.str.len() >= 7)
        values = values.where(values.notna() & (values != ""), None)
        out[column] = values.astype(object).to_numpy()
    return out


def _populated(frame: pd.DataFrame) -> set[str]:
    return {c for c in frame.columns if c != "unique_id" and frame[c].notna().mean() >= 0.01}


def settings(entity: str, have: set[str]):
    import splink.comparison_library as cl
    from splink import block_on

    comparisons, blocking, training, deterministic = [], [], [], []
    if entity == "contact":
        for col in ("first_name", "last_name", "full_name"):
            if col in have:
                comparisons.append(cl.NameComparison(col))
        if "date_of_birth" in have:
            comparisons.append(cl.DamerauLevenshteinAtThresholds("date_of_birth", [1, 2]))
        if "email" in have:
            comparisons.append(cl.EmailComparison("email"))
        if "phone" in have:
            comparisons.append(cl.DamerauLevenshteinAtThresholds("phone", [1, 2]).configure(term_frequency_adjustments=True))
        if "company" in have:
            comparisons.append(cl.JaroWinklerAtThresholds("company", [0.9, 0.8]).configure(term_frequency_adjustments=True))
        keys = [("first_name", "last_name"), ("full_name",), ("email",), ("phone",), ("last_name", "date_of_birth"),
                ("first_name", "date_of_birth"), ("last_name", "postcode"), ("first_name", "postcode"),
                ("last_name", "company"), ("first_name", "company"), ("street",)]
        train = [("first_name", "last_name"), ("date_of_birth",), ("email",), ("phone",), ("postcode",)]
        exact = [("first_name", "last_name", "date_of_birth"), ("email",), ("first_name", "last_name", "phone"),
                 ("full_name", "email")]
    else:
        if "name" in have:
            comparisons.append(cl.JaroWinklerAtThresholds("name", [0.92, 0.8]).configure(term_frequency_adjustments=True))
        if "domain" in have:
            comparisons.append(cl.ExactMatch("domain").configure(term_frequency_adjustments=True))
        if "phone" in have:
            comparisons.append(cl.DamerauLevenshteinAtThresholds("phone", [1, 2]).configure(term_frequency_adjustments=True))
        if "tax_id" in have:
            comparisons.append(cl.DamerauLevenshteinAtThresholds("tax_id", [1]))
        keys = [("name",), ("domain",), ("phone",), ("tax_id",), ("postcode",), ("street",)]
        train = [("name",), ("domain",), ("phone",), ("postcode",)]
        exact = [("name", "domain"), ("tax_id",), ("name", "phone")]
    if "street" in have:
        comparisons.append(cl.JaroWinklerAtThresholds("street", [0.92, 0.8]))
    if "postcode" in have:
        comparisons.append(cl.DamerauLevenshteinAtThresholds("postcode", [1]).configure(term_frequency_adjustments=True))
    for col in ("city", "state", "country"):
        if col in have:
            comparisons.append(cl.ExactMatch(col).configure(term_frequency_adjustments=True))
    blocking = [block_on(*k) for k in keys if set(k) <= have]
    training = [block_on(*k) for k in train if set(k) <= have][:2]
    deterministic = [block_on(*k) for k in exact if set(k) <= have]
    return comparisons, blocking, training, deterministic


def run(frame: pd.DataFrame, entity: str, threshold: float) -> pd.Series:
    """cluster id per input row (same order)."""
    from splink import DuckDBAPI, Linker, SettingsCreator

    data = clean(frame)
    have = _populated(data)
    comparisons, blocking, training, deterministic = settings(entity, have)
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(data), SettingsCreator(
        link_type="dedupe_only", comparisons=comparisons, blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=False, retain_matching_columns=False), log_level=logging.WARNING)
    if deterministic:
        try:
            linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
        except Exception as exc:  # noqa: BLE001 - keep Splink's default prior
            print(f"prior estimate skipped: {exc}", file=sys.stderr)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in training:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, threshold).as_pandas_dataframe()
    got = pd.Series(clusters["cluster_id"].astype(str).to_numpy(), index=clusters["unique_id"].astype(str).to_numpy())
    ids = data["unique_id"]
    return ids.map(got).fillna(ids)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("--entity", required=True, choices=("contact", "account"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--threshold", type=float, default=0.95)
    args = parser.parse_args()
    frame = _read(args.input)
    cluster = run(frame, args.entity, args.threshold)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"id": frame["id"].astype(str).to_numpy(), "cluster_id": cluster.to_numpy()}).to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
