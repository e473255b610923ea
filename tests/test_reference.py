"""The reference engines run the same model as the JAX engine: same draws, same days.

On the engine's own draws (``reference.engine_draws``) and from the engine's own adult couples
(``reference.adult_start``), the vectorised NumPy reference reproduces the engine's daily
records: every discrete outcome exactly, every continuous state within float32 round-off (XLA and
NumPy evaluate exp and log differently in the last place). The per-couple loop reproduces the
vectorised NumPy run. The settings are sped up so that 200 days see conflicts, talks, giving up
and endings; one check runs with mechanisms switched off so that the fixed-rate repair path runs.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from closeloop import engine, mechanisms, reference
from closeloop.model.couple import HERE, N_COUPLE_DRAWS, couple_day
from closeloop.model.person import K, effective_threat
from closeloop.params import couple_params
from closeloop.simulation import population_tables

N, DAYS, SEED = 64, 200, 3
LOOP_N = 12
CONTINUOUS = (
    "threat",
    "habit",
    "arousal",
    "sat",
    "pursuit",
    "stability",
    "known",
    "felt",
    "perceived",
)
DISCRETE = tuple(k for k in reference.DAILY if k not in CONTINUOUS)
# float32 round-off, accumulated over 200 days (observed: at most 1.5e-6 on known, in [0, 5]).
RTOL, ATOL = 1e-5, 2e-5
ABLATE = ("repair_vulnerability", "commitment", "extinction_protection", "generalisation")


@pytest.fixture(scope="module")
def inputs():
    traits = {"alpha_expect": 0.05, "give_up": 0.5}
    ta = population_tables({"avoidant": 1.0}, traits)
    tb = population_tables({"anxious": 0.5, "secure": 0.5}, traits)
    cp = couple_params(
        felt_rate=0.2,
        pursuit_rate=0.2,
        conflict_base=0.05,
        talk_after=10,
        talk_rate=0.1,
        hazard_base=0.002,
        deepen_days=60,
    )
    return ta, tb, cp, mechanisms.flags()


@pytest.fixture(scope="module")
def start(inputs):
    return reference.adult_start(N, SEED, *inputs)


@pytest.fixture(scope="module")
def draws(start):
    return reference.engine_draws(start.keys, DAYS)


@pytest.fixture(scope="module")
def eng(inputs):
    return engine.run_couples(N, SEED, *inputs, days=DAYS, daily=True)


@pytest.fixture(scope="module")
def ref_np(start, draws, inputs):
    return reference.numpy_couples(
        start.pp, start.cp, start.state, inputs[3], DAYS, draws, daily=True
    )


def test_start_is_the_engines_adult_couple(start, eng):
    person = jax.tree.map(np.asarray, start.state.person)
    threat0 = effective_threat(np, person, np.int32(HERE))  # (K, 2, N)
    np.testing.assert_array_equal(np.transpose(threat0, (2, 1, 0)), eng.start["threat0"])
    assert start.pp.threshold.shape == (2, N)
    assert start.cp.bid_rate.shape == (N,)
    assert start.keys.shape == (N, 2)
    assert person.V.shape == (1, K, 2, N)  # the partner row only


def test_engine_draws_are_per_day(start, draws):
    assert draws.shape == (DAYS, N_COUPLE_DRAWS, N) and draws.dtype == np.float32
    later = reference.engine_draws(start.keys, 3, start=5)
    np.testing.assert_array_equal(later, draws[5:8])


def test_sample_exercises_the_model(ref_np):
    d = ref_np.daily
    assert set(np.unique(d["moment"])) == {0, 1, 2, 3}
    assert set(np.unique(d["received"])) == {0, 1, 2, 3}
    assert d["gave_up"].any() and d["ended"][:, -1].any() and not d["ended"][:, -1].all()
    assert d["automatic"].any() and (d["behaviour"] >= 1).any()


@pytest.mark.parametrize("k", DISCRETE)
def test_numpy_reproduces_the_engine_exactly_on_discrete_outcomes(eng, ref_np, k):
    np.testing.assert_array_equal(ref_np.daily[k], eng.daily[k], err_msg=k)


@pytest.mark.parametrize("k", CONTINUOUS)
def test_numpy_reproduces_the_engine_within_float32_round_off(eng, ref_np, k):
    a = ref_np.daily[k]
    assert a.dtype == np.float32
    np.testing.assert_allclose(a, eng.daily[k], rtol=RTOL, atol=ATOL, err_msg=k)


def test_numpy_end_day_and_counts_match_the_engine(eng, ref_np):
    np.testing.assert_array_equal(ref_np.running["end_day"], eng.running["end_day"])
    for k in reference.COUNTS:  # the run's totals of the engine's monthly counters
        total = eng.snapshots[k].sum(axis=1)  # (couple, month, [member]) -> (couple, [member])
        np.testing.assert_array_equal(ref_np.running[k], total, err_msg=k)


def test_numpy_threat_matches_the_engine(eng, ref_np):
    np.testing.assert_array_equal(ref_np.start["threat0"], eng.start["threat0"])
    np.testing.assert_allclose(ref_np.final["threat"], eng.final["threat"], rtol=RTOL, atol=ATOL)


def test_numpy_state_stays_float32(ref_np):
    for a in jax.tree.leaves(ref_np.final["state"]):
        assert a.dtype in (np.float32, np.bool_), a.dtype


def test_jax_kernel_batched_over_couples_matches_numpy(start, draws):
    """``couple_day`` under jax.numpy on whole batches (couples last), with mechanisms off."""
    fl = mechanisms.flags(ABLATE)
    step = jax.jit(lambda s, t, u: couple_day(jnp, start.pp, start.cp, s, t, u, fl))
    s = jax.tree.map(jnp.asarray, start.state)
    days = []
    for t in range(DAYS):
        s, d = step(s, jnp.float32(t), draws[t])
        days.append(d)
    ref = reference.numpy_couples(start.pp, start.cp, start.state, fl, DAYS, draws, daily=True)
    assert ref.running["repaired"].sum() > 0  # the fixed-rate repair path ran
    for k in ("moment", "bid", "bid_depth", "received", "shared", "behaviour", "conflict"):
        got = np.stack([np.asarray(getattr(d, k)) for d in days])  # (day, [member,] couple)
        np.testing.assert_array_equal(ref.daily[k], np.moveaxis(got, -1, 0), err_msg=k)
    got_state = jax.tree.map(np.asarray, s)
    for (path, a), b in zip(
        jax.tree_util.tree_flatten_with_path(reference.final_state(ref))[0],
        jax.tree.leaves(got_state),
        strict=True,
    ):
        key = jax.tree_util.keystr(path)
        if a.dtype == np.bool_:
            np.testing.assert_array_equal(a, b, err_msg=key)
        else:
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg=key)


def test_loop_reproduces_numpy(start, draws, ref_np, inputs):
    sub = jax.tree.map(lambda a: a[..., :LOOP_N], (start.pp, start.cp, start.state))
    loop = reference.loop_couples(*sub, inputs[3], DAYS, draws[..., :LOOP_N], daily=True)
    for k in reference.DAILY:
        a, b = ref_np.daily[k][:LOOP_N], loop.daily[k]
        if k in CONTINUOUS:
            np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-6, err_msg=k)
        else:
            np.testing.assert_array_equal(b, a, err_msg=k)
    for k in ("end_day", *reference.COUNTS):
        np.testing.assert_array_equal(loop.running[k], ref_np.running[k][:LOOP_N], err_msg=k)
    np.testing.assert_allclose(loop.final["threat"], ref_np.final["threat"][:LOOP_N], atol=1e-6)


def test_default_draws_are_seeded(start, inputs):
    sub = jax.tree.map(lambda a: a[..., :4], (start.pp, start.cp, start.state))
    a = reference.numpy_couples(*sub, inputs[3], 20, seed=1)
    b = reference.numpy_couples(*sub, inputs[3], 20, seed=1)
    c = reference.numpy_couples(*sub, inputs[3], 20, seed=2)
    np.testing.assert_array_equal(a.final["state"].sat, b.final["state"].sat)
    assert not np.array_equal(a.final["state"].sat, c.final["state"].sat)
    loop = reference.loop_couples(*sub, inputs[3], 5, seed=1)
    assert loop.final["state"].sat.shape == (4, 2)
    assert loop.running["talks"].shape == (4,) and loop.daily is None


def test_numpy_continues_from_a_start_day(start, draws, inputs):
    """Two runs of 100 days (the second from day 100) equal one run of 200 on the same draws."""
    fl = inputs[3]
    whole = reference.numpy_couples(start.pp, start.cp, start.state, fl, DAYS, draws)
    first = reference.numpy_couples(start.pp, start.cp, start.state, fl, 100, draws[:100])
    second = reference.numpy_couples(
        start.pp, start.cp, reference.final_state(first), fl, 100, draws[100:], start_day=100
    )
    for a, b in zip(jax.tree.leaves(whole.final), jax.tree.leaves(second.final), strict=True):
        np.testing.assert_array_equal(a, b)
    late = second.running["end_day"] >= 0
    np.testing.assert_array_equal(whole.running["end_day"][late], second.running["end_day"][late])


def test_the_references_keep_the_engines_record_names(eng, ref_np):
    """The references return the engine's ``Run``, named and laid out as the engine's record:
    the daily fields are the engine's, the running totals a subset of its monthly counters, and
    each field has the engine's shape (couple first, then day, then the record's dims)."""
    assert tuple(engine.couples.DAILY) == reference.DAILY
    dims = engine.COUPLE_RECORD.dims
    monthly = {k.split(".", 1)[1] for k in dims if k.startswith("monthly.")}
    assert set(reference.COUNTS) <= monthly
    assert isinstance(ref_np, engine.Run) and ref_np.snapshot_key == eng.snapshot_key
    assert set(ref_np.running) == {"end_day", *reference.COUNTS}
    for k, a in ref_np.daily.items():
        assert a.shape == eng.daily[k].shape == (N, DAYS) + (2,) * len(dims[f"daily.{k}"]), k
    for k in reference.COUNTS:
        assert ref_np.running[k].shape == (N,) + (2,) * len(dims[f"monthly.{k}"]), k
    assert ref_np.running["end_day"].shape == eng.running["end_day"].shape
    for part in ("threat0",):
        assert ref_np.start[part].shape == eng.start[part].shape
    assert ref_np.final["threat"].shape == eng.final["threat"].shape
    # The mapping view and unit slicing work as on the engine's output.
    assert ref_np["end_day"] is ref_np.running["end_day"]
    assert ref_np[:3].daily["sat"].shape == (3, DAYS, 2)
