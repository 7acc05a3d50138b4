"""Spec parts for entities beyond the built-in five: links by business key, files whose headers differ,
lead conversion, and the checks that tie them to the rest of a spec.

Kept apart from handover.spec so the spec model stays readable; handover.spec imports these.
"""

from __future__ import annotations

import difflib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from handover.entities import CONVERSION_FIELDS, ENTITIES, LINKS, linked_entity

Unresolved = Literal["flag", "quarantine"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


def _as_list(value: str | list[str] | None) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


class LinkSpec(_Model):
    """A relationship found by the related record's id (default) or by any unique field(s) of it (a business key)."""

    from_: str | list[str] = Field(alias="from", description="Source column(s) holding the related record's id, or its key fields in the order of `by`.")
    entity: str | None = Field(None, description="Entity the link points at; default: the built-in relationship, else the entity the link is named after.")
    by: str | list[str] | None = Field(
        None, description="Field(s) of the linked entity the columns match, e.g. name, or [name, domain], or email; default: its id. "
                          "Compared after the field's cleaning, ignoring case, width and spacing.",
    )
    ambiguous: Unresolved = Field("flag", description="A key that matches several records: flag (keep the row, link empty, listed in ledger.issues) or quarantine the row.")
    missing: Unresolved = Field("flag", description="A value that matches no record: flag (keep the row, link empty, listed in ledger.issues) or quarantine the row.")

    @property
    def columns(self) -> list[str]:
        return _as_list(self.from_)

    @property
    def key_fields(self) -> list[str]:
        return _as_list(self.by)


LinkValue = str | LinkSpec | list[LinkSpec]


def link_specs(value: LinkValue) -> list[LinkSpec]:
    """A link in long form: the alternatives tried in order (a later one only for rows an earlier one left unresolved)."""
    if isinstance(value, str):
        return [LinkSpec(**{"from": value})]
    return [value] if isinstance(value, LinkSpec) else list(value)


class SourceFile(_Model):
    """One export file of an entity whose headers differ from the names the spec uses."""

    file: str = Field(description="Export file in the folder.")
    columns: dict[str, str] = Field(
        default_factory=dict, description="Column the spec names -> this file's header for it, e.g. {线索ID: Lead ID}.",
    )
    encoding: str | None = Field(None, description="This file's encoding, when it differs from the entity's or the source's.")


FromValue = str | SourceFile


class ConvertSpec(_Model):
    """Leads for a target that keeps none: each lead becomes a contact, an account (when it names a company) and a deal
    (when it has an amount). Each maps target field -> lead field; `{}` takes the usual fields of the same meaning."""

    contact: dict[str, str] | None = Field(None, description="Contact field -> lead field.")
    account: dict[str, str] | None = Field(None, description="Account field -> lead field; made when the lead names a company (`name`).")
    deal: dict[str, str] | None = Field(None, description="Deal field -> lead field; made only when the lead has an amount.")

    def targets(self, lead_fields: set[str], fields_of) -> dict[str, dict[str, str]]:
        """entity -> {its field: lead field}, for every entity leads are converted into. `{}` takes the usual fields
        the lead has and the entity maps; `fields_of(entity)`: the fields an entity maps (empty if not migrated)."""
        have = set(lead_fields) | ({"first_name", "last_name"} if "full_name" in lead_fields else set())  # split by cleaning
        out = {}
        for entity in ("account", "contact", "deal"):
            given = getattr(self, entity)
            if given is None:
                continue
            known = fields_of(entity)
            out[entity] = dict(given) if given else {t: f for t, f in CONVERSION_FIELDS[entity].items() if f in have and t in known}
        return out


def entity_name_problems(name: str, custom: bool) -> list[tuple[tuple, str]]:
    """A name that is not built in is a custom object; one that looks like a misspelt built-in must say so."""
    if name in ENTITIES or custom:
        return []
    close = difflib.get_close_matches(name, ENTITIES, n=1, cutoff=0.75)
    if close:
        return [(("entities", name), f"{name!r} is not a built-in entity (did you mean {close[0]!r}?); built-in: {', '.join(map(repr, ENTITIES))}; "
                                     "write custom: true to declare a custom object of that name")]
    return []


def link_problems(name: str, links: dict[str, LinkValue], entities: dict, fields_of) -> list[tuple[tuple, str]]:
    """Each link points at an entity of the spec, and its key fields are fields of that entity."""
    problems: list[tuple[tuple, str]] = []
    base = ("entities", name, "links")
    for link, value in links.items():
        specs = link_specs(value)
        targets = {linked_entity(name, link, s.entity) for s in specs}
        if len(targets) > 1:
            problems.append((base + (link,), f"the alternatives of link {link!r} point at different entities: {', '.join(sorted(targets))}"))
            continue
        target = targets.pop()
        if target not in entities:
            builtin = LINKS.get(name, {})
            if builtin and link not in builtin and not any(s.entity for s in specs):
                close = difflib.get_close_matches(link, list(builtin), n=1)
                problems.append((base + (link,), f"{name} has no link {link!r}; valid: {', '.join(sorted(builtin))}"
                                 + (f" (did you mean {close[0]!r}?)" if close else "") + ", or a link named after an entity of the spec"))
            else:
                problems.append((base + (link,), f"link {link!r} points at entity {target!r}, which the spec does not migrate"
                                 + ("" if any(s.entity for s in specs) else "; name the entity with {from: COLUMN, entity: NAME}")))
            continue
        target_fields = fields_of(target)
        for i, spec in enumerate(specs):
            loc = base + ((link, i) if isinstance(value, list) else (link,))
            keys = spec.key_fields
            if keys and len(keys) != len(spec.columns):
                problems.append((loc + ("by",), f"{len(spec.columns)} column(s) in from but {len(keys)} field(s) in by; give one column per key field"))
            for key in keys:
                if key not in target_fields:
                    problems.append((loc + ("by",), f"{target} has no field {key!r}; its fields: {', '.join(sorted(target_fields))}"))
    return problems


def convert_problems(name: str, convert: ConvertSpec | None, lead_fields: set[str], entities: dict, fields_of) -> list[tuple[tuple, str]]:
    if convert is None:
        return []
    base = ("entities", name, "convert")
    if name != "lead":
        return [(base, f"convert is for leads; {name} records are loaded as they are")]
    problems: list[tuple[tuple, str]] = []
    targets = convert.targets(lead_fields, lambda e: fields_of(e) if e in entities else set())
    if not targets:
        problems.append((base, "convert names no entity: give contact, account and/or deal"))
    for entity, mapping in targets.items():
        if entity not in entities:
            problems.append((base + (entity,), f"leads convert into {entity}, which the spec does not migrate; add entities.{entity}"))
            continue
        known = set(fields_of(entity))
        for target_field, lead_field in mapping.items():
            if target_field not in known:
                problems.append((base + (entity, target_field), f"{entity} has no field {target_field!r}; mapped fields: {', '.join(sorted(known))}"))
            if lead_field not in lead_fields | ({"first_name", "last_name"} if "full_name" in lead_fields else set()):
                problems.append((base + (entity, target_field), f"lead field {lead_field!r} is not mapped; mapped fields: {', '.join(sorted(lead_fields))}"))
    if "deal" in targets and "amount" not in targets["deal"]:
        problems.append((base + ("deal",), "a deal is made from a lead that has an amount: map the deal's amount"))
    if "account" in targets and "name" not in targets["account"]:
        problems.append((base + ("account",), "an account is made from a lead that names a company: map the account's name"))
    return problems


def file_names(value: str | list[FromValue]) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v.file if isinstance(v, SourceFile) else v for v in value]


def file_encodings(value: str | list[FromValue]) -> dict[str, str]:
    if isinstance(value, str):
        return {}
    return {v.file: v.encoding for v in value if isinstance(v, SourceFile) and v.encoding}


def file_columns(value: str | list[FromValue]) -> dict[str, dict[str, str]]:
    """file -> {column the spec names: this file's header}, for files whose headers differ."""
    if isinstance(value, str):
        return {}
    return {v.file: dict(v.columns) for v in value if isinstance(v, SourceFile) and v.columns}

