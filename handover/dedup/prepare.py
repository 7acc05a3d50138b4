"""Match normalisation: the comparable form of every canonical column, for matching only.

The values a user sees are never changed here; these are keys. Text goes through NFKC, case folding,
accent stripping, Traditional -> Simplified Chinese and punctuation -> single spaces. Emails are lower
case with `+tags` (and, for Gmail, dots) removed and role mailboxes (info@, sales@) dropped; phones
are their last 10 digits (so +86 / 0086 / trunk-0 prefixes agree); company names lose their legal
form (Ltd, GmbH, 有限公司, ...); first names also get a nickname-folded key (Bob -> robert); dates
become YYYYMMDD.

The per-value Python work (NFKC, Chinese conversion) runs once per distinct non-ASCII value; the rest
is one DuckDB query (vectorised, multi-threaded RE2), so a million rows take seconds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from handover.dedup.tables import LEGAL_FORMS_CJK, LEGAL_FORMS_LATIN, NAME_TITLES, NICKNAMES

CONTACT_COLUMNS = ("first_name", "last_name", "full_name", "email", "phone", "company", "street", "city",
                   "postcode", "state", "country", "date_of_birth")
ACCOUNT_COLUMNS = ("name", "domain", "phone", "street", "city", "postcode", "state", "country", "tax_id")
CANONICAL = {"contact": CONTACT_COLUMNS, "account": ACCOUNT_COLUMNS}

# rule component (canonical name, plus "name") -> prepared key columns that must all be present and equal
RULE_KEYS = {
    "contact": {
        "email": ("email",), "phone": ("phone",), "name": ("first_key", "last_name"),
        "full_name": ("first_key", "last_name"), "first_name": ("first_key",), "last_name": ("last_name",),
        "company": ("company",), "street": ("street",), "city": ("city",), "postcode": ("postcode",),
        "state": ("state",), "country": ("country",), "date_of_birth": ("dob",),
    },
    "account": {
        "name": ("name",), "domain": ("domain",), "phone": ("phone",), "street": ("street",), "city": ("city",),
        "postcode": ("postcode",), "state": ("state",), "country": ("country",), "tax_id": ("tax_id",),
    },
}
PREPARED_COLUMNS = {
    "contact": ("first_name", "last_name", "first_key", "email", "email_local", "phone", "company", "dob",
                "street", "street_num", "city", "postcode", "state", "country"),
    "account": ("name", "domain", "phone", "tax_id", "street", "street_num", "city", "postcode", "state", "country"),
}
ROLE_MAILBOXES = ("info", "sales", "admin", "contact", "office", "support", "service", "hello", "enquiries",
                  "enquiry", "marketing", "hr", "finance", "accounts", "noreply", "no-reply", "mail", "team", "help")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def check_entity(entity: str) -> None:
    if entity not in CANONICAL:
        raise ValueError(f"unknown entity {entity!r}; valid: {', '.join(CANONICAL)}")


@lru_cache(maxsize=1)
def _t2s() -> dict[int, str]:
    """Traditional -> Simplified, character by character, from OpenCC's TSCharacters dictionary
    (shipped by opencc-python-reimplemented). Phrase-level rules are not needed for a match key:
    both sides go through the same table."""
    from importlib.resources import files

    table: dict[int, str] = {}
    text = files("opencc").joinpath("dictionary", "TSCharacters.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1 and parts[1]:
            table[ord(parts[0])] = parts[1].split(" ")[0]
    return table


def fold_unicode(value: str) -> str:
    """NFKC, case fold, accents off, Traditional -> Simplified Chinese (for non-ASCII values)."""
    value = unicodedata.normalize("NFKC", value).casefold()
    if _CJK.search(value):
        value = value.translate(_t2s())
    decomposed = unicodedata.normalize("NFKD", value)
    if decomposed != value:
        value = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return value


def as_arrow_strings(series: pd.Series) -> pa.Array:
    """A column as an Arrow large_string array; None / NaN / NA are nulls, other values str()."""
    if series.dtype == "str":
        arr = pa.array(series.array)
        return (arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr).cast(pa.large_string())
    values = series.to_numpy(dtype=object, na_value=None)
    missing = pd.isna(values)
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        values = np.array([None if m else str(v) for v, m in zip(values, missing)], dtype=object)
    return pa.array(values, type=pa.large_string(), from_pandas=True)


def _folded(series: pd.Series) -> pa.Array:
    """The column as an Arrow string array, non-ASCII values folded (once per distinct value)."""
    arr = as_arrow_strings(series)
    non_ascii = pc.fill_null(pc.invert(pc.string_is_ascii(arr)), False)
    if not pc.any(non_ascii).as_py():
        return arr
    uniques = pc.unique(arr.filter(non_ascii))
    mapped = pa.array([fold_unicode(v) for v in uniques.to_pylist()], pa.large_string())
    positions = pc.index_in(arr, value_set=uniques)
    return pc.if_else(non_ascii, pc.take(mapped, positions), arr)


def _words(x: str) -> str:
    return f"nullif(trim(regexp_replace(lower({x}), '[^\\p{{L}}\\p{{N}}]+', ' ', 'g')), '')"


def _squash(x: str) -> str:
    return f"nullif(replace({x}, ' ', ''), '')"


def _sql_list(values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


_LATIN_FORMS = "|".join(re.escape(f).replace("\\ ", " ") for f in sorted(LEGAL_FORMS_LATIN, key=len, reverse=True))
_LEGAL_FORM_AT_END = f"(?: (?:{_LATIN_FORMS})|(?:{'|'.join(LEGAL_FORMS_CJK)}))$"

_TITLES = "|".join(NAME_TITLES)
_AFTER_COMMA = "regexp_replace(" + _words("regexp_extract(raw, ',(.*)$', 1)") + f", '^(?:(?:{_TITLES}) )+', '')"
_BEFORE_COMMA = _words("regexp_extract(raw, '^([^,]*),', 1)")

# Recipes: per canonical column, steps (name, SQL over `raw` and earlier steps) evaluated once per
# distinct raw value, and the outputs kept. Nested SELECT layers keep every regex evaluated once.
Recipe = tuple[list[tuple[str, str]], list[str]]
_TEXT: Recipe = ([("w", _words("raw")), ("v", _squash("w"))], ["v"])
RECIPES: dict[str, Recipe] = {
    "first_name": ([("v", _words("raw"))], ["v"]),
    "last_name": ([("v", _words("raw"))], ["v"]),
    "full_name": ([
        ("w0", _words("raw")),
        ("w", f"nullif(trim(regexp_replace(regexp_replace(w0, '^(?:(?:{_TITLES}) )+', ''), "
              "' (?:jr|sr|ii|iii|iv|phd|md|esq)$', '')), '')"),
        ("comma", "contains(raw, ',')"),
        ("han", "regexp_matches(w, '^\\p{Han}+$')"),
        ("first", f"CASE WHEN comma THEN {_AFTER_COMMA} "
                  "WHEN han THEN nullif(substr(w, 2), '') "
                  "ELSE nullif(regexp_extract(w, '^(.*\\S)\\s+\\S+$', 1), '') END"),
        ("last", f"CASE WHEN comma THEN {_BEFORE_COMMA} "
                 "WHEN han THEN substr(w, 1, 1) ELSE nullif(regexp_extract(w, '(\\S+)$', 1), '') END"),
    ], ["first", "last"]),
    "email": ([
        ("e", "replace(replace(replace(lower(trim(raw)), 'mailto:', ''), ' ', ''), '\t', '')"),
        ("at_pos", "strpos(e, '@')"),
        ("d0", "CASE WHEN at_pos > 1 AND strpos(substr(e, at_pos + 1), '@') = 0 THEN rtrim(substr(e, at_pos + 1), '.') END"),
        ("domain", "CASE WHEN d0 = 'googlemail.com' THEN 'gmail.com' WHEN contains(d0, '.') THEN d0 END"),
        ("local0", "nullif(split_part(substr(e, 1, at_pos - 1), '+', 1), '')"),
        ("local1", "CASE WHEN domain = 'gmail.com' THEN replace(local0, '.', '') ELSE local0 END"),
        ("local", f"CASE WHEN domain IS NOT NULL AND local1 NOT IN ({_sql_list(ROLE_MAILBOXES)}) THEN local1 END"),
        ("email", "local || '@' || domain"),
    ], ["email", "local"]),
    "phone": ([
        ("x", "CASE WHEN regexp_matches(raw, '[^0-9 ()+.-]') "
              "THEN regexp_replace(lower(raw), '(?:ext\\.?|x|#|;ext=|分机|转).*$', '') ELSE raw END"),
        ("d", "regexp_replace(x, '[^0-9]', '', 'g')"),
        ("v", "CASE WHEN length(d) >= 7 THEN right(d, 10) END"),
    ], ["v"]),
    "company": ([
        ("w", _words("replace(raw, '&', ' and ')")),
        ("s0", "regexp_replace(w, '^the ', '')"),
        ("s1", f"trim(regexp_replace(s0, '{_LEGAL_FORM_AT_END}', ''))"),
        ("s2", f"trim(regexp_replace(s1, '{_LEGAL_FORM_AT_END}', ''))"),
        ("s3", f"trim(regexp_replace(s2, '{_LEGAL_FORM_AT_END}', ''))"),  # "acme holdings co ltd" -> "acme"
        ("v", _squash("coalesce(nullif(s3, ''), w)")),
    ], ["v"]),
    "name": None,  # accounts: as company, filled below
    "date_of_birth": ([
        ("t", "trim(raw)"),
        ("ymd", "regexp_extract(t, '^(\\d{4})\\D?(\\d{1,2})\\D?(\\d{1,2})(?:\\D|$)', ['y', 'm', 'd'])"),
        ("dmy", "regexp_extract(t, '^(\\d{1,2})\\D(\\d{1,2})\\D(\\d{4})(?:\\D|$)', ['a', 'b', 'y'])"),
        # DD/MM/YYYY unless the second number cannot be a month (then MM/DD/YYYY)
        ("v", "CASE WHEN ymd.y <> '' THEN ymd.y || lpad(ymd.m, 2, '0') || lpad(ymd.d, 2, '0') "
              "WHEN dmy.y <> '' AND TRY_CAST(dmy.b AS INTEGER) > 12 AND TRY_CAST(dmy.a AS INTEGER) <= 12 "
              "THEN dmy.y || lpad(dmy.a, 2, '0') || lpad(dmy.b, 2, '0') "
              "WHEN dmy.y <> '' THEN dmy.y || lpad(dmy.b, 2, '0') || lpad(dmy.a, 2, '0') END"),
    ], ["v"]),
    "street": ([
        ("w", _words("raw")),
        ("v", _squash("w")),
        ("num", "nullif(regexp_extract(w, '(\\d+[a-z]?)', 1), '')"),
    ], ["v", "num"]),
    "domain": ([
        ("d0", "regexp_replace(regexp_replace(lower(raw), '\\s+', '', 'g'), '^[^@/]*@', '')"),
        ("d1", "regexp_replace(regexp_replace(d0, '^[a-z][a-z0-9+.-]*://', ''), '[/?#:].*$', '')"),
        ("d2", "trim(regexp_replace(d1, '^www[0-9]?\\.', ''), '.')"),
        ("v", "CASE WHEN contains(d2, '.') THEN d2 END"),
    ], ["v"]),
    "city": _TEXT, "postcode": _TEXT, "state": _TEXT, "country": _TEXT, "tax_id": _TEXT,
}
RECIPES["name"] = RECIPES["company"]


def _recipe_sql(column: str, source: str) -> str:
    steps, outputs = RECIPES[column]
    sql = f'SELECT DISTINCT "{column}" AS raw FROM {source} WHERE "{column}" IS NOT NULL'
    for name, expr in steps:
        sql = f"SELECT *, {expr} AS {name} FROM ({sql})"
    return f"SELECT raw, {', '.join(f'{o} AS {column}__{o}' for o in outputs)} FROM ({sql})"


# output column -> SQL over the joined recipe outputs (c__o); None when the input column is absent
def _outputs(entity: str, columns: set[str]) -> dict[str, str]:
    def get(column: str, output: str = "v") -> str:
        return f"{column}__{output}" if column in columns else "CAST(NULL AS VARCHAR)"

    out: dict[str, str] = {}
    if entity == "contact":
        fn, ln = get("first_name"), get("last_name")
        use_full = f"({fn} IS NULL AND {ln} IS NULL)"
        first = f"CASE WHEN {use_full} THEN {get('full_name', 'first')} ELSE {fn} END"
        out["first_name"] = first
        out["last_name"] = f"CASE WHEN {use_full} THEN {get('full_name', 'last')} ELSE {ln} END"
        out["first_key"] = f"coalesce(k.formal, split_part({first}, ' ', 1))"
        out["email"] = get("email", "email")
        out["email_local"] = get("email", "local")
        out["phone"] = get("phone")
        out["company"] = get("company")
        out["dob"] = get("date_of_birth")
    else:
        out["name"] = get("name")
        out["domain"] = get("domain")
        out["phone"] = get("phone")
        out["tax_id"] = get("tax_id")
    han = "coalesce(regexp_matches({}, '\\p{{Han}}'), FALSE)"
    if entity == "contact":  # name parts written in Han characters (typo distances mean nothing there)
        out["first_han"] = han.format(out["first_name"])
        out["last_han"] = han.format(out["last_name"])
    else:
        out["first_han"] = out["last_han"] = "FALSE"
    out["street"] = get("street")
    out["street_num"] = get("street", "num")
    for c in ("city", "postcode", "state", "country"):
        out[c] = get(c)
    return out


def prepare_sql(entity: str, source: str, columns: set[str]) -> str:
    """The DuckDB query turning `source` (uid + folded canonical columns) into match columns."""
    used = [c for c in CANONICAL[entity] if c in columns]
    ctes = ", ".join(f'"r_{c}" AS ({_recipe_sql(c, source)})' for c in used)
    joins = " ".join(f'LEFT JOIN "r_{c}" ON "r_{c}".raw = s."{c}"' for c in used)
    outputs = _outputs(entity, set(used))
    select = ", ".join(f"{expr} AS {name}" for name, expr in outputs.items())
    sql = f"SELECT s.uid, {select} FROM {source} s {joins}"
    if entity == "contact":
        first = outputs["first_name"]
        sql += f" LEFT JOIN __handover_nicknames k ON k.nick = split_part({first}, ' ', 1)"
    return f"WITH {ctes} {sql}" if ctes else sql


def _source_table(frame: pd.DataFrame, entity: str) -> pa.Table:
    data = {"uid": pa.array(np.arange(len(frame), dtype=np.int64))}
    for name in CANONICAL[entity]:
        if name in frame.columns:
            data[name] = _folded(frame[name])
    return pa.table(data)


def prepare_into(con, frame: pd.DataFrame, entity: str, table: str) -> None:
    """Create DuckDB table `table`: uid (row position) and the match columns of `frame`."""
    check_entity(entity)
    source = _source_table(frame, entity)
    con.register("__handover_source", source)
    nick = pa.table({"nick": list(NICKNAMES), "formal": list(NICKNAMES.values())})
    con.register("__handover_nicknames", nick)
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"CREATE OR REPLACE TABLE {table} AS "
                    + prepare_sql(entity, "__handover_source", set(source.column_names) - {"uid"})
                    + " ORDER BY uid")
    finally:
        con.unregister("__handover_source")
        con.unregister("__handover_nicknames")


def prepare(frame: pd.DataFrame, entity: str, con=None) -> pd.DataFrame:
    """Match columns for `frame` (canonical columns, any may be missing): uid (row position, int64)
    and PREPARED_COLUMNS[entity] as strings with missing values, same index as `frame`."""
    import duckdb

    own = con is None
    con = con or duckdb.connect(":memory:")
    try:
        prepare_into(con, frame, entity, "__handover_prepared")
        out = con.execute("SELECT * FROM __handover_prepared ORDER BY uid").df()
        con.execute("DROP TABLE __handover_prepared")
    finally:
        if own:
            con.close()
    out.index = frame.index
    return out
