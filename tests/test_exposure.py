"""Exposure from one account: an exercise at a target depth that the person stays with, learning
that is inhibitory (new safety beside the template, never erasure), and setbacks only where the
general equations put them (arousal past the window of tolerance: ``overwhelm``). Graded exposure
and flooding differ in the target depth alone."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from closeloop import mechanisms
from closeloop.model import healing
from closeloop.model.person import PARTNER, C, K, Offer, comfort_depth, initial_state
from closeloop.model.response import N_PERSON_DRAWS, person_step
from closeloop.params import person_params

f32 = np.float32
N = 4000


def _person(threat: list[float], **traits: float) -> tuple:
    p = jax.tree.map(lambda a: np.full(N, a, f32), person_params(**traits))
    s = initial_state(np, (N,))
    V = np.zeros((C, K, N), f32)
    V[:, :, :] = np.asarray(threat, f32)[None, :, None]
    return p, s._replace(V=V)


def _day() -> Offer:
    z = np.zeros(N, f32)
    return Offer(
        offered=np.zeros(N, bool),
        depth=np.zeros(N, np.int32),
        context=np.full(N, PARTNER, np.int32),
        pressure=z,
        importance=z,
        warmth=z + 0.5,
        hurt_rate=z,
        protest_gain=z,
        forced=np.zeros(N, bool),
        salience=z + 1.0,
        observe_boost=z,
    )


THREAT = [0.0, 0.1, 0.3, 0.6, 0.8]
"""A template whose deep levels are dangerous (the edge of comfort is below the deepest)."""


def _exercise(target: int, flags: np.ndarray, **traits: float) -> tuple:
    p, s = _person(THREAT, **traits)
    o = healing.exposure_offer(np, _day(), np.full(N, target, np.int32))
    u = np.random.default_rng(target).random((N_PERSON_DRAWS, N), dtype=f32)
    s2, r = person_step(np, p, s, o, u, flags)
    return s, s2, r


@pytest.mark.parametrize("target", [2, K - 1])
def test_exposure_within_the_window_teaches_safety_beside_the_template(target):
    """With overwhelm off nothing in an exercise can hurt: threat falls through new inhibition
    and the excitatory template is never touched (not erasure)."""
    s, s2, r = _exercise(target, mechanisms.flags(("overwhelm",)))
    assert r.approached.all() and not r.overwhelmed.any()  # stayed with (response prevention)
    np.testing.assert_array_equal(s2.V, s.V)
    assert (s2.I[PARTNER, target] > s.I[PARTNER, target]).all()


def test_flooding_overwhelms_more_than_graded_from_the_same_equations():
    """The deepest level brings more arousal than the edge, so more exercises pass the window
    of tolerance; an overwhelmed exercise raises the template instead of teaching safety."""
    flags = mechanisms.flags()
    low = {"tolerance": 0.7}  # a narrow window, so that overwhelm is common enough to count
    graded = _exercise(2, flags, **low)[2]
    s, f2, flood = _exercise(K - 1, flags, **low)
    assert flood.overwhelmed.mean() > graded.overwhelmed.mean() + 0.1
    # Overwhelmed units learn threat at the deep levels; the others learn safety.
    deep = slice(3, K)
    hurt = flood.overwhelmed
    assert (f2.V[PARTNER, deep][:, hurt] >= s.V[PARTNER, deep][:, hurt]).all()
    assert (f2.V[PARTNER, deep][:, hurt] > s.V[PARTNER, deep][:, hurt]).any()
    np.testing.assert_array_equal(f2.V[:, :, ~hurt], s.V[:, :, ~hurt])


def test_the_two_kinds_are_one_exercise_at_two_targets():
    """No term of flooding's own: the flooding day is the graded day at the deepest level."""
    p, s = _person(THREAT)
    lv = np.zeros((len(healing.LEVELS), 2), f32)
    flood_lv, graded_lv = lv.copy(), lv.copy()
    flood_lv[healing.L["flooding"], 0] = 1.0
    graded_lv[healing.L["graded_exposure"], 0] = 1.0
    yes, no = np.array([True, False]), np.array([False, False])
    args = (p, s, mechanisms.flags(), np.zeros(N, f32))
    flood = healing.person_offer(np, _day(), flood_lv, no, yes, *args)
    graded = healing.person_offer(np, _day(), graded_lv, no, yes, *args)
    direct = healing.exposure_offer(np, _day(), np.full(N, K - 1, np.int32))
    for f, d in zip(flood, direct, strict=True):
        np.testing.assert_array_equal(np.broadcast_to(f, (N,)), np.broadcast_to(d, (N,)))
    edge = comfort_depth(np, p, s, PARTNER, mechanisms.flags()) + 1
    assert (graded.depth == edge).all() and (edge < K - 1).all()
