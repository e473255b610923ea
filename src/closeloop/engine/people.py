"""People in an adult world: the person-day kernel and what a people run records."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from closeloop.engine import _loop
from closeloop.engine._devices import by_chunk, chunked, compiled, unit_first, unit_last
from closeloop.engine._keys import draws
from closeloop.engine._population import N_DRAWS, person_start
from closeloop.engine.output import Run
from closeloop.mechanisms import INDEX
from closeloop.model import events, healing, variants
from closeloop.model.person import (
    BEHAVIOURS,
    PARTNER,
    THERAPY,
    C,
    K,
    Offer,
    PersonState,
    Response,
    effective_threat,
    levels,
)
from closeloop.model.response import N_PERSON_DRAWS, person_step
from closeloop.model.world import W_CONTEXT, world_offer
from closeloop.params import (
    CHANGE,
    HISTORY,
    TRAITS,
    ChangeParams,
    HistoryParams,
    PersonParams,
    WorldParams,
)

xp = jnp
N_BEHAVIOURS = len(BEHAVIOURS)


def person_day(
    p: PersonParams,
    world: WorldParams,
    schedule: jax.Array,
    flags: jax.Array,
    key: jax.Array,
    s: PersonState,
    t: jax.Array,
    valid: jax.Array,
    variant: jax.Array | None = None,
    change: ChangeParams = CHANGE,
) -> tuple[PersonState, tuple[Offer, Response]]:
    """One adult day of a batch of people: the world's offer, the day's interventions (acting
    as ``change`` says), the person's response and learning (by the rules of ``variant``, a
    ``variants.switches`` vector; None: closeloop's). Returns the new state and the day's
    (offer, response)."""
    u = draws(key, t, N_DRAWS)
    tf = t.astype(jnp.float32)
    o = world_offer(xp, world, tf, u[N_PERSON_DRAWS:])
    # Interventions and adult events only on days when one is active (a scalar test: a real
    # branch). An event, when there is one, is the day's offer whatever the interventions.
    o = jax.lax.cond(
        jnp.any(healing.levels_on(xp, schedule, tf)),
        lambda o: events.person_event(
            xp,
            healing.person_offer(
                xp,
                o,
                healing.levels(xp, schedule, tf),
                *healing.sessions(xp, schedule, tf),
                p,
                s,
                flags,
                u[N_PERSON_DRAWS + W_CONTEXT],
                world.friend_share,
                change,
            ),
            schedule,
            tf,
            PARTNER,
        ),
        lambda o: o,
        o._replace(commit=jnp.zeros_like(o.warmth), stress=jnp.zeros_like(o.warmth)),
    )
    o = o._replace(offered=o.offered & valid)
    s2, r = person_step(xp, p, s, o, u, flags, token=t, variant=variant)
    return s2, (o, r)


def _zeros(batch: tuple[int, ...]) -> dict[str, jax.Array]:
    z = partial(jnp.zeros, dtype=jnp.float32)
    return {
        "offers": z((C, K, 2, *batch)),
        "shares": z((C, K, 2, *batch)),
        "automatic": z((C, K, *batch)),
        "noticed": z((C, K, *batch)),
        "arousal": z((C, K, *batch)),
        "distress": z((C, K, *batch)),
        "behaviour": z((N_BEHAVIOURS, *batch)),
        "hurt": z(batch),
        "longing": z(batch),
    }


def _count(acc: dict[str, jax.Array], s: PersonState, day: Any, valid: Any, t: Any) -> Any:
    o, r = day
    ctx = levels(xp, C, o.context) == o.context  # (C, *B)
    dep = levels(xp, K, o.depth) == o.depth  # (K, *B)
    cell = ctx[:, None] & dep[None] & r.offered  # (C, K, *B)
    hi = (o.importance >= 0.5).astype(jnp.int32)
    cell3 = cell[:, :, None] & (levels(xp, 2, hi) == hi)  # (C, K, 2, *B)
    f = jnp.float32
    return {
        "offers": acc["offers"] + cell3.astype(f),
        "shares": acc["shares"] + (cell3 & r.approached).astype(f),
        "automatic": acc["automatic"] + (cell & r.automatic).astype(f),
        "noticed": acc["noticed"] + (cell & r.noticed).astype(f),
        "arousal": acc["arousal"] + jnp.where(cell, r.arousal, 0.0),
        "distress": acc["distress"] + jnp.where(cell, r.distress, 0.0),
        "behaviour": acc["behaviour"]
        + ((levels(xp, N_BEHAVIOURS, r.behaviour) == r.behaviour) & r.offered).astype(f),
        "hurt": acc["hurt"] + (r.approached & (r.outcome == -1)).astype(f),
        "longing": acc["longing"] + jnp.where(valid, s.L, 0.0),
    }


def _snapshot(s: PersonState, _: Any) -> dict[str, jax.Array]:
    return {
        "threat": effective_threat(xp, s, jnp.int32(PARTNER)),
        "threat_therapy": effective_threat(xp, s, jnp.int32(THERAPY)),
        "habit": s.H,
        "reward": s.R,
        "longing": s.L,
        "seeking": s.E,
    }


def _daily(flags: jax.Array) -> Callable[[PersonState, Any], dict[str, jax.Array]]:
    def daily(s2: PersonState, day: Any) -> dict[str, jax.Array]:
        o, r = day
        shape = r.offered.shape
        return {
            "offered": r.offered,
            "depth": jnp.broadcast_to(o.depth, shape).astype(jnp.int8),
            "context": jnp.broadcast_to(o.context, shape).astype(jnp.int8),
            "importance": jnp.broadcast_to(o.importance, shape),
            "shared": r.approached,
            "automatic": r.automatic,
            "noticed": r.noticed,
            "arousal": r.arousal,
            "behaviour": r.behaviour.astype(jnp.int8),
            "outcome": jnp.where(r.approached, r.outcome, 0).astype(jnp.int8),
            "longing": s2.L,
            "distress": r.distress,
            "overwhelmed": r.overwhelmed,
            # Felt today, under the day's stress (the snapshots hold the learned threat).
            "threat_deep": jnp.mean(
                effective_threat(
                    xp, s2, jnp.int32(PARTNER), o.stress * flags[INDEX["stress_relapse"]]
                )[3:],
                axis=0,
            ),
        }

    return daily


DAILY_NAMES = (
    "offered",
    "depth",
    "context",
    "importance",
    "shared",
    "automatic",
    "noticed",
    "arousal",
    "behaviour",
    "outcome",
    "longing",
    "distress",
    "overwhelmed",
    "threat_deep",
)
"""Fields of a people run's daily record (each (unit, day))."""

RECORD = _loop.Record(
    running=_loop.Summary(_zeros, _count),
    snapshot=_snapshot,
    dims={
        "offers": ("context", "depth", "importance"),
        "shares": ("context", "depth", "importance"),
        "automatic": ("context", "depth"),
        "noticed": ("context", "depth"),
        "arousal": ("context", "depth"),
        "distress": ("context", "depth"),
        "behaviour": ("behaviour",),
        "hurt": (),
        "longing": (),
        "snapshots.threat": ("depth",),
        "snapshots.threat_therapy": ("depth",),
        "snapshots.habit": ("depth",),
        "snapshots.reward": ("depth",),
        "snapshots.longing": (),
        "snapshots.seeking": (),
        **{f"daily.{k}": () for k in DAILY_NAMES},
    },
)
"""What a people run keeps: running counts per context, depth and importance, monthly
snapshots of the template, and (with ``daily``) every day's response."""


def _run_people(
    indices: jax.Array,
    world: WorldParams,
    hp: HistoryParams,
    fixed: jax.Array,
    seed_key: jax.Array,
    tab: dict[str, jax.Array],
    schedule: jax.Array,
    change: ChangeParams,
    flags: jax.Array,
    variant: jax.Array,
    *,
    days: int,
    daily: bool,
    simpler: bool = False,
    child_weeks: tuple[int, ...] = (),
) -> Run:
    """One chunk of people: sample, run the history, then ``days`` adult days under the
    scenario's interventions, learning by the rules of ``variant`` (read only when
    ``simpler``: else closeloop's). ``world``, ``hp`` (the history's parameters) and ``fixed``
    come unit-first (each unit its own); ``change`` (how interventions act) is shared.
    ``child_weeks``: weeks of the history at which its state is kept (``start["child"]``)."""
    st = person_start(indices, seed_key, tab, unit_last(fixed), flags, unit_last(hp), child_weeks)
    vr = variant if simpler else None
    p, s0 = st["p"], st["state"] if vr is None else variants.begin(xp, st["state"], vr)
    step = partial(
        person_day, p, unit_last(world), schedule, flags, st["key"], variant=vr, change=change
    )
    record = RECORD.keeping_days(_daily(flags) if daily else None)
    res = _loop.run(step, s0, record, days=days, batch=indices.shape)
    s = res["state"]
    out = Run(
        start={
            "preset": st["preset"],
            "style": st["style"],
            "event_week": st["event_week"],
            "event_kind": st["event_kind"],
            "params": jnp.stack([getattr(p, n) for n in TRAITS]),
            "history": st["history"],
            "V0": s0.V,
            "I0": s0.I,
            "R0": s0.R,
            "H0": s0.H,
            "E0": s0.E,
            # Kept only when asked for, so runs without it return what they always did.
            **({"child": st["child"]} if child_weeks else {}),
        },
        final={"V": s.V, "I": s.I, "R": s.R, "H": s.H, "E": s.E, "L": s.L},
        running=res["running"],
        snapshots=res["snapshots"],
        daily=res["daily"] if daily else None,
    )
    return unit_first(out)


_PEOPLE = by_chunk(_run_people, n_split=4)
"""The people's chunk function, made once: ``compiled`` caches by function identity."""


def per_unit(tree: Any, n: int) -> Any:
    """Every leaf of ``tree`` (a scalar: every unit; or an array of ``n`` rows: each unit its
    own) as a unit-first float32 array of ``n`` rows."""

    def one(a: Any) -> np.ndarray:
        a = np.asarray(a, dtype=np.float32)
        if a.ndim == 0:
            return np.full((n,), a, dtype=np.float32)
        if a.shape[0] != n:
            raise ValueError(f"a per-unit array needs {n} rows, not {a.shape[0]}")
        return a

    return jax.tree.map(one, tree)


def run_population(
    n: int,
    seed: int,
    tables: dict[str, np.ndarray],
    world: WorldParams,
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
    child_weeks: tuple[int, ...] = (),
) -> Run:
    """Simulate ``n`` people; return a ``Run`` of numpy arrays with a leading unit axis (daily:
    (unit, day)).

    Arguments:
        n: number of units.
        seed: run seed; unit i's key is fold_in(PRNGKey(seed), i).
        tables: population tables (``presets.MixTables.arrays()`` plus the style and event
            tables and the event-age jitter).
        world: the adult world: each field a scalar (every unit) or an (n,) array (each unit
            its own value: sweeps and fits run many settings in one call, without recompiling).
        flags: mechanism switches (``mechanisms.flags``).
        days: adult days to simulate.
        daily: keep every day's response as well as the summaries.
        progress: called with the number of units finished after each call.
        schedule: the interventions (``healing.schedule_array``); None: none.
        traits: (n, P) per-unit trait values that replace the drawn ones where not NaN.
        first: index of the first unit (units ``first .. first + n - 1``; their keys and so
            their lives depend on their index alone).
        variant: how adults learn (``variants.switches``); None: closeloop's rules.
        history: the early history's parameters, each field a scalar or an (n,) array (each
            unit its own), as ``world``.
        change: how interventions act (scalars, shared by every unit).
        child_weeks: weeks since birth at which the early history's state is kept, in
            ``start["child"]`` (each field (unit, snapshot, ...)): the state as the week begins
            and ``slope``, the protest contingency learned so far. Empty: none kept.
    """
    n_p = tables["traits"].shape[1]
    fixed = np.full((n, n_p), np.nan, np.float32) if traits is None else per_unit(traits, n)
    rows = (per_unit(world, n), per_unit(history, n), fixed)
    tab = {k: jnp.asarray(v) for k, v in tables.items()}
    sch = jnp.asarray(schedule_or_none(schedule))
    args = (jax.random.PRNGKey(seed), tab, sch, shared(change))
    fl = jnp.asarray(flags, dtype=jnp.float32)
    # closeloop itself runs without the switches (None): its program, and so its numbers,
    # stay exactly those of before the variants; the simpler ones share one other program.
    simpler = variant is not None and bool(np.any(np.asarray(variant) != 1.0))
    vr = jnp.asarray(variants.switches(variants.DEFAULT) if variant is None else variant)
    weeks = tuple(int(w) for w in child_weeks)
    f = compiled(_PEOPLE, 10, n_split=4, days=days, daily=daily, simpler=simpler, **_kept(weeks))
    return chunked(lambda idx, r: f(idx, *r, *args, fl, vr), n, progress, rows, first)


def _kept(weeks: tuple[int, ...]) -> dict[str, Any]:
    """The static argument for the child snapshots, absent when there are none, so that a run
    without them finds the program it always compiled."""
    return {"child_weeks": weeks} if weeks else {}


def shared(tree: Any) -> Any:
    """Every leaf of ``tree`` (parameters shared by every unit) as a float32 scalar array: data
    for the compiled program, never a constant in it."""
    return jax.tree.map(lambda a: jnp.asarray(a, dtype=jnp.float32), tree)


def schedule_or_none(schedule: np.ndarray | None) -> np.ndarray:
    """The schedule array, or the empty one (no intervention)."""
    return healing.schedule_array([]) if schedule is None else np.asarray(schedule, np.float32)
