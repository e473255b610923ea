"""The engine: determinism, no recompilation, streaming summaries, and that it runs the kernel.

Every run uses the same number of adult days (the ``days`` fixture) and the base scenario's
tables, so the whole file compiles the engine's chunk function once per ``daily`` value.
"""

from __future__ import annotations

import logging

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from closeloop import engine, mechanisms
from closeloop.model.history import EVENT_TABLE, HISTORY_STEPS, STYLE_TABLE, history_offer
from closeloop.model.person import PARTNER, C, K, initial_state
from closeloop.model.response import N_PERSON_DRAWS
from closeloop.model.response import person_step as step
from closeloop.model.world import world_offer
from closeloop.params import HISTORY, TRAITS, person_params, world_params
from closeloop.presets import PRESET_NAMES
from closeloop.simulation import population_tables


def _leaves(tree) -> dict[str, np.ndarray]:
    flat, _ = jax.tree_util.tree_flatten_with_path(tree)
    return {jax.tree_util.keystr(k): np.asarray(v) for k, v in flat}


def _assert_same_units(a, b, units_a, units_b):
    la, lb = _leaves(a), _leaves(b)
    assert la.keys() == lb.keys()
    for k in la:
        np.testing.assert_array_equal(la[k][units_a], lb[k][units_b], err_msg=k, strict=True)


def _cache_size() -> int | None:
    """Executables the engine has compiled (a private JAX API underneath: None if it goes away,
    and the test then relies on jax.log_compiles alone)."""
    try:
        return engine.compiled_count()
    except AttributeError:
        return None


def _compiles(caplog) -> int:
    return sum(r.getMessage().startswith("Compiling") for r in caplog.records)


PER_CALL = engine.CHUNK * len(engine.devices())
"""Units per engine call: one chunk per device."""
SIZES = (1, 7, 1000, PER_CALL + 1, 2 * PER_CALL + 3)


# ---------------------------------------------------------------- determinism


@pytest.fixture(scope="module")
def runs(run):
    return {n: run(n, seed=7) for n in SIZES}


def test_same_seed_is_bitwise_identical_for_any_batch_size(runs, run):
    big = SIZES[-1]
    _assert_same_units(runs[1], runs[7], slice(0, 1), slice(0, 1))
    _assert_same_units(runs[1], runs[big], slice(0, 1), slice(0, 1))
    _assert_same_units(runs[7], runs[big], slice(0, 7), slice(0, 7))
    _assert_same_units(runs[7], run(7, seed=7), slice(None), slice(None))


def test_same_seed_is_bitwise_identical_across_chunk_boundaries(runs):
    # unit PER_CALL opens the second call in both runs; the first PER_CALL + 1 units agree
    _assert_same_units(
        runs[SIZES[3]], runs[SIZES[4]], slice(0, PER_CALL + 1), slice(0, PER_CALL + 1)
    )


def test_output_shapes(runs, days):
    n = SIZES[-1]
    out = runs[n]
    assert out["V"].shape == out["V0"].shape == (n, C, K)
    assert out["offers"].shape == (n, C, K, 2)
    assert out["snapshots"]["threat"].shape == (n, -(-days // engine.SNAP_DAYS), K)
    assert out["history"].shape == (n, 4)


def test_different_seeds_or_units_differ(runs, run):
    other = run(7, seed=8)
    assert not np.array_equal(other["V"], runs[7]["V"])
    v = runs[SIZES[-1]]["V0"]
    assert len({v[i].tobytes() for i in range(100)}) > 90, "units are not independent"


def test_a_population_covers_every_preset_and_stays_finite(runs):
    out = runs[SIZES[-1]]
    assert set(np.unique(out["preset"])) == set(range(len(PRESET_NAMES)))
    for k, v in _leaves(out).items():
        if v.dtype.kind == "f":
            assert np.isfinite(v).all(), k
    for k in ("V", "I", "R", "H", "E", "L", "V0", "I0", "R0", "H0", "E0"):
        assert ((out[k] >= 0) & (out[k] <= 1)).all(), k
    # every week of the history is an offer, taken or not
    np.testing.assert_array_equal(out["history"][:, 0] + out["history"][:, 2], HISTORY_STEPS)


def test_progress_is_reported_per_chunk(base_tables, base_world, days):
    seen = []
    engine.run_population(
        PER_CALL + 5,
        0,
        base_tables,
        base_world,
        mechanisms.flags(),
        days=days,
        progress=seen.append,
    )
    assert seen == [PER_CALL, PER_CALL + 5]


# ---------------------------------------------------------------- no recompilation


def test_new_values_do_not_recompile(run, base_scenario, base_world, caplog):
    base = run(5, seed=1)  # compiled here at the latest
    size = _cache_size()
    variants = {
        "traits": dict(
            tables=population_tables(base_scenario.population, {"threshold": 0.2, "beta": 3.0})
        ),
        "weights": dict(
            tables=population_tables({n: float(i + 1) for i, n in enumerate(PRESET_NAMES)})
        ),
        "world": dict(world=base_world._replace(warmth=np.float32(0.2), ramp_days=np.float32(3.0))),
        "world_params": dict(world=world_params(hurt_rate=0.5, offer_rate=1)),
        "ablation": dict(ablate=("observation", "automatic_route", "relief_habit")),
        "seed": dict(seed=123456),
    }
    with (
        caplog.at_level(logging.WARNING, logger="jax._src.interpreters.pxla"),
        jax.log_compiles(True),
    ):
        for name, kw in variants.items():
            out = run(5, **{"seed": 1, **kw})
            assert _cache_size() == size, f"{name} recompiled"
            changed = any(
                not np.array_equal(a, b)
                for a, b in zip(_leaves(out).values(), _leaves(base).values(), strict=True)
            )
            assert changed, f"{name} did not reach the engine"
        run(PER_CALL + 1, seed=1)  # several calls
    assert _compiles(caplog) == 0
    assert _cache_size() == size


# ---------------------------------------------------------------- streaming summaries


@pytest.fixture(scope="module")
def daily_run(run):
    return run(6, seed=3, daily=True)


def test_daily_records_have_one_row_per_day(daily_run, days):
    for k, v in daily_run["daily"].items():
        assert v.shape[:2] == (6, days), k


def test_offer_counts_add_up_to_offered_days(daily_run, days):
    offered = daily_run["daily"]["offered"].sum(axis=1)
    assert offered.min() > 0 and offered.max() < days  # offer_rate 0.6
    np.testing.assert_array_equal(daily_run["offers"].sum(axis=(1, 2, 3)), offered)
    np.testing.assert_array_equal(daily_run["behaviour"].sum(axis=1), offered)
    np.testing.assert_array_equal(
        daily_run["shares"].sum(axis=(1, 2, 3)), daily_run["daily"]["shared"].sum(axis=1)
    )


def test_padded_days_are_not_counted(run, base_world, days):
    """``days`` is not a multiple of SNAP_DAYS: the scan runs past it; those days must not count."""
    assert days % engine.SNAP_DAYS
    out = run(4, seed=2, world=base_world._replace(offer_rate=np.float32(1.0)))
    np.testing.assert_array_equal(out["offers"].sum(axis=(1, 2, 3)), days)
    np.testing.assert_array_equal(out["behaviour"].sum(axis=1), days)


def test_longing_sum_covers_only_the_simulated_days(daily_run):
    """The scan runs to a whole number of SNAP_DAYS blocks; the padded days add no longing."""
    np.testing.assert_allclose(
        daily_run["longing"], daily_run["daily"]["longing"].sum(axis=1), rtol=1e-5
    )


def test_last_snapshot_is_the_final_state(daily_run):
    snaps = daily_run["snapshots"]
    final = daily_run["V"] - daily_run["I"]
    np.testing.assert_allclose(snaps["threat"][:, -1], np.clip(final[:, PARTNER], 0, 1), atol=1e-7)
    np.testing.assert_array_equal(snaps["habit"][:, -1], daily_run["H"])
    np.testing.assert_array_equal(snaps["reward"][:, -1], daily_run["R"])
    np.testing.assert_array_equal(snaps["longing"][:, -1], daily_run["L"])


# ---------------------------------------------------------------- the engine runs the kernel


def _replay(out, i, seed, world, flags, days):
    """Unit ``i`` re-run step by step with the numpy kernel and the engine's documented keys."""
    key = jax.random.fold_in(jax.random.PRNGKey(seed), i)

    def draws(k, n):
        ts = jnp.arange(n)
        return np.asarray(jax.vmap(lambda t: engine.draws(k, t, engine.N_DRAWS))(ts))

    u_hist = draws(jax.random.fold_in(key, 1), HISTORY_STEPS)
    u_adult = draws(jax.random.fold_in(key, 2), days)
    p = person_params(**dict(zip(TRAITS, out["params"][i], strict=True)))
    style, ev_step, ev_kind = out["style"][i], out["event_week"][i], out["event_kind"][i]
    s = initial_state(np)
    for t in range(HISTORY_STEPS):
        o = history_offer(
            np,
            HISTORY,
            t,
            style,
            ev_step,
            ev_kind,
            STYLE_TABLE,
            EVENT_TABLE,
            u_hist[t, N_PERSON_DRAWS:],
        )
        s, _ = step(np, p, s, o, u_hist[t], flags)
    s0, rows = s, []
    for t in range(days):
        o = world_offer(np, world, np.float32(t), u_adult[t, N_PERSON_DRAWS:])
        s, r = step(np, p, s, o, u_adult[t], flags)
        rows.append(
            (r.offered, r.approached, r.automatic, r.noticed, r.behaviour, o.depth, o.context)
        )
    return s0, s, np.array(rows, dtype=np.int64).T


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")
def test_engine_reproduces_the_numpy_kernel(daily_run, base_world, days):
    """One unit's whole life (history and adult days) re-run with the numpy kernel and the same
    draws: the same daily choices, and the same states within float32 drift."""
    i, d = 4, daily_run["daily"]
    s0, s, rows = _replay(daily_run, i, 3, base_world, mechanisms.flags(), days)
    for name in ("V", "I", "R", "H", "E"):
        np.testing.assert_allclose(
            daily_run[f"{name}0"][i], getattr(s0, name), atol=1e-4, err_msg=f"{name}0"
        )
        np.testing.assert_allclose(daily_run[name][i], getattr(s, name), atol=1e-4, err_msg=name)
    names = ("offered", "shared", "automatic", "noticed", "behaviour", "depth", "context")
    engine_rows = np.stack([d[k][i].astype(np.int64) for k in names])
    for k, a, b in zip(names, engine_rows, rows, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=k)
    assert rows[1].any() and not rows[1].all(), "a dull unit: pick another"


# ---------------------------------------------------------------- devices

_OTHER_PROCESS = """
import sys, numpy as np
from closeloop import engine, mechanisms
from closeloop.params import couple_params, world_params
from closeloop.simulation import population_tables
assert len(engine.devices()) == 2
tab = population_tables({"avoidant": 1.0, "secure": 1.0})
people = engine.run_population(9, 5, tab, world_params(), mechanisms.flags(), days=40)
couples = engine.run_couples(9, 5, tab, tab, couple_params(), mechanisms.flags(), days=40)
np.savez(sys.argv[1], people=people["V"], sat=couples["monthly"]["sat"], end=couples["end_day"],
         threat=couples["threat"])
"""


def test_two_devices_give_the_same_bits(tmp_path):
    """A second process with two XLA CPU devices (one chunk each, side by side) computes exactly
    what this one computes on one device."""
    import os
    import subprocess
    import sys

    from closeloop.params import couple_params
    from closeloop.params import world_params as wp

    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    out = tmp_path / "two.npz"
    subprocess.run([sys.executable, "-c", _OTHER_PROCESS, str(out)], check=True, env=env)
    two = np.load(out)
    tab = population_tables({"avoidant": 1.0, "secure": 1.0})
    people = engine.run_population(9, 5, tab, wp(), mechanisms.flags(), days=40)
    couples = engine.run_couples(9, 5, tab, tab, couple_params(), mechanisms.flags(), days=40)
    np.testing.assert_array_equal(two["people"], people["V"])
    np.testing.assert_array_equal(two["sat"], couples["monthly"]["sat"])
    np.testing.assert_array_equal(two["end"], couples["end_day"])
    np.testing.assert_array_equal(two["threat"], couples["threat"])
