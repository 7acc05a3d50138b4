"""`handover`: run a migration headless, check a spec, restore a backup, export the spec schema.

User mistakes end with one clear message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

try:
    from rich.console import Console
    from rich.markup import escape
except ModuleNotFoundError as missing:  # the one message app.errors would give, without needing rich
    print(f"error: a Python package Handover needs is missing: {missing.name}; install Handover with its dependencies "
          "(`make install`, or `pip install -e .` in its virtualenv) and run again", file=sys.stderr)
    raise SystemExit(2)

from app.errors import UserError, explain

console = Console(stderr=True)
# Piped output (CI logs, `| tee`) would otherwise be cut to 80 columns and truncate the summary.
out = Console() if Console().is_terminal else Console(width=160)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

__all__ = ["UserError", "main"]


def validate(spec_path: str) -> int:
    """Every check that runs without moving data, all reported at once: the spec, the export's files and columns
    (and how each is read), exclusion conditions, owner references, where the target and work folder go, the
    target server, and the gates the run will apply."""
    from app.checks import run_checks
    from handover.spec import load_spec

    spec = load_spec(spec_path)
    report = run_checks(spec, describe=True)
    for line in report.reading:
        out.print(f"reads   {escape(line)}", highlight=False, soft_wrap=True)
    for line in report.gates:
        out.print(f"gate    {escape(line)}", highlight=False, soft_wrap=True)
    report.raise_if_any()
    out.print(f"{spec_path}: valid; {len(spec.entities)} entities: {', '.join(spec.ordered_entities())}")
    return EXIT_OK


def restore(spec_path: str, snapshot: str | None, list_only: bool) -> int:
    from app.lock import MigrationLock
    from handover import audit
    from handover.backup import BackupError, restore as restore_snapshot, snapshots
    from handover.crypto import CryptoError, connect_duckdb, spec_key
    from handover.spec import load_spec

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
    with MigrationLock(spec.work_dir, spec.migration).acquire():
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
    from handover.spec import load_spec
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


def parser(with_dedup: bool = True) -> argparse.ArgumentParser:
    """`with_dedup`: add the dedup command's own arguments (importing the matching engine takes seconds)."""
    p = argparse.ArgumentParser(prog="handover", description="Move customers from one CRM to another, losing nothing.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a migration end to end (raw -> reconciled)")
    r.add_argument("spec")
    r.add_argument("--quiet", action="store_true", help="no progress display")
    r.add_argument("--from", dest="from_stage", choices=("raw", "cleaned", "mapped", "loaded", "reconciled"),
                   help="run from this stage on, reusing what staging holds for the stages before it (e.g. reload after fixing the target)")
    r.add_argument("--until", dest="until_stage", choices=("raw", "cleaned", "mapped", "loaded"),
                   help="stop after this stage (e.g. mapped: review and approve before anything is written)")
    r.add_argument("--wait", action="store_true", help="if another run of this migration is going, wait for it instead of stopping")
    r.add_argument("--all-or-nothing", dest="all_or_nothing", action="store_true", default=None,
                   help="load no entity unless every gate of every entity passed (the default for a production target)")
    r.add_argument("--no-all-or-nothing", dest="all_or_nothing", action="store_false",
                   help="load each entity as soon as its own gates pass, even on a production target")
    v = sub.add_parser("validate", help="run every check that needs no data moved: spec, files, columns, owners, target, gates")
    v.add_argument("spec")
    s = sub.add_parser("schema", help="print the JSON Schema of migration specs")
    s.add_argument("--out", help="write to this file instead of stdout")
    b = sub.add_parser("restore", help="rebuild raw from a backup snapshot (sha256-verified)")
    b.add_argument("spec")
    b.add_argument("--snapshot", help="snapshot id (default: the newest)")
    b.add_argument("--list", action="store_true", help="list snapshots")
    d = sub.add_parser("demo-data", help="generate the demo's old-CRM export, or (--to) a SuiteCRM database")
    d.add_argument("out", nargs="?", help="folder for the export files")
    d.add_argument("--to", metavar="URL", help="create and fill a SuiteCRM database instead: mysql://root@127.0.0.1:3306/suitecrm or postgresql://...")
    d.add_argument("--scale", type=float, default=1.0)
    d.add_argument("--seed", type=int, default=42)
    rp = sub.add_parser("report", help="write the reconciliation report again from staging")
    rp.add_argument("spec")
    dedup = sub.add_parser("dedup", help="cluster duplicate contacts or accounts in a CSV/Parquet file")
    if with_dedup:
        from handover.dedup.command import add_arguments as add_dedup_arguments

        add_dedup_arguments(dedup)
    from app.trust_cli import add_commands as add_trust_commands

    add_trust_commands(sub)
    from app.sandbox import add_arguments as add_sandbox_arguments

    add_sandbox_arguments(sub.add_parser("sandbox", help="a local HubSpot/Salesforce stand-in: start [--port N], seed, stop"))
    return p


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser(with_dedup=argv[:1] == ["dedup"]).parse_args(argv)
    try:
        return _dispatch(args)
    except UserError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return EXIT_USAGE
    except KeyboardInterrupt:
        console.print("interrupted; nothing is half-written: run again to continue")
        return 130
    except Exception as exc:  # noqa: BLE001 - environment errors (disk, permissions, locks, packages) get one sentence
        known = _user_error(exc) or explain(exc)
        if known is None:
            raise
        console.print(f"[red]error:[/] {escape(known)}", highlight=False, soft_wrap=True)
        return EXIT_USAGE


def _user_error(exc: Exception) -> str | None:
    from handover.review import ReviewError
    from handover.spec import SpecError

    return str(exc) if isinstance(exc, (SpecError, ReviewError)) else None


def _dispatch(args: argparse.Namespace) -> int:
    from handover.spec import json_schema

    if args.command == "run":
        from app.progress import terminal_console
        from app.run import run

        return run(args.spec, terminal_console(), out, quiet=args.quiet, wait=args.wait, all_or_nothing=args.all_or_nothing,
                   from_stage=args.from_stage, until_stage=args.until_stage)
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
        if args.to:
            from app.demo_database import DemoDatabaseError, seed_database

            try:
                out.print(seed_database(args.to, args.scale, args.seed))
            except DemoDatabaseError as exc:
                raise UserError(str(exc))
            return EXIT_OK
        if not args.out:
            raise UserError("name a folder for the export files, or --to a database URL")
        return demo_data(args.out, args.scale, args.seed)
    if args.command == "report":
        return report(args.spec)
    if args.command == "dedup":
        from handover.dedup.command import dedup_command

        return dedup_command(args)
    if args.command == "sandbox":
        from app.sandbox import SandboxCommandError, sandbox_command

        try:
            return sandbox_command(args)
        except SandboxCommandError as exc:
            raise UserError(str(exc))
    from app import trust_cli

    if args.command in trust_cli.COMMANDS:
        return trust_cli.dispatch(args)
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
