"""Unit tests of the equations that claim checks used to read back.

A claim measures an observable consequence (docs/claims-protocol.md); a check that recovers the
coded term of a mechanism belongs to that equation's unit test. Each test here says which former
claim condition it replaces: P2's and H1's automatic and deliberate routes, D1's activation
under pressure, D2's attribution terms, D4's felt stability, H4's transfer of extinction and
H5's distress.
"""

from __future__ import annotations

import jax
import numpy as np
import pytest

from closeloop import mechanisms
from closeloop.model.couple import N_COUPLE_DRAWS, CoupleState, couple_day
from closeloop.model.person import (
    PARTNER,
    THERAPY,
    C,
    K,
    Offer,
    PersonState,
    Response,
    initial_state,
    learn,
)
from closeloop.model.response import response_probs
from closeloop.params import COUPLE_SPECS, PERSON_SPECS, couple_params, person_params

pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")

N = 64
F32 = np.float32


def _person(threat: float, **traits: float):
    p = person_params(**traits)
    p = jax.tree.map(lambda a: np.full(N, a, F32), p)
    s = initial_state(np, (N,))
    return p, s._replace(V=np.full((C, K, N), threat, F32), L=np.full(N, 0.4, F32))


def _offer(depth: int = 3, pressure: float = 0.0, context: int = PARTNER, **extra: float) -> Offer:
    base = dict(
        offered=np.ones(N, bool),
        depth=np.full(N, depth, np.int32),
        context=np.full(N, context, np.int32),
        pressure=np.full(N, pressure, F32),
        importance=np.full(N, 0.5, F32),
        warmth=np.full(N, 0.9, F32),
        hurt_rate=np.full(N, 0.05, F32),
        protest_gain=np.zeros(N, F32),
        forced=np.zeros(N, bool),
        salience=np.ones(N, F32),
        observe_boost=np.zeros(N, F32),
        commit=np.zeros(N, F32),
        stress=np.zeros(N, F32),
    )
    base.update({k: np.full(N, v, F32) for k, v in extra.items()})
    return Offer(**base)


# --- D1: activation is threat amplified by felt pressure (docs/model.md 6.1, 12.4).


@pytest.mark.parametrize("pressure", [0.0, 0.4, 1.0])
def test_activation_is_threat_times_one_plus_gain_times_pressure(pressure):
    p, s = _person(0.4)
    q = response_probs(np, p, s, _offer(pressure=pressure), mechanisms.flags())
    expected = q.threat * (1.0 + p.pressure_gain * pressure)
    np.testing.assert_allclose(q.activation, expected, rtol=1e-6)
    off = response_probs(np, p, s, _offer(pressure=pressure), mechanisms.flags(["pressure"]))
    np.testing.assert_allclose(off.activation, off.threat, rtol=1e-6)


# --- P2 and H1: the automatic route fires past the threshold; observation hands it over.


def test_automatic_route_fires_past_the_threshold_and_only_when_on():
    p, s_low = _person(0.05)
    _, s_high = _person(0.95)
    on = mechanisms.flags()
    low = response_probs(np, p, s_low, _offer(), on).p_auto
    high = response_probs(np, p, s_high, _offer(), on).p_auto
    assert (high > 0.5).all() and (low < 0.5).all()
    off = response_probs(np, p, s_high, _offer(), mechanisms.flags(["automatic_route"])).p_auto
    assert (off == 0).all()


def test_observation_practice_raises_the_share_of_reactions_caught():
    p, s = _person(0.9, observe=0.1)
    on = mechanisms.flags()
    plain = response_probs(np, p, s, _offer(), on).caught
    practised = response_probs(np, p, s, _offer(observe_boost=0.5), on).caught
    np.testing.assert_allclose(practised, 0.6, rtol=1e-6)
    np.testing.assert_allclose(plain, 0.1, rtol=1e-6)
    off = response_probs(np, p, s, _offer(observe_boost=0.5), mechanisms.flags(["observation"]))
    assert (off.caught == 0).all()


def test_the_deliberate_route_weighs_importance_and_the_automatic_one_does_not():
    p, s = _person(0.6)
    on = mechanisms.flags()
    lo = response_probs(np, p, s, _offer(importance=0.0), on)
    hi = response_probs(np, p, s, _offer(importance=1.0), on)
    assert (hi.p_share > lo.p_share).all()
    np.testing.assert_array_equal(hi.p_auto, lo.p_auto)


# --- H5: distress is the arousal endured while staying; beyond tolerance, overwhelm.


def _response(approached: np.ndarray, arousal: np.ndarray) -> Response:
    z = np.zeros(N, F32)
    return Response(
        offered=np.ones(N, bool),
        approached=approached,
        automatic=np.zeros(N, bool),
        noticed=np.zeros(N, bool),
        activation=z,
        threat=z,
        habit=z,
        arousal=arousal,
        behaviour=np.zeros(N, np.int32),
        outcome=np.ones(N, np.int32),
        distress=np.where(approached, arousal, 0.0).astype(F32),
        overwhelmed=np.zeros(N, bool),
    )


def test_distress_is_arousal_while_staying():
    from closeloop.model.response import PersonDecisions, finish

    p, s = _person(0.7)
    o = _offer()
    q = response_probs(np, p, s, o, mechanisms.flags())
    rng = np.random.default_rng(0)
    c = PersonDecisions(
        fires=np.zeros(N, bool),
        noticed=np.zeros(N, bool),
        chooses=rng.random(N) < 0.5,
        outcome=np.ones(N, np.int32),
        arousal=rng.random(N).astype(F32) * 2.0,
        busy=np.zeros(N, bool),
    )
    r = finish(np, q, o, c)
    np.testing.assert_allclose(r.distress, np.where(r.approached, c.arousal, 0.0))
    np.testing.assert_array_equal(r.overwhelmed, r.approached & (c.arousal > q.tolerance))


# --- H4: safety learned in one context reaches the others only in the share ext_transfer.


def test_extinction_transfers_the_share_ext_transfer_to_other_contexts():
    p, s = _person(0.8, ext_transfer=0.3)
    o = _offer(context=THERAPY)
    r = _response(np.ones(N, bool), np.zeros(N, F32))
    bound = learn(np, p, s, o, r, mechanisms.flags())
    gain_room = bound.I[THERAPY] - s.I[THERAPY]
    gain_home = bound.I[PARTNER] - s.I[PARTNER]
    assert (gain_room > 0).any()
    np.testing.assert_allclose(gain_home, 0.3 * gain_room, rtol=1e-5, atol=1e-7)
    free = learn(np, p, s, o, r, mechanisms.flags(["context_binding"]))
    np.testing.assert_allclose(free.I[PARTNER] - s.I[PARTNER], free.I[THERAPY] - s.I[THERAPY])


# --- D2 and D4: the couple's day (docs/model.md 12.6, 12.9, 12.10).


def _couples(seed: int = 0):
    rng = np.random.default_rng(seed)

    def spread(specs, shape):
        return {s.name: (s.low + (s.high - s.low) * rng.random(shape)).astype(F32) for s in specs}

    pp = person_params(**spread(PERSON_SPECS, (2, N)))
    cp = couple_params(**spread(COUPLE_SPECS, (N,)))

    def unit(*shape):
        return rng.random((*shape, 2, N)).astype(F32)

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
        ruptures=(rng.random(N) * 6).astype(F32),
        investment=rng.random(N).astype(F32),
        ended=np.zeros(N, bool),
        life=np.zeros((2, N), F32),
        perceived=unit(),
        stage=np.zeros(N, np.float32),
        injury=np.zeros(N, np.float32),
    )
    u = rng.random((N_COUPLE_DRAWS, N)).astype(F32)
    return pp, cp, s, u, F32(200)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pursuit_target_carries_attribution(seed):
    pp, cp, s, u, day = _couples(seed)
    s2, _ = couple_day(np, pp, cp, s, day, u, mechanisms.flags())
    target = np.minimum(pp.anxiety * s2.felt * (cp.attribution_offset + pp.attribution), 1.0)
    target = target * ~s2.gave_up
    expected = np.clip(s.pursuit + cp.pursuit_rate * (target - s.pursuit), 0.0, 1.0)
    np.testing.assert_allclose(s2.pursuit, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_satisfaction_loses_attribution_times_felt_distance(seed):
    pp, cp, s, u, day = _couples(seed)
    for ablate, attr in (((), pp.attribution), (("attribution",), 0.0 * pp.attribution)):
        s2, _ = couple_day(np, pp, cp, s, day, u, mechanisms.flags(ablate))
        quality = (
            cp.base_quality
            + cp.expect_weight * s2.expect
            + cp.intimacy_weight * s2.known.mean(axis=0) / K
            - cp.attribution_weight * attr * s2.felt
            - cp.rupture_weight * np.minimum(s2.ruptures, cp.rupture_cap) / cp.rupture_cap
            - cp.life_sat * s2.life  # the day's outside strain (life around the couple)
            + cp.partner_weight * (s2.perceived - cp.sat_start)  # the other, as one sees them
        )
        expected = s.sat + cp.sat_rate * (np.clip(quality, 0.0, 1.0) - s.sat)
        np.testing.assert_allclose(s2.sat, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_perceived_satisfaction_of_the_other_follows_attended_contact(seed):
    """12.15: on a day of contact (the other's bid or a conflict) one's picture of the other's
    satisfaction moves toward it, at full weight when one shared and at withdrawn_attention
    when one withdrew, less with one's own distance; without contact it stays. Ablated, it is
    the other's satisfaction."""
    pp, cp, s, u, day = _couples(seed)
    s2, d = couple_day(np, pp, cp, s, day, u, mechanisms.flags())
    contact = d.bid[::-1] | d.conflict
    attend = np.where(d.shared, 1.0, cp.withdrawn_attention) * contact
    step = cp.perceive_rate * attend * (1.0 - s.distance)
    expected = s.perceived + step * (s.sat[::-1] - s.perceived)
    np.testing.assert_allclose(s2.perceived, expected, rtol=1e-5, atol=1e-6)
    assert (s2.perceived[~contact] == s.perceived[~contact]).all()
    s3, _ = couple_day(np, pp, cp, s, day, u, mechanisms.flags(["partner_perception"]))
    np.testing.assert_array_equal(s3.perceived, s.sat[::-1])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_felt_stability_follows_the_days_calm(seed):
    pp, cp, s, u, day = _couples(seed)
    s2, d = couple_day(np, pp, cp, s, day, u, mechanisms.flags())
    calm = 1.0 - np.minimum(d.arousal, 1.0) - cp.conflict_calm * d.conflict.astype(F32)
    expected = s.stability + cp.stability_rate * (np.clip(calm, 0.0, 1.0) - s.stability)
    np.testing.assert_allclose(s2.stability, expected, rtol=1e-5, atol=1e-6)
