"""The engine: many people over many days, on one jitted kernel.

Every population runs in fixed-size chunks of ``CHUNK`` units (the last one padded), so every unit
goes through the same compiled code whatever the population size: results are bitwise identical
for any batch size or chunking. A unit's randomness comes from a key derived from the run seed and
the unit's index alone. Within a chunk the unit function is vmapped; over time it is a
``lax.scan``. Parameters, population tables and mechanism flags are arguments (data), so new
values never recompile; only the number of days (a shape) does.

By default the adult days stream summaries (counts and sums per context, depth and importance),
plus the template every ``SNAP_DAYS`` days; ``daily=True`` also keeps every day's response.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import ndtri

from closeloop.couple import (
    AGAINST,
    AWAY,
    HERE,
    N_COUPLE_DRAWS,
    NONE,
    TALK,
    TOWARD,
    Day,
    couple_day,
    initial_couple,
)
from closeloop.history import (
    HISTORY_STEPS,
    MAX_EVENTS,
    N_HISTORY_DRAWS,
    WEEKS_PER_YEAR,
    history_offer,
)
from closeloop.mechanisms import INDEX
from closeloop.params import CoupleParams, PersonParams, WorldParams
from closeloop.person import (
    N_PERSON_DRAWS,
    C,
    K,
    PersonState,
    effective_threat,
    initial_state,
    person_step,
)
from closeloop.world import N_WORLD_DRAWS, world_offer

CHUNK = 256
"""Units per compiled call. Fixed, so that batch size never changes the compiled code."""
SNAP_DAYS = 30
"""Days between snapshots of the template."""
N_DRAWS = N_PERSON_DRAWS + max(N_HISTORY_DRAWS, N_WORLD_DRAWS)
N_BEHAVIOURS = 6

xp = jnp


def _categorical(u: jax.Array, probs: jax.Array) -> jax.Array:
    """Inverse-CDF draw; never lands on a zero-weight entry (scaling by the total guards the
    float round-off of the cumulative sum)."""
    cum = jnp.cumsum(probs)
    return jnp.minimum(jnp.sum(u * cum[-1] > cum), cum.shape[0] - 1)


def _sample_unit(key: jax.Array, tab: dict[str, jax.Array]) -> tuple[Any, ...]:
    """Draw a unit's preset, caregiving style, traits and event weeks from the population tables."""
    n_p = tab["traits"].shape[1]
    u = jax.random.uniform(key, (2 + n_p + MAX_EVENTS,), minval=1e-7, maxval=1.0 - 1e-7)
    pre = _categorical(u[0], tab["probs"])
    style = _categorical(u[1], tab["styles"][pre])
    z = ndtri(u[2 : 2 + n_p])
    traits = jnp.clip(tab["traits"][pre] + tab["trait_sd"] * z, tab["low"], tab["high"])
    kind = tab["ev_kind"][pre]
    age = tab["ev_age"][pre] + (u[2 + n_p :] - 0.5) * 2.0 * tab["age_jitter"]
    age = jnp.clip(age, 0.0, HISTORY_STEPS / WEEKS_PER_YEAR - 0.1)
    step = jnp.where(kind >= 0, (age * WEEKS_PER_YEAR).astype(jnp.int32), -1)
    return pre, style, PersonParams(*[traits[i] for i in range(n_p)]), step, kind


def _history(
    key: jax.Array,
    p: PersonParams,
    style: Any,
    ev_step: Any,
    ev_kind: Any,
    tab: dict[str, jax.Array],
    flags: jax.Array,
) -> tuple[PersonState, jax.Array]:
    """Run birth to adulthood; return the adult state and [approaches, hurt when approaching,
    withdrawals, hurt experienced when withdrawing]."""

    def week(carry, t):
        s, acc = carry
        u = jax.random.uniform(jax.random.fold_in(key, t), (N_DRAWS,))
        o = history_offer(
            xp,
            t,
            style,
            ev_step,
            ev_kind,
            tab["style_table"],
            tab["event_table"],
            u[N_PERSON_DRAWS:],
        )
        s2, r = person_step(xp, p, s, o, u, flags)
        hurt = (r.outcome == -1).astype(jnp.float32)
        app = r.approached.astype(jnp.float32)
        wd = (r.offered & ~r.approached).astype(jnp.float32)
        protected = flags[INDEX["extinction_protection"]] > 0.5
        acc = acc + jnp.stack([app, app * hurt, wd, wd * hurt * jnp.where(protected, 0.0, 1.0)])
        return (s2, acc), None

    (s, acc), _ = jax.lax.scan(week, (initial_state(xp), jnp.zeros(4)), jnp.arange(HISTORY_STEPS))
    return s, acc


def _summary_zeros() -> dict[str, jax.Array]:
    z = partial(jnp.zeros, dtype=jnp.float32)
    return {
        "offers": z((C, K, 2)),
        "shares": z((C, K, 2)),
        "automatic": z((C, K)),
        "noticed": z((C, K)),
        "arousal": z((C, K)),
        "behaviour": z((N_BEHAVIOURS,)),
        "hurt": z(()),
        "longing": z(()),
    }


def _accumulate(
    acc: dict[str, jax.Array], o: Any, r: Any, s: PersonState, valid: Any
) -> dict[str, jax.Array]:
    cell = (jnp.arange(C) == o.context)[:, None] & (jnp.arange(K) == o.depth)[None, :] & r.offered
    hi = o.importance >= 0.5
    cell3 = cell[..., None] & (jnp.arange(2) == hi.astype(jnp.int32))
    f = jnp.float32
    return {
        "offers": acc["offers"] + cell3.astype(f),
        "shares": acc["shares"] + (cell3 & r.approached).astype(f),
        "automatic": acc["automatic"] + (cell & r.automatic).astype(f),
        "noticed": acc["noticed"] + (cell & r.noticed).astype(f),
        "arousal": acc["arousal"] + jnp.where(cell, r.arousal, 0.0),
        "behaviour": acc["behaviour"]
        + ((jnp.arange(N_BEHAVIOURS) == r.behaviour) & r.offered).astype(f),
        "hurt": acc["hurt"] + (r.approached & (r.outcome == -1)).astype(f),
        "longing": acc["longing"] + jnp.where(valid, s.L, 0.0),
    }


def _unit(
    index: jax.Array,
    seed_key: jax.Array,
    tab: dict[str, jax.Array],
    world: WorldParams,
    flags: jax.Array,
    *,
    days: int,
    daily: bool,
) -> dict[str, Any]:
    key = jax.random.fold_in(seed_key, index)
    k_pop, k_hist, k_adult = (jax.random.fold_in(key, i) for i in range(3))
    pre, style, p, ev_step, ev_kind = _sample_unit(k_pop, tab)
    s0, hist = _history(k_hist, p, style, ev_step, ev_kind, tab, flags)
    n_blocks = max(1, math.ceil(days / SNAP_DAYS))

    def day(carry, t):
        s, acc = carry
        u = jax.random.uniform(jax.random.fold_in(k_adult, t), (N_DRAWS,))
        o = world_offer(xp, world, t.astype(jnp.float32), u[N_PERSON_DRAWS:])
        valid = t < days
        o = o._replace(offered=o.offered & valid)
        s2, r = person_step(xp, p, s, o, u, flags)
        s2 = jax.tree.map(lambda a, b: jnp.where(valid, a, b), s2, s)
        acc = _accumulate(acc, o, r, s2, valid)
        rec = None
        if daily:
            rec = {
                "offered": r.offered,
                "depth": o.depth.astype(jnp.int8),
                "context": o.context.astype(jnp.int8),
                "importance": o.importance,
                "shared": r.approached,
                "automatic": r.automatic,
                "noticed": r.noticed,
                "arousal": r.arousal,
                "behaviour": r.behaviour.astype(jnp.int8),
                "outcome": jnp.where(r.approached, r.outcome, 0).astype(jnp.int8),
                "longing": s2.L,
            }
        return (s2, acc), rec

    def block(carry, b):
        carry, recs = jax.lax.scan(day, carry, b * SNAP_DAYS + jnp.arange(SNAP_DAYS))
        s = carry[0]
        snap = {
            "threat": effective_threat(xp, s, jnp.int32(1)),
            "habit": s.H,
            "reward": s.R,
            "longing": s.L,
        }
        return carry, (snap, recs)

    (s, acc), (snaps, recs) = jax.lax.scan(block, (s0, _summary_zeros()), jnp.arange(n_blocks))
    out = {
        "preset": pre,
        "style": style,
        "event_week": ev_step,
        "event_kind": ev_kind,
        "params": jnp.stack(list(p)),
        "history": hist,
        "V0": s0.V,
        "I0": s0.I,
        "R0": s0.R,
        "H0": s0.H,
        "E0": s0.E,
        "V": s.V,
        "I": s.I,
        "R": s.R,
        "H": s.H,
        "E": s.E,
        "L": s.L,
        "snapshots": snaps,
        **acc,
    }
    if daily:
        out["daily"] = jax.tree.map(lambda a: a.reshape((-1,) + a.shape[2:])[:days], recs)
    return out


@partial(jax.jit, static_argnames=("days", "daily"))
def _run_chunk(
    indices: jax.Array,
    seed_key: jax.Array,
    tab: dict[str, jax.Array],
    world: WorldParams,
    flags: jax.Array,
    *,
    days: int,
    daily: bool,
) -> dict[str, Any]:
    f = partial(_unit, seed_key=seed_key, tab=tab, world=world, flags=flags, days=days, daily=daily)
    return jax.vmap(f)(indices)


def _chunked(
    run: Callable[[jax.Array], dict[str, Any]],
    n: int,
    progress: Callable[[int], None] | None,
) -> dict[str, Any]:
    """Run ``n`` units in fixed-size chunks (the last padded) and stitch the results."""
    parts: list[dict[str, Any]] = []
    for start in range(0, n, CHUNK):
        out = run(jnp.arange(start, start + CHUNK, dtype=jnp.uint32))
        take = min(CHUNK, n - start)
        parts.append(jax.tree.map(lambda a, take=take: np.asarray(a)[:take], out))
        if progress is not None:
            progress(start + take)
    return jax.tree.map(lambda *a: np.concatenate(a, axis=0), *parts)


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
) -> dict[str, Any]:
    """Simulate ``n`` people; return numpy arrays with a leading unit axis (daily: (unit, day)).

    Arguments:
        n: number of units.
        seed: run seed; unit i's key is fold_in(PRNGKey(seed), i).
        tables: population tables (``presets.MixTables.arrays()`` plus the style and event
            tables and the event-age jitter).
        world: the adult world, scalars or per-unit arrays are broadcast by scenario code.
        flags: mechanism switches (``mechanisms.flags``).
        days: adult days to simulate.
        daily: keep every day's response as well as the summaries.
        progress: called with the number of units finished after each chunk.
    """
    seed_key = jax.random.PRNGKey(seed)
    tab = {k: jnp.asarray(v) for k, v in tables.items()}
    wp = WorldParams(*[jnp.asarray(x, dtype=jnp.float32) for x in world])
    fl = jnp.asarray(flags, dtype=jnp.float32)
    return _chunked(
        lambda idx: _run_chunk(idx, seed_key, tab, wp, fl, days=days, daily=daily), n, progress
    )


# ---------------------------------------------------------------------------------------------
# Couples: two people, each with their own history, on the couple-day kernel.


def _couple_zeros() -> dict[str, jax.Array]:
    z2 = jnp.zeros(2, dtype=jnp.float32)
    z = jnp.zeros((), dtype=jnp.float32)
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


def _couple_count(acc: dict[str, jax.Array], d: Day, valid: Any) -> dict[str, jax.Array]:
    f = jnp.float32
    got = (d.received != NONE) & valid
    declined = got & (d.received != TOWARD)
    depth_in = jnp.flip(d.bid_depth, -1).astype(f)
    return {
        "bids": acc["bids"] + (d.bid & valid).astype(f),
        "met": acc["met"] + (jnp.flip(d.received, -1) == TOWARD).astype(f) * valid,
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


def _first(prev: Any, happened: Any, t: Any) -> Any:
    """Day of the first occurrence (-1 until it happens)."""
    return jnp.where((prev < 0) & happened, t, prev)


def _couple_unit(
    index: jax.Array,
    seed_key: jax.Array,
    tab_a: dict[str, jax.Array],
    tab_b: dict[str, jax.Array],
    cp: CoupleParams,
    flags: jax.Array,
    *,
    days: int,
    daily: bool,
) -> dict[str, Any]:
    key = jax.random.fold_in(seed_key, index)
    k = [jax.random.fold_in(key, i) for i in range(5)]
    pre_a, style_a, p_a, ev_a, kind_a = _sample_unit(k[0], tab_a)
    pre_b, style_b, p_b, ev_b, kind_b = _sample_unit(k[1], tab_b)
    pp = PersonParams(*[jnp.stack([a, b]) for a, b in zip(p_a, p_b, strict=True)])
    hist = jax.vmap(_history, in_axes=(0, 0, 0, 0, 0, None, None))
    persons, _ = hist(
        jnp.stack([k[2], k[3]]),
        pp,
        jnp.stack([style_a, style_b]),
        jnp.stack([ev_a, ev_b]),
        jnp.stack([kind_a, kind_b]),
        tab_a,
        flags,
    )
    s0 = initial_couple(xp, persons)
    n_blocks = max(1, math.ceil(days / SNAP_DAYS))
    ev0 = {
        "first_decline": jnp.full(2, -1),
        "gave_up_day": jnp.full(2, -1),
        "first_talk": jnp.int32(-1),
        "escalation": jnp.int32(-1),
        "end_day": jnp.int32(-1),
    }

    def day(carry, t):
        s, acc, ev = carry
        u = jax.random.uniform(jax.random.fold_in(k[4], t), (N_COUPLE_DRAWS,))
        valid = t < days
        s2, d = couple_day(xp, pp, cp, s, t.astype(jnp.float32), u, flags)
        s2 = jax.tree.map(lambda a, b: jnp.where(valid, a, b), s2, s)
        acc = _couple_count(acc, d, valid)
        deep_decline = (d.received == AWAY) | (d.received == AGAINST)
        deep_decline = deep_decline & (jnp.flip(d.bid_depth, -1) >= 2) & valid
        ev = {
            "first_decline": _first(ev["first_decline"], deep_decline, t),
            "gave_up_day": _first(ev["gave_up_day"], s2.gave_up & valid, t),
            "first_talk": _first(ev["first_talk"], (d.moment == TALK) & valid, t),
            "escalation": _first(ev["escalation"], (jnp.max(s2.pursuit) >= 0.5) & valid, t),
            "end_day": _first(ev["end_day"], d.ended_today & valid, t),
        }
        rec = None
        if daily:
            rec = {
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
                "pursuit": s2.pursuit,
                "stability": s2.stability,
                "known": s2.known,
                "felt": s2.felt,
                "gave_up": s2.gave_up,
                "ended": s2.ended,
            }
        return (s2, acc, ev), rec

    def block(carry, b):
        s, _, ev = carry
        (s, acc, ev), recs = jax.lax.scan(
            day, (s, _couple_zeros(), ev), b * SNAP_DAYS + jnp.arange(SNAP_DAYS)
        )
        threat = jax.vmap(lambda q: effective_threat(xp, q, jnp.int32(HERE)))(s.person)
        snap = {
            "sat": s.sat,
            "stability": s.stability,
            "pursuit": s.pursuit,
            "felt": s.felt,
            "expect": s.expect,
            "distance": s.distance,
            "support": s.support,
            "known": s.known,
            "gave_up": s.gave_up,
            "threat_deep": jnp.mean(threat[:, 3:], axis=-1),
            "ruptures": s.ruptures,
            "investment": s.investment,
            "ended": s.ended,
            **acc,
        }
        return (s, acc, ev), (snap, recs)

    (s, _, ev), (snaps, recs) = jax.lax.scan(
        block, (s0, _couple_zeros(), ev0), jnp.arange(n_blocks)
    )
    threat0 = jax.vmap(lambda q: effective_threat(xp, q, jnp.int32(HERE)))(s0.person)
    threat1 = jax.vmap(lambda q: effective_threat(xp, q, jnp.int32(HERE)))(s.person)
    out = {
        "preset": jnp.stack([pre_a, pre_b]),
        "style": jnp.stack([style_a, style_b]),
        "params": jnp.stack([jnp.stack(list(p_a)), jnp.stack(list(p_b))]),
        "threat0": threat0,
        "threat": threat1,
        "monthly": snaps,
        **ev,
    }
    if daily:
        out["daily"] = jax.tree.map(lambda a: a.reshape((-1,) + a.shape[2:])[:days], recs)
    return out


@partial(jax.jit, static_argnames=("days", "daily"))
def _run_couple_chunk(
    indices: jax.Array,
    seed_key: jax.Array,
    tab_a: dict[str, jax.Array],
    tab_b: dict[str, jax.Array],
    cp: CoupleParams,
    flags: jax.Array,
    *,
    days: int,
    daily: bool,
) -> dict[str, Any]:
    f = partial(
        _couple_unit,
        seed_key=seed_key,
        tab_a=tab_a,
        tab_b=tab_b,
        cp=cp,
        flags=flags,
        days=days,
        daily=daily,
    )
    return jax.vmap(f)(indices)


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
) -> dict[str, Any]:
    """Simulate ``n`` couples; member a drawn from ``tables_a``, member b from ``tables_b``.

    Returns numpy arrays with a leading couple axis; per-member arrays have a member axis of 2
    next; monthly summaries have (couple, month, ...); daily records (couple, day, ...).
    """
    seed_key = jax.random.PRNGKey(seed)
    ta = {k: jnp.asarray(v) for k, v in tables_a.items()}
    tb = {k: jnp.asarray(v) for k, v in tables_b.items()}
    cp = CoupleParams(*[jnp.asarray(x, dtype=jnp.float32) for x in couple])
    fl = jnp.asarray(flags, dtype=jnp.float32)
    return _chunked(
        lambda idx: _run_couple_chunk(idx, seed_key, ta, tb, cp, fl, days=days, daily=daily),
        n,
        progress,
    )
