"""`handover approve | undo | audit | rekey`: approvals bound to the data, undo of any run, the audit log, key rotation.

Registered by app/cli.py. A user's mistake (an unknown run, a missing key, an approval for no data) exits 2;
a failed check (a tampered audit log, an undo with conflicts or that did not reconcile) exits 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape

from app.cli import EXIT_FAILED, EXIT_OK, UserError, out
from handover import audit
from handover.spec import MigrationSpec, load_spec

COMMANDS = ("approve", "undo", "audit", "rekey")


def add_commands(sub: argparse._SubParsersAction) -> None:
    a = sub.add_parser("approve", help="approve the mapped data for a production load (bound to its hash)")
    a.add_argument("spec")
    a.add_argument("--as", dest="approver", required=True, help="the approver's name")
    a.add_argument("--role", help="the role approving (one of approvals.required in the spec)")
    a.add_argument("--note", default="", help="why, or what was reviewed")
    u = sub.add_parser("undo", help="undo a run: restore what it updated, remove what it created, prove it")
    u.add_argument("spec")
    u.add_argument("run_id", nargs="?", help="the run to undo (see --list)")
    u.add_argument("--list", action="store_true", help="list the runs that can be undone")
    u.add_argument("--force", action="store_true", help="overwrite records changed in the target after the run")
    au = sub.add_parser("audit", help="verify or export the hash-chained audit log")
    au.add_argument("action", choices=["verify", "export"])
    au.add_argument("spec")
    au.add_argument("--out", help="export: the JSONL file to write (default: <work>/audit/export.jsonl)")
    rk = sub.add_parser("rekey", help="re-encrypt staging, the embedded target and backups: old key in HANDOVER_KEY, new in HANDOVER_NEW_KEY")
    rk.add_argument("spec")


def dispatch(args: argparse.Namespace) -> int:
    spec = load_spec(args.spec)
    if args.command == "approve":
        return approve(spec, args.approver, args.role, args.note)
    if args.command == "undo":
        return undo(spec, args.run_id, args.list, args.force)
    if args.command == "audit":
        return audit_verify(spec) if args.action == "verify" else audit_export(spec, args.out)
    return rekey(spec)


def _staging(spec: MigrationSpec):
    from handover.crypto import CryptoError, connect_duckdb, spec_key

    if not spec.staging_path.exists():
        raise UserError(f"{spec.staging_path}: no staging database; run the migration first")
    try:
        return connect_duckdb(spec.staging_path, spec_key(spec))
    except CryptoError as exc:
        raise UserError(str(exc))


def approve(spec: MigrationSpec, approver: str, role: str | None, note: str) -> int:
    from handover.approval import ApprovalError, decide, fingerprint, load_approvals, mirror, record_approval

    con = _staging(spec)
    try:
        now = fingerprint(con, spec)
        try:
            approval = record_approval(spec, now, approver, role, note, audit.actor())
        except ApprovalError as exc:
            raise UserError(str(exc))
        mirror(con, spec, now)
    finally:
        con.close()
    audit.append(spec.work_dir, "approval", spec.migration, {"approver": approval.approver, "role": approval.role, "note": note,
                                                             "hash": now.hash, "counts": now.counts})
    out.print(f"approved by {escape(approval.approver)} as {approval.role}: mapped data {now.hash[:12]} "
              + ", ".join(f"{e} {n}" for e, n in now.counts.items()))
    decision = decide(spec, now, load_approvals(spec))
    out.print("the load may proceed" if decision.approved else f"still needed: {escape(decision.message)}", highlight=False)
    return EXIT_OK


def undo(spec: MigrationSpec, run_id: str | None, list_only: bool, force: bool) -> int:
    from connectors.targets import open_target
    from handover.ports import TargetError
    from handover.undo import UndoError, runs, undo as undo_run

    con = _staging(spec)
    try:
        if list_only or not run_id:
            listed = runs(con)
            if listed.empty:
                out.print("no journaled runs yet")
            for row in listed.itertuples(index=False):
                state = f"undone by {row.undone_by}" if isinstance(row.undone_by, str) else "can be undone"
                out.print(f"{row.run_id}  {row.first_at}  created {row.created}  updated {row.updated}  deleted {row.deleted}  {state}")
            return EXIT_OK
        from app.checks import connection_urls

        problems: list[str] = []
        _, url = connection_urls(spec, problems)
        if problems:
            raise UserError("; ".join(problems))
        try:
            target = open_target(spec, url)
        except TargetError as exc:
            raise UserError(str(exc))
        try:
            result = undo_run(con, spec, target, run_id, force=force, actor=audit.actor())
        except UndoError as exc:
            raise UserError(str(exc))
        finally:
            target.close()
    finally:
        con.close()
    for conflict in result.conflicts:
        out.print(f"[yellow]conflict:[/] {escape(conflict)}", highlight=False)
    if not result.applied:
        out.print(f"[red]nothing undone:[/] {len(result.conflicts)} records changed in the target after run {escape(run_id)}; "
                  "review them, then undo with --force to overwrite them", highlight=False)
        return EXIT_FAILED
    audit.append(spec.work_dir, "undo", run_id, {"undo_run_id": result.undo_run_id, "restored": result.restored, "removed": result.removed,
                                                  "recreated": result.recreated, "conflicts_overridden": len(result.conflicts),
                                                  "proved": result.proved})
    for entity in sorted(set(result.restored) | set(result.removed) | set(result.recreated)):
        out.print(f"{entity}: restored {result.restored.get(entity, 0)}, removed {result.removed.get(entity, 0)}, "
                  f"re-created {result.recreated.get(entity, 0)}")
    for mismatch in result.mismatches[:50]:
        out.print(f"[red]does not reconcile:[/] {escape(mismatch)}", highlight=False)
    if result.mismatches:
        return EXIT_FAILED
    out.print(f"undone as run {result.undo_run_id}: every record reads back as its before-image "
              f"(to redo the run: `handover undo SPEC {result.undo_run_id}`)")
    return EXIT_OK


def audit_verify(spec: MigrationSpec) -> int:
    count, problems = audit.verify(spec.work_dir)
    if not problems:
        out.print(f"{audit.log_path(spec.work_dir)}: {count} entries, the chain is intact")
        return EXIT_OK
    for problem in problems:
        out.print(f"[red]tampered:[/] {escape(problem.message)}", highlight=False)
    out.print(f"{audit.log_path(spec.work_dir)}: {len(problems)} problems in {count} entries")
    return EXIT_FAILED


def audit_export(spec: MigrationSpec, target: str | None) -> int:
    path = Path(target) if target else spec.work_dir / "audit" / "export.jsonl"
    try:
        count = audit.export(spec.work_dir, path)
    except audit.AuditError as exc:
        raise UserError(str(exc))
    out.print(f"wrote {count} audit entries to {path}")
    return EXIT_OK


def rekey(spec: MigrationSpec) -> int:
    from handover.backup import BackupError, rekey_snapshot, snapshots, verify
    from handover.crypto import NEW_KEY_ENV, CryptoError, connect_duckdb, key_id, key_from, rekey_duckdb, spec_key
    from handover.spec import DuckDBTarget

    try:
        old, new = spec_key(spec), key_from(NEW_KEY_ENV)
    except CryptoError as exc:
        raise UserError(str(exc))
    if new is None:
        raise UserError(f"set {NEW_KEY_ENV} to the new key (the current one, if any, in HANDOVER_KEY or the spec's key file)")
    files = [spec.staging_path] + ([spec.target_path] if isinstance(spec.target, DuckDBTarget) and spec.target_path else [])
    files = [f for f in files if f.exists()]
    backups = snapshots(spec.work_dir / "backup")
    try:  # every old key is checked before anything is rewritten
        for path in files:
            connect_duckdb(path, old, read_only=True).close()
        for snapshot in backups:
            verify(snapshot, key=old)
        for path in files:
            rekey_duckdb(path, old, new)
        rewritten = sum(rekey_snapshot(s, old, new) for s in backups)
    except (CryptoError, BackupError) as exc:
        raise UserError(str(exc))
    audit.append(spec.work_dir, "rekey", spec.migration, {"files": [str(f) for f in files], "snapshots": len(backups),
                                                          "old_key_id": key_id(old) if old else None, "new_key_id": key_id(new)})
    out.print(f"re-encrypted {len(files)} databases and {rewritten} backup files under the new key (id {key_id(new)}); "
              f"put the new key in HANDOVER_KEY (or the key file) from now on")
    return EXIT_OK
