"""Candidate pairs for the probabilistic matcher, generated in DuckDB.

Each blocking rule is an equality on one or more match columns. Blocks larger than `max_block`
records are skipped for that rule (a switchboard number shared by 3,000 colleagues, "john smith"):
their true duplicates are still found through the other rules, and the pair count stays near
linear in the number of records. Pairs already joined by an exact rule (same `xc` label) are left
out: they are merged anyway.
"""

from __future__ import annotations

DEFAULT_MAX_BLOCK = 100

CONTACT_RULES: tuple[tuple[str, ...], ...] = (
    ("email",), ("phone",), ("first_key", "last_name"), ("last_name", "dob"), ("first_name", "dob"),
    ("dob", "postcode"), ("last_name", "postcode"), ("first_name", "postcode"), ("street", "last_name"),
    ("last_name", "company"), ("first_key", "company"), ("email_local",), ("dob", "street_num"),
    ("last_name", "city"), ("first_name", "city"), ("first_name", "last_name_swapped"),
    ("last_name", "phone_head"), ("first_name", "phone_head"),
)
ACCOUNT_RULES: tuple[tuple[str, ...], ...] = (
    ("name",), ("domain",), ("phone",), ("tax_id",), ("street", "postcode"), ("name_head", "city"),
    ("name_head", "postcode"), ("street", "city"),
)

# derived blocking columns: name -> (SQL expression over the prepared table, columns it needs)
DERIVED = {
    # pairs (first, last) with (last, first): blocked on l.first = r.last and l.last = r.first
    "last_name_swapped": ("last_name", ("last_name",)),
    "phone_head": ("substr(phone, 1, 7)", ("phone",)),
    "name_head": ("substr(name, 1, 6)", ("name",)),
}


def rules_for(entity: str, present: set[str]) -> list[tuple[str, ...]]:
    """The entity's blocking rules whose columns are all populated."""
    out = []
    for rule in CONTACT_RULES if entity == "contact" else ACCOUNT_RULES:
        needed = set()
        for c in rule:
            needed |= set(DERIVED[c][1]) if c in DERIVED else {c}
        if needed <= present:
            out.append(rule)
    return out


def _rule_sql(table: str, rule: tuple[str, ...], max_block: int) -> str:
    if rule == ("first_name", "last_name_swapped"):
        # l.first = r.last AND l.last = r.first; a block is a {first, last} name pair
        return f"""
        SELECT l.uid AS uid_l, r.uid AS uid_r FROM {table} l JOIN {table} r
          ON l.first_name = r.last_name AND l.last_name = r.first_name AND l.first_name <> l.last_name
        WHERE l.uid < r.uid AND l.xc <> r.xc"""
    exprs = [DERIVED[c][0] if c in DERIVED else f'"{c}"' for c in rule]
    keys = ", ".join(f"{e} AS k{i}" for i, e in enumerate(exprs))
    not_null = " AND ".join(f"{e} IS NOT NULL" for e in exprs)
    on = " AND ".join(f"l.k{i} = r.k{i}" for i in range(len(exprs)))
    part = ", ".join(f"k{i}" for i in range(len(exprs)))
    return f"""
        SELECT l.uid AS uid_l, r.uid AS uid_r
        FROM (SELECT uid, xc, {keys}, count(*) OVER (PARTITION BY {part}) AS n FROM {table} WHERE {not_null}) l
        JOIN (SELECT uid, xc, {keys} FROM {table} WHERE {not_null}) r ON {on}
        WHERE l.n <= {max_block} AND l.uid < r.uid AND l.xc <> r.xc"""


def candidate_pairs(con, table: str, rules: list[tuple[str, ...]], out: str, *, max_block: int = DEFAULT_MAX_BLOCK) -> int:
    """Create table `out` (match_key, join_key_l, join_key_r) of distinct candidate pairs, l < r;
    match_key is the index of the first rule that produced the pair. Returns the pair count."""
    if not rules:
        con.execute(f"CREATE OR REPLACE TABLE {out} (match_key VARCHAR, join_key_l BIGINT, join_key_r BIGINT)")
        return 0
    union = " UNION ALL ".join(f"SELECT {i} AS rule, uid_l, uid_r FROM ({_rule_sql(table, r, max_block)})"
                               for i, r in enumerate(rules))
    con.execute(f"""
        CREATE OR REPLACE TABLE {out} AS
        SELECT CAST(min(rule) AS VARCHAR) AS match_key, uid_l AS join_key_l, uid_r AS join_key_r
        FROM ({union}) GROUP BY uid_l, uid_r""")
    return con.execute(f"SELECT count(*) FROM {out}").fetchone()[0]
