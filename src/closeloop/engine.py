"""The engine: many people or couples over many days, on one jitted kernel.

Every population runs in fixed-size chunks of ``CHUNK`` units (the last one padded), so every unit
goes through the same compiled code whatever the population size: results are bitwise identical
for any batch size or chunking. A unit's randomness comes from a key derived from the run seed and
the unit's index alone. Inside a chunk the model's functions run on arrays whose last axis is the
chunk's units (``person.py``'s batch-last convention: one long vectorised loop per operation);
over time they are a ``lax.scan``. Parameters, population tables and mechanism flags are
arguments (data), so new values never recompile; only the number of days (a shape) does.

With several JAX devices (``jax.device_count()``; the command line asks XLA for one CPU device per
core) each call runs one chunk per device side by side, every device on the same per-chunk
program, so the results are the same bits as on one device.

By default the adult days stream summaries (counts and sums per context, depth and importance,
or per member a month for couples) plus snapshots every ``SNAP_DAYS`` days; ``daily=True`` also
keeps every day's record. Outputs come back unit-first (``(unit, ...)``), as NumPy arrays.
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
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from closeloop import healing
from closeloop.couple import (
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
from closeloop.params import TRAITS, CoupleParams, PersonParams, WorldParams
from closeloop.person import (
    N_PERSON_DRAWS,
    PARTNER,
    THERAPY,
    C,
    K,
    Offer,
    PersonState,
    Response,
    effective_threat,
    initial_state,
    levels,
    person_step,
)
from closeloop.world import N_WORLD_DRAWS, W_CONTEXT, world_offer

CHUNK = 1024
"""Units per compiled call (per device). Fixed, so that batch size never changes the compiled
code; large enough that the per-step overhead of a scan is spread over many units."""
SNAP_DAYS = 30
"""Days between snapshots of the template."""
N_DRAWS = N_PERSON_DRAWS + max(N_HISTORY_DRAWS, N_WORLD_DRAWS)
N_BEHAVIOURS = 6

xp = jnp


def _unit_first(tree: Any) -> Any:
    """Batch-last arrays (..., units) -> unit-first (units, ...), leaves of a pytree."""
    return jax.tree.map(lambda a: jnp.moveaxis(a, -1, 0), tree)


def _fold(keys: jax.Array, j: Any) -> jax.Array:
    """fold_in(key, j) for every key of a (*B, 2) array of keys (j: a scalar or of shape B)."""
    f: Callable[..., jax.Array] = jax.random.fold_in
    for _ in range(keys.ndim - 1):
        f = jax.vmap(f)
    return f(keys, jnp.broadcast_to(j, keys.shape[:-1]))


def _draws(keys: jax.Array, t: Any, n: int) -> jax.Array:
    """(n, *B) uniforms of step ``t``: unit i's come from fold_in(keys[i], t) alone."""

    def one(k: jax.Array) -> jax.Array:
        return jax.random.uniform(jax.random.fold_in(k, t), (n,))

    f: Callable[[jax.Array], jax.Array] = one
    for _ in range(keys.ndim - 1):
        f = jax.vmap(f)
    return jnp.moveaxis(f(keys), -1, 0)


def _categorical(u: jax.Array, probs: jax.Array) -> jax.Array:
    """Inverse-CDF draw; never lands on a zero-weight entry (scaling by the total guards the
    float round-off of the cumulative sum)."""
    cum = jnp.cumsum(probs)
    return jnp.minimum(jnp.sum(u * cum[-1] > cum), cum.shape[0] - 1)


def _sample_unit(key: jax.Array, tab: dict[str, jax.Array]) -> tuple[Any, ...]:
    """Draw a unit's preset, caregiving style, traits and event weeks from the population tables."""
    # Jitter draws for the traits only (the later person fields never vary), so the draws, and
    # with them every run, stay those of before those fields were declared.
    n_p, n_t = tab["traits"].shape[1], len(TRAITS)
    u = jax.random.uniform(key, (2 + n_t + MAX_EVENTS,), minval=1e-7, maxval=1.0 - 1e-7)
    pre = _categorical(u[0], tab["probs"])
    style = _categorical(u[1], tab["styles"][pre])
    z = jnp.concatenate([ndtri(u[2 : 2 + n_t]), jnp.zeros(n_p - n_t, dtype=u.dtype)])
    traits = jnp.clip(tab["traits"][pre] + tab["trait_sd"] * z, tab["low"], tab["high"])
    kind = tab["ev_kind"][pre]
    age = tab["ev_age"][pre] + (u[2 + n_t :] - 0.5) * 2.0 * tab["age_jitter"]
    age = jnp.clip(age, 0.0, HISTORY_STEPS / WEEKS_PER_YEAR - 0.1)
    step = jnp.where(kind >= 0, (age * WEEKS_PER_YEAR).astype(jnp.int32), -1)
    return pre, style, traits, step, kind


def _sample(keys: jax.Array, tab: dict[str, jax.Array]) -> tuple[Any, ...]:
    """``_sample_unit`` for every key of (*B, 2) keys, batch-last: preset and style (*B), traits
    as PersonParams of (*B) arrays, event weeks and kinds (MAX_EVENTS, *B)."""
    f: Callable[..., Any] = partial(_sample_unit, tab=tab)
    for _ in range(keys.ndim - 1):
        f = jax.vmap(f)
    pre, style, traits, step, kind = f(keys)
    last = partial(jnp.moveaxis, source=-1, destination=0)
    return pre, style, PersonParams(*last(traits)), last(step), last(kind)


def _history(
    keys: jax.Array,
    p: PersonParams,
    style: Any,
    ev_step: Any,
    ev_kind: Any,
    tab: dict[str, jax.Array],
    flags: jax.Array,
) -> tuple[PersonState, jax.Array]:
    """Run birth to adulthood for a batch B of people (keys (*B, 2)); return the adult state and
    (4, *B) counts: approaches, hurt when approaching, withdrawals, hurt experienced when
    withdrawing."""
    batch = style.shape
    protected = flags[INDEX["extinction_protection"]] > 0.5

    def week(carry: tuple[PersonState, jax.Array], t: jax.Array) -> Any:
        s, acc = carry
        u = _draws(keys, t, N_DRAWS)
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
        s2, r = person_step(xp, p, s, o, u, flags, token=t)
        hurt = (r.outcome == -1).astype(jnp.float32)
        app = r.approached.astype(jnp.float32)
        wd = (r.offered & ~r.approached).astype(jnp.float32)
        acc = acc + jnp.stack([app, app * hurt, wd, wd * hurt * jnp.where(protected, 0.0, 1.0)])
        return (s2, acc), None

    init = (initial_state(xp, batch, p), jnp.zeros((4, *batch)))
    (s, acc), _ = jax.lax.scan(week, init, jnp.arange(HISTORY_STEPS))
    return s, acc


# ---------------------------------------------------------------------------------------------
# People in an adult world.


def _summary_zeros(batch: tuple[int, ...]) -> dict[str, jax.Array]:
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


def _accumulate(
    acc: dict[str, jax.Array], o: Offer, r: Response, s: PersonState, valid: Any
) -> dict[str, jax.Array]:
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


def _run_people(
    indices: jax.Array,
    seed_key: jax.Array,
    tab: dict[str, jax.Array],
    world: WorldParams,
    schedule: jax.Array,
    flags: jax.Array,
    *,
    days: int,
    daily: bool,
) -> dict[str, Any]:
    """One chunk of people: sample, run the history, then ``days`` adult days under the
    scenario's interventions (``healing.schedule_array``)."""
    keys = _fold(jnp.broadcast_to(seed_key, (*indices.shape, 2)), indices)
    k_pop, k_hist, k_adult = (_fold(keys, j) for j in range(3))
    pre, style, p, ev_step, ev_kind = _sample(k_pop, tab)
    s0, hist = _history(k_hist, p, style, ev_step, ev_kind, tab, flags)
    n_blocks = max(1, math.ceil(days / SNAP_DAYS))
    batch = indices.shape

    def day(carry: Any, t: jax.Array) -> Any:
        s, acc = carry
        u = _draws(k_adult, t, N_DRAWS)
        tf = t.astype(jnp.float32)
        o = world_offer(xp, world, tf, u[N_PERSON_DRAWS:])
        # Interventions only on days when one is active (a scalar test: a real branch).
        o = jax.lax.cond(
            jnp.any(healing.levels_on(xp, schedule, tf)),
            lambda o: healing.person_offer(
                xp,
                o,
                healing.levels(xp, schedule, tf),
                *healing.sessions(xp, schedule, tf),
                p,
                s,
                flags,
                u[N_PERSON_DRAWS + W_CONTEXT],
                world.friend_share,
            ),
            lambda o: o,
            o._replace(commit=jnp.zeros_like(o.warmth), stress=jnp.zeros_like(o.warmth)),
        )
        valid = t < days
        o = o._replace(offered=o.offered & valid)
        s2, r = person_step(xp, p, s, o, u, flags, token=t)
        s2 = jax.tree.map(lambda a, b: jnp.where(valid, a, b), s2, s)
        acc = _accumulate(acc, o, r, s2, valid)
        rec = None
        if daily:
            shape = r.offered.shape
            rec = {
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
        return (s2, acc), rec

    def block(carry: Any, b: jax.Array) -> Any:
        carry, recs = jax.lax.scan(day, carry, b * SNAP_DAYS + jnp.arange(SNAP_DAYS))
        s = carry[0]
        snap = {
            "threat": effective_threat(xp, s, jnp.int32(PARTNER)),
            "threat_therapy": effective_threat(xp, s, jnp.int32(THERAPY)),
            "habit": s.H,
            "reward": s.R,
            "longing": s.L,
        }
        return carry, (snap, recs)

    init = (s0, _summary_zeros(batch))
    (s, acc), (snaps, recs) = jax.lax.scan(block, init, jnp.arange(n_blocks))
    out = {
        "preset": pre,
        "style": style,
        "event_week": ev_step,
        "event_kind": ev_kind,
        "params": jnp.stack([getattr(p, n) for n in TRAITS]),
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
        # (block, day in block, units) -> (days, units)
        out["daily"] = jax.tree.map(lambda a: a.reshape((-1,) + a.shape[2:])[:days], recs)
    return _unit_first(out)


# ---------------------------------------------------------------------------------------------
# Chunks, devices, stitching.


def _devices() -> list[Any]:
    return list(jax.local_devices())


def _compiled(fn: Callable[..., Any], n_args: int, **static: Any) -> Callable[..., Any]:
    """``fn`` jitted over ``len(devices)`` chunks at once: the indices (the first argument) are
    split over the devices, every other argument is replicated. Cached per static arguments and
    device set, so repeated runs do not recompile."""
    key = (fn, n_args, tuple(sorted(static.items())), tuple(d.id for d in _devices()))
    if key not in _CACHE:
        devs = _devices()
        if len(devs) == 1:
            _CACHE[key] = jax.jit(partial(fn, **static))
        else:
            mesh = Mesh(np.array(devs), ("units",))
            # Indices in and every output (all unit-first) split over the devices.
            split = NamedSharding(mesh, PartitionSpec("units"))
            whole = NamedSharding(mesh, PartitionSpec())
            _CACHE[key] = jax.jit(
                partial(fn, **static),
                in_shardings=(split,) + (whole,) * (n_args - 1),
                out_shardings=split,
            )
    return _CACHE[key]


_CACHE: dict[Any, Callable[..., Any]] = {}


def compiled_count() -> int:
    """Executables the engine has compiled so far (a new one only for a new number of days, a
    new daily flag or new devices; never for new values)."""
    sizes: list[int] = [f._cache_size() for f in _CACHE.values()]  # type: ignore[attr-defined]
    return sum(sizes)


def _chunked(
    run: Callable[[jax.Array], dict[str, Any]],
    n: int,
    progress: Callable[[int], None] | None,
) -> dict[str, Any]:
    """Run ``n`` units in groups of one fixed-size chunk per device (the last group padded) and
    gather the results (NumPy, unit-first) into arrays allocated once: no list of parts and no
    concatenation, so the peak memory is the result plus one call's output."""
    per_call = CHUNK * len(_devices())
    out: Any = None
    for start in range(0, n, per_call):
        part = run(jnp.arange(start, start + per_call, dtype=jnp.uint32))
        take = min(per_call, n - start)
        if out is None:
            out = jax.tree.map(lambda a: np.empty((n, *a.shape[1:]), dtype=a.dtype), part)

        def fill(dst: np.ndarray, src: jax.Array, start: int = start, take: int = take) -> None:
            dst[start : start + take] = np.asarray(src[:take])

        jax.tree.map(fill, out, part)
        del part
        if progress is not None:
            progress(start + take)
    return out


def _by_chunk(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """A chunk function made to take one chunk per device: the indices of the devices' chunks
    side by side, each chunk computed on its own as if alone (a vmap over chunks, which the
    sharded jit splits over the devices)."""

    def run(indices: jax.Array, *args: Any, **static: Any) -> dict[str, Any]:
        groups = indices.reshape(-1, CHUNK)
        out = jax.vmap(lambda ix: fn(ix, *args, **static))(groups)
        return jax.tree.map(lambda a: a.reshape((-1,) + a.shape[2:]), out)

    return run


_PEOPLE = _by_chunk(_run_people)
"""The people's chunk function, made once: ``_compiled`` caches by function identity."""


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
) -> dict[str, Any]:
    """Simulate ``n`` people; return numpy arrays with a leading unit axis (daily: (unit, day)).

    Arguments:
        n: number of units.
        seed: run seed; unit i's key is fold_in(PRNGKey(seed), i).
        tables: population tables (``presets.MixTables.arrays()`` plus the style and event
            tables and the event-age jitter).
        world: the adult world (scalars).
        flags: mechanism switches (``mechanisms.flags``).
        days: adult days to simulate.
        daily: keep every day's response as well as the summaries.
        progress: called with the number of units finished after each call.
        schedule: the interventions (``healing.schedule_array``); None: none.
    """
    seed_key = jax.random.PRNGKey(seed)
    tab = {k: jnp.asarray(v) for k, v in tables.items()}
    wp = WorldParams(*[jnp.asarray(x, dtype=jnp.float32) for x in world])
    sched = jnp.asarray(_schedule(schedule))
    fl = jnp.asarray(flags, dtype=jnp.float32)
    f = _compiled(_PEOPLE, 6, days=days, daily=daily)
    return _chunked(lambda idx: f(idx, seed_key, tab, wp, sched, fl), n, progress)


def _schedule(schedule: np.ndarray | None) -> np.ndarray:
    return healing.schedule_array([]) if schedule is None else np.asarray(schedule, np.float32)


# ---------------------------------------------------------------------------------------------
# Couples: two people, each with their own history, on the couple-day kernel.


def _couple_zeros(batch: tuple[int, ...]) -> dict[str, jax.Array]:
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


def _couple_count(acc: dict[str, jax.Array], d: Day, valid: Any) -> dict[str, jax.Array]:
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


def _first(prev: Any, happened: Any, t: Any) -> Any:
    """Day of the first occurrence (-1 until it happens)."""
    return jnp.where((prev < 0) & happened, t, prev)


def couple_start(
    indices: jax.Array,
    seed_key: jax.Array,
    tab_a: dict[str, jax.Array],
    tab_b: dict[str, jax.Array],
    flags: jax.Array,
    therapy: bool = False,
    cp: CoupleParams | None = None,
) -> dict[str, Any]:
    """The couples of ``indices`` at the start of their relationship, batch-last (starting
    levels from ``cp``, their defaults without it).

    Each couple's key is fold_in(seed_key, index); from it come both members' presets, traits
    and histories (member a from ``tab_a``, b from ``tab_b``; the style and event tables are
    shared) and the key of its adult days.

    Returns:
        ``pp`` (traits, fields (2, *B)), ``state`` (``couple.initial_couple``), ``key`` (adult
        keys (*B, 2)), ``preset`` and ``style`` ((2, *B)).
    """
    keys = _fold(jnp.broadcast_to(seed_key, (*indices.shape, 2)), indices)
    k = [_fold(keys, j) for j in range(5)]
    pre_a, style_a, p_a, ev_a, kind_a = _sample(k[0], tab_a)
    pre_b, style_b, p_b, ev_b, kind_b = _sample(k[1], tab_b)
    pp = PersonParams(*[jnp.stack([a, b]) for a, b in zip(p_a, p_b, strict=True)])
    persons, _ = _history(
        jnp.stack([k[2], k[3]]),
        pp,
        jnp.stack([style_a, style_b]),
        jnp.stack([ev_a, ev_b], axis=1),  # (MAX_EVENTS, 2, *B)
        jnp.stack([kind_a, kind_b], axis=1),
        tab_a,
        flags,
    )
    return {
        "pp": pp,
        "state": initial_couple(xp, persons, therapy, cp),
        "key": k[4],
        "preset": jnp.stack([pre_a, pre_b]),
        "style": jnp.stack([style_a, style_b]),
    }


def _couple_threat(s: CoupleState) -> jax.Array:
    """(2, K, *B) felt threat of both members in the partner context."""
    return jnp.moveaxis(effective_threat(xp, s.person, jnp.int32(HERE)), 0, 1)


def _run_couples(
    indices: jax.Array,
    seed_key: jax.Array,
    tab_a: dict[str, jax.Array],
    tab_b: dict[str, jax.Array],
    cp: CoupleParams,
    schedule: jax.Array,
    flags: jax.Array,
    *,
    days: int,
    daily: bool,
    care: bool,
    therapy: bool,
) -> dict[str, Any]:
    """One chunk of couples: sample, both histories, then ``days`` days together under the
    scenario's interventions (``care``: there are some; without, the day is the plain couple
    day); ``therapy`` carries the therapy row of each template."""
    st = couple_start(indices, seed_key, tab_a, tab_b, flags, therapy, cp)
    pp, s0, key = st["pp"], st["state"], st["key"]
    batch = indices.shape
    n_blocks = max(1, math.ceil(days / SNAP_DAYS))
    never2 = jnp.full((2, *batch), -1)
    never = jnp.full(batch, -1)
    ev0 = {
        "first_decline": never2,
        "gave_up_day": never2,
        "first_talk": never,
        "escalation": never,
        "end_day": never,
    }

    def day(carry: Any, t: jax.Array) -> Any:
        s, acc, ev = carry
        u = _draws(key, t, N_COUPLE_DRAWS)
        valid = t < days
        tf = t.astype(jnp.float32)
        lv = healing.levels(xp, schedule, tf) if care else None
        sess = healing.sessions(xp, schedule, tf)[0] if therapy else None
        s2, d = couple_day(xp, pp, cp, s, tf, u, flags, lv, sess)
        s2 = jax.tree.map(lambda a, b: jnp.where(valid, a, b), s2, s)
        acc = _couple_count(acc, d, valid)
        deep_decline = (d.received == AWAY) | (d.received == AGAINST)
        deep_decline = deep_decline & (d.bid_depth[::-1] >= 2) & valid
        ev = {
            "first_decline": _first(ev["first_decline"], deep_decline, t),
            "gave_up_day": _first(ev["gave_up_day"], s2.gave_up & valid, t),
            "first_talk": _first(ev["first_talk"], (d.moment == TALK) & valid, t),
            "escalation": _first(ev["escalation"], (jnp.max(s2.pursuit, axis=0) >= 0.5) & valid, t),
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

    def block(carry: Any, b: jax.Array) -> Any:
        s, _, ev = carry
        (s, acc, ev), recs = jax.lax.scan(
            day, (s, _couple_zeros(batch), ev), b * SNAP_DAYS + jnp.arange(SNAP_DAYS)
        )
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
            "threat_deep": jnp.mean(_couple_threat(s)[:, 3:], axis=1),
            "ruptures": s.ruptures,
            "investment": s.investment,
            "ended": s.ended,
            # Counts of a month are whole numbers (depth sums at most 4 x 30): kept as int16,
            # half the memory of the streamed result.
            **{k: v.astype(jnp.int16) if k != "arousal" else v for k, v in acc.items()},
        }
        return (s, acc, ev), (snap, recs)

    (s, _, ev), (snaps, recs) = jax.lax.scan(
        block, (s0, _couple_zeros(batch), ev0), jnp.arange(n_blocks)
    )
    out = {
        "preset": st["preset"],
        "style": st["style"],
        "params": jnp.stack([getattr(pp, n) for n in TRAITS], axis=1),  # (2, P, *B)
        "threat0": _couple_threat(s0),
        "threat": _couple_threat(s),
        "monthly": snaps,  # (month, [member,] *B)
        **ev,
    }
    if daily:
        out["daily"] = jax.tree.map(lambda a: a.reshape((-1,) + a.shape[2:])[:days], recs)
    return _unit_first(out)


_COUPLES = _by_chunk(_run_couples)
"""The couples' chunk function, made once: ``_compiled`` caches by function identity."""


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
) -> dict[str, Any]:
    """Simulate ``n`` couples; member a drawn from ``tables_a``, member b from ``tables_b``.

    Returns numpy arrays with a leading couple axis; per-member arrays have a member axis of 2
    next; monthly summaries have (couple, month, ...); daily records (couple, day, ...). With
    individual therapy in ``schedule`` the templates' therapy rows are carried (one more
    compiled program).
    """
    sch = _schedule(schedule)
    care = bool(np.any(sch[:, 0] >= 0))
    therapy = bool(np.any(sch[:, 0] == healing.KINDS.index("therapy")))
    seed_key = jax.random.PRNGKey(seed)
    ta = {k: jnp.asarray(v) for k, v in tables_a.items()}
    tb = {k: jnp.asarray(v) for k, v in tables_b.items()}
    cp = CoupleParams(*[jnp.asarray(x, dtype=jnp.float32) for x in couple])
    fl = jnp.asarray(flags, dtype=jnp.float32)
    f = _compiled(_COUPLES, 7, days=days, daily=daily, care=care, therapy=therapy)
    sj = jnp.asarray(sch)
    return _chunked(lambda idx: f(idx, seed_key, ta, tb, cp, sj, fl), n, progress)
