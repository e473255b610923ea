"""Interventions: what a scenario schedules to help the pattern loosen, and how each one changes
the day.

A scenario lists any number of interventions (kind, start day, end day, intensity in [0, 1] and,
in a couple, whose). The engine receives them as one small float32 array (``schedule``: a row per
intervention, padded to ``MAX_INTERVENTIONS`` rows), so a new schedule is new data, never a new
compilation. Each day, ``levels`` turns the schedule into the day's intensity of every basic
component for each member, and ``sessions`` says who has a therapy session or an exposure exercise
today. The person and couple kernels read those levels; nothing else about them changes.

The components and their sources are documented in docs/model.md (section "Change").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from closeloop.model.person import (
    FRIEND,
    PARTNER,
    THERAPY,
    K,
    Offer,
    PersonState,
    comfort_depth,
)
from closeloop.params import CHANGE, ChangeParams, PersonParams

KINDS = (
    "observation",
    "commitment",
    "safe_partner",
    "pacing",
    "therapy",
    "graded_exposure",
    "flooding",
    "stress",
    "context_change",
    "couples_therapy",
)
"""What a scenario may schedule (docs/model.md, "Change")."""

DESCRIPTIONS = {
    "observation": "practice noticing the reaction to closeness (mindful noticing, affect "
    "labelling): more automatic reactions are caught and handed to the deliberate route",
    "commitment": "a committed decision to face the fear: in the deliberate route, threat "
    "weighs less and approaching is valued for itself",
    "safe_partner": "the partner (or the world) responds warmly and predictably, with no "
    "pressure and no criticism",
    "pacing": "the partner stops pursuing and lets the other set the depth (de-escalation)",
    "therapy": "weekly sessions (intensity: share of weeks attended) of graded, safe closeness "
    "in the therapy context",
    "graded_exposure": "daily exercises (intensity: share of days) of staying with closeness at "
    "the edge of what is tolerable",
    "flooding": "daily exercises (intensity: share of days) of staying with the deepest "
    "closeness at once: the same exercise as graded exposure, at the top of the hierarchy",
    "stress": "a stressful period: the memory of learned safety is harder to retrieve",
    "context_change": "closeness comes from new people (a move, a new circle): the share of "
    "offers from outside the places where safety was learned",
    "couples_therapy": "emotionally focused couples therapy in three stages that advance on the "
    "couple's progress: de-escalation, then the withdrawer's re-engagement, then the pursuer's "
    "softening (a session of deep, warm mutual sharing that can repair an attachment injury)",
}

LEVELS = (*KINDS[:-1], "reframe", "eft_withdrawer", "eft_pursuer")
"""The basic components the kernels read, one level per member each day. ``reframe`` (seeing the
cycle, not the partner, as the problem) comes only from couples therapy, and so do the course's
intensity for its withdrawer and its pursuer, from which the couple kernel adds the components of
the later stages when the couple reaches them (``eft``)."""
L = {name: i for i, name in enumerate(LEVELS)}

PERSON_KINDS = tuple(k for k in KINDS if k != "couples_therapy")
COUPLE_KINDS = tuple(k for k in KINDS if k not in ("graded_exposure", "flooding", "context_change"))
WHO = ("a", "b", "both")
DEFAULT_WHO = {"safe_partner": "b", "pacing": "b"}
"""In a couple, by default the person-work is member a's and the partner-work member b's."""

MAX_INTERVENTIONS = 8
"""Rows of the schedule array: a fixed size, so that any schedule runs on the same program."""
COLUMNS = ("kind", "start", "end", "intensity", "who")

DAYS_PER_WEEK = 7
DAYS_PER_YEAR = 365
"""Therapy sessions come at most weekly: a rate of 1/7 per day at full intensity."""

# How interventions act is declared in closeloop.params.change and reaches the functions below as
# data (``change``, a ChangeParams; CHANGE, the defaults, unless given). These names are the
# defaults, for tests and listings.
SAFE_WARMTH = CHANGE.safe_warmth
SESSION_IMPORTANCE = CHANGE.session_importance
SESSION_SALIENCE = CHANGE.session_salience
SESSION_NOTICING = CHANGE.session_noticing


def schedule_array(rows: list[dict[str, Any]]) -> np.ndarray:
    """(MAX_INTERVENTIONS, 5) float32: kind index, start, end, intensity, who (0 a, 1 b, 2
    both); unused rows have kind -1. ``rows`` are validated interventions (``Intervention``)."""
    out = np.zeros((MAX_INTERVENTIONS, len(COLUMNS)), dtype=np.float32)
    out[:, 0] = -1.0
    for i, r in enumerate(rows):
        out[i] = (KINDS.index(r["kind"]), r["start"], r["end"], r["intensity"], WHO.index(r["who"]))
    return out


def _members(xp: Any, who: Any) -> Any:
    """(S, 2) 0/1: does row s concern member a, member b."""
    return xp.stack([who != 1, who != 0], axis=-1).astype(xp.float32)


def levels(xp: Any, schedule: Any, day: Any) -> Any:
    """(len(LEVELS), 2) float32: each basic component's intensity today for members a and b (a
    person is member a). Overlapping interventions of one kind take the larger intensity."""
    kind, _, _, x, who = (schedule[:, j] for j in range(len(COLUMNS)))
    on = levels_on(xp, schedule, day)
    mine = _members(xp, who) * xp.where(on, x, 0.0)[:, None]  # (S, 2)
    other = mine[:, ::-1]
    basic = (kind[:, None] == xp.arange(len(LEVELS))[None, :]).astype(xp.float32)
    basic = basic * (kind < KINDS.index("couples_therapy"))[:, None]
    # Basic kinds share their index with LEVELS (asserted below); couples therapy expands into
    # its components: who names the withdrawer, the other member is the pursuer.
    lv = basic[:, :, None] * mine[:, None, :]  # (S, LEVELS, 2)
    ct = (kind == KINDS.index("couples_therapy"))[:, None]
    # Its first stage is the same for every couple (the pursuer paces, both reframe); the later
    # ones depend on the couple's progress, so the kernel adds them (eft.level).
    parts = {
        "pacing": other,
        "reframe": mine + other,
        "eft_withdrawer": mine,
        "eft_pursuer": other,
    }
    extra = xp.stack([parts[n] * ct if n in parts else xp.zeros_like(mine) for n in LEVELS], axis=1)
    return xp.clip(xp.max(lv + extra, axis=0), 0.0, 1.0)


def sessions(xp: Any, schedule: Any, day: Any) -> tuple[Any, Any]:
    """Who has a therapy session and who an exposure exercise today: two (2,) bool vectors.

    A component of intensity x at a rate of r per day (therapy 1/7, exercises 1) happens on the
    days where floor(x r d) steps up, d counting from its start: evenly spaced, no draws, so the
    random streams stay those of the same run without it."""
    kind, start, _, x, who = (schedule[:, j] for j in range(len(COLUMNS)))
    lv_on = levels_on(xp, schedule, day)
    d = day - start
    rate = xp.where(kind == KINDS.index("therapy"), 1.0 / DAYS_PER_WEEK, 1.0)
    hit = xp.floor((d + 1.0) * x * rate) > xp.floor(d * x * rate)
    mine = _members(xp, who) * (lv_on & hit)[:, None]
    therapy = xp.max(mine * (kind == KINDS.index("therapy"))[:, None], axis=0) > 0
    is_ex = (kind == KINDS.index("graded_exposure")) | (kind == KINDS.index("flooding"))
    exercise = xp.max(mine * is_ex[:, None], axis=0) > 0
    return therapy, exercise


def levels_on(xp: Any, schedule: Any, day: Any) -> Any:
    """(S,) bool: which schedule rows are active today."""
    kind, start, end = schedule[:, 0], schedule[:, 1], schedule[:, 2]
    return (day >= start) & (day < end) & (kind >= 0)


def _toward(x: Any, target: Any, amount: Any) -> Any:
    return x + amount * (target - x)


def session_offer(
    xp: Any,
    o: Offer,
    p: PersonParams,
    s: PersonState,
    context: Any,
    flags: Any,
    change: ChangeParams = CHANGE,
) -> Offer:
    """A therapy session: closeness offered in the therapy context at the edge of what the
    person can meet there (one level past the comfort depth), warmly, without pressure."""
    edge = comfort_depth(xp, p, s, context, flags) + 1.0
    depth = xp.clip(edge, 0, K - 1).astype(o.depth.dtype)
    return guided_offer(xp, o, depth, context, False, change)._replace(
        observe_boost=xp.clip(o.observe_boost + change.session_noticing, 0.0, 1.0),
        salience=xp.zeros_like(o.salience) + change.session_salience,
    )


def person_offer(
    xp: Any,
    o: Offer,
    lv: Any,
    therapy: Any,
    exercise: Any,
    p: PersonParams,
    s: PersonState,
    flags: Any,
    u_context: Any,
    friend_share: Any = 0.0,
    change: ChangeParams = CHANGE,
) -> Offer:
    """The day's offer to a person (member a's levels ``lv[:, 0]``) with the interventions of
    the day applied. ``u_context`` is the world's context draw (reused: no new randomness),
    ``friend_share`` the world's share of offers from friends, ``change`` how interventions
    act."""

    def get(name: str) -> Any:
        return lv[L[name], 0]

    safe, pace = get("safe_partner"), get("pacing")
    # A new circle: the share ``intensity`` of the offers that came from the partner now come
    # from new people (the world's context draw: u < friend_share chose a friend already).
    share = friend_share + get("context_change") * (1.0 - friend_share)
    ctx = xp.where((o.context == PARTNER) & (u_context < share), FRIEND, o.context)
    # Pacing: the other lets the person set the depth (no deeper than the comfort depth) and
    # stops pushing; a safe responder is warm, never hurtful, never pressing.
    at_ease = comfort_depth(xp, p, s, PARTNER, flags)
    comfort = xp.maximum(at_ease, 0.0)
    cap = xp.floor(comfort + (1.0 - pace) * (K - 1 - comfort))
    depth = xp.where(ctx == PARTNER, xp.minimum(o.depth, cap), o.depth).astype(o.depth.dtype)
    o = o._replace(
        context=ctx,
        depth=depth,
        pressure=o.pressure * (1.0 - safe) * (1.0 - pace),
        warmth=_toward(o.warmth, change.safe_warmth, safe),
        hurt_rate=o.hurt_rate * (1.0 - safe),
        observe_boost=xp.clip(o.observe_boost + get("observation"), 0.0, 1.0),
        commit=get("commitment") + xp.zeros_like(o.warmth),
        stress=get("stress") + xp.zeros_like(o.warmth),
    )
    # An exposure exercise: one account for both kinds (Craske et al. 2008, 2014). Closeness is
    # offered warmly in the partner context at a target depth, and the person stays with it
    # (withdrawal blocked: response prevention). Graded exposure targets one step past what feels
    # safe, a hierarchy climbed at the person's pace; flooding targets the deepest level at once.
    # Nothing else differs: any spike or setback comes from the arousal the depth itself brings
    # (overwhelm, docs/model.md 6.5), never from a term of flooding's own.
    edge = xp.clip(at_ease + 1.0, 0, K - 1)
    target = xp.where(get("flooding") > 0, K - 1, edge)
    o = _pick(xp, exercise[0], exposure_offer(xp, o, target, change), o)
    return _pick(xp, therapy[0], session_offer(xp, o, p, s, THERAPY, flags, change), o)


def exposure_offer(xp: Any, o: Offer, target: Any, change: ChangeParams = CHANGE) -> Offer:
    """An exposure exercise at depth ``target``: warm, never hurtful, important to the person,
    without pressure, in the partner context, and stayed with (``forced``: response
    prevention). The learning it brings is the ordinary one of docs/model.md section 7: new
    inhibition beside the template when the arousal stays within the window of tolerance,
    sensitisation when it does not."""
    return guided_offer(xp, o, target.astype(o.depth.dtype), PARTNER, True, change)


def guided_offer(
    xp: Any, o: Offer, depth: Any, context: Any, forced: bool, change: ChangeParams = CHANGE
) -> Offer:
    """What every guided exercise shares (an exposure, a therapy session, couples therapy's
    softening): closeness offered at ``depth`` in ``context``, warm, never hurtful, as important
    as a session is, without pressure; ``forced`` when the person stays with it."""
    return o._replace(
        offered=xp.ones_like(o.offered),
        depth=depth,
        context=xp.zeros_like(o.context) + context,
        pressure=xp.zeros_like(o.pressure),
        importance=xp.zeros_like(o.importance) + change.session_importance,
        warmth=xp.zeros_like(o.warmth) + change.safe_warmth,
        hurt_rate=xp.zeros_like(o.hurt_rate),
        forced=(xp.ones_like if forced else xp.zeros_like)(o.forced),
    )


def _pick(xp: Any, cond: Any, a: Offer, b: Offer) -> Offer:
    return Offer(*[xp.where(cond, x, y) for x, y in zip(a, b, strict=True)])


def member(xp: Any, lv: Any, name: str, like: Any) -> Any:
    """A component's level for both members, shaped (2, 1, ...) to broadcast against ``like``
    (a per-member field (2, *B))."""
    return lv[L[name]].reshape((2,) + (1,) * (xp.ndim(like) - 1))


def _day_words(day: int) -> str:
    years, rest = divmod(day, DAYS_PER_YEAR)
    if day == 0:
        return "the start"
    if rest == 0:
        return f"the start of year {years + 1}"
    return f"day {day}" + (f" (year {years + 1})" if years else "")


def describe(rows: list[dict[str, Any]], kind: str, days: int) -> list[str]:
    """One plain sentence per scheduled intervention, for reports: when, what, whose, how much.

    ``rows`` are interventions as in a scenario's JSON (kind, start, end, intensity, who)."""
    out = []
    for r in rows:
        end = min(int(r["end"]), days)
        span = f"from {_day_words(int(r['start']))} " + (
            "to the end" if end >= days else f"until {_day_words(end)}"
        )
        who = r.get("who") or ("a" if kind == "person" else DEFAULT_WHO.get(r["kind"], "a"))
        whose = "" if kind == "person" else f" (member {who})" if who != "both" else " (both)"
        what = r["kind"].replace("_", " ")
        out.append(
            f"{span[0].upper()}{span[1:]}: {what}{whose} at intensity {float(r['intensity']):g}: "
            f"{DESCRIPTIONS[r['kind']]}."
        )
    return out


assert KINDS[:-1] == LEVELS[: len(KINDS) - 1], "basic kinds share their index with LEVELS"
