"""Interventions (``healing.py``) and the person mechanisms of change: the schedule, the day's
levels and sessions, how each intervention shapes the day's offer, and the four mechanisms
(decision_to_approach, overwhelm, spontaneous_recovery, stress_relapse) with their switches.

Everything here runs the kernels directly under NumPy, in the kernels' own batch-last layout (a
unit's scalar is the last axis, a depth field (K, B), a template (C, K, B)), except the engine
checks at the end, which reuse the suite's one compiled adult-days program (``conftest.DAYS``).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeloop import engine, mechanisms
from closeloop.mechanisms import NAMES
from closeloop.model import healing, person, response
from closeloop.model.healing import (
    KINDS,
    LEVELS,
    MAX_INTERVENTIONS,
    SAFE_WARMTH,
    SESSION_IMPORTANCE,
    SESSION_NOTICING,
    SESSION_SALIENCE,
    L,
)
from closeloop.model.person import (
    FRIEND,
    PARTNER,
    THERAPY,
    C,
    K,
    Offer,
    PersonState,
)
from closeloop.model.response import N_PERSON_DRAWS
from closeloop.params import PERSON_SPECS, person_params

PROPS = settings(max_examples=60, deadline=None, derandomize=True)
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")

ON = mechanisms.flags()
B = 16
f32 = np.float32


def _off(*names: str) -> np.ndarray:
    return mechanisms.flags(names)


def _sched(*rows: dict) -> np.ndarray:
    """A schedule from rows given as keyword dicts (defaults: day 0 to 1000, intensity 1,
    member a)."""
    full = [{"start": 0, "end": 1000, "intensity": 1.0, "who": "a", **r} for r in rows]
    return healing.schedule_array(full)


def _levels(schedule: np.ndarray, day: float) -> dict[str, np.ndarray]:
    lv = healing.levels(np, schedule, f32(day))
    assert lv.shape == (len(LEVELS), 2)
    return {name: lv[i] for i, name in enumerate(LEVELS)}


def _sessions(schedule: np.ndarray, days: range) -> tuple[list[int], list[int]]:
    """Days on which member a has a therapy session, and days with an exposure exercise."""
    out: tuple[list[int], list[int]] = ([], [])
    for d in days:
        therapy, exercise = healing.sessions(np, schedule, f32(d))
        assert therapy.shape == exercise.shape == (2,)
        if therapy[0]:
            out[0].append(d)
        if exercise[0]:
            out[1].append(d)
    return out


# ---------------------------------------------------------------- the schedule array


def test_schedule_array_is_padded_with_unused_rows():
    a = _sched({"kind": "therapy", "start": 3, "end": 9, "intensity": 0.5, "who": "b"})
    assert a.shape == (MAX_INTERVENTIONS, len(healing.COLUMNS)) and a.dtype == np.float32
    np.testing.assert_array_equal(a[0], [KINDS.index("therapy"), 3, 9, 0.5, 1])
    assert (a[1:, 0] == -1).all()
    empty = healing.schedule_array([])
    assert empty.shape == a.shape and (empty[:, 0] == -1).all()
    # unused rows contribute nothing, whatever their other columns hold
    junk = empty.copy()
    junk[:, 1:] = [0, 1000, 1, 2]
    for day in (0, 5, 999):
        assert (healing.levels(np, junk, f32(day)) == 0).all()
        assert not np.concatenate(healing.sessions(np, junk, f32(day))).any()


def test_schedule_array_takes_the_largest_schedule():
    rows = [{"kind": k} for k in KINDS[:MAX_INTERVENTIONS]]
    a = _sched(*rows)
    assert (a[:, 0] == np.arange(MAX_INTERVENTIONS)).all()


# ---------------------------------------------------------------- the day's levels


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "couples_therapy"])
def test_a_row_is_active_from_its_start_to_the_day_before_its_end(kind):
    s = _sched({"kind": kind, "start": 10, "end": 20, "intensity": 0.7})
    expect = np.zeros((len(LEVELS), 2), np.float32)
    expect[L[kind], 0] = 0.7
    for day in (0, 9, 20, 21, 500):
        assert (healing.levels(np, s, f32(day)) == 0).all(), day
    for day in (10, 15, 19):
        np.testing.assert_array_equal(healing.levels(np, s, f32(day)), expect, err_msg=str(day))


@pytest.mark.parametrize(("who", "members"), [("a", [1, 0]), ("b", [0, 1]), ("both", [1, 1])])
def test_who_the_intervention_is_for(who, members):
    s = _sched({"kind": "observation", "intensity": 0.4, "who": who})
    lv = _levels(s, 5)
    np.testing.assert_allclose(lv["observation"], 0.4 * np.array(members, np.float32))
    for name in LEVELS:
        if name != "observation":
            assert (lv[name] == 0).all(), name


def test_overlapping_rows_take_the_larger_intensity():
    s = _sched(
        {"kind": "stress", "start": 0, "end": 30, "intensity": 0.3},
        {"kind": "stress", "start": 10, "end": 20, "intensity": 0.8},
        {"kind": "stress", "start": 15, "end": 40, "intensity": 0.5, "who": "b"},
    )
    assert _levels(s, 5)["stress"].tolist() == pytest.approx([0.3, 0.0])
    assert _levels(s, 12)["stress"].tolist() == pytest.approx([0.8, 0.0])
    assert _levels(s, 17)["stress"].tolist() == pytest.approx([0.8, 0.5])
    assert _levels(s, 25)["stress"].tolist() == pytest.approx([0.3, 0.5])
    assert _levels(s, 35)["stress"].tolist() == pytest.approx([0.0, 0.5])


@pytest.mark.parametrize("withdrawer", ["a", "b"])
def test_couples_therapy_schedules_its_first_stage_and_its_roles(withdrawer):
    """From the start of the course: the pursuer paces, both reframe, and the course's
    intensity is recorded for its withdrawer and its pursuer; the later stages' components come
    from the couple's progress (tests/test_eft.py), not from the schedule."""
    w = 0 if withdrawer == "a" else 1
    p = 1 - w
    s = _sched(
        {"kind": "couples_therapy", "start": 30, "end": 120, "intensity": 0.9, "who": withdrawer}
    )

    def level(day: int, name: str, member: int) -> float:
        return float(_levels(s, day)[name][member])

    for day in (0, 29, 120, 200):
        assert (healing.levels(np, s, f32(day)) == 0).all(), day
    for day in (30, 59, 119):
        assert level(day, "pacing", p) == pytest.approx(0.9) and level(day, "pacing", w) == 0
        assert level(day, "reframe", p) == level(day, "reframe", w) == pytest.approx(0.9)
        assert level(day, "eft_withdrawer", w) == pytest.approx(0.9)
        assert level(day, "eft_pursuer", p) == pytest.approx(0.9)
        assert level(day, "eft_withdrawer", p) == level(day, "eft_pursuer", w) == 0
        for name in ("observation", "commitment", "safe_partner"):
            assert level(day, name, 0) == level(day, name, 1) == 0, (day, name)
    for name in ("therapy", "graded_exposure", "flooding", "stress", "context_change"):
        for day in range(30, 120, 7):
            assert (_levels(s, day)[name] == 0).all(), (name, day)


@st.composite
def schedules(draw):
    """Any schedule array, padded rows and reversed spans included."""
    n = draw(st.integers(0, MAX_INTERVENTIONS))
    out = healing.schedule_array([])
    for i in range(n):
        start = draw(st.integers(0, 400))
        out[i] = (
            draw(st.integers(-1, len(KINDS) - 1)),
            start,
            draw(st.integers(0, 400)) if draw(st.booleans()) else start + draw(st.integers(1, 90)),
            draw(st.floats(0.0, 1.0, width=32)),
            draw(st.integers(0, 2)),
        )
    return out


@PROPS
@given(schedules(), st.integers(0, 500))
def test_levels_are_bounded_and_the_max_over_rows(schedule, day):
    lv = healing.levels(np, schedule, f32(day))
    assert lv.shape == (len(LEVELS), 2) and lv.dtype == np.float32
    assert np.isfinite(lv).all() and ((lv >= 0) & (lv <= 1)).all()
    # each row on its own, then the largest: overlapping interventions take the max
    alone = []
    for row in schedule:
        one = healing.schedule_array([])
        one[0] = row
        alone.append(healing.levels(np, one, f32(day)))
    np.testing.assert_array_equal(lv, np.max(alone, axis=0))
    therapy, exercise = healing.sessions(np, schedule, f32(day))
    assert therapy.dtype == exercise.dtype == np.bool_ and therapy.shape == (2,)


# ---------------------------------------------------------------- sessions


def test_weekly_therapy_at_full_intensity_is_one_session_every_seven_days():
    therapy, exercise = _sessions(_sched({"kind": "therapy", "start": 10, "end": 80}), range(100))
    assert len(therapy) == 10 and not exercise
    assert all(10 <= d < 80 for d in therapy)
    assert set(np.diff(therapy)) == {7}


def test_therapy_at_half_intensity_is_about_one_session_every_fourteen_days():
    s = _sched({"kind": "therapy", "start": 0, "end": 280, "intensity": 0.5})
    therapy, _ = _sessions(s, range(300))
    assert len(therapy) == 20 and set(np.diff(therapy)) == {14}
    assert therapy[-1] < 280


@pytest.mark.parametrize("kind", ["graded_exposure", "flooding"])
def test_exercises_are_daily_at_full_intensity(kind):
    _, exercise = _sessions(_sched({"kind": kind, "start": 5, "end": 25}), range(40))
    assert exercise == list(range(5, 25))
    _, half = _sessions(_sched({"kind": kind, "start": 5, "end": 25, "intensity": 0.5}), range(40))
    assert len(half) == 10 and set(np.diff(half)) == {2}


def test_sessions_belong_to_their_member():
    s = _sched({"kind": "therapy", "start": 0, "end": 70, "who": "b"})
    days = [d for d in range(70) if healing.sessions(np, s, f32(d))[0].tolist() == [False, True]]
    assert len(days) == 10
    assert not any(healing.sessions(np, s, f32(d))[0][0] for d in range(70))
    # other kinds bring no sessions
    for kind in ("observation", "commitment", "safe_partner", "stress"):
        _, ex = _sessions(_sched({"kind": kind}), range(30))
        th, _ = _sessions(_sched({"kind": kind}), range(30))
        assert not ex and not th, kind


# ---------------------------------------------------------------- the day's offer


def _state(n: int = B, threat_from: int = 2) -> PersonState:
    """No threat below ``threat_from``, full threat from it on, in every context: the comfort
    depth is ``threat_from - 1`` everywhere."""
    s = person.initial_state(np, (n,))
    v = (np.arange(K) >= threat_from).astype(np.float32)[None, :, None]
    return s._replace(V=np.broadcast_to(v, s.V.shape).astype(np.float32))


def _params(n: int = B):
    return person_params(**{s.name: np.full(n, s.default) for s in PERSON_SPECS})


def _offer(n: int = B, seed: int = 0) -> Offer:
    rng = np.random.default_rng(seed)
    return Offer(
        offered=rng.random(n) < 0.7,
        depth=rng.integers(0, K, n).astype(np.int32),
        context=np.where(rng.random(n) < 0.5, PARTNER, FRIEND).astype(np.int32),
        pressure=rng.random(n, dtype=np.float32),
        importance=rng.random(n, dtype=np.float32),
        warmth=rng.random(n, dtype=np.float32),
        hurt_rate=rng.random(n, dtype=np.float32) * 0.3,
        protest_gain=np.zeros(n, np.float32),
        forced=np.zeros(n, bool),
        salience=np.ones(n, np.float32),
        observe_boost=rng.random(n, dtype=np.float32) * 0.3,
        commit=np.zeros(n, np.float32),
        stress=np.zeros(n, np.float32),
    )


def _lv(**levels: float) -> np.ndarray:
    lv = np.zeros((len(LEVELS), 2), np.float32)
    for name, x in levels.items():
        lv[L[name], 0] = x
    return lv


NO = np.array([False, False])
A = np.array([True, False])


def _apply(o: Offer, lv: np.ndarray, therapy=NO, exercise=NO, s=None, u_context=None, share=0.0):
    s = _state() if s is None else s
    u = np.full(o.depth.shape, 0.5, np.float32) if u_context is None else u_context
    return healing.person_offer(np, o, lv, therapy, exercise, _params(), s, ON, u, share)


def test_no_intervention_leaves_the_offer_alone():
    o = _offer()
    o2 = _apply(o, _lv())
    for name in Offer._fields:
        np.testing.assert_array_equal(getattr(o2, name), getattr(o, name), err_msg=name)


def test_a_safe_partner_is_warm_and_neither_presses_nor_hurts():
    o = _offer()
    full = _apply(o, _lv(safe_partner=1.0))
    np.testing.assert_allclose(full.warmth, SAFE_WARMTH, rtol=1e-6)
    assert (full.pressure == 0).all() and (full.hurt_rate == 0).all()
    for name in ("depth", "context", "offered", "importance", "forced"):
        np.testing.assert_array_equal(getattr(full, name), getattr(o, name), err_msg=name)
    half = _apply(o, _lv(safe_partner=0.5))
    np.testing.assert_allclose(half.warmth, (o.warmth + SAFE_WARMTH) / 2, rtol=1e-6)
    np.testing.assert_allclose(half.pressure, o.pressure / 2, rtol=1e-6)
    np.testing.assert_allclose(half.hurt_rate, o.hurt_rate / 2, rtol=1e-6)


def test_pacing_caps_the_partners_depth_at_the_comfort_depth():
    o = _offer()._replace(depth=np.tile(np.arange(K, dtype=np.int32), 4)[:B])
    paced = _apply(o, _lv(pacing=1.0), s=_state(threat_from=2))  # comfort depth 1
    partner = o.context == PARTNER
    np.testing.assert_array_equal(paced.depth[partner], np.minimum(o.depth[partner], 1))
    np.testing.assert_array_equal(paced.depth[~partner], o.depth[~partner])  # friends unpaced
    assert (paced.pressure == 0).all()
    # nobody is pushed below small talk, even with no comfortable depth at all
    none = _apply(o, _lv(pacing=1.0), s=_state(threat_from=0))
    np.testing.assert_array_equal(none.depth[partner], 0)


def test_graded_exposure_is_at_the_edge_and_flooding_at_the_deepest_level():
    """One exercise, two targets: the two kinds differ in depth only (no push of flooding's
    own)."""
    o = _offer()
    graded = _apply(o, _lv(graded_exposure=1.0), exercise=A, s=_state(threat_from=2))
    flood = _apply(o, _lv(flooding=1.0), exercise=A, s=_state(threat_from=2))
    for ex in (graded, flood):
        assert ex.offered.all() and ex.forced.all() and (ex.context == PARTNER).all()
        np.testing.assert_allclose(ex.warmth, SAFE_WARMTH, rtol=1e-6)
        np.testing.assert_allclose(ex.importance, SESSION_IMPORTANCE, rtol=1e-6)
        assert (ex.hurt_rate == 0).all()
    assert (graded.depth == 2).all()  # comfort 1, edge 2
    assert (flood.depth == K - 1).all()
    for ex in (graded, flood):
        assert (ex.pressure == 0).all()
        same = [f for f in ex._fields if f != "depth"]
        for f in same:
            np.testing.assert_array_equal(getattr(graded, f), getattr(flood, f), err_msg=f)
    # the edge never goes past the deepest level, and an exercise needs its day
    top = _apply(o, _lv(graded_exposure=1.0), exercise=A, s=_state(threat_from=K))
    assert (top.depth == K - 1).all()
    off_day = _apply(o, _lv(graded_exposure=1.0), exercise=NO)
    np.testing.assert_array_equal(off_day.depth, o.depth)


def test_a_therapy_session_is_safe_closeness_at_the_edge_in_the_therapy_context():
    o = _offer()
    s = _state(threat_from=3)
    # safety learned in therapy: the edge there is deeper than with the partner
    s = s._replace(I=s.I.copy())
    s.I[THERAPY, 3] = 1.0
    sess = _apply(o, _lv(therapy=1.0), therapy=A, s=s)
    assert sess.offered.all() and not sess.forced.any()
    assert (sess.context == THERAPY).all() and (sess.depth == 4).all()
    np.testing.assert_allclose(sess.salience, SESSION_SALIENCE, rtol=1e-6)
    np.testing.assert_allclose(sess.warmth, SAFE_WARMTH, rtol=1e-6)
    np.testing.assert_allclose(sess.importance, SESSION_IMPORTANCE, rtol=1e-6)
    assert (sess.pressure == 0).all() and (sess.hurt_rate == 0).all()
    np.testing.assert_allclose(
        sess.observe_boost, np.minimum(o.observe_boost + SESSION_NOTICING, 1)
    )
    # no session today: the offer is the world's
    quiet = _apply(o, _lv(therapy=1.0), therapy=NO, s=s)
    np.testing.assert_array_equal(quiet.context, o.context)


def test_commitment_stress_and_observation_reach_the_offer():
    o = _offer()
    o2 = _apply(o, _lv(commitment=0.6, stress=0.3, observation=0.9))
    np.testing.assert_allclose(o2.commit, 0.6, rtol=1e-6)
    np.testing.assert_allclose(o2.stress, 0.3, rtol=1e-6)
    np.testing.assert_allclose(o2.observe_boost, np.minimum(o.observe_boost + 0.9, 1.0), rtol=1e-6)
    # member b's levels are not the person's
    lv = np.zeros((len(LEVELS), 2), np.float32)
    lv[:, 1] = 1.0
    o3 = _apply(o, lv)
    assert (o3.commit == 0).all() and (o3.stress == 0).all()


def test_a_context_change_moves_partner_offers_to_new_people():
    o = _offer()
    u = np.linspace(0.0, 0.99, B, dtype=np.float32)
    moved = _apply(o, _lv(context_change=1.0), u_context=u)
    assert (moved.context == FRIEND).all()
    half = _apply(o, _lv(context_change=0.5), u_context=u)
    partner = o.context == PARTNER
    np.testing.assert_array_equal(
        half.context[partner], np.where(u < 0.5, FRIEND, PARTNER)[partner]
    )
    # with a friend share already in the world, the change applies to the partner's share only
    # (u < friend_share chose a friend already)
    share = _apply(o, _lv(context_change=0.5), u_context=u, share=0.4)
    np.testing.assert_array_equal(
        share.context[partner], np.where(u < 0.4 + 0.5 * 0.6, FRIEND, PARTNER)[partner]
    )


# ---------------------------------------------------------------- the mechanisms of change


@st.composite
def units(draw, n: int = B):
    """(params, state, offer, draws) for ``n`` units, batch-last; commitment and stress anywhere
    in [0, 1] (a sixth of them exactly 0, a sixth exactly 1)."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))

    def unit(*shape, lo=0.0, hi=1.0):
        x = lo + (hi - lo) * rng.random((*shape, n))
        pick = rng.random((*shape, n))
        return np.where(pick < 1 / 6, lo, np.where(pick > 5 / 6, hi, x)).astype(np.float32)

    p = person_params(**{s.name: unit(lo=s.low, hi=s.high) for s in PERSON_SPECS})
    s = PersonState(V=unit(C, K), I=unit(C, K), R=unit(K), H=unit(K), E=unit(), L=unit())
    o = Offer(
        offered=rng.random(n) < 0.8,
        depth=rng.integers(0, K, n).astype(np.int32),
        context=rng.integers(0, C, n).astype(np.int32),
        pressure=unit(),
        importance=unit(),
        warmth=unit(),
        hurt_rate=unit(),
        protest_gain=unit(lo=-0.5, hi=0.5),
        forced=rng.random(n) < 0.2,
        salience=unit(lo=1.0, hi=4.0),
        observe_boost=unit(),
        commit=unit(),
        stress=unit(),
    )
    u = np.minimum(unit(N_PERSON_DRAWS), f32(1.0) - f32(2**-24))
    return p, s, o, u


def _fields_equal(a, b, msg: str = "") -> None:
    for name in type(a)._fields:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=f"{msg}{name}")


@PROPS
@given(units(), st.floats(0.0, 1.0, width=32))
def test_more_commitment_never_means_less_sharing(b, extra):
    """With the same draws, raising commitment never turns a share into a withdrawal, nor a
    deliberate response into an automatic one (it catches reactions and tips the weighing)."""
    p, s, o, u = b
    more = o._replace(commit=np.minimum(o.commit + f32(extra), f32(1.0)))
    lo, hi = response.respond(np, p, s, o, u, ON), response.respond(np, p, s, more, u, ON)
    assert not (lo.approached & ~hi.approached).any(), "more commitment, yet less sharing"
    assert not (hi.automatic & ~lo.automatic).any(), "more commitment, yet more automatic"
    np.testing.assert_array_equal(hi.activation, lo.activation)  # it changes the weighing only


def test_commitment_raises_the_share_of_sharing_under_threat():
    """Integrated over common draws: a committed person under high threat shares far more."""
    n = 4000
    rng = np.random.default_rng(0)
    u = rng.random((N_PERSON_DRAWS, n), dtype=np.float32)
    p, s, o = _params(n), _state(n, threat_from=0), _offer(n)._replace(offered=np.ones(n, bool))
    rates = [
        response.respond(
            np, p, s, o._replace(commit=np.full(n, c, np.float32)), u, ON
        ).approached.mean()
        for c in (0.0, 0.25, 0.5, 0.75, 1.0)
    ]
    assert rates == sorted(rates) and rates[-1] - rates[0] > 0.3, rates


@PROPS
@given(units(), st.floats(0.0, 1.0, width=32))
def test_more_stress_never_lowers_felt_threat(b, extra):
    p, s, o, u = b
    more = np.minimum(o.stress + f32(extra), f32(1.0))
    for c in range(C):
        ctx = np.full(B, c, np.int32)
        lo = person.effective_threat(np, s, ctx, o.stress)
        hi = person.effective_threat(np, s, ctx, more)
        assert (hi >= lo).all()
        # full stress: all the learned safety out of reach, the bare excitatory threat
        np.testing.assert_array_equal(person.effective_threat(np, s, ctx, f32(1.0)), s.V[c])
    r_lo = response.respond(np, p, s, o, u, ON)
    r_hi = response.respond(np, p, s, o._replace(stress=more), u, ON)
    assert (r_hi.activation >= r_lo.activation).all()
    assert not (r_hi.approached & ~r_lo.approached).any(), "more stress, yet shared"


@PROPS
@given(units())
def test_without_decision_to_approach_commitment_changes_nothing(b):
    p, s, o, u = b
    fl = _off("decision_to_approach")
    none = o._replace(commit=np.zeros(B, np.float32))
    _fields_equal(response.respond(np, p, s, o, u, fl), response.respond(np, p, s, none, u, fl))
    r = response.respond(np, p, s, o, u, fl)
    _fields_equal(person.learn(np, p, s, o, r, fl), person.learn(np, p, s, none, r, fl))


@PROPS
@given(units())
def test_without_stress_relapse_stress_changes_nothing(b):
    p, s, o, u = b
    fl = _off("stress_relapse")
    calm = o._replace(stress=np.zeros(B, np.float32))
    _fields_equal(response.respond(np, p, s, o, u, fl), response.respond(np, p, s, calm, u, fl))
    r = response.respond(np, p, s, o, u, fl)
    _fields_equal(person.learn(np, p, s, o, r, fl), person.learn(np, p, s, calm, r, fl))


@PROPS
@given(units())
def test_overwhelm_is_sharing_beyond_the_window_of_tolerance(b):
    p, s, o, u = b
    r = response.respond(np, p, s, o, u, ON)
    np.testing.assert_array_equal(r.overwhelmed, r.approached & (r.arousal > p.tolerance))
    np.testing.assert_array_equal(r.distress, np.where(r.approached, r.arousal, 0.0))
    off = response.respond(np, p, s, o, u, _off("overwhelm"))
    assert not off.overwhelmed.any()
    # the switch changes nothing else about the response
    _fields_equal(off._replace(overwhelmed=r.overwhelmed), r)


def test_forced_deep_sharing_under_high_threat_overwhelms():
    """Control for the property above: overwhelm does happen where it should."""
    n = 200
    rng = np.random.default_rng(2)
    u = rng.random((N_PERSON_DRAWS, n), dtype=np.float32)
    o = _offer(n)._replace(
        offered=np.ones(n, bool), forced=np.ones(n, bool), depth=np.full(n, K - 1, np.int32)
    )
    p = person_params(tolerance=0.3)
    r = response.respond(np, p, _state(n, threat_from=0), o, u, ON)
    assert r.approached.all() and r.overwhelmed.mean() > 0.8


@PROPS
@given(units(), st.integers(-1, 1))
def test_being_overwhelmed_teaches_like_being_hurt(b, outcome):
    p, s, o, u = b
    r = response.respond(np, p, s, o, u, ON)
    r = r._replace(approached=r.offered, outcome=np.full(B, outcome, np.int32))
    overwhelmed = person.learn(np, p, s, o, r._replace(overwhelmed=np.ones(B, bool)), ON)
    hurt = person.learn(np, p, s, o, r._replace(outcome=np.full(B, -1, np.int32)), ON)
    _fields_equal(overwhelmed, hurt)


@PROPS
@given(units())
def test_learning_never_lowers_the_excitatory_threat(b):
    """Extinction is new learning beside the threat (I), never its erasure: V never falls."""
    p, s, o, u = b
    r = response.respond(np, p, s, o, u, ON)
    for outcome in (-1, 0, 1):
        s2 = person.learn(np, p, s, o, r._replace(outcome=np.full(B, outcome, np.int32)), ON)
        assert (s2.V >= s.V).all(), outcome


def test_safe_sharing_builds_inhibition_in_every_context():
    """Extinction adds to I: in full in the context where it happened, the share ext_transfer in
    every other one, and V is left as it was."""
    n = 1
    p = person_params(ext_transfer=0.25, alpha_ext=0.2)
    s = _state(n, threat_from=0)
    o = _offer(n)._replace(
        offered=np.ones(n, bool),
        context=np.full(n, PARTNER, np.int32),
        depth=np.full(n, 3, np.int32),
    )
    r = response.respond(np, p, s, o, np.full((N_PERSON_DRAWS, n), 0.5, np.float32), ON)
    r = r._replace(approached=np.ones(n, bool), outcome=np.ones(n, np.int32))
    r = r._replace(overwhelmed=np.zeros(n, bool))
    s2 = person.learn(np, p, s, o, r, ON)
    np.testing.assert_array_equal(s2.V, s.V)
    gain = s2.I[:, 3, 0] - s.I[:, 3, 0]
    assert gain[PARTNER] > 0
    for c in range(C):
        if c != PARTNER:
            assert gain[c] == pytest.approx(0.25 * gain[PARTNER], rel=1e-5)


@PROPS
@given(units())
def test_learned_safety_fades_only_with_spontaneous_recovery(b):
    p, s, _, _ = b
    faded = person.tick(np, p, s, ON)
    np.testing.assert_allclose(faded.I, s.I * (1.0 - p.recovery), rtol=1e-6)
    assert (faded.I <= s.I).all()
    np.testing.assert_array_equal(faded.V, s.V)
    kept = person.tick(np, p, s, _off("spontaneous_recovery"))
    np.testing.assert_array_equal(kept.I, s.I)


# ---------------------------------------------------------------- the whole day, under JAX


@jax.jit
def _day(p, s, o, lv, therapy, exercise, u, fl):
    """The engine's person day: interventions shape the offer, then respond, tick and learn."""
    o = healing.person_offer(jnp, o, lv, therapy, exercise, p, s, fl, u[0], 0.3)
    r = response.respond(jnp, p, s, o, u, fl)
    return o, r, person.learn(jnp, p, person.tick(jnp, p, s, fl), o, r, fl)


@PROPS
@given(units(), schedules(), st.integers(0, 400), st.integers(0, 2**32 - 1))
def test_a_day_under_any_schedule_stays_finite_and_in_bounds(b, schedule, day, seed):
    p, s, o, u = b
    lv = healing.levels(np, schedule, f32(day))
    therapy, exercise = healing.sessions(np, schedule, f32(day))
    fl = (np.random.default_rng(seed).random(len(NAMES)) < 0.8).astype(np.float32)
    o2, r, s2 = _day(p, s, o, lv, therapy, exercise, u, fl)
    for name in ("pressure", "importance", "warmth", "hurt_rate", "observe_boost", "commit"):
        x = np.asarray(getattr(o2, name))
        assert np.isfinite(x).all() and ((x >= 0) & (x <= 1)).all(), name
    assert ((np.asarray(o2.depth) >= 0) & (np.asarray(o2.depth) < K)).all()
    assert ((np.asarray(o2.context) >= 0) & (np.asarray(o2.context) < C)).all()
    for name, x in s2._asdict().items():
        x = np.asarray(x)
        assert x.dtype == np.float32 and x.shape == getattr(s, name).shape, name
        assert np.isfinite(x).all() and ((x >= 0) & (x <= 1)).all(), name
    for name in ("activation", "arousal", "distress"):
        x = np.asarray(getattr(r, name))
        assert np.isfinite(x).all() and (x >= 0).all(), name
    assert not (np.asarray(r.overwhelmed) & ~np.asarray(r.approached)).any()


# ---------------------------------------------------------------- the engine


def test_a_new_schedule_is_new_data_not_a_new_program(base_tables, base_world, days):
    """Schedules of the same shape run on one compiled program, and each one counts."""

    def run(schedule):
        return engine.run_population(
            4, 0, base_tables, base_world, ON, days=days, schedule=schedule
        )

    plain = run(None)
    count = engine.compiled_count()
    empty = run(healing.schedule_array([]))
    therapy = run(_sched({"kind": "therapy", "start": 0, "end": days}))
    flooding = run(_sched({"kind": "flooding", "start": 5, "end": 30, "intensity": 0.5}))
    full = run(_sched(*[{"kind": k, "start": i} for i, k in enumerate(KINDS[:MAX_INTERVENTIONS])]))
    assert engine.compiled_count() == count, "a new schedule compiled a new program"
    for key in ("V", "I", "offers", "shares"):
        np.testing.assert_array_equal(empty[key], plain[key], err_msg=key)
    assert not np.array_equal(therapy["I"], plain["I"])
    assert not np.array_equal(flooding["shares"], plain["shares"])
    assert not np.array_equal(full["offers"], plain["offers"])
    for out in (therapy, flooding, full):
        for key in ("V", "I", "R", "H", "E", "L"):
            assert np.isfinite(out[key]).all() and ((out[key] >= 0) & (out[key] <= 1)).all()


# ---------------------------------------------------------------- spontaneous recovery


def test_unrenewed_safety_returns_on_the_documented_timescale():
    """docs/model.md 7.8: with the default ``recovery``, a threat extinguished in full comes
    back by about 10% of the old template in a year and by half in about six years when nothing
    renews the safety: gains mostly kept over a year of follow-up (Choy, Fyer & Lipsitz 2007)."""
    p = person_params()
    s = person.initial_state(np, ())
    s = s._replace(V=np.full((C, K), 0.8, f32), I=np.full((C, K), 0.8, f32))
    back = {}
    for day in range(1, 8 * 365):
        s = person.tick(np, p, s, ON)
        back[day] = float(person.effective_threat(np, s, PARTNER)[K - 1]) / 0.8
    assert back[30] < 0.02  # a month without renewal: still almost all of the safety
    assert 0.08 <= back[365] <= 0.12
    half = min(d for d, x in back.items() if x >= 0.5)
    assert 5 * 365 <= half <= 7 * 365
    # Switched off, learned safety never fades.
    off = person.tick(np, p, s._replace(I=np.full((C, K), 0.8, f32)), _off("spontaneous_recovery"))
    assert (off.I == 0.8).all()
