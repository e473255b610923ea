"""The person's response as probabilities, sampling and log-probability (simulate and score).

What is checked: the sampler and the log-probability describe the same distribution (Monte
Carlo frequencies of every observable response agree with the probabilities obtained by summing
the log-probabilities over the hidden decisions); scoring a simulated step gives back the same
state and the log-probability of exactly the sampled decisions; the arousal's density
integrates to one; the scored log-probability is differentiable in the traits.
"""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from closeloop import mechanisms
from closeloop.model.person import (
    GETS_BUSY,
    LEAVES_EARLY,
    LESS_AVAILABLE,
    PARTNER,
    C,
    K,
    Offer,
    PersonState,
    initial_state,
)
from closeloop.model.response import (
    N_PERSON_DRAWS,
    PersonDecisions,
    PersonDraws,
    decisions_log_prob,
    finish,
    person_step,
    person_step_scored,
    response_probs,
    sample_decisions,
)
from closeloop.params import person_params

pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")


def _person(n: int, threat: float) -> tuple:
    p = person_params(threshold=0.5, observe=0.3)
    p = jax.tree.map(lambda a: np.full(n, a, np.float32), p)
    s = initial_state(np, (n,))
    s = s._replace(V=np.full((C, K, n), threat, np.float32), L=np.full(n, 0.4, np.float32))
    return p, s


def _offer(n: int, depth: int, pressure: float = 0.3, forced: bool = False) -> Offer:
    f = np.float32
    return Offer(
        offered=np.ones(n, bool),
        depth=np.full(n, depth, np.int32),
        context=np.full(n, PARTNER, np.int32),
        pressure=np.full(n, pressure, f),
        importance=np.full(n, 0.5, f),
        warmth=np.full(n, 0.6, f),
        hurt_rate=np.full(n, 0.2, f),
        protest_gain=np.zeros(n, f),
        forced=np.full(n, forced),
        salience=np.ones(n, f),
        observe_boost=np.zeros(n, f),
        commit=np.zeros(n, f),
        stress=np.zeros(n, f),
    )


@pytest.mark.parametrize(
    ("threat", "depth", "pressure"), [(0.2, 1, 0.0), (0.6, 3, 0.3), (0.9, 4, 0.8)]
)
def test_sampled_behaviour_matches_the_log_probability(threat, depth, pressure):
    """P(behaviour = b) from the log-probabilities, summed over the hidden route decisions,
    equals the sampler's frequency within 4.5 Monte Carlo standard errors."""
    n = 200_000
    p, s = _person(n, threat)
    o = _offer(n, depth, pressure)
    fl = mechanisms.flags()
    q = response_probs(np, p, s, o, fl)
    u = np.random.default_rng(0).random((N_PERSON_DRAWS, n), dtype=np.float32)
    r = finish(np, q, o, sample_decisions(np, q, o, PersonDraws.of(u)))
    q1 = jax.tree.map(lambda a: a[:1] if np.ndim(a) else a, q)
    o1 = jax.tree.map(lambda a: a[:1], o)
    prob = np.zeros(6)
    leaves = bool(q1.auto_kind[0] == LEAVES_EARLY)  # an automatic form with no busy decision
    for fires, noticed, chooses, busy in itertools.product([False, True], repeat=4):
        # Each path of the decision tree once: a decision that is not taken stays False.
        automatic = fires and not noticed
        no_form = chooses or (automatic and leaves)
        if (noticed and not fires) or (chooses and automatic) or (busy and no_form):
            continue
        c = PersonDecisions(
            fires=np.array([fires]),
            noticed=np.array([noticed]),
            chooses=np.array([chooses]),
            outcome=np.array([0]),
            arousal=np.array([0.5], np.float32),
            busy=np.array([busy]),
        )
        lp = decisions_log_prob(np, q1, o1, c)
        rr = finish(np, q1, o1, c)
        prob[int(rr.behaviour[0])] += np.exp(lp.fires + lp.noticed + lp.chooses + lp.busy)[0]
    assert prob.sum() == pytest.approx(1.0, abs=1e-5)
    freq = np.bincount(r.behaviour, minlength=6) / n
    se = np.sqrt(np.maximum(prob * (1 - prob), 1e-12) / n)
    assert np.all(np.abs(freq - prob) <= 4.5 * se + 1e-6), (freq, prob)


def test_outcome_probabilities_sum_to_one_and_match_the_sampler():
    n = 100_000
    p, s = _person(n, 0.3)
    o = _offer(n, 2)
    q = response_probs(np, p, s, o, mechanisms.flags())
    u = np.random.default_rng(1).random((N_PERSON_DRAWS, n), dtype=np.float32)
    c = sample_decisions(np, q, o, PersonDraws.of(u))
    lp = decisions_log_prob(np, q, o, c)
    for k in (-1, 0, 1):
        pk = np.exp(lp.outcome[c.outcome == k][0])
        assert abs((c.outcome == k).mean() - pk) < 4.5 * np.sqrt(pk * (1 - pk) / n)
    total = sum(
        np.exp(decisions_log_prob(np, q, o, c._replace(outcome=np.full(n, k))).outcome[0])
        for k in (-1, 0, 1)
    )
    assert total == pytest.approx(1.0, abs=1e-6)


def test_arousal_density_integrates_to_one():
    n = 1
    p, s = _person(n, 0.5)
    o = _offer(n, 3)
    q = response_probs(np, p, s, o, mechanisms.flags())
    xs = np.linspace(1e-6, 20.0, 400_001, dtype=np.float64)
    c = PersonDecisions(
        *(np.zeros(n, bool) for _ in range(3)),
        np.zeros(n, np.int32),
        np.zeros(n, np.float32),
        np.zeros(n, bool),
    )
    dens = [
        decisions_log_prob(np, q, o, c._replace(arousal=np.array([x], np.float32))).arousal[0]
        for x in xs[::1000]
    ]
    area = np.trapezoid(np.exp(dens), xs[::1000])
    at_zero = np.exp(decisions_log_prob(np, q, o, c._replace(arousal=np.zeros(1))).arousal[0])
    assert area + at_zero == pytest.approx(1.0, abs=2e-3)


def test_scoring_a_simulated_step_gives_its_state_and_its_log_probabilities():
    n = 512
    rng = np.random.default_rng(2)
    p, s = _person(n, 0.5)
    s = s._replace(
        V=rng.random((C, K, n), dtype=np.float32), H=rng.random((K, n), dtype=np.float32)
    )
    o = _offer(n, 3)._replace(
        depth=rng.integers(0, K, n).astype(np.int32), forced=rng.random(n) < 0.2
    )
    fl = mechanisms.flags()
    u = rng.random((N_PERSON_DRAWS, n), dtype=np.float32)
    s_sim, r_sim = person_step(np, p, s, o, u, fl)
    q = response_probs(np, p, s, o, fl)
    c = sample_decisions(np, q, o, PersonDraws.of(u))
    s_sc, r_sc, lp = person_step_scored(np, p, s, o, c, fl)
    for a, b in zip(jax.tree.leaves((s_sim, r_sim)), jax.tree.leaves((s_sc, r_sc)), strict=True):
        np.testing.assert_array_equal(a, b)
    free = o.offered & ~o.forced
    with np.errstate(divide="ignore"):
        want = np.where(c.fires, np.log(q.p_auto), np.log1p(-q.p_auto))
    np.testing.assert_allclose(lp.fires[free], want[free], rtol=1e-5, atol=1e-6)
    assert np.all(lp.fires[~free] == 0)
    # A reaction that did not fire cannot be noticed; a forced share is not chosen.
    assert np.all(lp.noticed[~(free & c.fires)] == 0)
    assert np.all(lp.chooses[o.forced] == 0)


def test_the_scored_log_probability_is_differentiable_in_the_traits():
    n = 64
    p, s = _person(n, 0.55)
    o = _offer(n, 3)
    fl = jnp.asarray(mechanisms.flags())
    rng = np.random.default_rng(3)
    q = response_probs(np, p, s, o, fl)
    c = sample_decisions(
        np, q, o, PersonDraws.of(rng.random((N_PERSON_DRAWS, n), dtype=np.float32))
    )

    def total(threshold):
        pj = jax.tree.map(jnp.asarray, p)._replace(threshold=threshold)
        _, _, lp = person_step_scored(
            jnp, pj, jax.tree.map(jnp.asarray, s), jax.tree.map(jnp.asarray, o), c, fl
        )
        return sum(jnp.sum(x) for x in lp)

    th = jnp.full(n, 0.5, jnp.float32)
    g = jax.grad(total)(th)
    assert np.all(np.isfinite(g)) and np.any(g != 0)
    h = 1e-2
    fd = (total(th + h) - total(th - h)) / (2 * h)
    assert float(jnp.sum(g)) == pytest.approx(float(fd), rel=0.05, abs=0.05)


def test_named_draws_follow_the_documented_order():
    u = np.arange(N_PERSON_DRAWS * 2, dtype=np.float32).reshape(N_PERSON_DRAWS, 2)
    d = PersonDraws.of(u)
    assert d._fields == ("auto", "notice", "choose", "outcome", "arousal", "behaviour")
    np.testing.assert_array_equal(d.arousal, u[4])


def test_state_type_is_unchanged():
    s = initial_state(np, (3,))
    assert isinstance(s, PersonState)


def test_the_automatic_route_gets_busy_too_but_ignores_the_stakes():
    """Getting busy and becoming less available come from both routes; the automatic route's
    share of them is the same on a day that matters and on one that does not, while the chosen
    ones fall as the stakes rise (the diary's signature of the two routes)."""
    n = 200_000
    p, s = _person(n, 0.5)  # threat at the threshold: both routes answer often
    rates = {}
    for imp in (0.0, 1.0):
        o = _offer(n, 2, pressure=0.0)._replace(importance=np.full(n, imp, np.float32))
        q = response_probs(np, p, s, o, mechanisms.flags())
        u = np.random.default_rng(3).random((N_PERSON_DRAWS, n), dtype=np.float32)
        r = finish(np, q, o, sample_decisions(np, q, o, PersonDraws.of(u)))
        away = (r.behaviour == GETS_BUSY) | (r.behaviour == LESS_AVAILABLE)
        rates[imp] = ((away & r.automatic).mean(), (away & ~r.automatic).mean())
    (auto_lo, chosen_lo), (auto_hi, chosen_hi) = rates[0.0], rates[1.0]
    assert auto_lo > 0.05  # the automatic route produces the unavailable forms
    assert auto_hi == pytest.approx(auto_lo, abs=4.5 * np.sqrt(auto_lo / n))
    assert chosen_hi < 0.8 * chosen_lo  # the deliberate route tracks what is at stake
