"""Checks of a spec against what can be known before any data moves: its exclusion conditions against the
export's columns, its owner references against the owners the export holds, and where the target and the
work folder would be written. Each returns every problem it finds (YAML path and line first), never the
first only: `handover validate` reports them all at once and `handover run` refuses to start on any."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from handover.mapping import OwnerDirectory
from handover.naming import column_key
from handover.spec import DuckDBTarget, FilesTarget, MigrationSpec, where_in_spec


def exclusion_problems(spec: MigrationSpec, headers: Mapping[str, Sequence[str]]) -> list[str]:
    """Each `exclude.when` compiled by DuckDB against the entity's raw columns (all text, as raw holds them):
    SQL that does not parse, or names a column the export lacks, is found here rather than mid-run."""
    problems = []
    for name, entity in spec.entities.items():
        if not entity.exclude or name not in headers:
            continue
        columns = list(dict.fromkeys(column_key(h) for h in headers[name]))
        con = duckdb.connect()
        try:
            con.execute("CREATE TABLE src (" + ", ".join(f'"{c}" VARCHAR' for c in columns) + ")")
            for i, rule in enumerate(entity.exclude):
                try:
                    con.execute(f"SELECT * FROM src WHERE ({rule.when}) LIMIT 0")
                except duckdb.Error as exc:
                    where = where_in_spec(spec, ("entities", name, "exclude", i, "when"))
                    problems.append(f"{where}: cannot evaluate {rule.when!r}: {str(exc).splitlines()[0]}; columns: {', '.join(columns)}")
        finally:
            con.close()
    return problems


def successor_cycles(spec: MigrationSpec) -> list[str]:
    """Successors that lead back to where they started (U1 -> U2 -> U1): no one would receive the records."""
    successors = spec.owners.departed.successor_of
    problems, reported = [], set()
    for start in successors:
        chain = [start]
        while chain[-1] in successors and successors[chain[-1]] not in chain:
            chain.append(successors[chain[-1]])
        if chain[-1] in successors and successors[chain[-1]] in chain and start not in reported:
            loop = chain[chain.index(successors[chain[-1]]):]
            reported.update(loop)
            shown = " -> ".join(loop + [loop[0]])
            problems.append(f"{where_in_spec(spec, ('owners', 'departed', 'successor_of', start))}: successors go round in a "
                            f"circle ({shown}); name an owner who stays")
    return problems


def owner_problems(spec: MigrationSpec, directory: OwnerDirectory) -> list[str]:
    """The fallback and every successor are migrated owners who are still active; a successor who departed
    himself is reported with where his own successors lead, so the spec can name the owner who stays."""
    departed = spec.owners.departed
    successors = departed.successor_of
    problems = []

    def problem(owner_id: str, loc: tuple, role: str) -> str | None:
        golden = directory.external_id.get(owner_id)
        if golden is None:
            known = sorted(map(str, directory.source_of.values()))
            return (f"{where_in_spec(spec, loc)}: {role} {owner_id!r} is not among the migrated owners"
                    + (f" ({len(known)} owners, e.g. {', '.join(known[:5])})" if known else " (the export holds no owners)"))
        if directory.active.get(golden, False):
            return None
        chain, seen = [owner_id], {owner_id}
        while chain[-1] in successors and successors[chain[-1]] not in seen:
            chain.append(successors[chain[-1]])
            seen.add(chain[-1])
        end = chain[-1]
        end_golden = directory.external_id.get(end)
        hint = ""
        if len(chain) > 1 and end_golden is not None and directory.active.get(end_golden, False):
            hint = f"; his records go on to {' -> '.join(chain[1:])}: write {end!r} here"
        return f"{where_in_spec(spec, loc)}: {role} {owner_id!r} has departed himself; records cannot go to a departed owner{hint}"

    if departed.policy == "keep":
        return []
    if departed.fallback:
        found = problem(departed.fallback, ("owners", "departed", "fallback"), "fallback owner")
        problems += [found] if found else []
    if departed.policy == "successor":
        for old, new in successors.items():
            found = problem(new, ("owners", "departed", "successor_of", old), f"successor of {old}:")
            problems += [found] if found else []
    return problems


def _first_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _writable_problem(path: Path, what: str, want_dir: bool, where: str) -> str | None:
    """Why `path` cannot be written as a file (or a folder, `want_dir`), without creating anything."""
    if path.exists():
        if want_dir and not path.is_dir():
            return f"{where}: {what} {path} is a file; it must be a folder"
        if not want_dir and path.is_dir():
            return f"{where}: {what} {path} is a folder; name a file inside it, e.g. {path / 'newcrm.duckdb'}"
        folder = path if path.is_dir() else path.parent
        if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
            return f"{where}: {what} {path} is not writable by this user; fix its permissions or choose another path"
        return None
    existing = _first_existing(path.parent)
    if not existing.is_dir():
        return f"{where}: {what} {path} lies under {existing}, which is a file, not a folder; choose another path"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{where}: cannot create {what} {path}: {existing} is not writable by this user (or is on a read-only disk)"
    return None


def location_problems(spec: MigrationSpec) -> list[str]:
    """The target file or folder and the work folder can be created and written, and are of the right kind."""
    problems = []
    target = spec.target_path
    if target is not None and isinstance(spec.target, (DuckDBTarget, FilesTarget)):
        found = _writable_problem(target, "target", isinstance(spec.target, FilesTarget), where_in_spec(spec, ("target", "path")))
        problems += [found] if found else []
    loc = ("work",) if spec.work else ("migration",)
    found = _writable_problem(spec.work_dir, "work folder", True, where_in_spec(spec, loc))
    problems += [found] if found else []
    return problems
