"""Benchmark: `handover dedup` on FEBRL3 (5,000 records, 6,538 true pairs, soc_sec_id dropped).

    python bench/dedup_febrl.py [--dedup-args "--match-threshold 0.9"]

Writes bench/out/febrl3.csv (bench/febrl.py) if missing, runs the command in a child process and
prints its wall time, the child's peak RSS and the pairwise precision, recall and F1 of its clusters
(bench/score.py). Target: F1 >= 0.97 (Splink alone, as in its FEBRL3 tutorial: 0.958).

The command is `python -m app dedup` when the CLI has it, else `python -m handover.dedup`.
This process imports nothing heavy before the child ends (a child's ru_maxrss starts from its
parent's size on Linux). Exit status: 0 target met, 1 missed, 2 the command failed.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
TARGET_F1 = 0.97
FEBRL_MAP = "given_name=first_name,surname=last_name,suburb=city"


def command() -> list[str]:
    probe = subprocess.run([sys.executable, "-m", "app", "dedup", "--help"], cwd=ROOT, capture_output=True, text=True)
    return [sys.executable, "-m", "app", "dedup"] if probe.returncode == 0 else [sys.executable, "-m", "handover.dedup"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dedup-args", default="", help="extra arguments for the command, one quoted string")
    parser.add_argument("--module", action="store_true", help="run `python -m handover.dedup` even if the CLI has `dedup`")
    args = parser.parse_args()

    data = BENCH / "out" / "febrl3.csv"
    if not data.exists():
        subprocess.run([sys.executable, str(BENCH / "febrl.py"), "--out", str(data)], check=True)
    pred = BENCH / "out" / "febrl3.pred.csv"
    pred.unlink(missing_ok=True)
    base = [sys.executable, "-m", "handover.dedup"] if args.module else command()
    cmd = [*base, str(data), "--entity", "contact", "--out", str(pred), "--map", FEBRL_MAP, *shlex.split(args.dedup_args)]
    print("running: " + " ".join(shlex.quote(c) for c in cmd[1:]), flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    wall, peak_mb = time.perf_counter() - started, usage.ru_maxrss / 1024
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or not pred.exists():
        print(f"error: the command exited with status {code} after {wall:.1f} s", file=sys.stderr)
        return 2

    sys.path.insert(0, str(BENCH))
    from score import load_scores

    s = load_scores(str(pred), str(data), "true_id")
    print(f"\nhandover dedup on FEBRL3: {s['records']:,} records, {s['true_pairs']:,} true pairs, "
          f"{s['predicted_pairs']:,} predicted (tp {s['tp']:,}, fp {s['fp']:,}, fn {s['fn']:,})")
    print(f"  wall time  {wall:8.1f} s")
    print(f"  peak RSS   {peak_mb:8,.0f} MB")
    print(f"  precision  {s['precision']:8.4f}")
    print(f"  recall     {s['recall']:8.4f}")
    print(f"  F1         {s['f1']:8.4f}   target >= {TARGET_F1}: {'met' if s['f1'] >= TARGET_F1 else 'NOT met'}")
    return 0 if s["f1"] >= TARGET_F1 else 1


if __name__ == "__main__":
    sys.exit(main())
