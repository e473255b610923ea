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

from closeloop.history import (
    HISTORY_STEPS,
    MAX_EVENTS,
    N_HISTORY_DRAWS,
    WEEKS_PER_YEAR,
    history_offer,
)
from closeloop.mechanisms import INDEX
from closeloop.params import PersonParams, WorldParams
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


def _sample_unit(key: jax.Array, tab: dict[str, jax.Array]) -> tuple[Any, ...]:
    """Draw a unit's preset, caregiving style, traits and event weeks from the population tables."""
    n_p = tab["traits"].shape[1]
    u = jax.random.uniform(key, (2 + n_p + MAX_EVENTS,), minval=1e-7, maxval=1.0 - 1e-7)
    cum = jnp.cumsum(tab["probs"])
    pre = jnp.minimum(jnp.sum(u[0] > cum), cum.shape[0] - 1)
    scum = jnp.cumsum(tab["styles"][pre])
    style = jnp.minimum(jnp.sum(u[1] > scum), scum.shape[0] - 1)
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
    """Simulate ``n`` units; return numpy arrays with a leading unit axis (daily: (unit, day)).

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
    parts: list[dict[str, Any]] = []
    for start in range(0, n, CHUNK):
        idx = jnp.arange(start, start + CHUNK, dtype=jnp.uint32)
        out = _run_chunk(idx, seed_key, tab, wp, fl, days=days, daily=daily)
        take = min(CHUNK, n - start)
        parts.append(jax.tree.map(lambda a, take=take: np.asarray(a)[:take], out))
        if progress is not None:
            progress(start + take)
    return jax.tree.map(lambda *a: np.concatenate(a, axis=0), *parts)
