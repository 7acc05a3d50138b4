"""The duplicate review queue: pairs the matcher is unsure of, side by side in a CSV a reviewer fills in.

A reviewer writes `match` or `no_match` in the `decision` column of <work>/review/<entity>.csv.
The next run harvests those decisions into the durable decisions file (never overwritten, last
decision on a pair wins), clusters with them, and writes a fresh queue of the pairs still undecided.
"""

from __future__ import annotations

from datetime import datetime, timezone
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from handover.frames import as_text, neutralise_formulas
from handover.pii import mask_frame

DECISIONS = ("match", "no_match")
DECISION_COLUMNS = ["left_id", "right_id", "decision", "decided_at"]


class ReviewError(Exception):
    """A decisions or review file a reviewer edited cannot be read; names the file, row and value."""


def _pair_key(frame: pd.DataFrame) -> pd.Series:
    left, right = as_text(frame["left_id"]), as_text(frame["right_id"])
    return pd.Series([f"{min(a, b)}\x1f{max(a, b)}" for a, b in zip(left, right)], index=frame.index, dtype=object)


def read_decisions(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=DECISION_COLUMNS)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ReviewError(f"{path}: not a readable CSV: {exc}") from None
    missing = {"left_id", "right_id", "decision"} - set(frame.columns)
    if missing:
        raise ReviewError(f"{path}: missing column(s) {', '.join(sorted(missing))}; expected left_id, right_id, decision")
    frame["decision"] = frame["decision"].str.strip().str.lower()
    frame = frame[frame["decision"] != ""]
    bad = frame[~frame["decision"].isin(DECISIONS)]
    if not bad.empty:
        row = int(bad.index[0]) + 2  # header is line 1
        raise ReviewError(f"{path}:{row}: decision {bad['decision'].iloc[0]!r}; write match or no_match (or leave it empty)")
    if "decided_at" not in frame:
        frame["decided_at"] = ""
    return frame[DECISION_COLUMNS].reset_index(drop=True)


def harvest(queue: Path, store: Path) -> pd.DataFrame:
    """Move decisions written into the queue file into the decisions store; return all decisions."""
    known = read_decisions(store)
    fresh = read_decisions(queue)
    if not fresh.empty:
        fresh["decided_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        combined = pd.concat([known, fresh], ignore_index=True)
        combined = combined.loc[~_pair_key(combined).duplicated(keep="last")]
        store.parent.mkdir(parents=True, exist_ok=True)
        combined.to_csv(store, index=False)
        known = combined.reset_index(drop=True)
    return known


def write_queue(review: pd.DataFrame, records: pd.DataFrame, fields: list[str], path: Path, decisions: pd.DataFrame,
                masked: Collection[str] = (), key: str | None = None) -> pd.DataFrame:
    """The undecided pairs, each with both records' values side by side, written to `path`. Fields in `masked`
    (personal data) show a stable hash instead of the value (see handover.pii)."""
    decided = set(_pair_key(decisions)) if not decisions.empty else set()
    pending = review.loc[~_pair_key(review).isin(decided)] if not review.empty else review
    by_id = records.set_index("external_id")
    shown = [f for f in fields if f in by_id.columns]
    queue = pd.DataFrame({"decision": "", "probability": pending["probability"].round(4).to_numpy(),
                          "reason": pending["reason"].to_numpy() if "reason" in pending else None,
                          "left_id": pending["left_id"].to_numpy(), "right_id": pending["right_id"].to_numpy()})
    for field in shown:
        queue[f"left_{field}"] = by_id[field].reindex(pending["left_id"]).to_numpy()
        queue[f"right_{field}"] = by_id[field].reindex(pending["right_id"]).to_numpy()
    hidden = [c for c in queue.columns if c.startswith(("left_", "right_")) and c.split("_", 1)[1].lower() in masked]
    queue = mask_frame(queue, hidden, key)
    queue = neutralise_formulas(queue, [c for c in queue.columns if c.startswith(("left_", "right_")) and not c.endswith("_id")])
    queue = queue.sort_values("probability", ascending=False, kind="stable")
    path.parent.mkdir(parents=True, exist_ok=True)
    queue.to_csv(path, index=False, encoding="utf-8-sig")  # BOM: Excel opens Chinese names correctly
    return queue


def queue_summary(con) -> pd.DataFrame:
    """Per entity: pairs in the review queue, of those the pairs at or above the match threshold that a
    guard held back (held_by_<guard>, from ledger.review.reason), and what each guard held back in all
    (guard_<guard>, from ledger.dedup_guards: pairs, records for shared_values; None when the guard was
    switched off). For the run summary and the reconciliation report."""
    from handover.dedup.guards import GUARDS
    from handover.staging import ensure_ledger

    ensure_ledger(con)
    held = ", ".join(f"count(*) FILTER (WHERE reason = '{g}') AS held_by_{g}" for g in GUARDS if g != "shared_values")
    queue = con.execute(f"SELECT entity, count(*) AS pairs_to_review, {held} FROM ledger.review GROUP BY entity").df()
    totals = ", ".join(f"max(CASE WHEN guard = '{g}' AND enabled THEN held END) AS guard_{g}" for g in GUARDS)
    guards = con.execute(f"SELECT entity, {totals} FROM ledger.dedup_guards GROUP BY entity").df()
    out = queue.merge(guards, on="entity", how="outer")
    counts = [c for c in queue.columns if c != "entity"]
    out[counts] = out[counts].fillna(0).astype("int64")
    return out.sort_values("entity").reset_index(drop=True)
