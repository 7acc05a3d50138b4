"""Match normalisation: the comparable form of every canonical column, for matching only.

The values a user sees are never changed here; these are keys. Text goes through NFKC, case folding,
accent stripping, Traditional -> Simplified Chinese and punctuation -> single spaces. Names: titles
dropped, a full name split when first and last are missing ("Smith, John", "John Smith", 王小明 =
family 王 + given 小明), a nickname key (Bob -> robert; Nell -> eleanor, with every formal form kept
for comparing). Emails: lower case, `+tags` (and Gmail dots) removed, role mailboxes (info@, sales@)
dropped, the local part flagged when it is made of the name. Phones: the last 10 digits (+86 / 0086
/ trunk-0 prefixes agree; extensions dropped; not clean_phone's E.164, which parses per value and is
too slow for a million distinct numbers). Companies: legal forms dropped (Ltd, GmbH, 有限公司, ...).
Streets: flats and rooms, street types and a Chinese address's city and district dropped. Places:
country, US state and Chinese province/city aliases (UK = GB, CA = California, Shanghai = 上海市).
Postcodes: ZIP+4 -> ZIP, leading zeros ignored. Dates: YYYYMMDD from ISO, D/M/Y (M/D/Y when the
day cannot be a month), 7 Mar 1985, March 7, 1985, 1985年3月7日.

The per-value Python work (NFKC, Chinese conversion) runs once per distinct non-ASCII value; the rest
is one DuckDB query over dictionary-encoded columns (vectorised, multi-threaded RE2), so a million
rows take seconds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from handover.dedup.reference import reference

CONTACT_COLUMNS = ("first_name", "last_name", "full_name", "email", "phone", "company", "street", "city",
                   "postcode", "state", "country", "date_of_birth")
ACCOUNT_COLUMNS = ("name", "domain", "website", "phone", "street", "city", "postcode", "state", "country", "tax_id")
CANONICAL = {"contact": CONTACT_COLUMNS, "account": ACCOUNT_COLUMNS}

# rule component (canonical name, plus "name") -> prepared key columns that must all be present and equal
RULE_KEYS = {
    "contact": {
        "email": ("email",), "phone": ("phone",), "name": ("first_key", "last_name"),
        "full_name": ("first_key", "last_name"), "first_name": ("first_key",), "last_name": ("last_name",),
        "company": ("company",), "street": ("street",), "city": ("city",), "postcode": ("postcode",),
        "state": ("state",), "country": ("country",), "date_of_birth": ("dob",), "domain": ("email_domain",),
    },
    "account": {
        "name": ("name",), "domain": ("domain",), "website": ("domain",), "phone": ("phone",), "street": ("street",), "city": ("city",),
        "postcode": ("postcode",), "state": ("state",), "country": ("country",), "tax_id": ("tax_id",),
    },
}
PREPARED_COLUMNS = {
    "contact": ("first_name", "last_name", "first_key", "first_keys", "email", "email_local", "email_name_like", "phone", "company", "dob",
                "street", "street_num", "city", "postcode", "state", "country"),
    "account": ("name", "domain", "phone", "tax_id", "street", "street_num", "city", "postcode", "state", "country"),
}
REF = reference()

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
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        missing = pd.isna(values)
        values = np.array([None if m else str(v) for v, m in zip(values, missing)], dtype=object)
    return pa.array(values, type=pa.large_string(), from_pandas=True)


def _words(x: str) -> str:
    return f"nullif(trim(regexp_replace(lower({x}), '[^\\p{{L}}\\p{{N}}]+', ' ', 'g')), '')"


def _squash(x: str) -> str:
    return f"nullif(replace({x}, ' ', ''), '')"


def _sql_list(values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


_LATIN_FORMS = "|".join(re.escape(f).replace("\\ ", " ") for f in REF.legal_forms_latin)
_LEGAL_FORM_AT_END = f"(?: (?:{_LATIN_FORMS})|(?:{'|'.join(REF.legal_forms_cjk)}))$"

_TITLES = "|".join(REF.titles)
_AFTER_COMMA = "regexp_replace(" + _words("regexp_extract(raw, ',(.*)$', 1)") + f", '^(?:(?:{_TITLES}) )+', '')"
_BEFORE_COMMA = _words("regexp_extract(raw, '^([^,]*),', 1)")

# Recipes: per canonical column, steps (name, SQL over `raw` and earlier steps) evaluated once per
# distinct raw value, and the outputs kept. Nested SELECT layers keep every regex evaluated once.
Recipe = tuple[list[tuple[str, str]], list[str]]
_HAN = "coalesce(regexp_matches({}, '\\p{{Han}}'), FALSE)"
_TEXT: Recipe = ([("w", _words("raw")), ("v", _squash("w"))], ["v"])
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def _lookup(x: str, table: dict[str, str]) -> str:
    """CASE mapping the keys of `table` to its values, anything else unchanged."""
    return f"CASE {x} " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in table.items()) + f" ELSE {x} END"


_HAN_PLACE_SUFFIX = "'^(\\p{Han}{2,}?)(?:省|市|自治区|特别行政区|地区)$'"
_PLACE: list[tuple[str, str]] = [
    ("w", _words("raw")), ("s", _squash("w")),
    ("h", f"coalesce(nullif(regexp_extract(s, {_HAN_PLACE_SUFFIX}, 1), ''), s)"),
    ("p", _lookup("h", REF.cn_places)),
]
RECIPES: dict[str, Recipe] = {
    # titles before a given name and a middle initial after it dropped (Mrs Sandra B -> sandra)
    "first_name": ([("w", _words("raw")), ("t", f"regexp_replace(w, '^(?:(?:{_TITLES}) )+', '')"),
                    ("v", "regexp_replace(t, '(?: [a-z])+$', '')"), ("han", _HAN.format("v"))], ["v", "han"]),
    "last_name": ([("v", _words("raw")), ("han", _HAN.format("v"))], ["v", "han"]),
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
        ("first_han", _HAN.format("first")), ("last_han", _HAN.format("last")),
    ], ["first", "last", "first_han", "last_han"]),
    "email": ([
        # the address inside a display name or a sentence ("Wang Li" <li.wang@acme.cn>, mailto:...)
        ("e0", "replace(lower(trim(raw)), 'mailto:', '')"),
        ("e", "coalesce(nullif(regexp_extract(e0, '[^\\s<>\"''(),;:\\[\\]]+@[^\\s<>\"''(),;:\\[\\]]+'), ''), "
              "replace(replace(e0, ' ', ''), '\t', ''))"),
        ("at_pos", "strpos(e, '@')"),
        ("d0", "CASE WHEN at_pos > 1 AND strpos(substr(e, at_pos + 1), '@') = 0 THEN rtrim(substr(e, at_pos + 1), '.') END"),
        ("domain", "CASE WHEN d0 = 'googlemail.com' THEN 'gmail.com' WHEN contains(d0, '.') THEN d0 END"),
        ("local0", "nullif(split_part(substr(e, 1, at_pos - 1), '+', 1), '')"),
        ("local1", "CASE WHEN domain = 'gmail.com' THEN replace(local0, '.', '') ELSE local0 END"),
        ("local", f"CASE WHEN domain IS NOT NULL AND local1 NOT IN ({_sql_list(REF.role_mailboxes)}) THEN local1 END"),
        ("email", "local || '@' || domain"),
        ("plain", "nullif(regexp_replace(local, '[._-]', '', 'g'), '')"),
        ("digits", "regexp_matches(plain, '[0-9]')"),
    ], ["email", "plain", "digits", "domain"]),
    "phone": ([
        # the first number in the cell (several numbers, a label, an extension or a remark around it)
        ("run", "nullif(regexp_extract(raw, '\\+?[0-9][0-9 ()./-]{5,}[0-9]'), '')"),
        ("x", "CASE WHEN run IS NOT NULL THEN run WHEN regexp_matches(raw, '[^0-9 ()+.-]') "
              "THEN regexp_replace(lower(raw), '(?:ext\\.?|x|#|;ext=|分机|转).*$', '') ELSE raw END"),
        ("d", "regexp_replace(x, '[^0-9]', '', 'g')"),
        ("v", "CASE WHEN length(d) >= 7 AND NOT contains(raw, '@') THEN right(d, 10) END"),
    ], ["v"]),
    "company": ([
        ("w", _words("replace(replace(raw, '&', ' and '), '.', '')")),
        ("s0", "regexp_replace(w, '^the ', '')"),
        ("s1", f"trim(regexp_replace(s0, '{_LEGAL_FORM_AT_END}', ''))"),
        ("s2", f"trim(regexp_replace(s1, '{_LEGAL_FORM_AT_END}', ''))"),
        ("s3", f"trim(regexp_replace(s2, '{_LEGAL_FORM_AT_END}', ''))"),  # "acme holdings co ltd" -> "acme"
        ("v", _squash("coalesce(nullif(s3, ''), w)")),
    ], ["v"]),
    "name": None,  # accounts: as company, filled below
    "date_of_birth": ([
        ("t", "lower(trim(raw))"),
        ("ymd", "regexp_extract(t, '^(\\d{4})\\D?(\\d{1,2})\\D?(\\d{1,2})(?:\\D|$)', ['y', 'm', 'd'])"),
        ("dmy", "regexp_extract(t, '^(\\d{1,2})\\D(\\d{1,2})\\D(\\d{4})(?:\\D|$)', ['a', 'b', 'y'])"),
        # 7 Mar 1985, 7 March 1985, March 7, 1985, Mar. 7 1985
        ("mon", f"CASE regexp_extract(t, '({'|'.join(_MONTHS)})[a-z]*\\.?', 1) "
                + " ".join(f"WHEN '{m}' THEN '{i:02d}'" for i, m in enumerate(_MONTHS, 1)) + " END"),
        ("dm", "regexp_extract(t, '^(\\d{1,2})\\s*[a-z]+\\.?,?\\s*(\\d{4})$', ['d', 'y'])"),
        ("md", "regexp_extract(t, '^[a-z]+\\.?\\s*(\\d{1,2})(?:st|nd|rd|th)?,?\\s*(\\d{4})$', ['d', 'y'])"),
        # DD/MM/YYYY unless the second number cannot be a month (then MM/DD/YYYY)
        ("v", "CASE WHEN ymd.y <> '' THEN ymd.y || lpad(ymd.m, 2, '0') || lpad(ymd.d, 2, '0') "
              "WHEN mon IS NOT NULL AND dm.y <> '' THEN dm.y || mon || lpad(dm.d, 2, '0') "
              "WHEN mon IS NOT NULL AND md.y <> '' THEN md.y || mon || lpad(md.d, 2, '0') "
              "WHEN dmy.y <> '' AND TRY_CAST(dmy.b AS INTEGER) > 12 AND TRY_CAST(dmy.a AS INTEGER) <= 12 "
              "THEN dmy.y || lpad(dmy.a, 2, '0') || lpad(dmy.b, 2, '0') "
              "WHEN dmy.y <> '' THEN dmy.y || lpad(dmy.b, 2, '0') || lpad(dmy.a, 2, '0') END"),
    ], ["v"]),
    "street": ([
        # flats and rooms dropped (Flat 3, Apt 4B, #28C, 2801室, 11栋), so is a Chinese address's city and
        # district (上海市黄浦区福州路236号 == 福州路236号); street types and directions dropped
        ("u", f"regexp_replace(lower(raw), '(?:\\b(?:{'|'.join(REF.unit_words)})\\.?\\s*[0-9]+[a-z]?\\b|#\\s*[0-9a-z]+)', ' ', 'g')"),
        ("c", "CASE WHEN NOT regexp_matches(u, '[^\\x00-\\x7f]') THEN u ELSE "
              "regexp_replace(regexp_replace(u, '^(?:\\p{Han}{2,3}?(?:省|市))?(?:\\p{Han}{1,4}?(?:区|县))?', ''), "
              "'(?:[0-9]+(?:栋|幢|座|号楼|单元|楼|层))*(?:[0-9]+(?:室|房))?\\s*$', '') END"),
        ("w", _words("c")),
        ("t", f"trim(regexp_replace(w, '\\b(?:{'|'.join(REF.street_words)})\\b', ' ', 'g'))"),
        ("v", f"coalesce({_squash('t')}, {_squash('w')})"),
        ("num", "nullif(regexp_extract(w, '([0-9]+[a-z]?)', 1), '')"),
    ], ["v", "num"]),
    "domain": ([
        ("d0", "regexp_replace(regexp_replace(lower(raw), '\\s+', '', 'g'), '^[^@/]*@', '')"),
        ("d1", "regexp_replace(regexp_replace(d0, '^[a-z][a-z0-9+.-]*://', ''), '[/?#:].*$', '')"),
        ("d2", "trim(regexp_replace(d1, '^www[0-9]?\\.', ''), '.')"),
        ("v", f"CASE WHEN contains(d2, '.') AND d2 NOT IN ({_sql_list(REF.free_mail)}) THEN d2 END"),
    ], ["v"]),
    "city": (_PLACE + [("v", _lookup("p", REF.city_aliases))], ["v"]),
    "state": (_PLACE + [("v", _lookup("p", REF.us_states))], ["v"]),
    "country": _TEXT,  # raw values are ISO codes already where the cleaning stage's table knows the name
    # ZIP+4 -> ZIP; leading zeros lost by spreadsheets do not matter
    "postcode": ([("w", _words("raw")), ("s", _squash("w")),
                  ("z", "CASE WHEN regexp_matches(s, '^[0-9]{9}$') THEN left(s, 5) ELSE s END"),
                  ("v", "CASE WHEN regexp_matches(z, '^[0-9]+$') THEN nullif(ltrim(z, '0'), '') ELSE z END")], ["v"]),
    "tax_id": _TEXT,
}
RECIPES["name"] = RECIPES["company"]


def _recipe_sql(column: str, values: str, prefix: str | None = None) -> str:
    """The recipe's outputs for every value: `values` has (code, raw); outputs named <prefix>__<output>."""
    steps, outputs = RECIPES[column]
    sql = f"SELECT code, raw FROM {values} WHERE raw IS NOT NULL"
    for name, expr in steps:
        sql = f"SELECT *, {expr} AS {name} FROM ({sql})"
    return f"SELECT code, {', '.join(f'{o} AS {prefix or column}__{o}' for o in outputs)} FROM ({sql})"


# A value in the wrong column, read with another column's recipe: (recipe, source column, output prefix).
# An address in the phone column, a number in the e-mail column, a whole name in first_name or last_name.
CROSS_RECIPES = {
    "contact": (("email", "phone", "phone_as_email"), ("phone", "email", "email_as_phone"),
                ("full_name", "first_name", "first_as_full"), ("full_name", "last_name", "last_as_full")),
    "account": (("email", "phone", "phone_as_email"), ("domain", "website", "website")),
}


# output column -> SQL over the joined recipe outputs (c__o); None when the input column is absent
def _outputs(entity: str, columns: set[str]) -> dict[str, str]:
    def get(column: str, output: str = "v", kind: str = "VARCHAR") -> str:
        return f"{column}__{output}" if column in columns else f"CAST(NULL AS {kind})"

    out: dict[str, str] = {}
    if entity == "contact":
        fn, ln = get("first_name"), get("last_name")
        # where the parts are missing, the whole name in full_name, or in the one part present: a Latin
        # first_name with several words and no last name, or three or more Han characters alone
        sources = [(f"({fn} IS NULL AND {ln} IS NULL)", "full_name"),
                   (f"({ln} IS NULL AND contains({fn}, ' ') AND NOT {get('first_name', 'han', 'BOOLEAN')})", "first_as_full"),
                   (f"({ln} IS NULL AND {get('first_name', 'han', 'BOOLEAN')} AND length({fn}) >= 3)", "first_as_full"),
                   (f"({fn} IS NULL AND {get('last_name', 'han', 'BOOLEAN')} AND length({ln}) >= 3)", "last_as_full")]

        def pick(part: str, own: str, kind: str = "VARCHAR") -> str:
            whens = " ".join(f"WHEN {cond} THEN {get(src, part, kind)}" for cond, src in sources)
            return f"CASE {whens} ELSE {own} END"

        first = pick("first", fn)
        out["first_name"] = first
        out["last_name"] = pick("last", ln)
        out["first_key"] = f"coalesce(k.formal, split_part({first}, ' ', 1))"
        # every formal name the first word can stand for, and itself (nell -> [nell, eleanor, helen, ...])
        out["first_keys"] = (f"CASE WHEN {first} IS NOT NULL THEN "
                             f"list_prepend(split_part({first}, ' ', 1), coalesce(k.forms, [])) END")
        for part in ("first", "last"):  # the part is written in Han characters (typo distances mean nothing)
            out[f"{part}_han"] = f"coalesce({pick(part + '_han', get(part + '_name', 'han', 'BOOLEAN'), 'BOOLEAN')}, FALSE)"
        out["email"] = f"coalesce({get('email', 'email')}, {get('phone_as_email', 'email')})"
        # a company's mail domain (a free-mail provider's is nobody's), for a rule on `domain`
        domain = f"coalesce({get('email', 'domain')}, {get('phone_as_email', 'domain')})"
        out["email_domain"] = f"CASE WHEN {domain} NOT IN ({_sql_list(REF.free_mail)}) THEN {domain} END"
        # the local part without separators, and whether it looks made of the person's name (then two
        # namesakes share it: john.smith@a.com, johnsmith@b.com) or of pinyin (no digits, Han name)
        local = f"coalesce({get('email', 'plain')}, {get('phone_as_email', 'plain')})"
        out["email_local"] = local
        f, l = (f"replace({out[c]}, ' ', '')" for c in ("first_name", "last_name"))
        out["email_name_like"] = (f"CASE WHEN {local} IS NULL OR coalesce({get('email', 'digits', 'BOOLEAN')}, {get('phone_as_email', 'digits', 'BOOLEAN')}) THEN FALSE "
                                  f"WHEN {out['first_han']} OR {out['last_han']} THEN TRUE "
                                  f"ELSE coalesce(contains({local}, {l}), FALSE) OR coalesce(contains({local}, {f}), FALSE) END")
        out["phone"] = f"coalesce({get('phone')}, {get('email_as_phone')})"
        out["company"] = get("company")
        out["dob"] = get("date_of_birth")
    else:
        out["first_han"] = out["last_han"] = "FALSE"
        out["name"] = get("name")
        out["domain"] = f"coalesce({get('domain')}, {get('website')})"
        out["phone"] = get("phone")
        out["tax_id"] = get("tax_id")
    out["street"] = get("street")
    out["street_num"] = get("street", "num")
    for c in ("city", "postcode", "state", "country"):
        out[c] = get(c)
    return out


def generic_recipe(column: str) -> tuple[str, str]:
    """(recipe, output) for a column the matcher does not compare, used by exact rules only: an
    e-mail or phone recipe when the name says so, else text without case, width and punctuation."""
    if "email" in column:
        return "email", "email"
    if "phone" in column or "mobile" in column:
        return "phone", "v"
    return "tax_id", "v"


def prepare_sql(entity: str, source: str, columns: set[str], extra: tuple[str, ...] = ()) -> str:
    """The DuckDB query turning `source` (uid and, per column c, the code of its value in the table
    `__handover_values_c` (code, raw)) into match columns; each `extra` column c (not canonical for
    the entity) becomes a generic key `key_c` for exact rules."""
    used = [c for c in CANONICAL.get(entity, ()) if c in columns]
    parts = [(c, c, c) for c in used if c in RECIPES]
    parts += [(recipe, source, prefix) for recipe, source, prefix in CROSS_RECIPES.get(entity, ()) if source in used]
    parts += [(generic_recipe(c)[0], c, f"key_{c}") for c in extra]
    ctes = ", ".join(f'"r_{p}" AS ({_recipe_sql(r, f"__handover_values_{c}", p)})' for r, c, p in parts)
    joins = " ".join(f'LEFT JOIN "r_{p}" ON "r_{p}".code = s."{c}"' for _r, c, p in parts)
    outputs = _outputs(entity, {p for _r, _c, p in parts}) if entity in CANONICAL else {}
    outputs |= {f"key_{c}": f'"key_{c}__{generic_recipe(c)[1]}"' for c in extra}
    select = ", ".join(["s.uid"] + [f'{expr} AS "{name}"' for name, expr in outputs.items()])
    sql = f"SELECT {select} FROM {source} s {joins}"
    if entity == "contact":
        first = outputs["first_name"]
        sql += f" LEFT JOIN __handover_nicknames k ON k.nick = split_part({first}, ' ', 1)"
    return f"WITH {ctes} {sql}" if ctes else sql


def _fold_array(values: pa.Array) -> pa.Array:
    """`values` with the non-ASCII ones folded (fold_unicode, once per distinct value)."""
    non_ascii = pc.fill_null(pc.invert(pc.string_is_ascii(values)), False)
    if not pc.any(non_ascii).as_py():
        return values
    uniques = pc.unique(values.filter(non_ascii))
    mapped = pa.array([fold_unicode(v) for v in uniques.to_pylist()], pa.large_string())
    return pc.if_else(non_ascii, pc.take(mapped, pc.index_in(values, value_set=uniques)), values)


def _country_codes(values: pa.Array) -> pa.Array:
    """ISO alpha-2 codes (lower case) where the cleaning stage's country table knows the value, else the value."""
    from handover.cleaning.places import country_code

    uniques = pc.unique(values.drop_null())
    mapped = pa.array([(country_code(v) or v).lower() for v in uniques.to_pylist()], pa.large_string())
    return pc.take(mapped, pc.index_in(values, value_set=uniques))


def _encoded(series: pd.Series, column: str = "") -> tuple[pa.Array, pa.Table]:
    """(code per row, table of values (code, raw)), raw values folded (NFKC, case, script).

    A column with few distinct values is dictionary-encoded, so its recipe runs once per distinct
    value; a nearly unique one (e-mails, phones, streets) keeps one value per row (code = row)."""
    values = as_arrow_strings(series)
    sample = values.slice(0, 20_000)
    if len(sample) >= 1000 and pc.count_distinct(sample).as_py() > 0.6 * len(sample):
        codes = pa.array(np.arange(len(values), dtype=np.int32))
        raw = _fold_array(values)
        return codes, pa.table({"code": codes, "raw": _country_codes(raw) if column == "country" else raw})
    encoded = pc.dictionary_encode(values)
    dictionary = _fold_array(encoded.dictionary)
    if column == "country":
        dictionary = _country_codes(dictionary)
    return encoded.indices, pa.table({"code": pa.array(np.arange(len(dictionary), dtype=np.int32)), "raw": dictionary})


def prepare_into(con, frame: pd.DataFrame, entity: str, table: str, extra: tuple[str, ...] = ()) -> None:
    """Create DuckDB table `table`: uid (row position), the match columns of `frame`, and a generic
    key `key_c` for each `extra` column c (exact rules on fields the matcher does not compare).

    Each column is dictionary-encoded first: the recipes run once per distinct value and join back
    on integer codes."""
    data = {"uid": pa.array(np.arange(len(frame), dtype=np.int64))}
    registered = ["__handover_source", "__handover_nicknames"]
    for name in (*CANONICAL.get(entity, ()), *extra):
        if name in frame.columns:
            column = frame[name]
            if name == "full_name" and ("first_name" in frame.columns or "last_name" in frame.columns):
                # only needed where first and last name are both missing
                named = pd.Series(False, index=frame.index)
                for part in ("first_name", "last_name"):
                    if part in frame.columns:
                        named |= frame[part].notna() & (frame[part].astype("str").str.strip() != "")
                column = column.where(~named.to_numpy(), None)
            data[name], values = _encoded(column, name)
            con.register(f"__handover_values_{name}", values)
            registered.append(f"__handover_values_{name}")
    con.register("__handover_source", pa.table(data))
    con.register("__handover_nicknames", pa.table({
        "nick": list(REF.nicknames), "formal": list(REF.nicknames.values()),
        "forms": [list(REF.nickname_forms[n]) for n in REF.nicknames]}))
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"CREATE OR REPLACE TABLE {table} AS "
                    + prepare_sql(entity, "__handover_source", set(data) - {"uid"}, tuple(c for c in extra if c in data)))
    finally:
        for name in registered:
            con.unregister(name)


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
