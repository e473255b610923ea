"""The person's response to an offer, as probabilities, sampling and log-probability.

Every random decision of a person-step is split in three, as numpyro splits a sample site:

- ``response_probs``: every probability of the step's decisions, from traits, state and offer;
- ``sample_decisions``: the decisions drawn from named uniforms (``PersonDraws``);
- ``decisions_log_prob``: the log-probability of given decisions under those probabilities.

``finish`` turns decisions (sampled, or observed) into the step's ``Response``, so the same step
runs in two modes: simulate (``respond``, ``person_step``) and score (``person_step_scored``:
the decisions given, their log-probabilities and the state they lead to). Written against the
array namespace ``xp``, batch-last, like ``person.py``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from closeloop.mechanisms import is_on
from closeloop.model.person import (
    DEFLECTS,
    GETS_BUSY,
    LEAVES_EARLY,
    LESS_AVAILABLE,
    SHARES,
    SHUTS_DOWN,
    K,
    Offer,
    PersonState,
    Response,
    at_depth,
    effective_threat,
    learn,
    once,
    seeking_weight,
    tick,
)
from closeloop.params import PersonParams

N_PERSON_DRAWS = 6
"""Uniforms of one person-step."""
TINY = 1e-12
"""Floor of a probability inside a logarithm (float32-safe)."""


class PersonDraws(NamedTuple):
    """The uniforms of one person-step, by name (each of shape B)."""

    auto: Any
    notice: Any
    choose: Any
    outcome: Any
    arousal: Any
    behaviour: Any

    @classmethod
    def of(cls, u: Any) -> PersonDraws:
        """Named draws from the first ``N_PERSON_DRAWS`` rows of a (>= 6, *B) uniform array."""
        return cls(*(u[i] for i in range(N_PERSON_DRAWS)))


class PersonDecisions(NamedTuple):
    """The random decisions of one person-step (each of shape B).

    Attributes:
        fires: the automatic route fires (meaningful when offered and not forced).
        noticed: a firing reaction is caught and handed to the deliberate route.
        chooses: the deliberate route chooses to share.
        outcome: how the other meets sharing: -1 hurt, 0 neutral, 1 warm.
        arousal: the arousal felt (0 when nothing was offered).
        busy: a withdrawal takes an unavailable form: a chosen one "gets busy" (else is "less
            available"); an automatic one without pressure gets busy (mild) or becomes less
            available (strong), else deflects or shuts down.
    """

    fires: Any
    noticed: Any
    chooses: Any
    outcome: Any
    arousal: Any
    busy: Any


class ResponseProbs(NamedTuple):
    """Everything random about a person-step, as probabilities (each of shape B).

    Attributes:
        p_auto: the automatic route fires.
        caught: a firing reaction is caught (noticed, or met by a prepared plan).
        p_share: the deliberate route chooses to share.
        warm, hurt: the other's response to sharing is warm, hurtful (else neutral).
        p_busy: a chosen withdrawal gets busy (else is less available).
        p_auto_busy: an automatic withdrawal without pressure takes an unavailable form.
        activation: threat at the offered depth amplified by pressure: the arousal's location.
        noise: scale of the arousal's logistic noise.
        threat, habit: felt threat and the habit's push at the offered depth.
        auto_kind: the form an automatic withdrawal takes (a function of the activation).
        tolerance: arousal above which sharing overwhelms (inf when ``overwhelm`` is off).
    """

    p_auto: Any
    caught: Any
    p_share: Any
    warm: Any
    hurt: Any
    p_busy: Any
    p_auto_busy: Any
    activation: Any
    noise: Any
    threat: Any
    habit: Any
    auto_kind: Any
    tolerance: Any


def _sigmoid(xp: Any, x: Any) -> Any:
    return 1.0 / (1.0 + xp.exp(-x))


def response_probs(xp: Any, p: PersonParams, s: PersonState, o: Offer, flags: Any) -> ResponseProbs:
    """The two routes' probabilities: automatic closing of the door, or a deliberate weighing."""
    k = o.depth
    stress = xp.where(is_on(flags, "stress_relapse"), o.stress, 0.0)
    t_k = at_depth(xp, effective_threat(xp, s, o.context, stress), k)
    gain = xp.where(is_on(flags, "pressure"), p.pressure_gain * o.pressure, 0.0)
    activation = t_k * (1.0 + gain)
    habit = xp.where(is_on(flags, "relief_habit"), p.habit_weight * at_depth(xp, s.H, k), 0.0)
    p_auto = _sigmoid(xp, (activation + habit - p.threshold) / p.auto_softness)
    p_auto = xp.where(is_on(flags, "automatic_route"), p_auto, 0.0)
    observe = xp.where(
        is_on(flags, "observation"), xp.clip(p.observe + o.observe_boost, 0.0, 1.0), 0.0
    )
    # A committed decision to face the fear is also a plan made in advance ("when the urge to
    # pull back comes, I stay"): an implementation intention that catches a share of reactions
    # that noticing alone would miss.
    commit = xp.where(is_on(flags, "decision_to_approach"), o.commit, 0.0)
    caught = 1.0 - (1.0 - observe) * (1.0 - commit)

    r_k = at_depth(xp, s.R, k)
    kf = k.astype(xp.float32)
    # In the deliberate route the decision makes the threat weigh less, and approaching is
    # worth something in itself (the value the person committed to).
    benefit = r_k * (p.openness + o.importance) + p.drive * s.L * seeking_weight(xp, s, flags)
    benefit = benefit + commit
    cost = p.threat_cost * activation * (1.0 - commit) + (1.0 - p.openness) * (kf + 1.0) / K
    p_share = _sigmoid(xp, p.beta * (benefit - cost))

    warm = xp.clip(o.warmth + o.protest_gain * s.L, 0.0, 1.0)
    hurt = xp.minimum(o.hurt_rate, 1.0 - warm)
    # Which form a withdrawal takes: a strong automatic reaction shuts down (or goes absent), or
    # leaves under pressure; a milder one deflects (or turns to a task); a chosen one gets busy
    # or is less available. The unavailable forms of the automatic route (``p_auto_busy``) are
    # decided in ``finish``.
    strong = activation >= p.threshold + p.strong_margin
    auto_kind = xp.where(
        strong, xp.where(o.pressure >= p.leave_pressure, LEAVES_EARLY, SHUTS_DOWN), DEFLECTS
    )
    tolerance = xp.where(is_on(flags, "overwhelm"), p.tolerance, xp.inf)
    return ResponseProbs(
        p_auto=p_auto,
        caught=caught,
        p_share=p_share,
        warm=warm,
        hurt=hurt,
        p_busy=xp.zeros_like(warm) + p.busy_share,
        p_auto_busy=xp.zeros_like(warm) + p.auto_busy,
        activation=activation,
        noise=p.arousal_noise,
        threat=t_k,
        habit=habit,
        auto_kind=auto_kind,
        tolerance=tolerance,
    )


def sample_decisions(xp: Any, q: ResponseProbs, o: Offer, d: PersonDraws) -> PersonDecisions:
    """The decisions drawn from named uniforms (inverse CDF; the arousal's noise is logistic)."""
    noise = q.noise * xp.log(d.arousal / (1.0 - d.arousal) + TINY)
    outcome = xp.where(d.outcome < q.warm, 1, xp.where(d.outcome >= 1.0 - q.hurt, -1, 0))
    fires, noticed = d.auto < q.p_auto, d.notice < q.caught
    # The form's probability is the route's: an automatic withdrawal's does not depend on the
    # offer's importance, a chosen one follows from a weighing that does.
    automatic = fires & ~noticed & ~o.forced
    return PersonDecisions(
        fires=fires,
        noticed=noticed,
        chooses=d.choose < q.p_share,
        outcome=outcome,
        arousal=xp.where(o.offered, xp.maximum(q.activation + noise, 0.0), 0.0),
        busy=d.behaviour < xp.where(automatic, q.p_auto_busy, q.p_busy),
    )


def _routes(xp: Any, o: Offer, c: PersonDecisions) -> tuple[Any, Any, Any]:
    """(automatic, noticed, approached) implied by the decisions."""
    fires = o.offered & c.fires & ~o.forced
    noticed = fires & c.noticed
    automatic = fires & ~noticed
    approached = o.offered & (o.forced | (~automatic & c.chooses))
    return automatic, noticed, approached


def finish(xp: Any, q: ResponseProbs, o: Offer, c: PersonDecisions) -> Response:
    """The step's Response from its decisions (sampled or observed)."""
    automatic, noticed, approached = _routes(xp, o, c)
    delib_kind = xp.where(c.busy, GETS_BUSY, LESS_AVAILABLE)
    auto_kind = xp.where(
        c.busy & (q.auto_kind == DEFLECTS),
        GETS_BUSY,
        xp.where(c.busy & (q.auto_kind == SHUTS_DOWN), LESS_AVAILABLE, q.auto_kind),
    )
    behaviour = xp.where(
        approached | ~o.offered, SHARES, xp.where(automatic, auto_kind, delib_kind)
    )
    # Staying with arousal is distress; withdrawing ends it. Beyond the window of tolerance the
    # arousal endured is itself aversive (sensitisation), whatever the other's response.
    distress = xp.where(approached, c.arousal, 0.0)
    overwhelmed = approached & (c.arousal > q.tolerance)
    return Response(
        o.offered,
        approached,
        automatic,
        noticed,
        q.activation,
        q.threat,
        q.habit,
        c.arousal,
        behaviour,
        c.outcome,
        distress,
        overwhelmed,
    )


def bernoulli_log_prob(xp: Any, p: Any, x: Any) -> Any:
    """log P(x) for a Bernoulli(p) outcome x. ``p`` is clipped to [0, 1] as the sampler
    ``u < p`` treats it (a rate above 1 at the edge of the parameter space always fires), and
    floored at ``TINY`` inside the logarithm."""
    p = xp.clip(p, 0.0, 1.0)
    return xp.where(x, xp.log(xp.maximum(p, TINY)), xp.log(xp.maximum(1.0 - p, TINY)))


def decisions_log_prob(xp: Any, q: ResponseProbs, o: Offer, c: PersonDecisions) -> PersonDecisions:
    """The log-probability of each decision, 0 where the decision is not taken (no offer; a
    forced share; a reaction that did not fire cannot be noticed; ...). The arousal term is a
    density: the logistic's where the arousal is above 0, the mass of the censored tail at 0."""
    automatic, _, approached = _routes(xp, o, c)
    free = o.offered & ~o.forced
    fires = free & c.fires
    z = (c.arousal - q.activation) / q.noise
    log_pdf = -z - 2.0 * xp.log1p(xp.exp(-z)) - xp.log(q.noise)
    log_zero = -xp.log1p(xp.exp(q.activation / q.noise))  # P(noise <= -activation)
    p_out = xp.where(
        c.outcome == 1, q.warm, xp.where(c.outcome == -1, q.hurt, 1.0 - q.warm - q.hurt)
    )
    zero = xp.zeros_like(q.warm)
    return PersonDecisions(
        fires=xp.where(free, bernoulli_log_prob(xp, q.p_auto, c.fires), zero),
        noticed=xp.where(fires, bernoulli_log_prob(xp, q.caught, c.noticed), zero),
        chooses=xp.where(free & ~automatic, bernoulli_log_prob(xp, q.p_share, c.chooses), zero),
        outcome=xp.where(o.offered, xp.log(xp.maximum(p_out, TINY)), zero),
        arousal=xp.where(o.offered, xp.where(c.arousal > 0, log_pdf, log_zero), zero),
        busy=xp.where(
            o.offered & ~approached & ~automatic,
            bernoulli_log_prob(xp, q.p_busy, c.busy),
            xp.where(
                automatic & (q.auto_kind != LEAVES_EARLY),
                bernoulli_log_prob(xp, q.p_auto_busy, c.busy),
                zero,
            ),
        ),
    )


def respond(xp: Any, p: PersonParams, s: PersonState, o: Offer, u: Any, flags: Any) -> Response:
    """Simulate one response: probabilities, then decisions from the uniforms ``u``
    ((>= N_PERSON_DRAWS, *B), in ``PersonDraws`` order)."""
    q = response_probs(xp, p, s, o, flags)
    return finish(xp, q, o, sample_decisions(xp, q, o, PersonDraws.of(u)))


def person_step(
    xp: Any,
    p: PersonParams,
    s: PersonState,
    o: Offer,
    u: Any,
    flags: Any,
    token: Any = None,
    variant: Any = None,
    days: int = 1,
) -> tuple[PersonState, Response]:
    """One step: respond to the offer; time passes (need grows); learn from what happened.

    ``token``: the step's index (a traced scalar shared by the whole batch), so that under JAX
    the response is computed once (see ``person.once``); None skips that. ``variant``: an adult
    variant's switch vector (``person.learn``); None learns by closeloop's rules. ``days``: the
    step's length in days (``person.DAYS_PER_WEEK`` in the early history).
    """
    r = respond(xp, p, s, o, u, flags)
    if token is not None:
        r = once(xp, r, token)
    return learn(xp, p, tick(xp, p, s, flags, variant, days), o, r, flags, variant), r


def person_step_scored(
    xp: Any, p: PersonParams, s: PersonState, o: Offer, c: PersonDecisions, flags: Any
) -> tuple[PersonState, Response, PersonDecisions]:
    """One step with its decisions given: the state they lead to, the Response, and each
    decision's log-probability (``decisions_log_prob``). Differentiable in ``p``."""
    q = response_probs(xp, p, s, o, flags)
    r = finish(xp, q, o, c)
    return learn(xp, p, tick(xp, p, s, flags), o, r, flags), r, decisions_log_prob(xp, q, o, c)
