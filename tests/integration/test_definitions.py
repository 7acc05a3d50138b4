"""The whole Dagster Definitions: asset keys, descriptions, blocking gates, the job, and `dagster definitions validate`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import build_definitions, defs, spec_paths
from handover.spec import load_spec

ROOT = Path(__file__).resolve().parents[2]
_VENV_DAGSTER = ROOT / ".venv" / "bin" / "dagster"
DAGSTER = _VENV_DAGSTER if _VENV_DAGSTER.exists() else Path(sys.executable).parent / "dagster"
STAGES = ("raw", "backup", "cleaned", "mapped", "loaded", "reconciled")
ENTITIES = ("owner", "account", "contact", "deal", "activity")
GATED_STAGES = STAGES[1:]  # every stage from backup on has at least one blocking check


def expected_keys(migration: str) -> set[dg.AssetKey]:
    keys = {dg.AssetKey([migration, stage, entity]) for stage in STAGES for entity in ENTITIES}
    # The demo reviews probabilistic account and contact matches.
    return keys | {dg.AssetKey([migration, "reconciled", "report"]), dg.AssetKey([migration, "review", "account"]),
                   dg.AssetKey([migration, "review", "contact"])}


def blocking_checks(definitions: dg.Definitions) -> dict[dg.AssetKey, set[str]]:
    graph = definitions.resolve_asset_graph()
    found: dict[dg.AssetKey, set[str]] = {}
    for check_key in graph.asset_check_keys:
        if graph.get_check_spec(check_key).blocking:
            found.setdefault(check_key.asset_key, set()).add(check_key.name)
    return found


@pytest.fixture(scope="module", autouse=True)
def _workspace_specs() -> None:
    # `defs` is built from HANDOVER_SPECS when it is set; these tests are about the repo's own specs.
    if os.environ.get("HANDOVER_SPECS"):
        pytest.fail("HANDOVER_SPECS is set: pipelines.definitions.defs does not hold the repo's specs")


def spec_keys(spec) -> set[dg.AssetKey]:
    """The stage assets a spec's migration should have: every stage of every entity, the report, and a review
    queue per entity matched probabilistically."""
    keys = {dg.AssetKey([spec.migration, stage, entity]) for stage in STAGES for entity in spec.ordered_entities()}
    reviewed = {dg.AssetKey([spec.migration, "review", e]) for e, s in spec.entities.items() if s.dedup and s.dedup.probabilistic}
    return keys | reviewed | {dg.AssetKey([spec.migration, "reconciled", "report"])}


def test_asset_keys_are_exactly_the_stages_of_every_spec_in_pipelines() -> None:
    keys = set(defs.resolve_asset_graph().get_all_asset_keys())
    specs = [load_spec(p) for p in spec_paths()]
    assert {s.migration for s in specs} >= {"demo", "suitecrm"}  # two migrations side by side, as in the UI
    expected = set().union(*(spec_keys(s) for s in specs))
    assert spec_keys(next(s for s in specs if s.migration == "demo")) == expected_keys("demo") and len(expected_keys("demo")) == 33
    assert keys == expected, f"missing {sorted(map(str, expected - keys))}, unexpected {sorted(map(str, keys - expected))}"
    for spec in specs:
        job = defs.resolve_job_def(f"{spec.migration}_migrate")
        assert set(job.asset_layer.selected_asset_keys) == spec_keys(spec), spec.migration


def test_every_asset_has_a_description() -> None:
    graph = defs.resolve_asset_graph()
    undescribed = [k.to_user_string() for k in graph.get_all_asset_keys() if not (graph.get(k).description or "").strip()]
    assert not undescribed


@pytest.mark.parametrize("stage", GATED_STAGES)
def test_stage_assets_have_blocking_checks(stage: str) -> None:
    blocking = blocking_checks(defs)
    ungated = [e for e in ENTITIES if not blocking.get(dg.AssetKey(["demo", stage, e]))]
    assert not ungated, f"{stage} assets without a blocking check: {ungated}"


@pytest.mark.parametrize("stage", ["cleaned", "mapped"])
def test_expectation_gates_are_blocking(stage: str) -> None:
    blocking = blocking_checks(defs)
    for entity in ENTITIES:
        assert "expectations" in blocking.get(dg.AssetKey(["demo", stage, entity]), set()), (stage, entity)


def test_every_check_has_a_description() -> None:
    graph = defs.resolve_asset_graph()
    undescribed = [str(k) for k in graph.asset_check_keys if not (graph.get_check_spec(k).description or "").strip()]
    assert not undescribed


def test_migration_job_covers_every_asset_in_process() -> None:
    job = defs.resolve_job_def("demo_migrate")
    assert set(job.asset_layer.selected_asset_keys) == expected_keys("demo")
    assert job.executor_def.name == "in_process"


def test_build_definitions_for_a_spec_in_tmp(small_spec: Path, tmp_path: Path) -> None:
    spec = load_spec(small_spec)
    built = build_definitions([spec])
    graph = built.resolve_asset_graph()
    assert set(graph.get_all_asset_keys()) == expected_keys(spec.migration)
    assert set(blocking_checks(built)) >= {dg.AssetKey([spec.migration, s, e]) for s in GATED_STAGES for e in ENTITIES}
    assert built.resolve_job_def(f"{spec.migration}_migrate")
    # The staging database is the spec's own, in tmp, never the repo's .handover/.
    staging = Path(built.resources[f"{spec.migration}_staging"].database).resolve()
    assert staging.is_relative_to(tmp_path.resolve()), staging


def test_dagster_definitions_validate(tmp_path: Path) -> None:
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "HANDOVER_SPECS"}
    env.update(DAGSTER_HOME=str(home), GX_ANALYTICS_ENABLED="false", DAGSTER_DISABLE_TELEMETRY="1")
    result = subprocess.run(
        [str(DAGSTER), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "All code locations passed validation" in output, output


def test_two_migrations_side_by_side_each_readable_as_stages(small_spec: Path, tmp_path: Path) -> None:
    """The demo and a differently shaped migration (no owners, three entities, no maintainers, a schedule) in one
    Definitions: each stage its own group, tags name stage and entity, owners are the spec's maintainers, every
    asset points at its code, and each migration has its own job, sensor and alert."""
    from tests.unit.gates_support import orbit_spec

    demo = load_spec(small_spec)
    orbit = orbit_spec(tmp_path / "orbit", automation={"schedule": "0 2 * * *", "timezone": "Europe/Berlin"})
    built = build_definitions([demo, orbit])
    graph = built.resolve_asset_graph()
    keys = set(graph.get_all_asset_keys())
    assert keys == expected_keys("demo") | {dg.AssetKey(["orbit", s, e]) for s in STAGES for e in ("account", "contact", "deal")} | {
        dg.AssetKey(["orbit", "reconciled", "report"])}
    for asset_key in keys:
        node = graph.get(asset_key)
        migration, stage, name = asset_key.path
        assert node.group_name == f"{migration}_{stage}", asset_key
        assert node.tags["handover/migration"] == migration and node.tags["handover/stage"] == stage
        if name != "report":
            assert node.tags["handover/entity"] == name
        assert node.owners == (["team:crm-migration"] if migration == "demo" else []), asset_key
        assert node.kinds, asset_key
        if stage in ("raw", "cleaned", "mapped", "loaded", "reconciled") and name != "report":
            # the UI's "Storage"; unique, since Dagster links assets that share a table name
            expected_table = f"{migration}_target.{name}" if stage == "reconciled" else f"{migration}_staging.{stage}.{name}"
            assert node.metadata["dagster/table_name"] == expected_table, asset_key
        references = node.metadata["dagster/code_references"].code_references
        assert references and Path(references[0].file_path).is_relative_to(ROOT / "assets"), asset_key
    assert {graph.get(k).group_name for k in keys} == {f"{m}_{s}" for m in ("demo", "orbit") for s in STAGES} | {"demo_review"}
    for spec in (demo, orbit):
        job = built.resolve_job_def(f"{spec.migration}_migrate")
        assert set(job.asset_layer.selected_asset_keys) == {k for k in keys if k.path[0] == spec.migration}
        assert job.tags["handover/migration"] == spec.migration
        sensor = built.resolve_sensor_def(f"{spec.migration}_export_changed")
        assert sensor.job_name == job.name
        assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
        assert f"{spec.migration}_alerts" in built.resources
    schedule = built.resolve_schedule_def("orbit_schedule")
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == ("0 2 * * *", "Europe/Berlin", "orbit_migrate")
    assert [s.name for s in built.schedules] == ["orbit_schedule"]  # the demo has none
    # a failed step of any asset (not only of the job) raises the migration's own alert
    raw_contact = graph.assets_def_for_key(dg.AssetKey(["orbit", "raw", "contact"]))
    assert {h.name for h in raw_contact.hook_defs} == {"orbit_failure_alert"}
    cleaned_check = next(c for c in built.asset_checks if dg.AssetKey(["orbit", "raw", "deal"]) in {k.asset_key for k in c.check_keys})
    assert {h.name for h in cleaned_check.hook_defs} == {"orbit_failure_alert"}
