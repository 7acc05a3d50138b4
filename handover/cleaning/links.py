"""Relationships in the cleaned stage: a row's reference to another entity, found by that record's id or by any
unique field(s) of it (a business key: an account by name, or name and domain; a contact by e-mail).

Every reference ends in one of three ways, per row: resolved to the golden record's external id; ambiguous (the
key matches several records); or missing (it matches none, or a record that was quarantined or excluded). The
last two keep the row with the link empty and list it in `ledger.issues` with the candidates, or quarantine the
row, as the link's spec says. Nothing is dropped.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from handover.cleaning.normalize import clean, clean_text
from handover.frames import as_text
from handover.spec_entities import LinkSpec

# How many candidate ids an ambiguous match lists in the ledger.
_SHOWN_CANDIDATES = 5


@dataclass
class LinkTarget:
    """What a linked entity's cleaned stage produced, for resolving references to it."""

    resolve: dict[str, str] = field(default_factory=dict)  # source id (merged ids too) -> golden external id
    unavailable: dict[str, str] = field(default_factory=dict)  # source id -> why it is not there
    records: pd.DataFrame | None = field(default=None, compare=False, repr=False)  # the linked entity's cleaned records, for business keys
    types: dict[str, str] = field(default_factory=dict, compare=False)  # field -> type, to clean a key value as the field was cleaned
    aliases: pd.DataFrame | None = field(default=None, compare=False, repr=False)  # keys of merged-away records: golden_external_id, keys (JSON)
    _indexes: dict[tuple[str, ...], dict[tuple, list[str]]] = field(default_factory=dict, compare=False, repr=False)

    def key_index(self, fields: list[str]) -> dict[tuple, list[str]]:
        """Normalised key -> the golden external ids holding it."""
        key = tuple(fields)
        if key not in self._indexes:
            index: dict[tuple, list[str]] = {}
            records = self.records if self.records is not None else pd.DataFrame(columns=["external_id"])
            parts = [match_keys(_field_values(records, f)) for f in fields]
            for i, external in enumerate(records["external_id"]):
                values = tuple(p.iat[i] for p in parts)
                if any(v is None for v in values):
                    continue
                holders = index.setdefault(values, [])
                if external not in holders:
                    holders.append(external)
            if self.aliases is not None and not self.aliases.empty:
                old = pd.DataFrame([json.loads(k) for k in self.aliases["keys"]], index=self.aliases.index)
                parts = [match_keys(old[f]) if f in old else pd.Series(None, index=old.index, dtype=object) for f in fields]
                for i, external in enumerate(self.aliases["golden_external_id"]):
                    values = tuple(p.iat[i] for p in parts)
                    if any(v is None for v in values):
                        continue
                    holders = index.setdefault(values, [])
                    if external not in holders:
                        holders.append(external)
            self._indexes[key] = index
        return self._indexes[key]

    def source_id_of(self) -> dict[str, str]:
        records = self.records if self.records is not None else pd.DataFrame(columns=["external_id", "source_id"])
        return dict(zip(records["external_id"], records["source_id"]))


def link_target(records: pd.DataFrame, lineage: pd.DataFrame, quarantine: pd.DataFrame, excluded: pd.DataFrame,
                types: dict[str, str] | None = None, aliases: pd.DataFrame | None = None) -> LinkTarget:
    resolve = dict(zip(records["source_id"], records["external_id"]))
    resolve.update(zip(lineage["source_id"], lineage["golden_external_id"]))
    unavailable = {sid: "excluded" for sid in excluded["source_id"].dropna()}
    unavailable.update({sid: "quarantined" for sid in quarantine["source_id"].dropna()})
    for sid in resolve:
        unavailable.pop(sid, None)
    return LinkTarget(resolve, unavailable, records, dict(types or {}), aliases)


def _field_values(records: pd.DataFrame, name: str) -> pd.Series:
    if name in records:
        return records[name]
    if name == "domain" and "website" in records:  # the virtual field (handover.entities.VIRTUAL_FIELDS)
        from handover.cleaning.contact import url_domain

        return url_domain(records["website"])
    if name == "domain" and "email" in records:
        return records["email"].astype(object).map(lambda e: e.rsplit("@", 1)[-1] if isinstance(e, str) and "@" in e else None)
    return pd.Series([None] * len(records), index=records.index, dtype=object)


def match_keys(values: pd.Series) -> pd.Series:
    """A value as a key is compared: compatibility-normalised (full width, ligatures), case folded, spacing collapsed."""
    def one(value: object) -> str | None:
        if value is None or (isinstance(value, float) and value != value):
            return None
        text = " ".join(unicodedata.normalize("NFKC", str(value)).casefold().split())
        return text or None

    objects = values.astype(object)
    uniques = {v: one(v) for v in pd.unique(objects)}
    return pd.Series([uniques[v] for v in objects], index=values.index, dtype=object)


def _cleaned_like(values: pd.Series, kind: str | None, options: dict) -> pd.Series:
    """A link value cleaned as the field it is compared with was: e-mails lower-cased, phones in E.164, companies'
    legal forms spelled the standard way. Values that field's cleaner rejects are compared as written."""
    if kind in (None, "string", "text", "picklist"):
        return values
    if kind in ("url", "domain"):
        from handover.cleaning.contact import url_domain

        return url_domain(values)
    result = clean(kind, values, **options)
    return result.values.astype(object).where(result.values.notna(), values)


@dataclass
class LinkOutcome:
    external_id: pd.Series  # golden external id, or None
    source_value: pd.Series  # what the row said (an id, or the key values joined by " | ")
    problem: pd.Series  # None, or orphan_link, ambiguous_link, link_to_quarantined, link_to_excluded
    detail: pd.Series  # candidates of an ambiguous match, or what was looked for
    policy: pd.Series  # flag or quarantine, from the alternative that met the problem


def resolve_link(raw: pd.DataFrame, specs: list[LinkSpec], target: LinkTarget, alive: pd.Series, options: dict) -> LinkOutcome:
    """Resolve one link for every row, trying its alternatives in order."""
    from handover.naming import column_key

    index = raw.index
    external, said, problem, detail, policy = (pd.Series([None] * len(index), index=index, dtype=object) for _ in range(5))
    for spec in specs:
        columns = [as_text(clean_text(raw[column_key(c)]).values) for c in spec.columns]
        present = pd.concat(columns, axis=1).notna().all(axis=1) if columns else pd.Series(False, index=index)
        todo = present & external.isna()
        if not todo.any():
            continue
        text = columns[0] if len(columns) == 1 else pd.Series(
            [" | ".join(v) if all(isinstance(x, str) for x in v) else None for v in zip(*columns)], index=index, dtype=object)
        said = said.where(said.notna() | ~todo, text)
        if not spec.key_fields:
            found = columns[0].map(target.resolve)
            why = columns[0].map(target.unavailable)
            hit, miss = todo & found.notna(), todo & found.isna()
            external[hit] = found[hit]
            fresh = miss & problem.isna()
            problem[fresh] = ("link_to_" + why[fresh].astype(str)).where(why[fresh].notna(), "orphan_link")
            policy[fresh] = spec.missing
        else:
            index_of = target.key_index(spec.key_fields)
            kinds = [target.types.get(f, "domain" if f == "domain" else None) for f in spec.key_fields]
            keys = [match_keys(_cleaned_like(c, k, options)) for c, k in zip(columns, kinds)]
            rows = np.flatnonzero(todo.to_numpy())
            for i in rows:
                candidates = index_of.get(tuple(k.iat[i] for k in keys), [])
                if len(candidates) == 1:
                    external.iat[i] = candidates[0]
                    problem.iat[i] = detail.iat[i] = policy.iat[i] = None
                elif pd.isna(problem.iat[i]):
                    looked_for = " and ".join(f"{f} = {c.iat[i]!r}" for f, c in zip(spec.key_fields, columns))
                    if candidates:
                        shown = ", ".join(candidates[:_SHOWN_CANDIDATES]) + (" ..." if len(candidates) > _SHOWN_CANDIDATES else "")
                        problem.iat[i], detail.iat[i], policy.iat[i] = "ambiguous_link", f"{len(candidates)} records have {looked_for}: {shown}", spec.ambiguous
                    else:
                        problem.iat[i], detail.iat[i], policy.iat[i] = "orphan_link", f"no record has {looked_for}", spec.missing
    external = external.astype(object).where(external.notna(), None)
    problem[external.notna() | ~alive] = None
    return LinkOutcome(external, said, problem, detail, policy)
