"""What a run tells its user at the end, true whether it succeeded or not: per entity the accounting with
created / updated / unchanged and the share quarantined, the review queue; for a failed run the gate that
failed and why (its expectation, the count, the threshold), the step that failed with its real message, which
entities this run already wrote to the target, and a partial reconciliation report."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from app.errors import environment_message, explain
from handover.spec import MigrationSpec

USER_ERRORS = ("SpecError", "ExportError", "BackupError", "ReviewError", "UserError", "SourceError", "TargetError", "ApprovalError", "CryptoError")


@dataclass
class StepFailure:
    step: str
    message: str
    user_error: bool  # a spec or data mistake, or the environment: exit 2, not 1


@dataclass
class FailedGate:
    asset: str
    check: str
    summary: str
    docs: str | None = None


@dataclass
class Outcome:
    run_ids: list[str] = field(default_factory=list)
    failures: list[StepFailure] = field(default_factory=list)
    gates: list[FailedGate] = field(default_factory=list)
    held_back: str | None = None  # why nothing was written (all-or-nothing)
    stopped_after: str | None = None  # `--until STAGE`: the stages after it did not run, by choice
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.gates and self.held_back is None


def _clean_lines(message: str) -> list[str]:
    """A message without the parts that are no use to a reader: DuckDB's 'LINE 1:' echo and its caret."""
    lines = [line.strip() for line in message.strip().splitlines()]
    return [line for line in lines if line and not re.fullmatch(r"\^+|LINE \d+:.*", line) and not line.startswith("Traceback")]


def step_failure(event) -> StepFailure:
    """The real reason a step failed: a user's or the environment's error wherever it sits in the chain of
    causes, else the innermost error, with its class, never a fragment such as a caret."""
    chain = []
    error = event.event_specific_data.error
    while error is not None:
        chain.append(error)
        error = error.cause or getattr(error, "context", None)
    step = event.step_key or "?"
    for error in chain:
        found = environment_message(error.cls_name or "", error.message or "")
        if found:
            return StepFailure(step, found, True)
    for error in chain:
        if (error.cls_name or "") in USER_ERRORS:
            text = re.sub(rf"^[\w.]*{error.cls_name}: ", "", " ".join(_clean_lines(error.message)))
            return StepFailure(step, text, True)
    innermost = chain[-1] if chain else None
    if innermost is None:
        return StepFailure(step, "the step failed without an error message", False)
    lines = _clean_lines(innermost.message) or [innermost.cls_name]
    text = " ".join(lines[:4])
    if innermost.cls_name and not text.startswith(innermost.cls_name):
        text = f"{innermost.cls_name}: {text}"
    return StepFailure(step, text, False)


def failed_gate(evaluation) -> FailedGate:
    metadata = evaluation.metadata
    summary = metadata.get("summary")
    text = summary.value if summary is not None else (evaluation.description or "")
    if not text:
        shown = {k: getattr(v, "value", v) for k, v in metadata.items() if k not in ("findings", "data_docs_path")}
        text = ", ".join(f"{k}: {v}" for k, v in shown.items())
    docs = metadata.get("data_docs")
    return FailedGate(evaluation.asset_key.to_user_string(), evaluation.check_name, str(text), docs.value if docs else None)


# --- the summary -----------------------------------------------------------------------------------


def _load_counts(con, run_ids: list[str], order: list[str]) -> dict[str, dict[str, int]]:
    if not run_ids:
        return {}
    rows = con.execute(f"""SELECT entity, status, count(*) FROM ledger.loads WHERE run_id IN ({', '.join('?' * len(run_ids))})
                           GROUP BY ALL""", run_ids).fetchall()
    counts: dict[str, dict[str, int]] = {}
    for entity, status, n in sorted(rows, key=lambda r: order.index(r[0]) if r[0] in order else len(order)):
        counts.setdefault(entity, {})[status] = int(n)
    return counts


def _fresh_accounting(con, spec: MigrationSpec) -> list[dict]:
    """Accounting recomputed from the ledger for every entity extracted so far (a failed run never reached
    the reconciled stage of some): rows not yet in a bucket show up as the remainder."""
    from handover.reconcile import account
    from handover.staging import table_exists

    return [account(con, e).row() for e in spec.ordered_entities() if table_exists(con, "raw", e)]


def print_summary(out: Console, spec: MigrationSpec, outcome: Outcome, seconds: float) -> None:
    from handover.crypto import connect_duckdb, spec_key
    from handover.reconcile import BUCKETS
    from handover.review import queue_summary
    from handover.staging import ensure_ledger

    accounting, loads, queue, trouble = [], {}, None, []
    if spec.staging_path.exists():
        try:
            con = connect_duckdb(spec.staging_path, spec_key(spec))
            try:
                ensure_ledger(con)
                accounting = _fresh_accounting(con, spec)
                loads = _load_counts(con, outcome.run_ids, spec.ordered_entities())
                queue = queue_summary(con)
                if not outcome.ok:
                    _partial_report(con, spec, outcome, loads)
            finally:
                con.close()
        except Exception as exc:  # noqa: BLE001 - a full disk must not hide why the run failed
            message = explain(exc)
            if message is None:
                raise
            same = any(f.message.endswith(message) for f in outcome.failures)
            trouble.append("could not read the accounting or write the partial report, " + ("for the same reason" if same else message))
    title = (f"{spec.migration}: every extracted row accounted for" if outcome.ok and accounting and all(r["balanced"] for r in accounting)
             else f"{spec.migration}: accounting so far (the run did not finish)" if not outcome.ok
             else f"{spec.migration}: accounting so far (stopped after {outcome.stopped_after}, as asked)" if outcome.stopped_after
             else f"{spec.migration}: accounting")
    table = Table(title=title, box=box.SIMPLE_HEAD, padding=(0, 1),
                  caption="extracted = loaded + merged + quarantined + rejected + excluded; loaded = created + updated + unchanged")
    columns = ("entity", "extracted", "loaded", "created", "updated", "unchanged", *BUCKETS[1:], "remainder", "status")
    for column in columns:
        table.add_column(column, justify="left" if column in ("entity", "status") else "right")
    for r in accounting:
        done = loads.get(r["entity"], {})
        share = f" ({100 * r['quarantined'] / r['extracted']:.1f}%)" if r["extracted"] else ""
        status = ("[green]balanced[/]" if r["balanced"] else "[yellow]not finished[/]" if not outcome.ok or outcome.stopped_after
                  else "[red]UNBALANCED[/]")
        table.add_row(r["entity"], f"{r['extracted']:,}", f"{r['loaded']:,}", *(f"{done.get(s, 0):,}" for s in ("created", "updated", "unchanged")),
                      *(f"{r[b]:,}" + (share if b == "quarantined" else "") for b in BUCKETS[1:]), f"{r['remainder']:,}", status)
    out.print(table)
    if queue is not None and not queue.empty:
        pairs = ", ".join(f"{row.entity} {row.pairs_to_review:,}" for row in queue.itertuples())
        out.print(f"Review queue:          {int(queue['pairs_to_review'].sum()):,} pairs to decide ({pairs}) in {spec.work_dir / 'review'}")
    else:
        out.print("Review queue:          empty")
    _print_failure(out, outcome, loads)
    for line in trouble:
        out.print(f"[yellow]{escape(line)}[/]", highlight=False, soft_wrap=True)
    docs_index = spec.work_dir / "data_docs" / "index.html"
    report = spec.work_dir / "reports" / "reconciliation.html"
    if docs_index.exists():
        out.print(f"Data Docs:             {docs_index}")
    if report.exists():
        out.print(f"Reconciliation report: {report}" + ("" if outcome.ok else " (partial)"))
    out.print(f"Target:                {spec.target_label}")
    out.print(f"Finished in {seconds:.1f} s")
    if os.environ.get("HANDOVER_TIMINGS"):
        Path(os.environ["HANDOVER_TIMINGS"]).write_text(json.dumps(outcome.timings, indent=2))


def _written(loads: dict[str, dict[str, int]]) -> str:
    parts = []
    for entity, statuses in loads.items():  # in load order: _load_counts sorts by the spec's entities
        sent = {s: n for s, n in statuses.items() if s in ("created", "updated", "rejected") and n}
        if sent:
            parts.append(f"{entity} ({', '.join(f'{n:,} {s}' for s, n in sent.items())})")
    return ", ".join(parts)


def _print_failure(out: Console, outcome: Outcome, loads: dict[str, dict[str, int]]) -> None:
    if outcome.ok:
        return
    for gate in outcome.gates:
        out.print(f"[red]gate failed:[/] {escape(gate.asset)} {escape(gate.check)}", highlight=False)
        for line in gate.summary.splitlines():
            out.print(f"  {escape(line)}", highlight=False, soft_wrap=True)
        if gate.docs:
            out.print(f"  Data Docs: {escape(gate.docs)}", highlight=False)
    for failure in outcome.failures:
        out.print(f"[red]step failed:[/] {escape(failure.step)}: {escape(failure.message)}", highlight=False, soft_wrap=True)
    if outcome.held_back:
        out.print(f"[yellow]nothing written to the target:[/] {escape(outcome.held_back)}", highlight=False)
    written = _written(loads)
    out.print(f"Already written to the target by this run: {written}" if written else "Nothing was written to the target by this run.",
              highlight=False, soft_wrap=True)


def _partial_report(con, spec: MigrationSpec, outcome: Outcome, loads: dict[str, dict[str, int]]) -> None:
    """The reconciliation report of a run that stopped: the accounting so far, marked partial, with the reason."""
    import pandas as pd

    from handover.report import write_report
    from handover.staging import replace_table

    rows = _fresh_accounting(con, spec)
    if rows:
        replace_table(con, "reconciled", "accounting", pd.DataFrame(rows))
    reasons = [f"gate {g.asset} {g.check} failed: {g.summary.splitlines()[0] if g.summary else 'see its Data Docs'}" for g in outcome.gates] + [f"step {f.step} failed: {f.message}" for f in outcome.failures]
    if outcome.held_back:
        reasons.append(f"nothing was written to the target ({outcome.held_back})")
    written = _written(loads)
    note = "; ".join(reasons) + (f". Already written to the target: {written}." if written else ". Nothing was written to the target.")
    write_report(con, spec, partial=note)
