"""Every check that can run before data moves, collected rather than stopping at the first: `handover validate`
prints them all, `handover run` refuses to start on any (so nothing is written to the target by a run that a
spec mistake would stop half-way)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.errors import UserError, explain
from handover.spec import FilesSource, MigrationSpec, SpecError, resolve_url, source_columns, where_in_spec


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    reading: list[str] = field(default_factory=list)  # how each stream is read (encoding, worksheet, table)
    gates: list[str] = field(default_factory=list)  # the gates a run applies, one line each

    def raise_if_any(self) -> None:
        if self.problems:
            count = len(self.problems)
            raise UserError(f"{count} problem{'s' if count > 1 else ''} to fix before anything runs:\n  " + "\n  ".join(self.problems))


def connection_urls(spec: MigrationSpec, problems: list[str]) -> tuple[str | None, str | None]:
    """The source's and the target's URLs, resolved from the environment now, so a missing variable stops here."""
    urls: list[str | None] = []
    for part, loc in ((spec.source, "source"), (spec.target, "target")):
        url = getattr(part, "url", None)
        try:
            urls.append(resolve_url(url) if url is not None else None)
        except SpecError as exc:
            problems.append(f"{where_in_spec(spec, (loc, 'url'))}: {exc}")
            urls.append(None)
    return urls[0], urls[1]


def run_checks(spec: MigrationSpec, *, describe: bool = False) -> CheckReport:
    """Every problem found before data moves. `describe`: also say how each stream is read and which gates run."""
    from connectors.sources import open_source
    from handover.gates_plan import check_gates, plan_gates
    from handover.spec_checks import exclusion_problems, location_problems, owner_problems, successor_cycles

    report = CheckReport()
    problems = report.problems
    source_url, target_url = connection_urls(spec, problems)
    problems += location_problems(spec)
    problems += successor_cycles(spec)
    has_url = getattr(spec.source, "url", None) is None or source_url is not None
    source = open_source(spec, source_url) if has_url else None
    headers: dict[str, list[str]] = {}
    before = len(problems)
    source_ok = source is not None and _source_problems(spec, source, problems)
    if source_ok:
        try:
            headers = source.discover()
        except Exception as exc:  # noqa: BLE001 - a source that cannot be read is reported, not raised
            if len(problems) == before:
                problems.append(f"{_source_loc(spec)}: {explain(exc) or exc}")
            source_ok = False
    if source_ok:
        problems += exclusion_problems(spec, headers)
        if "owner" in spec.entities and spec.owners.departed.policy != "keep":
            problems += _owner_problems(spec, source, owner_problems)
        if describe:
            report.reading = source.describe()
    problems += _target_server_problems(spec, target_url)
    problems += check_gates(spec, headers or None)
    if describe:
        try:
            report.gates = [_gate_line(gate) for gate in plan_gates(spec)]
        except Exception:  # noqa: BLE001 - a suite that cannot be read is already among the problems
            report.gates = []
    return report


def preflight(spec: MigrationSpec) -> None:
    run_checks(spec).raise_if_any()


def _source_loc(spec: MigrationSpec) -> str:
    return where_in_spec(spec, ("source", "path") if isinstance(spec.source, FilesSource) else ("source", "url"))


def _source_problems(spec: MigrationSpec, source, problems: list[str]) -> bool:
    """The source is there and has every column the spec names; False when it cannot be read at all."""
    for problem in source.check():
        if problem.stream is None:
            hint = (f"; generate the demo export with `handover demo-data {spec.source_dir}`"
                    if spec.migration == "demo" and isinstance(spec.source, FilesSource) else "")
            problems.append(f"{_source_loc(spec)}: {problem.message}{hint}")
            return False
        columns = source_columns(spec.entities[problem.stream], problem.stream) if problem.stream in spec.entities else {}
        locs = [loc for loc, column in columns.items() if column == problem.column] or [("entities", problem.stream, "from")]
        problems += [f"{where_in_spec(spec, loc)}: {problem.message}" for loc in locs]
    return True


def _owner_problems(spec: MigrationSpec, source, check) -> list[str]:
    """Owner references checked against the owners the export holds, cleaned as the run would clean them."""
    import pyarrow as pa

    from handover.cleaning.stage import clean_entity
    from handover.mapping import OwnerDirectory

    try:
        tables = [t for t in source.dlt_source().with_resources("owner").resources["owner"] if isinstance(t, pa.Table)]
        raw = pa.concat_tables(tables).to_pandas() if tables else None
        if raw is None:
            return []
        cleaned = clean_entity(raw, "owner", spec)
    except SpecError as exc:
        return [str(exc)]
    except Exception as exc:  # noqa: BLE001 - the source check above names unreadable files; this one must not mask them
        message = explain(exc)
        return [f"{_source_loc(spec)}: {message}"] if message else []
    return check(spec, OwnerDirectory.from_cleaned(cleaned.records, cleaned.lineage))


def _target_server_problems(spec: MigrationSpec, url: str | None) -> list[str]:
    """A target reached over a URL answers and accepts the credentials (files and DuckDB targets need nothing)."""
    from connectors.targets import open_target
    from handover.ports import TargetError

    if url is None:
        return []
    try:
        open_target(spec, url).close()
    except TargetError as exc:
        if not exc.user_error:
            raise
        return [f"{where_in_spec(spec, ('target', 'url'))}: {exc}"]
    return []


def _gate_line(gate) -> str:
    return gate.summary
