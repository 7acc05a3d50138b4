"""Approvals bound to the data: the hash follows every change, roles are counted, a refusal says what changed,
and a production target's loaded stage refuses data nobody approved (through Dagster, as in the UI)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest

from app.cli import main
from handover import audit
from handover.approval import ApprovalError, decide, fingerprint, load_approvals, record_approval, require
from handover.staging import replace_table
from tests.trust_support import FIRST, SECOND, mapped, make_spec

ROLES = {"approvals": {"required": ["data_owner", "sales_ops"]}}


def stage(spec, data: dict) -> None:
    spec.staging_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(spec.staging_path))
    try:
        for entity, rows in data.items():
            replace_table(con, "mapped", entity, mapped(spec, entity, rows))
    finally:
        con.close()


def current(spec):
    con = duckdb.connect(str(spec.staging_path))
    try:
        return fingerprint(con, spec)
    finally:
        con.close()


def test_the_hash_follows_every_change(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    stage(spec, FIRST)
    first = current(spec)
    stage(spec, FIRST)
    assert current(spec) == first  # the same data, the same hash
    changed = {**FIRST, "contact": [{**FIRST["contact"][0], "notes": "met at fair\nprefers phone"}, FIRST["contact"][1]]}
    stage(spec, changed)
    second = current(spec)
    assert second.hash != first.hash and second.counts == first.counts
    assert second.entities["contact"] != first.entities["contact"] and second.entities["account"] == first.entities["account"]


def test_each_required_role_must_approve_this_very_data(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, target={"type": "duckdb", "path": "work/crm.duckdb", "production": True}, **ROLES)
    stage(spec, FIRST)
    now = current(spec)
    refused = decide(spec, now, [])
    assert not refused.approved and "no approval by role data_owner; no approval by role sales_ops" in refused.message

    with pytest.raises(ApprovalError, match="role 'cfo' is not one the spec requires: approvals.required lists data_owner, sales_ops"):
        record_approval(spec, now, "Ana", "cfo", "", "ana")
    record_approval(spec, now, "Ana", "data_owner", "checked owners", "ana")
    half = decide(spec, now, load_approvals(spec))
    assert not half.approved and "sales_ops" in half.message and "data_owner" not in half.message
    record_approval(spec, now, "Bo", "sales_ops", "", "bo")
    assert decide(spec, now, load_approvals(spec)).approved

    stage(spec, SECOND)  # the data changed after the approvals
    con = duckdb.connect(str(spec.staging_path))
    try:
        with pytest.raises(ApprovalError) as refusal:
            require(con, spec, "account")
    finally:
        con.close()
    message = str(refusal.value)
    assert "the last approval by role data_owner (Ana," in message and "account 2 -> 3 (+1)" in message


def test_a_target_that_is_not_production_needs_no_approval(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    stage(spec, FIRST)
    con = duckdb.connect(str(spec.staging_path))
    try:
        assert require(con, spec, "account").approved
    finally:
        con.close()


def test_cli_approve_and_the_loaded_stage_refuses_other_data(tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    from assets import loaded
    from assets.resources import migration_resources

    monkeypatch.setenv("HANDOVER_ACTOR", "reviewer")
    spec = make_spec(tmp_path, target={"type": "duckdb", "path": "work/crm.duckdb", "production": True})
    spec_file = str(tmp_path / "spec.yaml")
    assert main(["approve", spec_file, "--as", "Ana"]) == 2  # no mapped data yet
    assert "no staging database" in capsys.readouterr().err

    stage(spec, {"owner": FIRST["owner"]})
    owner_loaded = loaded.build(spec)[0]
    result = dg.materialize([owner_loaded], resources=migration_resources(spec), raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure).event_specific_data.error.message
    assert "ApprovalError: owner: the production target needs approvals" in failure and "no approval by anyone" in failure

    assert main(["approve", spec_file, "--as", "Ana", "--note", "owners reviewed"]) == 0
    assert "the load may proceed" in capsys.readouterr().out
    result = dg.materialize([owner_loaded], resources=migration_resources(spec))
    metadata = result.asset_materializations_for_node(owner_loaded.node_def.name)[0].metadata
    assert metadata["created"].value == 2 and "approved by Ana (approver" in metadata["approval"].value

    stage(spec, {"owner": SECOND["owner"]})  # another dataset: the approval does not carry over
    result = dg.materialize([owner_loaded], resources=migration_resources(spec), raise_on_error=False)
    failure = next(e for e in result.all_events if e.is_step_failure).event_specific_data.error.message
    assert "the last approval by anyone (Ana," in failure and "owner 2 -> 3 (+1)" in failure
    actions = [(e["action"], e["object"]) for e in audit.entries(spec.work_dir)]
    assert actions == [("load", "owner"), ("approval", "trust"), ("load", "owner"), ("load", "owner")]
    assert audit.verify(spec.work_dir) == (4, [])


def test_the_approval_gate_is_a_blocking_check_on_mapped(tmp_path: Path) -> None:
    from assets import approval
    from assets.common import key
    from assets.resources import migration_resources

    assert approval.build(make_spec(tmp_path)) == []  # no gate where the target is not production
    spec = make_spec(tmp_path, target={"type": "duckdb", "path": "work/crm.duckdb", "production": True}, **ROLES)
    stage(spec, FIRST)
    checks = approval.build(spec)
    assert [next(iter(c.check_specs)).blocking for c in checks] == [True, True, True]

    def evaluate() -> dg.AssetCheckEvaluation:
        result = dg.materialize([dg.AssetSpec(key(spec, "mapped", "account")), *checks], resources=migration_resources(spec),
                                selection=dg.AssetSelection.checks(*[k for c in checks for k in c.check_keys if k.asset_key.path[-1] == "account"]),
                                raise_on_error=False)
        return result.get_asset_check_evaluations()[0]

    refused = evaluate()
    assert not refused.passed and "no approval by role data_owner" in refused.description
    now = current(spec)
    record_approval(spec, now, "Ana", "data_owner", "", "ana")
    record_approval(spec, now, "Bo", "sales_ops", "", "bo")
    passed = evaluate()
    assert passed.passed and [a["approver"] for a in passed.metadata["approvals"].value] == ["Ana", "Bo"]
