"""The couple's state, the day's record and a new relationship: what ``couple.py``'s day reads
and writes (batch axes last, ``person.py``'s convention)."""

from __future__ import annotations

from typing import Any, NamedTuple

from closeloop.model.person import PARTNER, THERAPY, PersonState
from closeloop.params import SPECS, CoupleParams

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
        perceived: (2, *B) each member's picture of the other's satisfaction, in [0, 1].
        stage: (*B) couples therapy's stage, in [0, 3] (``eft``): 0 until a course begins.
        injury: (*B) the unrepaired ruptures left by adult events (attachment injuries), a
            part of ``ruptures``, >= 0.
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
    perceived: Any
    stage: Any
    injury: Any


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


def other(x: Any) -> Any:
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
    person = person._replace(V=person.V[rows], I=person.I[rows])
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
        perceived=start("sat_start"),
        stage=xp.zeros(members[1:], dtype=f),
        injury=xp.zeros(members[1:], dtype=f),
    )


def freeze(xp: Any, old: CoupleState, new: CoupleState, live: Any) -> CoupleState:
    """``new`` where the relationship is live, ``old`` where it had ended (frozen)."""
    # Batch axes last: a per-couple mask broadcasts over any leading structure axes.
    person = PersonState(
        *[xp.where(live, a, b) for a, b in zip(new.person, old.person, strict=True)]
    )
    rest = [xp.where(live, a, b) for a, b in zip(new[1:], old[1:], strict=True)]
    ended = CoupleState._fields.index("ended")
    rest[ended - 1] = new.ended
    return CoupleState._make([person, *rest])


def record(
    xp: Any,
    live: Any,
    conflict: Any,
    talk: Any,
    bid: Any,
    bid_depth: Any,
    received: Any,
    r: Any,
    sess: Any,
    repaired: Any,
    ends: Any,
) -> Day:
    """The day's record from its moments and the members' responses ``r`` (a
    ``person.Response``). A session or event day (``sess``, or None) is away from the
    relationship: what happened there is not a moment of the couple's."""

    def here(x: Any) -> Any:
        return x if sess is None else x & ~sess

    moment = xp.where(~live, QUIET, xp.where(conflict, CONFLICT, xp.where(talk, TALK, BIDS)))
    return Day(
        moment=moment,
        bid=bid & live,
        bid_depth=bid_depth,
        received=received,
        shared=here(r.approached),
        automatic=here(r.automatic),
        behaviour=r.behaviour if sess is None else xp.where(sess, 0, r.behaviour),
        threat=xp.where(here(r.offered), r.threat, 0.0),
        habit=xp.where(here(r.offered), r.habit, 0.0),
        arousal=r.arousal if sess is None else xp.where(sess, 0.0, r.arousal),
        conflict=conflict,
        repaired=repaired,
        ended_today=ends,
    )


def away_days(xp: Any, live: Any, therapy: Any, event: Any, soft: Any) -> tuple[Any, Any, Any]:
    """(therapy_day, event_day, sess), each (2, *B) or None: who has an individual therapy
    session today (``therapy``, (2,) or None), who an adult event (``event``, an
    ``events.Active`` or None), and who is away from the couple's ordinary day for either or
    for couples therapy's softening (``soft``, (2, *B) or None)."""
    per_member = (2,) + (1,) * xp.ndim(live)
    therapy_day = None if therapy is None else therapy.reshape(per_member) & live
    event_day = None if event is None else event.on.reshape(per_member) & live
    days = [d for d in (therapy_day, event_day, soft) if d is not None]
    sess = None
    for d in days:
        sess = d if sess is None else sess | d
    return therapy_day, event_day, sess
