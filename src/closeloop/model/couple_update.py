"""What a couple-day changes once the day's responses are known: the bidder's expectation, felt
distance, pursuit and giving up; being known; each member's picture of the other's satisfaction;
and satisfaction itself (docs/model.md 12.6, 12.7, 12.9, 12.15). Written against ``xp``,
batch-last, like ``couple.py``, which calls them in this order."""

from __future__ import annotations

from typing import Any, NamedTuple

from closeloop.mechanisms import is_on
from closeloop.model import life
from closeloop.model.couple_state import CoupleState, other
from closeloop.model.person import K
from closeloop.params import CoupleParams, PersonParams


class Bond(NamedTuple):
    """The bidder's side of the day (each (2, *B)): see ``bond``."""

    expect: Any
    felt: Any
    gave_up: Any
    pursuit: Any
    distance: Any
    support: Any


def bond(
    xp: Any,
    pp: PersonParams,
    c: CoupleParams,
    s: CoupleState,
    bid: Any,
    met: Any,
    attribution: Any,
    flags: Any,
) -> Bond:
    """Expectation that one's bids are met, felt distance, giving up, pursuit, one's own
    protective distance and outside support, after a day with ``bid`` (made) and ``met``."""
    f32 = xp.float32
    bf = bid.astype(f32)
    metf = met.astype(f32)
    expect = s.expect + pp.alpha_expect * bf * (metf - s.expect)
    felt = s.felt + c.felt_rate * bf * ((1.0 - metf) - s.felt)
    limit = pp.give_up + xp.where(s.gave_up, c.give_up_margin, 0.0)  # hope must return clearly
    gave_up = (expect < limit) & is_on(flags, "giving_up")
    # Attribution amplifies how strongly felt distance turns into pursuit: read as a verdict on
    # oneself, the same distance is more alarming (by default from half to 1.5 times).
    # Switched off, pursuit no longer follows one's own unmet bids: it is set by a fixed felt
    # distance (unlinked_felt), so that the ablation removes the contingency, not the contact.
    drive = xp.where(is_on(flags, "pursuit"), felt, c.unlinked_felt)
    target = xp.minimum(pp.anxiety * drive * (c.attribution_offset + attribution), 1.0)
    target = target * (~gave_up)
    pursuit = xp.clip(s.pursuit + c.pursuit_rate * (target - s.pursuit), 0.0, 1.0)
    gf = gave_up.astype(f32)
    distance = s.distance + c.distance_rate * (gf - s.distance)
    support = s.support + c.support_rate * (gf - s.support)
    return Bond(expect, felt, gave_up, pursuit, distance, support)


def knowing(xp: Any, c: CoupleParams, s: CoupleState, opened: Any, open_depth: Any) -> Any:
    """Being known grows when one opens up (to ``open_depth``) and fades without it."""
    grow = c.knowing_rate * xp.maximum(open_depth + 1.0 - s.known, 0.0)
    known = s.known * (1.0 - c.knowing_decay) + xp.where(opened, grow, 0.0)
    return xp.clip(known, 0.0, float(K))


def perceive(
    xp: Any, c: CoupleParams, s: CoupleState, contact: Any, shared: Any, flags: Any
) -> Any:
    """Each member's picture of the other's satisfaction (12.15). On a day of ``contact`` with the
    other (their bid, a talk, a conflict) it moves toward the other's satisfaction, fully when
    one met the moment by sharing and at the weight ``withdrawn_attention`` when one withdrew;
    one's own protective distance takes in less still. Switched off, the picture is the other's
    satisfaction as it is."""
    f32 = xp.float32
    attend = xp.where(shared, 1.0, c.withdrawn_attention) * contact.astype(f32)
    step = c.perceive_rate * attend * (1.0 - s.distance)
    seen = s.perceived + step * (other(s.sat) - s.perceived)
    return xp.where(is_on(flags, "partner_perception"), seen, other(s.sat))


def satisfaction(
    xp: Any,
    c: CoupleParams,
    s: CoupleState,
    b: Bond,
    known: Any,
    attribution: Any,
    ruptures: Any,
    strain: Any,
    perceived: Any,
) -> Any:
    """Satisfaction's step toward the felt quality of the relationship: responsiveness,
    intimacy, hurt on the books, how personally distance is read, the life around the couple,
    and how content one believes the other to be (against its start ``sat_start``)."""
    intimacy = xp.mean(known, axis=0) / K
    quality = (
        c.base_quality
        + c.expect_weight * b.expect
        + c.intimacy_weight * intimacy
        - c.attribution_weight * attribution * b.felt
        # Times the reciprocal, as XLA computes a division by a constant (bit for bit).
        - c.rupture_weight * xp.minimum(ruptures, c.rupture_cap) * (1.0 / c.rupture_cap)
        + life.quality_shift(c, strain)
        + c.partner_weight * (perceived - c.sat_start)
    )
    return s.sat + c.sat_rate * (xp.clip(quality, 0.0, 1.0) - s.sat)


def stability(xp: Any, c: CoupleParams, s: CoupleState, at_home: Any, conflict: Any) -> Any:
    """Felt stability's step toward the day's calm: low arousal at home (``at_home``) feels like
    stability, whatever its cause; a conflict is not calm."""
    calm = 1.0 - xp.minimum(at_home, 1.0) - c.conflict_calm * conflict.astype(xp.float32)
    return s.stability + c.stability_rate * (xp.clip(calm, 0.0, 1.0) - s.stability)


def commitment(
    xp: Any, c: CoupleParams, s: CoupleState, sat: Any, support: Any, flags: Any
) -> tuple[Any, Any]:
    """(investment, hazard): the shared life built, and the day's chance that the relationship
    ends, falling with the less committed member's commitment (investment model)."""
    investment = s.investment + c.investment_rate * (1.0 - s.investment)
    alternatives = c.alternatives + c.support_pull * support
    # Switched off, staying follows satisfaction alone, on commitment's own scale: the shared
    # investment (the same for every couple on a given day) stays, the alternatives that outside
    # support opens do not, so the ablation removes the couple's own commitment and does not
    # simply make couples end sooner.
    commit = xp.where(
        is_on(flags, "commitment"),
        sat + investment - alternatives,
        sat + investment - c.alternatives,
    )
    return investment, c.hazard_base * xp.exp(-c.hazard_slope * xp.min(commit, axis=0))
