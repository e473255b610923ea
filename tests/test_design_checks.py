"""Cross-checks of the study design's analysis machinery on linear processes with known
coefficients, simulated directly in NumPy: a published power figure, the type I error rate under
a null process, and the recovery of known actor and partner effects."""

from __future__ import annotations

import math

import numpy as np
import pytest

from closeloop.claims.robustness import wilson
from closeloop.design.analyses import fit_analysis, fit_mixed
from closeloop.design.linear import dyadic_panel, level2_study
from closeloop.design.spec import Analysis

LAFIT_MODEL2 = {
    "intercept": 43.01,
    "effect": 1.50,
    "sd_within": 12.62,
    "rho": 0.46,
    "sd_intercept": 12.90,
    "mean_w": 15.70,
    "sd_w": 5.00,
}
"""The worked example of Lafit et al. 2021 (Selection of the number of participants in intensive
longitudinal studies: a user-friendly shiny app and tutorial for performing power analysis in
multilevel regression models that account for temporal dependencies), as its PowerAnalysisIL
repository's README gives it: a level-2 predictor of the mean level, 70 occasions, AR(1) errors."""
LAFIT_T = 70
LAFIT_REPLICATES = 1000
LAFIT_POWER = {15: 0.538, 30: 0.842}
"""Their power curve (README's Image_5.png, 1000 Monte Carlo replicates, REML with AR(1) errors),
read off the figure to about +-0.005."""


def _power(n: int, reps: int) -> float:
    hits = 0
    for r in range(reps):
        e = fit_mixed(*level2_study(n, LAFIT_T, 10_000 * n + r, **LAFIT_MODEL2), alpha=0.05)
        hits += bool(e.p < 0.05 and e.estimate > 0)
    return hits / reps


@pytest.mark.slow
@pytest.mark.parametrize("n", sorted(LAFIT_POWER))
def test_power_agrees_with_the_published_poweranalysisil_figure(n: int) -> None:
    reps = 400
    p = _power(n, reps)
    ref = LAFIT_POWER[n]
    # Both figures are Monte Carlo estimates: their difference's SE combines the two. The app
    # tests with t (nlme's denominator df); closeloop's Wald test uses z, which reads a little
    # higher at small N, so the tolerance is 3 SE plus the read-off error.
    se = math.sqrt(ref * (1 - ref) / reps + ref * (1 - ref) / LAFIT_REPLICATES)
    assert abs(p - ref) <= 3 * se + 0.005, (n, p, ref, se)


@pytest.mark.slow
def test_type_one_error_of_the_partner_effect_is_nominal() -> None:
    """Partners whose series are independent (partner effect 0): the APIM's partner test
    rejects at its nominal 5% (Wilson 95% interval of the rejection rate holds 0.05)."""
    a = Analysis("null", "apim", "partner", "satisfaction", 0.05)
    reps = 400
    rejected = 0
    for r in range(reps):
        arrays = {"satisfaction": dyadic_panel(20, 21, 500 + r, actor=0.3, partner=0.0)}
        rejected += bool(fit_analysis(a, arrays).p < a.alpha)
    lo, hi = wilson(rejected, reps)
    assert lo <= 0.05 <= hi, (rejected / reps, lo, hi)


def test_known_actor_and_partner_effects_are_recovered() -> None:
    """A long linear dyadic panel: actor and partner estimates near their values (the actor
    effect less Nickell's 1981 bias of person-mean centring, about (1 + a) / (T - 1))."""
    days = 100
    arrays = {"closeness": dyadic_panel(60, days, 3, actor=0.4, partner=0.2)}
    actor = fit_analysis(Analysis("a", "apim", "actor", "closeness"), arrays)
    partner = fit_analysis(Analysis("p", "apim", "partner", "closeness"), arrays)
    assert actor.status != "failed" and partner.status != "failed"
    assert abs(actor.estimate - (0.4 - 1.4 / (days - 1))) < 3 * actor.se
    assert abs(partner.estimate - 0.2) < 3 * partner.se + 0.02
    assert actor.lo < actor.estimate < actor.hi


def test_a_fit_without_variation_is_failed_not_dropped() -> None:
    flat = {"closeness": np.full((4, 10, 2), 3.0)}
    e = fit_analysis(Analysis("a", "ar1", "autoregression", "closeness"), flat)
    assert e.status == "failed" and math.isnan(e.estimate)
