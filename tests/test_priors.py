"""The fitting priors of the specification: a prior is narrowed only with a published figure,
stays inside the hard bounds and around the default, and the searches map through it."""

from __future__ import annotations

import numpy as np
import pytest

from closeloop.calibration.search import NAMES, to_values
from closeloop.claims.robustness import prior_value
from closeloop.params import SPECS, Uniform

NARROWED = [s for s in SPECS.values() if s.prior != Uniform(s.low, s.high)]


def test_some_priors_are_narrowed_and_each_names_its_figure():
    assert {"hazard_base", "ecr_reliability", "recovery"} <= {s.name for s in NARROWED}
    for s in NARROWED:
        # Author and year at least: "Name ... 19xx/20xx".
        assert s.prior.source and any(ch.isdigit() for ch in s.prior.source), s.name


@pytest.mark.parametrize("spec", NARROWED, ids=lambda s: s.name)
def test_a_narrowed_prior_stays_in_the_bounds_and_holds_the_default(spec):
    p = spec.prior
    assert spec.low <= p.low < p.high <= spec.high
    assert p.low <= spec.default <= p.high
    values = [prior_value(p, u) for u in np.linspace(0.0, 0.999, 11)]
    assert all(p.low <= v <= p.high for v in values)
    assert values == sorted(values)  # a quantile function


def test_uniform_priors_carry_no_source():
    for s in SPECS.values():
        if s.prior == Uniform(s.low, s.high):
            assert s.prior.source == ""


def test_hazard_floor_is_the_published_ten_year_share():
    # 20% of first marriages ended within ten years in the most stable subgroup.
    p = SPECS["hazard_base"].prior
    assert 1.0 - np.exp(-p.low * 3650.0) == pytest.approx(0.20, abs=1e-6)


def test_recovery_keeps_most_safety_for_a_year():
    # "Gains generally maintained for one year": at the prior's top, half is lost in 365 days.
    top = SPECS["recovery"].prior.high
    assert (1.0 - top) ** 365 == pytest.approx(0.5, abs=0.01)


def test_calibration_maps_the_unit_cube_through_the_priors():
    lo = to_values(np.zeros(len(NAMES)))
    mid = to_values(np.full(len(NAMES), 0.5))
    assert lo["hazard_base"] == pytest.approx(SPECS["hazard_base"].prior.low)
    # Log-normal: the median is near the geometric middle of the range, not its arithmetic one.
    p = SPECS["hazard_base"].prior
    assert mid["hazard_base"] < (p.low + p.high) / 2
    assert mid["hazard_base"] == pytest.approx(prior_value(p, 0.5))
    s = SPECS["alternatives"]
    assert mid["alternatives"] == pytest.approx((s.low + s.high) / 2)
