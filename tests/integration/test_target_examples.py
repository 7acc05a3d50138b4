"""The example specs for the PostgreSQL and files targets load, build Definitions without their secrets being set,
and open the target their spec names."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from assets.resources import migration_resources, target_key
from connectors.targets import open_target
from connectors.targets.files_crm import FilesCRM
from handover.spec import SpecError, load_spec
from pipelines.definitions import build_definitions
from tests.conftest import ROOT

EXAMPLES = sorted((ROOT / "pipelines" / "examples").glob("*.yaml"))


def test_there_is_an_example_per_new_target() -> None:
    assert {load_spec(p).target.type for p in EXAMPLES} >= {"postgres", "files"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_builds_definitions_without_its_secrets(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HANDOVER_PG_URL", raising=False)
    spec = load_spec(path)
    keys = set(build_definitions([spec]).resolve_asset_graph().get_all_asset_keys())
    assert {dg.AssetKey([spec.migration, "loaded", e]) for e in spec.ordered_entities()} <= keys
    connection = migration_resources(spec)[target_key(spec)]
    if spec.target.type == "postgres":
        assert "HANDOVER_PG_URL" in repr(connection.url) and "postgresql://" not in repr(connection.url)


def test_open_target_picks_the_adapter_and_needs_the_url_only_for_a_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = load_spec(next(p for p in EXAMPLES if "files" in p.stem))
    target = open_target(files.model_copy(update={"target": files.target.model_copy(update={"path": str(tmp_path / "out")})}))
    assert isinstance(target, FilesCRM) and target.template == "hubspot" and (tmp_path / "out").is_dir()
    monkeypatch.delenv("HANDOVER_PG_URL", raising=False)
    with pytest.raises(SpecError, match="HANDOVER_PG_URL is not set"):
        open_target(load_spec(next(p for p in EXAMPLES if "postgres" in p.stem)))
