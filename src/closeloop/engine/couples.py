"""Couples: two people, each with their own history, on the couple-day kernel, and what a
couple run records."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from closeloop.engine import _loop
from closeloop.engine._devices import CHUNK, by_chunk, chunked, compiled, unit_first, unit_last
from closeloop.engine._keys import draws
from closeloop.engine._population import couple_start
from closeloop.engine.output import Run
from closeloop.engine.people import per_unit, schedule_or_none, shared
from closeloop.model import events as adult_events
from closeloop.model import healing, variants
from closeloop.model.couple import (
    AGAINST,
    AWAY,
    HERE,
    N_COUPLE_DRAWS,
    NONE,
    TALK,
    TOWARD,
    CoupleState,
    Day,
    couple_day,
)
from closeloop.model.person import effective_threat
from closeloop.params import (
    CHANGE,
    HISTORY,
    TRAITS,
    ChangeParams,
    CoupleParams,
    HistoryParams,
    PersonParams,
)

xp = jnp

ESCALATION = 0.5
"""Pursuit at which a couple's cycle counts as escalated (the story's event of that name)."""
DEEP = 2
"""The depth from which a turned-away bid counts as the first deeper bid declined."""
DEEPEST = 3
"""The depths from which the monthly deep threat and habit are averaged (fears and needs, being
fully known)."""


def day_step(
    pp: PersonParams,
    cp: CoupleParams,
    schedule: jax.Array,
    flags: jax.Array,
    key: jax.Array,
    care: bool,
    therapy: bool,
    s: CoupleState,
    t: jax.Array,
    valid: jax.Array,
    variant: jax.Array | None = None,
    change: ChangeParams = CHANGE,
) -> tuple[CoupleState, Day]:
    """One couple-day of a batch of couples under the scenario's interventions and adult events
    (``care``: there are some; without, the day is the plain couple day, compiled without their
    terms; ``therapy``: the templates carry the therapy row; ``variant``: how the members learn,
    ``variants.switches``, None: closeloop's rules; ``change``: how interventions act)."""
    u = draws(key, t, N_COUPLE_DRAWS)
    tf = t.astype(jnp.float32)
    lv = healing.levels(xp, schedule, tf) if care else None
    sess = healing.sessions(xp, schedule, tf)[0] if therapy else None
    ev = adult_events.active(xp, schedule, tf) if care else None
    return couple_day(xp, pp, cp, s, tf, u, flags, lv, sess, ev, variant, change)


def _counts_zero(batch: tuple[int, ...]) -> dict[str, jax.Array]:
    z2 = jnp.zeros((2, *batch), dtype=jnp.float32)
    z = jnp.zeros(batch, dtype=jnp.float32)
    return {
        "bids": z2,
        "met": z2,
        "offered": z2,
        "declined": z2,
        "declined_depth": z2,
        "offered_depth": z2,
        "automatic": z2,
        "against": z2,
        "arousal": z2,
        "talks": z,
        "conflicts": z,
        "repaired": z,
    }


def count(acc: dict[str, jax.Array], s: Any, d: Day, valid: Any, t: Any = None) -> Any:
    """Add one day to a month's counters (per member (2, *B), per couple B)."""
    f = jnp.float32
    got = (d.received != NONE) & valid
    declined = got & (d.received != TOWARD)
    depth_in = d.bid_depth[::-1].astype(f)  # the depth of the bid one received
    return {
        "bids": acc["bids"] + (d.bid & valid).astype(f),
        "met": acc["met"] + (d.received[::-1] == TOWARD).astype(f) * valid,
        "offered": acc["offered"] + got.astype(f),
        "declined": acc["declined"] + declined.astype(f),
        "declined_depth": acc["declined_depth"] + jnp.where(declined, depth_in, 0.0),
        "offered_depth": acc["offered_depth"] + jnp.where(got, depth_in, 0.0),
        "automatic": acc["automatic"] + (d.automatic & valid).astype(f),
        "against": acc["against"] + ((d.received == AGAINST) & valid).astype(f),
        "arousal": acc["arousal"] + jnp.where(valid, d.arousal, 0.0),
        "talks": acc["talks"] + ((d.moment == TALK) & valid).astype(f),
        "conflicts": acc["conflicts"] + (d.conflict & valid).astype(f),
        "repaired": acc["repaired"] + (d.repaired & valid).astype(f),
    }


def _events_zero(batch: tuple[int, ...]) -> dict[str, jax.Array]:
    never2 = jnp.full((2, *batch), -1)
    never = jnp.full(batch, -1)
    return {
        "first_decline": never2,
        "gave_up_day": never2,
        "first_talk": never,
        "escalation": never,
        "end_day": never,
    }


def _first(prev: Any, happened: Any, t: Any) -> Any:
    """Day of the first occurrence (-1 until it happens)."""
    return jnp.where((prev < 0) & happened, t, prev)


def _events(ev: dict[str, jax.Array], s2: CoupleState, d: Day, valid: Any, t: Any) -> Any:
    deep_decline = (d.received == AWAY) | (d.received == AGAINST)
    deep_decline = deep_decline & (d.bid_depth[::-1] >= DEEP) & valid
    return {
        "first_decline": _first(ev["first_decline"], deep_decline, t),
        "gave_up_day": _first(ev["gave_up_day"], s2.gave_up & valid, t),
        "first_talk": _first(ev["first_talk"], (d.moment == TALK) & valid, t),
        "escalation": _first(
            ev["escalation"], (jnp.max(s2.pursuit, axis=0) >= ESCALATION) & valid, t
        ),
        "end_day": _first(ev["end_day"], d.ended_today & valid, t),
    }


def couple_threat(s: CoupleState) -> jax.Array:
    """(2, K, *B) felt threat of both members in the partner context."""
    return jnp.moveaxis(effective_threat(xp, s.person, jnp.int32(HERE)), 0, 1)


def _snapshot(s: CoupleState, acc: dict[str, jax.Array]) -> dict[str, jax.Array]:
    return {
        "sat": s.sat,
        "perceived": s.perceived,
        "stability": s.stability,
        "pursuit": s.pursuit,
        "felt": s.felt,
        "expect": s.expect,
        "distance": s.distance,
        "support": s.support,
        "known": s.known,
        "gave_up": s.gave_up,
        "threat_deep": jnp.mean(couple_threat(s)[:, DEEPEST:], axis=1),
        # What the questionnaire reads besides (closeloop.observation.questionnaire).
        "habit_deep": jnp.mean(s.person.H[DEEPEST:], axis=0),
        "seeking": s.person.E,
        "reward": jnp.mean(s.person.R, axis=0),
        "ruptures": s.ruptures,
        "stage": s.stage,  # couples therapy's stage (model.eft): when the softening came
        "investment": s.investment,
        "life": s.life,
        "ended": s.ended,
        # Counts of a month are whole numbers (depth sums at most 4 x 30): kept as int16,
        # half the memory of the streamed result.
        **{k: v.astype(jnp.int16) if k != "arousal" else v for k, v in acc.items()},
    }


def _daily(s2: CoupleState, d: Day) -> dict[str, jax.Array]:
    return {
        "moment": d.moment.astype(jnp.int8),
        "bid": d.bid,
        "bid_depth": d.bid_depth.astype(jnp.int8),
        "received": d.received.astype(jnp.int8),
        "shared": d.shared,
        "automatic": d.automatic,
        "behaviour": d.behaviour.astype(jnp.int8),
        "threat": d.threat,
        "habit": d.habit,
        "arousal": d.arousal,
        "conflict": d.conflict,
        "repaired": d.repaired,
        "sat": s2.sat,
        "perceived": s2.perceived,
        "pursuit": s2.pursuit,
        "stability": s2.stability,
        "known": s2.known,
        "felt": s2.felt,
        "gave_up": s2.gave_up,
        "ended": s2.ended,
    }


M, P = ("member",), ()
MONTHLY = {
    **dict.fromkeys(
        ("sat", "stability", "pursuit", "felt", "expect", "distance", "support", "known"), M
    ),
    "perceived": M,
    **dict.fromkeys(("gave_up", "threat_deep", "habit_deep", "seeking", "reward", "life"), M),
    **dict.fromkeys(("ruptures", "stage", "investment", "ended"), P),
    **dict.fromkeys(
        (
            "bids",
            "met",
            "offered",
            "declined",
            "declined_depth",
            "offered_depth",
            "automatic",
            "against",
            "arousal",
        ),
        M,
    ),
    **dict.fromkeys(("talks", "conflicts", "repaired"), P),
}
"""Each monthly snapshot's structure dims: per member or per couple."""
DAILY = {
    **dict.fromkeys(("moment", "conflict", "repaired", "ended"), P),
    **dict.fromkeys(
        (
            "bid",
            "bid_depth",
            "received",
            "shared",
            "automatic",
            "behaviour",
            "threat",
            "habit",
            "arousal",
            "sat",
            "perceived",
            "pursuit",
            "stability",
            "known",
            "felt",
            "gave_up",
        ),
        M,
    ),
}
"""Each daily record field's structure dims."""

SNAPSHOTS = "monthly"
"""What a couple run's snapshots are called (in the record's dims and the ``Run``)."""
RECORD = _loop.Record(
    running=_loop.Summary(_events_zero, _events),
    block=_loop.Summary(_counts_zero, count),
    snapshot=_snapshot,
    dims={
        "first_decline": M,
        "gave_up_day": M,
        "first_talk": P,
        "escalation": P,
        "end_day": P,
        **{f"{SNAPSHOTS}.{k}": v for k, v in MONTHLY.items()},
        **{f"daily.{k}": v for k, v in DAILY.items()},
    },
)
"""What a couple run keeps: the days of first events, monthly snapshots of the couple's state
with the month's counts, and (with ``daily``) every day's record."""


def _run_couples(
    indices: jax.Array,
    cp: CoupleParams,
    hp: HistoryParams,
    fixed: jax.Array,
    seed_key: jax.Array,
    tab_a: dict[str, jax.Array],
    tab_b: dict[str, jax.Array],
    schedule: jax.Array,
    change: ChangeParams,
    flags: jax.Array,
    variant: jax.Array,
    *,
    days: int,
    daily: bool,
    simpler: bool = False,
    care: bool,
    therapy: bool,
) -> Run:
    """One chunk of couples: sample, both histories, then ``days`` days together (the members
    learning by ``variant``'s rules when ``simpler``, else closeloop's). ``cp``, ``hp`` (the
    history's parameters) and ``fixed`` come unit-first (each couple its own); ``change`` (how
    interventions act) is shared."""
    fixed_b = unit_last(fixed)  # (2, P, *B)
    cpl = unit_last(cp)
    st = couple_start(indices, seed_key, tab_a, tab_b, flags, therapy, fixed_b, cpl, unit_last(hp))
    pp, s0 = st["pp"], st["state"]
    vr = variant if simpler else None  # closeloop's own program has no switches at all
    if vr is not None:
        s0 = s0._replace(person=variants.begin(xp, s0.person, vr))
    step = partial(
        day_step, pp, cpl, schedule, flags, st["key"], care, therapy, variant=vr, change=change
    )
    record = RECORD.keeping_days(_daily if daily else None)
    res = _loop.run(step, s0, record, days=days, batch=indices.shape)
    out = Run(
        start={
            "preset": st["preset"],
            "style": st["style"],
            "params": jnp.stack([getattr(pp, n) for n in TRAITS], axis=1),  # (2, P, *B)
            "threat0": couple_threat(s0),
        },
        final={"threat": couple_threat(res["state"])},
        running=res["running"],
        snapshots=res["snapshots"],  # (month, [member,] *B)
        daily=res["daily"] if daily else None,
        snapshot_key=SNAPSHOTS,
    )
    return unit_first(out)


_COUPLES = by_chunk(_run_couples, n_split=4)
"""The couples' chunk function, made once: ``compiled`` caches by function identity."""


def run_couples(
    n: int,
    seed: int,
    tables_a: dict[str, np.ndarray],
    tables_b: dict[str, np.ndarray],
    couple: CoupleParams,
    flags: np.ndarray,
    *,
    days: int,
    daily: bool = False,
    progress: Callable[[int], None] | None = None,
    schedule: np.ndarray | None = None,
    traits: np.ndarray | None = None,
    first: int = 0,
    variant: np.ndarray | None = None,
    history: HistoryParams = HISTORY,
    change: ChangeParams = CHANGE,
    chunk: int = CHUNK,
) -> Run:
    """Simulate ``n`` couples; member a drawn from ``tables_a``, member b from ``tables_b``.

    ``couple``: each field a scalar (every couple) or an (n,) array (each couple its own
    value: no recompilation). ``traits``: (n, 2, P) per-member trait values that replace the
    drawn ones where not NaN. ``first``: index of the first couple (couples ``first .. first +
    n - 1``, each the same couple whatever call it runs in). ``variant``: how the members learn
    in adult life (``variants.switches``; None: closeloop's rules). ``history``: the early
    history's parameters, as ``couple`` (each couple its own values, shared by its members).
    ``change``: how interventions act (scalars, shared by every couple). ``chunk``: couples per
    device and call (``engine.chunked``; the same numbers from 32 on).

    Returns a ``Run`` of numpy arrays with a leading couple axis (snapshots named
    "monthly"); per-member arrays have a member axis of 2
    next; monthly summaries have (couple, month, ...); daily records (couple, day, ...). With
    individual therapy in ``schedule`` the templates' therapy rows are carried (one more
    compiled program).
    """
    sch = schedule_or_none(schedule)
    care = bool(np.any(sch[:, 0] >= 0))
    therapy = bool(np.any(sch[:, 0] == healing.KINDS.index("therapy")))
    n_p = tables_a["traits"].shape[1]
    fixed = np.full((n, 2, n_p), np.nan, np.float32) if traits is None else per_unit(traits, n)
    rows = (per_unit(couple, n), per_unit(history, n), fixed)
    ta = {k: jnp.asarray(v) for k, v in tables_a.items()}
    tb = {k: jnp.asarray(v) for k, v in tables_b.items()}
    args = (jax.random.PRNGKey(seed), ta, tb, jnp.asarray(sch), shared(change))
    fl = jnp.asarray(flags, dtype=jnp.float32)
    # closeloop itself runs without the switches (None): its program, and so its numbers,
    # stay exactly those of before the variants; the simpler ones share one other program.
    simpler = variant is not None and bool(np.any(np.asarray(variant) != 1.0))
    vr = jnp.asarray(variants.switches(variants.DEFAULT) if variant is None else variant)
    f = compiled(
        _COUPLES, 11, n_split=4, days=days, daily=daily, simpler=simpler, care=care, therapy=therapy
    )
    return chunked(lambda idx, r: f(idx, *r, *args, fl, vr), n, progress, rows, first, chunk)
