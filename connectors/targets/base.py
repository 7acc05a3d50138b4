"""The interface every target (new CRM) implements."""

from __future__ import annotations

from typing import Protocol

import pandas as pd

OUTCOME_COLUMNS = ["external_id", "target_id", "status", "error"]  # status: created, updated, rejected


class TargetAdapter(Protocol):
    name: str

    def ensure_schema(self, entity: str, types: dict[str, str], links: dict[str, str]) -> None:
        """Make sure the target can hold these fields (types are field type names) and links (name -> entity)."""

    def existing(self, entity: str) -> dict[str, str]:
        """external id -> target id of every record of the entity the target holds."""

    def upsert(self, entity: str, rows: pd.DataFrame, *, match_by: str | None = None) -> pd.DataFrame:
        """Create or update by external id. rows: external_id, fields, owner_external_id, <link>_external_id.
        Returns one row per input row with OUTCOME_COLUMNS; refused rows have status 'rejected' and the target's reason."""

    def read_back(self, entity: str) -> pd.DataFrame:
        """Every record, as external_id, fields, owner_external_id and <link>_external_id."""

    def close(self) -> None: ...
