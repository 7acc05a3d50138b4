"""Figures for issue 11 (loads you can trust), printed for `make bench`:

- encryption overhead: the demo migrated with and without HANDOVER_KEY (target: at most 15% more wall time);
- undo of the demo's full load against the time of the load itself (target: undo no slower than the load);
- `audit verify` of one million entries (target: at most 10 s).

Usage: python bench/trust_bench.py [--scale 1.0] [--entries 1000000] [--skip-demo]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def audit_figure(entries: int) -> tuple[float, float]:
    from handover import audit

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        path = audit.log_path(work)
        path.parent.mkdir(parents=True)
        prev = audit.GENESIS
        with path.open("wb") as handle:
            for seq in range(1, entries + 1):
                details = {"run_id": f"run-{seq // 1000}", "counts": {"created": seq % 97, "updated": seq % 13}, "data_hash": "ab" * 32}
                entry = {"seq": seq, "time": "2026-12-03T17:00:00.000000+00:00", "actor": "bench", "action": "load",
                         "object": "contact", "details": details, "details_hash": audit.details_hash(details), "prev": prev}
                line, prev = audit.format_entry(entry)
                handle.write(line)
        (path.parent / audit.HEAD).write_text(f"{entries} {prev}\n")
        started, cpu = time.perf_counter(), time.process_time()
        count, problems = audit.verify(work)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert count == entries and not problems, problems[:3]
    return seconds, cpu


def migrate(folder: Path, export: Path, key: str | None) -> tuple[float, dict]:
    from tests.conftest import write_spec

    folder.mkdir(parents=True, exist_ok=True)
    spec = write_spec(folder, export)
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "HANDOVER_TIMINGS": str(folder / "timings.json")}
    env.pop("HANDOVER_KEY", None)
    if key:
        env["HANDOVER_KEY"] = key
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "app", "run", str(spec), "--quiet"], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started, json.loads((folder / "timings.json").read_text())


def undo_figure(folder: Path, key: str | None) -> float:
    """Undo every run that loaded the demo (an all-or-nothing migration may load in more than one), newest first."""
    from handover.crypto import connect_duckdb
    from handover.spec import load_spec
    from handover.undo import runs

    spec = load_spec(folder / "spec.yaml")
    con = connect_duckdb(spec.staging_path, key)
    run_ids = runs(con)["run_id"].tolist()
    con.close()
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", **({"HANDOVER_KEY": key} if key else {})}
    started = time.perf_counter()
    for run_id in reversed(run_ids):
        subprocess.run([sys.executable, "-m", "app", "undo", str(folder / "spec.yaml"), run_id], env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()

    seconds, cpu = audit_figure(args.entries)
    load = os.getloadavg()[0]
    print(f"audit verify: {args.entries:,} entries in {seconds:.2f} s wall, {cpu:.2f} s CPU, load average {load:.1f} "
          f"(target <= 10 s): {'OK' if seconds <= 10 else 'OVER'}")
    if args.skip_demo:
        return
    from sampledata.demo import generate_export

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        export = base / "exports"
        generate_export(export, scale=args.scale, seed=42)
        plain, plain_steps = migrate(base / "plain", export, None)
        secret, _ = migrate(base / "encrypted", export, "bench-key")
        overhead = secret / plain - 1
        print(f"encryption overhead: demo x{args.scale} {plain:.1f} s plain, {secret:.1f} s encrypted: {overhead:+.1%} (target <= 15%): "
              f"{'OK' if overhead <= 0.15 else 'OVER'}")
        load = sum(v for k, v in plain_steps.items() if "loaded" in k)
        undo = undo_figure(base / "plain", None)
        print(f"undo of the demo's full load: {undo:.1f} s (the command, process start included); the load's steps took {load:.1f} s: "
              f"{'OK' if undo <= load else 'OVER'}")


if __name__ == "__main__":
    main()
