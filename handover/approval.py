"""Approvals bound to the data: an approval holds the hash of the mapped data it approved, with per-entity
hashes and counts. A production target loads an entity only when, for every required role, an approval's hash of
that entity equals the hash of what is about to be loaded; a changed dataset needs a new approval, and the refusal
says what changed since the last one (counts per entity).

The hash of an entity covers every mapped record's external id and content hash, in external-id order, so any
changed value, added or removed record changes it. Approvals are kept in `<work>/approvals.jsonl`, one per line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from handover.spec import MigrationSpec
from handover.staging import append_ledger_rows, ensure_ledger, ledger_frame, table_exists

FILE = "approvals.jsonl"
ANY_ROLE = "approver"


class ApprovalError(Exception):
    """A load without the approvals it needs, or an approval that cannot be given; the message says what is missing."""


@dataclass(frozen=True)
class Fingerprint:
    hash: str  # of the whole mapped dataset
    entities: dict[str, str]  # entity -> hash of its mapped records
    counts: dict[str, int]  # entity -> mapped records


@dataclass(frozen=True)
class Approval:
    approver: str
    role: str
    time: str
    hash: str
    entities: dict[str, str]
    counts: dict[str, int]
    note: str = ""
    actor: str = ""  # who ran the command (HANDOVER_ACTOR / OS user), beside the name given with --as


@dataclass
class Decision:
    approved: bool
    message: str
    approvals: list[Approval] = field(default_factory=list)  # the approvals that match, one per role


def entity_hash(con: duckdb.DuckDBPyConnection, entity: str) -> tuple[str, int]:
    """Hash and count of an entity's mapped records (empty when the stage has not run)."""
    digest = hashlib.sha256(entity.encode() + b"\n")
    if not table_exists(con, "mapped", entity):
        return digest.hexdigest(), 0
    cursor = con.execute(f'SELECT external_id, content_hash FROM mapped."{entity}" ORDER BY external_id')
    count = 0
    while rows := cursor.fetchmany(50_000):
        digest.update("".join(f"{e}\t{h}\n" for e, h in rows).encode("utf-8"))
        count += len(rows)
    return digest.hexdigest(), count


def fingerprint(con: duckdb.DuckDBPyConnection, spec: MigrationSpec, entities: list[str] | None = None) -> Fingerprint:
    hashes, counts = {}, {}
    for entity in entities or spec.ordered_entities():
        hashes[entity], counts[entity] = entity_hash(con, entity)
    whole = hashlib.sha256(json.dumps(hashes, sort_keys=True).encode()).hexdigest()
    return Fingerprint(whole, hashes, counts)


def required_roles(spec: MigrationSpec) -> list[str]:
    return list(spec.approvals.required) or [ANY_ROLE]


def approvals_path(spec: MigrationSpec) -> Path:
    return spec.work_dir / FILE


def load_approvals(spec: MigrationSpec) -> list[Approval]:
    path = approvals_path(spec)
    if not path.exists():
        return []
    found = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                found.append(Approval(**json.loads(line)))
            except (ValueError, TypeError):
                raise ApprovalError(f"{path}: line {number} is not an approval") from None
    return found


def record_approval(spec: MigrationSpec, print_: Fingerprint, approver: str, role: str | None, note: str, actor: str) -> Approval:
    """Store an approval of `print_` by `approver` in `role` (required when the spec lists roles)."""
    roles = spec.approvals.required
    if not approver.strip():
        raise ApprovalError("--as needs the approver's name")
    if roles and role not in roles:
        given = f"role {role!r} is not one the spec requires" if role else "--role is needed"
        raise ApprovalError(f"{given}: approvals.required lists {', '.join(roles)}")
    if not any(print_.counts.values()):
        raise ApprovalError("there is no mapped data to approve; run the migration up to the mapped stage first")
    approval = Approval(approver=approver.strip(), role=role or ANY_ROLE, time=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                        hash=print_.hash, entities=print_.entities, counts=print_.counts, note=note, actor=actor)
    path = approvals_path(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(approval), ensure_ascii=False, sort_keys=True) + "\n")
    return approval


def _changes(before: Approval, now: Fingerprint, entities: list[str]) -> str:
    parts = []
    for entity in entities:
        old, new = before.counts.get(entity, 0), now.counts.get(entity, 0)
        if before.entities.get(entity) == now.entities.get(entity):
            continue
        if old == new:
            parts.append(f"{entity} {new} records, same count but changed content")
        else:
            parts.append(f"{entity} {old} -> {new} ({new - old:+d})")
    return "; ".join(parts) or "no entity changed"


def decide(spec: MigrationSpec, now: Fingerprint, approvals: list[Approval], entities: list[str] | None = None) -> Decision:
    """Whether `entities` (default: all) of the current data carry an approval per required role."""
    entities = entities or list(now.entities)
    matching, missing = [], []
    for role in required_roles(spec):
        given = [a for a in approvals if role == ANY_ROLE or a.role == role]
        fits = [a for a in given if all(a.entities.get(e) == now.entities[e] for e in entities)]
        if fits:
            matching.append(fits[-1])
            continue
        label = f"role {role}" if role != ANY_ROLE else "anyone"
        if not given:
            missing.append(f"no approval by {label}")
        else:
            last = given[-1]
            missing.append(f"the last approval by {label} ({last.approver}, {last.time}) was for other data; changed since: "
                           f"{_changes(last, now, entities)}")
    if missing:
        what = ", ".join(entities) if len(entities) < len(now.entities) else "the mapped data"
        return Decision(False, f"the production target needs approvals of {what} (hash {now.hash[:12]}): " + "; ".join(missing)
                        + ". Review it, then run `handover approve SPEC --as NAME --role ROLE`", matching)
    names = ", ".join(f"{a.approver} ({a.role}, {a.time})" for a in matching)
    return Decision(True, f"approved by {names}", matching)


def require(con: duckdb.DuckDBPyConnection, spec: MigrationSpec, entity: str) -> Decision:
    """For a production target: raise ApprovalError unless `entity`'s mapped data is approved by every required role.
    Other targets need no approval (the decision says so)."""
    if not spec.target.production:
        return Decision(True, "not a production target: no approval needed")
    decision = decide(spec, fingerprint(con, spec), load_approvals(spec), [entity])
    if not decision.approved:
        raise ApprovalError(f"{entity}: {decision.message}")
    return decision


def mirror(con: duckdb.DuckDBPyConnection, spec: MigrationSpec, now: Fingerprint) -> None:
    """Copy the approvals into `ledger.approvals` for the report, each marked whether it approves today's data."""
    rows = [{"approved_at": a.time, "approver": a.approver, "role": a.role, "data_hash": a.hash, "note": a.note, "actor": a.actor,
             "counts": ", ".join(f"{e} {n}" for e, n in a.counts.items()), "matches_current": a.hash == now.hash}
            for a in load_approvals(spec)]
    frame = ledger_frame("approvals", rows)
    frame["approved_at"] = pd.to_datetime(frame["approved_at"], utc=True)
    ensure_ledger(con)
    con.execute("DELETE FROM ledger.approvals")
    append_ledger_rows(con, "approvals", frame)
