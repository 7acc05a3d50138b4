"""resolve(): exact rules, then the probabilistic matcher, then constrained clustering."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from handover.dedup.blocking import candidate_pairs, rules_for
from handover.dedup.cluster import Edges, _components, cluster
from handover.dedup.model import connect, names_sql, organisational, prefilter_sql, present_columns, score_pairs
from handover.dedup.prepare import CANONICAL, PREPARED_COLUMNS, RULE_KEYS, as_arrow_strings, prepare_into

DEFAULT_RULES = {"contact": ["email", "phone+name"], "account": ["name+domain", "domain", "tax_id"]}
DECISIONS = ("match", "no_match")
SHARED_VALUE_RECORDS = 20  # an identifier held by more records than this is a placeholder or shared (see below)
IDENTIFIERS = {"contact": {"email": ("email_local", "email_name_like"), "phone": ()},
               "account": {"domain": (), "phone": (), "tax_id": ()}}
SCORE_FLOOR = 0.05  # scored pairs below this are dropped early (they count as non-matches)
MIN_RECORDS = 20    # fewer records than this cannot train a model: exact rules only


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
    review: pd.DataFrame       # left_id, right_id, probability: pairs >= review_threshold left unmerged
    timings: dict[str, float] = field(default_factory=dict)


def parse_rules(entity: str, rules: list[str] | None) -> list[tuple[str, tuple[str, ...]]]:
    """[(rule text, prepared key columns)]; ValueError naming the valid parts for an unknown one."""
    if entity not in CANONICAL:
        raise ValueError(f"unknown entity {entity!r}; valid: {', '.join(CANONICAL)}")
    valid = RULE_KEYS[entity]
    out = []
    for text in DEFAULT_RULES[entity] if rules is None else rules:
        parts = [p.strip() for p in str(text).split("+")]
        unknown = [p for p in parts if p not in valid]
        if unknown or not parts:
            raise ValueError(f"unknown field {', '.join(map(repr, unknown)) or repr(text)} in dedup rule {text!r} "
                             f"for {entity}; valid: {', '.join(valid)}")
        keys = tuple(dict.fromkeys(k for p in parts for k in valid[p]))
        out.append((str(text), keys))
    return out


def _exact_edges(con, table: str, entity: str, rules: list[tuple[str, tuple[str, ...]]], present: set[str]
                 ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Each record with a rule key joins the first record (smallest position) with the same key.

    A rule that does not compare names (an e-mail address, a phone number, a domain) does not join
    records whose names contradict each other: a household's shared mailbox, a switchboard, a
    reseller's domain. Such pairs are left to the probabilistic matcher, which puts them up for
    review. A tax id identifies a company whatever its trade name."""
    names = names_sql(entity, present, loose=True)
    name_keys = set(RULE_KEYS[entity]["name"])
    parts = []
    for i, (_text, keys) in enumerate(rules):
        cols = ", ".join(f'"{k}"' for k in keys)
        not_null = " AND ".join(f'"{k}" IS NOT NULL' for k in keys)
        edges = (f"SELECT {i} AS rule, first, uid FROM (SELECT uid, min(uid) OVER (PARTITION BY {cols}) AS first "
                 f"FROM {table} WHERE {not_null}) WHERE uid <> first")
        if not (name_keys & set(keys)) and "tax_id" not in keys and names != "TRUE":
            edges = (f"SELECT e.* FROM ({edges}) e JOIN {table} l ON l.uid = e.first JOIN {table} r ON r.uid = e.uid "
                     f"WHERE {names}")
        parts.append(edges)
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), []
    got = con.execute(" UNION ALL ".join(parts) + " ORDER BY rule, uid").fetchnumpy()
    names_of = np.array([f"exact:{text}" for text, _ in rules], dtype=object)
    return got["first"].astype(np.int64), got["uid"].astype(np.int64), names_of[got["rule"].astype(np.int64)].tolist()


def drop_shared_values(con, table: str, entity: str) -> dict[str, tuple[int, list[tuple[str, int]]]]:
    """Treat as missing an identifier (e-mail, phone, domain, tax id) held by more than
    SHARED_VALUE_RECORDS records: nobody has that many records, so it is a placeholder (na@na.na,
    0000000000) or shared by an organisation (a switchboard), and it would chain strangers together.
    Returns {column: (records affected, [(value, records), ...the five commonest])}."""
    out = {}
    for column, derived in IDENTIFIERS.get(entity, {}).items():
        common = con.execute(f"""SELECT "{column}", count(*) AS n FROM {table} WHERE "{column}" IS NOT NULL
                                 GROUP BY ALL HAVING count(*) > {SHARED_VALUE_RECORDS} ORDER BY n DESC, 1""").fetchall()
        if not common:
            continue
        sets = ", ".join(f'"{c}" = NULL' for c in (column, *derived))
        con.execute(f"""UPDATE {table} SET {sets} WHERE "{column}" IN (SELECT "{column}" FROM {table}
                        WHERE "{column}" IS NOT NULL GROUP BY ALL HAVING count(*) > {SHARED_VALUE_RECORDS})""")
        out[column] = (sum(n for _, n in common), [(str(v), int(n)) for v, n in common[:5]])
    return out


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
    progress: Callable[[str], None] | None = None,
) -> Resolution:
    """Cluster the rows of `frame` (an `id` column plus canonical columns of `entity`) into entities."""
    say = progress or (lambda _m: None)
    parsed = parse_rules(entity, rules)
    if "id" not in frame.columns:
        raise ValueError("the frame has no 'id' column")
    if frame["id"].isna().any():
        raise ValueError(f"the 'id' column is empty in row {int(frame['id'].isna().to_numpy().argmax()) + 1}")
    ids = pd.Series(as_arrow_strings(frame["id"]).to_numpy(zero_copy_only=False), index=frame.index, dtype="str")
    if ids.duplicated().any():
        raise ValueError(f"the 'id' column has duplicate values, e.g. {ids[ids.duplicated()].iloc[0]!r}")
    n = len(frame)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 3)
        clock = now

    con = connect()
    try:
        say(f"normalising {n:,} {entity} records for matching")
        prepare_into(con, frame, entity, "prepared")
        for column, (records, examples) in drop_shared_values(con, "prepared", entity).items():
            shown = ", ".join(f"{v} ({k})" for v, k in examples)
            say(f"{column}: {records:,} records hold a value shared by more than {SHARED_VALUE_RECORDS} records, "
                f"ignored for matching: {shown}")
        lap("prepare")

        say("exact rules")
        present = present_columns(con, "prepared", list(PREPARED_COLUMNS[entity]))
        ex_l, ex_r, ex_names = _exact_edges(con, "prepared", entity, parsed, present)
        dec_l, dec_r, dec_match = _decisions(decisions, ids)
        lap("exact")

        sc_l = sc_r = np.zeros(0, np.int64)
        sc_w = sc_p = np.zeros(0, np.float64)
        sc_gate = np.zeros(0, bool)
        block_rules = rules_for(entity, present)
        if probabilistic is not None and n < MIN_RECORDS:
            say(f"probabilistic matching skipped: {n} records are too few to train a model")
        if probabilistic is not None and n >= MIN_RECORDS and block_rules:
            # exact clusters (xc): pairs inside one are merged anyway and need no scoring
            components = _components(n, ex_l, ex_r)
            sizes = np.bincount(components).astype(np.float64)
            exact_pairs = float((sizes * (sizes - 1) / 2).sum())
            # the prior: pairs the exact rules found, taken as 70% of all matches (as Splink's estimate does)
            prior = min(0.5, exact_pairs / 0.7 / (n * (n - 1) / 2)) if exact_pairs >= 50 else None
            xc = pa.table({"uid": np.arange(n, dtype=np.int64), "xc": components})
            con.register("xc_view", xc)
            columns = ", ".join(f'p."{c}"' for c in sorted(present))
            con.execute(f"CREATE TABLE records AS SELECT p.uid, x.xc, p.first_han, p.last_han, {columns} "
                        "FROM prepared p JOIN xc_view x USING (uid)")
            con.unregister("xc_view")
            con.execute("DROP TABLE prepared")
            say("blocking: generating candidate pairs")
            count = candidate_pairs(con, "records", block_rules, "candidates", keep=prefilter_sql(entity, present))
            lap("blocking")
            scored = None
            if count:
                say(f"probabilistic matching: {count:,} candidate pairs")
                org = organisational(con, "records", entity, present)
                try:
                    scored = score_pairs(con, "records", "candidates", entity, present, org, prior=prior,
                                         floor_probability=min(SCORE_FLOOR, probabilistic.review_threshold), progress=say)
                except Exception as exc:  # Splink cannot train on this data (too little variety): exact rules only
                    if type(exc).__name__ != "SplinkException":
                        raise
                    say(f"probabilistic matching skipped: the model could not be trained ({str(exc).splitlines()[0]})")
            if scored is not None:
                sc_l, sc_r = scored["uid_l"].to_numpy(np.int64), scored["uid_r"].to_numpy(np.int64)
                sc_w = scored["match_weight"].to_numpy(np.float64)
                sc_p = scored["match_probability"].to_numpy(np.float64)
                sc_gate = scored["gate"].to_numpy(bool)
            lap("splink")
    finally:
        con.close()

    say("clustering")
    forced_l = np.concatenate([dec_l[dec_match], ex_l])
    forced_r = np.concatenate([dec_r[dec_match], ex_r])
    forced_rule = ["decision"] * int(dec_match.sum()) + ex_names
    forced = Edges(forced_l, forced_r, np.full(len(forced_l), np.inf), np.ones(len(forced_l)))
    # a pair failing the gate (e.g. different first names) never merges on its own: review only
    scored_edges = Edges(sc_l, sc_r, sc_w, np.where(sc_gate, sc_p, 0.0))
    threshold = probabilistic.match_threshold if probabilistic is not None else 1.1
    labels, forced_ok, scored_ok = cluster(n, forced, scored_edges, match_probability=threshold,
                                           cannot_link=(dec_l[~dec_match], dec_r[~dec_match]))
    cluster_id = pd.Series(_representatives(ids, labels), index=frame.index, name="cluster_id", dtype="str")
    lap("cluster")

    id_arr = ids.to_numpy()
    pairs = pd.concat([
        pd.DataFrame({"left_id": id_arr[forced_l[forced_ok]], "right_id": id_arr[forced_r[forced_ok]],
                      "rule": np.array(forced_rule, dtype=object)[forced_ok] if len(forced_rule) else np.array([], object),
                      "probability": 1.0}),
        pd.DataFrame({"left_id": id_arr[sc_l[scored_ok]], "right_id": id_arr[sc_r[scored_ok]],
                      "rule": "probabilistic", "probability": sc_p[scored_ok]}),
    ], ignore_index=True)

    review = pd.DataFrame({"left_id": pd.Series(dtype="str"), "right_id": pd.Series(dtype="str"),
                           "probability": pd.Series(dtype="float64")})
    if probabilistic is not None and len(sc_l):
        decided = set(zip(dec_l.tolist(), dec_r.tolist()))
        pick = (sc_p >= probabilistic.review_threshold) & ~scored_ok & (labels[sc_l] != labels[sc_r])
        if decided and pick.any():
            pick &= np.fromiter(((a, b) not in decided for a, b in zip(sc_l.tolist(), sc_r.tolist())), bool, len(sc_l))
        order = np.lexsort((sc_r[pick], sc_l[pick], -sc_p[pick]))
        review = pd.DataFrame({"left_id": id_arr[sc_l[pick][order]], "right_id": id_arr[sc_r[pick][order]],
                               "probability": sc_p[pick][order]})
    say(f"{n:,} records -> {len(np.unique(labels)):,} clusters")
    return Resolution(cluster_id=cluster_id, pairs=pairs, review=review, timings=timings)
