"""`handover dedup INPUT --entity contact|account --out OUT`: entity resolution on a file.

INPUT is CSV (UTF-8, with or without BOM) or Parquet with an `id` column; `--map src=canonical,...`
renames columns; columns that are neither `id` nor canonical are ignored (and named on stderr).
OUT is a CSV with exactly one row per input row: `id,cluster_id` (cluster_id = the smallest id of
the cluster). An id a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage
return, and not a plain number) is written with a leading single quote (handover.exports).
`--review-out` writes the pairs a reviewer should decide, values side by side, with an empty `decision`
column; fill it in with match / no_match and pass the file back as `--decisions`.

A mistake in the input (missing file, no id column, unknown column in --map, unreadable CSV, bad
decisions file) ends with one message naming the file or column and exit code 2, no traceback.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import pandas as pd

EXIT_OK, EXIT_USAGE = 0, 2


class DedupError(Exception):
    """A mistake in the command's input: printed as is, exit code 2."""


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The `dedup` arguments, for `handover dedup` (app/cli.py) and `python -m handover.dedup`."""
    p.add_argument("input", help="CSV or Parquet file with an `id` column")
    p.add_argument("--entity", required=True, choices=("contact", "account"))
    p.add_argument("--out", required=True, help="CSV to write: id,cluster_id, one row per input row")
    p.add_argument("--map", default="", metavar="SRC=CANONICAL,...",
                   help="rename input columns to canonical ones, e.g. given_name=first_name,surname=last_name")
    p.add_argument("--rules", default=None, metavar="RULE,...",
                   help="exact rules, comma-separated, fields joined by + (default: contact email,phone+name; "
                        "account tax_id); an empty string for none")
    p.add_argument("--match-threshold", type=float, default=0.95, help="merge pairs at or above this probability")
    p.add_argument("--review-threshold", type=float, default=0.80, help="pairs at or above this, not merged, go to review")
    p.add_argument("--no-probabilistic", action="store_true", help="exact rules only")
    p.add_argument("--review-out", metavar="FILE", help="CSV of the pairs to review, values side by side")
    p.add_argument("--decisions", metavar="FILE", help="CSV left_id,right_id,decision (match|no_match) to honour")
    from handover.dedup.guards import DEFAULT_GUARDS, GUARDS

    p.add_argument("--no-guard", action="append", default=[], choices=sorted(GUARDS), metavar="GUARD",
                   help=f"switch a guard off (repeatable): {', '.join(GUARDS)}")
    p.add_argument("--guard", action="append", default=[], choices=sorted(GUARDS), metavar="GUARD",
                   help=f"switch on a guard that is off by default (repeatable); on by default: {', '.join(sorted(DEFAULT_GUARDS))}")
    return p


def _encoding(path: Path) -> str:
    """utf-8 (with or without BOM) when the start of the file decodes as such, else the detected one
    (GB18030, UTF-16, ...)."""
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:  # a character cut by the 1 MB read
            return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    if best is None:
        raise DedupError(f"{path}: cannot read it as CSV: not text in a known encoding")
    return best.encoding


def _csv_header(path: Path, encoding: str = "utf-8") -> list[str]:
    with path.open("r", encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as fh:
        return next(csv.reader(fh), [])


def read_input(path: Path) -> pd.DataFrame:
    """Every column as text (missing = NA); CSV through Arrow's multi-threaded reader."""
    if not path.is_file():
        raise DedupError(f"{path}: no such file")
    kind = "Parquet" if path.suffix.lower() in (".parquet", ".pq") else "CSV"
    try:
        import pyarrow as pa

        as_text = {pa.string(): pd.StringDtype(na_value=float("nan")),
                   pa.large_string(): pd.StringDtype(na_value=float("nan"))}.get
        if kind == "Parquet":
            import pyarrow.parquet as pq

            return pq.read_table(path).to_pandas(types_mapper=as_text)
        import pyarrow.csv as pacsv

        encoding = _encoding(path)
        header = _csv_header(path, encoding)
        if not header:
            raise DedupError(f"{path}: empty file, no header row")
        if len(set(header)) != len(header):
            dup = next(h for h in header if header.count(h) > 1)
            raise DedupError(f"{path}: column {dup!r} appears twice in the header")
        table = pacsv.read_csv(
            path, read_options=pacsv.ReadOptions(encoding=encoding),
            convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                                 strings_can_be_null=True, null_values=[""]))
        return table.to_pandas(types_mapper=as_text)
    except DedupError:
        raise
    except (UnicodeDecodeError, ValueError, OSError, csv.Error, ImportError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DedupError(f"{path}: cannot read it as {kind}: {message}") from None
    except Exception as exc:  # pyarrow.lib.ArrowInvalid and friends
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DedupError(f"{path}: cannot read it as {kind}: {message}") from None


def shape_input(frame: pd.DataFrame, entity: str, mapping: str, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Rename per --map, keep `id` and the canonical columns; returns (frame, ignored column names)."""
    from handover.dedup.prepare import CANONICAL

    renames: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in mapping.split(","))):
        source, sep, canonical = (x.strip() for x in item.partition("="))
        if not sep or not source or not canonical:
            raise DedupError(f"--map: {item!r} is not source_col=canonical")
        if canonical != "id" and canonical not in CANONICAL[entity]:
            raise DedupError(f"--map: {canonical!r} is not a canonical {entity} column; "
                             f"valid: id, {', '.join(CANONICAL[entity])}")
        if source not in frame.columns:
            raise DedupError(f"--map: {path} has no column {source!r}; its columns: {', '.join(map(str, frame.columns))}")
        renames[source] = canonical
    frame = frame.rename(columns=renames)
    if frame.columns.duplicated().any():
        dup = frame.columns[frame.columns.duplicated()][0]
        raise DedupError(f"--map: column {dup!r} would appear twice in {path} after renaming")
    if "id" not in frame.columns:
        raise DedupError(f"{path}: no 'id' column; its columns: {', '.join(map(str, frame.columns))} "
                         "(rename one with --map your_id=id)")
    empty = frame["id"].isna() | (frame["id"].astype("string").str.strip() == "")
    if empty.any():
        raise DedupError(f"{path}: row {int(empty.to_numpy().argmax()) + 1}: empty id")
    keep = ["id", *[c for c in CANONICAL[entity] if c in frame.columns]]
    ignored = [str(c) for c in frame.columns if c not in keep]
    return frame[keep].reset_index(drop=True), ignored


def _read_decisions(path: Path) -> pd.DataFrame:
    from handover.review import ReviewError, read_decisions

    if not path.is_file():
        raise DedupError(f"{path}: no such decisions file")
    try:
        return read_decisions(path)
    except ReviewError as exc:
        raise DedupError(str(exc)) from None


def _write_ids(path: Path, ids: pd.Series, cluster_id: pd.Series) -> None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    path.parent.mkdir(parents=True, exist_ok=True)
    from handover.exports import neutralise_column

    table = pa.table({"id": pa.array(neutralise_column(ids.astype(object)).to_numpy(dtype=object), pa.string()),
                      "cluster_id": pa.array(neutralise_column(cluster_id.astype(object)).to_numpy(dtype=object), pa.string())})
    import pyarrow.compute as pc

    special = any(pc.any(pc.match_substring_regex(table[c], '[",\r\n]')).as_py() for c in ("id", "cluster_id"))
    pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed" if special else "none"))


def dedup_command(args: argparse.Namespace) -> int:
    """Run the command; returns the exit code (0 done, 2 a mistake in the input, message on stderr)."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    started = time.perf_counter()

    def say(message: str) -> None:
        console.print(f"[dim]{time.perf_counter() - started:6.1f}s[/] {escape(message)}")

    try:
        return _run(args, say, console)
    except DedupError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}")
        return EXIT_USAGE


def _run(args: argparse.Namespace, say, console) -> int:
    from handover.dedup import ProbabilisticConfig, resolve

    path = Path(args.input)
    if not 0 < args.review_threshold <= args.match_threshold <= 1:
        raise DedupError("--review-threshold and --match-threshold must satisfy 0 < review <= match <= 1")
    decisions = _read_decisions(Path(args.decisions)) if args.decisions else None
    say(f"reading {path}")
    frame, ignored = shape_input(read_input(path), args.entity, args.map, path)
    say(f"{len(frame):,} {args.entity} rows" + (f"; ignoring columns: {', '.join(ignored)}" if ignored else ""))
    probabilistic = None if args.no_probabilistic else ProbabilisticConfig(args.match_threshold, args.review_threshold)
    rules = None if args.rules is None else [r.strip() for r in args.rules.split(",") if r.strip()]
    try:
        from handover.dedup.guards import DEFAULT_GUARDS, GUARDS

        wanted = DEFAULT_GUARDS | set(getattr(args, "guard", []) or [])
        guards = [g for g in GUARDS if g in wanted and g not in set(getattr(args, "no_guard", []) or [])]
        result = resolve(frame, args.entity, rules=rules, probabilistic=probabilistic, decisions=decisions,
                         guards=guards, progress=say)
    except ValueError as exc:  # unknown rule field, duplicate ids, bad decisions
        raise DedupError(f"{path}: {exc}" if "id" in str(exc) else str(exc)) from None
    out = Path(args.out)
    _write_ids(out, frame["id"], result.cluster_id)
    if args.review_out:
        from handover.review import DECISION_COLUMNS, write_queue

        records = frame.rename(columns={"id": "external_id"})
        records["external_id"] = records["external_id"].astype(str)
        write_queue(result.review, records, [c for c in frame.columns if c != "id"], Path(args.review_out),
                    decisions if decisions is not None else pd.DataFrame(columns=DECISION_COLUMNS))
        say(f"wrote {len(result.review):,} pairs to review to {args.review_out}")
    clusters = result.cluster_id.nunique()
    held = "; ".join(f"guard {g} held back {k:,} {'records' if g == 'shared_values' else 'pairs'}"
                     for g, k in result.guards.items() if k)
    say(f"{len(frame):,} rows -> {clusters:,} clusters ({len(frame) - clusters:,} merged); "
        f"{len(result.review):,} pairs to review{'; ' + held if held else ''}; wrote {out}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = add_arguments(argparse.ArgumentParser(prog="python -m handover.dedup", description=__doc__.splitlines()[0]))
    return dedup_command(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
