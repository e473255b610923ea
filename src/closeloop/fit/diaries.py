"""What the fit accepts: a validated diary table whose couples start at day 0, run day after day
with both partners, and (per couple) whether there is enough to fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from closeloop.errors import InputError
from closeloop.observation import read_diary, validate

FITTABLE = "fitted"
TOO_SHORT = "unfittable: fewer days than the network needs and the relationship did not end"
NO_BIDS = "unfittable: no bids either way in the days fitted"


def load(diary: pd.DataFrame | str | Path) -> pd.DataFrame:
    """A diary table from a DataFrame or a .parquet/.csv path, validated against the schema
    (one-line InputError otherwise) and checked for what the fit needs."""
    if isinstance(diary, pd.DataFrame):
        table = validate(diary, "diary table")
        where = "diary table"
    elif isinstance(diary, str | Path):
        table = read_diary(diary)
        where = f"diary file {str(diary)!r}"
    else:
        raise InputError(
            "The 'diary' parameter of fit must be a diary table (a pandas DataFrame) or the path "
            f"of a .parquet or .csv diary file. Got a value of type {type(diary).__name__} instead."
        )
    _check_days(table, where)
    return table


def _check_days(table: pd.DataFrame, where: str) -> None:
    """Each couple's rows: both partners on every day, days 0, 1, 2, ... without a gap."""
    g = table.groupby("couple", sort=True, observed=True)
    first = g["day"].min()
    bad = first[first != 0]
    if len(bad):
        c, d = int(bad.index[0]), int(bad.iloc[0])
        raise InputError(
            f"The 'day' column of the {where} must start at 0 for every couple (this version "
            f"fits diaries from the first day of a relationship). Got couple {c} starting at day "
            f"{d} instead."
        )
    rows = g.size()
    last = g["day"].max()
    gap = rows != 2 * (last + 1)
    if gap.any():
        c = int(rows.index[np.flatnonzero(gap.to_numpy())[0]])
        days = table.loc[table["couple"] == c, ["day", "person"]]
        per_day = days.groupby("day", observed=True).size()
        missing = sorted(set(range(int(per_day.index.max()) + 1)) - set(per_day.index.tolist()))
        one = per_day[per_day != 2]
        what = (
            f"day {missing[0]} missing"
            if missing
            else f"only one partner on day {int(one.index[0])}"
        )
        raise InputError(
            f"The 'day' column of the {where} must run 0, 1, 2, ... with both partners every "
            f"day for each couple. Got couple {c} with {what} instead."
        )


def status(table: pd.DataFrame, days: int) -> pd.Series:
    """Per couple (index: couple id): ``FITTABLE`` or why it cannot be fitted."""
    t = table[table["day"] < days]
    g = t.groupby("couple", sort=True, observed=True)
    n_days = g["day"].max() + 1
    ended = g["ended"].max().astype(int) == 1
    bids = g["bids_made"].sum().astype(int)
    out = pd.Series(FITTABLE, index=n_days.index.astype(int), dtype=object)
    out[(n_days < days) & ~ended] = TOO_SHORT
    out[(bids == 0) & (out == FITTABLE)] = NO_BIDS
    return out


def require_some(st: pd.Series, days: int, where: str = "diary") -> None:
    """A one-line error when no couple of the diary can be fitted."""
    if (st == FITTABLE).any():
        return
    short = (st == TOO_SHORT).all()
    why = (
        f"at least {days} days from day 0 (or a relationship that ended in them)"
        if short
        else "at least one bid in the days fitted"
    )
    raise InputError(
        f"The {where} has no couple the model can be fitted to: a couple needs {why}. Got "
        f"{len(st)} couple(s), none with it."
    )
