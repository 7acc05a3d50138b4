"""Value layouts of the second vendor's export: ids, timestamps and money as each file writes them."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

EPOCH = dt.datetime(2021, 1, 4, 8, 0)
LAST = dt.datetime(2025, 6, 27, 18, 0)
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def zoho_id(block: int, n: int) -> str:
    """A Zoho-style record id: one number block per module, so ids never collide across modules."""
    return f"zcrm_5725767{block:03d}{100_000 + n * 7:09d}"


def moment(rng: random.Random, start: dt.datetime = EPOCH, end: dt.datetime = LAST) -> dt.datetime:
    seconds = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.randint(0, seconds))


def later(when: dt.datetime, rng: random.Random, most_days: int = 300) -> dt.datetime:
    return min(LAST, when + dt.timedelta(minutes=rng.randint(5, most_days * 24 * 60)))


def accounts_time(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S")


def contacts_time(when: dt.datetime) -> str:
    return when.strftime("%d/%m/%Y %H:%M")  # day first, as a UK-locale user exported it


def leads_time(when: dt.datetime, rng: random.Random) -> str:
    if rng.random() < 0.8:
        return f"{when.year}/{when.month}/{when.day} {when.hour}:{when.minute:02d}"
    return f"{when.year}年{when.month}月{when.day}日 {when.hour:02d}:{when.minute:02d}"


def deals_date(day: dt.date, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.85:
        return day.strftime("%d.%m.%Y")
    if roll < 0.95:
        return f"{day.day}.{day.month}.{day.year}"
    return day.isoformat()


def deals_time(when: dt.datetime) -> str:
    return when.strftime("%d.%m.%Y %H:%M")


def activities_time(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def tickets_time(when: dt.datetime) -> str:
    return f"{when.day:02d}-{_MONTHS[when.month - 1]}-{when.year} {when.hour:02d}:{when.minute:02d}"


def _grouped(value: Decimal, thousands: str, decimal: str, cents: bool) -> str:
    text = f"{abs(value):,.2f}" if cents else f"{abs(value):,.0f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def amount_text(value: Decimal, currency: str, rng: random.Random) -> str:
    """Money as people and spreadsheets in different locales write it; negatives as accountants do."""
    cents = value != value.to_integral_value() or rng.random() < 0.3
    if currency == "EUR":
        text = rng.choice(
            (
                f"€{_grouped(value, '.', ',', cents)}",
                f"{_grouped(value, '.', ',', cents)} €",
                f"EUR {_grouped(value, '.', ',', cents)}",
                f"{_grouped(value, '.', ',', True)}",
                f"{_grouped(value, chr(0xA0), ',', cents)} €",
                f"€ {_grouped(value, '.', ',', cents)}",
            )
        )
    elif currency == "USD":
        text = rng.choice(
            (
                f"${_grouped(value, ',', '.', cents)}",
                f"USD {_grouped(value, ',', '.', cents)}",
                f"US$ {_grouped(value, ',', '.', cents)}",
                f"{_grouped(value, ',', '.', True)}",
            )
        )
    elif currency == "GBP":
        text = rng.choice((f"£{_grouped(value, ',', '.', cents)}", f"GBP {_grouped(value, ',', '.', cents)}"))
    else:
        text = rng.choice(
            (
                f"¥{_grouped(value, ',', '.', cents)}",
                f"CNY {_grouped(value, ',', '.', cents)}",
                f"RMB {_grouped(value, ',', '.', cents)}",
                f"{_grouped(value, ',', '.', cents)}元",
            )
        )
        if abs(value) >= 10_000 and value % 1000 == 0 and rng.random() < 0.15:
            text = f"{Decimal(abs(value)) / 10_000:f}".rstrip("0").rstrip(".") + "万元"
    if value < 0:
        text = rng.choice((f"({text})", f"-{text}"))
    return text


def amount_value(rng: random.Random) -> Decimal:
    magnitude = rng.choice((1_000, 5_000, 20_000, 100_000, 400_000))
    value = Decimal(rng.randint(magnitude // 10, magnitude))
    if rng.random() < 0.5:
        value = (value / 100).quantize(Decimal(1)) * 100
    elif rng.random() < 0.4:
        value += Decimal(rng.randint(1, 99)) / 100
    return value
