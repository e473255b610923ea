"""The adult world a person meets: offers of closeness, from whom, how deep, how warm.

Used by person-level scenarios (the demo and the P claims). The couple (a later issue) replaces
this world with a partner who is a person too.

Like the person's response (``response``), a day's offer comes in three parts: the
distributions of its decisions from the day and the settings (``world_probs``), sampling them
from named draws (``sample_world``), and the log-probability of given decisions
(``world_log_prob``); ``world_offer`` composes the first two.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from closeloop.model.person import FRIEND, PARTNER, K, Offer
from closeloop.model.response import bernoulli_log_prob
from closeloop.params import WorldParams

# Positions in the per-step draws used by the adult world (after the person's draws).
W_OFFER, W_DEPTH, W_IMPORTANCE, W_FORCED, W_CONTEXT = range(5)
N_WORLD_DRAWS = 5


class WorldDraws(NamedTuple):
    """The uniforms of one world day by name (each (*B)): the one place their layout is
    written."""

    offer: Any
    depth: Any
    importance: Any
    forced: Any
    context: Any

    @classmethod
    def of(cls, u: Any) -> WorldDraws:
        """Named draws from a (N_WORLD_DRAWS, *B) uniform array."""
        return cls(u[W_OFFER], u[W_DEPTH], u[W_IMPORTANCE], u[W_FORCED], u[W_CONTEXT])


class WorldDecisions(NamedTuple):
    """What the world decided on a day (each (*B)): whether closeness is offered, its depth
    (int), how much it matters (in [0, 1)), whether the person is made to stay, whether it comes
    from a friend."""

    offered: Any
    depth: Any
    importance: Any
    forced: Any
    friend: Any


class WorldProbs(NamedTuple):
    """The distributions of a world day's decisions (each (*B)): P(an offer), the whole depth
    levels ``lo .. top`` a depth is uniform over, P(made to stay), P(from a friend).
    Importance is uniform on [0, 1)."""

    offered: Any
    lo: Any
    top: Any
    forced: Any
    friend: Any


def depth_ceiling(xp: Any, w: WorldParams, day: Any) -> Any:
    """Deepest depth on offer on ``day``: rises from depth_lo to depth_hi over ramp_days."""
    frac = xp.where(w.ramp_days > 0, xp.minimum(day / xp.maximum(w.ramp_days, 1.0), 1.0), 1.0)
    return w.depth_lo + (xp.maximum(w.depth_hi, w.depth_lo) - w.depth_lo) * frac


def world_probs(xp: Any, w: WorldParams, day: Any) -> WorldProbs:
    """The distributions of ``day``'s decisions; the world settings are scalars or of shape B."""
    return WorldProbs(
        offered=w.offer_rate,
        lo=xp.floor(w.depth_lo),
        top=xp.floor(depth_ceiling(xp, w, day)),
        forced=w.forced,
        friend=w.friend_share,
    )


def sample_world(xp: Any, q: WorldProbs, d: WorldDraws) -> WorldDecisions:
    """The day's decisions from its named draws: depth uniform on the whole levels
    ``lo .. top`` (within 0 .. K-1)."""
    depth = xp.minimum(q.lo + xp.floor(d.depth * (q.top - q.lo + 1.0)), q.top)
    return WorldDecisions(
        offered=d.offer < q.offered,
        depth=xp.clip(depth, 0, K - 1).astype(xp.int32),
        importance=d.importance.astype(xp.float32),
        forced=d.forced < q.forced,
        friend=d.context < q.friend,
    )


def world_log_prob(xp: Any, q: WorldProbs, c: WorldDecisions) -> WorldDecisions:
    """log P of each of the day's decisions ``c``: the depth's is that of the uniform choice
    among the whole levels ``lo .. top`` (-inf outside; declared bounds keep them within
    0 .. K-1); importance has density 1 on [0, 1)."""
    f32 = xp.float32
    k = c.depth.astype(f32)
    n = q.top - q.lo + 1.0
    depth = xp.where((k >= q.lo) & (k <= q.top), -xp.log(n), -xp.inf)
    inside = (c.importance >= 0.0) & (c.importance < 1.0)
    return WorldDecisions(
        offered=bernoulli_log_prob(xp, q.offered, c.offered),
        depth=depth.astype(f32),
        importance=xp.where(inside, 0.0, -xp.inf).astype(f32),
        forced=bernoulli_log_prob(xp, q.forced, c.forced),
        friend=bernoulli_log_prob(xp, q.friend, c.friend),
    )


def world_day_offer(xp: Any, w: WorldParams, c: WorldDecisions) -> Offer:
    """The offer made of the day's decisions ``c`` and the world's settings."""
    f32 = xp.float32
    zero = xp.zeros_like(w.warmth)
    return Offer(
        offered=c.offered,
        depth=c.depth,
        context=xp.where(c.friend, FRIEND, PARTNER),
        pressure=w.pressure.astype(f32),
        importance=c.importance,
        warmth=w.warmth.astype(f32),
        hurt_rate=w.hurt_rate.astype(f32),
        protest_gain=zero,
        forced=c.forced,
        salience=zero + 1.0,
        observe_boost=w.observe_boost.astype(f32),
    )


def world_offer(xp: Any, w: WorldParams, day: Any, u: Any) -> Offer:
    """The offer of ``day``: depth uniform on the whole levels between depth_lo and the ceiling.

    ``u`` is (N_WORLD_DRAWS, *B); the world settings are scalars or of shape B."""
    c = sample_world(xp, world_probs(xp, w, day), WorldDraws.of(u))
    return world_day_offer(xp, w, c)
