"""The measurement model's constants (``closeloop.observation``), declared as parameters: how
latent closeness and stress are composed, and how noisy the ratings are. The measurement runs in
NumPy after the simulation, so these never reach a compiled kernel."""

from __future__ import annotations

from dataclasses import dataclass

from closeloop.params._spec import (
    Array,
    ParamsBase,
    TruncNormal,
    build,
    param,
    params_class,
)
from closeloop.params.refs import ASSUMPTION

LAURENCEAU = (
    "Laurenceau, Barrett & Pietromonaco 1998, Intimacy as an interpersonal process: the "
    "importance of self-disclosure, partner disclosure, and perceived partner responsiveness"
)
REIS = "Reis & Shaver 1988, Intimacy as an interpersonal process"
FRALEY = (
    "Fraley, Waller & Brennan 2000, An item response theory analysis of self-report measures of "
    "adult attachment"
)
SIBLEY = (
    "Sibley, Fischer & Liu 2005, Reliability and validity of the revised Experiences in Close "
    "Relationships (ECR-R) self-report measure of adult romantic attachment"
)
BARTHOLOMEW = (
    "Bartholomew & Horowitz 1991, Attachment styles among young adults: a test of a "
    "four-category model"
)
AINSWORTH = "Ainsworth, Blehar, Waters & Wall 1978, Patterns of attachment"
MAIN_SOLOMON = (
    "Main & Solomon 1990, Procedures for identifying infants as disorganized/disoriented during "
    "the Ainsworth Strange Situation"
)
OPIE = "Opie et al. 2021, Early childhood attachment stability and change: a meta-analysis"
FUNK = (
    "Funk & Rogge 2007, Testing the ruler with item response theory: increasing precision of "
    "measurement for relationship satisfaction with the Couples Satisfaction Index"
)


def _noise(default: float, what: str) -> Array:
    return param(
        default,
        low=0.0,
        high=0.5,
        unit="1",
        label=f"how noisy the {what} rating is",
        meaning=(
            f"SD of the Gaussian noise added to latent {what} (on its [0, 1] scale, before the "
            "1-7 mapping: 0.1 is 0.6 of a scale point)."
        ),
        ref=ASSUMPTION,
    )


def _day(default: float, what: str) -> Array:
    return param(
        default,
        low=0.0,
        high=1.0,
        unit="1",
        label=f"closeness of a day: {what}",
        meaning=f"Value of the day's responsiveness term of latent closeness for: {what}.",
        ref=LAURENCEAU,
    )


@params_class("observation", "observation")
@dataclass(frozen=True, eq=False)
class ObservationParams(ParamsBase):
    """Constants of the diary's measurement model (scalars)."""

    noise_closeness: Array = _noise(0.10, "closeness")
    noise_satisfaction: Array = _noise(0.08, "satisfaction")
    noise_stress: Array = _noise(0.12, "stress")
    known_weight: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much being known counts in felt closeness",
        meaning=(
            "Share of latent closeness from mutual knowing; the rest is the day's responsiveness."
        ),
        ref=REIS,
    )
    arousal_weight: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much the day's arousal counts in felt stress",
        meaning="Share of latent stress from the day's arousal; the rest is 1 - stability.",
        ref=ASSUMPTION,
    )
    day_bid_met: Array = _day(1.0, "own bid met")
    day_bid_away: Array = _day(0.25, "own bid turned away from")
    day_bid_against: Array = _day(0.0, "own bid turned against")
    day_toward: Array = _day(0.85, "turned toward the partner's bid")
    day_pulled_back: Array = _day(0.4, "pulled back from the partner's bid")
    day_repaired: Array = _day(0.75, "conflict repaired")
    day_not_repaired: Array = _day(0.1, "conflict not repaired")
    day_nothing: Array = _day(0.5, "nothing happened")
    # The questionnaire (closeloop.observation.questionnaire).
    ecr_threat_weight: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much deep threat counts in questionnaire avoidance",
        meaning=(
            "Share of latent avoidance from felt threat at the deep levels (fears and needs, "
            "being fully known; partner context); the rest is the avoidance habit there."
        ),
        ref=FRALEY,
    )
    ecr_trait_weight: Array = param(
        0.8,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much the anxiety gain counts in questionnaire anxiety",
        meaning=(
            "Share of latent anxiety from the learned gain `anxiety`; the rest is the "
            "hyperactivating part of the seeking strategy, (1 - mean R) x max(2E - 1, 0)."
        ),
        ref=FRALEY,
    )
    ecr_score_sd: Array = param(
        1.1,
        low=0.1,
        high=3.0,
        unit="scale points",
        label="spread of ECR-R subscale scores in a study sample",
        meaning=(
            "Standard deviation of an ECR-R subscale score (mean of 18 items, 1-7) in a typical "
            "sample; with the reliability it sets the measurement error."
        ),
        ref=ASSUMPTION,
    )
    ecr_reliability: Array = param(
        0.85,
        low=0.0,
        high=1.0,
        unit="1",
        label="reliability of the ECR-R subscales over weeks",
        meaning=(
            "Share of a subscale score's variance that is stable over three weeks (about 85% in "
            "Sibley et al. 2005); the error SD is ecr_score_sd x sqrt(1 - reliability)."
        ),
        ref=SIBLEY,
        prior=TruncNormal(
            0.855,
            0.03,
            0.75,
            0.95,
            source=(
                "Sibley, Fischer & Liu 2005, Reliability and validity of the revised Experiences "
                "in Close Relationships (ECR-R): 85% shared variance over 3 weeks; Sibley & Liu "
                "2004, Short-term temporal stability and factor structure of the ECR-R: 86% over "
                "6 weeks"
            ),
        ),
    )
    ecr_cut_anxiety: Array = param(
        4.0,
        low=1.0,
        high=7.0,
        unit="scale points",
        label="anxiety score from which a person counts as anxious",
        meaning=(
            "Cut-off on the anxiety score for the four categories (the scale midpoint): at or "
            "above it, preoccupied or fearful."
        ),
        ref=BARTHOLOMEW,
    )
    ecr_cut_avoidance: Array = param(
        4.0,
        low=1.0,
        high=7.0,
        unit="scale points",
        label="avoidance score from which a person counts as avoidant",
        meaning=(
            "Cut-off on the avoidance score for the four categories (the scale midpoint): at or "
            "above it, dismissing or fearful."
        ),
        ref=BARTHOLOMEW,
    )
    csi_score_sd: Array = param(
        15.0,
        low=1.0,
        high=40.0,
        unit="scale points",
        label="spread of CSI-16 scores in a study sample",
        meaning=(
            "Standard deviation of the CSI-16 total (0-81) in a typical sample; with the "
            "reliability it sets the measurement error."
        ),
        ref=ASSUMPTION,
    )
    csi_reliability: Array = param(
        0.98,
        low=0.0,
        high=1.0,
        unit="1",
        label="reliability of the CSI-16",
        meaning=(
            "Internal consistency of the CSI-16 in its development sample; the error SD is "
            "csi_score_sd x sqrt(1 - reliability)."
        ),
        ref=FUNK,
    )
    csi_cut: Array = param(
        51.5,
        low=0.0,
        high=81.0,
        unit="scale points",
        label="CSI-16 score below which a relationship counts as distressed",
        meaning=(
            "Distress cut-off of the CSI-16 given by its authors: totals below it indicate "
            "notable relationship dissatisfaction."
        ),
        ref=FUNK,
    )

    # The Strange Situation read off the early history (closeloop.analysis.infant).
    ssp_age: Array = param(
        1.25,
        low=1.0,
        high=1.67,
        unit="years",
        label="age at the infant Strange Situation",
        meaning=(
            "Age at which the early history's state is read for the infant classification: 15 "
            "months, inside the 12 to 20 months for which the procedure was built."
        ),
        ref=AINSWORTH,
    )
    ssp_later_age: Array = param(
        5.0,
        low=2.0,
        high=7.0,
        unit="years",
        label="age at the later reassessment",
        meaning=(
            "Age of the second reading, for the stability of the classification across early "
            "childhood (the preschool and early school epoch of the meta-analysis)."
        ),
        ref=OPIE,
    )
    ssp_depth: Array = param(
        3.0,
        low=0.0,
        high=4.0,
        unit="level",
        label="depth of the bid at reunion",
        meaning=(
            "Depth of closeness at which the reunion's bid for comfort is read: 3, fears and "
            "needs (after two separations the child's need for comfort is what is at stake)."
        ),
        ref=AINSWORTH,
        step=1.0,
    )
    ssp_importance: Array = param(
        1.0,
        low=0.0,
        high=1.0,
        unit="1",
        label="how much the reunion matters to the child",
        meaning=(
            "Importance of the reunion's bid (the history draws it uniform on [0, 1)): at the "
            "top, since the separations are built to raise the need for the caregiver."
        ),
        ref=AINSWORTH,
    )
    ssp_seek_cut: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="prob",
        label="seeking below which a reunion counts as turning away",
        meaning=(
            "Cut-off on the probability that the child seeks the caregiver at reunion: below "
            "it the child turns away more often than it seeks (avoidant, or disorganized with "
            "the anxious strategy). The middle of the scale, as the adult cut-offs."
        ),
        ref=AINSWORTH,
    )
    ssp_anxiety_cut: Array = param(
        0.5,
        low=0.0,
        high=1.0,
        unit="1",
        label="learned anxiety from which a child counts as hyperactivating",
        meaning=(
            "Cut-off on the attachment anxiety learned so far (history.learned_anxiety of the "
            "protest contingency at that age): at or above it the child's seeking is the "
            "anxious, hyperactivating strategy (resistant, or disorganized when it also turns "
            "away). The middle of the scale, as the adult cut-offs."
        ),
        ref=MAIN_SOLOMON,
    )


OBSERVATION_SPECS = ObservationParams.SPECS
DAY_FIELDS = {
    "own bid met": "day_bid_met",
    "own bid turned away from": "day_bid_away",
    "own bid turned against": "day_bid_against",
    "turned toward the partner's bid": "day_toward",
    "pulled back from the partner's bid": "day_pulled_back",
    "conflict repaired": "day_repaired",
    "conflict not repaired": "day_not_repaired",
    "nothing happened": "day_nothing",
}
"""The diary's names of the day's exchanges -> the field holding each one's closeness."""


def observation_params(**values: object) -> ObservationParams:
    """Validated measurement constants; unspecified ones take their defaults."""
    return build(ObservationParams, "observation", values)
