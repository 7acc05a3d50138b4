"""Benchmark: the export reader on large files — `encoding: auto` decided on the whole file, then a full read.

Target: deciding the encoding costs at most as much as reading the records (it decodes the whole file
once per candidate it needs). Prints MB, seconds to decide, seconds to read, and records/s for a
GB18030, a cp1252 (region ES), a UTF-8 and a UTF-8-with-one-GBK-line export of the same shape.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

CHINESE = ["北京星辰科技有限公司", "上海东方贸易", "张伟", "王芳", "深圳市腾飞电子", "广州", "备注：客户要求下周回访"]
WESTERN = ["Señor José", "Muñoz", "Málaga", "Año nuevo", "Crème brûlée", "Müller", "Straße"]


def export(rows: int, words: list[str], seed: int = 0) -> str:
    rng = random.Random(seed)
    lines = ["id,name,city,note"] + [f"{i},{rng.choice(words)} {i % 977},{rng.choice(words)},\"{rng.choice(words)}, {i}\"" for i in range(rows)]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=500_000)
    args = parser.parse_args()
    from connectors.sources.files.helpers import file_encoding, read_export

    cases = [
        ("gb18030", export(args.rows, CHINESE).encode("gb18030"), "CN"),
        ("cp1252 (region ES)", export(args.rows, WESTERN).encode("cp1252"), "ES"),
        ("utf-8", export(args.rows, CHINESE + WESTERN).encode("utf-8"), "CN"),
        ("utf-8 + one GBK line", export(args.rows, WESTERN).encode("utf-8") + "x,坏,a,b\n".encode("gbk"), "CN"),
    ]
    print(f"{'file':<22} {'MB':>7} {'decide s':>9} {'read s':>8} {'records/s':>11}  encoding")
    with tempfile.TemporaryDirectory() as folder:
        for name, data, region in cases:
            path = Path(folder) / f"{name.split()[0]}.csv"
            path.write_bytes(data)
            started = time.perf_counter()
            choice = file_encoding(path, "auto", region)
            decided = time.perf_counter() - started
            started = time.perf_counter()
            records = len(read_export(path, "auto", region=region).records)
            read = time.perf_counter() - started  # includes the cached decision
            print(f"{name:<22} {len(data) / 1e6:7.1f} {decided:9.2f} {read:8.2f} {records / read:11,.0f}  {choice.encoding}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
