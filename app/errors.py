"""Errors the user fixes, and the environment's errors (disk, permissions, locks, missing packages) told in one
sentence naming the path and what to do, never as a traceback. Both end with exit code 2."""

from __future__ import annotations

import errno
import re

RERUN = "nothing is half-written: each batch is checkpointed, so `handover run` again completes the migration once this is fixed"


class UserError(Exception):
    """A mistake the user can fix; printed without a traceback."""


_ERRNO = re.compile(r"\[Errno (\d+)\] ([^:'\"]+)(?:: '([^']*)')?")
_DUCKDB_LOCK = re.compile(r'Could not set lock on file "([^"]+)"')
_PID = re.compile(r"\(PID (\d+)\)")


def _by_errno(number: int, path: str | None, detail: str) -> str | None:
    where = f"{path}: " if path else ""
    if number == errno.ENOSPC:
        return f"{where}no space left on the disk; free some space (or set `work:` to a folder on a larger disk); {RERUN}"
    if number == errno.EDQUOT:
        return f"{where}disk quota exceeded; free some space or raise the quota; {RERUN}"
    if number == errno.EFBIG:
        return f"{where}file too large for this disk or user limit (ulimit -f); {RERUN}"
    if number == errno.EROFS:
        return f"{where}the disk is read-only; set `work:` (and the target's path) to a writable folder"
    if number in (errno.EACCES, errno.EPERM):
        return f"{where}permission denied; make it writable by this user or set `work:` / the target's path to a folder you can write"
    if number == errno.ENOTDIR:
        return f"{where}a part of this path is a file, not a folder; choose another path"
    if number == errno.EISDIR:
        return f"{where}is a folder where a file is expected; name a file inside it"
    if number == errno.ENOENT and path:
        return f"{where}does not exist ({detail})"
    return None


def environment_message(kind: str, message: str) -> str | None:
    """One clear sentence for an environment error given as (exception class name, message), or None when it
    is not one. Works on live exceptions and on the (class, message) pairs of a Dagster step failure."""
    if kind in ("ModuleNotFoundError", "ImportError"):
        module = re.search(r"No module named '([^']+)'", message)
        name = module.group(1).split(".")[0] if module else message
        return (f"a Python package Handover needs is missing: {name}; install Handover with its dependencies "
                "(`make install`, or `pip install -e .` in its virtualenv) and run again")
    lock = _DUCKDB_LOCK.search(message)
    if lock and "lock" in message:
        pid = _PID.search(message)
        holder = f" by process {pid.group(1)}" if pid else " by another process"
        return (f"{lock.group(1)} is held open{holder} (a DuckDB file allows one writer); close that program "
                "(a DuckDB shell, a notebook, another run) and run again")
    found = _ERRNO.search(message)
    if found:
        return _by_errno(int(found.group(1)), found.group(3), found.group(2).strip())
    if "no space left on device" in message.lower() or "disk full" in message.lower():
        return f"no space left on the disk; free some space (or set `work:` to a folder on a larger disk); {RERUN}"
    if "read-only" in message.lower() and ("file system" in message.lower() or "database" in message.lower()):
        return f"{message.strip().splitlines()[-1]}: set `work:` (and the target's path) to a writable folder"
    return None


def explain(exc: BaseException) -> str | None:
    """`environment_message` for a live exception, looking through its causes."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno is not None:
            found = _by_errno(exc.errno, exc.filename if isinstance(exc.filename, str) else None, exc.strerror or "")
            if found:
                return found
        found = environment_message(type(exc).__name__, str(exc))
        if found:
            return found
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None
