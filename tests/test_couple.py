"""The couple-day kernel: invariants and the switch of each couple mechanism, on hypothesis-drawn
couples (traits, states, draws) under NumPy. That the engine runs this same kernel, day by day,
is tests/test_reference.py's job."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeloop import mechanisms
from closeloop.model import healing
from closeloop.model.couple import (
    AGAINST,
    N_COUPLE_DRAWS,
    NONE,
    QUIET,
    TOWARD,
    CoupleState,
    Day,
    couple_day,
    couple_day_full,
)
from closeloop.model.decisions import CoupleDraws, depth_log_prob, depth_sample
from closeloop.model.person import K, PersonState
from closeloop.params import COUPLE_SPECS, PERSON_SPECS, couple_params, person_params

N = 24
PROPS = settings(max_examples=40, deadline=None, derandomize=True)
pytestmark = [
    pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning"),
    pytest.mark.filterwarnings("ignore:Generating overly large repr"),
    pytest.mark.filterwarnings("ignore:divide by zero encountered in log:RuntimeWarning"),
]


@st.composite
def couples(draw):
    """(traits (2, N), settings (N,), state, draws, day) for N couples, batch last."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def spread(specs, shape):
        return {
            s.name: (s.low + (s.high - s.low) * rng.random(shape)).astype(np.float32) for s in specs
        }

    pp = person_params(**spread(PERSON_SPECS, (2, N)))
    cp = couple_params(**spread(COUPLE_SPECS, (N,)))

    def unit(*shape):
        x = rng.random((*shape, 2, N)).astype(np.float32)
        return np.where(rng.random(x.shape) < 0.15, np.round(x), x).astype(np.float32)

    person = PersonState(V=unit(1, K), I=unit(1, K), R=unit(K), H=unit(K), E=unit(), L=unit())
    s = CoupleState(
        person=person,
        expect=unit(),
        felt=unit(),
        pursuit=unit(),
        gave_up=rng.random((2, N)) < 0.3,
        distance=unit(),
        support=unit(),
        known=unit() * K,
        sat=unit(),
        stability=unit(),
        ruptures=(rng.random(N) * 6).astype(np.float32),
        investment=rng.random(N).astype(np.float32),
        life=rng.normal(size=(2, N)).astype(np.float32),
        ended=rng.random(N) < 0.2,
        perceived=unit(),
        stage=np.zeros(N, np.float32),
        injury=np.zeros(N, np.float32),
    )
    u = rng.random((N_COUPLE_DRAWS, N)).astype(np.float32)
    day = np.float32(draw(st.integers(0, 4000)))
    return pp, cp, s, u, day


def _day(b, *ablate):
    pp, cp, s, u, day = b
    return couple_day(np, pp, cp, s, day, u, mechanisms.flags(ablate))


@PROPS
@given(couples())
def test_state_stays_finite_and_in_range(b):
    s2, d = _day(b)
    for name in ("expect", "felt", "pursuit", "distance", "support", "sat", "stability"):
        x = getattr(s2, name)
        assert x.dtype == np.float32 and x.shape == (2, N), name
        assert np.isfinite(x).all() and ((x >= 0) & (x <= 1)).all(), name
    assert ((s2.known >= 0) & (s2.known <= K)).all()
    assert (s2.ruptures >= 0).all() and ((s2.investment >= 0) & (s2.investment <= 1)).all()
    for name, x in s2.person._asdict().items():
        assert np.isfinite(x).all() and ((x >= 0) & (x <= 1)).all(), name
    assert ((d.received >= NONE) & (d.received <= AGAINST)).all()
    assert ((d.bid_depth >= 0) & (d.bid_depth < K)).all()
    assert not (d.repaired & ~d.conflict).any()
    assert not (d.conflict & (d.moment != 3)).any()


@PROPS
@given(couples())
def test_an_ended_relationship_is_frozen(b):
    _, _, s, _, _ = b
    s2, d = _day(b)
    gone = s.ended
    for (name, a), x in zip(s._asdict().items(), s2, strict=True):
        if name == "person":
            for f, y, z in zip(a._fields, a, x, strict=True):
                np.testing.assert_array_equal(z[..., gone], y[..., gone], err_msg=f)
        else:
            np.testing.assert_array_equal(x[..., gone], a[..., gone], err_msg=name)
    assert (d.moment[gone] == QUIET).all() and not d.bid[:, gone].any()
    assert not d.ended_today[gone].any()
    assert (s2.ended >= s.ended).all()  # endings are for good


@PROPS
@given(couples())
def test_a_bid_is_met_only_when_the_other_shares(b):
    _, d = _day(b)
    toward = d.received == TOWARD
    assert not (toward & ~d.shared).any()
    # what one member received is the other's bid
    got = d.received != NONE
    assert not (got & ~d.bid[::-1]).any()


@PROPS
@given(couples())
def test_reading_distance_personally_never_lowers_pursuit(b):
    pp, cp, s, u, day = b
    more = pp._replace(attribution=np.minimum(pp.attribution + 0.3, 1.0).astype(np.float32))
    lo, _ = _day(b)
    hi, _ = couple_day(np, more, cp, s, day, u, mechanisms.flags())
    assert (hi.pursuit >= lo.pursuit).all()


@PROPS
@given(couples())
def test_without_pursuit_it_no_longer_follows_unmet_bids(b):
    """The pursuit ablation is level-matched: pursuit is held where a fixed felt distance sets
    it, so two couples that differ only in felt distance pursue alike (giving up, which hope
    decides, held off)."""
    pp, cp, s, u, day = b
    off = mechanisms.flags(["pursuit", "giving_up"])
    near, _ = couple_day(np, pp, cp, s._replace(felt=np.zeros_like(s.felt)), day, u, off)
    far, _ = couple_day(np, pp, cp, s._replace(felt=np.ones_like(s.felt)), day, u, off)
    np.testing.assert_allclose(near.pursuit, far.pursuit)


@PROPS
@given(couples())
def test_without_giving_up_nobody_gives_up(b):
    _, _, s, _, _ = b
    s2, _ = _day(b, "giving_up")
    assert not s2.gave_up[:, ~s.ended].any()  # an ended couple keeps its last state


@PROPS
@given(couples())
def test_without_rupture_memory_only_todays_rupture_counts(b):
    _, _, s, _, _ = b
    s2, d = _day(b, "rupture_memory")
    live = ~s.ended
    expected = (d.conflict & ~d.repaired).astype(np.float32)
    np.testing.assert_array_equal(s2.ruptures[live], expected[live])


@PROPS
@given(couples())
def test_repair_needs_both_to_open_up(b):
    _, d = _day(b)
    assert not (d.repaired & ~d.shared.all(axis=0)).any()


def test_repair_without_vulnerability_follows_the_fixed_rate():
    """Ablated, a conflict is repaired when its draw falls below repair_base, whoever opens up."""
    rng = np.random.default_rng(5)
    pp = person_params(**{s.name: np.full((2, 400), s.default, np.float32) for s in PERSON_SPECS})
    cp = couple_params(conflict_base=1.0, repair_base=0.5)
    z = np.zeros((2, 400), np.float32)
    person = PersonState(
        V=np.full((1, K, 2, 400), 0.9, np.float32),
        I=np.zeros((1, K, 2, 400), np.float32),
        R=np.full((K, 2, 400), 0.5, np.float32),
        H=np.zeros((K, 2, 400), np.float32),
        E=z + 0.5,
        L=z,
    )
    s = CoupleState(
        person,
        z + 0.7,
        z,
        z,
        z > 1,
        z,
        z,
        z,
        z + 0.7,
        z + 0.7,
        np.zeros(400, np.float32),
        np.zeros(400, np.float32),
        z,
        np.zeros(400, bool),
        z + 0.7,
        np.zeros(400, np.float32),
        np.zeros(400, np.float32),
    )
    u = rng.random((N_COUPLE_DRAWS, 400)).astype(np.float32)
    _, d = couple_day(np, pp, cp, s, np.float32(10), u, mechanisms.flags(["repair_vulnerability"]))
    assert d.conflict.all()
    np.testing.assert_array_equal(d.repaired, CoupleDraws.of(u).repair < 0.5)
    _, d_on = couple_day(np, pp, cp, s, np.float32(10), u, mechanisms.flags())
    assert d_on.repaired.mean() < d.repaired.mean()  # high threat: few open up when it counts


# ---------------------------------------------------------------- interventions in a couple


def _with_therapy_row(s: CoupleState) -> CoupleState:
    """The same couples carrying a therapy row (``THERAPY_ROW``) beside the partner row."""
    p = s.person
    return s._replace(
        person=p._replace(
            V=np.concatenate([p.V, p.V[:1] * np.float32(0.5)]),
            I=np.concatenate([p.I, p.I[:1][::-1, :, ::-1]]),
        )
    )


@st.composite
def care(draw):
    """Any day's intervention levels (len(LEVELS), 2) and who has a session (2,)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    lv = rng.random((len(healing.LEVELS), 2)).astype(np.float32)
    lv = np.where(rng.random(lv.shape) < 0.4, 0.0, np.where(rng.random(lv.shape) < 0.2, 1.0, lv))
    return lv.astype(np.float32), rng.random(2) < 0.3


@PROPS
@given(couples(), care())
def test_interventions_keep_the_state_finite_and_in_range(b, c):
    pp, cp, s, u, day = b
    lv, sess = c
    s = _with_therapy_row(s)
    s2, d = couple_day(np, pp, cp, s, day, u, mechanisms.flags(), lv, sess)
    assert s2.person.V.shape == s.person.V.shape == (2, K, 2, N)
    for name in ("expect", "felt", "pursuit", "distance", "support", "sat", "stability"):
        x = getattr(s2, name)
        assert x.shape == (2, N) and np.isfinite(x).all() and ((x >= 0) & (x <= 1)).all(), name
    for name, x in s2.person._asdict().items():
        assert np.isfinite(x).all() and ((x >= 0) & (x <= 1)).all(), name
    assert ((d.bid_depth >= 0) & (d.bid_depth < K)).all()
    assert ((s2.known >= 0) & (s2.known <= K)).all()


@PROPS
@given(couples(), care())
def test_a_session_day_is_spent_away_from_the_relationship(b, c):
    """On a day either member has a therapy session the couple has no bids, no talk and no
    conflict, and the session stays out of the couple's record."""
    pp, cp, s, u, day = b
    lv, _ = c
    s = _with_therapy_row(s)
    _, d = couple_day(np, pp, cp, s, day, u, mechanisms.flags(), lv, np.array([True, False]))
    assert not d.bid.any() and not d.conflict.any() and (d.moment[~s.ended] == 1).all()
    assert (d.received == NONE).all() and not d.shared.any() and not d.automatic.any()
    assert (d.arousal == 0).all() and (d.threat == 0).all()


@PROPS
@given(couples())
def test_a_day_without_care_is_the_plain_day(b):
    """All-zero levels and no session, with or without the therapy row carried, give the plain
    couple day: the interventions' code changes nothing until an intervention is active."""
    pp, cp, s, u, day = b
    plain, d0 = couple_day(np, pp, cp, s, day, u, mechanisms.flags())
    zero = np.zeros((len(healing.LEVELS), 2), np.float32)
    cared, d1 = couple_day(np, pp, cp, s, day, u, mechanisms.flags(), zero)
    rowed, d2 = couple_day(
        np, pp, cp, _with_therapy_row(s), day, u, mechanisms.flags(), zero, np.zeros(2, bool)
    )
    for other, d in ((cared, d1), (rowed, d2)):
        for name in Day._fields:
            np.testing.assert_array_equal(getattr(d, name), getattr(d0, name), err_msg=name)
        for name in CoupleState._fields[1:]:
            np.testing.assert_array_equal(getattr(other, name), getattr(plain, name), err_msg=name)
        for name in PersonState._fields:
            x, y = getattr(other.person, name), getattr(plain.person, name)
            np.testing.assert_array_equal(x[: y.shape[0]], y, err_msg=name)


@PROPS
@given(couples())
def test_a_safe_pacing_partner_does_not_press(b):
    """With b a safe, pacing partner, a's offers come with no pressure and are never hurtful:
    a's felt threat never rises through b's response."""
    pp, cp, s, u, day = b
    lv = np.zeros((len(healing.LEVELS), 2), np.float32)
    lv[healing.L["safe_partner"], 1] = 1.0
    lv[healing.L["pacing"], 1] = 1.0
    fl = mechanisms.flags(["overwhelm"])  # hurt then comes only from the other's response
    s2, d = couple_day(np, pp, cp, s, day, u, fl, lv)
    a_offered = d.bid[1] & ~d.conflict & (d.moment == 1)
    rose = (s2.person.V[:, :, 0] > s.person.V[:, :, 0]).any(axis=(0, 1))
    # a may still learn threat from how a's own bids were met, or in a conflict's repair
    assert not (rose & a_offered & ~d.bid[0] & ~d.conflict).any()


# --- Simulate and score: the same day with its decisions drawn or given.


@settings(max_examples=30, deadline=None, derandomize=True)
@given(couples())
def test_scoring_a_simulated_day_gives_its_state_record_and_finite_log_probabilities(b):
    pp, cp, s, u, day = b
    fl = mechanisms.flags()
    s1, d1, taken, none = couple_day_full(np, pp, cp, s, day, fl, u=u)
    assert none is None
    s2, d2, again, lp = couple_day_full(np, pp, cp, s, day, fl, given=taken, score=True)
    for a, c in zip(
        jax.tree.leaves((s1, d1, taken)), jax.tree.leaves((s2, d2, again)), strict=True
    ):
        np.testing.assert_array_equal(a, c)
    leaves = jax.tree.leaves(lp)
    assert all(np.all(np.isfinite(x)) for x in leaves)
    densities = (lp.importance, lp.person.arousal)
    assert all(np.all(x <= 1e-6) for x in leaves if not any(x is d for d in densities))
    # Nothing is decided in a relationship that has ended, but whether it stays ended... it is
    # frozen: no decision of an ended couple counts.
    ended = s.ended
    assert np.all(lp.end[ended] == 0) and np.all(lp.bid[:, ended] == 0)


@settings(max_examples=3, deadline=None, derandomize=True)
@given(couples())
def test_a_decision_scored_against_its_own_probability(b):
    """Over many identical couples, the frequency of each binary couple decision equals the
    mean of the probabilities its log-probabilities give (within 4.5 Monte Carlo standard
    errors). The probability can differ between the copies, since the day's exogenous draws (the
    life around the couple) move it; each copy's is read back from its own log-probability."""
    pp, cp, s, u, day = b
    n_rep = 20_000
    one = jax.tree.map(
        lambda a: np.repeat(a[..., :1], n_rep, axis=-1) if np.ndim(a) else a, (pp, cp, s)
    )
    pp1, cp1, s1 = one
    s1 = s1._replace(ended=np.zeros(n_rep, bool))
    u1 = np.random.default_rng(5).random((u.shape[0], n_rep), dtype=np.float32)
    fl = mechanisms.flags()
    _, _, taken, _ = couple_day_full(np, pp1, cp1, s1, day, fl, u=u1)
    _, _, _, lp = couple_day_full(np, pp1, cp1, s1, day, fl, given=taken, score=True)
    for name in ("conflict", "end"):
        x, l = getattr(taken, name), getattr(lp, name)
        if np.any(l != 0):
            p = np.where(x, np.exp(l), 1.0 - np.exp(l)).astype(np.float64)
            se = np.sqrt(max(float(np.mean(p * (1 - p))), 1e-9) / n_rep)
            assert abs(x.mean() - p.mean()) <= 4.5 * se + 1e-6, name


def test_bid_depth_distribution_matches_its_log_probability():
    n = 400_000
    u = np.random.default_rng(0).random(n, dtype=np.float32)
    for ceiling in (0.0, 1.0, 2.0, 4.0):
        k = depth_sample(np, u, np.float32(ceiling))
        freq = np.bincount(k, minlength=5)[: int(ceiling) + 1] / n
        want = np.exp(depth_log_prob(np, np.arange(int(ceiling) + 1), np.float32(ceiling)))
        assert want.sum() == pytest.approx(1.0, abs=1e-6)
        assert np.all(np.abs(freq - want) < 4.5 * np.sqrt(want * (1 - want) / n) + 1e-9)
    assert depth_log_prob(np, np.array([3]), np.float32(2.0))[0] == -np.inf


@settings(max_examples=2, deadline=None, derandomize=True)
@given(couples())
def test_the_days_log_probability_is_differentiable_in_the_relationship(b):
    pp, cp, s, u, day = b
    fl = jnp.asarray(mechanisms.flags())
    _, _, taken, _ = couple_day_full(np, pp, cp, s, day, np.asarray(fl), u=u)

    def total(bid_rate):
        c = jax.tree.map(jnp.asarray, couple_params())._replace(bid_rate=bid_rate)
        c = jax.tree.map(lambda a: jnp.broadcast_to(a, (N,)), c)
        out = couple_day_full(
            jnp,
            jax.tree.map(jnp.asarray, pp),
            c,
            jax.tree.map(jnp.asarray, s),
            day,
            fl,
            given=taken,
            score=True,
        )
        return sum(jnp.sum(x) for x in jax.tree.leaves(out[3]))

    g = jax.grad(total)(jnp.float32(0.5))
    assert np.isfinite(g)
