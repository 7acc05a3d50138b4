"""Guards: the documented exceptions to "a pair at or above the match threshold merges".

Each guard can be switched off (spec `dedup.guards: {name: false}`, `handover dedup --no-guard NAME`),
and what it held back is counted (Resolution.guards, ledger.dedup_stats) and, for pairs, put in the
review queue with the guard's name as the reason. The measurements behind each guard are in the
README (section on duplicates) and come from bench/dedup_compare.py.
"""

from __future__ import annotations

from collections.abc import Iterable

GUARDS: dict[str, str] = {
    "shared_values": "an e-mail, phone, domain or tax id held by more than 20 records is a placeholder (na@na.na, "
                     "0000000000) or an organisation's (a switchboard), and is ignored for matching",
    "names": "two records whose names contradict each other (no typo, nickname, initial, truncation, swap or "
             "script difference explains them) do not merge through a rule on an e-mail, phone or domain alone, "
             "nor through the model unless a date of birth vouches for them",
    "shared_evidence": "agreements colleagues and households share (company, office address, switchboard) count "
                       "once: the strongest in full, the others at a tenth",
    "weak_links": "two clusters of several records join only when their records match on average, not through "
                  "one strong pair",
}
# on unless the spec says otherwise; the choice is measured (README, "What each guard does")
DEFAULT_GUARDS = frozenset(GUARDS)
UNITS = {"shared_values": "records"}  # what a guard's count counts; the others count pairs
SHARED_VALUE_RECORDS = 20  # nobody has more records than this in one CRM
IDENTIFIERS = {"contact": {"email": ("email_local", "email_name_like"), "phone": ()},
               "account": {"domain": (), "phone": (), "tax_id": ()}}


def parse_guards(guards: Iterable[str] | None) -> frozenset[str]:
    """The guards switched on (None: DEFAULT_GUARDS); ValueError naming the valid ones for an unknown one."""
    if guards is None:
        return DEFAULT_GUARDS
    chosen = frozenset(guards)
    unknown = sorted(chosen - set(GUARDS))
    if unknown:
        raise ValueError(f"unknown guard {unknown[0]!r}; valid: {', '.join(GUARDS)}")
    return chosen


def drop_shared_values(con, table: str, entity: str) -> dict[str, tuple[int, list[tuple[str, int]]]]:
    """Set to NULL each identifier value held by more than SHARED_VALUE_RECORDS records.
    Returns {column: (records affected, [(value, records), ...the five commonest])}."""
    out = {}
    for column, derived in IDENTIFIERS.get(entity, {}).items():
        has = con.execute(f"SELECT count(*) FROM information_schema.columns WHERE table_name = '{table}' "
                          f"AND column_name = '{column}'").fetchone()[0]
        if not has:
            continue
        common = con.execute(f"""SELECT "{column}", count(*) AS n FROM {table} WHERE "{column}" IS NOT NULL
                                 GROUP BY ALL HAVING count(*) > {SHARED_VALUE_RECORDS} ORDER BY n DESC, 1""").fetchall()
        if not common:
            continue
        sets = ", ".join(f'"{c}" = NULL' for c in (column, *derived))
        con.execute(f"""UPDATE {table} SET {sets} WHERE "{column}" IN (SELECT "{column}" FROM {table}
                        WHERE "{column}" IS NOT NULL GROUP BY ALL HAVING count(*) > {SHARED_VALUE_RECORDS})""")
        out[column] = (sum(n for _, n in common), [(str(v), int(n)) for v, n in common[:5]])
    return out


def guard_rows(entity: str, held: dict[str, int]) -> list[dict]:
    """ledger.dedup_guards rows: every guard, whether it was on (a key of `held`) and what it held back."""
    return [{"entity": entity, "guard": g, "enabled": g in held, "held": int(held.get(g, 0)), "unit": UNITS.get(g, "pairs")}
            for g in GUARDS]
