"""Typed frames: field types to pandas dtypes DuckDB stores faithfully, and back to JSON-ready values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from handover.exports import neutralise_formula


def apply_types(frame: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """Cast the columns named in `types` (field type names) to dtypes with the right DuckDB type."""
    out = frame.copy()
    for column, kind in types.items():
        if column not in out:
            continue
        values = out[column]
        if kind == "datetime":
            out[column] = pd.to_datetime(values, utc=True, errors="coerce").astype("datetime64[us, UTC]")
        elif kind == "date":
            parsed = pd.to_datetime(values, errors="coerce")
            out[column] = pd.Series([d.date() if pd.notna(d) else None for d in parsed], index=values.index, dtype=object)
        elif kind == "number":
            out[column] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif kind == "integer":
            out[column] = pd.to_numeric(values, errors="coerce").round().astype("Int64")
        elif kind == "boolean":
            out[column] = values.astype(object).map(lambda v: None if is_missing(v) else bool(v)).astype("boolean")
        else:
            out[column] = values.astype(object).where(values.notna(), None)
    return out


def _ready(value: object) -> object:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if np.isnan(value) else round(value, 6)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        stamp = pd.Timestamp(value)
        return (stamp.tz_convert("UTC") if stamp.tzinfo else stamp.tz_localize("UTC")).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, np.floating):
        return _ready(float(value))
    return value


def json_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Values in a canonical, comparable form: ISO strings for times, None for every kind of missing."""
    return pd.DataFrame({c: [_ready(v) for v in frame[c].astype(object)] for c in frame.columns}, index=frame.index)


def comparable(series: pd.Series, kind: str) -> pd.Series:
    """Values of one field type in a form where equal means the same to a CRM user."""
    if kind == "date":
        parsed = pd.to_datetime(series.astype(object), errors="coerce")
        return pd.Series(parsed.dt.strftime("%Y-%m-%d").to_numpy(), index=series.index, dtype=object).where(parsed.notna().to_numpy(), None)
    if kind == "datetime":
        parsed = pd.to_datetime(series.astype(object), utc=True, errors="coerce")
        return pd.Series(parsed.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").to_numpy(), index=series.index, dtype=object).where(parsed.notna().to_numpy(), None)
    if kind in ("number", "integer"):
        numbers = pd.to_numeric(series, errors="coerce").round(6)
        return numbers.astype(object).where(numbers.notna(), None)
    if kind == "boolean":
        return series.astype(object).map(lambda v: None if is_missing(v) else bool(v))
    return series.astype(object).map(lambda v: None if is_missing(v) else str(v))


def is_missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def as_text(series: pd.Series) -> pd.Series:
    """Object series of str, with None (never NaN) for missing values."""
    return pd.Series([None if is_missing(v) else v if isinstance(v, str) else str(v) for v in series.astype(object)],
                     index=series.index, dtype=object)


def neutralise_formulas(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """`frame` with `handover.exports.neutralise_formula` applied to the text of `columns`."""
    out = frame.copy()
    for column in columns:
        out[column] = [neutralise_formula(v) for v in out[column].astype(object)]
    return out
