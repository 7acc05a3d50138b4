"""A heavy-noise CRM contact set with the true person behind every record, for judging deduplication.

Each true person (cluster) has 1..k records. The first is written correctly in an everyday layout; every
further record gets a burst of 1-6 noise events (see `sampledata._contact_noise`): typing, OCR and IME
slips, truncation, swapped or merged name fields, initials, nicknames, honorifics, pinyin and Traditional
forms, case/width/whitespace noise, junk, typo'd or alternative emails, phones in other layouts, with
extensions, wrong digits, switchboards, company name variants, city variants, swapped fields.

Hard negatives are different people built to look alike: namesakes at one company or in one city, family
members sharing a phone or a mailbox, colleagues behind one switchboard or one role mailbox, a father and
son of the same name. Roughly 60% of people are Latin-script, 40% Chinese-script.

    python -m sampledata.noisy_contacts --rows 10000 --seed 1 --out DIR
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sampledata._contact_noise import FIELDS, base_record, duplicate_record
from sampledata._people import HARD_NEGATIVE_KINDS, Person, PeopleFactory

# Records per true person: P(size); sizes run 1..MAX_CLUSTER_SIZE.
CLUSTER_SIZES = {1: 0.40, 2: 0.25, 3: 0.15, 4: 0.10, 5: 0.06, 6: 0.04}
MAX_CLUSTER_SIZE = max(CLUSTER_SIZES)
LATIN_SHARE = 0.6
HARD_NEGATIVE_SHARE = 0.15  # share of people created as members of a look-alike group


@dataclass(frozen=True)
class Dataset:
    records: pd.DataFrame         # id + FIELDS
    truth: pd.DataFrame           # id, cluster_id
    clusters: pd.DataFrame        # cluster_id, size, script, negative_kind, negative_group
    hard_negatives: pd.DataFrame  # cluster_a, cluster_b, kind: pairs that must NOT be merged
    noise: pd.DataFrame           # id, events (";"-joined names of what was done to the record)


def _draw_size(rng: random.Random) -> int:
    return rng.choices(list(CLUSTER_SIZES), weights=list(CLUSTER_SIZES.values()))[0]


def _people(rows: int, rng: random.Random, factory: PeopleFactory, latin_share: float,
            hard_negative_share: float) -> list[tuple[Person, int, int]]:
    """(person, number of records, look-alike group number or 0) until exactly `rows` records are planned."""
    mean_group = 2.4
    group_chance = hard_negative_share / (mean_group - (mean_group - 1) * hard_negative_share)
    planned: list[tuple[Person, int, int]] = []
    remaining, group_no = rows, 0
    while remaining > 0:
        script = "latin" if rng.random() < latin_share else "chinese"
        group = 0
        if remaining >= 2 and rng.random() < group_chance:
            kinds = [k for k in HARD_NEGATIVE_KINDS if script == "latin" or k != "father_son_same_name"]
            kind = rng.choices(kinds, weights=[HARD_NEGATIVE_KINDS[k][0] for k in kinds])[0]
            members = factory.look_alike_group(script, kind)[:remaining]
            group_no += 1
            group = group_no
        else:
            members = [factory.person(script)]
        for i, person in enumerate(members):
            size = min(_draw_size(rng), remaining - (len(members) - i - 1))
            planned.append((person, size, group))
            remaining -= size
    return planned


def generate_detailed(rows: int, seed: int, latin_share: float = LATIN_SHARE,
                      hard_negative_share: float = HARD_NEGATIVE_SHARE) -> Dataset:
    """Exactly `rows` contact records, their true clusters, the look-alike pairs and the noise applied."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    rng = random.Random(seed)
    factory = PeopleFactory(rng)
    planned = _people(rows, rng, factory, latin_share, hard_negative_share)
    written: list[tuple[str, dict[str, str | None], str]] = []
    for person, size, _group in planned:
        written.append((person.cluster_id, base_record(person, rng), "base"))
        for _ in range(size - 1):
            record, events = duplicate_record(person, rng, factory)
            written.append((person.cluster_id, record, ";".join(events)))
    rng.shuffle(written)
    ids = list(range(1, len(written) + 1))
    records = pd.DataFrame([{"id": i, **{f: rec.get(f) for f in FIELDS}} for i, (_c, rec, _e) in zip(ids, written)])
    truth = pd.DataFrame({"id": ids, "cluster_id": [c for c, _r, _e in written]})
    noise = pd.DataFrame({"id": ids, "events": [e for _c, _r, e in written]})
    clusters = pd.DataFrame(
        [(p.cluster_id, size, p.script, p.negative_kind or None, group or None) for p, size, group in planned],
        columns=["cluster_id", "size", "script", "negative_kind", "negative_group"],
    ).astype({"negative_group": "Int64"})
    return Dataset(records, truth, clusters, _pairs(planned), noise)


def _pairs(planned: list[tuple[Person, int, int]]) -> pd.DataFrame:
    groups: dict[int, list[Person]] = {}
    for person, _size, group in planned:
        if group:
            groups.setdefault(group, []).append(person)
    pairs = [(a.cluster_id, b.cluster_id, a.negative_kind)
             for members in groups.values() for i, a in enumerate(members) for b in members[i + 1:]]
    return pd.DataFrame(pairs, columns=["cluster_a", "cluster_b", "kind"])


def generate(rows: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records[id, first_name, last_name, email, phone, company, city, job_title, lead_source], truth[id, cluster_id])."""
    data = generate_detailed(rows, seed)
    return data.records, data.truth


def write(data: Dataset, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data.records.to_csv(out / "contacts.csv", index=False)
    data.truth.to_csv(out / "truth.csv", index=False)
    data.clusters.to_csv(out / "clusters.csv", index=False)
    data.hard_negatives.to_csv(out / "hard_negatives.csv", index=False)
    data.noise.to_csv(out / "noise.csv", index=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sampledata.noisy_contacts", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="folder for contacts.csv, truth.csv and the extras")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    data = generate_detailed(args.rows, args.seed)
    write(data, args.out)
    print(f"{len(data.records)} records of {data.truth.cluster_id.nunique()} people, "
          f"{len(data.hard_negatives)} hard-negative pairs -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
