"""Spec kinds for the SaaS CRMs: hubspot and salesforce sources and targets, their URLs only from the environment,
an object name (not a table) as each entity's `from`, and the errors naming the YAML line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from handover.spec import SpecError, load_spec

BASE = {
    "migration": "sf_to_hs",
    "source": {"type": "salesforce", "url": "${SF_URL}"},
    "target": {"type": "hubspot", "url": "${HS_URL}", "objects": {"activity": "tasks"}},
    "entities": {"contact": {"from": "Contact", "id": "Id", "fields": {"last_name": {"from": "LastName", "target": "lastname"}}}},
}


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_api_kinds_load_with_references_to_the_environment(tmp_path: Path) -> None:
    spec = load_spec(write(tmp_path, BASE))
    assert spec.source.type == "salesforce" and spec.source.url.env == "SF_URL" and spec.source.version == "59.0"
    assert spec.target.type == "hubspot" and spec.target.id_property == "handover_external_id" and spec.target.objects == {"activity": "tasks"}
    assert spec.source_label == "${SF_URL}" and spec.target_label == "${HS_URL}" and spec.target_path is None


def test_a_token_written_in_the_spec_is_refused(tmp_path: Path) -> None:
    data = {**BASE, "target": {"type": "hubspot", "url": "https://:pat-na1-secret@api.hubapi.com"}}
    with pytest.raises(SpecError) as refused:
        load_spec(write(tmp_path, data))
    assert "environment variable" in str(refused.value) and "spec.yaml:" in str(refused.value)
    assert "pat-na1-secret" not in str(refused.value)


def test_an_api_source_reads_objects_not_tables(tmp_path: Path) -> None:
    data = yaml.safe_load(yaml.safe_dump(BASE))
    data["entities"]["contact"]["from"] = {"table": "Contact", "modified": "SystemModstamp"}
    with pytest.raises(SpecError, match="a salesforce source reads an object"):
        load_spec(write(tmp_path, data))


def test_unknown_target_keys_are_named_with_the_valid_ones(tmp_path: Path) -> None:
    data = {**BASE, "target": {"type": "salesforce", "url": "${SF_B}", "bulk_abov": 10}}
    with pytest.raises(SpecError) as refused:
        load_spec(write(tmp_path, data))
    assert "target.bulk_abov: unknown key" in str(refused.value) and "bulk_above" in str(refused.value)
