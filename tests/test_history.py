"""The early history: caregiving, adolescence and acute events."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeloop.errors import InputError
from closeloop.mechanisms import NAMES
from closeloop.model.history import (
    ADULT_AGE,
    EVENT_TABLE,
    EVENTS,
    HISTORY_STEPS,
    HOME_UNTIL,
    MAX_EVENTS,
    N_CONTINGENCY,
    N_HISTORY_DRAWS,
    PEERS,
    STYLE_NAMES,
    STYLE_TABLE,
    STYLES,
    WEEKS_PER_YEAR,
    check_age,
    child_exposure,
    contingency_terms,
    event_index,
    history_offer,
    learned_anxiety,
    protest_slope,
    style_index,
)
from closeloop.model.person import HOME, PARTNER, C, K, effective_threat
from closeloop.model.person import initial_state as newborn
from closeloop.model.response import N_PERSON_DRAWS, person_step
from closeloop.params import HISTORY, SPECS, person_params

N = 64
PROPS = settings(max_examples=50, deadline=None, derandomize=True)


def _offers(week, style, ev_step, ev_kind, seed=0, xp=np):
    """The offers of a week for N people; events are given unit-first, (N, MAX_EVENTS), and
    passed to the kernel batch-last, like the draws."""
    u = np.random.default_rng(seed).random((N, N_HISTORY_DRAWS), dtype=np.float32)
    return history_offer(
        xp,
        HISTORY,
        week,
        xp.asarray(style),
        xp.asarray(ev_step.T),
        xp.asarray(ev_kind.T),
        xp.asarray(STYLE_TABLE),
        xp.asarray(EVENT_TABLE),
        xp.asarray(u.T),
    )


def _no_events():
    return np.full((N, MAX_EVENTS), -1, np.int32), np.full((N, MAX_EVENTS), -1, np.int32)


def test_caregiving_rates_are_probabilities():
    for s in STYLES:
        for warm, hurt in ((s.warm_shallow, s.hurt_shallow), (s.warm_deep, s.hurt_deep)):
            assert warm >= 0 and hurt >= 0 and warm + hurt <= 1, s.name
    assert PEERS[0] + PEERS[2] <= 1 and PEERS[1] + PEERS[3] <= 1


@PROPS
@given(st.integers(0, HISTORY_STEPS - 1), st.integers(0, 2**31 - 1))
def test_ordinary_weeks_are_well_formed(week, seed):
    rng = np.random.default_rng(seed)
    style = rng.integers(0, len(STYLES), N).astype(np.int32)
    o = _offers(week, style, *_no_events(), seed=seed)
    age = week / WEEKS_PER_YEAR
    assert o.offered.all()
    assert ((o.depth >= 0) & (o.depth < K)).all()
    assert (o.context == HOME).all() if age < HOME_UNTIL else np.isin(o.context, [1, 2]).all()
    assert ((o.warmth >= 0) & (o.hurt_rate >= 0) & (o.warmth + o.hurt_rate <= 1 + 1e-6)).all()
    assert (o.salience == 1).all()
    if age < HOME_UNTIL:
        table = STYLE_TABLE[style]
        w = table[:, 0] + (table[:, 1] - table[:, 0]) * o.depth / (K - 1)
        np.testing.assert_allclose(o.warmth, w, rtol=1e-6)


@pytest.mark.parametrize("kind", range(len(EVENTS)), ids=[e.name for e in EVENTS])
@pytest.mark.parametrize("age", [3.0, 17.5])
def test_an_event_forces_a_deep_hurt_during_its_episodes(kind, age):
    ev = EVENTS[kind]
    start = int(age * WEEKS_PER_YEAR)
    ev_step, ev_kind = _no_events()
    ev_step[:, 1], ev_kind[:, 1] = start, kind  # the second slot, to check every slot counts
    style = np.zeros(N, np.int32)
    p, fl = person_params(), np.ones(len(NAMES), np.float32)
    for week in range(start - 2, start + ev.episodes + 2):
        o = _offers(week, style, ev_step, ev_kind, seed=week)
        if not start <= week < start + ev.episodes:
            assert (o.salience == 1).all() and not (o.hurt_rate == 1).all(), week
            continue
        assert (o.depth == ev.depth).all() and o.forced.all() and o.offered.all()
        assert (o.context == (HOME if age < HOME_UNTIL else PARTNER)).all()
        assert (o.salience == np.float32(ev.salience)).all()
        # whatever the person would do and whatever the draws, they share and are hurt
        u = np.random.default_rng(week).random((N_PERSON_DRAWS, N), dtype=np.float32)
        p_n = type(p)(*[np.full(N, x, np.float32) for x in p])
        s = newborn(np, (N,))
        s2, r = person_step(np, p_n, s, o, u, fl)
        assert r.approached.all() and (r.outcome == -1).all()
        before = effective_threat(np, s, o.context)[ev.depth]
        after = effective_threat(np, s2, o.context)[ev.depth]
        assert (after > before).all()


def test_absent_events_never_fire():
    ev_step, ev_kind = _no_events()
    for week in (0, 1, 500, HISTORY_STEPS - 1):
        o = _offers(week, np.zeros(N, np.int32), ev_step, ev_kind, seed=week)
        assert (o.salience == 1).all() and (o.hurt_rate < 1).all()


def test_history_offer_agrees_under_numpy_and_jax():
    rng = np.random.default_rng(3)
    style = rng.integers(0, len(STYLES), N).astype(np.int32)
    ev_step, ev_kind = _no_events()
    ev_step[::3, 0], ev_kind[::3, 0] = 100, 0
    for week in (0, 100, 101, 900):
        a = _offers(week, style, ev_step, ev_kind, seed=week)
        b = _offers(week, style, ev_step, ev_kind, seed=week, xp=jnp)
        for name, x, y in zip(a._fields, a, b, strict=True):
            np.testing.assert_allclose(np.asarray(y), x, rtol=1e-6, err_msg=name)


def test_child_exposure_falls_with_age():
    ages = np.linspace(0.0, ADULT_AGE, 401)
    e = child_exposure(np, HISTORY, ages)
    assert e[0] == pytest.approx(0.9)
    assert child_exposure(np, HISTORY, HOME_UNTIL) == pytest.approx(0.1)
    assert ((e >= 0) & (e <= 1)).all()
    assert (np.diff(e) <= 0).all()
    assert (np.diff(e[ages <= HOME_UNTIL]) < 0).all()


def test_names_resolve_to_their_index():
    for i, name in enumerate(STYLE_NAMES):
        assert style_index(name) == i
    for i, ev in enumerate(EVENTS):
        assert event_index(ev.name) == i
    assert C == 4


@pytest.mark.parametrize("bad", ["Responsive", "", "warm"])
def test_unknown_caregiving_style(bad, one_line):
    with pytest.raises(InputError) as e:
        style_index(bad)
    one_line(e.value, "'caregiving'", repr(bad), *[repr(n) for n in STYLE_NAMES])


@pytest.mark.parametrize("bad", ["Betrayal", "divorce"])
def test_unknown_event(bad, one_line):
    with pytest.raises(InputError) as e:
        event_index(bad)
    one_line(e.value, "'event'", repr(bad), *[repr(ev.name) for ev in EVENTS])


@pytest.mark.parametrize("age", [-0.1, ADULT_AGE, 25.0, float("nan"), float("inf")])
def test_out_of_range_event_age(age, one_line):
    with pytest.raises(InputError) as e:
        check_age(age)
    one_line(e.value, "'event age'", repr(age), "[0, 20)")


def test_event_ages_inside_the_history_are_accepted():
    assert check_age(0) == 0.0 and check_age(19.9) == pytest.approx(19.9)


# --- The anxious strategy, learned (docs/model.md 8.4) ---------------------------------------


def _sums(need: np.ndarray, warm: np.ndarray) -> np.ndarray:
    """The protest contingency's running sums over one child's shared weeks."""
    return np.array(
        [len(need), need.sum(), warm.sum(), (need * need).sum(), (need * warm).sum()],
        dtype=np.float64,
    )


@pytest.mark.parametrize("gain", [-0.3, 0.0, 0.45])
def test_protest_slope_recovers_how_warmth_follows_need(gain):
    rng = np.random.default_rng(0)
    need = rng.random(20000)
    warm = (rng.random(need.size) < 0.4 + gain * need).astype(float)
    slope = float(protest_slope(np, HISTORY, _sums(need, warm)))
    ss = need.size * need.var()
    shrink = ss / (ss + SPECS["protest_prior"].default)  # the prior's pull toward 0
    assert slope == pytest.approx(gain * shrink, abs=0.03)


def test_no_sharing_or_no_variation_in_need_teaches_no_contingency():
    assert float(protest_slope(np, HISTORY, np.zeros(N_CONTINGENCY))) == 0.0
    flat = _sums(np.full(50, 0.3), np.ones(50))
    assert float(protest_slope(np, HISTORY, flat)) == pytest.approx(0.0, abs=1e-9)


def test_learned_anxiety_rises_only_with_a_positive_contingency():
    floor = SPECS["anxiety_floor"].default
    gain = SPECS["anxiety_per_protest"].default
    out = learned_anxiety(np, HISTORY, np.array([-0.5, 0.0, 0.2]))
    assert out.tolist() == pytest.approx([floor, floor, floor + 0.2 * gain])


def test_contingency_terms_count_only_sharing_at_home():
    o = _offers(10, np.zeros(N, np.int32), *_no_events())
    s = newborn(np, (N,), person_params())
    u = np.random.default_rng(1).random((N_PERSON_DRAWS + N_HISTORY_DRAWS, N)).astype(np.float32)
    _, r = person_step(np, person_params(), s, o, u, np.ones(len(NAMES), bool))
    need = np.full(N, 0.5, np.float32)
    t = contingency_terms(np, o, r, need)
    shared_home = r.approached & (o.context == HOME)
    assert t.shape == (N_CONTINGENCY, N)
    assert (t[0] == shared_home).all()
    assert np.allclose(t[2], shared_home & (r.outcome == 1))


def test_inconsistent_care_teaches_more_anxiety_than_responsive_care():
    import closeloop as cl

    # Caregiving held as drawn at birth (what a style teaches over a whole childhood); with
    # caregiving_change on, part of each group grows up under the other style (test_history_care).
    sc = cl.Scenario(population={"secure": 1, "anxious": 1}, days=40, ablate=("caregiving_change",))
    ds = cl.simulate(sc, n=160, seed=5)
    anx = ds.traits.sel(param="anxiety").to_series().groupby(ds.caregiving.values).mean()
    assert anx["inconsistent"] > anx["responsive"] + 0.3, anx.to_dict()
    moving = cl.simulate(sc.replace(ablate=()), n=160, seed=5)
    m = moving.traits.sel(param="anxiety").to_series().groupby(moving.caregiving.values).mean()
    assert m["inconsistent"] > m["responsive"], m.to_dict()
    # A scenario that sets the trait replaces the learned value for everyone.
    fixed = cl.simulate(sc.replace(traits={"anxiety": 0.5}), n=160, seed=5)
    a = fixed.traits.sel(param="anxiety").to_series().groupby(fixed.caregiving.values).mean()
    assert a.to_numpy() == pytest.approx([0.5, 0.5], abs=0.03)
