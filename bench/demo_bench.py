"""Benchmark: the demo migration at default size (~35k rows), wall time per stage and peak RSS.

Targets (issue 3): whole demo <= 60 s after install on 2 cores; peak RSS <= 1.5 GB.
Runs `handover run` in a child process on a fresh work folder and prints the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("raw", "backup", "cleaned", "mapped", "loaded", "reconciled")
TARGET_SECONDS, TARGET_RSS_MB = 60.0, 1536.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "demo"))
    args = parser.parse_args()
    work = Path(args.out)
    shutil.rmtree(work, ignore_errors=True)
    export = work / "exports"
    from sampledata.demo import generate_export

    started = time.perf_counter()
    generate_export(export, scale=args.scale, seed=42)
    generated = time.perf_counter() - started

    spec = yaml.safe_load((ROOT / "pipelines" / "demo.yaml").read_text(encoding="utf-8"))
    spec["source"]["path"] = str(export)
    spec["target"]["path"] = str(work / "run" / "newcrm.duckdb")
    spec_path = work / "demo.yaml"
    spec_path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")

    timings = work / "timings.json"
    env = {**os.environ, "HANDOVER_TIMINGS": str(timings), "GX_ANALYTICS_ENABLED": "false"}
    env.pop("DAGSTER_HOME", None)
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "app", "run", str(spec_path), "--quiet"], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if run.returncode != 0:
        print(run.stdout, run.stderr, sep="\n")
        return run.returncode

    per_stage: dict[str, float] = defaultdict(float)
    for op, seconds in json.loads(timings.read_text()).items():
        stage = next((s for s in STAGES if f"__{s}__" in f"__{op}__" or op.endswith(f"_{s}")), "other")
        per_stage[stage] += seconds
    rows = sum(json.loads((export.parent / "exports.truth.json").read_text())["counts"].values())
    print(f"demo migration, scale {args.scale}: {rows} source rows (export generated in {generated:.1f} s)")
    for stage in (*STAGES, "other"):
        if stage in per_stage:
            print(f"  {stage:<11} {per_stage[stage]:6.1f} s")
    print(f"  wall time   {wall:6.1f} s  (target <= {TARGET_SECONDS:.0f} s: {'met' if wall <= TARGET_SECONDS else 'NOT met'}; includes interpreter start and imports)")
    print(f"  peak RSS    {peak_mb:6.0f} MB (target <= {TARGET_RSS_MB:.0f} MB: {'met' if peak_mb <= TARGET_RSS_MB else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
