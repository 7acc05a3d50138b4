"""Benchmark: the SQL source's extraction throughput from MariaDB and PostgreSQL (local servers, root / postgres).

Target (issue 7): >= 100,000 rows/s on 2 cores. Seeds a SuiteCRM database (sampledata/suitecrm) on each server,
then reads every stream of pipelines/suitecrm.yaml (custom fields, many-to-one links and e-mails joined; calls,
meetings and notes united) with each dlt backend: `extract` is the source reading the database into dlt's load
package (the figure the target is about), `to raw` adds dlt's normalise and the load into DuckDB staging. Rows are
the rows staged (one per record). Figures depend on what else runs on the machine: the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import dlt
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import connectors.sources.sql as sql_source  # noqa: E402
from connectors.sources import open_source  # noqa: E402
from connectors.sources.sql.helpers import engine_url  # noqa: E402
from handover.spec import load_spec  # noqa: E402
from sampledata.suitecrm import generate, seed  # noqa: E402

TARGET = 100_000
SERVERS = {"MariaDB": "mysql://root@127.0.0.1:3306", "PostgreSQL": "postgresql://postgres@127.0.0.1:5432"}
SPEC = Path(__file__).resolve().parent.parent / "pipelines" / "suitecrm.yaml"


def drop(server: str, url: str) -> None:
    parsed = engine_url(url)
    name = parsed.database
    if server == "PostgreSQL":
        engine = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        statement = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    else:
        engine = sa.create_engine(parsed._replace(database=None))
        statement = f"DROP DATABASE IF EXISTS `{name}`"
    with engine.connect() as con:
        con.execute(sa.text(statement))
    engine.dispose()


def extraction(url: str, backend: str, folder: Path) -> tuple[int, float, float]:
    """(rows, seconds to extract, seconds to extract, normalise and load into DuckDB)."""
    sql_source.BACKEND = backend
    spec = load_spec(SPEC)
    pipeline = dlt.pipeline(pipeline_name=f"bench_{backend}_{uuid.uuid4().hex[:6]}", destination=dlt.destinations.duckdb(str(folder / f"{backend}.duckdb")),
                            dataset_name="raw", pipelines_dir=str(folder / "dlt"))
    started = time.perf_counter()
    pipeline.extract(open_source(spec, url).dlt_source())
    extracted = time.perf_counter() - started
    pipeline.normalize()
    pipeline.load()
    total = time.perf_counter() - started
    rows = sum(v for k, v in pipeline.last_trace.last_normalize_info.row_counts.items() if not k.startswith("_dlt"))
    return rows, extracted, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=40.0, help="SuiteCRM sample scale (1 = ~16,000 records)")
    parser.add_argument("--backends", default="connectorx,pyarrow")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # figures appear as they are measured, also in a piped `make bench`
    started = time.perf_counter()
    data = generate(scale=args.scale, seed=5)
    print(f"generated SuiteCRM sample at scale {args.scale:g} in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{t} {n:,}" for t, n in data.counts().items() if t in ("accounts", "contacts", "opportunities", "calls", "meetings", "notes")))
    worst = None
    for server, base in SERVERS.items():
        url = f"{base}/handover_sql_bench_{os.getpid()}"
        try:
            timings = seed(engine_url(url), data)
        except Exception as exc:  # a missing server is reported, not fatal: the other may be there
            print(f"{server}: skipped ({str(exc).splitlines()[0]})")
            continue
        print(f"{server}: seeded in {sum(timings.values()):.1f} s")
        try:
            for backend in args.backends.split(","):
                with tempfile.TemporaryDirectory() as folder:
                    rows, extract_s, total_s = extraction(url, backend, Path(folder))
                rate = rows / extract_s
                worst = rate if worst is None else min(worst, rate)
                load = os.getloadavg()
                print(f"{server:<10} {backend:<10} {rows:>9,} rows  extract {extract_s:6.1f} s = {rate:>9,.0f} rows/s   "
                      f"to raw {total_s:6.1f} s = {rows / total_s:>9,.0f} rows/s   load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
        finally:
            drop(server, url)
    if worst is not None:
        print(f"target >= {TARGET:,} rows/s extracting on 2 cores: slowest {worst:,.0f} rows/s -> {'met' if worst >= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
