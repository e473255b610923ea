"""Linear couples (``closeloop.model.linear``) on the engine's loop: the same couples (same
draws, same early histories) as ``couples``, another adult kernel, and what such a run records.

The record keeps the couple record's names and layout for every field the linear model can
fill (``model.linear`` lists those it cannot), plus each member's closeness."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import ndtri

from closeloop import mechanisms
from closeloop.engine import _loop
from closeloop.engine._devices import by_chunk, chunked, compiled, unit_first, unit_last
from closeloop.engine._keys import draws
from closeloop.engine._population import couple_start
from closeloop.engine.couples import DEEP, ESCALATION, SNAPSHOTS, couple_threat
from closeloop.engine.output import Run
from closeloop.engine.people import per_unit
from closeloop.model.couple import AWAY, NONE, TOWARD
from closeloop.model.linear import (
    N_LINEAR_DRAWS,
    NOISE,
    LinearDay,
    LinearState,
    initial_linear,
    linear_day,
    pursuit,
    set_point,
)
from closeloop.params import (
    HISTORY,
    TRAITS,
    CoupleParams,
    HistoryParams,
    LinearParams,
    PersonParams,
)

xp = jnp
EDGE = 1e-7
"""Uniforms are kept this far inside (0, 1) before the normal quantile (finite noise)."""


def day_step(
    pp: PersonParams,
    cp: CoupleParams,
    lp: LinearParams,
    key: jax.Array,
    s: LinearState,
    t: jax.Array,
    valid: jax.Array,
) -> tuple[LinearState, LinearDay]:
    """One day of a batch of linear couples: the day's draws (the first two made normal)."""
    u = draws(key, t, N_LINEAR_DRAWS)
    z = ndtri(jnp.clip(u[NOISE : NOISE + 2], EDGE, 1.0 - EDGE))
    u = u.at[NOISE : NOISE + 2].set(z)
    return linear_day(xp, pp, cp, lp, s, u)


def _counts_zero(batch: tuple[int, ...]) -> dict[str, jax.Array]:
    z2 = jnp.zeros((2, *batch), dtype=jnp.float32)
    z = jnp.zeros(batch, dtype=jnp.float32)
    names2 = ("bids", "met", "offered", "declined", "declined_depth", "offered_depth")
    return {
        **{k: z2 for k in (*names2, "against", "arousal")},
        **{k: z for k in ("talks", "conflicts", "repaired")},
    }


def count(acc: dict[str, jax.Array], s: Any, d: LinearDay, valid: Any, t: Any = None) -> Any:
    """Add one day to a month's counters (as ``couples.count``, without the automatic route)."""
    f = jnp.float32
    got = (d.received != NONE) & valid
    declined = got & (d.received != TOWARD)
    depth_in = d.bid_depth[::-1].astype(f)
    return {
        "bids": acc["bids"] + (d.bid & valid).astype(f),
        "met": acc["met"] + (d.received[::-1] == TOWARD).astype(f) * valid,
        "offered": acc["offered"] + got.astype(f),
        "declined": acc["declined"] + declined.astype(f),
        "declined_depth": acc["declined_depth"] + jnp.where(declined, depth_in, 0.0),
        "offered_depth": acc["offered_depth"] + jnp.where(got, depth_in, 0.0),
        # Derived, not absent: the model's rules never turn against a bid, and no day is a talk.
        "against": acc["against"],
        "arousal": acc["arousal"] + jnp.where(valid, d.arousal, 0.0),
        "talks": acc["talks"],
        "conflicts": acc["conflicts"] + (d.conflict & valid).astype(f),
        "repaired": acc["repaired"] + (d.repaired & valid).astype(f),
    }


def _events_zero(batch: tuple[int, ...]) -> dict[str, jax.Array]:
    never2 = jnp.full((2, *batch), -1)
    never = jnp.full(batch, -1)
    return {"first_decline": never2, "first_talk": never, "escalation": never, "end_day": never}


def _first(prev: Any, happened: Any, t: Any) -> Any:
    return jnp.where((prev < 0) & happened, t, prev)


def _events(ev: dict[str, jax.Array], s2: LinearState, d: LinearDay, valid: Any, t: Any) -> Any:
    deep_decline = (d.received == AWAY) & (d.bid_depth[::-1] >= DEEP) & valid
    escalated = (jnp.max(pursuit(xp, s2.x), axis=0) >= ESCALATION) & valid
    return {
        "first_decline": _first(ev["first_decline"], deep_decline, t),
        "first_talk": ev["first_talk"],
        "escalation": _first(ev["escalation"], escalated, t),
        "end_day": _first(ev["end_day"], d.ended_today & valid, t),
    }


def _snapshot(s: LinearState, acc: dict[str, jax.Array]) -> dict[str, jax.Array]:
    return {
        "closeness": s.x,
        "sat": s.sat,
        "stability": s.stability,
        "pursuit": pursuit(xp, s.x),
        "felt": s.felt,
        "expect": s.expect,
        "known": s.known,
        "ruptures": s.ruptures,
        "investment": s.investment,
        "ended": s.ended,
        **{k: v.astype(jnp.int16) if k != "arousal" else v for k, v in acc.items()},
    }


def _daily(s2: LinearState, d: LinearDay) -> dict[str, jax.Array]:
    return {
        "moment": d.moment.astype(jnp.int8),
        "bid": d.bid,
        "bid_depth": d.bid_depth.astype(jnp.int8),
        "received": d.received.astype(jnp.int8),
        "shared": d.shared,
        "behaviour": d.behaviour.astype(jnp.int8),
        "arousal": d.arousal,
        "conflict": d.conflict,
        "repaired": d.repaired,
        "closeness": s2.x,
        "sat": s2.sat,
        "pursuit": pursuit(xp, s2.x),
        "stability": s2.stability,
        "known": s2.known,
        "felt": s2.felt,
        "ended": s2.ended,
    }


M, P = ("member",), ()
MONTHLY = {
    **dict.fromkeys(("closeness", "sat", "stability", "pursuit", "felt", "expect", "known"), M),
    **dict.fromkeys(("ruptures", "investment", "ended"), P),
    **dict.fromkeys(
        (
            "bids",
            "met",
            "offered",
            "declined",
            "declined_depth",
            "offered_depth",
            "against",
            "arousal",
        ),
        M,
    ),
    **dict.fromkeys(("talks", "conflicts", "repaired"), P),
}
DAILY = {
    **dict.fromkeys(("moment", "conflict", "repaired", "ended"), P),
    **dict.fromkeys(
        (
            "bid",
            "bid_depth",
            "received",
            "shared",
            "behaviour",
            "arousal",
            "closeness",
            "sat",
            "pursuit",
            "stability",
            "known",
            "felt",
        ),
        M,
    ),
}

RECORD = _loop.Record(
    running=_loop.Summary(_events_zero, _events),
    block=_loop.Summary(_counts_zero, count),
    snapshot=_snapshot,
    dims={
        "first_decline": M,
        "first_talk": P,
        "escalation": P,
        "end_day": P,
        **{f"{SNAPSHOTS}.{k}": v for k, v in MONTHLY.items()},
        **{f"daily.{k}": v for k, v in DAILY.items()},
    },
)
"""What a linear couple run keeps: the couple record's fields the model fills, and closeness."""

ABSENT = (
    "threat",
    "gave_up_day",
    "threat_deep",
    "automatic",
    "distance",
    "support",
    "gave_up",
    "daily_threat",
    "daily_habit",
    "daily_automatic",
    "daily_gave_up",
)
"""Variables of a couple Dataset that a linear run does not have (see ``model.linear``)."""


def _run_linear(
    indices: jax.Array,
    cp: CoupleParams,
    lp: LinearParams,
    hp: HistoryParams,
    fixed: jax.Array,
    seed_key: jax.Array,
    tab_a: dict[str, jax.Array],
    tab_b: dict[str, jax.Array],
    flags: jax.Array,
    *,
    days: int,
    daily: bool,
) -> Run:
    """One chunk of linear couples: the couples' sampling and histories (``couple_start``),
    then ``days`` days of the linear kernel."""
    cpl, lpl = unit_last(cp), unit_last(lp)
    fixed_b, hpl = unit_last(fixed), unit_last(hp)
    st = couple_start(indices, seed_key, tab_a, tab_b, flags, False, fixed_b, cpl, hpl)
    threat0 = couple_threat(st["state"])  # (2, K, *B)
    s0 = initial_linear(xp, set_point(xp, lpl, jnp.mean(threat0, axis=1)), cpl)
    step = partial(day_step, st["pp"], cpl, lpl, st["key"])
    record = RECORD.keeping_days(_daily if daily else None)
    res = _loop.run(step, s0, record, days=days, batch=indices.shape)
    out = Run(
        start={
            "preset": st["preset"],
            "style": st["style"],
            "params": jnp.stack([getattr(st["pp"], n) for n in TRAITS], axis=1),
            "threat0": threat0,
        },
        final={},
        running=res["running"],
        snapshots=res["snapshots"],
        daily=res["daily"] if daily else None,
        snapshot_key=SNAPSHOTS,
    )
    return unit_first(out)


_LINEAR = by_chunk(_run_linear, n_split=5)


def run_linear(
    n: int,
    seed: int,
    tables_a: dict[str, np.ndarray],
    tables_b: dict[str, np.ndarray],
    couple: CoupleParams,
    linear: LinearParams,
    *,
    days: int,
    daily: bool = False,
    progress: Callable[[int], None] | None = None,
    history: HistoryParams = HISTORY,
) -> Run:
    """Simulate ``n`` linear couples: the couples ``couples.run_couples`` would draw with the
    same seed, tables and ``history`` parameters (same members, same early histories), on the
    linear kernel. Returns numpy arrays laid out as ``run_couples``' (couple first)."""
    n_p = tables_a["traits"].shape[1]
    fixed = np.full((n, 2, n_p), np.nan, np.float32)
    rows = (per_unit(couple, n), per_unit(linear, n), per_unit(history, n), fixed)
    ta = {k: jnp.asarray(v) for k, v in tables_a.items()}
    tb = {k: jnp.asarray(v) for k, v in tables_b.items()}
    # The early history runs closeloop's rules with every mechanism on.
    fl = jnp.asarray(mechanisms.flags())
    args = (jax.random.PRNGKey(seed), ta, tb, fl)
    f = compiled(_LINEAR, 9, n_split=5, days=days, daily=daily)
    return chunked(lambda idx, r: f(idx, *r, *args), n, progress, rows)
