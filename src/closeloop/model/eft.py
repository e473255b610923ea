"""Couples therapy's stages as the couple reaches them (docs/model.md 13.7): de-escalation until
pursuit and unmet bids have fallen below declared levels (or a cap), the withdrawer's
re-engagement, then the pursuer's softening: a session of deep, warm mutual sharing, in which an
attachment injury left by an adult event can be repaired. Written against ``xp``, batch-last.

The stage is one number per couple (``CoupleState.stage``): its whole part is the stage (0
de-escalation, 1 re-engagement, 2 the softening reached, 3 the course's consolidation done), its
fraction the share of the stage's cap already spent. The softening is the day the couple's stage
is exactly 2 while the course runs.
"""

from __future__ import annotations

from typing import Any

from closeloop.model import healing
from closeloop.model.couple_state import CoupleState
from closeloop.model.person import K, Offer
from closeloop.params import CHANGE, ChangeParams


def running(xp: Any, care: Any) -> Any:
    """Whether a couples therapy runs today (a scalar: the schedule is the same for all)."""
    names = ("eft_withdrawer", "eft_pursuer")
    return xp.max(xp.stack([care[healing.L[n]] for n in names])) > 0.0


def level(xp: Any, care: Any, name: str, stage: Any, like: Any) -> Any:
    """A component's level for both members ((2, *B), like ``like``): the schedule's, plus the
    components of the stages the couple has reached: the withdrawer's observation and
    commitment from re-engagement on, the pursuer as a safe partner from the softening on."""
    base = healing.member(xp, care, name, like) + xp.zeros_like(like)
    if name in ("observation", "commitment"):
        w = healing.member(xp, care, "eft_withdrawer", like)
        return xp.maximum(base, w * (stage >= 1.0))
    if name == "safe_partner":
        pursuer = healing.member(xp, care, "eft_pursuer", like)
        return xp.maximum(base, pursuer * (stage >= 2.0))
    return base


def softening(xp: Any, care: Any, s: CoupleState) -> Any:
    """(*B) bool: today is the couple's softening session."""
    return running(xp, care) & (s.stage == 2.0) & ~s.ended


def softening_offer(
    xp: Any, o: Offer, on: Any, context: Any, change: ChangeParams = CHANGE
) -> Offer:
    """Where ``on``: each member, guided in the session, shares at the deepest depth and is met
    warmly by the other (forced: the therapist holds the moment), in the partner context, at a
    session's salience and without pressure."""
    deepest = xp.zeros_like(o.depth) + (K - 1)
    soft = healing.guided_offer(xp, o, deepest, context, True, change)._replace(
        salience=xp.zeros_like(o.salience) + change.session_salience,
    )
    return Offer(*[xp.where(on, a, b) for a, b in zip(soft, o, strict=True)])


def advance(
    xp: Any,
    care: Any,
    s: CoupleState,
    pursuit: Any,
    felt: Any,
    change: ChangeParams = CHANGE,
) -> Any:
    """The couple's stage after a day of the course, from the day's pursuit and felt distance
    ((2, *B)): de-escalation ends when both members' pursuit and felt distance are below
    ``deesc_pursuit`` and ``deesc_unmet``, or at ``deesc_weeks``; re-engagement lasts
    ``reengage_weeks`` and ends at the softening (stage exactly 2); the rest of the course
    consolidates. Without a course the stage stays where it is."""
    st = s.stage
    calm = (xp.max(pursuit, axis=0) < change.deesc_pursuit) & (
        xp.max(felt, axis=0) < change.deesc_unmet
    )
    first = st + 1.0 / (change.deesc_weeks * healing.DAYS_PER_WEEK)
    second = st + 1.0 / (change.reengage_weeks * healing.DAYS_PER_WEEK)
    new = xp.where(
        st < 1.0,
        xp.where(calm | (first >= 1.0), 1.0, first),
        xp.where(st < 2.0, xp.minimum(second, 2.0), xp.minimum(second, 3.0)),
    )
    return xp.where(running(xp, care) & ~s.ended, new, st).astype(st.dtype)


def repair(
    xp: Any, on: Any, ruptures: Any, injury: Any, change: ChangeParams = CHANGE
) -> tuple[Any, Any]:
    """(ruptures, injury) after the day: the softening session repairs the share
    ``injury_repair`` of the attachment injuries on the books (Johnson, Makinen & Millikin
    2001)."""
    mended = xp.where(on, change.injury_repair * injury, 0.0)
    return ruptures - mended, injury - mended
