"""The adult world: who offers closeness, how deep, how often."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeloop.model.person import FRIEND, PARTNER, K
from closeloop.model.world import N_WORLD_DRAWS, W_CONTEXT, depth_ceiling, world_offer
from closeloop.params import WORLD_SPECS, world_params

N = 512
PROPS = settings(max_examples=80, deadline=None, derandomize=True)


@st.composite
def worlds(draw):
    values = {}
    for s in WORLD_SPECS:
        values[s.name] = draw(
            st.one_of(st.just(s.low), st.just(s.high), st.floats(s.low, s.high)), label=s.name
        )
    return world_params(**values)


def _draws(seed: int, n: int = N) -> np.ndarray:
    """(N_WORLD_DRAWS, n) draws: the kernel's batch is the last axis."""
    u = np.random.default_rng(seed).random((N_WORLD_DRAWS, n), dtype=np.float32)
    u[:, :8] = 0.0  # the extremes of every draw
    u[:, 8:16] = np.float32(1.0) - np.float32(2**-24)
    return u


@PROPS
@given(worlds(), st.floats(0.0, 4000.0), st.integers(0, 2**31 - 1))
def test_depth_stays_between_depth_lo_and_the_rising_ceiling(w, day, seed):
    day = np.float32(day)
    o = world_offer(np, w, day, _draws(seed))
    ceiling = depth_ceiling(np, w, day)
    assert o.depth.dtype == np.int32
    assert ((o.depth >= 0) & (o.depth < K)).all()
    assert (o.depth >= np.floor(w.depth_lo)).all()
    assert (o.depth <= ceiling + 1e-6).all()
    # the ceiling rises from depth_lo and never passes the larger of depth_lo and depth_hi
    top = max(float(w.depth_hi), float(w.depth_lo))
    assert float(w.depth_lo) - 1e-6 <= ceiling <= top + 1e-6
    assert depth_ceiling(np, w, day + np.float32(1.0)) >= ceiling
    if day >= w.ramp_days:
        assert ceiling == pytest.approx(top, abs=1e-5)


def test_the_ceiling_ramps_linearly():
    w = world_params(depth_lo=1.0, depth_hi=3.0, ramp_days=100.0)
    days = np.array([0, 25, 50, 100, 200], np.float32)
    np.testing.assert_allclose(depth_ceiling(np, w, days), [1.0, 1.5, 2.0, 3.0, 3.0], rtol=1e-6)
    assert depth_ceiling(np, world_params(depth_lo=1.0, ramp_days=0.0), np.float32(0)) == 4.0


def test_every_level_up_to_the_ceiling_is_offered_about_equally():
    """20,000 draws on 3 levels: each share is 1/3 within 0.02 (about 6 standard errors)."""
    w = world_params(depth_lo=1.0, depth_hi=3.0)
    o = world_offer(np, w, np.float32(10.0), _draws(1, 20_000))
    share = np.bincount(o.depth, minlength=K) / o.depth.size
    np.testing.assert_allclose(share, [0, 1 / 3, 1 / 3, 1 / 3, 0], atol=0.02)


@pytest.mark.parametrize(("friend_share", "expected"), [(0.0, PARTNER), (1.0, FRIEND)])
def test_friend_share_zero_or_one_gives_one_context(friend_share, expected):
    o = world_offer(np, world_params(friend_share=friend_share), np.float32(3.0), _draws(2))
    assert (o.context == expected).all()


def test_friend_share_splits_offers():
    u = _draws(3, 20_000)
    o = world_offer(np, world_params(friend_share=0.3), np.float32(3.0), u)
    assert (o.context == FRIEND).mean() == pytest.approx(0.3, abs=0.02)
    np.testing.assert_array_equal(o.context == FRIEND, u[W_CONTEXT] < 0.3)


@pytest.mark.parametrize(("rate", "expected"), [(0.0, False), (1.0, True)])
def test_offer_rate_zero_or_one(rate, expected):
    o = world_offer(np, world_params(offer_rate=rate), np.float32(3.0), _draws(4))
    assert (o.offered == expected).all()


def test_world_settings_reach_the_offer():
    w = world_params(pressure=0.4, warmth=0.6, hurt_rate=0.2, observe_boost=0.3)
    o = world_offer(np, w, np.float32(3.0), _draws(5))
    assert float(o.pressure) == pytest.approx(0.4) and float(o.warmth) == pytest.approx(0.6)
    assert float(o.hurt_rate) == pytest.approx(0.2)
    assert float(o.observe_boost) == pytest.approx(0.3)
    assert float(o.salience) == 1.0 and float(o.protest_gain) == 0.0
    assert not world_offer(np, world_params(forced=0.0), np.float32(0), _draws(5)).forced.any()
    assert world_offer(np, world_params(forced=1.0), np.float32(0), _draws(5)).forced.all()


def test_world_offer_agrees_under_numpy_and_jax():
    w = world_params(depth_lo=0.5, depth_hi=3.5, ramp_days=30.0, friend_share=0.4, offer_rate=0.7)
    for day in (0.0, 7.0, 29.0, 400.0):
        u = _draws(int(day))
        a = world_offer(np, w, np.float32(day), u)
        b = world_offer(jnp, w, jnp.float32(day), jnp.asarray(u))
        for name, x, y in zip(a._fields, a, b, strict=True):
            np.testing.assert_array_equal(
                np.broadcast_to(np.asarray(y), np.shape(x)), x, err_msg=f"{name} on day {day}"
            )
