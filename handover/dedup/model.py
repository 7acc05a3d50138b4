"""The probabilistic matcher: Splink (DuckDB backend) settings, training and scoring.

One Fellegi-Sunter model per call, trained on the data itself: u-probabilities by random sampling
(bounded and seeded), m-probabilities by EM on two blocking rules (bounded pairs; the date of birth's
m fixed from what it is, and a name-like e-mail local part neutral), the prior from the exact
rules' matches (or Splink's deterministic-rule estimate). Term-frequency adjustments on names,
company, phone, city and postcode. Comparisons exist only for the match columns that are populated.
Splink scores the candidate pairs of blocking.py (registered, not Splink's own blocking).

Two corrections on top of Splink's match weight, both computed in SQL over the scored pairs:

* organisational evidence is capped. Colleagues share company, office address and switchboard;
  the model adds those agreements up as if independent and would merge colleagues. When the data
  shows that structure (a company column, or addresses shared by several different people), the
  strongest of those agreements counts in full and the others by ORG_EXTRA_SHARE.
* a gate: a pair merges on its own only if the names are compatible (typos, nicknames, initials,
  swapped first/last, a Han homophone) or a date of birth vouches for it; otherwise it can only go
  to review.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
from collections.abc import Callable

import pandas as pd

log = logging.getLogger(__name__)

MIN_COVERAGE = 0.01      # a match column needs values in 1% of rows to be compared
ORG_EXTRA_SHARE = 0.1    # weight kept by organisational agreements beyond the strongest one
SHARED_ADDRESS = 0.10    # addresses are organisational when this share of records shares one with 3+ names
ADDRESS = ("street", "street_num", "city", "postcode", "state")
DOB_M = (0.85, 0.06, 0.04, 0.02, 0.03)  # exact, one typo, day/month swapped, two typos, else


def _null(col: str) -> dict:
    return {"sql_condition": f'"{col}_l" IS NULL OR "{col}_r" IS NULL', "label_for_charts": "null", "is_null_level": True}


def _level(sql: str, label: str, tf: str | None = None) -> dict:
    level = {"sql_condition": sql, "label_for_charts": label}
    if tf:
        level |= {"tf_adjustment_column": tf, "tf_adjustment_weight": 1.0}
    return level


def _else() -> dict:
    return {"sql_condition": "ELSE", "label_for_charts": "else"}


def _exact(col: str, tf: bool = False) -> dict:
    return _level(f'"{col}_l" = "{col}_r"', "exact", col if tf else None)


def _jw(col: str, threshold: float) -> dict:
    return _level(f'jaro_winkler_similarity("{col}_l", "{col}_r") >= {threshold}', f"jaro_winkler >= {threshold}")


def _lev(col: str, distance: int) -> dict:
    return _level(f'levenshtein("{col}_l", "{col}_r") <= {distance}', f"levenshtein <= {distance}")


def _dl(col: str, distance: int) -> dict:
    """Damerau-Levenshtein: a transposition (jonh / john, 0123 / 0213) is one typo, not two."""
    return _level(f'damerau_levenshtein("{col}_l", "{col}_r") <= {distance}', f"damerau_levenshtein <= {distance}")


def _truncated(col: str, shortest: int = 3) -> dict:
    """One value cut short of the other (a field length limit, a typist giving up): Christ / Christopher."""
    l, r = f'"{col}_l"', f'"{col}_r"'
    return _level(f"least(length({l}), length({r})) >= {shortest} AND (starts_with({l}, {r}) OR starts_with({r}, {l}))",
                  "one is a prefix of the other")


def _initial(col: str) -> dict:
    l, r = f'"{col}_l"', f'"{col}_r"'
    return _level(f"least(length({l}), length({r})) = 1 AND left({l}, 1) = left({r}, 1)", "initial")


def _comparison(name: str, levels: list[dict]) -> dict:
    return {"output_column_name": name, "comparison_levels": levels}


def _simple(col: str, *levels: dict) -> dict:
    return _comparison(col, [_null(col), *levels, _else()])


def _name_comparisons(present: set[str]) -> list[dict]:
    out = []
    swap = {"first_name", "last_name"} <= present
    if "first_name" in present:
        levels = [_exact("first_name", tf=True)]
        if "first_keys" in present:
            levels.append(_level('list_has_any("first_keys_l", "first_keys_r")', "nickname or first word"))
        levels += [_jw("first_name", 0.92), _truncated("first_name"), _initial("first_name"), _jw("first_name", 0.80)]
        if "first_key" in present:  # (a contact: first_han exists) 晓明 / 小明: an input method's homophone in a given name
            levels.append(_level(f'"first_han_l" AND "first_han_r" AND {han_one_char("first_name_l", "first_name_r", 2)}',
                                 "Han given name, one character differs"))
        if swap:
            levels.append(_level('"first_name_l" = "last_name_r"', "swapped with last name"))
        out.append(_simple("first_name", *levels))
    if "last_name" in present:
        levels = [_exact("last_name", tf=True), _jw("last_name", 0.92), _truncated("last_name"), _jw("last_name", 0.80)]
        if swap:
            levels.append(_level('"last_name_l" = "first_name_r"', "swapped with first name"))
        out.append(_simple("last_name", *levels))
    return out


def _address_comparisons(present: set[str]) -> list[dict]:
    out = []
    if "street" in present:
        out.append(_simple("street", _exact("street"), _jw("street", 0.92), _jw("street", 0.80)))
    if "street_num" in present:
        out.append(_simple("street_num", _exact("street_num")))
    if "city" in present:
        out.append(_simple("city", _exact("city", tf=True), _jw("city", 0.88)))
    if "postcode" in present:
        out.append(_simple("postcode", _exact("postcode", tf=True), _lev("postcode", 1)))
    if "state" in present:
        out.append(_simple("state", _exact("state")))
    return out


def _contact_comparisons(present: set[str]) -> list[dict]:
    out = _name_comparisons(present)
    if "dob" in present:
        swapped = ('substr("dob_l", 1, 4) = substr("dob_r", 1, 4) AND substr("dob_l", 5, 2) = substr("dob_r", 7, 2) '
                   'AND substr("dob_l", 7, 2) = substr("dob_r", 5, 2)')
        # m fixed from what a date of birth is: the same in two records of one person, barring a typo
        # or an ambiguous DD/MM order (EM, confused by namesakes, makes a differing date look harmless)
        levels = [_exact("dob"), _lev("dob", 1), _level(swapped, "day and month swapped"), _lev("dob", 2), _else()]
        for level, m in zip(levels, DOB_M):
            level |= {"m_probability": m, "fix_m_probability": True}
        out.append(_comparison("dob", [_null("dob"), *levels]))
    if "email" in present:
        local = []
        if "email_local" in present:
            same = '"email_local_l" = "email_local_r"'
            name_like = '"email_name_like_l" AND "email_name_like_r"'
            local = [_level(f"{same} AND NOT ({name_like})", "same local part"),
                     # made of the name, which is compared already: no evidence of its own
                     {**_level(same, "same name-like local part"), "m_probability": 0.5, "u_probability": 0.5,
                      "fix_m_probability": True, "fix_u_probability": True}]
        out.append(_simple("email", _exact("email"), *local, _dl("email", 2)))
    if "phone" in present:
        out.append(_simple("phone", _exact("phone", tf=True), _dl("phone", 1), _dl("phone", 2)))
    if "company" in present:
        out.append(_simple("company", _exact("company", tf=True), _jw("company", 0.92), _truncated("company", 4),
                           _jw("company", 0.8)))
    return out + _address_comparisons(present)


def _account_comparisons(present: set[str]) -> list[dict]:
    out = []
    if "name" in present:
        out.append(_simple("name", _exact("name", tf=True), _jw("name", 0.92), _truncated("name", 4), _jw("name", 0.80)))
    if "domain" in present:
        out.append(_simple("domain", _exact("domain", tf=True)))
    if "phone" in present:
        out.append(_simple("phone", _exact("phone", tf=True), _dl("phone", 1), _dl("phone", 2)))
    if "tax_id" in present:
        out.append(_simple("tax_id", _exact("tax_id"), _lev("tax_id", 1)))
    return out + _address_comparisons(present)


def comparisons_for(entity: str, present: set[str]) -> list[dict]:
    return _contact_comparisons(present) if entity == "contact" else _account_comparisons(present)


def _eq(*cols: str) -> str:
    return " AND ".join(f'l."{c}" = r."{c}"' for c in cols)


def training_rules(entity: str, present: set[str]) -> list[str]:
    """EM blocking rules: each leaves most comparisons free to be estimated."""
    if entity == "contact":
        candidates = [("email",), ("phone",), ("dob",), ("first_key", "last_name"), ("postcode", "street_num")]
    else:
        candidates = [("name",), ("domain",), ("phone",), ("postcode", "street_num")]
    return [_eq(*c) for c in candidates if set(c) <= present][:2]


def deterministic_rules(entity: str, present: set[str]) -> list[str]:
    """Rules with few false positives, for the prior (probability that two records match)."""
    if entity == "contact":
        candidates = [("first_key", "last_name", "dob"), ("email",), ("first_key", "last_name", "phone")]
    else:
        candidates = [("name", "domain"), ("tax_id",), ("name", "phone")]
    return [_eq(*c) for c in candidates if set(c) <= present]


def organisational(con, table: str, entity: str, present: set[str]) -> tuple[str, ...]:
    """The comparisons whose agreements are shared by whole organisations in this data."""
    if entity == "account":
        return tuple(c for c in ("phone", *ADDRESS) if c in present)
    address_shared = False
    if "street" in present and "last_name" in present:
        share = con.execute(f"""
            SELECT avg(CASE WHEN names >= 3 THEN 1.0 ELSE 0.0 END) FROM (
                SELECT count(DISTINCT last_name) OVER (PARTITION BY street) AS names FROM {table}
                WHERE street IS NOT NULL AND last_name IS NOT NULL)""").fetchone()[0]
        address_shared = (share or 0.0) >= SHARED_ADDRESS
    if "company" not in present and not address_shared:
        return ()  # addresses are home addresses: personal, independent evidence
    return tuple(c for c in ("company", "phone", *ADDRESS) if c in present)


def _weight(probability: float) -> float:
    probability = min(max(probability, 1e-12), 1 - 1e-12)
    return math.log2(probability / (1 - probability))


def adjusted_weight_sql(comparisons: list[dict], org: tuple[str, ...]) -> str:
    """Splink's match weight with the organisational comparisons' joint contribution capped: the
    strongest agreement counts in full, further ones by ORG_EXTRA_SHARE, disagreements in full."""
    names = {c["output_column_name"]: c for c in comparisons}
    parts = []
    for name in org:
        if name in names:
            tf = any("tf_adjustment_column" in level for level in names[name]["comparison_levels"])
            parts.append(f"coalesce(mw_{name}, 0)" + (f" + coalesce(mw_tf_adj_{name}, 0)" if tf else ""))
    if len(parts) < 2:
        return "match_weight"
    total = " + ".join(f"({p})" for p in parts)
    positives = [f"greatest({p}, 0)" for p in parts]
    negatives = " + ".join(f"least({p}, 0)" for p in parts)
    strongest = f"greatest({', '.join(positives)})"
    capped = f"{negatives} + {strongest} + {ORG_EXTRA_SHARE} * ({' + '.join(positives)} - {strongest})"
    return f"(match_weight - ({total}) + {capped})"


def han_one_char(l: str, r: str, min_length: int = 1) -> str:
    """SQL: two Han strings of the same length (1 to 3 characters) differing in one character.
    (DuckDB's levenshtein counts UTF-8 bytes, so it is not used for Han text.)"""
    return (f"(length({l}) = length({r}) AND length({l}) >= {min_length} AND CASE length({l}) WHEN 1 THEN TRUE "
            f"WHEN 2 THEN left({l}, 1) = left({r}, 1) OR right({l}, 1) = right({r}, 1) "
            f"WHEN 3 THEN left({l}, 2) = left({r}, 2) OR right({l}, 2) = right({r}, 2) "
            f"OR (left({l}, 1) = left({r}, 1) AND right({l}, 1) = right({r}, 1)) ELSE FALSE END)")


def _compatible(left: str, right: str, nickname: str | None = None, loose: bool = False) -> str:
    """Two name parts that could be the same person's: either missing, equal, the same nickname key,
    an initial or a prefix of the other (Chris / Christopher), written in different scripts (王 / Wang:
    cannot tell), or (Latin) one typo apart (two for names of 7+ letters) or Jaro-Winkler >= 0.92;
    `loose` (for exact rules) allows two typos or Jaro-Winkler >= 0.8. Two Han names must be equal
    here (see names_sql). Written as a CASE so that DuckDB evaluates the costly distances only where
    the cheap tests did not decide."""
    l, r = f'l."{left}"', f'r."{right}"'
    lh, rh = f'l."{left.split("_")[0]}_han"', f'r."{right.split("_")[0]}_han"'
    nick = f' OR list_has_any(l."{nickname}", r."{nickname}")' if nickname else ""
    typos = "2" if loose else f"CASE WHEN least(length({l}), length({r})) >= 7 THEN 2 ELSE 1 END"
    return (f"CASE WHEN {l} IS NULL OR {r} IS NULL OR {l} = {r}{nick} THEN TRUE "
            f"WHEN left({l}, 1) = left({r}, 1) AND least(length({l}), length({r})) = 1 THEN TRUE "
            f"WHEN {lh} <> {rh} THEN TRUE WHEN {lh} THEN FALSE "
            f"WHEN least(length({l}), length({r})) >= 3 AND (starts_with({l}, {r}) OR starts_with({r}, {l})) THEN TRUE "
            f"WHEN abs(length({l}) - length({r})) > {3 if loose else 2} THEN FALSE "
            f"WHEN jaro_winkler_similarity({l}, {r}) >= {0.8 if loose else 0.92} THEN TRUE "
            f"ELSE levenshtein({l}, {r}) <= {typos} END")


def names_sql(entity: str, present: set[str], loose: bool = False) -> str:
    """SQL (over l. and r.): the names do not contradict each other (the same person could have them).
    Han names may differ in one character of one part when the other part is equal (an input
    method's homophone: 张超娟 / 张超鹃)."""
    if entity == "account":
        if "name" not in present:
            return "TRUE"
        return ('CASE WHEN l."name" IS NULL OR r."name" IS NULL OR l."name" = r."name" THEN TRUE '
                f'ELSE jaro_winkler_similarity(l."name", r."name") >= {0.7 if loose else 0.8} END')
    has_first, has_last = "first_name" in present, "last_name" in present
    if not (has_first or has_last):
        return "TRUE"
    nick = "first_keys" if "first_keys" in present else None
    first = _compatible("first_name", "first_name", nick, loose) if has_first else "TRUE"
    last = _compatible("last_name", "last_name", None, loose) if has_last else "TRUE"
    whens = [f"CASE WHEN {first} THEN {last} ELSE FALSE END"]
    if has_first and has_last:
        whens.append(f'l."first_name" = r."last_name" AND {_compatible("last_name", "first_name", None, loose)}')
        whens.append(f'l."last_name" = r."first_name" AND {_compatible("first_name", "last_name", None, loose)}')
        for part, other in (("first", "last"), ("last", "first")):
            whens.append(f'l."{other}_name" = r."{other}_name" AND l."{part}_han" AND r."{part}_han" '
                         f'AND {han_one_char(f"l.{part}_name", f"r.{part}_name")}')
    return "CASE " + " ".join(f"WHEN {w} THEN TRUE" for w in whens) + " ELSE FALSE END"


def gate_sql(entity: str, present: set[str]) -> str:
    """SQL (over l. and r. records) that must hold for a probabilistic pair to merge on its own:
    compatible names (a contact), or a date of birth equal or one typo apart (it vouches for a
    mistyped name); for accounts a compatible name, or the same domain or tax id."""
    if entity == "contact":
        names = names_sql(entity, present)
        if "dob" not in present:
            return names
        return (f'CASE WHEN l."dob" = r."dob" THEN TRUE WHEN {names} THEN TRUE '
                f'ELSE coalesce(levenshtein(l."dob", r."dob") <= 1, FALSE) END')
    alternatives = [f'l."{c}" = r."{c}"' for c in ("domain", "tax_id") if c in present]
    if "name" in present:
        alternatives.append('l."name" IS NULL OR r."name" IS NULL OR l."name" = r."name"')
        alternatives.append('jaro_winkler_similarity(l."name", r."name") >= 0.9')
    if not alternatives:
        return "TRUE"
    return "CASE " + " ".join(f"WHEN {w} THEN TRUE" for w in alternatives) + " ELSE FALSE END"


def present_columns(con, table: str, columns: list[str], notes: list[str] | None = None) -> set[str]:
    """Match columns populated in at least MIN_COVERAGE of the rows and holding at least two
    different values (a constant says nothing about who is who). Each column left out for a reason
    other than being absent from the input is named in `notes`."""
    typed = dict(con.execute(f"SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '{table}'").fetchall())
    counts = con.execute(f"SELECT count(*), {', '.join(f'count({c})' for c in columns)}, "
                         + ", ".join(f"approx_count_distinct({c})" if typed.get(c) == "VARCHAR" else "2" for c in columns)
                         + f" FROM {table}").fetchone()
    n = max(counts[0], 1)
    filled, distinct = counts[1:len(columns) + 1], counts[len(columns) + 1:]
    present = set()
    for column, k, d in zip(columns, filled, distinct):
        if k == 0:
            continue  # not in the input, or nothing usable in it: said by the caller per input column
        if k / n < MIN_COVERAGE:
            if notes is not None:
                notes.append(f"comparison {column} dropped: only {k:,} of {n:,} records have a usable value")
        elif d < 2:
            if notes is not None:
                notes.append(f"comparison {column} dropped: every record with a value has the same one")
        else:
            present.add(column)
    return present


def connect(memory_limit: str | None = None, temp_dir: str | None = None, threads: int | None = None):
    """An in-memory DuckDB connection with bounded memory and a spill directory."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute(f"SET memory_limit = '{memory_limit or os.environ.get('HANDOVER_DEDUP_MEMORY', '2GB')}'")
    spill = temp_dir or os.environ.get("HANDOVER_DEDUP_TMP") or os.path.join(tempfile.gettempdir(), "handover-dedup")
    con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET preserve_insertion_order = false")
    con.execute("SET enable_progress_bar = false")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"uid_l": pd.Series(dtype="int64"), "uid_r": pd.Series(dtype="int64"),
                         "match_weight": pd.Series(dtype="float64"), "raw_weight": pd.Series(dtype="float64"),
                         "match_probability": pd.Series(dtype="float64"), "raw_probability": pd.Series(dtype="float64"),
                         "gate": pd.Series(dtype="bool")})


def score_pairs(
    con, table: str, candidates: str, entity: str, present: set[str], org: tuple[str, ...], *,
    floor_probability: float, prior: float | None = None, progress: Callable[[str], None] | None = None, seed: int = 42,
    u_max_pairs: float = 1e6, em_max_pairs: float = 2e5, check_names: bool = True,
) -> pd.DataFrame:
    """Train a model on `table` (uid + match columns) and score the `candidates` pairs (match_key,
    join_key_l, join_key_r). `prior`: the probability that two random records match, if known
    (else estimated from deterministic rules with 70% recall). Returns uid_l, uid_r, match_weight,
    match_probability (both after the organisational cap), raw_weight and raw_probability (before it)
    and gate (names compatible; TRUE when not `check_names`), for pairs with raw probability >=
    floor_probability. Deterministic: seeded sampling, hash-based EM sampling, weights rounded."""
    from splink import DuckDBAPI, Linker, SettingsCreator

    say = progress or (lambda _m: None)
    comparisons = comparisons_for(entity, present)
    if not comparisons:
        return _empty()
    logging.getLogger("splink").setLevel(logging.ERROR)
    db_api = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="dedupe_only", unique_id_column_name="uid", comparisons=comparisons,
        blocking_rules_to_generate_predictions=[], retain_intermediate_calculation_columns=True,
        retain_matching_columns=False, max_iterations=12, em_convergence=0.002,
        **({"probability_two_random_records_match": prior} if prior is not None else {}),
    )
    linker = Linker(db_api.register(table), settings, log_level=None)
    det = deterministic_rules(entity, present)
    if prior is None and det:
        try:
            linker.training.estimate_probability_two_random_records_match(det, recall=0.7)
        except Exception as exc:  # too many or too few matches for the recall: keep the default prior
            log.info("prior estimate skipped: %s", exc)
    say("estimating u-probabilities (random sample)")
    linker.training.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    say("estimating m-probabilities (EM)")
    for rule in training_rules(entity, present):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=em_max_pairs)
        except Exception as exc:  # e.g. a rule that blocks no pairs
            log.info("EM on %s skipped: %s", rule, exc)
    say("scoring candidate pairs")
    linker.table_management.register_blocked_pairs_for_predict(db_api.register(candidates))
    floor = _weight(floor_probability)
    predictions = linker.inference.predict(threshold_match_weight=floor, warning_mode="never")
    weight = adjusted_weight_sql(comparisons, org)
    pairs = con.execute(f"""
        WITH p AS (SELECT uid_l, uid_r, round({weight}, 6) AS match_weight, round(match_weight, 6) AS raw_weight
                   FROM {predictions.physical_name})
        SELECT p.uid_l, p.uid_r, p.match_weight, p.raw_weight,
               1.0 / (1.0 + pow(2.0, -p.match_weight)) AS match_probability,
               1.0 / (1.0 + pow(2.0, -p.raw_weight)) AS raw_probability,
               {gate_sql(entity, present) if check_names else "TRUE"} AS gate
        FROM p JOIN {table} l ON l.uid = p.uid_l JOIN {table} r ON r.uid = p.uid_r
        WHERE p.raw_weight >= {floor}""").df()
    predictions.drop_table_from_database_and_remove_from_cache()
    return pairs if len(pairs) else _empty()
