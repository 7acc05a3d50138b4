"""Benchmark: `handover dedup` beside a plain Splink setup, on data sets nobody tuned the engine to.

    python bench/dedup_compare.py [--sets febrl3,febrl4,synth,noisy,accounts] [--synth-rows 100000]
                                  [--noisy-rows 150000] [--accounts-rows 50000] [--tools handover,splink]

Sets (each written once to bench/out/compare/<set>.parquet with its .truth.parquet):
  febrl3    FEBRL3, 5,000 person records (bench/febrl.py)
  febrl4    FEBRL4 a + b as one dedup task, 10,000 records
  synth     bench/synth_contacts.py (--synth-rows, seed 1)
  noisy     sampledata/noisy_contacts.py: heavy character noise, truncation, field swaps, junk values,
            look-alike negatives; written without looking at the engine
  accounts  sampledata/labelled_accounts.py: labelled companies
Each tool runs in its own child process (wall time, and peak RSS from os.wait4 for that child alone):
`python -m handover.dedup` with its defaults, and bench/splink_plain.py. Pairwise precision, recall
and F1 come from bench/score.py.

Targets per set: handover's F1 at least 0.03 above Splink's, its precision no lower, its time at most
1.5x Splink's. Exit status: 0 every target met, 1 one missed, 2 a tool failed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out" / "compare"
F1_MARGIN, TIME_RATIO = 0.03, 1.5
# generators written on branch noisegen, without looking at the engine: module, canonical columns used
SAMPLEDATA = {"noisy": ("noisy_contacts", ("first_name", "last_name", "email", "phone", "company", "city")),
              "accounts": ("labelled_accounts", ("name", "website", "domain", "phone", "street", "city", "postcode", "country"))}
ENTITY = {"febrl3": "contact", "febrl4": "contact", "synth": "contact", "noisy": "contact", "accounts": "account"}


def _write(frame, truth, stem: Path) -> None:
    """frame: id + canonical columns; truth: id, true_id (both pandas)."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    frame.astype(object).where(frame.notna(), None).astype("string").to_parquet(f"{stem}.parquet", index=False)
    truth.astype("string").to_parquet(f"{stem}.truth.parquet", index=False)


def build(name: str, rows: int | None) -> tuple[Path, Path]:
    """(input, truth) Parquet paths of a set, generated if missing."""
    label = name if rows is None else f"{name}_{rows}"
    stem = OUT / label
    data, truth = Path(f"{stem}.parquet"), Path(f"{stem}.truth.parquet")
    if data.exists() and truth.exists():
        return data, truth
    print(f"building {label}", flush=True)
    sys.path.insert(0, str(BENCH))
    sys.path.insert(0, str(ROOT))
    if name in ("febrl3", "febrl4"):
        from febrl import load

        frame = load(name)
        _write(frame.drop(columns="true_id"), frame[["id", "true_id"]], stem)
    elif name == "synth":
        from synth_contacts import generate

        frame, entity = generate(rows, seed=1)
        _write(frame, entity.rename(columns={"entity_id": "true_id"}), stem)
    else:
        module, columns = SAMPLEDATA[name]
        generate = __import__(f"sampledata.{module}", fromlist=["generate"]).generate
        records, truth_frame = generate(rows, 1)
        _write(records[["id", *columns]], truth_frame.rename(columns={"cluster_id": "true_id"})[["id", "true_id"]], stem)
    return data, truth


def run_child(cmd: list[str], log: Path) -> tuple[int, float, float, float]:
    """(exit code, wall seconds, peak RSS MB, CPU seconds); the child's output goes to `log`. On a shared
    machine the wall time follows the others' load; the CPU time (user + system) is what the run cost."""
    started = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    return (os.waitstatus_to_exitcode(status), time.perf_counter() - started, usage.ru_maxrss / 1024,
            usage.ru_utime + usage.ru_stime)


def tool_command(tool: str, data: Path, entity: str, pred: Path) -> list[str]:
    if tool.startswith("handover"):
        off = [a for g in tool.removeprefix("handover").split("-no-")[1:] for a in ("--no-guard", g)]
        return [sys.executable, "-m", "handover.dedup", str(data), "--entity", entity, "--out", str(pred), *off]
    return [sys.executable, str(BENCH / "splink_plain.py"), str(data), "--entity", entity, "--out", str(pred)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="febrl3,febrl4,synth,noisy,accounts")
    parser.add_argument("--tools", default="handover,splink")
    parser.add_argument("--synth-rows", type=int, default=100_000)
    parser.add_argument("--noisy-rows", type=int, default=150_000)
    parser.add_argument("--accounts-rows", type=int, default=50_000)
    parser.add_argument("--ablate", action="store_true",
                        help="also run handover with each guard off (handover-no-<guard>) and with all off")
    args = parser.parse_args()
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    if args.ablate:
        from handover.dedup.guards import GUARDS

        tools += [f"handover-no-{g}" for g in GUARDS] + ["handover" + "".join(f"-no-{g}" for g in GUARDS)]
    unknown = [s for s in sets if s not in ENTITY] + [t for t in tools if not t.startswith(("handover", "splink"))]
    if unknown:
        print(f"error: unknown set or tool {unknown[0]!r}", file=sys.stderr)
        return 2
    rows = {"synth": args.synth_rows, "noisy": args.noisy_rows, "accounts": args.accounts_rows}
    sys.path.insert(0, str(BENCH))
    from score import load_scores

    results: dict[tuple[str, str], dict] = {}
    failed = False
    for name in sets:
        try:
            data, truth = build(name, rows.get(name))
        except ImportError as exc:
            print(f"{name}: skipped, its generator is missing ({exc})", flush=True)
            continue
        for tool in tools:
            pred = data.with_name(data.name.replace(".parquet", f".{tool}.csv"))
            pred.unlink(missing_ok=True)
            log = pred.with_suffix(".log")
            code, wall, rss, cpu = run_child(tool_command(tool, data, ENTITY[name], pred), log)
            if code != 0 or not pred.exists():
                print(f"{name} / {tool}: failed with status {code}; see {log}", flush=True)
                failed = True
                continue
            s = load_scores(str(pred), str(truth), "true_id")
            results[(name, tool)] = {**s, "seconds": wall, "rss_mb": rss, "cpu": cpu}
            print(f"{name:<9} {tool:<9} records {s['records']:>9,}  P {s['precision']:.4f}  R {s['recall']:.4f}  "
                  f"F1 {s['f1']:.4f}  {wall:7.1f} s  CPU {cpu:7.1f} s  {rss:7,.0f} MB", flush=True)

    print(f"\n{'set':<10}{'tool':<40}{'records':>9}{'precision':>11}{'recall':>9}{'F1':>8}{'time s':>9}{'CPU s':>9}"
          f"{'peak MB':>9}   (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    missed = []
    for name in sets:
        for tool in tools:
            r = results.get((name, tool))
            if r:
                print(f"{name:<10}{tool:<40}{r['records']:>9,}{r['precision']:>11.4f}{r['recall']:>9.4f}{r['f1']:>8.4f}"
                      f"{r['seconds']:>9.1f}{r['cpu']:>9.1f}{r['rss_mb']:>9,.0f}")
        ours, theirs = results.get((name, "handover")), results.get((name, "splink"))
        if ours and theirs:
            checks = [(f"F1 {ours['f1']:.4f} >= {theirs['f1']:.4f} + {F1_MARGIN}", ours["f1"] >= theirs["f1"] + F1_MARGIN),
                      (f"precision {ours['precision']:.4f} >= {theirs['precision']:.4f}", ours["precision"] >= theirs["precision"]),
                      (f"time {ours['seconds']:.1f} s <= {TIME_RATIO} x {theirs['seconds']:.1f} s",
                       ours["seconds"] <= TIME_RATIO * theirs["seconds"])]
            for text, ok in checks:
                print(f"{'':<10}target {text}: {'met' if ok else 'NOT met'}")
                if not ok:
                    missed.append(f"{name}: {text}")
    if failed:
        return 2
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
