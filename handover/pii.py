"""Personal data in what people read: the fields a spec lists under `pii:` are masked in reports and review exports.

A masked value keeps a stable hash of its normalised form (trimmed, lower case), so a reviewer still sees that two
values are equal without seeing either. With a key (HANDOVER_KEY) the hash is keyed, so nobody can confirm a guessed
address by hashing it; without one it is a plain SHA-256 prefix.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Collection
from typing import Any

import pandas as pd

from handover.spec import MigrationSpec

PREFIX = "pii#"


def pii_fields(spec: MigrationSpec) -> set[str]:
    """The listed fields under their target names and the source columns they come from (lower case)."""
    names = {f.lower() for f in spec.pii}
    for entity_name, entity in spec.entities.items():
        for field, field_spec in entity.field_specs(entity_name).items():
            if field.lower() in names or (field_spec.target or "").lower() in names:
                names.add(field_spec.from_.lower())
                if field_spec.target:
                    names.add(field_spec.target.lower())
    return names


def mask(value: Any, key: str | None = None) -> Any:
    """`pii#` and ten hex digits of the value's (keyed) hash; an empty value stays empty."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or (isinstance(value, str) and not value.strip()):
        return value
    text = str(value).strip().lower().encode("utf-8")
    if key:
        from handover.crypto import derive

        digest = hmac.new(derive(key, "pii"), text, hashlib.sha256).hexdigest()
    else:
        digest = hashlib.sha256(text).hexdigest()
    return PREFIX + digest[:10]


def is_pii(name: str | None, fields: Collection[str]) -> bool:
    return bool(name) and str(name).lower() in fields


def mask_frame(frame: pd.DataFrame, columns: Collection[str], key: str | None = None) -> pd.DataFrame:
    out = frame.copy()
    for column in columns:
        if column in out:
            out[column] = out[column].map(lambda v: mask(v, key)).astype(object)
    return out


def mask_report(data: dict[str, Any], spec: MigrationSpec, key: str | None = None) -> dict[str, Any]:
    """The reconciliation report's data with every value of a listed field masked (refused values, records sent,
    differences found in the target, review samples)."""
    fields = pii_fields(spec)
    if not fields:
        return data
    for block in data.get("quarantine", []):
        for row in block["rows"]:
            for problem in row["problems"]:
                if is_pii(problem["column"], fields) or is_pii(problem["field"], fields):
                    value = problem["value"]
                    problem["value"] = mask(value, key)
                    if isinstance(value, str) and value.strip() and problem.get("detail"):
                        problem["detail"] = problem["detail"].replace(value, problem["value"])
            parts = [part.split("=", 1) for part in row["record"].split("; ")] if row["record"] else []
            row["record"] = "; ".join(f"{p[0]}={mask(p[1], key)}" if len(p) == 2 and is_pii(p[0], fields) else "=".join(p) for p in parts)
    for block in data.get("rejected", []):
        for row in block["rows"]:
            row["values"] = [(k, mask(v, key) if is_pii(k, fields) else v) for k, v in row["values"]]
    for entity in data.get("comparison", []):
        for field in entity["fields"]:
            if is_pii(field["field"], fields):
                for example in field["examples"]:
                    example["mapped"], example["target"] = mask(example["mapped"], key), mask(example["target"], key)
    for queue in data.get("review", []):
        for pair in queue["sample"]:
            pair["fields"] = [(f, mask(left, key), mask(right, key)) if is_pii(f, fields) else (f, left, right) for f, left, right in pair["fields"]]
    return data
