"""Candidate pairs for the probabilistic matcher, generated in DuckDB.

Each blocking rule is an equality on one or more match columns (or derived keys such as a name's
initial). Blocks larger than the rule's `max_block` are skipped for that rule (a switchboard number
shared by 3,000 colleagues, "john smith"): their true duplicates are still found through the other
rules, and the pair count stays near linear in the number of records. Pairs already joined by an
exact rule (same `xc` label) are left out: they are merged anyway. A caller may pass `keep`, a
pre-filter over the pair; the engine passes none, so that the names guard sees, counts and queues
every pair it holds back.
"""

from __future__ import annotations

from dataclasses import dataclass

# derived blocking keys: name -> (SQL over one record, with {t} for its alias; columns it needs)
DERIVED = {
    "phone_head": ('substr({t}."phone", 1, 7)', ("phone",)),
    "name_head": ('substr({t}."name", 1, 6)', ("name",)),
    "first_initial": ('left({t}."first_name", 1)', ("first_name",)),
    # a local part not made of the name (vincent968@): shared by few but the same person
    "email_local_specific": ('CASE WHEN NOT {t}."email_name_like" THEN {t}."email_local" END',
                             ("email_local", "email_name_like")),
    "last_initial": ('left({t}."last_name", 1)', ("last_name",)),
}


@dataclass(frozen=True)
class Rule:
    keys: tuple[str, ...]
    max_block: int = 100
    names_equal: bool = False   # the keys make the names compatible: no need for the pre-filter
    swapped: bool = False       # l.first = r.last AND l.last = r.first

    def needs(self) -> set[str]:
        out: set[str] = set()
        for key in self.keys:
            out |= set(DERIVED[key][1]) if key in DERIVED else {key}
        return out


CONTACT_RULES: tuple[Rule, ...] = (
    Rule(("email",)), Rule(("phone",), max_block=20), Rule(("first_key", "last_name"), max_block=5, names_equal=True),
    Rule(("last_name", "dob")), Rule(("first_name", "dob")), Rule(("dob", "postcode")), Rule(("dob", "street_num")),
    Rule(("street", "last_name")), Rule(("street",), max_block=8),
    Rule(("last_name", "company"), max_block=30), Rule(("first_key", "company"), max_block=30),
    Rule(("email_local_specific",), max_block=10), Rule(("first_name", "last_name"), swapped=True),
    Rule(("last_name", "postcode", "first_initial"), max_block=30),
    Rule(("first_key", "postcode", "last_initial"), max_block=30),
    Rule(("last_name", "city", "first_initial"), max_block=8),
    Rule(("first_key", "city", "last_initial"), max_block=8),
)
ACCOUNT_RULES: tuple[Rule, ...] = (
    Rule(("name",)), Rule(("domain",)), Rule(("phone",), max_block=30), Rule(("tax_id",)),
    Rule(("street", "postcode"), max_block=30), Rule(("name_head", "city"), max_block=30),
    Rule(("name_head", "postcode"), max_block=30), Rule(("street", "city"), max_block=30),
)


def rules_for(entity: str, present: set[str]) -> list[Rule]:
    """The entity's blocking rules whose columns are all populated."""
    return [r for r in (CONTACT_RULES if entity == "contact" else ACCOUNT_RULES) if r.needs() <= present]


def _key(key: str, alias: str) -> str:
    return DERIVED[key][0].format(t=alias) if key in DERIVED else f'{alias}."{key}"'


def _key_rows_sql(table: str, index: int, rule: Rule) -> str:
    """(rule, side, h, uid, xc) for every record with all keys present; h hashes the key values.
    A swapped rule emits each record twice, (first, last) as side 1 and (last, first) as side 2,
    and only sides 1 and 2 are paired: "john smith" meets "smith john", not another "john smith"."""
    keys = [_key(k, "t") for k in rule.keys]
    not_null = " AND ".join(f"{k} IS NOT NULL" for k in keys)
    if rule.swapped:
        a, b = keys
        return (f"SELECT {index} AS rule, 1 AS side, hash({a}, {b}) AS h, uid, xc FROM {table} t "
                f"WHERE {not_null} AND {a} <> {b} UNION ALL "
                f"SELECT {index} AS rule, 2 AS side, hash({b}, {a}) AS h, uid, xc FROM {table} t "
                f"WHERE {not_null} AND {a} <> {b}")
    return f"SELECT {index} AS rule, 0 AS side, hash({', '.join(keys)}) AS h, uid, xc FROM {table} t WHERE {not_null}"


def candidate_pairs(con, table: str, rules: list[Rule], out: str, *, keep: str = "TRUE") -> int:
    """Create table `out` (match_key, join_key_l, join_key_r) of distinct candidate pairs, l < r, that
    satisfy `keep` (SQL over l. and r., skipped for pairs found by a rule whose keys make the names
    equal); match_key is the index of the first rule that produced the pair. Returns the pair count.

    All rules run as one self-join over (rule, hash of the rule's keys), which DuckDB parallelises."""
    if not rules:
        con.execute(f"CREATE OR REPLACE TABLE {out} (match_key VARCHAR, join_key_l BIGINT, join_key_r BIGINT)")
        return 0
    limits = ", ".join(f"({i}, {r.max_block}, {str(r.names_equal).upper()})" for i, r in enumerate(rules))
    keyed = " UNION ALL ".join(_key_rows_sql(table, i, r) for i, r in enumerate(rules))
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE __block_keys AS
        WITH k AS ({keyed}),
             limits(rule, max_block, names_equal) AS (VALUES {limits}),
             blocks AS (SELECT k.rule, k.h FROM k JOIN limits USING (rule)
                        GROUP BY k.rule, k.h, limits.max_block HAVING count(*) BETWEEN 2 AND limits.max_block)
        SELECT k.* FROM k SEMI JOIN blocks ON k.rule = blocks.rule AND k.h = blocks.h""")
    con.execute(f"""
        CREATE OR REPLACE TABLE {out} AS
        WITH limits(rule, max_block, names_equal) AS (VALUES {limits}),
             raw AS (
                SELECT least(a.uid, b.uid) AS uid_l, greatest(a.uid, b.uid) AS uid_r, min(a.rule) AS rule,
                       bool_or(limits.names_equal) AS trusted
                FROM __block_keys a JOIN __block_keys b
                  ON a.rule = b.rule AND a.h = b.h AND a.uid <> b.uid AND a.side + b.side IN (0, 3)
                     AND (a.uid < b.uid OR a.side = 1)
                JOIN limits ON limits.rule = a.rule
                WHERE a.xc <> b.xc
                GROUP BY least(a.uid, b.uid), greatest(a.uid, b.uid))
        SELECT CAST(raw.rule AS VARCHAR) AS match_key, raw.uid_l AS join_key_l, raw.uid_r AS join_key_r
        FROM raw JOIN {table} l ON l.uid = raw.uid_l JOIN {table} r ON r.uid = raw.uid_r
        WHERE raw.trusted OR ({keep})""")
    con.execute("DROP TABLE __block_keys")
    return con.execute(f"SELECT count(*) FROM {out}").fetchone()[0]
