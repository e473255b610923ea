"""The report's timeline from NumPy slices (``analysis.bands``): the same numbers, bit for bit,
as the per-month Dataset selections and ``np.nanpercentile`` it replaced."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import closeloop as cl
from closeloop import trajectory
from closeloop.analysis.bands import class_labels, nan_percentiles
from closeloop.analysis.measures import quiet
from closeloop.analysis.timeline import MIN_SHARE, QUANTILES, couple_series, timeline


def reference(ds):  # the timeline's bands and classes as they were computed before
    together = ~ds["ended"].values.astype(bool)
    series = couple_series(ds)
    enough = np.isfinite(np.stack(list(series.values()))).sum(axis=1) >= np.maximum(
        MIN_SHARE * together.sum(axis=0), 1
    )
    bands = {
        k: np.where(ok, quiet(np.nanpercentile, v, QUANTILES, axis=0), np.nan)
        for ok, (k, v) in zip(enough, series.items(), strict=True)
    }
    index = np.arange(trajectory.WINDOW - 1, ds.sizes["month"])
    labels = np.stack([trajectory.classify(ds, at_month=int(j) + 1) for j in index], axis=1)
    return bands, labels


@pytest.fixture(scope="module")
def ds():
    sc = cl.scenario("avoidant-anxious").replace(days=900)
    return cl.simulate(sc, n=48, seed=5, chunk=48)


def test_timeline_is_bit_identical_to_the_old_computation(ds) -> None:
    bands, labels = reference(ds)
    tl = timeline(ds)
    assert list(tl.bands) == list(bands)
    for k, b in bands.items():
        assert np.array_equal(tl.bands[k], b, equal_nan=True), k
    # NaN in the series (a couple ended, too few bids pooled): NumPy's slow path was compared.
    assert any(np.isnan(v).any() for v in couple_series(ds).values())
    assert np.array_equal(class_labels(ds, tl.class_index), labels)
    for c in trajectory.CLASSES:
        assert np.array_equal(tl.class_shares[c], (labels == c).mean(axis=0)), c
    assert len({*labels.ravel()}) >= 2


def test_class_labels_at_a_few_months(ds) -> None:
    for j in (0, 3, 11, ds.sizes["month"] - 1):
        got = class_labels(ds, np.array([j]))[:, 0]
        assert np.array_equal(got, trajectory.classify(ds, at_month=j + 1)), j
    assert class_labels(ds, np.array([], dtype=int)).shape == (48, 0)


finite = st.floats(-5, 5, allow_nan=False, width=32)
values = st.one_of(finite, st.just(np.nan))


@settings(max_examples=200, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 9), st.integers(1, 6)), elements=values))
def test_nan_percentiles_is_numpys(v: np.ndarray) -> None:
    want = quiet(np.nanpercentile, v, QUANTILES, axis=0)
    assert np.array_equal(nan_percentiles(v, QUANTILES), want, equal_nan=True)
