"""The engine's random numbers: uniform, independent across draws, steps and units, and
addressed by (seed, unit, step) alone.

Statistical checks use fixed seeds, so each is deterministic; thresholds are Bonferroni-corrected
at an overall 0.1% level, so a correct generator fails none of them by chance (and a generator
with a real flaw of the size each targets fails)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from scipy import stats

from closeloop.engine import draws, unit_keys

N_UNITS = 8192
N_DRAWS = 22


def _u(seed: int, t: int, n_units: int = N_UNITS) -> np.ndarray:
    keys = unit_keys(jax.random.PRNGKey(seed), jnp.arange(n_units, dtype=jnp.uint32))
    return np.asarray(draws(keys, jnp.int32(t), N_DRAWS))


def test_in_the_unit_interval_as_float32() -> None:
    u = _u(0, 0)
    assert u.dtype == np.float32
    assert u.shape == (N_DRAWS, N_UNITS)
    assert (u >= 0).all() and (u < 1).all()


def test_each_draw_is_uniform() -> None:
    u = _u(1, 5)
    alpha = 1e-3 / N_DRAWS
    for j in range(N_DRAWS):
        assert stats.kstest(u[j], "uniform").pvalue > alpha, j


def test_draws_are_uncorrelated_within_a_step_and_across_steps() -> None:
    a, b = _u(2, 7), _u(2, 8)
    both = np.concatenate([a, b])  # 44 series over units
    r = np.corrcoef(both)
    off = r[~np.eye(len(r), dtype=bool)]
    # Under independence r ~ N(0, 1/n); 4.9 SD is a two-sided 1e-6 level, Bonferroni over ~1900.
    assert np.abs(off).max() < 4.9 / np.sqrt(N_UNITS)


def test_pairs_fill_the_square_evenly() -> None:
    u = _u(3, 0)
    pairs = [(0, 1), (0, 21), (5, 6), (10, 11), (20, 21)]
    for j, k in pairs:
        h, _, _ = np.histogram2d(u[j], u[k], bins=8, range=[[0, 1], [0, 1]])
        assert stats.chisquare(h.ravel()).pvalue > 1e-3 / len(pairs), (j, k)


def test_every_bit_is_fair() -> None:
    u = _u(4, 3)
    bits = (u * (1 << 23)).astype(np.int64).ravel()
    n = bits.size
    for b in range(23):
        share = ((bits >> b) & 1).mean()
        assert abs(share - 0.5) < 5.0 * 0.5 / np.sqrt(n), b


def test_neighbouring_units_and_seeds_differ() -> None:
    u = _u(5, 0, 64)
    assert len(np.unique(u.T, axis=0)) == 64
    assert not np.array_equal(_u(5, 0, 8), _u(6, 0, 8))
    assert not np.array_equal(_u(5, 0, 8), _u(5, 1, 8))


def test_a_units_draws_do_not_depend_on_the_batch() -> None:
    whole = _u(7, 9, 100)
    part = _u(7, 9, 10)
    np.testing.assert_array_equal(whole[:, :10], part)
