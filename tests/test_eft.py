"""Couples therapy's stages as the couple reaches them (docs/model.md 13.7): de-escalation ends
on the couple's progress or at a cap, re-engagement leads to the softening session, and the
softening repairs a share of the attachment injuries on the books."""

from __future__ import annotations

import numpy as np
import pytest

from closeloop import mechanisms
from closeloop.model import eft, healing
from closeloop.model.couple import N_COUPLE_DRAWS, couple_day, initial_couple
from closeloop.model.person import initial_state
from closeloop.params import CHANGE, PERSON_SPECS, couple_params, person_params

f32 = np.float32
N = 64


def _care(intensity: float = 1.0, withdrawer: str = "a") -> np.ndarray:
    sched = healing.schedule_array(
        [
            {
                "kind": "couples_therapy",
                "start": 0,
                "end": 1000,
                "intensity": intensity,
                "who": withdrawer,
            }
        ]
    )
    return healing.levels(np, sched, f32(10))


def _couple(pursuit: float = 0.8, felt: float = 0.8):
    pp = person_params(**{s.name: np.full((2, N), s.default, f32) for s in PERSON_SPECS})
    s = initial_couple(np, initial_state(np, (2, N)))
    s = s._replace(
        pursuit=np.full((2, N), pursuit, f32),
        felt=np.full((2, N), felt, f32),
    )
    return pp, s


def test_later_stages_add_their_components_for_their_roles():
    care = _care(0.8, "b")
    like = np.zeros((2, N), f32)
    for stage, obs, safe in ((0.5, 0.0, 0.0), (1.0, 0.8, 0.0), (2.0, 0.8, 0.8)):
        st = np.full(N, stage, f32)
        o = eft.level(np, care, "observation", st, like)
        c = eft.level(np, care, "commitment", st, like)
        sp = eft.level(np, care, "safe_partner", st, like)
        np.testing.assert_allclose(o[1], obs)  # b withdraws
        np.testing.assert_allclose(c[1], obs)
        np.testing.assert_allclose(sp[0], safe)  # a pursues
        assert (o[0] == 0).all() and (c[0] == 0).all() and (sp[1] == 0).all()
        np.testing.assert_allclose(eft.level(np, care, "pacing", st, like)[0], 0.8)


def test_de_escalation_ends_on_progress_or_at_its_cap():
    care = _care()
    _, s = _couple()
    cap = round(float(CHANGE.deesc_weeks) * healing.DAYS_PER_WEEK)
    high = np.full((2, N), 0.8, f32)
    low = np.zeros((2, N), f32)
    # Still pursuing: the stage creeps toward its cap.
    st = s
    for _ in range(cap - 1):
        st = st._replace(stage=eft.advance(np, care, st, high, high))
    assert (st.stage < 1.0).all()
    st = st._replace(stage=eft.advance(np, care, st, high, high))
    assert (st.stage == 1.0).all()
    # Calm: the next day is the re-engagement.
    calm = eft.advance(np, care, s, low, low)
    assert (calm == 1.0).all()
    # Not calm while one member still pursues or still finds bids unmet.
    one = low.copy()
    one[0] = 0.5
    assert (eft.advance(np, care, s, one, low) < 1.0).all()
    assert (eft.advance(np, care, s, low, one) < 1.0).all()
    # No course: no progress.
    none = healing.levels(np, healing.schedule_array([]), f32(10))
    assert (eft.advance(np, none, s, low, low) == 0.0).all()


def test_re_engagement_leads_to_one_softening_day():
    care = _care()
    _, s = _couple()
    s = s._replace(stage=np.full(N, 1.0, f32))
    days = round(float(CHANGE.reengage_weeks) * healing.DAYS_PER_WEEK)
    soft_days = []
    for d in range(days + 5):
        if eft.softening(np, care, s).all():
            soft_days.append(d)
        s = s._replace(stage=eft.advance(np, care, s, s.pursuit, s.felt))
    assert soft_days == [days]
    assert (s.stage > 2.0).all() and (s.stage <= 3.0).all()


def test_the_softening_is_deep_warm_sharing_that_repairs_injuries():
    care = _care()
    pp, s = _couple(0.1, 0.1)
    s = s._replace(
        stage=np.full(N, 2.0, f32),
        ruptures=np.full(N, 3.0, f32),
        injury=np.full(N, 2.0, f32),
    )
    u = np.random.default_rng(0).random((N_COUPLE_DRAWS, N)).astype(f32)
    s2, d = couple_day(np, pp, couple_params_default(), s, f32(400), u, FLAGS, care=care)
    # The session is the day: no bids and no conflict between the two.
    assert not d.bid.any() and not d.conflict.any()
    # Both shared at the deepest depth with each other: being known grew.
    assert (s2.known > s.known).all()
    keep = 1.0 - float(couple_params_default().rupture_decay)
    mended = float(CHANGE.injury_repair) * 2.0 * keep
    np.testing.assert_allclose(s2.ruptures, 3.0 * keep - mended, rtol=1e-5)
    np.testing.assert_allclose(s2.injury, 2.0 * keep - mended, rtol=1e-5)
    assert (s2.stage > 2.0).all()
    # Without the course the same state has an ordinary day: no repair.
    none = healing.levels(np, healing.schedule_array([]), f32(10))
    s3, _ = couple_day(np, pp, couple_params_default(), s, f32(400), u, FLAGS, care=none)
    np.testing.assert_allclose(s3.injury, 2.0 * keep, rtol=1e-6)
    assert (s3.stage == 2.0).all()


def couple_params_default():
    return couple_params()


FLAGS = mechanisms.flags()


@pytest.mark.slow
def test_the_course_softens_every_couple_and_repairs_a_betrayal_through_the_engine():
    """injury-in-therapy, with and without its course (same people): the stage record is 0
    before the course and reaches the softening during it, and the betrayal's rupture is
    partly mended by the course's end, not without it."""
    import closeloop as cl

    sc = cl.scenario("injury-in-therapy")
    iv = sc.interventions[0]
    sc = sc.replace(days=iv.end + 30)
    t = cl.simulate(sc, n=16, seed=1)
    b = cl.simulate(sc.replace(interventions=[]), n=16, seed=1)
    month = t.month.values
    together = (t.end_day.values < 0) & (b.end_day.values < 0)
    assert together.sum() >= 8
    stage = t.stage.values[together]
    assert (stage[:, month <= iv.start] == 0).all()
    assert (stage[:, -1] >= 2.0).all()
    assert (np.diff(stage, axis=1) >= 0).all()
    assert (b.stage.values == 0).all()
    end = np.argmin(np.abs(month - iv.end))
    assert (t.ruptures.values[together, end] < b.ruptures.values[together, end]).mean() > 0.5
