"""A day of a relationship: two people, bids for connection, pursuit and withdrawal, conflict and
repair, giving up, satisfaction, felt stability, commitment and ending.

Both members are people of ``person.py`` (any preset can be either member); their responses go
through the same ``respond`` and ``learn`` as everywhere else, stacked on a leading axis of two
(member a, member b). What makes a member pursue or withdraw is their own traits and history,
never their role. Written against the array namespace ``xp`` with the random draws passed in, so
one definition runs under ``jax.numpy`` (the engine) and ``numpy`` (the benchmark's references).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from closeloop.mechanisms import is_on
from closeloop.model import events, healing, life
from closeloop.model.decisions import N_COUPLE_DRAWS as N_COUPLE_DRAWS
from closeloop.model.decisions import (
    CoupleDecisions,
    CoupleDraws,
    depth_log_prob,
    depth_sample,
    uniform_log_prob,
)
from closeloop.model.person import (
    LEAVES_EARLY,
    PARTNER,
    THERAPY,
    K,
    Offer,
    PersonState,
    Response,
    comfort_depth,
    learn,
    levels,
    once,
    tick,
)
from closeloop.model.response import (
    bernoulli_log_prob,
    decisions_log_prob,
    finish,
    response_probs,
    sample_decisions,
)
from closeloop.params import SPECS, CoupleParams, PersonParams

# Day moments.
QUIET, BIDS, TALK, CONFLICT = 0, 1, 2, 3
MOMENTS = ("quiet", "bids", "where-is-this-going talk", "conflict")
HERE = 0
"""Context index inside the couple kernel. Everything in a relationship happens in the partner
context, so the kernel carries only that row of each member's template (``initial_couple`` takes
it): the partner row evolves exactly as it would with all rows carried, at a quarter of the
work. A scenario with individual therapy carries the therapy row too, as row ``THERAPY_ROW``."""
THERAPY_ROW = 1
# Response to a bid (Gottman): toward, away, against; NONE when no bid was received.
NONE, TOWARD, AWAY, AGAINST = 0, 1, 2, 3
RESPONSES = ("none", "toward", "away", "against")


class CoupleState(NamedTuple):
    """What a couple carries from day to day, batch axes last (``person.py``'s convention).

    With B the couples' batch shape, a per-couple field has shape B and a per-member field
    (2, *B) (member a, member b); ``person`` is a PersonState whose batch is (2, *B), so the
    person functions treat the two members as two more units.

    Attributes:
        person: PersonState of both members; V and I hold the partner context only,
            (1, K, 2, *B) (see ``HERE``).
        expect: (2, *B) expectation that one's bids are met, in [0, 1].
        felt: (2, *B) felt distance: moving share of one's bids that went unmet, in [0, 1].
        pursuit: (2, *B) pursuit (demanding closeness), in [0, 1].
        gave_up: (2, *B) bool, has stopped reaching.
        distance: (2, *B) one's own protective distance, in [0, 1].
        support: (2, *B) support found outside the relationship, in [0, 1].
        known: (2, *B) how deeply each member is known by the other, in [0, K] depth levels.
        sat: (2, *B) relationship satisfaction, in [0, 1].
        stability: (2, *B) felt stability (calm), in [0, 1].
        ruptures: (*B) unrepaired ruptures on the books (count, fading slowly), >= 0.
        investment: (*B) shared life built, in [0, 1].
        life: (2, *B) each member's strain from the life around the couple (``life.py``):
            0 an ordinary stretch, positive more strain than usual; stationary spread 1.
        ended: (*B) bool, the relationship has ended.
    """

    person: PersonState
    expect: Any
    felt: Any
    pursuit: Any
    gave_up: Any
    distance: Any
    support: Any
    known: Any
    sat: Any
    stability: Any
    ruptures: Any
    investment: Any
    life: Any
    ended: Any


class Day(NamedTuple):
    """What happened on one couple-day (per-member fields (2, *B), per-couple fields B).

    Attributes:
        moment: per couple, int index into MOMENTS.
        bid: bool, the member reached out (a bid, or raising the talk).
        bid_depth: int, depth of the member's bid.
        received: int index into RESPONSES, how the member met the other's bid (NONE if none).
        shared: bool, the member shared when closeness was offered.
        automatic: bool, the member's door closed by the automatic route.
        behaviour: int index into person.BEHAVIOURS.
        threat: float, the member's felt threat at the depth offered, before pressure.
        habit: float, the habit's push toward the automatic route at that depth.
        arousal: float, the member's arousal at the moment (0 with no offer).
        conflict, repaired, ended_today: per couple, bool.
    """

    moment: Any
    bid: Any
    bid_depth: Any
    received: Any
    shared: Any
    automatic: Any
    behaviour: Any
    threat: Any
    habit: Any
    arousal: Any
    conflict: Any
    repaired: Any
    ended_today: Any


def _other(x: Any) -> Any:
    """What the other member has: swap the member axis (the first) of a per-member field."""
    return x[::-1]


def initial_couple(
    xp: Any, person: PersonState, therapy: bool = False, cp: CoupleParams | None = None
) -> CoupleState:
    """A new relationship between two adults with the given (full, all-context) templates, whose
    batch is (2, *B); the couple keeps the partner row of each (see ``HERE``), and with
    ``therapy`` the therapy row as well (``THERAPY_ROW``). Expectation, satisfaction and felt
    stability start at ``cp``'s ``expect_start``, ``sat_start`` and ``stability_start`` (their
    defaults without ``cp``)."""
    # A slice, not a list of rows: a basic index works the same under NumPy and JAX.
    rows = (
        slice(PARTNER, THERAPY + 1, THERAPY - PARTNER) if therapy else slice(PARTNER, PARTNER + 1)
    )
    person = person._replace(V=person.V[rows], I=person.I[rows], F=person.F[rows])
    f = xp.float32
    members = person.E.shape  # (2, *B)
    z2 = xp.zeros(members, dtype=f)

    def start(name: str) -> Any:
        return (z2 + (SPECS[name].default if cp is None else getattr(cp, name))).astype(f)

    return CoupleState(
        person=person,
        expect=start("expect_start"),
        felt=z2,
        pursuit=z2,
        gave_up=xp.zeros(members, dtype=bool),
        distance=z2,
        support=z2,
        known=z2,
        sat=start("sat_start"),
        stability=start("stability_start"),
        ruptures=xp.zeros(members[1:], dtype=f),
        investment=xp.zeros(members[1:], dtype=f),
        life=z2,
        ended=xp.zeros(members[1:], dtype=bool),
    )


def couple_day(
    xp: Any,
    pp: PersonParams,
    cp: CoupleParams,
    s: CoupleState,
    day: Any,
    u: Any,
    flags: Any,
    care: Any = None,
    therapy: Any = None,
    event: events.Active | None = None,
    variant: Any = None,
) -> tuple[CoupleState, Day]:
    """One day of a relationship, its decisions drawn from the uniforms ``u``
    ((N_COUPLE_DRAWS, *B), named by ``CoupleDraws.of``); see ``couple_day_full``."""
    out = couple_day_full(xp, pp, cp, s, day, flags, care, therapy, event, u=u, variant=variant)
    return out[0], out[1]


def couple_day_full(
    xp: Any,
    pp: PersonParams,
    cp: CoupleParams,
    s: CoupleState,
    day: Any,
    flags: Any,
    care: Any = None,
    therapy: Any = None,
    event: events.Active | None = None,
    *,
    u: Any = None,
    given: CoupleDecisions | None = None,
    score: bool = False,
    variant: Any = None,
) -> tuple[CoupleState, Day, CoupleDecisions, CoupleDecisions | None]:
    """One day of a relationship, simulated or scored.

    Main arguments:
        xp: array namespace.
        pp: traits of both members, each field (2, *B).
        cp: relationship settings, each field B (or a scalar).
        s: the couple's state.
        day: day since the relationship began (scalar).
        flags: (M,) mechanism switches.

    Other arguments:
        care: (len(healing.LEVELS), 2) the day's intervention levels per member, or None.
        therapy: (2,) bool, who has a therapy session today (needs the therapy row), or None.
        event: the day's adult events per member (``events.active``), or None.
        u: (N_COUPLE_DRAWS, *B) uniform draws: simulate (decisions drawn from them).
        given: the day's decisions: score (decisions taken as given; ``u`` unused).
        score: also return each decision's log-probability (0 where a decision is not taken).
        variant: an adult variant's switch vector (``person.learn``); None: closeloop's rules.

    Returns:
        The new state, the day's record, the day's decisions and, with ``score``, their
        log-probabilities in a ``CoupleDecisions`` of the same shapes (else None).

    The person functions see the member axis as the first of their batch axes, so every
    per-member quantity here is (2, *B) and broadcasts against a per-couple one (B).
    """
    draws = None if given is not None else CoupleDraws.of(u)
    lp: dict[str, Any] = {}

    def decide(name: str, sampled: Any, log_prob: Any) -> Any:
        """The decision ``name``: drawn (``sampled(draws)``) or given; its log-probability
        (``log_prob(x)``) is kept when scoring."""
        x = sampled(draws) if given is None else getattr(given, name)
        if score:
            lp[name] = log_prob(x)
        return x

    f32 = xp.float32
    c = cp  # short alias
    live = ~s.ended
    mem = levels(xp, 2, live)  # (2, 1, ...): member index, broadcast over couples
    zero = xp.zeros_like(s.expect)

    def lvl(name: str) -> Any:
        return zero if care is None else healing.member(xp, care, name, s.expect) + zero

    # Without interventions (care None) none of their terms enters the program: the plain day
    # compiles exactly as before they existed.
    safe, pace = lvl("safe_partner"), lvl("pacing")
    attribution = xp.where(is_on(flags, "attribution"), pp.attribution, 0.0)
    if care is not None:
        # Seeing the cycle, not the partner, as the problem (couples therapy) softens it.
        attribution = attribution * (1.0 - lvl("reframe"))
    # A session day is the session: no bids, no talk and no conflict between the two. So is the
    # day of an adult event (a betrayal, a loss, a humiliation): that day is the event.
    per_member = (2,) + (1,) * xp.ndim(live)
    therapy_day = None if therapy is None else therapy.reshape(per_member) & live
    event_day = None if event is None else event.on.reshape(per_member) & live
    sess = therapy_day if event_day is None else event_day
    if therapy_day is not None and event_day is not None:
        sess = therapy_day | event_day
    away = None if sess is None else xp.any(sess, axis=0)

    def but(x: Any, mask: Any) -> Any:
        """``x`` and not ``mask`` (``x`` itself when there is no mask)."""
        return x if mask is None else x & ~mask

    def but_zero(v: Any, mask: Any) -> Any:
        """``v``, and 0 where ``mask`` (a decision not taken on a session day)."""
        return v if mask is None else xp.where(mask, 0.0, v)

    # --- Which moment the day brings.
    engage = 1.0 - xp.max(s.distance, axis=0)
    p_conflict = (c.conflict_base + c.conflict_gain * xp.max(s.felt, axis=0) * engage) * live
    conflict_x = decide(
        "conflict",
        lambda d: d.conflict < p_conflict,
        lambda x: but_zero(bernoulli_log_prob(xp, p_conflict, x), away),
    )
    conflict = but(conflict_x, away)
    lead = (s.pursuit[1] > s.pursuit[0]).astype(xp.int32)  # the more pursuing member
    is_lead = mem == lead
    # A pacing partner does not press for the talk.
    push = s.pursuit * s.felt * (~s.gave_up)
    if care is not None:
        push = push * (1.0 - pace)
    lead_push = xp.sum(xp.where(is_lead, push, 0.0), axis=0)
    p_talk = c.talk_rate * lead_push * (day >= c.talk_after) * live
    talk_x = decide(
        "talk",
        lambda d: d.talk < p_talk,
        lambda x: but_zero(xp.where(conflict, 0.0, bernoulli_log_prob(xp, p_talk, x)), away),
    )
    talk = but(~conflict & talk_x, away)
    bids_day = but(live & ~conflict & ~talk, away)

    # --- Bids for connection (each member, at most one a day).
    longing = s.person.L
    p_bid = (
        c.bid_rate
        * (c.bid_need_floor + (1.0 - c.bid_need_floor) * longing)
        * (1.0 + s.pursuit)
        * (1.0 - s.distance)
        * (c.bid_hope_floor + (1.0 - c.bid_hope_floor) * s.expect)
    )
    # The life around the couple: the day's strain (exogenous: drawn, never learned) and the
    # fewer bids it leaves time and energy for.
    life_u = decide("life", lambda d: d.life, lambda x: xp.zeros_like(x))
    strain = life.step(xp, c, s.life, life_u)
    p_bid = xp.clip(p_bid * life.bid_factor(xp, c, strain), 0.0, 1.0)
    # Bids reach past what is already shared, and past the depth partners come to expect as the
    # relationship matures (social penetration); pursuit pushes deeper still.
    mutual = xp.mean(s.known, axis=0)
    expected = (K - 1) * xp.minimum(day / xp.maximum(c.deepen_days, 1.0), 1.0)
    base = xp.maximum(mutual, expected)
    reach = xp.floor(base + c.bid_reach + s.pursuit)
    # One reaches only as deep as one's own template allows: depths whose felt threat (with the
    # habit) would set off the automatic route are not offered (bidding is approaching too).
    # Pursuit overrides one's own alarm: hyperactivated seeking pushes past it.
    comfort = comfort_depth(xp, pp, s.person, HERE, flags, s.pursuit)
    if care is not None:
        # Having decided to face the fear, one reaches one step past one's comfort (the edge),
        # as in the withdrawer's re-engagement in couples therapy.
        commits = (lvl("commitment") > 0) & is_on(flags, "decision_to_approach")
        comfort = comfort + commits.astype(f32)
    ceiling = xp.clip(xp.minimum(reach, comfort), 0, K - 1)
    if care is not None:
        # Pacing: reach no deeper than the other can meet without alarm (the other sets the
        # depth), in proportion to the pacing's intensity.
        calm = xp.maximum(_other(comfort_depth(xp, pp, s.person, HERE, flags)), 0.0)
        ceiling = xp.minimum(ceiling, xp.floor(calm + (1.0 - pace) * (K - 1 - calm)))
    # One bids only where one's own comfort allows any depth at all.
    can_bid = bids_day & (comfort >= 0)
    bid_x = decide(
        "bid",
        lambda d: d.bid < p_bid,
        lambda x: xp.where(can_bid, bernoulli_log_prob(xp, p_bid, x), 0.0),
    )
    bid = bids_day & bid_x & (comfort >= 0)
    # Bids lean toward the depth one reaches for, with everyday ones mixed in: the depth has a
    # triangular distribution rising from small talk to the ceiling.
    bid_depth_x = decide(
        "depth",
        lambda d: depth_sample(xp, d.depth, ceiling),
        lambda x: xp.where(bid, depth_log_prob(xp, x, ceiling), 0.0),
    )
    bid = bid | (talk & is_lead)
    bid_depth = xp.where(talk & is_lead, K - 1, bid_depth_x)

    # --- What each member is offered: the other's bid, the talk, or the repair of a conflict.
    offered = _other(bid) | conflict
    depth = xp.where(conflict, c.conflict_depth.astype(xp.int32), _other(bid_depth))
    conflict_push = c.conflict_pressure + (1.0 - c.conflict_pressure) * _other(s.pursuit)
    pressure = xp.where(talk, 1.0, xp.where(conflict, conflict_push, _other(s.pursuit)))
    # How the other meets one's sharing: warm unless they have built distance or are unhappy;
    # frustrated pursuit turns critical.
    warmth = xp.clip(
        c.warmth_base - c.warmth_distance * s.distance - c.warmth_sat * (1.0 - s.sat),
        c.warmth_min,
        c.warmth_max,
    )
    hurt = c.hurt_base + c.criticism * s.pursuit * (1.0 - s.sat)
    if care is not None:
        # A safe or pacing partner does not press; a safe partner is warm and never critical.
        pressure = pressure * (1.0 - _other(safe)) * (1.0 - _other(pace))
        warmth = warmth + safe * (healing.SAFE_WARMTH - warmth)
        hurt = hurt * (1.0 - safe)
    # Once one has built distance, opening up to the other matters less.
    room = 1.0 - s.distance
    importance = decide(
        "importance",
        lambda d: (d.importance * room).astype(f32),
        lambda x: but_zero(xp.where(offered, uniform_log_prob(xp, x, room), 0.0), sess),
    )
    o = Offer(
        offered=offered,
        depth=depth,
        context=xp.zeros_like(depth) + HERE,
        pressure=pressure.astype(f32),
        importance=importance,
        warmth=_other(warmth).astype(f32),
        hurt_rate=xp.minimum(_other(hurt), 1.0 - _other(warmth)).astype(f32),
        protest_gain=zero,
        forced=xp.zeros_like(offered),
        salience=zero + 1.0,
        observe_boost=lvl("observation"),
    )
    if care is not None:
        o = o._replace(commit=lvl("commitment"), stress=lvl("stress"))
    if therapy_day is not None:
        session = healing.session_offer(xp, o, pp, s.person, THERAPY_ROW, flags)
        o = Offer(*[xp.where(therapy_day, a, b) for a, b in zip(session, o, strict=True)])
    if event is not None:
        # The event is the other member's doing, so it happens in the partner context.
        depth_ev, sal_ev = (x.reshape(per_member) for x in (event.depth, event.salience))
        o = events.event_offer(xp, o, event_day, depth_ev, sal_ev, HERE)
    # Each member's response: the same person step as everywhere, on the day's offer.
    q = response_probs(xp, pp, s.person, o, flags)
    chosen = decide(
        "person",
        lambda d: sample_decisions(xp, q, o, d.person),
        lambda x: decisions_log_prob(xp, q, o, x),
    )
    r = once(xp, finish(xp, q, o, chosen), day)

    # How a bid was met: toward (shared), against (walking out on it), away otherwise (getting
    # busy, deflecting, shutting down: turning away, in Gottman's terms).
    against = r.offered & ~r.approached & (r.behaviour == LEAVES_EARLY)
    received = xp.where(
        ~r.offered | conflict | (False if sess is None else sess),
        NONE,
        xp.where(r.approached, TOWARD, xp.where(against, AGAINST, AWAY)),
    )
    # In a conflict, repair needs vulnerability from both: each learns from whether the other
    # also opened up.
    both_open = xp.all(r.approached, axis=0)
    rep_outcome = xp.where(_other(r.approached), 1, xp.where(_other(against), -1, 0))
    r = r._replace(outcome=xp.where(conflict, rep_outcome, r.outcome))
    person = learn(xp, pp, tick(xp, pp, s.person, flags, variant), o, r, flags, variant)

    # The bidder learns what reaching out at that depth brings: the other's response.
    met = _other(received) == TOWARD
    bid_outcome = xp.where(met, 1, xp.where(_other(received) == AGAINST, -1, 0))
    ob = o._replace(offered=bid, depth=bid_depth, forced=bid, pressure=zero)
    rb = Response(
        offered=bid,
        approached=bid,
        automatic=xp.zeros_like(bid),
        noticed=xp.zeros_like(bid),
        activation=zero,
        threat=zero,
        habit=zero,
        arousal=zero,
        behaviour=xp.zeros_like(bid_depth),
        outcome=bid_outcome,
        distress=zero,
        overwhelmed=xp.zeros_like(bid),
    )
    person = learn(xp, pp, person, ob, rb, flags, variant)
    person, received, met = once(xp, (person, received, met), day)

    # --- The bidder's expectation, felt distance, pursuit and giving up.
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

    # --- Being known grows when one shares (or one's bid is received) and fades without it.
    opened = but(r.approached, sess) | met
    open_depth = xp.where(r.approached, depth, bid_depth).astype(f32)
    grow = c.knowing_rate * xp.maximum(open_depth + 1.0 - s.known, 0.0)
    known = s.known * (1.0 - c.knowing_decay) + xp.where(opened, grow, 0.0)
    known = xp.clip(known, 0.0, float(K))

    # --- Conflict and repair; unrepaired ruptures stay on the books.
    by_chance = decide(
        "repair",
        lambda d: d.repair < c.repair_base,
        lambda x: xp.where(
            conflict & ~is_on(flags, "repair_vulnerability"),
            bernoulli_log_prob(xp, c.repair_base, x),
            0.0,
        ),
    )
    repaired = conflict & xp.where(is_on(flags, "repair_vulnerability"), both_open, by_chance)
    keep = xp.where(is_on(flags, "rupture_memory"), 1.0 - c.rupture_decay, 0.0)
    ruptures = s.ruptures * keep + (conflict & ~repaired).astype(f32)
    if event is not None:
        # An adult event is an injury of the bond left unrepaired (an attachment injury): one
        # rupture on the books, on its first day, for each member it befalls.
        first = event.first.reshape(per_member) & live
        ruptures = ruptures + xp.sum(first.astype(f32), axis=0)

    # --- Satisfaction: responsiveness, intimacy, hurt on the books, and how personally distance
    # is read.
    intimacy = xp.mean(known, axis=0) / K
    quality = (
        c.base_quality
        + c.expect_weight * expect
        + c.intimacy_weight * intimacy
        - c.attribution_weight * attribution * felt
        # Times the reciprocal, as XLA computes a division by a constant (bit for bit).
        - c.rupture_weight * xp.minimum(ruptures, c.rupture_cap) * (1.0 / c.rupture_cap)
        + life.quality_shift(c, strain)
    )
    sat = s.sat + c.sat_rate * (xp.clip(quality, 0.0, 1.0) - s.sat)
    # Felt stability: the day's calm. Low arousal feels like stability, whatever its cause.
    # A session day is away from the relationship: what happened there is not a moment of the
    # couple's (not in its record, not in its calm).
    at_home = r.arousal if sess is None else xp.where(sess, 0.0, r.arousal)
    calm = 1.0 - xp.minimum(at_home, 1.0) - c.conflict_calm * conflict.astype(f32)
    stability = s.stability + c.stability_rate * (xp.clip(calm, 0.0, 1.0) - s.stability)

    # --- Commitment (investment model) and ending.
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
    hazard = c.hazard_base * xp.exp(-c.hazard_slope * xp.min(commit, axis=0))
    end_x = decide(
        "end",
        lambda d: d.end < hazard,
        lambda x: xp.where(live, bernoulli_log_prob(xp, hazard, x), 0.0),
    )
    ends = live & end_x

    new = CoupleState(
        person=person,
        expect=expect,
        felt=felt,
        pursuit=pursuit,
        gave_up=gave_up,
        distance=distance,
        support=support,
        known=known,
        sat=sat,
        stability=stability,
        ruptures=ruptures,
        investment=investment,
        life=strain,
        ended=s.ended | ends,
    )
    # An ended relationship is frozen: nothing more happens in it.
    out = _freeze(xp, s, new, live)
    moment = xp.where(~live, QUIET, xp.where(conflict, CONFLICT, xp.where(talk, TALK, BIDS)))
    rec = Day(
        moment=moment,
        bid=bid & live,
        bid_depth=bid_depth,
        received=received,
        shared=but(r.approached, sess),
        automatic=but(r.automatic, sess),
        behaviour=r.behaviour if sess is None else xp.where(sess, 0, r.behaviour),
        threat=xp.where(but(r.offered, sess), r.threat, 0.0),
        habit=xp.where(but(r.offered, sess), r.habit, 0.0),
        arousal=at_home,
        conflict=conflict,
        repaired=repaired,
        ended_today=ends,
    )
    taken = CoupleDecisions(
        person=chosen,
        bid=bid_x,
        depth=bid_depth_x,
        importance=importance,
        conflict=conflict_x,
        talk=talk_x,
        repair=by_chance,
        end=end_x,
        life=life_u,
    )
    if not score:
        return out, rec, taken, None
    # In a conflict the outcome of opening up is the other's response, not a draw.
    person_lp = lp["person"]._replace(outcome=xp.where(conflict, 0.0, lp["person"].outcome))
    return out, rec, taken, CoupleDecisions(**{**lp, "person": person_lp})


def _freeze(xp: Any, old: CoupleState, new: CoupleState, live: Any) -> CoupleState:
    # Batch axes last: a per-couple mask broadcasts over any leading structure axes.
    person = PersonState(
        *[xp.where(live, a, b) for a, b in zip(new.person, old.person, strict=True)]
    )
    rest = [xp.where(live, a, b) for a, b in zip(new[1:-1], old[1:-1], strict=True)]
    return CoupleState._make([person, *rest, new.ended])
