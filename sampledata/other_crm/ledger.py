"""What truth.json says about every written record: its entity, its links, repeats, duplicates and faults."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sampledata.other_crm.files import ExportFile

Row = dict[str, str | None]


@dataclass
class Pending:
    """A record waiting to be written: a row (or a raw line) plus what the truth says about it."""

    row: Row | str
    source_id: str
    truth: dict[str, object]


@dataclass
class Ledger:
    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    bad: list[dict[str, object]] = field(default_factory=list)
    files: dict[str, ExportFile] = field(default_factory=dict)

    def write_all(self, key: str, file: ExportFile, pending: list[Pending]) -> None:
        """Write records in order. A source id seen before marks a repeat of that record; an entity seen before
        under another (or no) source id marks a duplicate of the entity's first record."""
        self.files[key] = file
        entries = self.rows.setdefault(key, [])
        first_by_id: dict[str, tuple[int, Row | str]] = {}
        first_by_entity: dict[object, int] = {}
        for item in pending:
            line, number = file.add(item.row) if isinstance(item.row, dict) else file.add_raw(item.row)
            entry: dict[str, object] = {
                "line": line,
                "record": number,
                "source_id": item.source_id or None,
                **item.truth,
            }
            entry["repeat"] = None
            entity = entry.get("entity")
            if item.source_id and item.source_id in first_by_id:
                first_number, first_row = first_by_id[item.source_id]
                changed = [
                    h
                    for h in file.header
                    if isinstance(item.row, dict)
                    and isinstance(first_row, dict)
                    and (item.row.get(h) or "") != (first_row.get(h) or "")
                ]
                entry.update(
                    repeat="edited" if changed else "identical", repeat_of_record=first_number, changed=changed
                )
            else:
                if item.source_id:
                    first_by_id[item.source_id] = (number, item.row)
                if entity is not None and entity in first_by_entity:
                    entry["duplicate_of_record"] = first_by_entity[entity]
            if entity is not None:
                first_by_entity.setdefault(entity, number)
            entries.append(entry)
            if entry.get("bad"):
                self.bad.append(
                    {
                        "file": file.path,
                        "line": line,
                        "record": number,
                        "source_id": item.source_id or None,
                        **entry["bad"],
                    }
                )  # type: ignore[dict-item]

    def counts(self, key: str) -> dict[str, int]:
        entries = self.rows[key]
        ids = [e["source_id"] for e in entries if e["source_id"]]
        return {
            "records": self.files[key].records,
            "entities": len({e["entity"] for e in entries if e.get("entity")}),
            "distinct_source_ids": len(set(ids)),
            "missing_source_id": sum(1 for e in entries if not e["source_id"]),
            "repeated_source_id_records": sum(1 for e in entries if e.get("repeat_of_record")),
            "identical_repeats": sum(1 for e in entries if e.get("repeat") == "identical"),
            "edited_repeats": sum(1 for e in entries if e.get("repeat") == "edited"),
            "duplicate_records": sum(1 for e in entries if e.get("duplicate_of_record")),
            "bad": sum(1 for e in entries if e.get("bad")),
            "link_issues": sum(1 for e in entries if e.get("link_issue")),
        }


def place_repeats(rows: list[Pending], repeats: list[Pending], rng: random.Random) -> list[Pending]:
    """Repeats go right after their original (a re-export glued in place) or to the end (a second batch)."""
    tail = []
    result = list(rows)
    for repeat in repeats:
        if rng.random() < 0.5:
            tail.append(repeat)
            continue
        at = next(i for i, p in enumerate(result) if p.source_id == repeat.source_id)
        result.insert(at + 1, repeat)
    return result + tail


def chosen(rng: random.Random, count: int, share: float, least: int = 2) -> dict[int, str]:
    """Indexes of the records that get a given dirt, at least `least` of them whatever the scale; alternate ones
    are labelled "identical" and "edited", so a repeat of each kind exists whenever two are chosen."""
    picks = sorted(rng.sample(range(count), min(count, max(least, round(count * share)))))
    return {index: ("identical" if rank % 2 == 0 else "edited") for rank, index in enumerate(picks)}


def insert_randomly(rows: list[Pending], extra: list[Pending], rng: random.Random) -> list[Pending]:
    result = list(rows)
    for item in extra:
        result.insert(rng.randint(1, max(1, len(result) - 1)), item)
    return result


def bad(reason: str, field_name: str, value: object, detail: str = "") -> dict[str, object]:
    out: dict[str, object] = {"reason": reason, "field": field_name, "value": value}
    if detail:
        out["detail"] = detail
    return out
