"""The diary table's schema: the one definition of its columns (``SCHEMA``), from which the writer,
the reader and validator, ``diary-schema.json`` and the column table of docs/diary.md all come."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from closeloop.errors import one_of
from closeloop.model.couple import RESPONSES
from closeloop.model.person import BEHAVIOURS, K
from closeloop.presets import PRESET_NAMES

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


def column_array(spec: Column, values: np.ndarray, present: np.ndarray | None = None) -> Any:
    """A column array of the schema's dtype; ``present`` False marks NA. Category values are
    codes into ``spec.values``."""
    mask = np.zeros(values.shape, bool) if present is None else ~present
    if spec.values:
        codes = np.where(mask, -1, values).astype(np.int32)
        return pd.Categorical.from_codes(codes, categories=pd.Index(spec.values))
    dtype = np.int32 if spec.dtype == "Int32" else np.int8
    return pd.arrays.IntegerArray(np.where(mask, 0, values).astype(dtype), mask)
