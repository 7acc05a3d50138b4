"""Dates and date-times: many written formats, Excel serial numbers, Unix epoch stamps and cells already parsed.

How ambiguous forms are read:
- `date_order` (the source's, or a field's own) decides `05/01/2023` and `5-1-2023`; with "YMD" (no
  preference) such a value is read only when one part is > 12 or both are equal, else "ambiguous_date".
- Dotted day-month-year (`15.05.2025`) is day-first whatever the order: no locale writes month.day.year.
- Two-digit years (`05/01/23`, `15.05.25`, `01-Jan-23`) follow POSIX `%y`: 00-68 are 2000-2068, 69-99
  are 1969-1999 (TWO_DIGIT_YEAR_PIVOT). Without a month name they need "DMY" or "MDY": with "YMD" the
  year could be any of the three parts, so the value is "ambiguous_date".
- Five-digit numbers 20000-80000 are Excel serial days (1954-2119); 9-10 digits are Unix epoch seconds,
  12-13 digits epoch milliseconds (1973-2099), always UTC.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from handover.cleaning.base import Distinct, Normalised, clean_one_text, stringify

# Date part, then optionally a time, AM/PM and an offset; the separators are kept to report the format.
_SPLIT = re.compile(
    r"(?P<date>.+?)(?:(?P<sep>T|\s|(?<=日))"
    r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2})(?:[.,](?P<fraction>[0-9]{1,9}))?)?"
    r"(?:(?P<ampm_sep>\s?)(?P<ampm>[AaPp])\.?[Mm]\.?)?"
    r"(?:(?P<tz_sep>\s?)(?P<tz>[Zz]|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?))?)?"
)
# (format, shape): the shape keeps strptime from reading e.g. "2023015" as %Y%m%d.
_YEAR_FIRST = (
    ("%Y-%m-%d", re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")),
    ("%Y/%m/%d", re.compile(r"[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}")),
    ("%Y.%m.%d", re.compile(r"[0-9]{4}\.[0-9]{1,2}\.[0-9]{1,2}")),
    ("%Y年%m月%d日", re.compile(r"[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日")),
    ("%Y%m%d", re.compile(r"[0-9]{8}")),
)
_DAY_MONTH = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})")
_SERIAL = re.compile(r"[0-9]{5}(?:\.[0-9]+)?")
_SERIAL_RANGE = (20_000, 80_000)
_EPOCH_SECONDS = re.compile(r"[0-9]{9,10}(?:\.[0-9]{1,6})?")
_EPOCH_MILLISECONDS = re.compile(r"[0-9]{12,13}")
_EPOCH_RANGE = (100_000_000, 4_102_444_800)  # 1973-03-03 .. 2100-01-01, in seconds
TWO_DIGIT_YEAR_PIVOT = 69  # %y: 69-99 -> 1969-1999, 00-68 -> 2000-2068
_EXCEL_EPOCH = np.datetime64("1899-12-30", "us")
_MONTH_NAMED = re.compile(r"[0-9A-Za-z ,-]*[A-Za-z]{3}[0-9A-Za-z ,-]*")
_MONTH_NAME_FORMATS = (
    "%b %d, %Y", "%B %d, %Y", "%b %d %Y", "%B %d %Y", "%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%B-%Y",
    "%d-%b-%y", "%d %b %y", "%d-%B-%y", "%d %B %y",
)  # fmt: skip
_EPOCH_FORMATS = ("unix_seconds", "unix_milliseconds")
_ORDERS = ("YMD", "DMY", "MDY")
_NAT = np.datetime64("NaT", "us")
_US_PER_DAY = 86_400_000_000


@dataclass
class _Parsed:
    """Per distinct value: the wall-clock date and time as written, and the offset if one was given."""

    day: np.ndarray  # datetime64[us], midnight of the date
    time_us: np.ndarray  # int64 microseconds since midnight
    offset_min: np.ndarray  # float minutes east of UTC, NaN when naive
    fmt: np.ndarray  # object: "date_format"-style description, "excel_serial", "unix_seconds", ... or "native"
    problem: np.ndarray  # object: None or "ambiguous_date"/"invalid"
    text: list[str | None]  # cleaned text, None for blanks and non-text cells
    text_rule: list[str | None]

    @property
    def ok(self) -> np.ndarray:
        return ~np.isnat(self.day) & np.fromiter((q is None for q in self.problem), bool, len(self.problem))


def _check_order(date_order: str) -> str:
    order = date_order.upper()
    if order not in _ORDERS:
        raise ValueError(f"date_order must be one of {_ORDERS}, not {date_order!r}")
    return order


def _parse(uniques: np.ndarray, order: str) -> _Parsed:
    n = len(uniques)
    p = _Parsed(
        day=np.full(n, _NAT),
        time_us=np.zeros(n, dtype=np.int64),
        offset_min=np.full(n, np.nan),
        fmt=np.full(n, None, dtype=object),
        problem=np.full(n, None, dtype=object),
        text=[None] * n,
        text_rule=[None] * n,
    )
    for i, raw in enumerate(uniques):
        if type(raw) is str:
            p.text[i], p.text_rule[i] = clean_one_text(raw)
        elif isinstance(raw, (dt.datetime, np.datetime64)):
            try:
                _put_native(p, i, pd.Timestamp(raw).to_pydatetime(warn=False))
            except (ValueError, OverflowError):  # a datetime64 beyond what datetime can hold
                p.problem[i] = "invalid"
        elif isinstance(raw, dt.date):
            p.day[i] = np.datetime64(raw, "us")
            p.fmt[i] = "native"
        elif isinstance(raw, (int, float, Decimal, np.integer, np.floating)):
            p.text[i] = stringify(raw)  # Excel serial or yyyymmdd typed as a number
        else:
            p.problem[i] = "invalid"
    rows = np.asarray([i for i, t in enumerate(p.text) if t is not None], dtype=np.int64)
    if rows.size:
        _parse_texts(p, rows, order)
    return p


def _put_native(p: _Parsed, i: int, value: dt.datetime) -> None:
    wall = value.replace(tzinfo=None)
    midnight = dt.datetime.combine(wall.date(), dt.time())
    p.day[i] = np.datetime64(midnight, "us")
    p.time_us[i] = (wall - midnight) // dt.timedelta(microseconds=1)
    offset = value.utcoffset()
    if offset is not None:
        p.offset_min[i] = offset.total_seconds() / 60
    p.fmt[i] = "native"


def _parse_texts(p: _Parsed, rows: np.ndarray, order: str) -> None:
    texts = pd.Series([p.text[i] for i in rows], dtype=object)
    parts = texts.str.extract("^" + _SPLIT.pattern + "$")
    unsplit = parts["date"].isna().to_numpy()
    p.problem[rows[unsplit]] = "invalid"
    rows, parts = rows[~unsplit], parts[~unsplit]
    date_text = parts["date"].to_numpy(dtype=object, copy=True)
    _parse_date_part(p, rows, date_text, order)
    _parse_time_part(p, rows, parts)


def _parse_date_part(p: _Parsed, rows: np.ndarray, texts: np.ndarray, order: str) -> None:
    """Try each format, vectorised, on the rows no earlier format has parsed."""
    pending = np.ones(len(rows), dtype=bool)

    def shaped(pattern: re.Pattern[str]) -> np.ndarray:
        candidates = np.flatnonzero(pending)
        hits = np.fromiter((pattern.fullmatch(t) is not None for t in texts[candidates]), bool, len(candidates))
        return candidates[hits]

    def attempt(where: np.ndarray, fmt: str, written: str | None = None) -> None:
        where = where[pending[where]]
        if where.size == 0:
            return
        got = pd.to_datetime(pd.Series(texts[where], dtype=object), format=fmt, errors="coerce")
        days = got.to_numpy(dtype="datetime64[us]")
        hit = ~np.isnat(days)
        p.day[rows[where[hit]]] = days[hit]
        p.fmt[rows[where[hit]]] = written or fmt
        pending[where[hit]] = False

    for fmt, shape in _YEAR_FIRST:
        attempt(shaped(shape), fmt)

    day_month = shaped(_DAY_MONTH)
    if day_month.size:
        found = pd.Series(texts[day_month], dtype=object).str.extract("^" + _DAY_MONTH.pattern + "$")
        first = found[0].astype(int).to_numpy()
        second = found[2].astype(int).to_numpy()
        dotted = (found[1] == ".").to_numpy()
        short_year = (found[3].str.len() == 2).to_numpy()
        if order == "DMY":
            day_first = np.ones(len(day_month), dtype=bool)
        elif order == "MDY":
            day_first = dotted.copy()
        else:  # only when the value itself (or its dots) says which part is the day, and the year is whole
            day_first = dotted | (first > 12) | (first == second)
            ambiguous = (~day_first & (second <= 12)) | short_year
            p.problem[rows[day_month[ambiguous]]] = "ambiguous_date"
            pending[day_month[ambiguous]] = False
        texts[day_month[short_year]] = [_four_digit_year(t) for t in texts[day_month[short_year]]]
        formats = np.where(day_first, "%d{0}%m{0}%Y", "%m{0}%d{0}%Y").astype(object)
        formats = np.asarray([f.format(sep) for f, sep in zip(formats, found[1])], dtype=object)
        shown = np.where(short_year, [f.replace("%Y", "%y") for f in formats], formats)
        for fmt in pd.unique(formats):
            for written in pd.unique(shown[formats == fmt]):
                attempt(day_month[(formats == fmt) & (shown == written)], fmt, written)

    serial = shaped(_SERIAL)
    if serial.size:
        number = texts[serial].astype(float)
        inside = (number >= _SERIAL_RANGE[0]) & (number <= _SERIAL_RANGE[1])
        serial, number = serial[inside], number[inside]
        whole = np.floor(number)
        p.day[rows[serial]] = _EXCEL_EPOCH + whole.astype(np.int64).astype("timedelta64[D]")
        # Excel stores times as float fractions of a day; the millisecond rounding removes float noise.
        p.time_us[rows[serial]] = np.round((number - whole) * 86_400_000).astype(np.int64) * 1000
        p.fmt[rows[serial]] = "excel_serial"
        pending[serial] = False

    for pattern, per_second, fmt in ((_EPOCH_SECONDS, 1, "unix_seconds"), (_EPOCH_MILLISECONDS, 1000, "unix_milliseconds")):
        epoch = shaped(pattern)
        if not epoch.size:
            continue
        seconds = texts[epoch].astype(float) / per_second
        inside = (seconds >= _EPOCH_RANGE[0]) & (seconds < _EPOCH_RANGE[1])
        epoch, seconds = epoch[inside], seconds[inside]
        micros = np.round(seconds * 1_000_000).astype(np.int64)
        p.day[rows[epoch]] = (micros // _US_PER_DAY).astype("datetime64[D]").astype("datetime64[us]")
        p.time_us[rows[epoch]] = micros % _US_PER_DAY
        p.offset_min[rows[epoch]] = 0.0  # an epoch stamp is an instant in UTC
        p.fmt[rows[epoch]] = fmt
        pending[epoch] = False

    named = shaped(_MONTH_NAMED)
    for fmt in _MONTH_NAME_FORMATS:
        attempt(named, fmt)

    p.problem[rows[pending]] = "invalid"


def _four_digit_year(text: str) -> str:
    """`05/01/23` -> `05/01/2023` by TWO_DIGIT_YEAR_PIVOT."""
    year = int(text[-2:])
    return text[:-2] + str(year + (1900 if year >= TWO_DIGIT_YEAR_PIVOT else 2000))


def _parse_time_part(p: _Parsed, rows: np.ndarray, parts: pd.DataFrame) -> None:
    timed = parts["hour"].notna().to_numpy()
    if not timed.any():
        return
    rows, g = rows[timed], parts[timed]
    hour = g["hour"].astype(int).to_numpy()
    minute = g["minute"].astype(int).to_numpy()
    second = g["second"].fillna("0").astype(int).to_numpy()
    micro = g["fraction"].fillna("").str.ljust(6, "0").str[:6].astype(int).to_numpy()
    ampm = g["ampm"].fillna("").str.upper().to_numpy(dtype=object)
    twelve = ampm != ""
    ok = ~twelve | ((hour >= 1) & (hour <= 12))
    hour = np.where(ampm == "P", hour % 12 + 12, np.where(ampm == "A", hour % 12, hour))
    ok &= (hour <= 23) & (minute <= 59) & (second <= 59)
    offset = g["tz"].map(_offset_minutes, na_action="ignore").to_numpy(dtype=float)
    ok &= ~(g["tz"].notna().to_numpy() & np.isnan(offset))
    p.time_us[rows] = ((hour * 60 + minute) * 60 + second) * 1_000_000 + micro
    p.offset_min[rows] = offset
    p.problem[rows[~ok]] = "invalid"
    for i, r in zip(rows, g.itertuples(index=False)):
        if isinstance(p.fmt[i], str) and p.fmt[i] not in ("excel_serial", *_EPOCH_FORMATS):
            p.fmt[i] += _time_format(r)


def _offset_minutes(tz: str) -> float:
    if tz in ("Z", "z", "UTC", "GMT"):
        return 0.0
    digits = tz[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        return math.nan
    return (hours * 60 + minutes) * (-1 if tz[0] == "-" else 1)


def _time_format(r: tuple) -> str:
    fmt = r.sep + ("%I" if isinstance(r.ampm, str) else "%H") + ":%M"
    fmt += ":%S" if isinstance(r.second, str) else ""
    fmt += ".%f" if isinstance(r.fraction, str) else ""
    fmt += r.ampm_sep + "%p" if isinstance(r.ampm, str) else ""
    if isinstance(r.tz, str):
        fmt += r.tz_sep + ("%Z" if r.tz in ("UTC", "GMT") else "%z")
    return fmt


def _rule(prefix: str, fmt: object) -> str | None:
    if fmt in ("native", "excel_serial", *_EPOCH_FORMATS):
        return str(fmt)
    return f"{prefix}:{fmt}" if fmt is not None else None


def clean_date(s: pd.Series, *, date_order: str = "YMD", tz: str = "UTC") -> Normalised:
    """ISO `YYYY-MM-DD` date as written (a time or offset is dropped, never applied). An epoch stamp has
    no written date: it gives its date in `tz`, the source's zone.

    `date_order` decides `05/01/2023` (see the module's notes): "DMY" → 5 Jan, "MDY" → 1 May, "YMD" →
    parsed only when one part is > 12 (or both are equal), else problem "ambiguous_date". Other failures:
    "invalid_date".
    """
    order = _check_order(date_order)
    distinct = Distinct.of(s)
    p = _parse(distinct.uniques, order)
    ok = p.ok
    days = p.day.copy()
    epoch = ok & np.isin(p.fmt, _EPOCH_FORMATS)
    if epoch.any():
        instants = pd.DatetimeIndex(p.day[epoch] + p.time_us[epoch].astype("timedelta64[us]")).tz_localize("UTC")
        days[epoch] = instants.tz_convert(tz).tz_localize(None).normalize().to_numpy(dtype="datetime64[us]")
    iso = np.full(len(ok), None, dtype=object)
    iso[ok] = np.datetime_as_string(days[ok], unit="D").astype(object)
    rules = np.full(len(ok), None, dtype=object)
    for i in np.flatnonzero(ok):
        if iso[i] != p.text[i]:
            rules[i] = _rule("date_format", p.fmt[i])
        elif iso[i] != distinct.uniques[i]:
            rules[i] = p.text_rule[i]
    return distinct.result(iso, _problems(p, ok, "invalid_date"), rules)


def clean_datetime(s: pd.Series, *, tz: str = "UTC", date_order: str = "YMD") -> Normalised:
    """Timezone-aware UTC pd.Timestamps. An explicit offset ("+08:00", "Z") is honoured, an epoch stamp is
    UTC; a naive value (date-only ones at midnight) is read as wall time in `tz`.

    A naive time that daylight saving makes repeated or skipped keeps a value AND a problem, so it is
    flagged rather than silently resolved: "dst_ambiguous_time" (the hour after clocks go back; the first,
    summer-time reading is taken) and "dst_nonexistent_time" (the hour clocks skip; moved an hour back).
    Problems: "ambiguous_date" as in clean_date, else "invalid_datetime"."""
    order = _check_order(date_order)
    pd.Timestamp("2000-01-01").tz_localize(tz)  # fail fast on an unknown zone, even with no naive rows
    distinct = Distinct.of(s)
    p = _parse(distinct.uniques, order)
    ok = p.ok
    local = p.day + p.time_us.astype("timedelta64[us]")
    utc = np.full(len(ok), _NAT)
    aware = ok & ~np.isnan(p.offset_min)
    shift = np.round(p.offset_min[aware] * 60_000_000).astype(np.int64).astype("timedelta64[us]")
    utc[aware] = local[aware] - shift
    naive = ok & np.isnan(p.offset_min)
    dst = np.full(len(ok), None, dtype=object)
    if naive.any():
        wall = pd.DatetimeIndex(local[naive])
        first = np.ones(len(wall), dtype=bool)
        zoned = wall.tz_localize(tz, ambiguous=first, nonexistent=pd.Timedelta(hours=-1))
        utc[naive] = zoned.tz_convert("UTC").tz_localize(None).to_numpy(dtype="datetime64[us]")
        skipped = wall.tz_localize(tz, ambiguous=first, nonexistent="NaT").isna()
        repeated = wall.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward").isna()
        rows = np.flatnonzero(naive)
        dst[rows[repeated]] = "dst_ambiguous_time"
        dst[rows[skipped]] = "dst_nonexistent_time"
    stamps = pd.DatetimeIndex(utc).tz_localize("UTC").astype(object).to_numpy()
    values = np.where(ok, stamps, None)
    rules = np.full(len(ok), None, dtype=object)
    for i in np.flatnonzero(ok):
        rules[i] = _rule("datetime_format", p.fmt[i])
    problems = _problems(p, ok, "invalid_datetime")
    problems = np.where(dst != None, dst, problems)  # noqa: E711 (element-wise)
    return distinct.result(values, problems, rules)


def _problems(p: _Parsed, ok: np.ndarray, invalid: str) -> np.ndarray:
    blank = np.fromiter((t is None and q is None for t, q in zip(p.text, p.problem)), bool, len(ok))
    problems = np.where(p.problem == "ambiguous_date", "ambiguous_date", invalid).astype(object)
    problems[ok | (blank & np.isnat(p.day))] = None
    return problems
