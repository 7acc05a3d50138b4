"""`handover`: run a migration headless, check a spec, restore a backup, export the spec schema.

User mistakes end with one clear message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich import box
from rich.markup import escape
from rich.table import Table

from handover.review import ReviewError
from handover.spec import FilesSource, MigrationSpec, SpecError, json_schema, load_spec, resolve_url, source_columns, where_in_spec

console = Console(stderr=True)
# Piped output (CI logs, `| tee`) would otherwise be cut to 80 columns and truncate the summary.
out = Console() if Console().is_terminal else Console(width=120)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UserError(Exception):
    """A mistake the user can fix; printed without a traceback."""


def connection_urls(spec: MigrationSpec) -> tuple[str | None, str | None]:
    """The source's and the target's URLs, resolved from the environment now, so a missing variable stops the run here."""
    urls = []
    for part, loc in ((spec.source, "source"), (spec.target, "target")):
        url = getattr(part, "url", None)
        try:
            urls.append(resolve_url(url) if url is not None else None)
        except SpecError as exc:
            raise UserError(f"{where_in_spec(spec, (loc, 'url'))}: {exc}")
    return urls[0], urls[1]


def preflight(spec: MigrationSpec) -> None:
    """Everything that can be checked before any work: the source is there and has every column the spec names,
    and a target server answers."""
    from connectors.sources import open_source

    source_url, target_url = connection_urls(spec)
    problems = []
    for problem in open_source(spec, source_url).check():
        if problem.stream is None:
            loc = ("source", "path") if isinstance(spec.source, FilesSource) else ("source", "url")
            hint = f"; generate the demo export with `handover demo-data {spec.source_dir}`" if spec.migration == "demo" and isinstance(spec.source, FilesSource) else ""
            raise UserError(f"{where_in_spec(spec, loc)}: {problem.message}{hint}")
        columns = source_columns(spec.entities[problem.stream], problem.stream) if problem.stream in spec.entities else {}
        locs = [loc for loc, column in columns.items() if column == problem.column] or [("entities", problem.stream, "from")]
        problems += [f"{where_in_spec(spec, loc)}: {problem.message}" for loc in locs]
    if problems:
        raise UserError("the spec does not fit the source:\n  " + "\n  ".join(problems))
    _check_target_server(spec, target_url)


def _check_target_server(spec: MigrationSpec, url: str | None) -> None:
    """A target reached over a URL answers and accepts the credentials, before any work (files targets need nothing)."""
    from connectors.targets import open_target
    from handover.ports import TargetError

    if url is None:
        return
    try:
        open_target(spec, url).close()
    except TargetError as exc:
        if not exc.user_error:
            raise
        raise UserError(f"{where_in_spec(spec, ('target', 'url'))}: {exc}")


def _instance():
    import dagster as dg

    home = os.environ.get("DAGSTER_HOME")
    return dg.DagsterInstance.get() if home and Path(home, "dagster.yaml").exists() else dg.DagsterInstance.ephemeral()


def _failure_message(event) -> str:
    error = event.event_specific_data.error
    messages = []
    while error is not None:
        messages.append(error.message.strip().splitlines()[-1] if error.message.strip() else error.cls_name)
        error = error.cause
    user = [m for m in messages if any(t in m for t in ("SpecError", "ExportError", "BackupError", "ReviewError", "UserError", "ApprovalError", "CryptoError"))]
    return (user or messages)[-1]


def run(spec_path: str, quiet: bool = False) -> int:
    import dagster as dg
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipelines.definitions import build_definitions, migration_job_name

    spec = load_spec(spec_path)
    preflight(spec)
    started = time.perf_counter()
    job_name = migration_job_name(spec)
    progress = Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, disable=quiet)
    timings: dict[str, float] = {}
    step_started = {"at": time.perf_counter()}

    def advance(context, status: str) -> None:
        now = time.perf_counter()
        timings[context.op.name] = now - step_started["at"]
        step_started["at"] = now
        progress.update(task, advance=1, description=f"{status} {context.op.name}")

    @dg.success_hook(name="handover_progress_ok")
    def on_success(context):
        advance(context, "done")

    @dg.failure_hook(name="handover_progress_failed")
    def on_failure(context):
        advance(context, "FAILED")

    from handover import audit

    defs = build_definitions([spec], hooks={on_success, on_failure})
    audit.append(spec.work_dir, "run_start", spec.migration, {"job": job_name, "target": spec.target_label})
    job_def = defs.resolve_job_def(job_name)
    with progress:
        task = progress.add_task(f"migrating {spec.migration}", total=len(job_def.nodes_in_topological_order))
        result = job_def.execute_in_process(
            instance=_instance(), raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
        )
        progress.update(task, completed=len(job_def.nodes_in_topological_order), description=f"finished {spec.migration}")
    failures = [_failure_message(e) for e in result.all_events if e.is_step_failure]
    failed_checks = [e for e in result.get_asset_check_evaluations() if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR]
    audit.append(spec.work_dir, "run_end", spec.migration, {"job": job_name, "run_id": result.run_id, "success": result.success,
                                                            "failures": failures, "failed_checks": [c.check_name for c in failed_checks]})
    _summary(spec, time.perf_counter() - started, failures, failed_checks, timings)
    return EXIT_OK if result.success and not failed_checks and not failures else EXIT_FAILED


def _summary(spec: MigrationSpec, seconds: float, failures: list[str], failed_checks: list, timings: dict[str, float]) -> None:
    from handover.crypto import connect_duckdb, spec_key
    from handover.reconcile import BUCKETS
    from handover.staging import table_exists

    table = Table(title=f"{spec.migration}: every extracted row accounted for", box=box.SIMPLE_HEAD, caption="extracted = loaded + merged + quarantined + rejected + excluded")
    for column in ("entity", "extracted", *BUCKETS, "remainder", "status"):
        table.add_column(column, justify="left" if column in ("entity", "status") else "right")
    if spec.staging_path.exists():
        con = connect_duckdb(spec.staging_path, spec_key(spec))
        try:
            if table_exists(con, "reconciled", "accounting"):
                rows = con.execute("SELECT * FROM reconciled.accounting").df().set_index("entity")
                for entity in spec.ordered_entities():
                    if entity in rows.index:
                        r = rows.loc[entity]
                        table.add_row(entity, str(r["extracted"]), *[str(r[b]) for b in BUCKETS], str(r["remainder"]),
                                      "[green]balanced[/]" if r["balanced"] else "[red]UNBALANCED[/]")
        finally:
            con.close()
    out.print(table)
    for failure in failures:
        out.print(f"[red]step failed:[/] {escape(failure)}", highlight=False)
    for check in failed_checks:
        docs = check.metadata.get("data_docs")
        out.print(f"[red]gate failed:[/] {check.asset_key.to_user_string()} {check.check_name}" + (f" — {docs.value}" if docs else "")
                  + (f": {escape(check.description)}" if check.check_name == "approved" and check.description else ""), highlight=False)
    docs_index = spec.work_dir / "data_docs" / "index.html"
    report = spec.work_dir / "reports" / "reconciliation.html"
    if docs_index.exists():
        out.print(f"Data Docs:             {docs_index}")
    if report.exists():
        out.print(f"Reconciliation report: {report}")
    out.print(f"Target:                {spec.target_label}")
    out.print(f"Finished in {seconds:.1f} s")
    if os.environ.get("HANDOVER_TIMINGS"):
        Path(os.environ["HANDOVER_TIMINGS"]).write_text(json.dumps(timings, indent=2))


def validate(spec_path: str) -> int:
    spec = load_spec(spec_path)
    preflight(spec)
    out.print(f"{spec_path}: valid; {len(spec.entities)} entities: {', '.join(spec.ordered_entities())}")
    return EXIT_OK


def restore(spec_path: str, snapshot: str | None, list_only: bool) -> int:
    from handover import audit
    from handover.backup import BackupError, restore as restore_snapshot, snapshots
    from handover.crypto import CryptoError, connect_duckdb, spec_key

    spec = load_spec(spec_path)
    available = snapshots(spec.work_dir / "backup")
    if list_only:
        for path in available:
            out.print(path.name)
        return EXIT_OK
    if not available:
        raise UserError(f"no backups under {spec.work_dir / 'backup'}; run the migration first")
    chosen = next((p for p in available if p.name == snapshot), None) if snapshot else available[-1]
    if chosen is None:
        raise UserError(f"no snapshot {snapshot!r}; available: {', '.join(p.name for p in available)}")
    try:
        key = spec_key(spec)
        con = connect_duckdb(spec.staging_path, key)
    except CryptoError as exc:
        raise UserError(str(exc))
    try:
        entries = restore_snapshot(con, chosen, key=key)
    except BackupError as exc:
        raise UserError(str(exc))
    finally:
        con.close()
    audit.append(spec.work_dir, "restore", chosen.name, {"tables": {e.entity: e.rows for e in entries}})
    for entry in entries:
        out.print(f"restored raw.{entry.entity}: {entry.rows} rows (sha256 verified)")
    return EXIT_OK


def demo_data(out_dir: str, scale: float, seed: int) -> int:
    from sampledata.demo import generate_export

    truth = generate_export(out_dir, scale=scale, seed=seed)
    out.print(f"wrote demo export to {out_dir}: " + ", ".join(f"{k} {v}" for k, v in truth["counts"].items()))
    return EXIT_OK


def report(spec_path: str) -> int:
    from handover.report import write_report
    from handover.staging import connect

    spec = load_spec(spec_path)
    if not spec.staging_path.exists():
        raise UserError(f"{spec.staging_path}: no staging database; run the migration first")
    from handover.crypto import CryptoError, spec_key

    try:
        con = connect(spec.staging_path, spec_key(spec))
    except CryptoError as exc:
        raise UserError(str(exc))
    try:
        out.print(str(write_report(con, spec)))
    finally:
        con.close()
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="handover", description="Move customers from one CRM to another, losing nothing.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a migration end to end (raw -> reconciled)")
    r.add_argument("spec")
    r.add_argument("--quiet", action="store_true", help="no progress display")
    v = sub.add_parser("validate", help="check a spec and that the source has every column it names")
    v.add_argument("spec")
    s = sub.add_parser("schema", help="print the JSON Schema of migration specs")
    s.add_argument("--out", help="write to this file instead of stdout")
    b = sub.add_parser("restore", help="rebuild raw from a backup snapshot (sha256-verified)")
    b.add_argument("spec")
    b.add_argument("--snapshot", help="snapshot id (default: the newest)")
    b.add_argument("--list", action="store_true", help="list snapshots")
    d = sub.add_parser("demo-data", help="generate the demo's old-CRM export")
    d.add_argument("out")
    d.add_argument("--scale", type=float, default=1.0)
    d.add_argument("--seed", type=int, default=42)
    rp = sub.add_parser("report", help="write the reconciliation report again from staging")
    rp.add_argument("spec")
    from handover.dedup.command import add_arguments as add_dedup_arguments

    add_dedup_arguments(sub.add_parser("dedup", help="cluster duplicate contacts or accounts in a CSV/Parquet file"))
    from app.trust_cli import add_commands as add_trust_commands

    add_trust_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "run":
            return run(args.spec, args.quiet)
        if args.command == "validate":
            return validate(args.spec)
        if args.command == "schema":
            text = json.dumps(json_schema(), indent=2, ensure_ascii=False)
            if args.out:
                Path(args.out).write_text(text + "\n", encoding="utf-8")
            else:
                out.print_json(text)
            return EXIT_OK
        if args.command == "restore":
            return restore(args.spec, args.snapshot, args.list)
        if args.command == "demo-data":
            return demo_data(args.out, args.scale, args.seed)
        if args.command == "report":
            return report(args.spec)
        if args.command == "dedup":
            from handover.dedup.command import dedup_command

            return dedup_command(args)
        from app import trust_cli

        if args.command in trust_cli.COMMANDS:
            return trust_cli.dispatch(args)
    except (SpecError, UserError, ReviewError) as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.print("interrupted")
        return 130
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
