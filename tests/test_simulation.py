"""``simulate``: the labelled dataset, its provenance and its consistency with the daily record."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import closeloop as cl
from closeloop import engine
from closeloop.errors import InputError
from closeloop.model.history import EVENT_NAMES, STYLE_NAMES
from closeloop.model.person import BEHAVIOURS, CONTEXT_NAMES, C, K
from closeloop.params import TRAITS
from closeloop.simulation import MAX_UNITS


def test_dataset_dims_and_coords(ds_summary, days):
    assert dict(ds_summary.sizes) == {
        "unit": 6,
        "context": C,
        "depth": K,
        "importance": 2,
        "behaviour": len(BEHAVIOURS),
        "month": math.ceil(days / engine.SNAP_DAYS),
        "param": len(TRAITS),
        "history_stat": 4,
    }
    assert list(ds_summary.context.values) == list(CONTEXT_NAMES)
    assert list(ds_summary.behaviour.values) == list(BEHAVIOURS)
    assert list(ds_summary.param.values) == list(TRAITS)
    assert list(ds_summary.importance.values) == ["low", "high"]
    assert list(ds_summary.month.values) == [engine.SNAP_DAYS, days]
    assert list(ds_summary.unit.values) == list(range(6))
    assert ds_summary.offers.dims == ("unit", "context", "depth", "importance")
    assert ds_summary.threat_partner.dims == ("unit", "month", "depth")
    assert not [v for v in ds_summary.data_vars if "day" in ds_summary[v].dims]


def test_dataset_attrs_record_the_run(ds_summary, base_scenario):
    a = ds_summary.attrs
    assert a["seed"] == 11 and a["n"] == 6
    assert a["scenario"] == base_scenario.to_json()
    assert a["scenario_name"] == base_scenario.name
    assert a["scenario_hash"] == base_scenario.digest()
    assert "988" in a["notice"]
    versions = json.loads(a["versions"])
    for pkg in ("closeloop", "jax", "numpy", "xarray", "python"):
        assert versions[pkg], pkg
    # the recorded scenario rebuilds the same scenario
    again = cl.Scenario(**json.loads(a["scenario"]))
    assert again == base_scenario and again.digest() == a["scenario_hash"]


def test_unit_labels(ds_summary, base_scenario):
    ds = cl.simulate(base_scenario, n=64, seed=5)
    assert set(ds.preset.values) <= set(base_scenario.population)
    assert set(ds.caregiving.values) <= set(STYLE_NAMES)
    assert set(ds.event.values) <= {*EVENT_NAMES, "none"}
    none = ds.event.values == "none"
    assert np.isnan(ds.event_age.values[none]).all()
    betrayed = ds.preset.values == "avoidant-after-betrayal"
    assert betrayed.any() and (ds.event.values[betrayed] == "betrayal").all()
    ages = ds.event_age.values[betrayed]
    assert ((ages >= 17.5 - 0.02) & (ages <= 18.5)).all()


def test_same_seed_same_dataset(ds_summary, base_scenario):
    assert cl.simulate(base_scenario, n=6, seed=11).identical(ds_summary)


def test_ablate_adds_to_the_scenario(base_scenario):
    ds = cl.simulate(
        base_scenario.replace(ablate=("relief_habit",)),
        n=3,
        seed=0,
        ablate=("observation", "relief_habit"),
    )
    assert ds.attrs["ablate"] == "relief_habit,observation"
    assert float(ds.noticed.sum()) == 0


@pytest.mark.parametrize("n", [0, -1, MAX_UNITS + 1, 1.5, 2.0, True, "3", None])
def test_bad_n(n, base_scenario, one_line):
    with pytest.raises(InputError) as e:
        cl.simulate(base_scenario, n=n)
    one_line(e.value, "'n'", repr(n), f"[1, {MAX_UNITS}]")


@pytest.mark.parametrize("seed", [-1, 2**31, 0.0, False, "0", None])
def test_bad_seed(seed, base_scenario, one_line):
    with pytest.raises(InputError) as e:
        cl.simulate(base_scenario, n=2, seed=seed)
    one_line(e.value, "'seed'", repr(seed), f"[0, {2**31 - 1}]")


def test_bad_ablation(base_scenario, one_line):
    with pytest.raises(InputError) as e:
        cl.simulate(base_scenario, n=2, ablate=("obsrvation",))
    one_line(e.value, "'ablate'", "'obsrvation'")


def test_numpy_integers_are_accepted(base_scenario):
    ds = cl.simulate(base_scenario, n=np.int64(2), seed=np.int32(11))
    assert ds.sizes["unit"] == 2 and ds.attrs["seed"] == 11


# ---------------------------------------------------------------- the daily record


def test_daily_adds_unit_by_day_variables(ds_daily, days):
    daily = [v for v in ds_daily.data_vars if v.startswith("daily_")]
    assert {
        "daily_offered",
        "daily_shared",
        "daily_depth",
        "daily_context",
        "daily_longing",
    } <= set(daily)
    for v in daily:
        assert ds_daily[v].dims == ("unit", "day"), v
    assert list(ds_daily.day.values) == list(range(days))


def test_daily_flag_does_not_change_the_summaries(ds_daily, ds_summary):
    for v in ds_summary.data_vars:
        np.testing.assert_array_equal(ds_daily[v].values, ds_summary[v].values, err_msg=v)


def test_summaries_agree_with_the_daily_record(ds_daily):
    ds = ds_daily
    offered = ds.daily_offered.values.astype(bool)
    shared = ds.daily_shared.values.astype(bool)
    ctx, dep = ds.daily_context.values, ds.daily_depth.values
    hi = (ds.daily_importance.values >= 0.5).astype(int)
    for i in range(ds.sizes["unit"]):
        offers = np.zeros((C, K, 2))
        shares = np.zeros((C, K, 2))
        auto, noticed, arousal = np.zeros((C, K)), np.zeros((C, K)), np.zeros((C, K))
        for t in np.flatnonzero(offered[i]):
            cell = (ctx[i, t], dep[i, t])
            offers[(*cell, hi[i, t])] += 1
            shares[(*cell, hi[i, t])] += shared[i, t]
            auto[cell] += ds.daily_automatic.values[i, t]
            noticed[cell] += ds.daily_noticed.values[i, t]
            arousal[cell] += ds.daily_arousal.values[i, t]
        np.testing.assert_array_equal(ds.offers.values[i], offers, err_msg=f"offers {i}")
        np.testing.assert_array_equal(ds.shares.values[i], shares, err_msg=f"shares {i}")
        np.testing.assert_array_equal(ds.automatic.values[i], auto, err_msg=f"automatic {i}")
        np.testing.assert_array_equal(ds.noticed.values[i], noticed, err_msg=f"noticed {i}")
        np.testing.assert_allclose(ds.arousal_sum.values[i], arousal, rtol=1e-5, atol=1e-6)
        behaviour = np.bincount(ds.daily_behaviour.values[i][offered[i]], minlength=6)
        np.testing.assert_array_equal(ds.behaviour_count.values[i], behaviour)
    assert not (shared & ~offered).any()
    np.testing.assert_array_equal(ds.hurt_count.values, (ds.daily_outcome.values == -1).sum(1))
    np.testing.assert_allclose(ds.mean_longing.values, ds.daily_longing.values.mean(1), rtol=1e-5)
    np.testing.assert_array_equal(ds.longing_t.values[:, -1], ds.daily_longing.values[:, -1])
    # the record is not trivially empty
    assert (
        offered.any()
        and shared.any()
        and (ds.offers.sum(("context", "importance")) > 0).sum("unit").values[1:].any()
    )
