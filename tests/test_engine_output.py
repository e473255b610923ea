"""The engine's typed output: a ``Run`` whose parts are named by the run's ``Record``, a pytree,
readable as the flat mapping the engine returned before, sliced unit by unit."""

from __future__ import annotations

import dataclasses

import jax
import numpy as np
import pytest

from closeloop import engine, mechanisms
from closeloop.engine.output import Run
from closeloop.params import couple_params, world_params
from closeloop.simulation import population_tables

N = 5
DAYS = 40


@pytest.fixture(scope="module")
def runs() -> tuple[Run, Run]:
    tab = population_tables({"avoidant": 0.5, "secure": 0.5})
    flags = mechanisms.flags()
    people = engine.run_population(N, 1, tab, world_params(), flags, days=DAYS, daily=True)
    couples = engine.run_couples(N, 1, tab, tab, couple_params(), flags, days=DAYS)
    return people, couples


def _record_names(record: engine.Record, prefix: str) -> set[str]:
    return {k.split(".", 1)[1] for k in record.dims if k.startswith(prefix + ".")}


def test_parts_are_named_by_the_record(runs):
    people, couples = runs
    assert isinstance(people, Run) and isinstance(couples, Run)
    assert set(people.snapshots) == _record_names(engine.PEOPLE_RECORD, "snapshots")
    assert people.daily is not None
    assert set(people.daily) == _record_names(engine.PEOPLE_RECORD, "daily")
    plain = {k for k, v in engine.PEOPLE_RECORD.dims.items() if "." not in k}
    assert set(people.running) == plain
    assert couples.snapshot_key == "monthly" and couples.daily is None
    assert set(couples.snapshots) == _record_names(engine.COUPLE_RECORD, "monthly")
    assert set(couples.running) == {k for k in engine.COUPLE_RECORD.dims if "." not in k}
    # Unit first everywhere; snapshots have a block axis, daily records a day axis.
    for leaf in jax.tree.leaves(people):
        assert leaf.shape[0] == N
    assert people.daily["offered"].shape[:2] == (N, DAYS)
    assert couples.snapshots["sat"].shape[:2] == (N, 2)  # two months of 30 days cover 40


def test_it_reads_as_the_flat_mapping_of_before(runs):
    people, couples = runs
    assert people["offers"] is people.running["offers"]
    assert people["V0"] is people.start["V0"] and people["V"] is people.final["V"]
    assert people["snapshots"] is people.snapshots and people["daily"] is people.daily
    assert couples["monthly"] is couples.snapshots and "daily" not in couples
    assert "threat0" in couples and couples.get("nothing") is None
    assert set(people) == set(people.start) | set(people.final) | set(people.running) | {
        "snapshots",
        "daily",
    }
    assert len(couples) == len(list(couples))
    with pytest.raises(KeyError):
        couples["snapshots"]


def test_it_is_a_frozen_pytree_sliced_unit_by_unit(runs):
    people, couples = runs
    with pytest.raises(dataclasses.FrozenInstanceError):
        people.daily = None  # type: ignore[misc]
    part = couples[1:3]
    assert isinstance(part, Run) and part.snapshot_key == "monthly"
    for whole, sub in zip(jax.tree.leaves(couples), jax.tree.leaves(part), strict=True):
        np.testing.assert_array_equal(whole[1:3], sub)
    doubled = jax.tree.map(lambda a: a, people)
    assert isinstance(doubled, Run) and doubled.names() == people.names()
