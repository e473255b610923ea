"""Spontaneous recovery on two timescales (docs/model.md 7.8): new safety is labile, fades within
days to weeks or is consolidated, and the consolidated part fades slowly; the rates are per day
and a week's step of the early history runs seven of them."""

from __future__ import annotations

import numpy as np
import pytest

from closeloop.mechanisms import flags
from closeloop.model.person import (
    DAYS_PER_WEEK,
    PARTNER,
    Offer,
    PersonState,
    Response,
    effective_threat,
    initial_state,
    kept_share,
    learn,
    tick,
)
from closeloop.params import person_params

f32 = np.float32
DEEP = 3


def _threatened(threat: float = 0.8) -> PersonState:
    s = initial_state(np)
    return s._replace(V=np.full_like(s.V, threat))


def _safe_share() -> tuple[Offer, Response]:
    """A deep sharing with the partner, met warmly: a lesson of safety."""
    one, no, z = np.True_, np.False_, f32(0)
    o = Offer(one, np.int32(DEEP), np.int32(PARTNER), z, f32(1), f32(1), z, z, no, f32(1), z)
    r = Response(one, one, no, no, z, z, z, z, np.int32(0), np.int32(1))
    return o, r


def _felt(s: PersonState) -> float:
    return float(effective_threat(np, s, np.int32(PARTNER))[DEEP])


def _quiet(s: PersonState, days: int, fl: np.ndarray, p=None) -> PersonState:
    p = p or person_params()
    for _ in range(days):
        s = tick(np, p, s, fl)
    return s


def _session(s: PersonState, trials: int, fl: np.ndarray, p=None) -> PersonState:
    """One day with ``trials`` safe sharings (the day passes once)."""
    p = p or person_params()
    o, r = _safe_share()
    s = tick(np, p, s, fl)
    for _ in range(trials):
        s = learn(np, p, s, o, r, fl)
    return s


def test_threat_returns_partly_within_two_weeks_and_then_stays():
    """After one extinction session, felt threat rebounds by a part of what the session removed,
    mostly within two weeks; from two weeks to a year it moves little more."""
    fl = flags()
    s0 = _threatened()
    s = _session(s0, 20, fl)
    before, after = _felt(s0), _felt(s)
    assert after < before - 0.2
    day14, day60, day365 = (_felt(_quiet(s, d, fl)) for d in (14, 60, 365))
    removed = before - after
    back14, back60, back365 = ((t - after) / removed for t in (day14, day60, day365))
    assert 0.2 < back14 < 0.8, back14  # partial
    assert back60 - back14 < 0.25 * back14  # most of the return within two weeks
    assert back365 < 0.8  # the consolidated part stays over a year
    assert back365 - back60 < 0.15


def test_without_labile_stage_there_is_no_early_return():
    """Ablated, a lesson is consolidated at once at the share consolidation would keep: the
    long-run level is matched (within the slow fading) and nothing returns in two weeks."""
    on, off = flags(), flags(["labile_safety"])
    s0 = _threatened()
    s_on, s_off = _session(s0, 20, on), _session(s0, 20, off)
    assert _felt(_quiet(s_off, 14, off)) == pytest.approx(_felt(s_off), abs=0.01)
    # One lesson (a single safe sharing) leaves the same long-run safety either way.
    one_on = _quiet(_session(s0, 1, on), 120, on)
    one_off = _quiet(_session(s0, 1, off), 120, off)
    assert float(one_on.I[PARTNER, DEEP]) == pytest.approx(
        float(one_off.I[PARTNER, DEEP]), rel=0.03
    )
    assert float(s_on.F.max()) > 0.0 and float(s_off.F.max()) == 0.0


def test_kept_share_equation():
    p = person_params(labile_fade=0.1, consolidation=0.3)
    assert float(kept_share(np, p, flags())) == pytest.approx(0.3 * 0.9 / (1 - 0.9 * 0.7))
    assert float(kept_share(np, p, flags(["spontaneous_recovery"]))) == pytest.approx(1.0)
    none = person_params(labile_fade=0.0, consolidation=0.0)
    assert float(kept_share(np, none, flags())) == 1.0


def test_a_week_step_is_seven_days():
    """One rate means the same time in the history's weekly step: a step of seven days equals
    seven daily steps, and the consolidated part fades by exactly 1 - (1 - k)^7."""
    fl = flags()
    p = person_params()
    s = _session(_threatened(), 10, fl)
    week = tick(np, p, s, fl, days=DAYS_PER_WEEK)
    daily = _quiet(s, DAYS_PER_WEEK, fl)
    np.testing.assert_allclose(week.I, daily.I, rtol=1e-6)
    np.testing.assert_allclose(week.F, daily.F, rtol=1e-6)
    solid = s._replace(F=np.zeros_like(s.F))
    w = tick(np, p, solid, fl, days=DAYS_PER_WEEK)
    k = float(p.recovery)
    np.testing.assert_allclose(w.I, solid.I * (1 - k) ** 7, rtol=1e-5)


def test_spaced_sessions_keep_more_than_massed_ones():
    """The same number of safe sharings, all on one day or spread over four weekly sessions:
    spaced practice leaves more safety three months later. Not built in: it follows from the
    prediction error (a lesson that has partly faded meets a larger error next time)."""
    fl = flags()
    s0 = _threatened()
    massed = _quiet(_session(s0, 20, fl), 90, fl)
    spaced = s0
    for _ in range(4):
        spaced = _quiet(_session(spaced, 5, fl), 6, fl)
    spaced = _quiet(spaced, 90 - 4 * 7 + 1, fl)
    assert _felt(spaced) < _felt(massed) - 0.02, (_felt(spaced), _felt(massed))


def test_a_hurt_undoes_the_labile_part_first():
    fl = flags()
    p = person_params()
    s = _session(_threatened(), 20, fl)
    solid = float((s.I - s.F)[PARTNER, DEEP])
    o, _ = _safe_share()
    z, one, no = f32(0), np.True_, np.False_
    hurt = Response(one, one, no, no, z, z, z, z, np.int32(0), np.int32(-1))
    s2 = learn(np, p, s, o, hurt, fl)
    assert float(s2.I[PARTNER, DEEP]) < float(s.I[PARTNER, DEEP])
    assert float(s2.F[PARTNER, DEEP]) < float(s.F[PARTNER, DEEP])
    assert float((s2.I - s2.F)[PARTNER, DEEP]) == pytest.approx(solid, abs=1e-6)
