"""resolve(): exact rules, then the probabilistic matcher, then clustering, with the guards of guards.py.

A pair merges when an exact rule (or a reviewer's "match") joins it, or when its match probability is at
or above the match threshold, unless a guard holds it back; what each guard held back is counted and the
pairs go to the review queue with the guard's name.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from handover.dedup.blocking import candidate_pairs, rules_for
from handover.dedup.cluster import REFUSED_WEAK_LINK, Edges, _components, cluster
from handover.dedup.guards import SHARED_VALUE_RECORDS, drop_shared_values, parse_guards
from handover.dedup.model import connect, names_sql, organisational, present_columns, score_pairs
from handover.dedup.prepare import CANONICAL, PREPARED_COLUMNS, RULE_KEYS, as_arrow_strings, prepare_into

# Exact rules are for keys that identify one entity. A company's domain (and its name with it) is shared by
# its branch offices, which a CRM keeps as separate accounts: on sampledata/labelled_accounts (10,000 rows,
# seed 1) the rules name+domain, domain, tax_id gave P 0.803 / R 0.965 / F1 0.876, tax_id alone with the
# model scoring names and domains P 1.000 / R 0.960 / F1 0.979 (bench/dedup_compare.py).
DEFAULT_RULES = {"contact": ["email", "phone+name"], "account": ["tax_id"]}
DECISIONS = ("match", "no_match")
SCORE_FLOOR = 0.05  # scored pairs below this are dropped early (they count as non-matches)
MIN_RECORDS = 20    # fewer records than this cannot train a model: exact rules only
WEAK_LINK_SUPPORT = 0.5
BETWEEN = "between thresholds"


@dataclass(frozen=True)
class ProbabilisticConfig:
    match_threshold: float = 0.95
    review_threshold: float = 0.80

    def __post_init__(self) -> None:
        if not 0.0 < self.match_threshold <= 1.0 or not 0.0 < self.review_threshold <= 1.0:
            raise ValueError("thresholds are probabilities in (0, 1]")
        if self.review_threshold > self.match_threshold:
            raise ValueError(f"review_threshold {self.review_threshold} is above match_threshold {self.match_threshold}")


@dataclass
class Resolution:
    cluster_id: pd.Series      # same index as the input frame: representative id per row
    pairs: pd.DataFrame        # left_id, right_id, rule ("exact:<rule>", "probabilistic", "decision"), probability
    review: pd.DataFrame       # left_id, right_id, probability, reason (BETWEEN or the guard that held it back)
    timings: dict[str, float] = field(default_factory=dict)
    guards: dict[str, int] = field(default_factory=dict)  # guard -> pairs it held back (shared_values: records)
    notes: list[str] = field(default_factory=list)       # what the engine dropped or ignored, and why


def parse_rules(entity: str, rules: list[str] | None, columns: Iterable[str] = ()) -> list[tuple[str, tuple[str, ...]]]:
    """[(rule text, prepared key columns)]; ValueError naming the valid parts for an unknown one.
    A part that is not a canonical field the matcher knows, but a column of the frame, is compared as
    text without case, width and punctuation (key_<column>)."""
    known = RULE_KEYS.get(entity, {})
    if rules is None and entity not in DEFAULT_RULES:
        raise ValueError(f"entity {entity!r} has no default rules; name them")
    extra = {c for c in columns if c != "id" and c not in known}
    out = []
    for text in DEFAULT_RULES[entity] if rules is None else rules:
        parts = [p.strip() for p in str(text).split("+")]
        unknown = [p for p in parts if p not in known and p not in extra]
        if unknown or not parts or not all(parts):
            valid = sorted(set(known) | extra)
            raise ValueError(f"unknown field {', '.join(map(repr, unknown)) or repr(text)} in dedup rule {text!r} "
                             f"for {entity}; valid: {', '.join(valid)}")
        keys = tuple(dict.fromkeys(k for p in parts for k in (known[p] if p in known else (f"key_{p}",))))
        out.append((str(text), keys))
    return out


def _exact_edges(con, table: str, entity: str, rules: list[tuple[str, tuple[str, ...]]], present: set[str],
                 check_names: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Each record with a rule key joins the first record (smallest position) with the same key.
    Returns (first, record, names_ok, rule names).

    With the `names` guard, a rule that does not compare names (an e-mail address, a phone number,
    a domain) does not join records whose names contradict each other (a household's mailbox, a
    switchboard, a reseller's domain): names_ok is False and the model decides. A tax id identifies
    a company whatever its trade name."""
    names = names_sql(entity, present, loose=True) if check_names and entity in CANONICAL else "TRUE"
    name_keys = set(RULE_KEYS.get(entity, {}).get("name", ()))
    parts = []
    for i, (_text, keys) in enumerate(rules):
        cols = ", ".join(f'"{k}"' for k in keys)
        not_null = " AND ".join(f'"{k}" IS NOT NULL' for k in keys)
        edges = (f"SELECT {i} AS rule, first, uid FROM (SELECT uid, min(uid) OVER (PARTITION BY {cols}) AS first "
                 f"FROM {table} WHERE {not_null}) WHERE uid <> first")
        judged = not (name_keys & set(keys)) and "tax_id" not in keys and names != "TRUE"
        check = names if judged else "TRUE"
        parts.append(f"SELECT e.rule, e.first, e.uid, {check} AS ok FROM ({edges}) e "
                     f"JOIN {table} l ON l.uid = e.first JOIN {table} r ON r.uid = e.uid" if judged else
                     f"SELECT rule, first, uid, TRUE AS ok FROM ({edges})")
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool), []
    got = con.execute("SELECT * FROM (" + " UNION ALL ".join(parts) + ") ORDER BY rule, uid").fetchnumpy()
    names_of = np.array([f"exact:{text}" for text, _ in rules], dtype=object)
    return (got["first"].astype(np.int64), got["uid"].astype(np.int64), np.asarray(got["ok"], dtype=bool),
            names_of[got["rule"].astype(np.int64)].tolist())


_KEYS_OF = {"full_name": ("first_name", "last_name"), "date_of_birth": ("dob",), "website": ("domain",)}


def _has_key(con, entity: str, column: str) -> bool:
    """Whether the input column gave any record a match key."""
    keys = _KEYS_OF.get(column, (column,))
    found = [k for k in keys if k in PREPARED_COLUMNS[entity]]
    if not found:
        return True
    return bool(con.execute(f"SELECT count(*) FROM prepared WHERE {' OR '.join(f'{k} IS NOT NULL' for k in found)}").fetchone()[0])


def _representatives(ids: pd.Series, labels: np.ndarray) -> np.ndarray:
    """The smallest id (string order) of each row's cluster."""
    import pyarrow.compute as pc

    id_arr = pa.array(ids.to_numpy(dtype=object), pa.string())
    order = pc.sort_indices(id_arr).to_numpy()
    _, first = np.unique(labels[order], return_index=True)
    best = np.empty(labels.max() + 1 if len(labels) else 0, dtype=np.int64)
    best[labels[order][first]] = order[first]
    return ids.to_numpy(dtype=object)[best[labels]]


def _decisions(decisions: pd.DataFrame | None, ids: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(left positions, right positions, is_match) for decisions whose ids are both in the frame;
    the last decision on a pair wins."""
    if decisions is None or len(decisions) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool)
    missing = {"left_id", "right_id", "decision"} - set(decisions.columns)
    if missing:
        raise ValueError(f"decisions need columns left_id, right_id, decision; missing {', '.join(sorted(missing))}")
    decision = decisions["decision"].astype(str).str.strip().str.lower()
    bad = sorted(set(decision) - set(DECISIONS))
    if bad:
        raise ValueError(f"unknown decision {bad[0]!r}; valid: {', '.join(DECISIONS)}")
    position = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
    left = decisions["left_id"].astype(str).str.strip().map(position)
    right = decisions["right_id"].astype(str).str.strip().map(position)
    ok = (left.notna() & right.notna() & (left != right)).to_numpy()
    lo = np.minimum(left[ok], right[ok]).astype(np.int64).to_numpy()
    hi = np.maximum(left[ok], right[ok]).astype(np.int64).to_numpy()
    table = pd.DataFrame({"l": lo, "r": hi, "m": (decision[ok] == "match").to_numpy()}).drop_duplicates(["l", "r"], keep="last")
    return table["l"].to_numpy(), table["r"].to_numpy(), table["m"].to_numpy()


def resolve(
    frame: pd.DataFrame, entity: str, *, rules: list[str] | None = None,
    probabilistic: ProbabilisticConfig | None = ProbabilisticConfig(), decisions: pd.DataFrame | None = None,
    guards: Iterable[str] | None = None, progress: Callable[[str], None] | None = None,
) -> Resolution:
    """Cluster the rows of `frame` (an `id` column plus canonical columns of `entity`) into entities.
    `guards`: the guards switched on (None: all of guards.GUARDS). Probabilistic matching is for
    contacts and accounts; other entities (and other columns) merge by exact rules only."""
    say = progress or (lambda _m: None)
    on = parse_guards(guards)
    if probabilistic is not None and entity not in CANONICAL:
        raise ValueError(f"probabilistic matching is for {' and '.join(CANONICAL)}, not {entity!r}")
    if "id" not in frame.columns:
        raise ValueError("the frame has no 'id' column")
    parsed = parse_rules(entity, rules, frame.columns)
    extra = tuple(dict.fromkeys(k[4:] for _t, keys in parsed for k in keys if k.startswith("key_")))
    if frame["id"].isna().any():
        raise ValueError(f"the 'id' column is empty in row {int(frame['id'].isna().to_numpy().argmax()) + 1}")
    ids = pd.Series(as_arrow_strings(frame["id"]).to_numpy(zero_copy_only=False), index=frame.index, dtype="str")
    if ids.duplicated().any():
        raise ValueError(f"the 'id' column has duplicate values, e.g. {ids[ids.duplicated()].iloc[0]!r}")
    n = len(frame)
    timings: dict[str, float] = {}
    notes: list[str] = []
    held = {g: 0 for g in sorted(on)}
    clock = time.perf_counter()

    def note(message: str) -> None:
        notes.append(message)
        say(message)

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    con = connect()
    try:
        say(f"normalising {n:,} {entity} records for matching")
        prepare_into(con, frame, entity, "prepared", extra)
        if "shared_values" in on:
            for column, (records, examples) in drop_shared_values(con, "prepared", entity).items():
                held["shared_values"] += records
                shown = ", ".join(f"{v} ({k})" for v, k in examples)
                note(f"{column}: {records:,} records hold a value shared by more than {SHARED_VALUE_RECORDS} records, "
                     f"ignored for matching (guard shared_values): {shown}")
        lap("prepare")

        say("exact rules")
        dropped: list[str] = []
        present = present_columns(con, "prepared", list(PREPARED_COLUMNS[entity]), dropped) if entity in CANONICAL else set()
        for message in dropped:
            note(message)
        for column in CANONICAL.get(entity, ()):
            if column in frame.columns and not _has_key(con, entity, column):
                note(f"column {column}: no value is usable for matching (all empty, or none reads as a {column}); not compared")
        ex_l, ex_r, ex_ok, ex_names = _exact_edges(con, "prepared", entity, parsed, present, "names" in on)
        dec_l, dec_r, dec_match = _decisions(decisions, ids)
        lap("exact")

        scored = None
        block_rules = rules_for(entity, present) if entity in CANONICAL else []
        if probabilistic is not None and n < MIN_RECORDS:
            note(f"probabilistic matching skipped: {n} records are too few to train a model")
        if probabilistic is not None and n >= MIN_RECORDS and block_rules:
            scored = _score(con, entity, present, probabilistic, on, ex_l[ex_ok], ex_r[ex_ok], n, note, say)
        lap("splink")
    finally:
        con.close()

    sc_l = scored["uid_l"].to_numpy(np.int64) if scored is not None else np.zeros(0, np.int64)
    sc_r = scored["uid_r"].to_numpy(np.int64) if scored is not None else np.zeros(0, np.int64)
    raw_p = scored["raw_probability"].to_numpy(np.float64) if scored is not None else np.zeros(0)
    capped = "shared_evidence" in on and scored is not None
    sc_p = scored["match_probability"].to_numpy(np.float64) if capped else raw_p
    sc_w = (scored["match_weight"] if capped else scored["raw_weight"]).to_numpy(np.float64) if scored is not None else np.zeros(0)
    gate = scored["gate"].to_numpy(bool) if scored is not None and "names" in on else np.ones(len(sc_l), bool)

    say("clustering")
    ex_l_ok, ex_r_ok = ex_l[ex_ok], ex_r[ex_ok]
    forced_l = np.concatenate([dec_l[dec_match], ex_l_ok])
    forced_r = np.concatenate([dec_r[dec_match], ex_r_ok])
    forced_rule = ["decision"] * int(dec_match.sum()) + [r for r, ok in zip(ex_names, ex_ok) if ok]
    forced = Edges(forced_l, forced_r, np.full(len(forced_l), np.inf), np.ones(len(forced_l)))
    scored_edges = Edges(sc_l, sc_r, sc_w, np.where(gate, sc_p, 0.0))
    threshold = probabilistic.match_threshold if probabilistic is not None else 1.1
    labels, forced_ok, scored_ok, refused = cluster(
        n, forced, scored_edges, match_probability=threshold, cannot_link=(dec_l[~dec_match], dec_r[~dec_match]),
        min_support=WEAK_LINK_SUPPORT if "weak_links" in on else 0.0)
    cluster_id = pd.Series(_representatives(ids, labels), index=frame.index, name="cluster_id", dtype="str")
    lap("cluster")

    # what each guard held back: pairs at or above the threshold that ended in different clusters
    apart = labels[sc_l] != labels[sc_r]
    reason = np.full(len(sc_l), BETWEEN, dtype=object)
    strong_raw = raw_p >= threshold
    if capped:
        by_cap = strong_raw & (sc_p < threshold) & apart
        reason[by_cap] = "shared_evidence"
    by_names = strong_raw & (sc_p >= threshold) & ~gate & apart
    reason[by_names] = "names"
    by_weak = (refused == REFUSED_WEAK_LINK) & apart & ~by_names
    reason[by_weak] = "weak_links"
    for guard, mask in (("shared_evidence", by_cap if capped else None), ("names", by_names), ("weak_links", by_weak)):
        if guard in on and mask is not None:
            held[guard] += int(mask.sum())
    # exact-rule pairs the names guard held back and that stayed apart; those the model scored at or
    # above the threshold are counted above already
    ex_held = ~ex_ok & (labels[ex_l] != labels[ex_r])
    position = {pair: i for i, pair in enumerate(zip(sc_l.tolist(), sc_r.tolist()))}
    held_pairs = [(min(a, b), max(a, b)) for a, b in zip(ex_l[ex_held].tolist(), ex_r[ex_held].tolist())]
    found = [position.get(pair, -1) for pair in held_pairs]
    if "names" in on:
        held["names"] += sum(1 for i in found if i < 0 or not strong_raw[i])
    unscored = np.array([pair for pair, i in zip(held_pairs, found) if i < 0], dtype=np.int64).reshape(-1, 2)

    id_arr = ids.to_numpy()
    sc_rule_p = sc_p
    pairs = pd.concat([
        pd.DataFrame({"left_id": id_arr[forced_l[forced_ok]], "right_id": id_arr[forced_r[forced_ok]],
                      "rule": np.array(forced_rule, dtype=object)[forced_ok] if len(forced_rule) else np.array([], object),
                      "probability": 1.0}),
        pd.DataFrame({"left_id": id_arr[sc_l[scored_ok]], "right_id": id_arr[sc_r[scored_ok]],
                      "rule": "probabilistic", "probability": sc_rule_p[scored_ok]}),
    ], ignore_index=True)
    review = _review(probabilistic, id_arr, sc_l, sc_r, np.maximum(sc_p, np.where(reason != BETWEEN, raw_p, 0.0)),
                     reason, scored_ok, apart, dec_l, dec_r, unscored[:, 0], unscored[:, 1])
    say(f"{n:,} records -> {len(np.unique(labels)):,} clusters; {len(review):,} pairs to review"
        + "".join(f"; {g} held {k:,}" for g, k in held.items() if k))
    return Resolution(cluster_id=cluster_id, pairs=pairs, review=review, timings=timings, guards=held, notes=notes)


def _review(probabilistic: ProbabilisticConfig | None, id_arr: np.ndarray, sc_l: np.ndarray, sc_r: np.ndarray,
            probability: np.ndarray, reason: np.ndarray, scored_ok: np.ndarray, apart: np.ndarray,
            dec_l: np.ndarray, dec_r: np.ndarray, held_l: np.ndarray, held_r: np.ndarray) -> pd.DataFrame:
    """Pairs a reviewer should decide: scored pairs at or above the review threshold left apart, and
    exact-rule pairs the names guard held back (probability unknown when the model did not score them),
    without pairs a reviewer decided already; highest probability first."""
    decided = set(zip(dec_l.tolist(), dec_r.tolist()))
    low = probabilistic.review_threshold if probabilistic is not None else np.inf
    pick = (probability >= low) & ~scored_ok & apart
    if decided and pick.any():
        pick &= np.fromiter(((a, b) not in decided for a, b in zip(sc_l.tolist(), sc_r.tolist())), bool, len(sc_l))
    lo, hi = np.minimum(held_l, held_r), np.maximum(held_l, held_r)
    keep = np.fromiter(((a, b) not in decided for a, b in zip(lo.tolist(), hi.tolist())), bool, len(lo))
    frame = pd.DataFrame({
        "left_id": np.concatenate([id_arr[sc_l[pick]], id_arr[lo[keep]]]).astype(object),
        "right_id": np.concatenate([id_arr[sc_r[pick]], id_arr[hi[keep]]]).astype(object),
        "probability": np.concatenate([probability[pick], np.full(int(keep.sum()), np.nan)]),
        "reason": np.concatenate([reason[pick], np.full(int(keep.sum()), "names", dtype=object)]).astype(object),
    })
    frame = frame.drop_duplicates(["left_id", "right_id"])
    order = np.lexsort((frame["right_id"].to_numpy(), frame["left_id"].to_numpy(), -frame["probability"].fillna(2.0).to_numpy()))
    return frame.iloc[order].reset_index(drop=True).astype({"left_id": "str", "right_id": "str", "reason": "str"})


def _score(con, entity: str, present: set[str], probabilistic: ProbabilisticConfig, on: frozenset[str],
           ex_l: np.ndarray, ex_r: np.ndarray, n: int, note: Callable[[str], None], say: Callable[[str], None]
           ) -> pd.DataFrame | None:
    """Candidate pairs (blocking) scored by the model trained on this data; None when it cannot be trained."""
    # exact clusters (xc): pairs inside one are merged anyway and need no scoring
    components = _components(n, ex_l, ex_r)
    sizes = np.bincount(components).astype(np.float64)
    exact_pairs = float((sizes * (sizes - 1) / 2).sum())
    # the prior: pairs the exact rules found, taken as 70% of all matches (as Splink's estimate does)
    prior = min(0.5, exact_pairs / 0.7 / (n * (n - 1) / 2)) if exact_pairs >= 50 else None
    con.register("xc_view", pa.table({"uid": np.arange(n, dtype=np.int64), "xc": components}))
    columns = ", ".join(f'p."{c}"' for c in sorted(present))
    con.execute(f"CREATE TABLE records AS SELECT p.uid, x.xc, p.first_han, p.last_han, {columns} "
                "FROM prepared p JOIN xc_view x USING (uid)")
    con.unregister("xc_view")
    con.execute("DROP TABLE prepared")
    say("blocking: generating candidate pairs")
    # every candidate pair is scored, also those whose names contradict: the names guard then holds back
    # (and counts, and queues) the ones at or above the threshold instead of dropping them unseen; on
    # FEBRL3 it held 26 pairs (0 counted before), same clusters, CPU 6.8 s (9.1 s with the pre-filter)
    count = candidate_pairs(con, "records", rules_for(entity, present), "candidates")
    if not count:
        return None
    say(f"probabilistic matching: {count:,} candidate pairs")
    org = organisational(con, "records", entity, present) if "shared_evidence" in on else ()
    try:
        return score_pairs(con, "records", "candidates", entity, present, org, prior=prior, check_names="names" in on,
                           floor_probability=min(SCORE_FLOOR, probabilistic.review_threshold), progress=say)
    except Exception as exc:  # Splink cannot train on this data (too little variety): exact rules only
        if type(exc).__name__ != "SplinkException":
            raise
        note(f"probabilistic matching skipped: the model could not be trained ({str(exc).splitlines()[0]})")
        return None
