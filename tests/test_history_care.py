"""Caregiving that changes during the years at home (``history.care_change_prob``,
``history.next_care``, the mechanism ``caregiving_change``): the equations on made-up numbers,
and, on a small population, that the ablation is the fixed history bit for bit and that
children whose caregiving can change diverge from the fixed ones."""

from __future__ import annotations

import numpy as np
import pytest

from closeloop import engine, mechanisms
from closeloop.errors import InputError
from closeloop.model.history import WEEKS_PER_YEAR, care_change_prob, next_care
from closeloop.model.person import HOME, K
from closeloop.params import history_params, world_params
from closeloop.presets import PRESET_NAMES
from closeloop.simulation import population_tables

ON = np.array(True)
OFF = np.array(False)


def test_change_probability_is_the_weekly_share_of_a_yearly_rate() -> None:
    hp = history_params(care_change_rate=0.1, home_until=16.0)
    want = 1.0 - np.exp(-0.1 / WEEKS_PER_YEAR)
    assert float(care_change_prob(np, hp, 0, ON)) == pytest.approx(want)
    assert float(care_change_prob(np, hp, 15 * WEEKS_PER_YEAR, ON)) == pytest.approx(want)
    # Over a year of weeks the chance of at least one change is 1 - exp(-rate).
    assert 1.0 - (1.0 - want) ** WEEKS_PER_YEAR == pytest.approx(1.0 - np.exp(-0.1), rel=1e-6)
    # Away from home, with the mechanism off, or at rate 0: never.
    assert float(care_change_prob(np, hp, 16 * WEEKS_PER_YEAR, ON)) == 0.0
    assert float(care_change_prob(np, hp, 0, OFF)) == 0.0
    assert float(care_change_prob(np, history_params(care_change_rate=0.0), 0, ON)) == 0.0


def test_next_care_changes_below_p_and_picks_by_inverse_cdf() -> None:
    weights = np.array([[0.5], [0.0], [0.25], [0.25]])  # (S, 1): style 1 never drawn
    weights = np.repeat(weights, 6, axis=1)
    style = np.full(6, 1, np.int32)
    p = np.full(6, 0.1)
    # u / p = 0.1, 0.6, 0.9 below p (styles 0, 2, 3); at or above p the style stays.
    u = np.array([0.01, 0.06, 0.09, 0.1, 0.5, 0.99])
    cum = np.cumsum(weights, axis=0)
    got = next_care(np, style, cum, p, u)
    assert list(got) == [0, 2, 3, 1, 1, 1]
    assert got.dtype == style.dtype
    # Without a chance of change the style never moves, whatever the draw.
    assert list(next_care(np, style, cum, np.zeros(6), np.zeros(6))) == [1] * 6


def test_the_rate_is_declared_and_checked() -> None:
    assert float(history_params().care_change_rate) == pytest.approx(0.1)
    with pytest.raises(InputError, match="care_change_rate"):
        history_params(care_change_rate=-0.1)


def _run(n: int, ablate: tuple[str, ...] = (), **history: float) -> engine.Run:
    tab = population_tables({"secure": 0.5, "avoidant": 0.5})
    weeks = (round(1.25 * WEEKS_PER_YEAR), 5 * WEEKS_PER_YEAR)
    return engine.run_population(
        n,
        7,
        tab,
        world_params(),
        mechanisms.flags(ablate),
        days=1,
        history=history_params(**history),
        child_weeks=weeks,
    )


@pytest.mark.slow
def test_children_whose_caregiving_changes_diverge_from_the_fixed_ones() -> None:
    n = 96
    fixed = _run(n, ("caregiving_change",), care_change_rate=1.0)
    zero = _run(n, care_change_rate=0.0)
    moving = _run(n, care_change_rate=1.0)
    # The ablation is the history with fixed caregiving, bit for bit (its draws are untouched).
    np.testing.assert_array_equal(fixed.start["V0"], zero.start["V0"])
    np.testing.assert_array_equal(fixed.start["child"]["V"], zero.start["child"]["V"])
    # Each child's deep threat at home at 15 months and at 5 (unit, snapshot).
    deep = lambda r: np.asarray(r.start["child"]["V"])[:, :, HOME, K - 2 :].mean(-1)  # noqa: E731
    a, b = deep(fixed), deep(moving)
    # Same draws until a first change: by 15 months at rate 1 most children are still as fixed.
    same_early = np.mean(a[:, 0] == b[:, 0])
    same_late = np.mean(a[:, 1] == b[:, 1])
    assert same_late < same_early and same_late < 0.5, (same_early, same_late)
    # Changed caregiving moves children toward the population: the secure-preset children
    # (responsive care at birth) end the years at home with more deep threat, the avoidant
    # ones with less, so the two groups' templates come closer.
    pre = np.asarray(fixed.start["preset"])
    adult = lambda r: np.asarray(r.start["V0"])[:, HOME, K - 2 :].mean(-1)  # noqa: E731
    secure = pre == PRESET_NAMES.index("secure")
    gap = lambda v: v[~secure].mean() - v[secure].mean()  # noqa: E731
    assert abs(gap(adult(moving))) < abs(gap(adult(fixed)))
    # Stability of the early template between the two ages falls.
    r_fixed = np.corrcoef(a[:, 0], a[:, 1])[0, 1]
    r_moving = np.corrcoef(b[:, 0], b[:, 1])[0, 1]
    assert r_moving < r_fixed


@pytest.mark.slow
def test_changing_caregiving_keeps_the_bits_whatever_the_batch() -> None:
    whole = _run(12, care_change_rate=1.0)
    part = _run(5, care_change_rate=1.0)
    np.testing.assert_array_equal(whole.start["V0"][:5], part.start["V0"])
    np.testing.assert_array_equal(whole.start["child"]["V"][:5], part.start["child"]["V"])
