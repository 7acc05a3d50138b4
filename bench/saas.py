"""SaaS connectors against the sandbox (served by its own process, as a real API is): per API, extraction records/s
at the API's page size, upsert records/s, and calls per 1,000 records against the API's minimum, since a real CRM's
daily quota is the true limit. Targets (issue 8): extraction >= 10,000/s at page size 100 on 2 cores; upsert >= 5,000/s.

    python bench/saas.py [--records 20000]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connectors.sandbox.seed import Size, add_tokens, seed_hubspot, seed_pipedrive, seed_salesforce  # noqa: E402
from connectors.sandbox.store import Store  # noqa: E402
from connectors.sources.hubspot import helpers as hs  # noqa: E402
from connectors.sources.pipedrive import helpers as pd_helpers  # noqa: E402
from connectors.sources.salesforce import helpers as sf  # noqa: E402
from connectors.targets.hubspot import HubSpotTarget  # noqa: E402
from connectors.targets.pipedrive import PipedriveTarget  # noqa: E402
from connectors.targets.salesforce import SalesforceTarget  # noqa: E402
from handover.ports import EntitySchema  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(db: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "connectors.sandbox.server", "--db", str(db), "--port", str(port)], cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import requests

    for _ in range(200):
        try:
            if requests.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=0.5).ok:
                return process
        except requests.RequestException:
            time.sleep(0.05)
    process.terminate()
    raise SystemExit("the sandbox did not start")


def rows_for_upsert(count: int, prefix: str) -> pd.DataFrame:
    return pd.DataFrame({"external_id": [f"{prefix}:{i}" for i in range(count)], "last_name": [f"Name {i}" for i in range(count)],
                         "email": [f"person{i}@bench.example" for i in range(count)], "title": ["Buyer"] * count})


def line(api: str, what: str, records: int, seconds: float, calls: int, minimum: float) -> str:
    per_1000 = calls * 1000 / max(records, 1)
    return f"{api:<11} {what:<34} {records:>8,} records {records / seconds:>10,.0f}/s   {per_1000:>6.1f} calls/1,000 (minimum {minimum:g})"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--records", type=int, default=20_000)
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="handover-saas-bench-"))
    db = folder / "sandbox.db"
    store = Store(db)
    size = Size(owners=5, companies=50, contacts=args.records, deals=10, notes=10)
    began = time.perf_counter()
    add_tokens(store)
    seed_hubspot(store, "a", size)
    seed_hubspot(store, "b", size, records=False)
    seed_salesforce(store, "a", size)
    seed_salesforce(store, "b", size, records=False)
    seed_pipedrive(store, "a", size)
    seed_pipedrive(store, "b", size, records=False)
    store.close()
    print(f"seeded {args.records:,} contacts per API in {time.perf_counter() - began:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    port = free_port()
    server = start(db, port)
    base = f"http://:{{token}}@127.0.0.1:{port}"
    out = []
    try:
        api = hs.client(base.format(token="hs-a-token"))
        properties = hs.property_names(api, "contacts")
        api.calls = 0
        began = time.perf_counter()
        count = sum(len(page) for page, _ in hs.list_pages(api, "contacts", properties))
        out.append(line("hubspot", "extract (objects list, 100/page)", count, time.perf_counter() - began, api.calls, 10))

        target = HubSpotTarget(base.format(token="hs-b-token"), folder / "hs-owners.json")
        target.prepare(EntitySchema("contact", {"last_name": "person_name", "email": "email", "title": "string"}))
        rows = rows_for_upsert(min(args.records, 10_000), "bench")
        target.api.calls = 0
        began = time.perf_counter()
        for start_at in range(0, len(rows), 100):
            target.upsert("contact", rows.iloc[start_at:start_at + 100])
        out.append(line("hubspot", "upsert (batch upsert, 100/call)", len(rows), time.perf_counter() - began, target.api.calls, 10))

        api = sf.client(base.format(token="sf-a-token"))
        fields = [f["name"] for f in sf.describe(api, "Contact", "59.0")]
        api.calls = 0
        began = time.perf_counter()
        count = sum(len(page) for page in sf.records(api, "Contact", fields, "59.0", None))
        out.append(line("salesforce", "extract (queryAll, 2,000/page)", count, time.perf_counter() - began, api.calls, 0.5))

        for label, bulk_above, minimum in (("upsert (Collections, 200/call)", 1 << 30, 5), ("upsert (Bulk API 2.0 job)", 1, 0.6)):
            target = SalesforceTarget(base.format(token="sf-b-token"), folder / "sf-owners.json", bulk_above=bulk_above)
            target.prepare(EntitySchema("contact", {"last_name": "person_name", "email": "email", "title": "string"}))
            rows = rows_for_upsert(min(args.records, 10_000), f"bench-{bulk_above}")
            target.api.calls = 0
            began = time.perf_counter()
            target.upsert("contact", rows)
            out.append(line("salesforce", label, len(rows), time.perf_counter() - began, target.api.calls, minimum))

        api = pd_helpers.client(base.format(token="pd-a-token"))
        api.calls = 0
        began = time.perf_counter()
        count = sum(len(page) for page in pd_helpers.pages(api, "persons"))
        out.append(line("pipedrive", "extract (v2 list, 500/page)", count, time.perf_counter() - began, api.calls, 2))
        target = PipedriveTarget(base.format(token="pd-b-token"), folder / "pd-owners.json")
        target.prepare(EntitySchema("contact", {"last_name": "person_name", "email": "email", "title": "string"}))
        rows = rows_for_upsert(min(args.records, 2_000), "bench")
        target.api.calls = 0
        began = time.perf_counter()
        for start_at in range(0, len(rows), 100):
            target.upsert("contact", rows.iloc[start_at:start_at + 100])
        out.append(line("pipedrive", "create (one call a record)", len(rows), time.perf_counter() - began, target.api.calls, 1000))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("\n".join(out))
    print("targets: extraction >= 10,000/s at 100 a page; upsert >= 5,000/s (sandbox on loopback; a real API adds its latency per call)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
