"""The accounting chart: one 100% stacked bar per entity, as inline SVG (no script, no CDN, prints as is)."""

from __future__ import annotations

from dataclasses import dataclass

from handover.reconcile import BUCKETS

COLOURS = {
    "loaded": "#2da44e",
    "merged": "#0969da",
    "quarantined": "#bf8700",
    "rejected": "#cf222e",
    "excluded": "#8c959f",
    "unaccounted": "#6e40c9",
}
LABEL_WIDTH = 90
BAR_WIDTH = 560
TOTAL_WIDTH = 110
ROW_HEIGHT = 30
BAR_HEIGHT = 20
MIN_SEGMENT = 3  # px: a bucket of 2 rows in 10,000 must still be visible
TEXT_MIN = 34  # px: narrower segments carry their count in the tooltip and the table only


@dataclass(frozen=True)
class Segment:
    bucket: str
    count: int
    x: float
    width: float
    colour: str
    share: float

    @property
    def labelled(self) -> bool:
        return self.width >= TEXT_MIN


@dataclass(frozen=True)
class Bar:
    entity: str
    extracted: int
    y: float
    segments: list[Segment]
    balanced: bool


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    bar_width: int
    bar_height: int
    legend_y: float
    legend: list[tuple[str, str]]


def segment_widths(counts: list[int], width: float) -> list[float]:
    """Widths proportional to counts, each nonzero count at least MIN_SEGMENT, summing to `width`."""
    total = sum(counts)
    if total <= 0:
        return [0.0] * len(counts)
    widths = [max(c / total * width, MIN_SEGMENT) if c > 0 else 0.0 for c in counts]
    excess = sum(widths) - width
    if excess > 0:
        # taken from the segments that are wider than the minimum, in proportion to their size
        spare = [w - MIN_SEGMENT if w > MIN_SEGMENT else 0.0 for w in widths]
        pool = sum(spare)
        widths = [w - excess * s / pool if pool else w for w, s in zip(widths, spare)]
    return widths


def accounting_chart(accounting: list[dict]) -> Chart:
    """`accounting`: rows of reconciled.accounting (entity, extracted, the buckets, unaccounted, balanced)."""
    bars = []
    for index, row in enumerate(accounting):
        buckets = [(b, int(row.get(b) or 0)) for b in BUCKETS]
        # rows in no bucket are shown too: a bar that does not add up must look like it
        buckets.append(("unaccounted", max(int(row.get("extracted") or 0) - sum(c for _, c in buckets), 0)))
        counts = [c for _, c in buckets]
        widths = segment_widths(counts, BAR_WIDTH)
        total = sum(counts)
        x = float(LABEL_WIDTH)
        segments = []
        for (bucket, count), width in zip(buckets, widths):
            if count:
                segments.append(Segment(bucket, count, round(x, 2), round(width, 2), COLOURS[bucket], count / total))
            x += width
        bars.append(Bar(str(row["entity"]), int(row.get("extracted") or 0), index * ROW_HEIGHT + 6, segments,
                        bool(row.get("balanced"))))
    legend_y = len(bars) * ROW_HEIGHT + 18
    return Chart(
        bars=bars, width=LABEL_WIDTH + BAR_WIDTH + TOTAL_WIDTH, height=int(legend_y + 14),
        label_width=LABEL_WIDTH, bar_width=BAR_WIDTH, bar_height=BAR_HEIGHT, legend_y=legend_y,
        legend=[(b, COLOURS[b]) for b in (*BUCKETS, "unaccounted")],
    )
