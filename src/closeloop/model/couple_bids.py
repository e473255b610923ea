"""The terms of a couple-day's decisions before anyone responds: how likely a bid is, how deep
one can reach, and how the other would meet one's sharing (docs/model.md 12.2, 12.3). Written
against ``xp``, batch-last, like ``couple.py``, which draws the decisions from them."""

from __future__ import annotations

from typing import Any

from closeloop.mechanisms import is_on
from closeloop.model.couple_state import HERE, CoupleState, other
from closeloop.model.person import K, comfort_depth
from closeloop.params import CoupleParams, PersonParams


def bid_chance(xp: Any, c: CoupleParams, s: CoupleState) -> Any:
    """Each member's chance of a bid today, before the life around the couple: the longing,
    pursuit, one's own distance and the hope that bids are met."""
    return (
        c.bid_rate
        * (c.bid_need_floor + (1.0 - c.bid_need_floor) * s.person.L)
        * (1.0 + s.pursuit)
        * (1.0 - s.distance)
        * (c.bid_hope_floor + (1.0 - c.bid_hope_floor) * s.expect)
    )


def reach(
    xp: Any,
    pp: PersonParams,
    c: CoupleParams,
    s: CoupleState,
    day: Any,
    flags: Any,
    commits: Any = None,
    pace: Any = None,
) -> tuple[Any, Any]:
    """(comfort, ceiling): the deepest depth one can meet without alarm (-1: none) and the
    deepest one bids at. ``commits``: who has decided to face the fear (one step past comfort);
    ``pace``: the pacing's intensity (reach no deeper than the other can meet); None: neither."""
    # Bids reach past what is already shared, and past the depth partners come to expect as the
    # relationship matures (social penetration); pursuit pushes deeper still.
    mutual = xp.mean(s.known, axis=0)
    expected = (K - 1) * xp.minimum(day / xp.maximum(c.deepen_days, 1.0), 1.0)
    base = xp.maximum(mutual, expected)
    far = xp.floor(base + c.bid_reach + s.pursuit)
    # One reaches only as deep as one's own template allows: depths whose felt threat (with the
    # habit) would set off the automatic route are not offered (bidding is approaching too).
    # Pursuit overrides one's own alarm: hyperactivated seeking pushes past it.
    comfort = comfort_depth(xp, pp, s.person, HERE, flags, s.pursuit)
    if commits is not None:
        # Having decided to face the fear, one reaches one step past one's comfort (the edge),
        # as in the withdrawer's re-engagement in couples therapy.
        comfort = comfort + (commits & is_on(flags, "decision_to_approach")).astype(xp.float32)
    ceiling = xp.clip(xp.minimum(far, comfort), 0, K - 1)
    if pace is not None:
        # Pacing: reach no deeper than the other can meet without alarm (the other sets the
        # depth), in proportion to the pacing's intensity.
        calm = xp.maximum(other(comfort_depth(xp, pp, s.person, HERE, flags)), 0.0)
        ceiling = xp.minimum(ceiling, xp.floor(calm + (1.0 - pace) * (K - 1 - calm)))
    return comfort, ceiling


def partner_response(xp: Any, c: CoupleParams, s: CoupleState) -> tuple[Any, Any]:
    """(warmth, hurt): how each member would meet the other's sharing. Warm unless they have
    built distance or are unhappy; frustrated pursuit turns critical."""
    warmth = xp.clip(
        c.warmth_base - c.warmth_distance * s.distance - c.warmth_sat * (1.0 - s.sat),
        c.warmth_min,
        c.warmth_max,
    )
    hurt = c.hurt_base + c.criticism * s.pursuit * (1.0 - s.sat)
    return warmth, hurt
