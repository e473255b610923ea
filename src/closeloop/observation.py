"""The observation model: what a daily-diary study of a simulated couple would record.

A couple simulated with ``daily=True`` carries its latent day-by-day record (bids, responses,
withdrawal, conflict, satisfaction, arousal, how deeply each partner is known). ``diary`` turns it
into the long table a daily-diary study collects: one row per couple, person and day while the
relationship lasts, with the events each partner reports and three 1-7 ratings drawn through a
documented measurement model (a latent value in [0, 1], Gaussian measurement noise, rounding).

The table's schema is declared once, in :data:`SCHEMA`; the writer (``write_diary``), the reader
and validator (``read_diary``), ``diary-schema.json`` and the column table of docs/diary.md all come
from it.

Example:
    >>> import closeloop as cl
    >>> sc = cl.scenario("avoidant-anxious").replace(days=90)
    >>> table = cl.diary(cl.simulate(sc, n=20, seed=0, daily=True), seed=0)
    >>> paths = write_diary(table, "out/")
    >>> read_diary("out/diary.parquet").equals(table)
    True
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from closeloop.errors import InputError, one_of
from closeloop.io import atomic_write, write_text
from closeloop.model.couple import AGAINST, AWAY, NONE, RESPONSES, TALK, TOWARD
from closeloop.model.person import BEHAVIOURS, K
from closeloop.params import DAY_FIELDS, SPECS
from closeloop.presets import PRESET_NAMES

# --- The schema: the one definition of the table -----------------------------------------------

RESPONSE_NAMES = RESPONSES[1:]  # "toward", "away", "against": Gottman's three ways to meet a bid
WITHDRAWAL_NAMES = BEHAVIOURS[1:]  # the forms withdrawal takes ("shares" is not a withdrawal)
PERSONS = ("a", "b")


@dataclass(frozen=True)
class Column:
    """One column of the diary table.

    Attributes:
        name: column name.
        dtype: pandas dtype of the column ("Int32", "Int8" or "category").
        description: what a participant's row means by it.
        source: the latent quantity of the model it comes from.
        low, high: allowed range of an integer column (``high`` None: no upper bound).
        values: allowed values of a category column.
        only_if: a 0/1 column; this column has a value exactly on rows where that one is 1 and is
            missing (NA) elsewhere. None: never missing.
    """

    name: str
    dtype: str
    description: str
    source: str
    low: int | None = None
    high: int | None = None
    values: tuple[str, ...] = ()
    only_if: str | None = None

    def allowed(self) -> str:
        """What a value may be, in words (used in the docs and in error messages)."""
        if self.values:
            return one_of(self.values)
        if self.high is None:
            return f"an integer >= {self.low}"
        return f"an integer in [{self.low}, {self.high}]"

    def missing(self) -> str:
        """When the value is missing, in words."""
        return "never" if self.only_if is None else f"exactly when `{self.only_if}` is 0"

    def to_json(self) -> dict[str, Any]:
        allowed: dict[str, Any] = (
            {"values": list(self.values)} if self.values else {"min": self.low, "max": self.high}
        )
        return {
            "name": self.name,
            "dtype": self.dtype,
            "description": self.description,
            "source": self.source,
            "allowed": allowed,
            "missing_unless": self.only_if,
        }


def _flag(name: str, description: str, source: str) -> Column:
    return Column(name, "Int8", description, source, 0, 1)


def _rating(name: str, description: str, source: str) -> Column:
    return Column(name, "Int8", description, source, 1, 7)


SCHEMA: tuple[Column, ...] = (
    Column(
        "couple", "Int32", "Couple identifier (the couple's index in the simulation).",
        "`couple` coordinate of the dataset", 0,
    ),
    Column(
        "person", "category", "Which partner reports on this row.", "member axis (a, b)",
        values=PERSONS,
    ),
    Column(
        "day", "Int32", "Day of the relationship the row reports on (0: the first day).",
        "`day` coordinate", 0,
    ),
    Column(
        "preset", "category", "The person's profile (preset) in the simulation.",
        "`preset` of the person", values=PRESET_NAMES,
    ),
    Column(
        "partner_preset", "category", "The partner's profile (preset).", "`preset` of the partner",
        values=PRESET_NAMES,
    ),
    _flag(
        "bids_made",
        "1: the person reached out for connection that day (a bid, or raising a 'where is this "
        "going' talk).",
        "`Day.bid`",
    ),
    Column(
        "bid_depth", "Int8",
        "How deep the person's bid went: 0 small talk, 1 opinions and plans, 2 everyday feelings, "
        "3 fears and needs, 4 being fully known (a talk is 4).",
        "`Day.bid_depth`", 0, K - 1, only_if="bids_made",
    ),
    _flag(
        "bids_received", "1: the partner reached out to the person that day.", "partner's `Day.bid`"
    ),
    Column(
        "response", "category",
        "How the person met the partner's bid: toward (engaged, shared), away (got busy, "
        "deflected, shut down), against (walked out on it).",
        "`Day.received`", values=RESPONSE_NAMES, only_if="bids_received",
    ),
    Column(
        "partner_response", "category", "How the partner met the person's bid.",
        "partner's `Day.received`", values=RESPONSE_NAMES, only_if="bids_made",
    ),
    _flag(
        "withdrew",
        "1: closeness was offered to the person (the partner's bid, the talk, or repair after a "
        "conflict) and they pulled back.",
        "`Day.behaviour` != shares",
    ),
    Column(
        "behaviour", "category", "The observable form the withdrawal took.", "`Day.behaviour`",
        values=WITHDRAWAL_NAMES, only_if="withdrew",
    ),
    _flag("talk", "1: a 'where is this going' talk happened that day.", "`Day.moment` == talk"),
    _flag("conflict", "1: the couple had a conflict that day.", "`Day.conflict`"),
    Column(
        "repaired", "Int8",
        "1: the day's conflict was repaired the same day (both partners opened up); 0: it was not.",
        "`Day.repaired`", 0, 1, only_if="conflict",
    ),
    _rating(
        "closeness", "Felt closeness to the partner that evening (1 not at all, 7 very close).",
        "`CoupleState.known` both ways and how the day's exchanges went (measurement model)",
    ),
    _rating(
        "satisfaction", "Satisfaction with the relationship that evening (1 low, 7 high).",
        "`CoupleState.sat` (measurement model)",
    ),
    _rating(
        "stress", "Stress or tension felt that day (1 none, 7 a great deal).",
        "`Day.arousal` and `CoupleState.stability` (measurement model)",
    ),
    _flag(
        "ended", "1: the relationship ended that day (its last row); 0 otherwise.",
        "`CoupleState.ended` turning true",
    ),
)  # fmt: skip
"""The diary table's columns, in order. The one definition of the schema."""

COLUMNS = tuple(c.name for c in SCHEMA)
KEY = ("couple", "day", "person")
"""The row order (and a unique key) of the table."""
SCHEMA_VERSION = 1

# --- The measurement model ---------------------------------------------------------------------

RATINGS = ("closeness", "satisfaction", "stress")
"""The rated columns, in the order of their noise draws."""
# The measurement model's numbers are declared parameters (closeloop.params.observation); the
# names below keep their values (Python floats, exactly the literals they replace).
NOISE_SD = {r: SPECS[f"noise_{r}"].default for r in RATINGS}
"""SD of the Gaussian measurement noise added to each latent value (on its [0, 1] scale, before
the 1-7 mapping: 0.1 is 0.6 of a scale point)."""
KNOWN_WEIGHT = SPECS["known_weight"].default
"""Share of latent closeness from mutual knowing; the rest is the day's responsiveness."""
DAY_CLOSENESS = {what: SPECS[name].default for what, name in DAY_FIELDS.items()}
"""Values of the day's responsiveness term of latent closeness. Each exchange the person took part
in (their own bid, the partner's bid, the day's conflict) scores by how it went; the term is the
mean over the day's exchanges, and a day with none is neutral."""
AROUSAL_WEIGHT = SPECS["arousal_weight"].default
"""Share of latent stress from the day's arousal; the rest is carried tension, 1 - stability."""

_DAILY_KEYS = (
    "bid",
    "bid_depth",
    "received",
    "behaviour",
    "shared",
    "moment",
    "conflict",
    "repaired",
    "arousal",
    "sat",
    "stability",
    "known",
    "ended",
)


def to_rating(x: np.ndarray) -> np.ndarray:
    """Map values on [0, 1] to a 1-7 rating: round 1 + 6x to the nearest integer, clip to [1, 7].

    Example:
        >>> to_rating(np.array([-0.2, 0.0, 0.5, 0.99, 1.3])).tolist()
        [1, 1, 4, 7, 7]
    """
    return np.clip(np.rint(1.0 + 6.0 * x), 1, 7).astype(np.int8)


def latent_closeness(
    known_self: np.ndarray,
    known_partner: np.ndarray,
    bid: np.ndarray,
    partner_received: np.ndarray,
    bid_received: np.ndarray,
    shared: np.ndarray,
    conflict: np.ndarray,
    repaired: np.ndarray,
) -> np.ndarray:
    """Latent felt closeness in [0, 1]: mutual knowing plus the day's responsiveness.

    Closeness grows from disclosure met with responsiveness, for the one who discloses and the one
    who responds (Reis and Shaver 1988; Laurenceau, Barrett and Pietromonaco 1998): how deeply the
    person is known and knows the partner (each in [0, K] depth levels), and how the day's
    exchanges went (:data:`DAY_CLOSENESS`).

    Arguments:
        known_self: how deeply the person is known by the partner, in [0, K].
        known_partner: how deeply the partner is known by the person, in [0, K].
        bid: bool, the person reached out.
        partner_received: index into couple.RESPONSES, how the partner met the person's bid.
        bid_received: bool, the partner reached out to the person.
        shared: bool, the person shared when closeness was offered (turned toward).
        conflict, repaired: bool, the day's conflict and whether it was repaired.

    Returns:
        An array of the broadcast shape, in [0, 1].

    Example:
        >>> f = lambda *a: float(latent_closeness(*map(np.asarray, a)))
        >>> f(0.0, 0.0, True, TOWARD, False, False, False, False)  # own bid met, nothing known
        0.5
    """
    d = DAY_CLOSENESS
    own = np.select(
        [partner_received == TOWARD, partner_received == AWAY, partner_received == AGAINST],
        [d["own bid met"], d["own bid turned away from"], d["own bid turned against"]],
        d["nothing happened"],
    )
    theirs = np.where(
        shared, d["turned toward the partner's bid"], d["pulled back from the partner's bid"]
    )
    fight = np.where(repaired, d["conflict repaired"], d["conflict not repaired"])
    parts = [(bid, own), (bid_received & ~conflict, theirs), (conflict, fight)]
    total = sum(np.where(on, v, 0.0) for on, v in parts)
    count = sum(np.asarray(on, np.float64) for on, _ in parts)
    day = np.where(count > 0, total / np.maximum(count, 1.0), d["nothing happened"])
    knowing = (known_self + known_partner) / (2.0 * K)
    return np.clip(KNOWN_WEIGHT * knowing + (1.0 - KNOWN_WEIGHT) * day, 0.0, 1.0)


def latent_stress(arousal: np.ndarray, stability: np.ndarray) -> np.ndarray:
    """Latent stress in [0, 1]: the day's arousal (capped at 1, as the kernel's calm is) and the
    tension carried over from earlier days (1 - felt stability)."""
    a = np.minimum(np.maximum(arousal, 0.0), 1.0)
    return np.clip(AROUSAL_WEIGHT * a + (1.0 - AROUSAL_WEIGHT) * (1.0 - stability), 0.0, 1.0)


def noise(seed: int, couples: Sequence[int] | np.ndarray, days: int) -> np.ndarray:
    """Standard normal draws (couple, day, person, rating) for the measurement noise.

    Each couple's draws come from ``numpy.random.default_rng([seed, couple])`` and are laid out day
    by day, so a couple's noise is the same whichever couples are taken and however long the run.
    """
    return np.stack(
        [
            np.random.default_rng([seed, int(c)]).standard_normal((days, 2, len(RATINGS)))
            for c in couples
        ]
    )


# --- From a dataset to the table ---------------------------------------------------------------


def _need_couple_daily(ds: object) -> xr.Dataset:
    """The dataset, checked to be a couple simulation with its daily records."""
    allowed = "a couple Dataset simulated with daily=True (closeloop.simulate(sc, daily=True))"
    if not isinstance(ds, xr.Dataset):
        got = type(ds).__name__
        raise InputError(
            f"The 'ds' parameter of diary must be {allowed}. Got a value of type {got} instead."
        )
    kind = ds.attrs.get("closeloop_kind", "couple" if "couple" in ds.dims else "unknown")
    if kind != "couple" or "couple" not in ds.dims:
        raise InputError(
            f"The 'ds' parameter of diary must be {allowed}. Got a {kind} dataset instead."
        )
    missing = [k for k in _DAILY_KEYS if f"daily_{k}" not in ds]
    if len(missing) == len(_DAILY_KEYS):
        raise InputError(
            f"The 'ds' parameter of diary must be {allowed}. Got a couple dataset without daily "
            "records instead: pass daily=True to simulate."
        )
    if missing:
        names = ", ".join(f"daily_{k}" for k in missing)
        raise InputError(
            f"The 'ds' parameter of diary must be {allowed}. Got one without {names} instead: "
            "simulate it again with this version of closeloop."
        )
    return ds


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(
            f"The 'seed' parameter of diary must be an integer >= 0. Got {seed!r} instead."
        )
    return int(seed)


def _last_day(ended: np.ndarray) -> np.ndarray:
    """(couple,) last observed day: the day the relationship ended, else the run's last day."""
    days = ended.shape[1]
    return np.where(ended.any(axis=1), np.argmax(ended, axis=1), days - 1)


def _swap(x: np.ndarray) -> np.ndarray:
    """The partner's value: flip the member axis (last)."""
    return np.flip(x, axis=-1)


def _column(spec: Column, values: np.ndarray, present: np.ndarray | None = None) -> Any:
    """A column array of the schema's dtype; ``present`` False marks NA. Category values are
    codes into ``spec.values``."""
    mask = np.zeros(values.shape, bool) if present is None else ~present
    if spec.values:
        codes = np.where(mask, -1, values).astype(np.int32)
        return pd.Categorical.from_codes(codes, categories=pd.Index(spec.values))
    dtype = np.int32 if spec.dtype == "Int32" else np.int8
    return pd.arrays.IntegerArray(np.where(mask, 0, values).astype(dtype), mask)


def diary(ds: xr.Dataset, seed: int = 0, *, latent: bool = False) -> pd.DataFrame:
    """The daily-diary table of a couple simulation: what each partner reports each day.

    One row per couple, person and day while the relationship lasts: the day it ends is its last
    row, later days are not observed. Events (bids, responses, withdrawal, talks, conflict and
    repair, the ending) are reported as they happened; closeness, satisfaction and stress are 1-7
    ratings of a latent value plus Gaussian measurement noise (docs/diary.md).

    Arguments:
        ds: a couple Dataset from ``closeloop.simulate(sc, n, seed, daily=True)``.
        seed: seed of the measurement noise; couple c's noise comes from
            ``numpy.random.default_rng([seed, c])``, so any subset of couples gets the same rows.
        latent: also return the latent values the ratings measure (``closeness_latent``,
            ``satisfaction_latent``, ``stress_latent``, floats in [0, 1]); they are not part of
            the file schema.

    Returns:
        A pandas DataFrame with the columns of :data:`SCHEMA` (nullable dtypes, NA where a value
        does not apply), sorted by couple, day and person.

    Example:
        >>> import closeloop as cl
        >>> sc = cl.Scenario(kind="couple", a="avoidant", b="anxious", days=60)
        >>> table = cl.diary(cl.simulate(sc, n=6, seed=0, daily=True), seed=0)
        >>> table.shape
        (720, 19)
    """
    ds = _need_couple_daily(ds)
    seed = _check_seed(seed)
    g = {k: np.asarray(ds[f"daily_{k}"].values) for k in _DAILY_KEYS}
    couples = np.asarray(ds["couple"].values)
    n, days = g["ended"].shape
    # Per-couple daily values broadcast over the member axis: every array is (couple, day, 2).
    both = lambda x: np.broadcast_to(x[..., None], (n, days, 2))  # noqa: E731
    bid = g["bid"].astype(bool)
    received = g["received"]
    behaviour = g["behaviour"]
    conflict = both(g["conflict"].astype(bool))
    repaired = both(g["repaired"].astype(bool))
    ended = g["ended"].astype(bool)
    last = _last_day(ended)
    observed = np.arange(days)[None, :] <= last[:, None]
    ended_today = np.zeros((n, days), bool)
    ended_today[np.arange(n), last] = ended[np.arange(n), last]

    lat = {
        "closeness": latent_closeness(
            g["known"],
            _swap(g["known"]),
            bid,
            _swap(received),
            _swap(bid),
            g["shared"].astype(bool),
            conflict,
            repaired,
        ),
        "satisfaction": np.clip(g["sat"], 0.0, 1.0),
        "stress": latent_stress(g["arousal"], g["stability"]),
    }
    z = noise(seed, couples, days)
    rated = {r: to_rating(lat[r] + NOISE_SD[r] * z[..., i]) for i, r in enumerate(RATINGS)}

    preset = np.asarray(ds["preset"].values)
    code = np.vectorize(PRESET_NAMES.index, otypes=[np.int32])(preset)  # (couple, 2)
    spec = {c.name: c for c in SCHEMA}
    withdrew = behaviour != 0
    cols: dict[str, tuple[np.ndarray, np.ndarray | None]] = {
        "couple": (np.broadcast_to(couples[:, None, None], (n, days, 2)), None),
        "person": (np.broadcast_to(np.arange(2), (n, days, 2)), None),
        "day": (np.broadcast_to(np.arange(days)[None, :, None], (n, days, 2)), None),
        "preset": (np.broadcast_to(code[:, None, :], (n, days, 2)), None),
        "partner_preset": (np.broadcast_to(_swap(code)[:, None, :], (n, days, 2)), None),
        "bids_made": (bid, None),
        "bid_depth": (g["bid_depth"], bid),
        "bids_received": (_swap(bid), None),
        # Category codes: received TOWARD..AGAINST (1..3) -> 0..2; behaviour 1..5 -> 0..4.
        "response": (received - TOWARD, received != NONE),
        "partner_response": (_swap(received) - TOWARD, _swap(received) != NONE),
        "withdrew": (withdrew, None),
        "behaviour": (behaviour - 1, withdrew),
        "talk": (both(g["moment"] == TALK), None),
        "conflict": (conflict, None),
        "repaired": (repaired, conflict),
        **{r: (rated[r], None) for r in RATINGS},
        "ended": (both(ended_today), None),
    }
    # (couple, day, person) in C order is the table's sort order when the couples are in order.
    rows = np.broadcast_to(observed[..., None], (n, days, 2)).ravel()
    data = {
        name: _column(
            spec[name],
            np.asarray(v).ravel()[rows],
            None if p is None else np.asarray(p).ravel()[rows],
        )
        for name, (v, p) in cols.items()
    }
    if latent:
        for r in RATINGS:
            data[f"{r}_latent"] = np.asarray(lat[r], dtype=np.float64).ravel()[rows]
    df = pd.DataFrame(data)
    if np.any(np.diff(couples) < 0):  # e.g. ds.isel(couple=[4, 1])
        df = df.sort_values(list(KEY), kind="stable", ignore_index=True)
    return df


# --- Files -------------------------------------------------------------------------------------

FILES = ("diary.parquet", "diary.csv", "diary-schema.json")


def schema_json() -> str:
    """``diary-schema.json``: the schema as JSON (columns in order, key, version)."""
    doc = {
        "table": "closeloop diary",
        "version": SCHEMA_VERSION,
        "row": "one couple x person x day while the relationship lasts",
        "key": list(KEY),
        "missing": "empty cell in CSV, null in Parquet",
        "noise_sd": NOISE_SD,
        "columns": [c.to_json() for c in SCHEMA],
    }
    return json.dumps(doc, indent=2) + "\n"


def schema_table() -> str:
    """The column table of docs/diary.md, rendered from :data:`SCHEMA`."""
    from closeloop.markdown import table

    rows = [
        [f"`{c.name}`", c.dtype, c.allowed(), c.missing(), c.description, c.source] for c in SCHEMA
    ]
    return table(["column", "dtype", "allowed values", "missing (NA)", "meaning", "from"], rows)


def write_diary(df: pd.DataFrame, out_dir: str | Path) -> list[Path]:
    """Write a diary table as ``diary.parquet``, ``diary.csv`` and ``diary-schema.json``.

    The table is validated against the schema first, so a file written here always reads back.
    Each file is written atomically (temporary name, then rename).

    Arguments:
        df: a table from :func:`diary` (without its latent columns).
        out_dir: the folder to write into (created if missing; these three names are replaced).

    Returns:
        The paths written, in the order of :data:`FILES`.

    Example:
        >>> [p.name for p in write_diary(table, "out/")]  # doctest: +SKIP
        ['diary.parquet', 'diary.csv', 'diary-schema.json']
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(
            "The 'df' parameter of write_diary must be a diary table (a pandas DataFrame from "
            f"closeloop.diary). Got a value of type {type(df).__name__} instead."
        )
    table = validate(df, "the diary table")
    out = Path(out_dir)
    parquet, csv, schema = (out / f for f in FILES)
    atomic_write(parquet, lambda p: table.to_parquet(p, index=False))
    atomic_write(csv, lambda p: table.to_csv(p, index=False, na_rep="", lineterminator="\n"))
    write_text(schema, schema_json())
    return [parquet, csv, schema]


def _one_line(text: object, limit: int = 160) -> str:
    """An exception's message folded onto one short line."""
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _read_table(path: Path) -> pd.DataFrame:
    name = repr(str(path))
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError(
            f"The 'path' parameter of read_diary must be a .parquet or .csv file. Got {name} "
            "instead."
        )
    if not path.is_file():
        raise InputError(
            f"The 'path' parameter of read_diary must be an existing file. Got {name}, which "
            f"{'is a folder' if path.exists() else 'does not exist'}."
        )
    if path.stat().st_size == 0:
        raise InputError(f"The diary file {name} is empty: expected a table with a header row.")
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        # Everything as text, so that the validator sees exactly what the file says; an empty
        # cell (or NA, as R writes it) is a missing value.
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=["", "NA"], encoding="utf-8"
        )
    except Exception as e:  # pyarrow, the CSV parser and the decoder raise many kinds
        kind = "Parquet" if suffix == ".parquet" else "UTF-8 CSV"
        raise InputError(
            f"The diary file {name} could not be read as a {kind} table: {_one_line(e)}"
        ) from None


def read_diary(path: str | Path) -> pd.DataFrame:
    """Read and validate a diary table (``.parquet`` or ``.csv``), e.g. one to fit the model to.

    Arguments:
        path: a file written by :func:`write_diary`, or a study's own table in the same schema
            (docs/diary.md): the columns of :data:`SCHEMA`, any order, one row per couple, person
            and day.

    Returns:
        The table with the schema's dtypes, sorted by couple, day and person.

    Raises:
        InputError: one line naming the file, the column, the first offending row (counting data
            rows from 1, in file order), the bad value and what is allowed.

    Example:
        >>> read_diary("out/diary.csv").columns[:3].tolist()  # doctest: +SKIP
        ['couple', 'person', 'day']
    """
    path = Path(path)
    return validate(_read_table(path), f"diary file {str(path)!r}")


# --- Validation --------------------------------------------------------------------------------


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
        return _column(spec, codes, codes >= 0)
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
    return _column(spec, np.where(known, values, 0).astype(np.int64), known)


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
