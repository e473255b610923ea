"""Acute events in adult life: a betrayal, a loss, a humiliation after being known.

A scenario schedules them (``[[events]]``: a kind, a day and, in a couple, whose), and they work
through the same learning as the acute events of the early history (``history.EVENTS``, the same
table: depth, episodes and salience): for ``episodes`` consecutive days from the event's day, the
day's offer is replaced by a deep disclosure in the partner context, stayed with (forced), met
with certain hurt, at the event's salience. The step of adult life is a day where the history's is
a week, but the learning of a step does not depend on its length, so an adult event teaches what
the same event teaches a young adult in the history.

Events travel to the engine in the interventions' schedule array (``healing.schedule_array``):
one row each, with a kind code past the interventions' (``EVENT_BASE`` + the event's index), its
first day, the day after its last, intensity 1 and whose. Interventions ignore those rows; so a
new event is new data, never a new compiled program.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from closeloop.model import healing
from closeloop.model.history_tables import (
    EV_DEPTH,
    EV_EPISODES,
    EV_SALIENCE,
    EVENT_NAMES,
    EVENT_TABLE,
    EVENTS,
)
from closeloop.model.person import Offer

EVENT_BASE = len(healing.KINDS)
"""Schedule kind code of the first event: every code below it is an intervention's."""
NAMES = EVENT_NAMES
DESCRIPTIONS = {e.name: e.summary for e in EVENTS}
WHO = healing.WHO
MAX_ROWS = healing.MAX_INTERVENTIONS
"""Rows of the schedule array, shared by a scenario's interventions and events."""


def episodes(name: str) -> int:
    """Days an event lasts: its episodes (the history's weeks, each a step)."""
    return int(EVENT_TABLE[EVENT_NAMES.index(name), EV_EPISODES])


def schedule_array(interventions: list[dict[str, Any]], events: list[dict[str, Any]]) -> Any:
    """The schedule array of ``healing.schedule_array`` with the events' rows after the
    interventions'. ``events`` are validated events (kind, day, who: "a", "b" or "both")."""
    out = healing.schedule_array(interventions)
    if len(interventions) + len(events) > healing.MAX_INTERVENTIONS:
        raise ValueError("more interventions and events than rows of the schedule array")
    for i, e in enumerate(events, start=len(interventions)):
        code = EVENT_BASE + EVENT_NAMES.index(e["kind"])
        day = e["day"]
        out[i] = (code, day, day + episodes(e["kind"]), 1.0, healing.WHO.index(e["who"]))
    return out


class Active(NamedTuple):
    """The events of a day, per member (each (2,): member a, member b).

    Attributes:
        on: an event replaces the member's offer today.
        depth: its depth (0 when none).
        salience: its salience (1 when none).
        first: today is the event's first day.
    """

    on: Any
    depth: Any
    salience: Any
    first: Any


def active(xp: Any, schedule: Any, day: Any) -> Active:
    """The events of ``day`` from the schedule rows (a person is member a). Two overlapping
    events take the deeper depth and the larger salience, as in the history."""
    kind, start, end, _, who = (schedule[:, j] for j in range(len(healing.COLUMNS)))
    code = kind - EVENT_BASE
    on_row = (code >= 0) & (day >= start) & (day < end)
    idx = xp.clip(code, 0, len(EVENTS) - 1).astype(xp.int32)
    table = xp.asarray(EVENT_TABLE)
    depth_row, sal_row = table[idx, EV_DEPTH], table[idx, EV_SALIENCE]
    mine = xp.stack([who != 1, who != 0], axis=-1) & on_row[:, None]  # (S, 2)
    return Active(
        on=xp.any(mine, axis=0),
        depth=xp.max(xp.where(mine, depth_row[:, None], 0.0), axis=0).astype(xp.int32),
        salience=xp.max(xp.where(mine, sal_row[:, None], 1.0), axis=0),
        first=xp.any(mine & (day == start)[:, None], axis=0),
    )


def event_offer(xp: Any, o: Offer, on: Any, depth: Any, salience: Any, context: Any) -> Offer:
    """The day's offer with an event in its place where ``on``: a forced disclosure at the
    event's depth in ``context`` (the partner's), warmth 0, hurt rate 1, no pressure or protest
    gain, at the event's salience (history.history_offer's event, in adult life)."""
    f32 = xp.float32
    ev = o._replace(
        offered=xp.ones_like(o.offered),
        depth=(xp.zeros_like(o.depth) + depth).astype(o.depth.dtype),
        context=xp.zeros_like(o.context) + context,
        pressure=xp.zeros_like(o.pressure),
        warmth=xp.zeros_like(o.warmth),
        hurt_rate=xp.ones_like(o.hurt_rate),
        protest_gain=xp.zeros_like(o.protest_gain),
        forced=xp.ones_like(o.forced),
        salience=(xp.zeros_like(o.salience) + salience).astype(f32),
    )
    return Offer(*[xp.where(on, a, b) for a, b in zip(ev, o, strict=True)])


def person_event(xp: Any, o: Offer, schedule: Any, day: Any, context: Any) -> Offer:
    """A person's offer of ``day`` with the day's event (member a's) in its place."""
    ev = active(xp, schedule, day)
    return event_offer(xp, o, ev.on[0], ev.depth[0], ev.salience[0], context)


def has_events(schedule: np.ndarray) -> bool:
    """Whether a schedule array holds any event row."""
    return bool(np.any(np.asarray(schedule)[:, 0] >= EVENT_BASE))
