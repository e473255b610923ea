"""The world's and the early history's offers as probabilities, sampling and log-probability:
scoring sampled decisions returns the probability the sampler gives them, and the sampler's
frequencies match the probabilities."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from closeloop.model.history import (
    EVENT_TABLE,
    MAX_EVENTS,
    N_HISTORY_DRAWS,
    STYLE_TABLE,
    WEEKS_PER_YEAR,
    HistoryDraws,
    history_log_prob,
    history_offer,
    history_probs,
    history_week_offer,
    sample_history,
)
from closeloop.model.person import K
from closeloop.model.world import (
    N_WORLD_DRAWS,
    WorldDraws,
    sample_world,
    world_day_offer,
    world_log_prob,
    world_offer,
    world_probs,
)
from closeloop.params import HISTORY, history_params, world_params

M = 200_000


def _uniforms(n_draws: int, seed: int, n: int = M) -> np.ndarray:
    return np.random.default_rng(seed).random((n_draws, n), dtype=np.float32)


WORLDS = [
    world_params(),
    world_params(offer_rate=0.3, depth_lo=1.0, depth_hi=3.5, ramp_days=100.0, forced=0.2),
    world_params(friend_share=0.7, depth_lo=2.0, depth_hi=2.0, offer_rate=0.9, forced=1.0),
]


@pytest.mark.parametrize("w", WORLDS)
@pytest.mark.parametrize("day", [0.0, 40.0, 500.0])
def test_world_scores_its_samples_with_the_samplers_probabilities(w, day):
    day = np.float32(day)
    q = world_probs(np, w, day)
    c = sample_world(np, q, WorldDraws.of(_uniforms(N_WORLD_DRAWS, 1)))
    lp = world_log_prob(np, q, c)
    # Every decision's probability is the share of samples that made it (the sampler's
    # frequencies) up to sampling error, and the same for every sample with that outcome.
    for name in ("offered", "forced", "friend", "depth"):
        x, logp = getattr(c, name), getattr(lp, name)
        for v in np.unique(x):
            p = np.exp(logp[x == v])
            assert np.ptp(p) == 0.0, name
            freq = np.mean(x == v)
            sd = float(np.sqrt(p[0] * (1 - p[0]) / M))
            assert freq == pytest.approx(p[0], abs=5 * sd + 1e-6), (name, v)
        # The outcomes with a positive probability are all the sampler gives.
        assert np.all(np.isfinite(logp)), name
    assert np.all(lp.importance == 0.0)
    # The offer made of the decisions is the one world_offer draws.
    u = _uniforms(N_WORLD_DRAWS, 1)
    a, b = world_offer(np, w, day, u), world_day_offer(np, w, c)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)


def test_world_log_prob_refuses_impossible_decisions():
    w = world_params(depth_lo=1.0, depth_hi=2.0, forced=0.0)
    q = world_probs(np, w, np.float32(0))
    c = sample_world(np, q, WorldDraws.of(_uniforms(N_WORLD_DRAWS, 2, 8)))
    bad = c._replace(depth=np.full(8, 3, np.int32), forced=np.ones(8, bool))
    lp = world_log_prob(np, q, bad)
    assert np.all(lp.depth == -np.inf) and np.all(lp.forced < -20)


def test_world_log_prob_has_a_gradient_in_the_settings():
    c = sample_world(
        jnp, world_probs(jnp, world_params(), 0.0), WorldDraws.of(_uniforms(N_WORLD_DRAWS, 3, 64))
    )

    def total(rate: jax.Array) -> jax.Array:
        w = world_params().replace(offer_rate=rate)
        return jnp.sum(world_log_prob(jnp, world_probs(jnp, w, 0.0), c).offered)

    g = jax.grad(total)(jnp.float32(0.6))
    n_on = float(jnp.sum(c.offered))
    assert float(g) == pytest.approx(n_on / 0.6 - (64 - n_on) / 0.4, rel=1e-4)


def _week(week: int, hp=HISTORY, events: bool = False, n: int = M):
    style = np.arange(n, dtype=np.int32) % len(STYLE_TABLE)
    ev_step = np.full((MAX_EVENTS, n), -1, np.int32)
    ev_kind = np.full((MAX_EVENTS, n), -1, np.int32)
    if events:
        ev_step[0, ::2], ev_kind[0, ::2] = week, 0
    return history_probs(np, hp, week, style, ev_step, ev_kind, STYLE_TABLE, EVENT_TABLE)


@pytest.mark.parametrize("age", [1.0, 12.0, 17.0])
@pytest.mark.parametrize("hp", [HISTORY, history_params(peer_partner_share=0.8, home_until=12.0)])
def test_history_scores_its_samples_with_the_samplers_probabilities(age, hp):
    q = _week(int(age * WEEKS_PER_YEAR), hp)
    c = sample_history(np, q, HistoryDraws.of(_uniforms(N_HISTORY_DRAWS, 4)))
    lp = history_log_prob(np, q, c)
    at_home = bool(np.all(q.at_home))
    for name in ("depth", "forced", "partner"):
        x, logp = getattr(c, name), getattr(lp, name)
        if name == "partner" and at_home:
            assert np.all(logp == 0.0)  # no such decision at home
            continue
        for v in np.unique(x):
            p = np.exp(logp[x == v])
            assert np.ptp(p) == 0.0, name
            sd = float(np.sqrt(p[0] * (1 - p[0]) / M))
            assert np.mean(x == v) == pytest.approx(p[0], abs=5 * sd + 1e-6), (name, v)
    assert set(np.unique(c.depth)) == set(range(K))
    assert np.allclose(np.exp(lp.depth), 1.0 / K)


def test_an_acute_event_takes_the_decisions_it_sets():
    week = 300
    q = _week(week, events=True, n=1000)
    u = _uniforms(N_HISTORY_DRAWS, 5, 1000)
    c = sample_history(np, q, HistoryDraws.of(u))
    lp = history_log_prob(np, q, c)
    ev = q.event
    assert ev[::2].all() and not ev[1::2].any()
    for name in ("depth", "forced", "partner"):
        assert np.all(getattr(lp, name)[ev] == 0.0), name
    assert np.all(lp.depth[~ev] < 0.0)
    o = history_week_offer(np, q, c)
    assert o.forced[ev].all() and np.all(o.hurt_rate[ev] == 1.0)
    # The composed kernel is the three parts in a row.
    style = np.arange(1000, dtype=np.int32) % len(STYLE_TABLE)
    ev_step = np.full((MAX_EVENTS, 1000), -1, np.int32)
    ev_kind = ev_step.copy()
    ev_step[0, ::2], ev_kind[0, ::2] = week, 0
    whole = history_offer(np, HISTORY, week, style, ev_step, ev_kind, STYLE_TABLE, EVENT_TABLE, u)
    for x, y in zip(whole, o, strict=True):
        np.testing.assert_array_equal(x, y)


def test_history_parameters_move_the_probabilities():
    young, later = 2 * WEEKS_PER_YEAR, 15 * WEEKS_PER_YEAR
    assert np.all(_week(later).partner == 0.0)  # still at home at 15 by default
    moved = history_params(home_until=12.0, peer_partner_share=0.8)
    assert np.allclose(_week(later, moved, n=4).partner, 0.8)
    more = history_params(exposure_birth=1.0, exposure_drop=0.2)
    assert np.all(_week(young, more, n=4).forced > _week(young, n=4).forced)
