"""The couple-day's random decisions by name: the uniforms they are drawn from, the decisions
themselves, and the log-probability helpers of their distributions.

A couple-day draws ``N_COUPLE_DRAWS`` uniforms per couple; ``CoupleDraws.of`` names them (the one
place their layout is written). ``CoupleDecisions`` holds what was decided with them, so that a
day can be simulated (decisions drawn) or scored (decisions given: ``couple.couple_day_full``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from closeloop.model.response import (
    N_PERSON_DRAWS,
    TINY,
    PersonDecisions,
    PersonDraws,
)

COUPLE_LAYOUT = {
    "bid": 2,
    "depth": 2,
    "importance": 2,
    "conflict": 1,
    "talk": 1,
    "repair": 1,
    "end": 1,
    "life": 2,
}
"""The couple's own uniforms after both members' person draws, in order: name -> count (2: one
per member, 1: one per couple)."""
N_COUPLE_DRAWS = 2 * N_PERSON_DRAWS + sum(COUPLE_LAYOUT.values())
"""Uniforms of one couple-day: both members' person draws, then the couple's own."""


class CoupleDraws(NamedTuple):
    """The uniforms of one couple-day, by name (per member (2, *B), per couple B)."""

    person: PersonDraws
    bid: Any
    depth: Any
    importance: Any
    conflict: Any
    talk: Any
    repair: Any
    end: Any
    life: Any

    @classmethod
    def of(cls, u: Any) -> CoupleDraws:
        """Named draws from a (N_COUPLE_DRAWS, *B) uniform array: member a's six person draws,
        member b's, then bid (2), depth (2), importance (2), conflict, talk, repair, end and
        life (2)."""
        n = 2 * N_PERSON_DRAWS
        # (2, N_PERSON_DRAWS, *B) -> each person draw per member, (2, *B).
        per = u[:n].reshape((2, N_PERSON_DRAWS) + u.shape[1:])
        person = PersonDraws(*(per[:, i] for i in range(N_PERSON_DRAWS)))
        named = {}
        for name, count in COUPLE_LAYOUT.items():
            named[name] = u[n : n + count] if count > 1 else u[n]
            n += count
        return cls(person=person, **named)


class CoupleDecisions(NamedTuple):
    """What was decided on one couple-day (per member (2, *B), per couple B).

    Attributes:
        person: each member's response decisions (``response.PersonDecisions``).
        bid: the member reaches out (before the talk, which is not drawn).
        depth: the depth the member's bid reaches for (int).
        importance: how much opening up matters to the member this time.
        conflict, talk: the day's moment.
        repair: a conflict is repaired by chance (only with ``repair_vulnerability`` off).
        end: the relationship ends today.
        life: each member's uniform behind the day's shock to the life around the couple
            (``life.step``).
    """

    person: PersonDecisions
    bid: Any
    depth: Any
    importance: Any
    conflict: Any
    talk: Any
    repair: Any
    end: Any
    life: Any


def depth_sample(xp: Any, u: Any, ceiling: Any) -> Any:
    """A bid's depth in 0..ceiling with P(k) = (2k + 1) / (ceiling + 1)^2: leaning toward the
    depth one reaches for, with everyday ones mixed in (inverse CDF of a triangle)."""
    pick = xp.floor(xp.sqrt(u) * (ceiling + 1.0))
    return xp.minimum(pick, ceiling).astype(xp.int32)


def depth_log_prob(xp: Any, k: Any, ceiling: Any) -> Any:
    """log P(k) of ``depth_sample`` (-inf above the ceiling)."""
    kf = k.astype(xp.float32)
    lp = xp.log(2.0 * kf + 1.0) - 2.0 * xp.log(ceiling + 1.0)
    return xp.where(kf <= ceiling, lp, -xp.inf)


def uniform_log_prob(xp: Any, x: Any, high: Any) -> Any:
    """log density of x under Uniform(0, high); 0 where high is 0 (a point mass at 0)."""
    inside = (x >= 0) & (x <= high)
    return xp.where(high > 0, xp.where(inside, -xp.log(xp.maximum(high, TINY)), -xp.inf), 0.0)
