"""The adult world a person meets: offers of closeness, from whom, how deep, how warm.

Used by person-level scenarios (the demo and the P claims). The couple (a later issue) replaces
this world with a partner who is a person too.
"""

from __future__ import annotations

from typing import Any

from closeloop.model.person import FRIEND, PARTNER, K, Offer
from closeloop.params import WorldParams

# Positions in the per-step draws used by the adult world (after the person's draws).
W_OFFER, W_DEPTH, W_IMPORTANCE, W_FORCED, W_CONTEXT = range(5)
N_WORLD_DRAWS = 5


def depth_ceiling(xp: Any, w: WorldParams, day: Any) -> Any:
    """Deepest depth on offer on ``day``: rises from depth_lo to depth_hi over ramp_days."""
    frac = xp.where(w.ramp_days > 0, xp.minimum(day / xp.maximum(w.ramp_days, 1.0), 1.0), 1.0)
    return w.depth_lo + (xp.maximum(w.depth_hi, w.depth_lo) - w.depth_lo) * frac


def world_offer(xp: Any, w: WorldParams, day: Any, u: Any) -> Offer:
    """The offer of ``day``: depth uniform on the whole levels between depth_lo and the ceiling.

    ``u`` is (N_WORLD_DRAWS, *B); the world settings are scalars or of shape B."""
    lo = xp.floor(w.depth_lo)
    top = xp.floor(depth_ceiling(xp, w, day))
    depth = xp.minimum(lo + xp.floor(u[W_DEPTH] * (top - lo + 1.0)), top)
    depth = xp.clip(depth, 0, K - 1).astype(xp.int32)
    f32 = xp.float32
    zero = xp.zeros_like(w.warmth)
    return Offer(
        offered=u[W_OFFER] < w.offer_rate,
        depth=depth,
        context=xp.where(u[W_CONTEXT] < w.friend_share, FRIEND, PARTNER),
        pressure=w.pressure.astype(f32),
        importance=u[W_IMPORTANCE].astype(f32),
        warmth=w.warmth.astype(f32),
        hurt_rate=w.hurt_rate.astype(f32),
        protest_gain=zero,
        forced=u[W_FORCED] < w.forced,
        salience=zero + 1.0,
        observe_boost=w.observe_boost.astype(f32),
    )
