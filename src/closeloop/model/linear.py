"""A linear couple model beside closeloop: two continuous states per couple, no learning.

Each member m has one state, closeness x_m (how much they turn toward the relationship), which
follows a difference equation in the style of Gottman, Murray, Swanson, Tyson & Swanson (2002)
and Rinaldi (1998): with y the partner's closeness yesterday,

    x' = (1 - inertia) set_m + inertia x + influence y + bilinear x y + noise_sd z,

z standard normal. ``set_m`` is the member's uninfluenced set point, read once from the template
their early history left (the same history as closeloop's): set_high - set_threat * mean felt
threat in the partner context. Nothing is learned in adult life.

The couple engine's record is derived from the states by simple rules (c = clip(x, 0, 1)), on
the relationship's own settings (``CoupleParams``) where a rule is closeloop's too:

- a member bids on a day without conflict with probability bid_rate * c, at depth
  min(floor(K c), K - 1); the partner turns toward the bid with probability c_partner, else away
  (never against: the model has no hostility);
- pursuit is how much more closeness one reaches for than one gets, clip(c - c_partner, 0, 1);
- expectation, felt distance, being known, ruptures, investment and ending follow closeloop's
  equations (docs/model.md, section 12) on these bids and responses; conflict comes with
  probability conflict_base + conflict_gain * max felt distance, and is repaired with
  probability min(c_a, c_b);
- satisfaction moves toward the partner's closeness; arousal, on a day one is offered a bid or a
  conflict, is the closeness offered beyond one's own, max(c_partner - c, 0); felt stability
  follows closeloop's calm (1 - arousal - conflict_calm on a conflict day);
- a turned-away bid is recorded as the behaviour "less available" (the model has one way of
  not turning toward).

Absent, because the model has nothing they could be derived from: the threat template and the
avoidance habit (daily ``threat`` and ``habit``, monthly ``threat_deep``), the automatic route
(``automatic``), giving up, one's own distance and outside support (``gave_up``, ``distance``,
``support``) and the where-is-this-going talk (no day is a talk).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from closeloop.model.couple import AWAY, BIDS, CONFLICT, NONE, QUIET, TOWARD
from closeloop.model.person import LESS_AVAILABLE, SHARES, K
from closeloop.params import CoupleParams, LinearParams, PersonParams

NOISE, CONFLICT_DRAW, BID, MET, REPAIR, END = 0, 2, 3, 5, 7, 8
"""Positions in the day's draws: two normals (one per member), then uniforms."""
N_LINEAR_DRAWS = 9


class LinearState(NamedTuple):
    """What a linear couple carries from day to day (per member (2, *B), per couple B).

    Attributes:
        x: (2, *B) closeness, a continuous state (not clipped).
        home: (2, *B) uninfluenced set point, fixed for the relationship.
        expect, felt, known, sat, stability: (2, *B) as in ``couple.CoupleState``.
        ruptures, investment: (*B) as in ``couple.CoupleState``.
        ended: (*B) bool.
    """

    x: Any
    home: Any
    expect: Any
    felt: Any
    known: Any
    sat: Any
    stability: Any
    ruptures: Any
    investment: Any
    ended: Any


class LinearDay(NamedTuple):
    """What happened on one day (the fields of ``couple.Day`` the linear model can fill)."""

    moment: Any
    bid: Any
    bid_depth: Any
    received: Any
    shared: Any
    behaviour: Any
    arousal: Any
    conflict: Any
    repaired: Any
    ended_today: Any


def set_point(xp: Any, lp: LinearParams, threat: Any) -> Any:
    """Uninfluenced set point of members whose mean felt threat (partner context) is ``threat``."""
    return (lp.set_high - lp.set_threat * threat).astype(xp.float32)


def initial_linear(xp: Any, home: Any, cp: CoupleParams) -> LinearState:
    """A new relationship: both members at their set points ``home`` (2, *B); expectation,
    satisfaction and felt stability at the relationship's starting levels."""
    f = xp.float32
    z2 = xp.zeros(home.shape, dtype=f)
    z = xp.zeros(home.shape[1:], dtype=f)
    return LinearState(
        x=home.astype(f),
        home=home.astype(f),
        expect=(z2 + cp.expect_start).astype(f),
        felt=z2,
        known=z2,
        sat=(z2 + cp.sat_start).astype(f),
        stability=(z2 + cp.stability_start).astype(f),
        ruptures=z,
        investment=z,
        ended=xp.zeros(home.shape[1:], dtype=bool),
    )


def drift(xp: Any, lp: LinearParams, x: Any, home: Any) -> Any:
    """The noise-free step of the closeness equation (both members at once)."""
    y = x[::-1]
    return (1.0 - lp.inertia) * home + lp.inertia * x + lp.influence * y + lp.bilinear * x * y


def fixed_point(lp: LinearParams, home: Any) -> Any:
    """Noise-free fixed point of the linear model (bilinear 0): the solution of
    x_m = (1 - inertia) set_m + inertia x_m + influence x_other for both members."""
    g = lp.influence / (1.0 - lp.inertia)
    # x_a = set_a + g x_b and x_b = set_b + g x_a, solved for both.
    return (home + g * home[::-1]) / (1.0 - g * g)


def pursuit(xp: Any, x: Any) -> Any:
    """How much more closeness each member reaches for than the partner gives, in [0, 1]."""
    c = xp.clip(x, 0.0, 1.0)
    return xp.clip(c - c[::-1], 0.0, 1.0)


def linear_day(
    xp: Any,
    pp: PersonParams,
    cp: CoupleParams,
    lp: LinearParams,
    s: LinearState,
    u: Any,
) -> tuple[LinearState, LinearDay]:
    """One day of a linear couple, its chance drawn from ``u`` ((N_LINEAR_DRAWS, *B): two
    standard normals, then uniforms; see the module's rules)."""
    f32 = xp.float32
    live = ~s.ended
    c = xp.clip(s.x, 0.0, 1.0)
    other = c[::-1]

    p_conflict = (cp.conflict_base + cp.conflict_gain * xp.max(s.felt, axis=0)) * live
    conflict = live & (u[CONFLICT_DRAW] < p_conflict)
    bid = live & ~conflict & (u[BID : BID + 2] < cp.bid_rate * c)
    bid_depth = xp.minimum(xp.floor(K * c), K - 1).astype(xp.int32)
    # How each member met the other's bid: toward with probability their own closeness.
    toward = u[MET : MET + 2] < c
    got = bid[::-1]
    received = xp.where(got, xp.where(toward, TOWARD, AWAY), NONE)
    shared = got & toward
    met = shared[::-1]

    bf, metf = bid.astype(f32), met.astype(f32)
    expect = s.expect + pp.alpha_expect * bf * (metf - s.expect)
    felt = s.felt + cp.felt_rate * bf * ((1.0 - metf) - s.felt)
    opened = shared | met
    open_depth = xp.where(shared, bid_depth[::-1], bid_depth).astype(f32)
    grow = cp.knowing_rate * xp.maximum(open_depth + 1.0 - s.known, 0.0)
    known = xp.clip(s.known * (1.0 - cp.knowing_decay) + xp.where(opened, grow, 0.0), 0.0, K)

    repaired = conflict & (u[REPAIR] < xp.min(c, axis=0))
    ruptures = s.ruptures * (1.0 - cp.rupture_decay) + (conflict & ~repaired).astype(f32)
    sat = s.sat + cp.sat_rate * (other - s.sat)
    offered = got | conflict
    arousal = xp.where(offered, xp.maximum(other - c, 0.0), 0.0)
    calm = 1.0 - xp.minimum(arousal, 1.0) - cp.conflict_calm * conflict.astype(f32)
    stability = s.stability + cp.stability_rate * (xp.clip(calm, 0.0, 1.0) - s.stability)
    investment = s.investment + cp.investment_rate * (1.0 - s.investment)
    commit = sat + investment - cp.alternatives
    hazard = cp.hazard_base * xp.exp(-cp.hazard_slope * xp.min(commit, axis=0))
    ends = live & (u[END] < hazard)

    x = drift(xp, lp, s.x, s.home) + lp.noise_sd * u[NOISE : NOISE + 2]
    new = LinearState(
        x=x.astype(f32),
        home=s.home,
        expect=expect,
        felt=felt,
        known=known,
        sat=sat,
        stability=stability,
        ruptures=ruptures,
        investment=investment,
        ended=s.ended | ends,
    )
    # An ended relationship is frozen, as in closeloop's couple day.
    out = LinearState._make(
        [*[xp.where(live, a, b) for a, b in zip(new[:-1], s[:-1], strict=True)], new.ended]
    )
    moment = xp.where(~live, QUIET, xp.where(conflict, CONFLICT, BIDS))
    day = LinearDay(
        moment=moment,
        bid=bid,
        bid_depth=bid_depth,
        received=received,
        shared=shared,
        behaviour=xp.where(got & ~toward, LESS_AVAILABLE, SHARES),
        arousal=arousal,
        conflict=conflict,
        repaired=repaired,
        ended_today=ends,
    )
    return out, day
