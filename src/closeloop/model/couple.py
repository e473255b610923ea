"""A day of a relationship: two people, bids for connection, pursuit and withdrawal, conflict and
repair, giving up, satisfaction, felt stability, commitment and ending.

Both members are people of ``person.py`` (any preset can be either member); their responses go
through the same ``respond`` and ``learn`` as everywhere else, stacked on a leading axis of two
(member a, member b). What makes a member pursue or withdraw is their own traits and history,
never their role. Written against the array namespace ``xp`` with the random draws passed in, so
one definition runs under ``jax.numpy`` (the engine) and ``numpy`` (the benchmark's references).
"""

from __future__ import annotations

from typing import Any

from closeloop.mechanisms import is_on
from closeloop.model import couple_bids, couple_update, eft, events, healing, life

# The state, the record and their codes live in couple_state; they are read from here too.
from closeloop.model.couple_state import (  # noqa: F401
    AGAINST,
    AWAY,
    BIDS,
    CONFLICT,
    HERE,
    MOMENTS,
    NONE,
    QUIET,
    RESPONSES,
    TALK,
    THERAPY_ROW,
    TOWARD,
    CoupleState,
    Day,
    away_days,
    freeze,
    initial_couple,
    other,
    record,
)
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
    K,
    Offer,
    Response,
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
from closeloop.params import CHANGE, ChangeParams, CoupleParams, PersonParams


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
    change: ChangeParams = CHANGE,
) -> tuple[CoupleState, Day]:
    """One day of a relationship, its decisions drawn from the uniforms ``u``
    ((N_COUPLE_DRAWS, *B), named by ``CoupleDraws.of``); see ``couple_day_full``."""
    out = couple_day_full(
        xp, pp, cp, s, day, flags, care, therapy, event, u=u, variant=variant, change=change
    )
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
    change: ChangeParams = CHANGE,
) -> tuple[CoupleState, Day, CoupleDecisions, CoupleDecisions | None]:
    """One day of a relationship, simulated or scored.

    Arguments:
        xp: array namespace; pp: traits of both members, each field (2, *B); cp: relationship
            settings, each field B (or a scalar); s: the couple's state; day: day since the
            relationship began (scalar); flags: (M,) mechanism switches.
        care: (len(healing.LEVELS), 2) the day's intervention levels per member, or None.
        therapy: (2,) bool, who has a therapy session today (needs the therapy row), or None.
        event: the day's adult events per member (``events.active``), or None.
        u: (N_COUPLE_DRAWS, *B) uniform draws: simulate (decisions drawn from them).
        given: the day's decisions: score (decisions taken as given; ``u`` unused).
        score: also return each decision's log-probability (0 where a decision is not taken).
        variant: an adult variant's switch vector (``person.learn``); None: closeloop's rules.
        change: how interventions act (scalars; the defaults unless given).

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

    f32, c, live = xp.float32, cp, ~s.ended  # c: a short alias
    mem = levels(xp, 2, live)  # (2, 1, ...): member index, broadcast over couples
    zero = xp.zeros_like(s.expect)

    def lvl(name: str) -> Any:  # couples therapy adds the stages the couple has reached
        return zero if care is None else eft.level(xp, care, name, s.stage, zero)

    # Without interventions (care None) none of their terms enters the program: the plain day
    # compiles exactly as before they existed.
    safe, pace = lvl("safe_partner"), lvl("pacing")
    attribution = xp.where(is_on(flags, "attribution"), pp.attribution, 0.0)
    if care is not None:
        # Seeing the cycle, not the partner, as the problem (couples therapy) softens it.
        attribution = attribution * (1.0 - lvl("reframe"))
    # A session day is the session: no bids, no talk and no conflict between the two; so is the
    # day of an adult event, and couples therapy's softening.
    per_member = (2,) + (1,) * xp.ndim(live)
    soft = None if care is None else eft.softening(xp, care, s) & (zero > -1.0)
    therapy_day, event_day, sess = away_days(xp, live, therapy, event, soft)
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
    p_bid = couple_bids.bid_chance(xp, c, s)
    # The life around the couple: the day's strain (exogenous: drawn, never learned) and the
    # fewer bids it leaves time and energy for.
    life_u = decide("life", lambda d: d.life, lambda x: xp.zeros_like(x))
    strain = life.step(xp, c, s.life, life_u)
    p_bid = xp.clip(p_bid * life.bid_factor(xp, c, strain), 0.0, 1.0)
    commits = None if care is None else lvl("commitment") > 0
    comfort, ceiling = couple_bids.reach(
        xp, pp, c, s, day, flags, commits, None if care is None else pace
    )
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
    offered = other(bid) | conflict
    depth = xp.where(conflict, c.conflict_depth.astype(xp.int32), other(bid_depth))
    conflict_push = c.conflict_pressure + (1.0 - c.conflict_pressure) * other(s.pursuit)
    pressure = xp.where(talk, 1.0, xp.where(conflict, conflict_push, other(s.pursuit)))
    warmth, hurt = couple_bids.partner_response(xp, c, s)
    if care is not None:
        # A safe or pacing partner does not press; a safe partner is warm and never critical.
        pressure = pressure * (1.0 - other(safe)) * (1.0 - other(pace))
        warmth = warmth + safe * (change.safe_warmth - warmth)
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
        warmth=other(warmth).astype(f32),
        hurt_rate=xp.minimum(other(hurt), 1.0 - other(warmth)).astype(f32),
        protest_gain=zero,
        forced=xp.zeros_like(offered),
        salience=zero + 1.0,
        observe_boost=lvl("observation"),
    )
    if care is not None:
        o = o._replace(commit=lvl("commitment"), stress=lvl("stress"))
    if therapy_day is not None:
        session = healing.session_offer(xp, o, pp, s.person, THERAPY_ROW, flags, change)
        o = Offer(*[xp.where(therapy_day, a, b) for a, b in zip(session, o, strict=True)])
    if event is not None:
        # The event is the other member's doing, so it happens in the partner context.
        depth_ev, sal_ev = (x.reshape(per_member) for x in (event.depth, event.salience))
        o = events.event_offer(xp, o, event_day, depth_ev, sal_ev, HERE)
    if soft is not None:
        o = eft.softening_offer(xp, o, soft, HERE, change)
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
    rep_outcome = xp.where(other(r.approached), 1, xp.where(other(against), -1, 0))
    r = r._replace(outcome=xp.where(conflict, rep_outcome, r.outcome))
    person = learn(xp, pp, tick(xp, pp, s.person, flags, variant), o, r, flags, variant)

    # The bidder learns what reaching out at that depth brings: the other's response.
    met = other(received) == TOWARD
    bid_outcome = xp.where(met, 1, xp.where(other(received) == AGAINST, -1, 0))
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

    # --- The bidder's expectation, felt distance, pursuit and giving up; being known.
    bd = couple_update.bond(xp, pp, c, s, bid, met, attribution, flags)
    opened = but(r.approached, sess) | met
    if soft is not None:
        opened = opened | (soft & r.approached)  # the softening is sharing with each other
    open_depth = xp.where(r.approached, depth, bid_depth).astype(f32)
    known = couple_update.knowing(xp, c, s, opened, open_depth)
    # What one takes in of the other's state: contact met by sharing, or by withdrawing.
    contact = but(o.offered, sess)
    perceived = couple_update.perceive(xp, c, s, contact, r.approached, flags)

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
    injury = s.injury * keep
    if event is not None:
        # An adult event is an injury of the bond left unrepaired (an attachment injury): one
        # rupture on the books, on its first day, for each member it befalls.
        first = event.first.reshape(per_member) & live
        injury = injury + xp.sum(first.astype(f32), axis=0)
        ruptures = ruptures + xp.sum(first.astype(f32), axis=0)
    if soft is not None:
        ruptures, injury = eft.repair(xp, soft[0], ruptures, injury, change)

    # --- Satisfaction: responsiveness, intimacy, hurt on the books, how personally distance
    # is read, and how content one believes the other to be.
    sat = couple_update.satisfaction(xp, c, s, bd, known, attribution, ruptures, strain, perceived)
    # Felt stability: the day's calm. Low arousal feels like stability, whatever its cause.
    # A session day is away from the relationship: what happened there is not a moment of the
    # couple's (not in its record, not in its calm).
    at_home = r.arousal if sess is None else xp.where(sess, 0.0, r.arousal)
    stability = couple_update.stability(xp, c, s, at_home, conflict)
    # --- Commitment (investment model) and ending.
    investment, hazard = couple_update.commitment(xp, c, s, sat, bd.support, flags)
    end_x = decide(
        "end",
        lambda d: d.end < hazard,
        lambda x: xp.where(live, bernoulli_log_prob(xp, hazard, x), 0.0),
    )
    ends = live & end_x

    new = CoupleState(
        person=person,
        expect=bd.expect,
        felt=bd.felt,
        pursuit=bd.pursuit,
        gave_up=bd.gave_up,
        distance=bd.distance,
        support=bd.support,
        known=known,
        sat=sat,
        stability=stability,
        ruptures=ruptures,
        investment=investment,
        life=strain,
        ended=s.ended | ends,
        perceived=perceived,
        stage=s.stage if care is None else eft.advance(xp, care, s, bd.pursuit, bd.felt, change),
        injury=injury,
    )
    # An ended relationship is frozen: nothing more happens in it.
    out = freeze(xp, s, new, live)
    rec = record(xp, live, conflict, talk, bid, bid_depth, received, r, sess, repaired, ends)
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
