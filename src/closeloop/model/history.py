"""Where the template comes from: childhood, adolescence and acute events.

The early history runs the same person kernel (``response.person_step``) week by week from birth to
``ADULT_AGE``, with a caregiver (and later peers and first partners) as the one who responds. A
caregiving style sets, for each depth of closeness, how often the child's sharing meets warmth and
how often it meets hurt, and whether intensified seeking (protest) helps or hurts. Acute events
(betrayal, loss, humiliation after deep disclosure) are forced deep disclosures met with hurt, at
a given age, learned with extra salience. The adult template is the state at ``ADULT_AGE``.

Caregiving can change during the years at home (``care_change_prob``, ``next_care``): at a
declared yearly rate of family transitions, the child's caregiving is drawn anew from the
population's styles (Waters et al. 2000 and Waters, Hamilton & Weinfield 2000 relate change in
attachment classification to negative life events; the mechanism ``caregiving_change``).

The same history teaches the attachment strategy. Where care answers more when the child's need
is greater (inconsistent care, whose warmth comes mostly to intensified seeking), the child learns
that reaching harder works: the hyperactivating, anxious strategy (Cassidy & Berlin 1994; Main
1990 on conditional strategies). ``protest_slope`` measures that lesson from the child's own
experience at home, and ``learned_anxiety`` carries it into adulthood as the gain ``anxiety``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from closeloop.errors import bad_value
from closeloop.model.history_tables import (
    EV_DEPTH,
    EV_EPISODES,
    EV_SALIENCE,
    EVENT_NAMES,
    EVENT_TABLE,
    EVENTS,
    HURT_DEEP,
    HURT_SHALLOW,
    PROTEST,
    STYLE_NAMES,
    STYLE_TABLE,
    STYLES,
    WARM_DEEP,
    WARM_SHALLOW,
    Caregiving,
    Event,
    event_index,
    style_index,
)
from closeloop.model.person import FRIEND, HOME, PARTNER, K, Offer
from closeloop.model.response import bernoulli_log_prob
from closeloop.params import HISTORY_SPECS, HistoryParams

WEEKS_PER_YEAR = 52
ADULT_AGE = 20.0
"""Age at which the history ends and the adult template is read off. Structural: it sets the
number of steps of the history's scan (a shape), so it stays a constant."""

HISTORY_STEPS = int(ADULT_AGE * WEEKS_PER_YEAR)
MAX_EVENTS = 2
N_CONTINGENCY = 5
"""Running sums of the protest contingency: count, need, warmth, need squared, need x warmth."""

# Positions in the per-step draws used by the history's world (after the person's draws).
H_DEPTH, H_IMPORTANCE, H_FORCED, H_CONTEXT, H_CARE = range(5)
N_HISTORY_DRAWS = 5

__all__ = [
    "ADULT_AGE",
    "EVENTS",
    "EVENT_NAMES",
    "EVENT_TABLE",
    "HISTORY_STEPS",
    "HURT_DEEP",
    "HURT_SHALLOW",
    "MAX_EVENTS",
    "STYLES",
    "STYLE_NAMES",
    "STYLE_TABLE",
    "WARM_DEEP",
    "WARM_SHALLOW",
    "Caregiving",
    "Event",
    "event_index",
    "style_index",
]
"""The tables (``history_tables``) are re-exported: callers keep reading them from here."""

DEFAULTS = {s.name: s.default for s in HISTORY_SPECS}
HOME_UNTIL = DEFAULTS["home_until"]
"""The default age at which closeness moves from home to peers (for docs and listings; the
kernels read ``HistoryParams.home_until``, data that may differ unit by unit)."""
PEERS = tuple(
    DEFAULTS[n]
    for n in ("peer_warm_shallow", "peer_warm_deep", "peer_hurt_shallow", "peer_hurt_deep")
)
"""Ordinary adolescent peers and first partners by default: warm and hurt rates at shallow and
deep depths (declared parameters: Furman & Buhrmester 1992; the kernels read ``HistoryParams``)."""


def child_exposure(xp: Any, hp: HistoryParams, age: Any) -> Any:
    """Probability that a need shows whether or not the child would hide it.

    Young children cannot hide distress; the capacity grows with age (Kopp 1989, Regulation of
    distress and negative emotions: a developmental view). Falls from ``exposure_birth`` (0.9)
    at birth by ``exposure_drop`` (0.8) at ``home_until`` (16).
    """
    return hp.exposure_birth - hp.exposure_drop * xp.minimum(age / hp.home_until, 1.0)


def check_age(age: float, field: str = "event age") -> float:
    try:
        ok = not isinstance(age, bool) and 0.0 <= float(age) < ADULT_AGE
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise bad_value(field, age, f"an age in [0, {ADULT_AGE:g}) years")
    return float(age)


def _lerp_depth(xp: Any, shallow: Any, deep: Any, depth: Any) -> Any:
    w = depth.astype(xp.float32) / (K - 1)
    return shallow + (deep - shallow) * w


class HistoryDraws(NamedTuple):
    """The uniforms of one history week by name (each (*B)): the one place their layout, after
    the person's draws, is written."""

    depth: Any
    importance: Any
    forced: Any
    context: Any
    care: Any
    """Whether the caregiving changes this week and, if so, to what (``next_care``)."""

    @classmethod
    def of(cls, u: Any) -> HistoryDraws:
        """Named draws from a (N_HISTORY_DRAWS, *B) uniform array."""
        return cls(u[H_DEPTH], u[H_IMPORTANCE], u[H_FORCED], u[H_CONTEXT], u[H_CARE])


class HistoryDecisions(NamedTuple):
    """What the week's world decided (each (*B)): the depth offered (int), how much it matters
    to the child (in [0, 1)), whether the need shows whatever the routes say, and whether a peer
    offer comes from a first partner (rather than a friend)."""

    depth: Any
    importance: Any
    forced: Any
    partner: Any


class HistoryProbs(NamedTuple):
    """The week's world before its draws: the distributions of its decisions and what the offer
    is made of (each (*B)).

    Attributes:
        at_home: closeness still comes from caregivers (age < home_until).
        forced: P(the need shows whatever the routes say) (``child_exposure``).
        partner: P(a peer offer comes from a first partner) (0 at home: no such decision).
        warm_shallow, warm_deep, hurt_shallow, hurt_deep: the responder's rates at the
            shallowest and deepest depth (the caregiver's style at home, else the peers').
        protest: the caregiver's protest gain (0 away from home).
        event: an acute event overrides the week; event_depth, event_salience: its depth and
            salience.
    Depth is uniform over the K levels and importance uniform on [0, 1): no parameters.
    """

    at_home: Any
    forced: Any
    partner: Any
    warm_shallow: Any
    warm_deep: Any
    hurt_shallow: Any
    hurt_deep: Any
    protest: Any
    event: Any
    event_depth: Any
    event_salience: Any


def history_probs(
    xp: Any,
    hp: HistoryParams,
    week: Any,
    style: Any,
    ev_step: Any,
    ev_kind: Any,
    styles: Any,
    events: Any,
) -> HistoryProbs:
    """The distributions of a history week's decisions, from the week and the parameters.

    Arguments:
        xp: array namespace.
        hp: the history's parameters (scalars, or of a shape that broadcasts against B).
        week: int, week since birth (scalar; shared by the batch).
        style: (*B) int, caregiving style index.
        ev_step, ev_kind: (MAX_EVENTS, *B) int, week and kind of each event (-1 step: none).
        styles: STYLE_TABLE; events: EVENT_TABLE (passed as data so they never recompile).
    """
    age = week / WEEKS_PER_YEAR
    at_home = age < hp.home_until
    col = lambda j: styles[:, j][style]  # noqa: E731  (a column of the style table, per unit)
    home_or_peers = lambda j, peer: xp.where(at_home, col(j), peer)  # noqa: E731
    # Acute events override the week: a forced deep disclosure met with hurt.
    kind = xp.maximum(ev_kind, 0)
    cols = (EV_DEPTH, EV_EPISODES, EV_SALIENCE)
    ev_depth_all, ev_len, ev_sal_all = (events[:, j][kind] for j in cols)  # (MAX_EVENTS, *B)
    active = (ev_step >= 0) & (week >= ev_step) & (week < ev_step + ev_len.astype(xp.int32))
    return HistoryProbs(
        at_home=at_home,
        forced=child_exposure(xp, hp, age),
        partner=xp.where(at_home, 0.0, hp.peer_partner_share),
        warm_shallow=home_or_peers(WARM_SHALLOW, hp.peer_warm_shallow),
        warm_deep=home_or_peers(WARM_DEEP, hp.peer_warm_deep),
        hurt_shallow=home_or_peers(HURT_SHALLOW, hp.peer_hurt_shallow),
        hurt_deep=home_or_peers(HURT_DEEP, hp.peer_hurt_deep),
        protest=xp.where(at_home, col(PROTEST), 0.0),
        event=xp.any(active, axis=0),
        event_depth=xp.max(xp.where(active, ev_depth_all, 0.0), axis=0).astype(xp.int32),
        event_salience=xp.max(xp.where(active, ev_sal_all, 1.0), axis=0),
    )


def sample_history(xp: Any, q: HistoryProbs, d: HistoryDraws) -> HistoryDecisions:
    """The week's decisions from its named draws (depth: the whole level ``floor(u K)``)."""
    return HistoryDecisions(
        depth=xp.minimum((d.depth * K).astype(xp.int32), K - 1),
        importance=d.importance.astype(xp.float32),
        forced=d.forced < q.forced,
        partner=d.context < q.partner,
    )


def history_log_prob(xp: Any, q: HistoryProbs, c: HistoryDecisions) -> HistoryDecisions:
    """log P of each of the week's decisions ``c`` (0 where a decision is not taken: depth,
    context and forcing in the week of an acute event, which sets them; the context at home)."""
    f32 = xp.float32
    ev = q.event
    kept = lambda lp, off: xp.where(off, 0.0, lp).astype(f32)  # noqa: E731
    depth_lp = xp.where((c.depth >= 0) & (c.depth < K), -np.log(K), -xp.inf)
    inside = (c.importance >= 0.0) & (c.importance < 1.0)
    return HistoryDecisions(
        depth=kept(depth_lp + xp.zeros_like(q.protest), ev),
        importance=xp.where(inside, 0.0, -xp.inf).astype(f32) + xp.zeros_like(q.protest),
        forced=kept(bernoulli_log_prob(xp, q.forced, c.forced), ev),
        partner=kept(bernoulli_log_prob(xp, q.partner, c.partner), ev | q.at_home),
    )


def history_week_offer(xp: Any, q: HistoryProbs, c: HistoryDecisions) -> Offer:
    """The offer of the week made of its distributions ``q`` and decisions ``c``."""
    f32 = xp.float32
    warm = _lerp_depth(xp, q.warm_shallow, q.warm_deep, c.depth)
    hurt = _lerp_depth(xp, q.hurt_shallow, q.hurt_deep, c.depth)
    context = xp.where(q.at_home, HOME, xp.where(c.partner, PARTNER, FRIEND))
    any_ev = q.event
    ev_context = xp.where(q.at_home, HOME, PARTNER)
    return Offer(
        offered=xp.ones_like(any_ev),
        depth=xp.where(any_ev, q.event_depth, c.depth),
        context=xp.where(any_ev, ev_context, context),
        pressure=xp.zeros_like(warm),
        importance=c.importance,
        warmth=xp.where(any_ev, 0.0, warm).astype(f32),
        hurt_rate=xp.where(any_ev, 1.0, hurt).astype(f32),
        protest_gain=xp.where(any_ev, 0.0, q.protest).astype(f32),
        forced=any_ev | c.forced,
        salience=xp.where(any_ev, q.event_salience, 1.0).astype(f32),
        observe_boost=xp.zeros_like(warm).astype(f32),
    )


def history_offer(
    xp: Any,
    hp: HistoryParams,
    week: Any,
    style: Any,
    ev_step: Any,
    ev_kind: Any,
    styles: Any,
    events: Any,
    u: Any,
) -> Offer:
    """The offer a developing person meets in a given week of their history, drawn from ``u``
    ((N_HISTORY_DRAWS, *B) uniforms); the other arguments as ``history_probs``."""
    q = history_probs(xp, hp, week, style, ev_step, ev_kind, styles, events)
    return history_week_offer(xp, q, sample_history(xp, q, HistoryDraws.of(u)))


def care_change_prob(xp: Any, hp: HistoryParams, week: Any, on: Any) -> Any:
    """P(the child's caregiving changes in a given week): ``1 - exp(-care_change_rate / 52)``
    while closeness still comes from home (age < ``home_until``) and the mechanism
    ``caregiving_change`` is on (``on``), else 0. Changes come as a Poisson process over the
    years at home (a family transition: a separation, a new partner, a parent's depression)."""
    at_home = week / WEEKS_PER_YEAR < hp.home_until
    p = -xp.expm1(-hp.care_change_rate / WEEKS_PER_YEAR)  # expm1: exact for a small rate
    return xp.where(at_home & on, p, 0.0)


def next_care(xp: Any, style: Any, cum: Any, p_change: Any, u: Any) -> Any:
    """(*B) the caregiving style after this week's possible change.

    Arguments:
        style: (*B) int, the style so far.
        cum: (S, *B) cumulative shares (``cumsum`` over S) of the population's caregiving
            styles (a change draws the new caregiving from them, independent of the old, so it
            may turn out alike; cumulated once per history, not every week).
        p_change: (*B) ``care_change_prob``.
        u: (*B) the week's ``care`` draw: the change happens when ``u < p_change``; then
            ``u / p_change`` is again uniform on [0, 1) and picks the new style by inverse CDF
            (one draw for both decisions, so the draws of every other week stay as they were).
    """
    change = u < p_change
    v = u / xp.where(change, p_change, 1.0)  # only read where a change happens (p > 0)
    new = xp.minimum(xp.sum(v * cum[-1] > cum, axis=0), cum.shape[0] - 1)
    return xp.where(change, new.astype(style.dtype), style)


def contingency_terms(xp: Any, o: Offer, r: Any, need: Any) -> Any:
    """(N_CONTINGENCY, *B) this week's terms of the protest contingency's running sums.

    Counted where the child shared with a caregiver (home context): ``need`` is the longing the
    child shared with, the outcome 1 when the caregiver met it warmly (else 0).
    """
    f32 = xp.float32
    on = (r.approached & (o.context == HOME)).astype(f32)
    warm = (r.outcome == 1).astype(f32)
    n = need.astype(f32)
    return xp.stack([on, on * n, on * warm, on * n * n, on * n * warm])


def protest_slope(xp: Any, hp: HistoryParams, sums: Any) -> Any:
    """(*B) the learned protest contingency: the (shrunken) least-squares slope of warmth on the
    need shared with, over the child's sharing with caregivers: how much more often comfort came
    when the need was greater.

    Positive when greater need brought more than expected (reaching harder works), negative when
    it brought less (reaching is rebuffed), 0 without sharing or without variation in need.
    """
    count, s_n, s_e, s_nn, s_ne = (sums[i] for i in range(N_CONTINGENCY))
    c = xp.maximum(count, 1.0)
    # Sums of squares and products about the means; the prior shrinks a slope learned from
    # little variation in need toward 0 (no contingency learned).
    ss = xp.maximum(s_nn - s_n * s_n / c, 0.0)
    sp = s_ne - s_n * s_e / c
    return sp / (ss + hp.protest_prior)


def learned_anxiety(xp: Any, hp: HistoryParams, slope: Any) -> Any:
    """The adult's attachment anxiety (the gain from felt distance to pursuit) from the history:
    ``anxiety_floor + anxiety_per_protest * max(slope, 0)`` (unclipped; the engine adds the
    individual jitter and clips to the trait's range)."""
    return hp.anxiety_floor + hp.anxiety_per_protest * xp.maximum(slope, 0.0)
