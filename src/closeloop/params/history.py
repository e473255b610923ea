"""The early history's constants, declared as parameters: when closeness moves from home to peers,
how a child's need shows, what ordinary peers are like, and how event ages vary.

The caregiving styles and acute events stay declared data tables in ``closeloop.model.history``
(``STYLES``, ``EVENTS``: one row of several numbers per named style or event, each with its own
reference; their ranges are checked in tests/test_literals.py) and travel to the engine as data.
``HistoryParams`` travels through the engine as data too, one value per unit (a scenario's
``[history]`` table, a sweep or a fit), so a new value never recompiles.
"""

from __future__ import annotations

from dataclasses import dataclass

from closeloop.params._spec import Array, ParamsBase, Uniform, build, param, params_class
from closeloop.params.refs import ASSUMPTION

FURMAN = (
    "Furman & Buhrmester 1992, Age and sex differences in perceptions of networks of personal "
    "relationships"
)
KOPP = "Kopp 1989, Regulation of distress and negative emotions: a developmental view"
CASSIDY = (
    "Cassidy & Berlin 1994, The insecure/ambivalent pattern of attachment: theory and research; "
    "Main 1990, Cross-cultural studies of attachment organization"
)
BRENNAN = "Brennan, Clark & Shaver 1998, Self-report measurement of adult attachment"
GOLD = (
    "Gold, Wagner, McLanahan & Brooks-Gunn 2020, Family instability from birth to adolescence: "
    "evidence from a birth cohort study"
)


def _peer(default: float, label: str, meaning: str) -> Array:
    return param(
        default,
        low=0.0,
        high=1.0,
        unit="prob",
        label=label,
        meaning=meaning,
        ref=FURMAN,
        claims=("P1",),
    )


@params_class("history", "history")
@dataclass(frozen=True, eq=False)
class HistoryParams(ParamsBase):
    """Constants of the history from birth to adulthood (scalars)."""

    home_until: Array = param(
        16.0,
        low=10.0,
        high=19.0,
        unit="years",
        label="age at which closeness moves from home to peers",
        meaning=(
            "Age at which most closeness moves from caregivers to peers and first partners; "
            "until then a child's need shows more than they choose."
        ),
        ref=FURMAN,
        claims=("P1",),
        step=0.5,
    )
    exposure_birth: Array = param(
        0.9,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how much a newborn's need shows whatever they would hide",
        meaning=(
            "Probability at birth that a need is shown (the child shares) whatever the routes say."
        ),
        ref=KOPP,
        claims=("P1",),
    )
    exposure_drop: Array = param(
        0.8,
        low=0.0,
        high=1.0,
        unit="prob",
        label="how much of that fades by the age of leaving home",
        meaning=(
            "Fall of that probability, linear from birth to home_until (0.9 - 0.8 = 0.1 by "
            "then) and flat after; at most exposure_birth."
        ),
        ref=KOPP,
        claims=("P1",),
    )
    peer_warm_shallow: Array = _peer(
        0.70,
        "how warm peers are about everyday things",
        "Probability that peers and first partners meet sharing warmly at small talk.",
    )
    peer_warm_deep: Array = _peer(
        0.55,
        "how warm peers are about deep things",
        "Probability that peers and first partners meet sharing warmly at the deepest depth "
        "(linear over depth in between).",
    )
    peer_hurt_shallow: Array = _peer(
        0.03,
        "how often peers hurt about everyday things",
        "Probability that peers and first partners meet sharing with hurt at small talk.",
    )
    peer_hurt_deep: Array = _peer(
        0.06,
        "how often peers hurt about deep things",
        "Probability that peers and first partners meet sharing with hurt at the deepest depth.",
    )
    peer_partner_share: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="prob",
        label="share of adolescent closeness from first partners",
        meaning=(
            "After home_until, the probability that a week's offer comes from a first partner "
            "(the partner context) rather than a friend."
        ),
        ref=ASSUMPTION,
        claims=("P4",),
        mechanisms=("context_binding",),
    )
    anxiety_floor: Array = param(
        0.15,
        low=0.0,
        high=1.0,
        unit="1",
        label="attachment anxiety when reaching harder never paid",
        meaning=(
            "The adult's anxiety (gain from felt distance to pursuit) learned by a child whose "
            "greater need never brought more warmth than expected (protest contingency <= 0)."
        ),
        ref=BRENNAN,
        claims=("D1", "D2"),
        mechanisms=("pursuit",),
    )
    anxiety_per_protest: Array = param(
        2.6,
        low=0.0,
        high=5.0,
        unit="1/slope",
        label="how much learning that reaching harder works raises anxiety",
        meaning=(
            "Rise of the adult's anxiety per unit of the learned protest contingency (the slope "
            "of warmth beyond expectation on the need shared with, at home)."
        ),
        ref=CASSIDY,
        claims=("D1", "D2"),
        mechanisms=("pursuit",),
        step=0.05,
    )
    protest_prior: Array = param(
        5.0,
        low=0.0,
        high=50.0,
        unit="need^2",
        label="how much varied need it takes to learn that reaching harder works",
        meaning=(
            "Prior of the learned protest contingency: added to the sum of squared deviations of "
            "need, so that a slope learned from little variation in need stays near 0."
        ),
        ref=ASSUMPTION,
        claims=("D1", "D2"),
        mechanisms=("pursuit",),
        step=0.1,
    )
    event_age_jitter: Array = param(
        0.5,
        low=0.0,
        high=5.0,
        unit="years",
        label="how much the age of an acute event varies",
        meaning="A preset's event ages vary uniformly by this many years either side.",
        ref=ASSUMPTION,
        step=0.1,
    )
    care_change_rate: Array = param(
        0.1,
        low=0.0,
        high=1.0,
        unit="1/year",
        label="how often a child's caregiving circumstances change",
        meaning=(
            "Yearly rate of family transitions while the child is at home (until home_until): "
            "at each, the caregiving is drawn anew from the population's caregiving styles "
            "(possibly alike). 0.1: about 1.5 changes in family structure by age 15 on average "
            "in a US birth cohort."
        ),
        ref=GOLD,
        claims=("P3",),
        mechanisms=("caregiving_change",),
        step=0.01,
        prior=Uniform(
            0.059,
            0.2,
            source=(
                "Gold, Wagner, McLanahan & Brooks-Gunn 2020: 0.89 changes by age 15 for children "
                "of married parents, 3.00 for children of single mothers (per year: 0.059 to 0.2)"
            ),
        ),
    )


HISTORY_SPECS = HistoryParams.SPECS


def history_params(**values: object) -> HistoryParams:
    """Validated history constants; unspecified ones take their defaults."""
    return build(HistoryParams, "history", values)


HISTORY = history_params()
"""The history's defaults (what a run uses unless a scenario or a caller sets others)."""
