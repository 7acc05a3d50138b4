"""The run's closing summary read from staging: the review queue's size per entity, the share quarantined, and
for a run that stopped, what it had already written and a partial report."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import pandas as pd
from rich.console import Console

from app.outcome import FailedGate, Outcome, print_summary
from handover.spec import load_spec
from handover.staging import ensure_ledger
from tests.conftest import write_spec


def _staging(spec) -> None:
    spec.work_dir.mkdir(parents=True)
    con = duckdb.connect(str(spec.staging_path))
    ensure_ledger(con)
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute('CREATE TABLE raw."owner" AS SELECT \'u\' || i AS _record_key FROM range(4) t(i)')
    con.execute("INSERT INTO ledger.review VALUES ('contact', 'a', 'b', 0.9, NULL), ('contact', 'c', 'd', 0.97, 'names'), "
                "('account', 'e', 'f', 0.85, NULL)")
    loads = pd.DataFrame({"entity": "owner", "external_id": ["x:owner:0", "x:owner:1", "x:owner:2"], "row_key": ["u0", "u1", "u2"],
                          "status": ["created", "created", "unchanged"], "run_id": "r1"})
    con.register("l", loads)
    con.execute("INSERT INTO ledger.loads BY NAME SELECT * FROM l")
    con.execute("INSERT INTO ledger.quarantine BY NAME SELECT 'owner' AS entity, 'u3' AS row_key")
    con.close()


def test_summary_of_a_failed_run_with_a_review_queue(tmp_path: Path) -> None:
    spec = load_spec(write_spec(tmp_path, tmp_path / "exports"))
    _staging(spec)
    buffer = io.StringIO()
    outcome = Outcome(run_ids=["r1"], gates=[FailedGate("demo/cleaned/account", "expectations",
                                                        "quarantine share of account: 9 of 100 extracted rows (9.0%) quarantined "
                                                        "against the threshold (max_quarantined=0.05)")])
    print_summary(Console(file=buffer, width=200), spec, outcome, 1.0)
    text = buffer.getvalue()
    assert "Review queue:          3 pairs to decide (account 1, contact 2)" in text
    owner = next(line for line in text.splitlines() if line.strip().startswith("owner"))
    assert owner.split()[:10] == ["owner", "4", "3", "2", "0", "1", "0", "1", "(25.0%)", "0"]
    assert "quarantine share of account: 9 of 100 extracted rows (9.0%)" in text
    assert "Already written to the target by this run: owner (2 created)" in text
    report = (spec.work_dir / "reports" / "reconciliation.html").read_text(encoding="utf-8")
    assert "PARTIAL REPORT" in report and "quarantine share of account: 9 of 100" in report
