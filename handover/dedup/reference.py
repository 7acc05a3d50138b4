"""Reference data for match keys, read from the one shipped copy in handover/cleaning/data/.

The cleaning stage and the matcher use the same files: legal forms of companies (companies.json),
free-mail providers (email_domains.json), honorifics and role mailboxes (names.json), country names
(countries.json through handover.cleaning.places.country_code). Tables only the matcher needs
(nicknames, street and unit words, US states, Chinese places, city aliases, company words) are in
matching.json. Everything here is in match-key form: lower case, punctuation as single spaces.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


def _data(name: str) -> dict:
    return json.loads(resources.files("handover.cleaning").joinpath(f"data/{name}").read_text(encoding="utf-8"))


def _key(text: str) -> str:
    """Match-key form of a table entry: lower case, dots dropped, other punctuation as single spaces."""
    return re.sub(r"[^\w]+", " ", text.lower().replace(".", "")).strip()


@dataclass(frozen=True)
class Reference:
    nicknames: dict[str, str]                  # nickname -> its first formal name
    nickname_forms: dict[str, tuple[str, ...]]  # nickname -> every formal name it can stand for
    titles: tuple[str, ...]
    name_suffixes: tuple[str, ...]
    legal_forms_latin: tuple[str, ...]         # longest first
    legal_forms_cjk: tuple[str, ...]           # longest first
    free_mail: tuple[str, ...]
    role_mailboxes: tuple[str, ...]
    street_words: tuple[str, ...]
    unit_words: tuple[str, ...]
    us_states: dict[str, str]
    cn_places: dict[str, str]
    city_aliases: dict[str, str]


@cache
def reference() -> Reference:
    matching, names = _data("matching.json"), _data("names.json")
    companies, mail = _data("companies.json"), _data("email_domains.json")
    nicknames: dict[str, str] = {}
    forms: dict[str, tuple[str, ...]] = {}
    formal_names = set(matching["nicknames"])
    for formal, nicks in matching["nicknames"].items():
        for nick in nicks:
            forms[nick] = forms.get(nick, ()) + (formal,)
            if nick not in formal_names:  # a formal name in its own right (steven, nathan) stays itself
                nicknames.setdefault(nick, formal)
    words = [w for w in matching["company_words"] if w.isascii()]
    latin = {_key(f) for f in companies["latin"]} | set(words)
    cjk = set(companies["cjk"]) | {w for w in matching["company_words"] if not w.isascii()}
    return Reference(
        nicknames=nicknames, nickname_forms=forms,
        titles=tuple(sorted({_key(t) for t in names["honorifics"] if _key(t).isascii() and _key(t)})),
        name_suffixes=tuple(sorted({_key(t) for t in names["suffixes"] if _key(t)})),
        legal_forms_latin=tuple(sorted((f for f in latin if f), key=len, reverse=True)),
        legal_forms_cjk=tuple(sorted((f for f in cjk if f and not f.startswith(("(", "（"))), key=len, reverse=True)),
        free_mail=tuple(sorted({d.lower() for d in mail["free_mail"]})),
        role_mailboxes=tuple(sorted({r.lower() for r in names["role_mailboxes"]})),
        street_words=tuple(matching["street_words"]), unit_words=tuple(matching["unit_words"]),
        us_states=dict(matching["us_states"]), cn_places=dict(matching["cn_places"]),
        city_aliases=dict(matching["city_aliases"]),
    )
