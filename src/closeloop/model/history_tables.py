"""The early history's declared data tables: the caregiving styles and the acute events, one row
of several numbers per named style or event, each with its own reference (their ranges are
checked in tests/test_literals.py). They travel to the engine as data (``STYLE_TABLE``,
``EVENT_TABLE``), so a table never recompiles. ``closeloop.model.history`` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from closeloop.errors import bad_value, one_of


@dataclass(frozen=True)
class Caregiving:
    """A caregiving style: responses to the child's sharing at shallow (0) and deep (K-1) depths.

    Values in between are interpolated linearly over depth.
    """

    name: str
    warm_shallow: float
    warm_deep: float
    hurt_shallow: float
    hurt_deep: float
    protest_gain: float
    summary: str
    reference: str


STYLES: tuple[Caregiving, ...] = (
    Caregiving(
        "responsive",
        0.85,
        0.80,
        0.03,
        0.05,
        0.10,
        "Needs and feelings are mostly met warmly; protest is answered.",
        "Ainsworth et al. 1978, Patterns of attachment",
    ),
    Caregiving(
        "critical",
        0.55,
        0.20,
        0.05,
        0.55,
        -0.10,
        "Everyday talk is fine, but feelings and needs draw criticism.",
        "Gottman, Katz & Hooven 1996, Parental meta-emotion philosophy",
    ),
    Caregiving(
        "rejecting",
        0.40,
        0.10,
        0.10,
        0.55,
        -0.30,
        "Bids for comfort are rebuffed, more so the more intensely they are made.",
        "Main 1990, Cross-cultural studies of attachment organization",
    ),
    Caregiving(
        "unavailable",
        0.55,
        0.10,
        0.03,
        0.35,
        -0.20,
        "Practical care is there, emotional engagement is not; deep sharing lands on "
        "nothing or on discomfort.",
        "Bowlby 1973, Attachment and loss, vol. 2: Separation",
    ),
    Caregiving(
        "neglectful",
        0.20,
        0.05,
        0.04,
        0.08,
        -0.10,
        "Feelings are not discussed or validated; sharing mostly meets nothing.",
        "Glaser 2002, Emotional abuse and neglect (psychological maltreatment)",
    ),
    Caregiving(
        "inconsistent",
        0.50,
        0.35,
        0.05,
        0.12,
        0.45,
        "Warmth comes unpredictably and mostly when seeking is intensified.",
        "Cassidy & Berlin 1994, The insecure/ambivalent pattern of attachment",
    ),
    Caregiving(
        "frightening",
        0.45,
        0.20,
        0.10,
        0.50,
        0.45,
        "The one who comforts is also the one who frightens: warmth comes unpredictably, more "
        "to intensified seeking, and deep sharing often meets hurt.",
        "Main & Hesse 1990, Parents' unresolved traumatic experiences are related to infant "
        "disorganized attachment status",
    ),
)
STYLE_NAMES = tuple(s.name for s in STYLES)
# Columns of STYLE_TABLE and EVENT_TABLE.
WARM_SHALLOW, WARM_DEEP, HURT_SHALLOW, HURT_DEEP, PROTEST = range(5)
EV_DEPTH, EV_EPISODES, EV_SALIENCE = range(3)
STYLE_TABLE = np.array(
    [[s.warm_shallow, s.warm_deep, s.hurt_shallow, s.hurt_deep, s.protest_gain] for s in STYLES],
    dtype=np.float32,
)


@dataclass(frozen=True)
class Event:
    """An acute event: deep sharing met with hurt, with extra salience."""

    name: str
    depth: int
    episodes: int
    salience: float
    summary: str
    reference: str


EVENTS: tuple[Event, ...] = (
    Event(
        "betrayal",
        4,
        2,
        3.0,
        "Trusted with something deep, the other used or exposed it.",
        "Freyd 1996, Betrayal trauma",
    ),
    Event(
        "loss",
        3,
        3,
        2.0,
        "Being known and then left, or losing the person one opened up to.",
        "Bowlby 1980, Attachment and loss, vol. 3: Loss",
    ),
    Event(
        "humiliation",
        4,
        1,
        4.0,
        "A deep disclosure met with ridicule or shaming.",
        "Gilbert 1998, What is shame? in Shame: interpersonal behavior, psychopathology",
    ),
)
EVENT_NAMES = tuple(e.name for e in EVENTS)
EVENT_TABLE = np.array([[e.depth, e.episodes, e.salience] for e in EVENTS], dtype=np.float32)


def style_index(name: str, field: str = "caregiving") -> int:
    if name not in STYLE_NAMES:
        raise bad_value(field, name, one_of(STYLE_NAMES))
    return STYLE_NAMES.index(name)


def event_index(name: str, field: str = "event") -> int:
    if name not in EVENT_NAMES:
        raise bad_value(field, name, one_of(EVENT_NAMES))
    return EVENT_NAMES.index(name)
