"""The figures about development and single people: K1, K2, K3, K4, K7 and K8.

Each function takes the setting's ``Runs`` (the simulations are made there, once) and returns the
figure's ``Row``. A figure the model cannot express says what is missing instead of a number.
"""

from __future__ import annotations

import numpy as np

from closeloop.calibration.rows import Band, Row, above, corr_ci, mean_ci, two_sided
from closeloop.calibration.runs import Runs
from closeloop.model.history import (
    HURT_DEEP,
    HURT_SHALLOW,
    STYLE_NAMES,
    STYLE_TABLE,
    WARM_DEEP,
    WARM_SHALLOW,
)
from closeloop.model.person import CONTEXT_NAMES
from closeloop.observation import questionnaire
from closeloop.scenario import Scenario

PARTNER = CONTEXT_NAMES.index("partner")
DEEP = 3
"""Depths from 'fears and needs' up count as deep (the couple record's ``threat_deep``)."""

ADULT_MONTH = 30
"""K4: the questionnaire is given at the end of the first adult month (one monthly snapshot)."""

EXPOSURE_DAYS = 180
"""K8: days of safe exposure (long enough for the forced group's threat to settle)."""

ONE_SIDED_THREAT = 0.05
"""Scale of a one-sided band on a threat or satisfaction difference (docs/calibration.md 2)."""

ONE_SIDED_R = 0.1
"""Scale of a one-sided band on a correlation."""


def k1(runs: Runs) -> Row:
    """Infant attachment in the Strange Situation: not expressible on main."""
    return Row(
        "K1",
        "Strange Situation, pooled samples: about 65% secure, 21% avoidant, 14% resistant "
        "(pooled split unverified; per-country splits vary widely)",
        "van IJzendoorn & Kroonenberg 1988, Cross-cultural patterns of attachment: a "
        "meta-analysis of the Strange Situation",
        missing="a reading of the early history at 12-20 months (the history scan returns only "
        "the adult state) and an infant classification (secure, avoidant, resistant) observed "
        "from behaviour toward the caregiver",
    )


def k2(runs: Runs) -> Row:
    """Stability of attachment in early childhood: not expressible on main."""
    return Row(
        "K2",
        "Early-childhood attachment stability: kappa about .23 (four categories), r about .28 "
        "(secure vs insecure)",
        "Opie et al. 2021, Early childhood attachment stability and change: a meta-analysis",
        missing="history snapshots at age 1 and about age 5 and a child attachment "
        "classification to compare between them",
    )


def caregiving_quality() -> np.ndarray:
    """Each caregiving style's quality: mean warmth minus mean hurt over the depths (linear in
    depth, so the mean of the shallow and deep values)."""
    t = STYLE_TABLE
    warm = (t[:, WARM_SHALLOW] + t[:, WARM_DEEP]) / 2
    hurt = (t[:, HURT_SHALLOW] + t[:, HURT_DEEP]) / 2
    return np.asarray(warm - hurt, dtype=np.float64)


def k3(runs: Runs) -> Row:
    """Caregiving quality and the adult template: the size of the association."""
    ds = runs.people("template", Scenario(name="calibration-template", days=1))
    quality = dict(zip(STYLE_NAMES, caregiving_quality(), strict=True))
    q = np.array([quality[str(c)] for c in ds["caregiving"].values])
    threat = ds["template0"].values[:, PARTNER, :].mean(axis=1)
    est = corr_ci(q, threat)
    band = Band(
        -0.15,
        -0.30,
        -0.05,
        0.125,
        "published associations are small (order .1 to .2; magnitudes secondary-sourced): the "
        "band spans small associations, insecurity falling with better care",
    )
    return Row(
        "K3",
        "Caregiving quality predicts adult attachment, with small associations (r of order .1-.2)",
        "Fraley, Roisman, Booth-LaForce, Owen & Holland 2013, Interpersonal and genetic origins "
        "of adult attachment styles",
        (
            est.measure(
                "r",
                "r(caregiving quality, adult partner-context threat), default population",
                band,
            ),
        ),
    )


def k4(runs: Runs) -> Row:
    """Anxiety and avoidance as an adult questionnaire measures them: their correlation."""
    ds = runs.people("adults", Scenario(name="calibration-adults", days=ADULT_MONTH))
    q = questionnaire(ds, seed=runs.setting.seed)
    est = corr_ci(q["anxiety"].to_numpy(float), q["avoidance"].to_numpy(float))
    band = two_sided(
        0.2,
        0.1,
        "the design file's order of magnitude (r of .1 to .3, unverified); a meta-analysis "
        "(Cameron, Finnegan & Morry 2012) finds the two positively correlated, more with the "
        "ECR-R, whose scale the questionnaire uses",
    )
    return Row(
        "K4",
        "Attachment anxiety and avoidance are positively, weakly to moderately correlated in "
        "adult self-report (larger with the ECR-R than the ECR)",
        "Brennan, Clark & Shaver 1998; Fraley, Waller & Brennan 2000; Cameron, Finnegan & Morry "
        "2012 (meta-analysis)",
        (
            est.measure(
                "r",
                "r(questionnaire anxiety, questionnaire avoidance), default population, the end "
                "of the first adult month (cl.questionnaire, with measurement error)",
                band,
            ),
        ),
    )


def k7(runs: Runs) -> Row:
    """Within-session fear reduction and outcome: not expressible."""
    return Row(
        "K7",
        "How much fear falls within an exposure session does not predict how well exposure works",
        "Craske, Kircanski, Zelikowsky, Mystkowski, Chowdhury & Baker 2008, Optimizing "
        "inhibitory learning during exposure therapy",
        missing="time steps within a session (a session is one step of the model), so no "
        "within-session course of felt threat to set against the long-run outcome",
    )


def k8(runs: Runs) -> Row:
    """Avoiding during extinction keeps threat: free to withdraw vs made to share, same people."""

    def exposure(forced: float) -> Scenario:
        return Scenario(
            name=f"calibration-safe-exposure-{forced:g}",
            population={"avoidant": 1.0},
            world={"hurt_rate": 0.0, "forced": forced},
            days=EXPOSURE_DAYS,
        )

    free = runs.people("exposure-free", exposure(0.0))
    made = runs.people("exposure-forced", exposure(1.0))
    deep = (slice(None), PARTNER, slice(DEEP, None))
    diff = free["threat"].values[deep].mean(axis=1) - made["threat"].values[deep].mean(axis=1)
    band = above(0.0, ONE_SIDED_THREAT, "avoiding preserves threat; the source gives a direction")
    return Row(
        "K8",
        "Being allowed to avoid during extinction keeps threat expectancy high",
        "Lovibond, Mitchell, Minard, Brady & Menzies 2009, Safety behaviours preserve threat "
        "beliefs",
        (
            mean_ci(diff).measure(
                "threat difference",
                f"deep partner threat after {EXPOSURE_DAYS} safe days: free to withdraw minus "
                "made to share (same avoidant people)",
                band,
            ),
        ),
    )
