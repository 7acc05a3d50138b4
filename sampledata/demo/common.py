"""State shared by the generators of each LegacyCRM file."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sampledata.demo.formats import DateRenderer

# Rows are dicts of column -> rendered text (or a cell value for the XLSX); keys starting with "_" are
# generator-internal facts (language, country, real dates) and are never written.
Row = dict[str, Any]

NOW = datetime(2026, 6, 30, 18, 0)
EPOCH = datetime(2018, 1, 8, 9, 0)
UNKNOWN_OWNER = "U999"
DEPARTED_SHARE = 0.10
UNKNOWN_SHARE = 0.005


@dataclass
class Ctx:
    rng: random.Random
    scale: float
    dates: DateRenderer
    active_reps: list[str] = field(default_factory=list)
    departed: list[str] = field(default_factory=list)
    taken_phones: set[str] = field(default_factory=set)

    def count(self, at_scale_one: float, minimum: int = 1) -> int:
        return max(minimum, round(at_scale_one * self.scale))

    def owner(self) -> str:
        """An owner id: mostly an active rep, ~10% a departed rep, ~0.5% an id the user table does not know."""
        r = self.rng.random()
        if r < DEPARTED_SHARE:
            return self.rng.choice(self.departed)
        if r < DEPARTED_SHARE + UNKNOWN_SHARE:
            return UNKNOWN_OWNER
        return self.rng.choice(self.active_reps)

    def moment(self, start: datetime, end: datetime = NOW) -> datetime:
        """A time during office hours between start and end (end wins if the range is empty)."""
        start = min(start, end)
        # One draw over (day, 5-minute slot between 08:00 and 17:55): this runs ~35,000 times per export.
        slot = self.rng.randrange(((end.date() - start.date()).days + 1) * 120)
        day = start.date() + timedelta(days=slot // 120)
        moment = datetime(day.year, day.month, day.day, 8 + slot % 120 // 12, slot % 12 * 5)
        return min(max(moment, start), end)

    def day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def take(self, pool: list[int], k: int, eligible: Any = None) -> list[int]:
        """Removes and returns k items of a shuffled pool (those passing `eligible`), so dirt sets stay disjoint."""
        chosen = [i for i in pool if eligible is None or eligible(i)][:k]
        chosen_set = set(chosen)
        pool[:] = [i for i in pool if i not in chosen_set]
        return chosen


def shuffled(rng: random.Random, n: int) -> list[int]:
    order = list(range(n))
    rng.shuffle(order)
    return order
