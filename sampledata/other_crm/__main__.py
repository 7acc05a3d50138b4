"""python -m sampledata.other_crm OUT [--scale 1.0] [--seed N]"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sampledata.other_crm import DEFAULT_SEED, generate_export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sampledata.other_crm", description="Write a second vendor's CRM export and its truth.json."
    )
    parser.add_argument("out", type=Path, help="folder to write the export into")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = ~300 accounts, ~1,500 contacts, ~2,000 leads")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    truth = generate_export(args.out, scale=args.scale, seed=args.seed)
    for key, counts in truth["counts"].items():  # type: ignore[union-attr]
        print(f"{truth['files'][key]['path']:<20} {counts['records']:>6} records, {counts['bad']} bad")  # type: ignore[index]
    print(f"truth.json -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
