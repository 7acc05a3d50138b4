"""python -m sampledata.demo OUT_DIR [--scale 1.0] [--seed 42]"""

from __future__ import annotations

import argparse

from sampledata.demo.generator import generate_export, truth_path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sampledata.demo", description="Write a dirty LegacyCRM export.")
    parser.add_argument("out_dir")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    truth = generate_export(args.out_dir, scale=args.scale, seed=args.seed)
    counts = ", ".join(f"{name} {n}" for name, n in truth["counts"].items())
    print(f"wrote {args.out_dir}: {counts} (truth: {truth_path(args.out_dir)})")


if __name__ == "__main__":
    main()
