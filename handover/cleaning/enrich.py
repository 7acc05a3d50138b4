"""Cleaning that needs more than one field: postcodes checked against the row's country, a full name
split into family and given names, values filled from other fields, role addresses flagged, and the
currency written with an amount ("€1.234,50") kept apart from its number.

Currency with an amount: where the entity maps a `currency` field and it is empty, the written currency
fills it (rule currency_from_amount); where it names another currency, the amount is flagged
(currency_conflict) and the written currency kept in extras as `<field>_currency`; where no `currency`
field is mapped, the written currency is kept in extras as `<field>_currency`.

Every value set here is logged in the change log with the rule that set it."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from handover.cleaning.fill import apply_fill
from handover.cleaning.names import role_email, split_full_name
from handover.cleaning.normalize import phone_kind
from handover.cleaning.numeric import currency_against_amount
from handover.cleaning.places import check_postcode
from handover.frames import as_text
from handover.spec import EntitySpec


@dataclass
class Enrichment:
    changes: list[pd.DataFrame] = field(default_factory=list)  # rows for ledger.changes
    problems: dict[str, pd.Series] = field(default_factory=dict)  # field -> problem code per row (None where fine)
    flags: list[tuple[pd.Series, str, str]] = field(default_factory=list)  # (mask, field, code) for ledger.issues
    extras: dict[str, pd.Series] = field(default_factory=dict)  # key -> value per row (None: nothing) for the record's extras


def _log(name: str, keys: pd.Series, mask: pd.Series, field_name: str, before: pd.Series, after: pd.Series, rule: str | pd.Series) -> pd.DataFrame:
    return pd.DataFrame({
        "entity": name, "row_key": keys[mask], "field": field_name, "before": as_text(before[mask]),
        "after": as_text(after[mask]), "rule": rule[mask] if isinstance(rule, pd.Series) else rule,
    })


def enrich(records: pd.DataFrame, name: str, entity: EntitySpec, originals: dict[str, pd.Series], alive: pd.Series,
           keys: pd.Series, lookups: dict | None = None, region: str | None = None) -> Enrichment:
    """Mutates `records` (cleaned fields, same index as the raw rows) and says what it changed. `region`
    reads shared currency marks ($, ¥)."""
    out = Enrichment()
    _split_currencies(records, name, entity, originals, alive, keys, region, out)
    if "full_name" in records and not {"first_name", "last_name"} <= set(entity.fields):
        parts = split_full_name(records["full_name"])
        for target, part in (("last_name", "family"), ("first_name", "given")):
            before = records[target] if target in records else pd.Series(None, index=records.index, dtype=object)
            fill = alive & before.isna() & parts[part].notna()
            records[target] = before.astype(object).where(~fill, parts[part])
            if fill.any():
                out.changes.append(_log(name, keys, fill, target, before, records[target], "split_name"))

    if entity.fill:
        filled, log = apply_fill(records.loc[alive], entity.fill, lookups=lookups)
        for column in filled.columns.difference(records.columns):
            records[column] = None
        records.loc[alive, filled.columns] = filled
        if not log.empty:
            out.changes.append(pd.DataFrame({
                "entity": name, "row_key": keys.loc[log["row"]].to_numpy(), "field": log["field"].to_numpy(),
                "before": as_text(log["before"]).to_numpy(), "after": as_text(log["after"]).to_numpy(), "rule": log["rule"].to_numpy(),
            }))

    if "postcode" in records and "country" in records and "postcode" in originals:
        checked = check_postcode(originals["postcode"], records["country"])
        records["postcode"] = checked.values
        out.problems["postcode"] = checked.problems.where(alive & checked.problems.notna(), None)
        changed = alive & checked.rules.notna()
        if changed.any():
            out.changes.append(_log(name, keys, changed, "postcode", originals["postcode"], records["postcode"], checked.rules))

    for phone in ("phone", "mobile"):
        if phone in records:
            # mobile / fixed_line / ... where the numbering plan says; kept in staging for review and routing
            records[f"{phone}_kind"] = phone_kind(records[phone].astype(object))

    if "email" in records:
        role = alive & role_email(records["email"].astype(object)).fillna(False).astype(bool)
        if role.any():
            out.flags.append((role, "email", "role_email"))
    return out


def _split_currencies(records: pd.DataFrame, name: str, entity: EntitySpec, originals: dict[str, pd.Series], alive: pd.Series,
                      keys: pd.Series, region: str | None, out: Enrichment) -> None:
    amounts = [f for f, spec in entity.field_specs(name).items() if spec.type == "number" and f in originals]
    for amount in amounts:
        currency = records["currency"] if "currency" in entity.fields and "currency" in records else None
        written, fill, conflict = currency_against_amount(originals[amount], currency, region)
        fill, conflict = alive & fill, alive & conflict
        if currency is not None and fill.any():
            before = records["currency"].copy()
            records["currency"] = records["currency"].astype(object).where(~fill, written)
            out.changes.append(_log(name, keys, fill, "currency", before, records["currency"], f"currency_from_amount:{amount}"))
        if conflict.any():
            out.flags.append((conflict, amount, "currency_conflict"))
        kept = conflict if currency is not None else alive & written.notna()
        if kept.any():
            out.extras[f"{amount}_currency"] = written.where(kept, None)
