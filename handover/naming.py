"""Names of source columns in staging: lower-case, NFKC, runs of non-word characters as '_'.

Unlike dlt's snake_case this keeps CJK headers (客户名称) readable and distinct; the files source
uses dlt's `direct` naming so staging columns are exactly these names.
"""

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+")


def column_key(name: str) -> str:
    key = _NON_WORD.sub("_", unicodedata.normalize("NFKC", str(name)).strip().lower()).strip("_")
    if not key:
        return "unnamed"
    return f"c_{key}" if key[0].isdigit() else key
