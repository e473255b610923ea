"""Checking a table against the diary schema (``validate``): one-line errors naming the column,
the row, the value and what is allowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from closeloop.errors import InputError
from closeloop.observation.schema import COLUMNS, KEY, SCHEMA, Column, column_array


def _cell_error(where: str, col: str, allowed: str, value: object, row: int) -> InputError:
    got = "a missing value" if value is None or value is pd.NA else repr(value)
    return InputError(
        f"The '{col}' column of the {where} must be {allowed}. Got {got} in row {row} instead."
    )


def _first(bad: np.ndarray) -> int | None:
    hits = np.flatnonzero(bad)
    return int(hits[0]) if hits.size else None


def _show(value: object) -> object:
    """A value as the error shows it: whole numbers without '.0'."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    return value.item() if isinstance(value, np.generic) else value


def _parse(spec: Column, s: pd.Series, where: str) -> Any:
    """One column checked against its spec and converted to the spec's dtype.

    Missing values are left as NA here; whether they are allowed is checked afterwards, once
    every column is parsed (it depends on the ``only_if`` column).
    """
    fail: Callable[[object, int], InputError] = lambda v, i: _cell_error(  # noqa: E731
        where, spec.name, spec.allowed(), _show(v), i + 1
    )
    if spec.values:
        # Match the distinct values only (a few), then map every row by its code: fast on
        # categorical and text columns alike.
        seen, uniques = pd.factorize(s)  # missing values get -1
        names = pd.Index([str(u).strip() for u in uniques], dtype=object)
        mapped = np.append(pd.Index(spec.values).get_indexer(names), -1)
        codes = mapped[seen]
        i = _first((seen >= 0) & (codes < 0))
        if i is not None:
            raise fail(s.iloc[i], i)
        return column_array(spec, codes, codes >= 0)
    if pd.api.types.is_bool_dtype(s.dtype) and (spec.low, spec.high) == (0, 1):
        num = s.astype("Int8")  # True/False is an unambiguous 0/1
    elif pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        num = s
    else:
        text = s.astype("string").str.strip()
        num = pd.to_numeric(text, errors="coerce")
        i = _first((text.notna() & num.isna()).to_numpy(bool))
        if i is not None:
            raise fail(s.iloc[i], i)
    values = num.to_numpy(np.float64, na_value=np.nan)
    known = ~np.isnan(values)
    # No upper bound in the schema still means one the dtype can hold.
    high = np.iinfo(spec.dtype.lower()).max if spec.high is None else spec.high
    low = 0 if spec.low is None else spec.low
    bad = known & ((values % 1 != 0) | (values < low) | (values > high))
    i = _first(bad)
    if i is not None:
        raise fail(values[i], i)
    return column_array(spec, np.where(known, values, 0).astype(np.int64), known)


def validate(df: pd.DataFrame, where: str = "diary table") -> pd.DataFrame:
    """Check a table against :data:`SCHEMA` and return it with the schema's dtypes and order.

    Arguments:
        df: the table (any column order; values may be text, as read from CSV).
        where: how error messages name the table.

    Returns:
        A new DataFrame: the schema's columns and dtypes, sorted by couple, day and person.

    Raises:
        InputError: a missing or unknown column, an empty table, a value of the wrong type or out
            of range, a value missing where it is required or present where it must be missing,
            or a repeated (couple, person, day).
    """
    names = [str(c) for c in df.columns]
    missing = [c for c in COLUMNS if c not in names]
    if len(missing) == len(COLUMNS):
        raise InputError(
            f"The {where} is not a closeloop diary table: it has none of the columns "
            f"{', '.join(COLUMNS)} (see docs/diary.md)."
        )
    if missing:
        raise InputError(
            f"The {where} must have every diary column. Got a table without "
            f"{', '.join(map(repr, missing))} instead."
        )
    unknown = [c for c in names if c not in COLUMNS]
    if unknown or len(set(names)) != len(names):
        extra = unknown or sorted({c for c in names if names.count(c) > 1})
        raise InputError(
            f"The {where} must have only the diary columns (see docs/diary.md). Got "
            f"{'unknown' if unknown else 'repeated'} column(s) {', '.join(map(repr, extra))} "
            "instead."
        )
    if len(df) == 0:
        raise InputError(f"The {where} must have at least one row. Got none instead.")
    df = df.reset_index(drop=True)
    cols = {c.name: _parse(c, df[c.name], where) for c in SCHEMA}
    for c in SCHEMA:
        na = np.asarray(pd.isna(cols[c.name]), bool)
        if c.only_if is None:
            i = _first(na)
            if i is not None:
                raise _cell_error(where, c.name, c.allowed(), None, i + 1)
            continue
        on = np.asarray(cols[c.only_if] == 1, bool)
        i = _first(on & na)
        if i is not None:
            allowed = f"{c.allowed()} where '{c.only_if}' is 1"
            raise _cell_error(where, c.name, allowed, None, i + 1)
        i = _first(~on & ~na)
        if i is not None:
            allowed = f"missing (empty) where '{c.only_if}' is 0"
            raise _cell_error(where, c.name, allowed, _show(df[c.name].iloc[i]), i + 1)
    out = pd.DataFrame(cols)
    dup = out.duplicated(list(KEY), keep=False).to_numpy(bool)
    if dup.any():
        i, j = np.flatnonzero(dup)[:1].item(), None
        key = out.loc[i, list(KEY)]
        same = (out[list(KEY)] == key).all(axis=1).to_numpy(bool)
        i, j = np.flatnonzero(same)[:2].tolist()
        raise InputError(
            f"The {where} must have one row per couple, person and day. Got two for couple "
            f"{key['couple']}, person {key['person']!r}, day {key['day']} (rows {i + 1} and "
            f"{j + 1}) instead."
        )
    return out.sort_values(list(KEY), kind="stable", ignore_index=True)
