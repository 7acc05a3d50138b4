"""`handover dedup INPUT --entity contact|account --out OUT`: entity resolution on a file.

INPUT is CSV or Parquet with an `id` column; OUT is a CSV with exactly one row per input row:
`id,cluster_id`. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

CANONICAL = {
    "contact": ("first_name", "last_name", "full_name", "email", "phone", "company", "street", "city", "postcode", "state", "country", "date_of_birth"),
    "account": ("name", "domain", "phone", "street", "city", "postcode", "state", "country", "tax_id"),
}


class DedupInputError(Exception):
    """A mistake in the command's input: printed as is, exit code 2."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dedup", help="cluster duplicate contacts or accounts in a CSV/Parquet file")
    p.add_argument("input", help="CSV or Parquet with an id column")
    p.add_argument("--entity", required=True, choices=sorted(CANONICAL))
    p.add_argument("--out", required=True, help="CSV to write: id,cluster_id, one row per input row")
    p.add_argument("--map", default="", help="source_col=canonical,... to rename input columns")
    p.add_argument("--rules", default=None, help="exact rules, comma-separated (e.g. email,phone+name); default per entity")
    p.add_argument("--match-threshold", type=float, default=0.95)
    p.add_argument("--review-threshold", type=float, default=0.80)
    p.add_argument("--no-probabilistic", action="store_true", help="exact rules only")
    p.add_argument("--review-out", help="CSV of pairs between the thresholds, values side by side, for a reviewer")
    p.add_argument("--decisions", help="CSV left_id,right_id,decision (match|no_match) to honour")


def _read(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DedupInputError(f"{path}: file not found")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path).astype(object)
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig").replace({"": None})
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError) as exc:
        raise DedupInputError(f"{path}: cannot read it as {'Parquet' if path.suffix.lower() in ('.parquet', '.pq') else 'CSV'}: {exc}") from None


def prepare_input(frame: pd.DataFrame, entity: str, mapping: str, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Rename and select the canonical columns; returns (frame, ignored column names)."""
    renames = {}
    for item in filter(None, (part.strip() for part in mapping.split(","))):
        source, _, canonical = item.partition("=")
        if not canonical:
            raise DedupInputError(f"--map: {item!r} is not source_col=canonical")
        if canonical not in CANONICAL[entity]:
            raise DedupInputError(f"--map: {canonical!r} is not a canonical {entity} column; valid: {', '.join(CANONICAL[entity])}")
        if source not in frame.columns:
            raise DedupInputError(f"--map: {path} has no column {source!r}; it has: {', '.join(map(str, frame.columns))}")
        renames[source] = canonical
    frame = frame.rename(columns=renames)
    if "id" not in frame.columns:
        raise DedupInputError(f"{path}: no 'id' column; it has: {', '.join(map(str, frame.columns))}")
    ids = frame["id"].astype(str)
    if frame["id"].isna().any():
        raise DedupInputError(f"{path}: row {int(frame['id'].isna().to_numpy().argmax()) + 2}: empty id")
    if ids.duplicated().any():
        raise DedupInputError(f"{path}: id {ids[ids.duplicated()].iloc[0]!r} appears more than once; ids must be unique")
    keep = [c for c in CANONICAL[entity] if c in frame.columns]
    ignored = [str(c) for c in frame.columns if c not in keep and c != "id"]
    out = frame[keep].astype(object).where(frame[keep].notna(), None) if keep else pd.DataFrame(index=frame.index)
    out.insert(0, "id", ids.to_numpy())
    return out.reset_index(drop=True), ignored


def run(args: argparse.Namespace, console) -> int:
    from handover.dedup import ProbabilisticConfig, resolve
    from handover.review import read_decisions

    started = time.perf_counter()
    path = Path(args.input)
    if not 0 < args.review_threshold <= args.match_threshold <= 1:
        raise DedupInputError("--review-threshold and --match-threshold must satisfy 0 < review <= match <= 1")
    frame, ignored = prepare_input(_read(path), args.entity, args.map, path)
    console.print(f"read {len(frame):,} {args.entity} rows from {path}" + (f"; ignoring columns: {', '.join(ignored)}" if ignored else ""))
    decisions = read_decisions(Path(args.decisions)) if args.decisions else None
    probabilistic = None if args.no_probabilistic else ProbabilisticConfig(match_threshold=args.match_threshold, review_threshold=args.review_threshold)
    rules = [r.strip() for r in args.rules.split(",") if r.strip()] if args.rules else None
    try:
        result = resolve(frame, args.entity, rules=rules, probabilistic=probabilistic, decisions=decisions,
                         progress=lambda message: console.print(f"  {message}"))
    except ValueError as exc:
        raise DedupInputError(str(exc)) from None
    out = pd.DataFrame({"id": frame["id"], "cluster_id": result.cluster_id.reindex(frame.index).to_numpy()})
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(args.out, index=False)
    if args.review_out:
        from handover.review import write_queue

        write_queue(result.review, frame.rename(columns={"id": "external_id"}), list(frame.columns[1:]), Path(args.review_out),
                    decisions if decisions is not None else read_decisions(Path("/nonexistent")))
    clusters = out["cluster_id"].nunique()
    console.print(f"{len(out):,} rows -> {clusters:,} clusters ({len(out) - clusters:,} merged), "
                  f"{len(result.review):,} pairs to review; wrote {args.out} in {time.perf_counter() - started:.1f} s")
    return 0
