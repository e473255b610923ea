"""The person kernel: invariants, numpy/JAX agreement and the behaviour of each mechanism.

The kernel is written against an array namespace and takes its random draws as an argument, so
every property here is checked on a batch of hypothesis-drawn people, states, offers, draws and
mechanism switches, mostly under ``numpy`` (fast, no compilation).

The kernel keeps its batch axes last; these tests build and read their batches unit-first, which
is easier to index, through thin adapters (``respond``, ``learn``, ... below) that move the unit
axis to the end and back. Mechanism switches are one vector per run in the model; a batch here
may give each unit its own switches, and the adapters then step each unit alone (unbatched),
so the per-unit path is exercised too.
"""

from __future__ import annotations

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from closeloop.mechanisms import INDEX, NAMES
from closeloop.model import person, response
from closeloop.model.person import (
    BEHAVIOURS,
    FRIEND,
    HOME,
    PARTNER,
    THERAPY,
    C,
    K,
    Offer,
    PersonState,
    Response,
)
from closeloop.model.response import N_PERSON_DRAWS
from closeloop.params import PERSON_SPECS, person_params


def _to_last(tree, xp=np):
    return jax.tree.map(lambda a: xp.moveaxis(xp.asarray(a), 0, -1) if xp.ndim(a) else a, tree)


def _to_first(tree, xp=np):
    return jax.tree.map(lambda a: xp.moveaxis(xp.asarray(a), -1, 0) if xp.ndim(a) else a, tree)


def _unit_first(fn):
    """``fn`` of the kernel (batch last) called with unit-first batches, returning unit-first
    results; per-unit switches (a 2-d ``fl``) step each unit alone and stack the results."""

    def call(xp, *args):
        *data, fl = args
        if np.ndim(data[1].E) == 0:  # one unit, no batch axes: nothing to move
            return fn(xp, *data, fl)
        if np.ndim(fl) == 1:
            return _to_first(fn(xp, *_to_last(data, xp), fl), xp)
        n = np.shape(fl)[0]
        rows = [fn(xp, *jax.tree.map(lambda a, i=i: a[i], data), fl[i]) for i in range(n)]
        return jax.tree.map(lambda *x: xp.stack(x), *rows)

    return call


respond = _unit_first(response.respond)
learn = _unit_first(person.learn)
person_step = _unit_first(response.person_step)


def effective_threat(xp, s, context):
    return _to_first(person.effective_threat(xp, _to_last(s, xp), _to_last(context, xp)), xp)


def initial_state(xp, batch=()):
    return _to_first(person.initial_state(xp, batch), xp) if batch else person.initial_state(xp)


B = 16
M = len(NAMES)
PROPS = settings(max_examples=60, deadline=None, derandomize=True)

# The logistic saturates by overflowing exp to inf (1 / (1 + inf) == 0); that is intended.
pytestmark = pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")


def _edgy(rng: np.random.Generator, shape, lo: float, hi: float, dtype=np.float32) -> np.ndarray:
    """Uniform on [lo, hi], with about a sixth of the entries exactly lo and a sixth exactly hi."""
    x = lo + (hi - lo) * rng.random(shape)
    pick = rng.random(shape)
    return np.where(pick < 1 / 6, lo, np.where(pick > 5 / 6, hi, x)).astype(dtype)


@st.composite
def batches(draw, batch: int = B):
    """(params, state, offer, draws, flags) for ``batch`` independent units.

    Hypothesis chooses, for every trait, whether it sits at a bound or anywhere in its range, and
    a seed for the bulk of the numbers (state, offer, draws, switches), which are drawn with
    numpy: drawing some 2,000 numbers per example through hypothesis would cost a second per
    test. Every continuous quantity hits its bounds often.
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    traits = {}
    for spec in PERSON_SPECS:
        mode = draw(st.sampled_from(["any", "low", "high"]), label=spec.name)
        lo = spec.high if mode == "high" else spec.low
        hi = spec.low if mode == "low" else spec.high
        traits[spec.name] = _edgy(rng, (batch,), lo, hi, np.float64)
    p = person_params(**traits)

    def unit(*shape):
        return _edgy(rng, (batch, *shape), 0.0, 1.0)

    s = PersonState(
        V=unit(C, K), I=unit(C, K), R=unit(K), H=unit(K), E=unit(), L=unit(), F=unit(C, K)
    )

    s = s._replace(F=s.F * s.I)  # the labile part is a part of I
    o = Offer(
        offered=rng.random(batch) < 0.8,
        depth=rng.integers(0, K, batch).astype(np.int32),
        context=rng.integers(0, C, batch).astype(np.int32),
        pressure=unit(),
        importance=unit(),
        warmth=unit(),
        hurt_rate=unit(),
        protest_gain=_edgy(rng, (batch,), -0.5, 0.5),
        forced=rng.random(batch) < 0.2,
        salience=_edgy(rng, (batch,), 1.0, 4.0),
        observe_boost=unit(),
        commit=unit(),
        stress=unit(),
    )
    u = np.minimum(unit(N_PERSON_DRAWS), np.float32(1.0) - np.float32(2**-24))
    fl = (rng.random((batch, M)) < 0.8).astype(np.float32)
    return p, s, o, u, fl


def _set(fl: np.ndarray, value: float, *names: str) -> np.ndarray:
    fl = fl.copy()
    for n in names:
        fl[..., INDEX[n]] = value
    return fl


def _stress(o: Offer, fl: np.ndarray) -> np.ndarray:
    """The stress each unit's kernel uses: the offer's, unless stress_relapse is off."""
    return np.where(fl[..., INDEX["stress_relapse"]] > 0.5, o.stress, 0.0)


def _at(x: np.ndarray, context: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """x[b, context[b], depth[b]] for a (B, C, K) array."""
    return x[np.arange(x.shape[0]), context, depth]


def _felt(s: PersonState) -> np.ndarray:
    """Felt threat in every context, (B, C, K)."""
    return np.stack([effective_threat(np, s, np.full(s.V.shape[0], c)) for c in range(C)], 1)


def _response(o: Offer, approached, outcome, activation=None, overwhelmed=None) -> Response:
    """A response with the given choice and outcome (learn reads offered, approached, outcome,
    activation and overwhelmed only); by default nobody is overwhelmed."""
    n = o.depth.shape[0]
    approached = np.asarray(approached, bool) & o.offered
    act = np.zeros(n, np.float32) if activation is None else activation
    no = np.zeros(n, bool)
    return Response(
        o.offered,
        approached,
        no,
        no,
        act,
        act,
        act,
        act,
        np.zeros(n, np.int32),
        np.broadcast_to(np.asarray(outcome, np.int32), (n,)),
        np.where(approached, act, np.float32(0.0)),
        np.zeros(n, bool) if overwhelmed is None else np.asarray(overwhelmed, bool) & approached,
    )


# ---------------------------------------------------------------- invariants


@PROPS
@given(batches())
def test_step_is_finite_bounded_and_consistent(b):
    p, s, o, u, fl = b
    s2, r = person_step(np, p, s, o, u, fl)
    for name, x in s2._asdict().items():
        assert x.dtype == np.float32, name
        assert x.shape == getattr(s, name).shape, name
        assert np.isfinite(x).all(), name
        assert ((x >= 0) & (x <= 1)).all(), name
    assert np.isfinite(r.activation).all() and (r.activation >= 0).all()
    assert np.isfinite(r.arousal).all() and (r.arousal >= 0).all()
    assert (r.arousal[~o.offered] == 0).all()
    assert np.isin(r.outcome, [-1, 0, 1]).all()
    assert ((r.behaviour >= 0) & (r.behaviour < len(BEHAVIOURS))).all()
    assert ((r.behaviour == 0) == (r.approached | ~o.offered)).all()
    assert (r.offered == o.offered).all()
    assert not (r.approached & ~o.offered).any()
    assert (r.approached[o.offered & o.forced]).all()
    assert not (r.automatic & (~o.offered | o.forced | r.approached | r.noticed)).any()
    assert not (r.noticed & ~o.offered).any()


@PROPS
@given(batches())
def test_nothing_offered_changes_only_longing_and_fading_safety(b):
    """With no offer nothing is learned: only longing grows and (spontaneous recovery) learned
    safety fades, its labile part at labile_fade and its consolidated part at the recovery rate,
    and not at all when that mechanism is off; labile safety moves to the consolidated part at
    the consolidation rate."""
    p, s, o, u, fl = b
    o = o._replace(offered=np.zeros(B, bool))
    s2, r = person_step(np, p, s, o, u, fl)
    assert not (r.approached | r.automatic | r.noticed).any()
    for name in ("V", "R", "H", "E"):
        np.testing.assert_array_equal(getattr(s2, name), getattr(s, name), err_msg=name)
    on = fl[:, INDEX["spontaneous_recovery"]] > 0.5
    slow = np.where(on, p.recovery, 0.0)[:, None, None]
    fast = np.where(on, p.labile_fade, 0.0)[:, None, None]
    move = np.where(fl[:, INDEX["labile_safety"]] > 0.5, p.consolidation, 0.0)[:, None, None]
    kept = (s.I - s.F) * (1.0 - slow) + move * s.F * (1.0 - fast)
    labile = s.F * (1.0 - fast) * (1.0 - move)
    np.testing.assert_allclose(s2.F, labile, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(s2.I, kept + labile, rtol=1e-5, atol=1e-6)
    assert (s2.I <= s.I + 1e-7).all()
    assert (s2.F <= s2.I + 1e-7).all()


_jax_step = jax.jit(lambda p, s, o, u, fl: person_step(jnp, p, s, o, u, fl))


@PROPS
@given(batches())
def test_numpy_and_jax_agree(b):
    """Same draws, same results: the kernel is the same model under both namespaces."""
    p, s, o, u, fl = b
    fl = fl[0]  # one set of switches for the batch: the engine's case
    s_np, r_np = person_step(np, p, s, o, u, fl)
    s_jx, r_jx = _jax_step(p, s, o, u, fl)
    for name in PersonState._fields:
        np.testing.assert_allclose(
            np.asarray(getattr(s_jx, name)), getattr(s_np, name), rtol=1e-5, atol=1e-6, err_msg=name
        )
    for name in ("activation", "arousal"):
        np.testing.assert_allclose(
            np.asarray(getattr(r_jx, name)), getattr(r_np, name), rtol=1e-5, atol=1e-6, err_msg=name
        )
    for name in ("offered", "approached", "automatic", "noticed", "behaviour", "outcome"):
        np.testing.assert_array_equal(
            np.asarray(getattr(r_jx, name)), getattr(r_np, name), err_msg=name
        )


@settings(max_examples=20, deadline=None, derandomize=True)
@given(batches(batch=3))
def test_unbatched_units_match_the_batch(b):
    """Shape polymorphism: a unit stepped alone (no batch axes) equals its row of the batch."""
    p, s, o, u, fl = b
    fl = fl[0]
    s_b, r_b = person_step(np, p, s, o, u, fl)
    for i in range(3):
        row = [type(t)(*[x[i] for x in t]) for t in (p, s, o)]
        s_i, r_i = response.person_step(np, *row, u[i], fl)
        for name in PersonState._fields:
            np.testing.assert_allclose(
                getattr(s_i, name), getattr(s_b, name)[i], rtol=1e-6, atol=1e-7, err_msg=name
            )
        for name in ("approached", "automatic", "noticed", "behaviour", "outcome"):
            assert getattr(r_i, name) == getattr(r_b, name)[i], name


def test_initial_state_is_a_newborn():
    s = initial_state(np, (3,))
    assert s.V.shape == s.I.shape == (3, C, K) and s.R.shape == s.H.shape == (3, K)
    assert s.E.shape == s.L.shape == (3,)
    assert (_felt(s) == 0).all() and (s.H == 0).all() and (s.L == 0).all()


# ---------------------------------------------------------------- monotone responses


def _raise_threat(s: PersonState, o: Offer, delta: np.ndarray) -> PersonState:
    here = (np.arange(C)[None, :, None] == o.context[:, None, None]) & (
        np.arange(K)[None, None, :] == o.depth[:, None, None]
    )
    return s._replace(V=np.where(here, np.minimum(s.V + delta[:, None, None], 1.0), s.V))


@PROPS
@given(batches(), hnp.arrays(np.float32, (B,), elements=st.floats(0.0, 1.0, width=32)))
def test_more_threat_at_the_offered_depth_never_means_more_sharing(b, delta):
    p, s, o, u, fl = b
    hi = _raise_threat(s, o, delta)
    assert (_at(_felt(hi), o.context, o.depth) >= _at(_felt(s), o.context, o.depth)).all()
    r_lo, r_hi = respond(np, p, s, o, u, fl), respond(np, p, hi, o, u, fl)
    assert (r_hi.activation >= r_lo.activation).all()
    assert not (r_hi.approached & ~r_lo.approached).any(), "more threat, yet shared"
    assert not (r_lo.automatic & ~r_hi.automatic).any(), "more threat, yet less automatic"


def test_sharing_rate_falls_with_threat():
    """Integrated over 4000 draws (common to every level, so the comparison has no sampling
    noise): the share of offers taken falls with threat, and falls a lot."""
    n = 4000
    rng = np.random.default_rng(0)
    u = rng.random((n, N_PERSON_DRAWS), dtype=np.float32)
    p = person_params(**{s.name: np.full(n, s.default) for s in PERSON_SPECS})
    o = Offer(
        np.ones(n, bool),
        np.full(n, 3, np.int32),
        np.full(n, PARTNER, np.int32),
        np.zeros(n, np.float32),
        np.full(n, 0.5, np.float32),
        *np.full((2, n), 0.5, np.float32),
        np.zeros(n, np.float32),
        np.zeros(n, bool),
        np.ones(n, np.float32),
        np.zeros(n, np.float32),
        *np.zeros((2, n), np.float32),  # commit, stress (float32: see _one_offer)
    )
    rates = []
    for t in np.linspace(0.0, 1.0, 6, dtype=np.float32):
        s = initial_state(np, (n,))
        s = s._replace(V=np.full_like(s.V, t))
        rates.append(respond(np, p, s, o, u, np.ones(M, np.float32)).approached.mean())
    assert all(a >= b for a, b in itertools.pairwise(rates)), rates
    assert rates[0] - rates[-1] > 0.5, rates


@PROPS
@given(batches(), hnp.arrays(np.float32, (B,), elements=st.floats(0.0, 1.0, width=32)))
def test_more_pressure_never_lowers_activation(b, extra):
    p, s, o, u, fl = b
    more = o._replace(pressure=np.minimum(o.pressure + extra, 1.0))
    r_lo, r_hi = respond(np, p, s, o, u, fl), respond(np, p, s, more, u, fl)
    assert (r_hi.activation >= r_lo.activation).all()
    assert not (r_lo.automatic & ~r_hi.automatic).any()
    off = _set(fl, 0.0, "pressure")
    np.testing.assert_array_equal(
        respond(np, p, s, o, u, off).activation, respond(np, p, s, more, u, off).activation
    )


def test_pressure_amplifies_activation():
    s = initial_state(np, ())
    s = s._replace(V=np.full_like(s.V, 0.3))
    o = Offer(
        np.bool_(True),
        np.int32(2),
        np.int32(PARTNER),
        np.float32(0.0),
        np.float32(0.5),
        np.float32(0.8),
        np.float32(0.05),
        np.float32(0.0),
        np.bool_(False),
        np.float32(1.0),
        np.float32(0.0),
        np.float32(0.0),
        np.float32(0.0),
    )
    u = np.full(N_PERSON_DRAWS, 0.5, np.float32)
    p, fl = person_params(pressure_gain=2.0), np.ones(M, np.float32)
    a0 = respond(np, p, s, o, u, fl).activation
    a1 = respond(np, p, s, o._replace(pressure=np.float32(1.0)), u, fl).activation
    assert a0 == pytest.approx(0.3) and a1 == pytest.approx(0.9)


# ---------------------------------------------------------------- learning


@PROPS
@given(batches(), hnp.arrays(np.int32, (B,), elements=st.integers(-1, 1)))
def test_withdrawal_protects_the_threat_from_disconfirmation(b, outcome):
    p, s, o, _, fl = b
    fl = _set(fl, 1.0, "extinction_protection")
    o = o._replace(offered=np.ones(B, bool))
    s2 = learn(np, p, s, o, _response(o, False, outcome), fl)
    for name in ("V", "I", "R"):
        np.testing.assert_array_equal(getattr(s2, name), getattr(s, name), err_msg=name)


def _one_offer(context=PARTNER, depth=3, n=1):
    """One deep offer in ``context``. Commitment and stress are given as float32 arrays: the
    fields' defaults are Python floats, which NumPy would combine with the flags into float64
    and so run the kernel in double precision."""
    return Offer(
        np.ones(n, bool),
        np.full(n, depth, np.int32),
        np.full(n, context, np.int32),
        *np.zeros((2, n), np.float32),
        np.full(n, 0.8, np.float32),
        np.full(n, 0.1, np.float32),
        np.zeros(n, np.float32),
        np.zeros(n, bool),
        np.ones(n, np.float32),
        np.zeros(n, np.float32),
        *np.zeros((2, n), np.float32),  # commit, stress (float32: see _one_offer)
    )


def test_without_protection_withdrawal_learns_from_the_outcome():
    """Control for the property above: ablated, a hurt that would have come raises threat."""
    p, o = person_params(), _one_offer()
    s = initial_state(np, (1,))
    on = np.ones(M, np.float32)
    off = _set(on, 0.0, "extinction_protection")
    assert (learn(np, p, s, o, _response(o, False, -1), on).V == s.V).all()
    assert (learn(np, p, s, o, _response(o, False, -1), off).V > s.V).any()


@PROPS
@given(batches())
def test_hurt_after_sharing_raises_felt_threat(b):
    p, s, o, _, fl = b
    fl = _set(fl, 1.0, "threat_learning")
    o = o._replace(offered=np.ones(B, bool))
    s2 = learn(np, p, s, o, _response(o, True, -1), fl)
    before, after = _felt(s), _felt(s2)
    assert (after >= before).all(), "hurt lowered felt threat somewhere"
    t0, t1 = _at(before, o.context, o.depth), _at(after, o.context, o.depth)
    clear = (_at(s.V, o.context, o.depth) >= _at(s.I, o.context, o.depth)) & (t0 < 0.99)
    assert (t1[clear] > t0[clear]).all()


@PROPS
@given(batches(), hnp.arrays(np.int32, (B,), elements=st.integers(0, 1)))
def test_safe_sharing_lowers_felt_threat(b, outcome):
    p, s, o, _, fl = b
    fl = _set(fl, 1.0, "extinction")
    o = o._replace(offered=np.ones(B, bool))
    s2 = learn(np, p, s, o, _response(o, True, outcome), fl)
    before, after = _felt(s), _felt(s2)
    assert (after <= before).all(), "a safe outcome raised felt threat somewhere"
    t0, t1 = _at(before, o.context, o.depth), _at(after, o.context, o.depth)
    # Under full stress no new safety is learned (it is learned as poorly as it is retrieved);
    # without a labile stage a lesson is kept at the share consolidation would keep, none when
    # nothing consolidates.
    lost = (fl[..., INDEX["labile_safety"]] < 0.5) & (p.consolidation == 0.0)
    lost = lost & (fl[..., INDEX["spontaneous_recovery"]] > 0.5) & (p.labile_fade > 0.0)
    learns = (t0 >= 0.01) & (_stress(o, fl) < 0.99) & ~lost
    assert (t1[learns] < t0[learns]).all()
    full = _stress(o, fl) == 1.0
    np.testing.assert_array_equal(s2.I[full], s.I[full])


@st.composite
def template_batches(draw):
    """A batch whose threat template is the same in every context, with no inhibition yet."""
    p, s, o, u, fl = draw(batches())
    v = np.broadcast_to(s.V[:, :1, :], s.V.shape).copy()
    s = s._replace(V=v, I=np.zeros_like(s.I))
    o = o._replace(offered=np.ones(B, bool), context=np.full(B, PARTNER, np.int32))
    return p, s, o, u, fl


@PROPS
@given(template_batches(), st.integers(0, 1))
def test_extinction_is_bound_to_its_context(b, outcome):
    p, s, o, _, fl = b
    # A labile stage on: without it a lesson may be kept at a share of 0 (no consolidation).
    fl = _set(fl, 1.0, "extinction", "context_binding", "shared_template", "labile_safety")
    s2 = learn(np, p, s, o, _response(o, True, outcome), fl)
    drop = _felt(s) - _felt(s2)  # (B, C, K)
    here = _at(drop, o.context, o.depth)
    t0 = _at(_felt(s), o.context, o.depth)
    for c in (HOME, FRIEND, THERAPY):
        there = _at(drop, np.full(B, c), o.depth)
        assert (here >= there).all()
        strict = (p.ext_transfer < 0.9) & (t0 >= 0.05) & (_stress(o, fl) < 0.99)
        assert (here[strict] > there[strict]).all()


@PROPS
@given(template_batches(), st.integers(0, 1), st.sampled_from([0.0, 1.0]))
def test_without_context_binding_extinction_transfers_fully(b, outcome, shared):
    p, s, o, _, fl = b
    fl = _set(_set(fl, 1.0, "extinction"), 0.0, "context_binding")
    fl = _set(fl, 1.0, "shared_template")
    s2 = learn(np, p, s, o, _response(o, True, outcome), fl)
    felt = _felt(s2)
    for c in range(C):
        np.testing.assert_allclose(felt[:, c], felt[:, PARTNER], atol=1e-7)


def test_without_context_binding_extinction_transfers_even_without_shared_template():
    p, o = person_params(), _one_offer(PARTNER, 2)
    s = initial_state(np, (1,))
    s = s._replace(V=np.full_like(s.V, 0.6))
    fl = _set(np.ones(M, np.float32), 0.0, "context_binding", "shared_template")
    felt = _felt(learn(np, p, s, o, _response(o, True, 1), fl))
    assert felt[0, FRIEND, 2] == pytest.approx(felt[0, PARTNER, 2])


@PROPS
@given(template_batches())
def test_without_shared_template_acquisition_stays_in_its_context(b):
    p, s, o, _, fl = b
    fl = _set(_set(fl, 1.0, "threat_learning"), 0.0, "shared_template")
    s2 = learn(np, p, s, o, _response(o, True, -1), fl)
    others = np.arange(C) != PARTNER
    np.testing.assert_array_equal(s2.V[:, others], s.V[:, others])
    np.testing.assert_array_equal(s2.I[:, others], s.I[:, others])
    rises = _at(s.V, o.context, o.depth) < 0.99
    assert (_at(s2.V, o.context, o.depth)[rises] > _at(s.V, o.context, o.depth)[rises]).all()
    # with the template shared (and no inhibition to undo) every context learns the same
    shared = learn(np, p, s, o, _response(o, True, -1), _set(fl, 1.0, "shared_template"))
    for c in range(C):
        np.testing.assert_array_equal(shared.V[:, c], shared.V[:, PARTNER])


@PROPS
@given(batches(), st.integers(-1, 1))
def test_without_generalisation_other_depths_learn_nothing(b, outcome):
    p, s, o, _, fl = b
    fl = _set(fl, 0.0, "generalisation")
    s2 = learn(np, p, s, o, _response(o, np.ones(B, bool), outcome), fl)
    other = np.arange(K)[None, :] != o.depth[:, None]  # (B, K)
    for name in ("V", "I"):
        x0, x1 = getattr(s, name), getattr(s2, name)
        np.testing.assert_array_equal(
            x1[np.broadcast_to(other[:, None, :], x1.shape)],
            x0[np.broadcast_to(other[:, None, :], x0.shape)],
        )
    for name in ("R", "H"):
        np.testing.assert_array_equal(getattr(s2, name)[other], getattr(s, name)[other])


# ---------------------------------------------------------------- routes


@PROPS
@given(batches())
def test_without_automatic_route_nothing_is_automatic(b):
    p, s, o, u, fl = b
    r = respond(np, p, s, o, u, _set(fl, 0.0, "automatic_route"))
    assert not r.automatic.any()


@PROPS
@given(batches())
def test_full_observation_means_no_automatic_withdrawal(b):
    p, s, o, u, fl = b
    p = p._replace(observe=np.ones(B, np.float32))
    r = respond(np, p, s, o, u, _set(fl, 1.0, "observation"))
    assert not r.automatic.any()
    # what would have closed the door unobserved (and uncommitted: a committed decision also
    # catches reactions) is exactly what is noticed
    unobserved = respond(np, p, s, o, u, _set(fl, 0.0, "observation", "decision_to_approach"))
    np.testing.assert_array_equal(r.noticed, unobserved.automatic)
    np.testing.assert_array_equal(r.approached | r.noticed, r.approached | unobserved.automatic)


def test_automatic_route_fires_under_high_threat_unless_observed():
    """Control for the two properties above: the route does fire when they do not apply."""
    n = 200
    rng = np.random.default_rng(1)
    u = rng.random((n, N_PERSON_DRAWS), dtype=np.float32)
    s = initial_state(np, (n,))
    s = s._replace(V=np.full_like(s.V, 0.9))
    o = _one_offer(PARTNER, 3, n)
    on = np.ones(M, np.float32)
    p = person_params(observe=1.0)
    assert not respond(np, p, s, o, u, on).automatic.any()
    assert respond(np, p, s, o, u, _set(on, 0.0, "observation")).automatic.mean() > 0.9
    assert respond(np, person_params(observe=0.0), s, o, u, on).automatic.mean() > 0.9


# ---------------------------------------------------------------- habit


@PROPS
@given(batches())
def test_relief_of_withdrawal_builds_habit(b):
    p, s, o, _, fl = b
    fl = _set(fl, 1.0, "relief_habit")
    o = o._replace(offered=np.ones(B, bool))
    act = np.asarray(_at(_felt(s), o.context, o.depth) + 0.1, np.float32)
    s2 = learn(np, p, s, o, _response(o, False, 0, act), fl)
    assert (s2.H >= s.H).all()
    h0, h1 = s.H[np.arange(B), o.depth], s2.H[np.arange(B), o.depth]
    rises = (p.habit_rate > 0.01) & (h0 < 0.9)
    assert (h1[rises] > h0[rises]).all()
    unchanged = learn(np, p, s, o, _response(o, False, 0, act), _set(fl, 0.0, "relief_habit"))
    np.testing.assert_array_equal(unchanged.H, s.H)


@PROPS
@given(batches(), st.integers(-1, 1))
def test_approaching_weakens_habit(b, outcome):
    p, s, o, _, fl = b
    fl = _set(fl, 1.0, "relief_habit")
    o = o._replace(offered=np.ones(B, bool))
    s2 = learn(np, p, s, o, _response(o, True, outcome, np.ones(B, np.float32)), fl)
    assert (s2.H <= s.H).all()
    h0, h1 = s.H[np.arange(B), o.depth], s2.H[np.arange(B), o.depth]
    falls = (p.habit_decay > 0.01) & (h0 > 0.01)
    assert (h1[falls] < h0[falls]).all()
