"""Shared fixtures: a small generated old-CRM export and specs that point at temporary folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

ROOT = Path(__file__).resolve().parent.parent
DEMO_SPEC = ROOT / "pipelines" / "demo.yaml"
SMALL_SCALE = 0.05


@pytest.fixture(scope="session")
def small_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo export at 5% scale (~500 contacts), generated once per session. Treat as read-only."""
    from sampledata.demo import generate_export

    folder = tmp_path_factory.mktemp("export") / "exports"
    generate_export(folder, scale=SMALL_SCALE, seed=7)
    return folder


def write_spec(folder: Path, export: Path, **changes) -> Path:
    """A copy of the demo spec whose source is `export` and whose work files live in `folder`.
    `changes` replace top-level keys (deep-merged one level for dicts)."""
    data = yaml.safe_load(DEMO_SPEC.read_text(encoding="utf-8"))
    data["source"]["path"] = str(export)
    data["target"]["path"] = str(folder / "work" / "newcrm.duckdb")
    data["work"] = str(folder / "work")
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def small_spec(tmp_path: Path, small_export: Path) -> Path:
    """A spec file for the small export with a fresh work folder."""
    return write_spec(tmp_path, small_export)


@pytest.fixture
def export_copy(tmp_path: Path, small_export: Path) -> Path:
    """A private, writable copy of the small export (for tests that damage files)."""
    target = tmp_path / "exports"
    shutil.copytree(small_export, target)
    return target


def require_server(name: str, reachable: bool) -> None:
    """Skip when a local server is missing, except in CI where a missing server is a failure."""
    if reachable:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is not reachable and CI=true: tests that need it must run in CI")
    pytest.skip(f"{name} is not reachable on this machine")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest files first: with one file per worker (`make test`), the crash test starts at once beside the rest
    instead of last, alone, on one core."""
    weight = {"test_crash_recovery.py": 0}
    items.sort(key=lambda item: weight.get(item.path.name, 1 if item.get_closest_marker("slow") else 2))
