"""A person's parameters: the traits (``traits.py``) and the person-level terms of the response
and of the newborn's start, promoted from literals of ``closeloop.model.person``."""

from __future__ import annotations

from dataclasses import dataclass, fields

from closeloop.params._spec import Array, Beta, build, param, params_class
from closeloop.params.refs import ASSUMPTION
from closeloop.params.traits import Traits


@params_class("person", "person")
@dataclass(frozen=True, eq=False)
class PersonParams(Traits):
    """Parameters of a person (float32 arrays; one value per unit inside the engine): the traits,
    then the cut-offs that decide which form a withdrawal takes and the newborn's start."""

    strong_margin: Array = param(
        0.35,
        low=0.0,
        high=1.0,
        unit="activation",
        label="how far past the threshold alarm turns into shutting down or leaving",
        meaning=(
            "An automatic withdrawal with activation at or above threshold + strong_margin is "
            "strong (shuts down, or leaves early under pressure); below it the person deflects "
            "with a joke."
        ),
        ref=ASSUMPTION,
        claims=("D1",),
        mechanisms=("automatic_route",),
    )
    leave_pressure: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much pressure turns a strong reaction into leaving",
        meaning=(
            "Felt pressure at or above which a strong automatic withdrawal is leaving early (met "
            "by the partner as turning against the bid) rather than shutting down."
        ),
        ref=(
            "Christensen & Heavey 1990, Gender and social structure in the demand/withdraw "
            "pattern of marital conflict"
        ),
        claims=("D1",),
        mechanisms=("pressure",),
    )
    busy_share: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how often a chosen withdrawal is getting busy",
        meaning=(
            "Probability that a deliberate withdrawal takes the form 'gets busy' rather than "
            "'less available' (the form is recorded; both turn away from the bid)."
        ),
        ref=ASSUMPTION,
    )
    auto_busy: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how often an automatic withdrawal is getting busy or becoming unavailable",
        meaning=(
            "Probability that an automatic withdrawal without pressure takes an unavailable form "
            "('gets busy' for a mild reaction, 'less available' for a strong one) rather than a "
            "deflecting joke or shutting down: the unreflective route turns to a task or goes "
            "absent too. Unlike a chosen withdrawal, it does not track the day's stakes."
        ),
        ref=(
            "Dickinson 1985, Actions and habits: the development of behavioural autonomy; "
            "Wood & Runger 2016, Psychology of habit"
        ),
        mechanisms=("automatic_route",),
    )
    reward_start: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="what a newborn expects sharing to bring",
        meaning=(
            "Expected reward of sharing R at every depth at birth (neutral: neither good nor bad)."
        ),
        ref=ASSUMPTION,
        mechanisms=("reward_learning",),
        role="history",
    )
    seek_start: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="prob",
        label="what a newborn expects of reaching out",
        meaning=(
            "Expectation E at birth that intensified seeking brings a response (even: the "
            "attachment strategy is learned, not given)."
        ),
        ref=ASSUMPTION,
        mechanisms=("attachment_strategy",),
        role="history",
    )

    labile_fade: Array = param(
        0.07,
        low=0.0,
        high=0.5,
        unit="1/day",
        label="how fast newly learned safety fades before it is consolidated",
        meaning=(
            "Fraction per day by which the labile part of inhibition (safety learned recently, "
            "not yet consolidated) fades (mechanisms spontaneous_recovery, labile_safety): "
            "alone it halves in ln 2 / 0.07 = 10 days, so extinguished threat comes partly back "
            "within days to two weeks of a session, as in the laboratory."
        ),
        ref=(
            "Quirk 2002, Memory for extinction of conditioned fear is long-lasting and persists "
            "following spontaneous recovery; Rescorla 2004, Spontaneous recovery"
        ),
        claims=("H4",),
        mechanisms=("spontaneous_recovery", "labile_safety"),
        role="person",
        prior=Beta(2.0, 8.0, 0.0, 0.5),
    )
    consolidation: Array = param(
        0.07,
        low=0.0,
        high=0.5,
        unit="1/day",
        label="how fast newly learned safety is consolidated",
        meaning=(
            "Fraction per day of the labile part of inhibition that moves to the consolidated "
            "part, which fades only at the slow rate recovery (mechanism labile_safety). With "
            "labile_fade at the same rate, a lesson nothing renews keeps about half of itself "
            "(c(1 - f) / (1 - (1 - f)(1 - c)) = 0.48) after about two weeks, and that half "
            "lasts years."
        ),
        ref=(
            "Quirk 2002, Memory for extinction of conditioned fear is long-lasting and persists "
            "following spontaneous recovery; Choy, Fyer & Lipsitz 2007, Treatment of specific "
            "phobia in adults"
        ),
        claims=("H4",),
        mechanisms=("labile_safety",),
        role="person",
        prior=Beta(2.0, 8.0, 0.0, 0.5),
    )


PERSON_SPECS = PersonParams.SPECS
TRAITS: tuple[str, ...] = tuple(f.name for f in fields(Traits))
"""The traits: the person parameters individuals differ in, drawn per unit (with jitter) and
reported in the outputs. The later person fields are the same for everyone unless a scenario sets
them, so they are neither jittered nor reported (keeping the random streams and outputs of runs
from before they were declared)."""


def person_params(**values: object) -> PersonParams:
    """Validated person traits; unspecified ones take their defaults.

    Example:
        >>> p = person_params(threshold=0.3)
        >>> float(p.threshold)
        0.30000001192092896
    """
    return build(PersonParams, "person", values)
