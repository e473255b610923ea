"""The life around a couple: an exogenous AR(1) strain per member that moves bids and
satisfaction from outside the relationship."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from closeloop import mechanisms
from closeloop.model import life
from closeloop.model.couple import couple_day, initial_couple
from closeloop.model.decisions import N_COUPLE_DRAWS, CoupleDraws
from closeloop.model.person import C, K, initial_state
from closeloop.params import couple_params, person_params

f32 = np.float32


def test_the_shock_has_zero_mean_unit_spread_and_no_infinite_draw():
    # Every float32 uniform the engine can draw (multiples of 2^-23 in [0, 1)).
    u = np.arange(2**23, dtype=np.float64) / 2**23
    z = life.shock(np, u.astype(f32))
    assert np.isfinite(z).all()
    assert abs(z.mean()) < 1e-3 and z.std() == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("days", [5.0, 30.0])
def test_the_strain_is_stationary_with_spread_one_and_forgets_with_life_days(days):
    cp = couple_params(life_days=days)
    rng = np.random.default_rng(0)
    n, steps = 4000, 400
    x = np.zeros(n, f32)
    path = []
    for _ in range(steps):
        x = life.step(np, cp, x, rng.random(n, dtype=f32))
        path.append(x)
    tail = np.array(path[200:])  # past the start at 0
    assert tail.std() == pytest.approx(1.0, abs=0.05)
    lag = 5
    r = np.corrcoef(tail[:-lag].ravel(), tail[lag:].ravel())[0, 1]
    assert r == pytest.approx(np.exp(-lag / days), abs=0.03)


def _couple(n: int, strain: float, **cp: float) -> tuple:
    pp = person_params()
    pp = jax.tree.map(lambda a: np.full((2, n), a, f32), pp)
    person = initial_state(np, (2, n))
    person = person._replace(V=np.zeros((C, K, 2, n), f32))
    s = initial_couple(np, person, cp=couple_params(**cp))
    return pp, s._replace(life=np.full((2, n), strain, f32))


@pytest.mark.parametrize(
    ("weights", "moves"),
    [({"life_bids": 0.0}, True), ({"life_bids": 0.0, "life_sat": 0.0}, False)],
)
def test_strain_lowers_satisfaction_on_the_same_day(weights, moves):
    n = 2000
    u = np.random.default_rng(1).random((N_COUPLE_DRAWS, n), dtype=f32)
    sat = {}
    for strain in (-2.0, 2.0):
        pp, s = _couple(n, strain, **weights)
        cp = couple_params(**weights)
        s2, _ = couple_day(np, pp, cp, s, f32(10), u, mechanisms.flags())
        sat[strain] = s2.sat.mean()
    if moves:
        assert sat[2.0] < sat[-2.0] - 0.001
    else:
        assert sat[2.0] == pytest.approx(sat[-2.0], abs=1e-6)


def test_strain_cuts_bids_and_an_easy_stretch_adds_them():
    n = 20000
    u = np.random.default_rng(2).random((N_COUPLE_DRAWS, n), dtype=f32)
    bids = {}
    for strain in (-1.5, 0.0, 1.5):
        pp, s = _couple(n, strain)
        _, d = couple_day(np, pp, couple_params(), s, f32(10), u, mechanisms.flags())
        bids[strain] = d.bid.mean()
    assert bids[1.5] < bids[0.0] < bids[-1.5]
    # The bid rate scales by 1 - life_bids * strain (0.2 by default): 0.7 and 1.3 here.
    assert bids[1.5] / bids[0.0] == pytest.approx(0.7, abs=0.05)


def test_the_strain_comes_from_its_own_draws_only():
    """Exogenous: the next strain depends on yesterday's and the day's life draws alone, never on
    what happened between the two."""
    n = 50
    rng = np.random.default_rng(3)
    u = rng.random((N_COUPLE_DRAWS, n), dtype=f32)
    other = rng.random((N_COUPLE_DRAWS, n), dtype=f32)
    other[-2:] = u[-2:]  # the same life draws (the last two of the layout)
    assert (CoupleDraws.of(u).life == u[-2:]).all()
    pp, s = _couple(n, 0.5)
    a, _ = couple_day(np, pp, couple_params(), s, f32(3), u, mechanisms.flags())
    b, _ = couple_day(np, pp, couple_params(), s, f32(3), other, mechanisms.flags())
    np.testing.assert_array_equal(a.life, b.life)
    assert not np.array_equal(a.sat, b.sat)
