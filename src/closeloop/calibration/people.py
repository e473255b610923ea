"""The figures about development and single people: K1, K2, K3, K4, K7 and K8.

Each function takes the setting's ``Runs`` (the simulations are made there, once) and returns the
figure's ``Row``. A figure the model cannot express says what is missing instead of a number.
"""

from __future__ import annotations

import numpy as np

from closeloop import mechanisms
from closeloop.analysis import infant
from closeloop.calibration.rows import (
    Band,
    Row,
    above,
    boot_ci,
    corr_ci,
    mean_ci,
    proportion_ci,
    two_sided,
)
from closeloop.calibration.runs import PEOPLE_RUNS, Runs
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
from closeloop.params import history_params, observation_params
from closeloop.scenario import Scenario

PARTNER = CONTEXT_NAMES.index("partner")
DEEP = 3
"""Depths from 'fears and needs' up count as deep (the couple record's ``threat_deep``)."""

EXPOSURE_DAYS = 180
"""K8: days of safe exposure (long enough for the forced group's threat to settle)."""

ONE_SIDED_THREAT = 0.05
"""Scale of a one-sided band on a threat or satisfaction difference (docs/calibration.md 2)."""

ONE_SIDED_R = 0.1
"""Scale of a one-sided band on a correlation."""

K1_TOL = 0.10
"""Half-width (and loss scale) of K1's bands on the three shares (docs/calibration.md 7)."""

K2_TOL = 0.10
"""Half-width (and loss scale) of K2's bands on kappa and r (docs/calibration.md 7)."""


def child_classes(runs: Runs) -> tuple[np.ndarray, np.ndarray]:
    """The four-group classification (``analysis.infant.CATEGORIES``) of the setting's
    default-mix people at the Strange Situation's two ages (``Runs.child``)."""
    run = runs.child()
    obs, hp = observation_params(), history_params(**runs.setting.history)
    child, traits = run.start["child"], np.asarray(run.start["params"])
    out = []
    for j in range(2):
        seek = infant.reunion_seeking(
            traits, infant.snapshot_state(child, j), obs, mechanisms.flags(())
        )
        anx = infant.child_anxiety(hp, np.asarray(child["slope"][:, j]))
        out.append(infant.classify(seek, anx, obs))
    return out[0], out[1]


def k1(runs: Runs) -> Row:
    """Infant attachment in the Strange Situation: the three groups' shares at about 15 months."""
    first = infant.three_way(child_classes(runs)[0])
    n = first.size
    reason = (
        "the pooled split is unverified and samples differ widely (per country, secure 57-75%, "
        "avoidant 5-35%, resistant 3-27%; variation within countries 1.5 times that between "
        "them), so each share gets +/- .10"
    )
    targets = {"secure": 0.65, "avoidant": 0.21, "resistant": 0.14}
    measures = tuple(
        proportion_ci(int(np.sum(first == infant.CATEGORIES.index(name))), n).measure(
            name,
            f"share classified {name} at the infant Strange Situation (analysis.infant; "
            "disorganized counted as avoidant), default population",
            two_sided(target, K1_TOL, reason),
        )
        for name, target in targets.items()
    )
    return Row(
        "K1",
        "Strange Situation, pooled samples: about 65% secure, 21% avoidant, 14% resistant "
        "(pooled split unverified; per-country splits vary widely)",
        "van IJzendoorn & Kroonenberg 1988, Cross-cultural patterns of attachment: a "
        "meta-analysis of the Strange Situation",
        measures,
    )


def k2(runs: Runs) -> Row:
    """Stability of attachment in early childhood: agreement between about 15 months and 5."""
    first, later = child_classes(runs)
    k = len(infant.CATEGORIES)
    seed, reps = runs.setting.seed, runs.setting.reps
    kappa = boot_ci(lambda a, b: infant.cohen_kappa(a, b, k), (first, later), seed, reps)
    secure = (first == infant.SECURE).astype(float), (later == infant.SECURE).astype(float)
    reason = "meta-analytic estimate (Opie et al. 2021, verified in the abstract); +/- .10"
    return Row(
        "K2",
        "Early-childhood attachment stability: kappa about .23 (four categories), r about .28 "
        "(secure vs insecure)",
        "Opie et al. 2021, Early childhood attachment stability and change: a meta-analysis",
        (
            kappa.measure(
                "kappa (4 groups)",
                "Cohen's kappa between the four-group classifications at about 15 months and "
                "at 5 years, default population",
                two_sided(0.23, K2_TOL, reason),
            ),
            corr_ci(*secure).measure(
                "r (secure vs insecure)",
                "r between secure (1) or not (0) at about 15 months and at 5 years",
                two_sided(0.28, K2_TOL, reason),
            ),
        ),
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
    ds = runs.people("template", PEOPLE_RUNS["template"])
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
    ds = runs.people("adults", PEOPLE_RUNS["adults"])
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
    """Within-session fear reduction and outcome: not expressible (docs/calibration.md 7)."""
    return Row(
        "K7",
        "How much fear falls within an exposure session does not predict how well exposure works",
        "Craske, Kircanski, Zelikowsky, Mystkowski, Chowdhury & Baker 2008, Optimizing "
        "inhibitory learning during exposure therapy",
        missing="time steps within a session: an exposure exercise is one step of the model "
        "(one offer, healing.exposure_offer), so the record holds felt threat only before and "
        "after a session; the fall across that step is the session's own learning, the same "
        "quantity as the fall between sessions, and its correlation with the outcome would read "
        "the code back rather than test the claim",
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
