"""Generated gates let through what `handover validate` accepts (issue 16): a spec with no owner entity,
accounts without a phone field, and an entity whose export holds only its header."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from handover.gates_plan import check_gates
from handover.spec import load_spec
from tests.conftest import write_spec
from tests.integration.test_materialize import materialize, materialized_keys

pytestmark = pytest.mark.slow


def test_spec_without_owners_or_account_phones_and_an_empty_entity_passes_every_gate(tmp_path: Path, export_copy: Path) -> None:
    header = (export_copy / "activities.csv").read_bytes().splitlines(keepends=True)[0]
    (export_copy / "activities.csv").write_bytes(header)
    path = write_spec(tmp_path, export_copy)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["owners"], data["entities"]["owner"]
    for entity in data["entities"].values():
        entity.pop("owner", None)
    del data["entities"]["account"]["fields"]["phone"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    spec = load_spec(path)
    assert check_gates(spec) == []

    result = materialize(spec)

    evaluations = result.get_asset_check_evaluations()
    failed = [(e.asset_key.to_user_string(), e.metadata["summary"].value) for e in evaluations if not e.passed]
    assert failed == []
    assert result.success
    assert {f"demo/{stage}/activity" for stage in ("raw", "cleaned", "mapped", "loaded")} <= materialized_keys(result)
    assert len([e for e in evaluations if e.asset_key.path[1] in ("raw", "cleaned", "mapped")]) == 3 * 4
