"""The infant classification (closeloop.analysis.infant) on made-up states, its agreement
statistic, the history's child snapshots, and the K1, K2 and K7 rows of the calibration table."""

from __future__ import annotations

import numpy as np
import pytest

from closeloop import engine, mechanisms
from closeloop.analysis import infant
from closeloop.model.person import HOME, PARTNER, C, K, PersonState
from closeloop.params import (
    SPECS,
    TRAITS,
    history_params,
    observation_params,
    world_params,
)
from closeloop.presets import DEFAULT_MIX
from closeloop.simulation import population_tables

OBS = observation_params()
FLAGS = mechanisms.flags(())


def _traits(n: int) -> np.ndarray:
    return np.tile(np.array([SPECS[t].default for t in TRAITS], np.float32), (n, 1))


def _state(
    threat_home: list[float], reward: float = 0.8, threat_partner: float = 0.0
) -> PersonState:
    """Made-up children (one per value of ``threat_home``): felt threat at every depth at home,
    no inhibition, no habit."""
    n = len(threat_home)
    v = np.zeros((C, K, n), np.float32)
    v[HOME] = np.asarray(threat_home, np.float32)[None, :]
    v[PARTNER] = threat_partner
    return PersonState(
        V=v,
        I=np.zeros_like(v),
        R=np.full((K, n), reward, np.float32),
        H=np.zeros((K, n), np.float32),
        E=np.full(n, 0.5, np.float32),
        L=np.zeros(n, np.float32),
    )


def test_threat_at_home_turns_the_child_away_at_reunion() -> None:
    s = _state([0.0, 0.3, 0.6, 0.9])
    seek = infant.reunion_seeking(_traits(4), s, OBS, FLAGS)
    assert np.all((seek >= 0.0) & (seek <= 1.0))
    assert np.all(np.diff(seek) < 0), seek  # more learned threat, less seeking
    assert seek[0] > OBS.ssp_seek_cut > seek[-1]


def test_threat_in_another_context_does_not_change_reunion() -> None:
    a = infant.reunion_seeking(_traits(2), _state([0.1, 0.1]), OBS, FLAGS)
    b = infant.reunion_seeking(_traits(2), _state([0.1, 0.1], threat_partner=0.9), OBS, FLAGS)
    np.testing.assert_allclose(a, b)


def test_four_groups_from_the_two_cut_offs() -> None:
    seek = np.array([0.9, 0.1, 0.9, 0.1, 0.5, 0.49])
    anx = np.array([0.1, 0.1, 0.8, 0.8, 0.1, 0.1])
    got = infant.classify(seek, anx, OBS)
    want = [infant.SECURE, infant.AVOIDANT, infant.RESISTANT, infant.DISORGANIZED]
    assert list(got) == [*want, infant.SECURE, infant.AVOIDANT]  # the cut itself seeks
    assert list(infant.three_way(got)) == [0, 1, 2, 1, 0, 1]  # disorganized shows as avoidant
    np.testing.assert_allclose(infant.shares(got, 4), [2 / 6, 2 / 6, 1 / 6, 1 / 6])


def test_learned_anxiety_follows_the_protest_contingency() -> None:
    hp = history_params()
    anx = infant.child_anxiety(hp, np.array([-0.2, 0.0, 0.1]))
    assert anx[0] == pytest.approx(float(hp.anxiety_floor))  # a rebuffed child: the floor
    assert anx[1] == pytest.approx(float(hp.anxiety_floor))
    assert anx[2] == pytest.approx(float(hp.anxiety_floor + 0.1 * hp.anxiety_per_protest))


def test_cohen_kappa_known_values() -> None:
    a = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    assert infant.cohen_kappa(a, a, 4) == pytest.approx(1.0)
    # Half the units agree, chance agreement 1/4: (1/2 - 1/4) / (3/4) = 1/3.
    b = np.array([0, 1, 1, 2, 2, 3, 3, 0])
    assert infant.cohen_kappa(a, b, 4) == pytest.approx(1 / 3)
    assert np.isnan(infant.cohen_kappa(np.zeros(5, int), np.zeros(5, int), 4))
    with pytest.raises(Exception, match="classes"):
        infant.shares(np.array([], int), 4)


@pytest.mark.slow
def test_child_snapshots_are_the_state_at_the_asked_weeks() -> None:
    tab = population_tables(dict(DEFAULT_MIX))
    args = (32, 3, tab, world_params(), FLAGS)
    plain = engine.run_population(*args, days=1)
    kept = engine.run_population(*args, days=1, child_weeks=(0, 65, 260))
    assert "child" not in plain.start
    child = kept.start["child"]
    assert child["V"].shape == (32, 3, C, K) and child["slope"].shape == (32, 3)
    # Week 0 is the newborn (no threat, no contingency yet); the history goes on unchanged.
    assert np.all(child["V"][:, 0] == 0.0) and np.all(child["slope"][:, 0] == 0.0)
    assert np.any(child["V"][:, 2] > child["V"][:, 1])
    for k in ("V0", "I0", "H0", "E0"):
        np.testing.assert_array_equal(plain.start[k], kept.start[k])


@pytest.mark.slow
def test_validate_prints_k1_k2_and_k7_rows() -> None:
    from closeloop.calibration.runs import Runs, Setting
    from closeloop.calibration.table import render_text, rows_for

    rows = rows_for(Runs(Setting(n_people=64, n_couples=8, seed=1, reps=10)), ("K1", "K2", "K7"))
    by = {r.id: r for r in rows}
    assert [m.name for m in by["K1"].measures] == ["secure", "avoidant", "resistant"]
    assert sum(m.value for m in by["K1"].measures) == pytest.approx(1.0)
    assert [m.name for m in by["K2"].measures] == ["kappa (4 groups)", "r (secure vs insecure)"]
    assert by["K2"].held_out and not by["K1"].held_out
    assert by["K7"].verdict == "not expressible" and "within a session" in by["K7"].missing
    text = render_text(rows)
    for needle in ("K1", "K2 (held out)", "K7", "secure", "kappa", "988"):
        assert needle in text
