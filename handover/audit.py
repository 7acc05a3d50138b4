"""The audit log: append-only and hash-chained, one JSON object per line.

Each entry holds its sequence number, time, actor, action, object, the details, a hash of the details and the
previous entry's hash; its own hash covers all of that. Editing an entry breaks its hash, deleting or inserting one
breaks the sequence and the chain, reordering breaks both. A small head file remembers the last sequence number and
hash, so cutting entries off the end is detected too. The actor is `HANDOVER_ACTOR`, else the OS user.

Verification hashes each line's bytes as written (no re-serialisation), so a million entries take seconds.
"""

from __future__ import annotations

import fcntl
import getpass
import hashlib
from hashlib import sha256
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

LOG = "audit.jsonl"
HEAD = "audit.head"
GENESIS = "0" * 64
_HASH_KEY = ',"hash":"'

# The actions the log knows; an entry's `action` is one of these.
ACTIONS = (
    "run_start", "run_end", "gate", "approval", "load", "undo", "restore", "backup", "rekey", "cutover",
    "ownership_transfer", "emergency_override",
)


class AuditError(Exception):
    """The audit log was tampered with or cannot be read; the message names the entry."""


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line in the log file
    seq: int | None
    message: str


def actor() -> str:
    """Who is acting: HANDOVER_ACTOR, else the OS user."""
    named = os.environ.get("HANDOVER_ACTOR", "").strip()
    if named:
        return named
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid:{os.getuid()}"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def details_hash(details: dict) -> str:
    return hashlib.sha256(_canonical(details).encode("utf-8")).hexdigest()


def _entry_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def log_path(work_dir: Path) -> Path:
    return Path(work_dir) / "audit" / LOG


def _last_line(path: Path) -> bytes | None:
    """The log's last line, read from its end (the log may be long)."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        if end == 0:
            return None
        size = min(end, 1 << 16)
        while True:
            handle.seek(end - size)
            chunk = handle.read(size).rstrip(b"\n")
            cut = chunk.rfind(b"\n")
            if cut >= 0 or size == end:
                return chunk[cut + 1:]
            size = min(end, size * 4)


def _discard_torn_tail(handle) -> int:
    """Bytes of an entry whose write never completed (a full disk, a killed process): the caller of that append got an
    error, so the entry was never made. Cut them off so the chain goes on from the last whole entry; returns how many."""
    handle.seek(0, os.SEEK_END)
    end = handle.tell()
    if end == 0:
        return 0
    size = min(end, 1 << 16)
    while True:
        handle.seek(end - size)
        chunk = handle.read(size)
        if chunk.endswith(b"\n"):
            return 0
        cut = chunk.rfind(b"\n")
        if cut >= 0 or size == end:
            keep = end - size + cut + 1
            handle.truncate(keep)
            return end - keep
        size = min(end, size * 4)


def append(work_dir: Path, action: str, obj: str, details: dict | None = None, *, who: str | None = None) -> dict:
    """Append one entry (under a file lock, so concurrent steps keep one chain); returns it."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; one of {', '.join(ACTIONS)}")
    path = log_path(work_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    details = details or {}
    with path.open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            torn = _discard_torn_tail(handle)
            if torn:
                details = {**details, "torn_entry_discarded_bytes": torn}
            last = _last_line(path)
            seq, prev = (0, GENESIS)
            if last:
                tail = json.loads(last)
                seq, prev = int(tail["seq"]), tail["hash"]
            entry = {
                "seq": seq + 1, "time": datetime.now(timezone.utc).isoformat(timespec="microseconds"), "actor": who or actor(),
                "action": action, "object": obj, "details": details, "details_hash": details_hash(details), "prev": prev,
            }
            line, digest = format_entry(entry)
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
            (path.parent / HEAD).write_text(f"{seq + 1} {digest}\n")
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    entry["hash"] = digest
    return entry


def format_entry(entry: dict) -> tuple[bytes, str]:
    """The log line of an entry and its hash. The details are written in canonical form, so their hash is the hash of
    their bytes in the line; the entry's hash covers the line up to it. Verification then needs no JSON parsing."""
    text = lambda value: json.dumps(value, ensure_ascii=False)  # noqa: E731
    body = (f'{{"seq":{int(entry["seq"])},"time":{text(entry["time"])},"actor":{text(entry["actor"])},"action":{text(entry["action"])},'
            f'"object":{text(entry["object"])},"details":{_canonical(entry["details"])},"details_hash":"{entry["details_hash"]}",'
            f'"prev":"{entry["prev"]}"}}')
    digest = _entry_hash(body.encode("utf-8"))
    return (body[:-1] + _HASH_KEY + digest + '"}\n').encode("utf-8"), digest


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            line = line.rstrip(b"\n")
            if line:
                yield number, line


_DETAILS, _DETAILS_HASH, _PREV, _HASH_BYTES = b',"details":', b',"details_hash":"', b',"prev":"', _HASH_KEY.encode()


def _check(line: bytes) -> tuple[int, bytes, bytes, str | None]:
    """(seq, prev, hash, what is wrong with the line itself or None), from the line's fixed layout."""
    cut = line.rfind(_HASH_BYTES)
    prev_at = line.rfind(_PREV, 0, cut)
    details_at, details_hash_at = line.find(_DETAILS), line.rfind(_DETAILS_HASH, 0, prev_at)
    if not line.startswith(b'{"seq":') or min(cut, prev_at, details_at, details_hash_at) < 0 or not line.endswith(b'"}'):
        raise ValueError("not an audit entry")
    seq = int(line[7:line.index(b",", 7)])
    digest = line[cut + 9:-2]
    prev = line[prev_at + 9:cut - 1]
    view = memoryview(line)
    body = sha256(view[:cut])
    body.update(b"}")
    if body.hexdigest().encode() != digest:
        return seq, prev, digest, "its hash does not match its content: the entry was edited"
    if sha256(view[details_at + 11:details_hash_at]).hexdigest().encode() != line[details_hash_at + 17:prev_at - 1]:
        return seq, prev, digest, "its details do not match their hash: the details were edited"
    return seq, prev, digest, None


def _where(number: int, line: bytes) -> str:
    try:
        entry = json.loads(line)
        return f"line {number}, entry {entry.get('seq')} ({entry.get('action')} {entry.get('object')} by {entry.get('actor')} at {entry.get('time')})"
    except ValueError:
        return f"line {number}"


def verify(work_dir: Path) -> tuple[int, list[Problem]]:
    """Check every entry; returns (entries read, problems). Each problem names the line and sequence number."""
    path = log_path(work_dir)
    if not path.exists():
        return 0, []
    problems: list[Problem] = []
    expected_seq, prev, count = 1, GENESIS.encode(), 0
    for number, line in _lines(path):
        count += 1
        try:
            seq, chained, digest, wrong = _check(line)
        except ValueError:
            problems.append(Problem(number, None, f"line {number}: not an audit entry (unreadable)"))
            continue
        if wrong:
            problems.append(Problem(number, seq, f"{_where(number, line)}: {wrong}"))
        if seq != expected_seq:
            gap = (f"entries {expected_seq}..{seq - 1} are missing before it: deleted or moved" if seq > expected_seq
                   else f"it comes after entry {expected_seq - 1}: an entry was inserted or the log reordered")
            problems.append(Problem(number, seq, f"{_where(number, line)}: out of sequence, {gap}"))
        elif chained != prev:
            problems.append(Problem(number, seq, f"{_where(number, line)}: it does not chain to the entry before it: "
                                                 "an entry was replaced, inserted or reordered"))
        expected_seq, prev = seq + 1, digest
    head = path.parent / HEAD
    if head.exists():
        parts = head.read_text().split()
        if len(parts) == 2 and (int(parts[0]) != expected_seq - 1 or parts[1] != prev.decode()):
            problems.append(Problem(count, None, f"the log ends at entry {expected_seq - 1} but {int(parts[0])} entries were written: "
                                                 "entries were deleted from its end (or the log was replaced)"))
    return count, problems


def entries(work_dir: Path) -> Iterator[dict]:
    path = log_path(work_dir)
    if not path.exists():
        return
    for number, line in _lines(path):
        try:
            yield json.loads(line)
        except ValueError:
            raise AuditError(f"{path}: line {number} is not an audit entry") from None


def export(work_dir: Path, out: Path) -> int:
    """Write the log as JSONL (one entry per line, keys sorted); returns the number of entries."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for entry in entries(work_dir):
            handle.write(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n")
            count += 1
    return count
