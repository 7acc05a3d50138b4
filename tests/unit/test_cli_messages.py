"""What the CLI says when something goes wrong: the real message of a failed step (never a caret), and the
environment's errors (disk full, permissions, locks, missing packages) as one sentence naming the path."""

from __future__ import annotations

import errno
from types import SimpleNamespace

from dagster._utils.error import SerializableErrorInfo

from app.errors import environment_message, explain
from app.outcome import step_failure


def _failure(*chain: tuple[str, str]) -> SimpleNamespace:
    """A step-failure event whose error has these (class, message) pairs, outermost first."""
    error = None
    for cls_name, message in reversed(chain):
        error = SerializableErrorInfo(message=message, stack=[], cls_name=cls_name, cause=error)
    return SimpleNamespace(step_key="demo__reconciled__account", event_specific_data=SimpleNamespace(error=error))


def test_duckdb_conversion_error_is_told_whole_not_as_its_caret() -> None:
    failure = step_failure(_failure(
        ("DagsterExecutionStepExecutionError", "Error occurred while executing op \"demo__reconciled__account\":\n"),
        ("ConversionException", "duckdb.duckdb.ConversionException: Conversion Error: Could not convert string 'ACME-7' to INT32\n"
                                 "LINE 1: SELECT CAST(id AS INTEGER) FROM t\n                    ^\n"),
    ))
    assert "Could not convert string 'ACME-7' to INT32" in failure.message
    assert failure.message.strip() != "^" and "LINE 1" not in failure.message
    assert failure.step == "demo__reconciled__account" and not failure.user_error


def test_a_spec_error_inside_a_step_is_the_message_and_a_user_error() -> None:
    failure = step_failure(_failure(
        ("DagsterExecutionStepExecutionError", "Error occurred while executing op"),
        ("SpecError", "handover.spec.SpecError: spec.yaml:31: owners.departed.fallback: owner 'U999' is not among the migrated owners\n"),
    ))
    assert failure.user_error
    assert failure.message == "spec.yaml:31: owners.departed.fallback: owner 'U999' is not among the migrated owners"


def test_disk_full_inside_a_step_is_one_sentence_with_the_path() -> None:
    failure = step_failure(_failure(
        ("DagsterExecutionStepExecutionError", "Error occurred while executing op"),
        ("PipelineStepFailed", "Pipeline execution failed at stage extract"),
        ("OSError", "OSError: [Errno 28] No space left on device: '/w/work/.dlt/pipelines/x/load/new/1.parquet'\n"),
    ))
    assert failure.user_error
    assert failure.message.startswith("/w/work/.dlt/pipelines/x/load/new/1.parquet: no space left on the disk")
    assert "`handover run` again completes the migration" in failure.message


def test_environment_messages() -> None:
    assert "permission denied" in explain(PermissionError(errno.EACCES, "Permission denied", "/srv/crm.duckdb"))
    assert explain(OSError(errno.EROFS, "Read-only file system", "/mnt/ro/w")).startswith("/mnt/ro/w: the disk is read-only")
    assert "is a file, not a folder" in explain(NotADirectoryError(errno.ENOTDIR, "Not a directory", "/etc/hosts/w"))
    locked = environment_message("IOException", 'IO Error: Could not set lock on file "/w/staging.duckdb": Conflicting lock is '
                                 "held in /usr/bin/python3.11 (PID 4242) by user root.")
    assert locked.startswith("/w/staging.duckdb is held open by process 4242")
    missing = explain(ModuleNotFoundError("No module named 'splink.internals'", name="splink.internals"))
    assert "package Handover needs is missing: splink" in missing
    wrapped = RuntimeError("load failed")
    wrapped.__cause__ = OSError(errno.ENOSPC, "No space left on device", "/w/staging.duckdb.wal")
    assert explain(wrapped).startswith("/w/staging.duckdb.wal: no space left")
    assert explain(ValueError("a bug")) is None
