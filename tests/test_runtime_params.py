"""The history's and the interventions' parameters as run-time data: set by a scenario's
``[history]`` and ``[change]`` tables or by ``simulate``, validated from the specification,
passed through the engine (history values unit by unit) without recompiling, and acting on the
outcomes they name."""

from __future__ import annotations

import jax
import numpy as np
import pytest

import closeloop as cl
from closeloop import engine, mechanisms
from closeloop.errors import InputError
from closeloop.model import eft, healing
from closeloop.model.couple import initial_couple
from closeloop.model.person import PARTNER, initial_state
from closeloop.params import (
    CHANGE,
    HISTORY,
    TRAITS,
    change_params,
    couple_params,
    history_params,
    world_params,
)
from closeloop.scenario import Scenario, load_scenario
from closeloop.simulation import population_tables, run_params

N = 6
DAYS = 40  # the suite's engine horizon (conftest.DAYS): no new program to compile


@pytest.fixture(scope="module")
def tab() -> dict[str, np.ndarray]:
    return population_tables({"avoidant": 0.5, "anxious": 0.5})


@pytest.fixture(scope="module")
def base(tab):
    """A people run at the defaults (shared by the tests that compare with it)."""
    return _people(tab)


def _people(tab, **kw):
    return engine.run_population(N, 4, tab, world_params(), mechanisms.flags(), days=DAYS, **kw)


def _with(defaults, name, values):
    """``defaults`` with field ``name`` set to ``values`` (one per unit)."""
    return defaults.replace(**{name: np.asarray(values, np.float32)})


# ------------------------------------------------------------------------ scenario tables


def test_scenario_tables_validate_and_round_trip(tmp_path):
    sc = Scenario(
        history={"home_until": 14, "anxiety_floor": 0.3}, change={"safe_warmth": 0.9}, days=30
    )
    assert sc.history == {"home_until": 14.0, "anxiety_floor": 0.3}
    hp, cg = sc.history_params(), sc.change_params()
    assert float(hp.home_until) == 14.0 and float(hp.peer_partner_share) == 0.5
    assert float(cg.safe_warmth) == np.float32(0.9) and float(cg.deesc_weeks) == CHANGE.deesc_weeks
    path = tmp_path / "s.toml"
    path.write_text(sc.to_toml())
    assert "[history]" in sc.to_toml() and "[change]" in sc.to_toml()
    back = load_scenario(path)
    assert back == sc.replace(name="s") and back.replace(name=sc.name).digest() == sc.digest()


def test_a_scenario_without_them_keeps_its_json():
    sc = cl.scenario("warm-partner")
    assert '"history"' not in sc.to_json() and '"change"' not in sc.to_json()
    assert sc.replace(history={"home_until": 15.0}).digest() != sc.digest()


@pytest.mark.parametrize(
    ("data", "field", "value", "allowed"),
    [
        ({"history": {"home_until": 30}}, "history.home_until", "30", "[10, 19]"),
        ({"history": {"home": 12}}, "history.home", "12", "home_until"),
        ({"change": {"safe_warmth": "high"}}, "change.safe_warmth", "'high'", "a number"),
        ({"change": {"deesc_weeks": 0}}, "change.deesc_weeks", "0", "[1, 52]"),
        ({"history": {"exposure_drop": 0.95}}, "history.exposure_drop", "0.95", "at most"),
        ({"history": [1.0]}, "history", "[1.0]", "a table"),
    ],
)
def test_bad_values_give_one_line_errors(data, field, value, allowed, one_line):
    with pytest.raises(InputError) as e:
        Scenario(**data)
    one_line(e.value, f"'{field}'", value, allowed)


def test_run_params_layer_simulate_over_the_scenario():
    sc = Scenario(history={"home_until": 14.0}, change={"safe_warmth": 0.9})
    hp, cg = run_params(sc, {"anxiety_floor": 0.2}, None)
    assert float(hp.home_until) == 14.0 and float(hp.anxiety_floor) == np.float32(0.2)
    assert float(cg.safe_warmth) == np.float32(0.9)
    given = history_params(home_until=12.0)
    assert run_params(sc, given, CHANGE) == (given, CHANGE)
    with pytest.raises(InputError, match="home_until"):
        run_params(sc, {"home_until": 40.0}, None)


# ------------------------------------------------------------------------ the engine


def test_history_values_per_unit_act_and_leave_other_units_alone(tab, base):
    floors = [0.15, 0.6, 0.15, 0.6, 0.15, 0.15]
    moved = _people(tab, history=_with(HISTORY, "anxiety_floor", floors))
    a = TRAITS.index("anxiety")
    # Learned anxiety rises by the floor's rise (clipped at the trait's top) where it was raised.
    for i in (1, 3):
        assert moved["params"][i, a] > base["params"][i, a]
    same = [0, 2, 4, 5]
    for x, y in zip(jax.tree.leaves(moved), jax.tree.leaves(base), strict=True):
        np.testing.assert_array_equal(x[same], y[same])


def test_defaults_per_unit_or_scalar_give_the_same_bits(tab, base):
    scalar = base
    full = HISTORY.replace(**{k: np.full(N, v, np.float32) for k, v in HISTORY.asdict().items()})
    for x, y in zip(
        jax.tree.leaves(scalar), jax.tree.leaves(_people(tab, history=full)), strict=True
    ):
        np.testing.assert_array_equal(x, y)


def test_an_earlier_move_from_home_changes_the_template(tab, base):
    early = _people(tab, history=history_params(home_until=10.0))
    assert not np.array_equal(base["V0"], early["V0"])


def test_new_history_and_change_values_do_not_recompile(tab):
    sch = healing.schedule_array(
        [{"kind": "therapy", "start": 0, "end": DAYS, "intensity": 1.0, "who": "a"}]
    )
    _people(tab, schedule=sch)
    count = engine.compiled_count()
    _people(
        tab,
        schedule=sch,
        history=_with(HISTORY, "protest_prior", np.linspace(1, 40, N)),
        change=change_params(session_salience=5.0),
    )
    assert engine.compiled_count() == count, "a new history or change value compiled a program"


@pytest.mark.slow
def test_new_values_do_not_recompile_couples(tab):
    sch = healing.schedule_array(
        [{"kind": "therapy", "start": 0, "end": DAYS, "intensity": 1.0, "who": "a"}]
    )
    cp, flags = couple_params(), mechanisms.flags()
    engine.run_couples(N, 4, tab, tab, cp, flags, days=DAYS, schedule=sch)
    count = engine.compiled_count()
    hp = _with(HISTORY, "peer_partner_share", np.linspace(0.1, 0.9, N))
    cg = change_params(safe_warmth=0.6, deesc_pursuit=0.5)
    engine.run_couples(N, 4, tab, tab, cp, flags, days=DAYS, schedule=sch, history=hp, change=cg)
    assert engine.compiled_count() == count, "a new history or change value compiled a program"


def test_safe_warmth_sets_how_warmly_a_safe_partner_meets_sharing(tab):
    """With a safe partner at full intensity the partner's warmth is ``safe_warmth``: at 1
    every shared moment with the partner is met warmly, at 0.5 about half are."""
    sch = healing.schedule_array(
        [{"kind": "safe_partner", "start": 0, "end": DAYS, "intensity": 1.0, "who": "a"}]
    )

    def warm_share(value: float) -> float:
        out = engine.run_population(
            64,
            5,
            tab,
            world_params(),
            mechanisms.flags(),
            days=DAYS,
            schedule=sch,
            daily=True,
            change=change_params(safe_warmth=value),
        )
        d = out["daily"]
        shared = d["shared"] & (d["context"] == PARTNER)
        return float((d["outcome"][shared] == 1).mean())

    assert warm_share(1.0) == 1.0
    assert warm_share(0.5) == pytest.approx(0.5, abs=0.1)


def test_couples_therapy_stages_follow_the_change_parameters():
    """De-escalation ends when pursuit falls below ``deesc_pursuit`` (docs/model.md 13.7): a
    couple still pursuing at 0.3 stays in it by default (0.2) and leaves it at 0.5."""
    sch = healing.schedule_array(
        [{"kind": "couples_therapy", "start": 0, "end": 100, "intensity": 1.0, "who": "a"}]
    )
    care = healing.levels(np, sch, np.float32(20.0))
    s = initial_couple(np, initial_state(np, (2, 4)))
    pursuit, felt = np.full((2, 4), 0.3, np.float32), np.zeros((2, 4), np.float32)
    assert (eft.advance(np, care, s, pursuit, felt) < 1.0).all()
    lenient = change_params(deesc_pursuit=0.5)
    assert (eft.advance(np, care, s, pursuit, felt, lenient) == 1.0).all()


def test_simulate_takes_them_and_agrees_with_the_scenario_table():
    sc = cl.scenario("rising-closeness").replace(days=DAYS)
    by_arg = cl.simulate(sc, n=4, seed=2, history={"anxiety_floor": 0.5})
    by_table = cl.simulate(sc.replace(history={"anxiety_floor": 0.5}), n=4, seed=2)
    plain = cl.simulate(sc, n=4, seed=2)
    np.testing.assert_array_equal(by_arg["traits"].values, by_table["traits"].values)
    anx = TRAITS.index("anxiety")
    assert (by_arg["traits"].values[:, anx] >= plain["traits"].values[:, anx]).all()
    assert (by_arg["traits"].values[:, anx] > plain["traits"].values[:, anx]).any()
