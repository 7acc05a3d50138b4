"""`handover validate` runs every check that needs no data moved and reports every problem at once; `handover run`
refuses to start on the same problems, so nothing reaches the target. Environment mistakes (a path under a file,
a read-only or full disk, a missing package, a missing variable) are one sentence, exit 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, write_spec

HANDOVER = [sys.executable, "-m", "app"]


def handover(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "COLUMNS": "200", "HANDOVER_EPHEMERAL_INSTANCE": "1", **(env or {})}
    full.pop("DAGSTER_HOME", None)
    return subprocess.run([*HANDOVER, *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=600)


def _edit(spec: Path, change) -> Path:
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    change(data)
    spec.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return spec


def _spec_line(spec: Path, text: str) -> int:
    return next(i for i, line in enumerate(spec.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def test_duplicate_key_is_refused_by_validate_and_run(tmp_path: Path, small_export: Path) -> None:
    spec = write_spec(tmp_path, small_export)
    text = spec.read_text(encoding="utf-8").replace("      email: email\n", "      email: email\n      email: phone\n", 2)
    spec.write_text(text, encoding="utf-8")
    first = _spec_line(spec, "email: email")
    for command in ("validate", "run"):
        result = handover(command, str(spec))
        assert result.returncode == 2, result.stderr
        assert f"key 'email' is written twice in one mapping (lines {first} and {first + 1})" in result.stderr
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "work").exists()


def test_validate_reports_every_mistake_at_once_and_run_writes_nothing(tmp_path: Path, small_export: Path) -> None:
    (tmp_path / "newcrm.duckdb").mkdir()  # the target path is a folder

    def mistakes(data: dict) -> None:
        data["target"]["path"] = str(tmp_path / "newcrm.duckdb")
        data["owners"]["departed"]["fallback"] = "U999"  # not an owner
        data["owners"]["departed"]["successor_of"] = {"U008": "U013", "U013": "U003", "U019": "U002"}  # U013 departed too
        data["entities"]["contact"]["exclude"] = [
            {"when": "title = 'Test' AND", "reason": "not SQL"},
            {"when": "lower(segment) = 'internal'", "reason": "no such column"},
        ]
    spec = _edit(write_spec(tmp_path, small_export), mistakes)
    result = handover("validate", str(spec))
    assert result.returncode == 2, result.stdout + result.stderr
    err = result.stderr
    assert "problems to fix before anything runs" in err and "Traceback" not in err
    assert f"{spec}:{_spec_line(spec, 'path: ' + str(tmp_path / 'newcrm.duckdb'))}: target.path: target" in err and "is a folder" in err
    assert "owners.departed.fallback: fallback owner 'U999' is not among the migrated owners" in err
    assert "owners.departed.successor_of.U008: successor of U008: 'U013' has departed himself" in err
    assert "his records go on to U003: write 'U003' here" in err
    assert "entities.contact.exclude.0.when: cannot evaluate \"title = 'Test' AND\"" in err
    assert "entities.contact.exclude.1.when: cannot evaluate" in err and "segment" in err
    # It still says how each file is read, and which gates the run applies.
    assert "reads   account: accounts.csv: encoding gb18030" in result.stdout
    assert "gate    cleaned contact:" in result.stdout
    run = handover("run", str(spec))
    assert run.returncode == 2 and "owners.departed.fallback" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "work").exists() and not any((tmp_path / "newcrm.duckdb").iterdir())


def test_successors_in_a_circle_on_another_crms_export(tmp_path: Path) -> None:
    """The other CRM's export (UTF-8 BOM users with spaces in headers, UTF-16 accounts): a circle of successors
    and an exclusion over a column it lacks are found by validate."""
    from sampledata.other_crm import generate_export

    export = tmp_path / "export"
    generate_export(export, scale=0.05, seed=5)
    users = (export / "Users.csv").read_text(encoding="utf-8-sig").splitlines()
    ids = [line.split(",")[0] for line in users[1:4]]
    spec = tmp_path / "other.yaml"
    spec.write_text(yaml.safe_dump({
        "migration": "other", "source": {"path": str(export), "system": "zoho"},
        "target": {"path": str(tmp_path / "t" / "crm.duckdb")}, "work": str(tmp_path / "w"),
        "owners": {"match_by": "id", "departed": {"policy": "successor", "fallback": ids[0],
                                                   "successor_of": {ids[1]: ids[2], ids[2]: ids[1]}}},
        "entities": {
            "owner": {"from": "Users.csv", "id": "User ID", "fields": {"name": "Full Name", "email": "Email", "active": "Status"}},
            "account": {"from": "Accounts.txt", "id": "Account ID", "fields": {"name": "Account Name"},
                        "exclude": [{"when": "\"Account Tier\" = 'test'", "reason": "test accounts"}]},
        },
    }, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = handover("validate", str(spec))
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"successors go round in a circle ({ids[1]} -> {ids[2]} -> {ids[1]})" in result.stderr
    assert "entities.account.exclude.0.when: cannot evaluate" in result.stderr and "\"Account Tier\" not found" in result.stderr
    assert "reads   account: Accounts.txt: encoding utf-16" in result.stdout


def test_valid_spec_validates_and_lists_its_gates(tmp_path: Path, small_export: Path) -> None:
    spec = write_spec(tmp_path, small_export)
    result = handover("validate", str(spec))
    assert result.returncode == 0, result.stderr
    assert "valid; 5 entities" in result.stdout
    gates = [line for line in result.stdout.splitlines() if line.startswith("gate ")]
    assert len(gates) == 15  # raw, cleaned and mapped for each of five entities
    assert not (tmp_path / "work").exists()


def test_target_under_a_file_and_missing_variable(tmp_path: Path, small_export: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    spec = _edit(write_spec(tmp_path, small_export), lambda d: d["target"].update(path=str(blocker / "crm" / "new.duckdb")))
    result = handover("run", str(spec))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"lies under {blocker}, which is a file, not a folder" in result.stderr
    spec = _edit(spec, lambda d: d.update(target={"type": "postgres", "url": "${HANDOVER_TEST_UNSET_URL}"}))
    result = handover("validate", str(spec), env={"HANDOVER_TEST_UNSET_URL": ""})
    assert result.returncode == 2 and "environment variable HANDOVER_TEST_UNSET_URL is not set" in result.stderr


def test_missing_python_package_is_one_sentence(tmp_path: Path, small_export: Path) -> None:
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "duckdb.py").write_text("raise ModuleNotFoundError(\"No module named 'duckdb'\", name='duckdb')\n")
    spec = write_spec(tmp_path, small_export)
    result = handover("run", str(spec), env={"PYTHONPATH": f"{shadow}{os.pathsep}{ROOT}"})
    assert result.returncode == 2, result.stderr
    assert "a Python package Handover needs is missing: duckdb" in result.stderr and "Traceback" not in result.stderr


def _mount_tmpfs(folder: Path, options: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True)
    return done.returncode == 0


def test_read_only_work_folder_is_refused_before_anything_runs(tmp_path: Path, small_export: Path) -> None:
    disk = tmp_path / "ro"
    if not _mount_tmpfs(disk, "ro,size=1m"):
        pytest.skip("cannot mount a tmpfs here (needs root in a container that allows mounts)")
    try:
        spec = write_spec(tmp_path, small_export, work=str(disk / "work"))
        result = handover("validate", str(spec))
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert f"cannot create work folder {disk / 'work'}: {disk} is not writable by this user (or is on a read-only disk)" in result.stderr
    finally:
        subprocess.run(["umount", str(disk)], check=False)



@pytest.mark.timeout(1200)
def test_full_disk_is_one_sentence_and_a_run_after_freeing_space_completes(tmp_path: Path, small_export: Path) -> None:
    disk = tmp_path / "small"
    if not _mount_tmpfs(disk, "size=3m"):
        pytest.skip("cannot mount a tmpfs here (needs root in a container that allows mounts)")
    try:
        spec = write_spec(tmp_path, small_export, work=str(disk / "work"))

        def on_the_small_disk(data: dict) -> None:
            data["target"]["path"] = str(disk / "work" / "newcrm.duckdb")
            data["entities"] = {name: data["entities"][name] for name in ("owner", "account", "contact")}  # fewer steps
        _edit(spec, on_the_small_disk)
        full = handover("run", str(spec), "--quiet")
        assert full.returncode == 2, full.stdout + full.stderr
        said = full.stdout + full.stderr
        assert "no space left on the disk" in said and "Traceback" not in said
        assert "`handover run` again completes the migration" in said
        assert len(said.splitlines()) < 40  # one message, not four tracebacks
        subprocess.run(["mount", "-o", "remount,size=256m", str(disk)], check=True)
        again = handover("run", str(spec), "--quiet")
        assert again.returncode == 0, again.stdout + again.stderr
        assert "every extracted row accounted for" in again.stdout and "UNBALANCED" not in again.stdout
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_staging_held_open_by_another_program_is_named_with_its_process(tmp_path: Path, small_export: Path) -> None:
    spec = write_spec(tmp_path, small_export)
    staging = tmp_path / "work" / "staging.duckdb"
    staging.parent.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", f"import duckdb, time; c = duckdb.connect({str(staging)!r}); print('open', flush=True); time.sleep(300)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = handover("run", str(spec), "--quiet")
    finally:
        holder.kill()
        holder.wait()
    said = result.stdout + result.stderr
    assert result.returncode == 2, said
    assert f"{staging} is held open by process {holder.pid} (a DuckDB file allows one writer)" in said
    assert "Traceback" not in said and "IOException" not in said


def test_from_a_stage_needs_the_stages_before_it(tmp_path: Path, small_export: Path) -> None:
    spec = write_spec(tmp_path, small_export)
    result = handover("run", str(spec), "--from", "loaded")
    assert result.returncode == 2, result.stderr
    assert "--from loaded reuses the mapped stage" in result.stderr and "run the migration without --from first" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "work" / "newcrm.duckdb").exists()
    backwards = handover("run", str(spec), "--from", "mapped", "--until", "cleaned")
    assert backwards.returncode == 2 and "--from mapped comes after --until cleaned" in backwards.stderr, backwards.stderr
