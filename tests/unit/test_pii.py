"""Personal data masked in review exports and the report, with a stable hash: equal values (whatever their case or
spacing) get equal hashes, different values different ones; keyed when there is a key."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from handover.pii import PREFIX, mask, mask_report, pii_fields
from handover.review import harvest, write_queue
from tests.trust_support import make_spec


def test_a_mask_is_stable_and_keyed() -> None:
    assert mask(" Lee@Acme.example ") == mask("lee@acme.example") != mask("li@acme.example")
    assert mask("lee@acme.example").startswith(PREFIX) and "lee" not in mask("lee@acme.example")
    assert mask("lee@acme.example", key="k1") != mask("lee@acme.example") != mask("lee@acme.example", key="k2")
    assert mask(None) is None and mask("") == "" and mask("  ") == "  "


def test_the_listed_fields_and_their_source_columns(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, pii=["email"])
    assert {"email", "mail"} <= pii_fields(spec) and "last_name" not in pii_fields(spec)


def test_review_exports_hide_the_values_but_show_equality(tmp_path: Path) -> None:
    queue, store = tmp_path / "contact.csv", tmp_path / "contact.decisions.csv"
    records = pd.DataFrame({"external_id": ["a", "b", "c"], "first_name": ["Wei", "Wei", "Fang"],
                            "email": ["wei@x.cn", "WEI@x.cn", "fang@y.cn"], "phone": ["+8613800000000", None, "+8613911111111"]})
    pairs = pd.DataFrame({"left_id": ["a", "a"], "right_id": ["b", "c"], "probability": [0.93, 0.82]})
    written = write_queue(pairs, records, ["first_name", "email", "phone"], queue, harvest(queue, store), masked={"email", "phone"})
    on_disk = queue.read_text(encoding="utf-8-sig")
    assert "wei@x.cn" not in on_disk.lower() and "+8613800000000" not in on_disk and "Fang" in on_disk
    assert written["left_email"].iloc[0] == written["right_email"].iloc[0]  # equal addresses, equal hashes
    assert written["left_email"].iloc[1] != written["right_email"].iloc[1]
    assert pd.isna(written["right_phone"].iloc[0])


def test_the_report_masks_every_place_a_value_is_shown(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, pii=["email"])
    data = {
        "quarantine": [{"rows": [{"record": "surname=Lee; mail=lee@x.cn", "problems": [
            {"column": "mail", "field": "email", "value": "lee@x.cn"}, {"column": "surname", "field": "last_name", "value": "Lee"}]}]}],
        "rejected": [{"rows": [{"values": [("email", "bad@@x"), ("last_name", "Lee")]}]}],
        "comparison": [{"fields": [{"field": "email", "examples": [{"mapped": "a@x.cn", "target": "b@x.cn"}]},
                                   {"field": "last_name", "examples": [{"mapped": "Lee", "target": "Li"}]}]}],
        "review": [{"sample": [{"fields": [("email", "a@x.cn", "A@x.cn"), ("first_name", "Wei", "Wei")]}]}],
    }
    masked = mask_report(data, spec)
    text = repr(masked)
    assert "@" not in text and "Lee" in text and "Li" in text and "Wei" in text
    assert masked["review"][0]["sample"][0]["fields"][0][1] == masked["review"][0]["sample"][0]["fields"][0][2]
    assert masked["quarantine"][0]["rows"][0]["record"].startswith("surname=Lee; mail=" + PREFIX)
