"""The parameter specification and its validation at the boundary."""

from __future__ import annotations

import dataclasses
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeloop import mechanisms
from closeloop.errors import InputError
from closeloop.params import (
    CHANGE_SPECS,
    COUPLE_SPECS,
    DISTRIBUTIONS,
    HISTORY_SPECS,
    LINEAR_SPECS,
    OBSERVATION_SPECS,
    PERSON_SPECS,
    ROLES,
    SCALES,
    SPECS,
    TRAITS,
    WORLD_SPECS,
    ChangeParams,
    CoupleParams,
    HistoryParams,
    LinearParams,
    ObservationParams,
    ParamSpec,
    PersonParams,
    Uniform,
    WorldParams,
    change_params,
    couple_params,
    history_params,
    linear_params,
    observation_params,
    person_params,
    world_params,
)

# group -> (its specs, its builder, its dataclass, the owner named in messages)
GROUPS = {
    "person": (PERSON_SPECS, person_params, PersonParams, "person"),
    "world": (WORLD_SPECS, world_params, WorldParams, "world"),
    "couple": (COUPLE_SPECS, couple_params, CoupleParams, "relationship"),
    "change": (CHANGE_SPECS, change_params, ChangeParams, "change"),
    "history": (HISTORY_SPECS, history_params, HistoryParams, "history"),
    "observation": (OBSERVATION_SPECS, observation_params, ObservationParams, "observation"),
    "linear": (LINEAR_SPECS, linear_params, LinearParams, "linear"),
}
ALL = [(g, s) for g, (specs, *_) in GROUPS.items() for s in specs]
BUILD = {g: build for g, (_, build, *_) in GROUPS.items()}
OWNER = {g: owner for g, (*_, owner) in GROUPS.items()}
IDS = [s.name for _, s in ALL]


def _range(s) -> str:
    return f"[{s.low:g}, {s.high:g}]"


def test_specs_are_well_formed():
    names = [s.name for _, s in ALL]
    assert len(names) == len(set(names)) == len(SPECS)
    for owner, s in ALL:
        assert s.group == owner, s.name
        assert math.isfinite(s.low) and math.isfinite(s.high) and s.low < s.high, s.name
        assert s.low <= s.default <= s.high, f"default of {s.name} outside its bounds"
        assert s.label and s.meaning and s.reference and s.unit, s.name
        assert "\n" not in s.label, s.name


@pytest.mark.parametrize("group", list(GROUPS))
def test_fields_follow_spec_order(group):
    specs, _, cls, _ = GROUPS[group]
    assert cls._fields == tuple(s.name for s in specs)


@pytest.mark.parametrize("group", list(GROUPS))
def test_defaults_build_float32_scalars(group):
    specs, build, cls, _ = GROUPS[group]
    built = build()
    assert isinstance(built, cls)
    for value, s in zip(built, specs, strict=True):
        assert np.asarray(value).dtype == np.float32
        assert np.asarray(value).shape == ()
        assert float(value) == pytest.approx(s.default, rel=1e-6)


@pytest.mark.parametrize(("group", "spec"), ALL, ids=IDS)
def test_bounds_are_inclusive(group, spec):
    build = BUILD[group]
    assert float(getattr(build(**{spec.name: spec.low}), spec.name)) == pytest.approx(spec.low)
    assert float(getattr(build(**{spec.name: spec.high}), spec.name)) == pytest.approx(spec.high)


def _bad_scalars(s):
    width = s.high - s.low
    return [
        s.low - 0.01 * width,
        s.high + 0.01 * width,
        -1e9,
        1e9,
        math.nan,
        math.inf,
        -math.inf,
        True,
        False,
        None,
    ]


@pytest.mark.parametrize(("group", "spec"), ALL, ids=IDS)
def test_rejects_bad_scalars_with_one_line(group, spec, one_line):
    for value in _bad_scalars(spec):
        with pytest.raises(InputError) as e:
            BUILD[group](**{spec.name: value})
        one_line(e.value, f"'{spec.name}'", OWNER[group], repr(value), _range(spec))


@pytest.mark.parametrize(("group", "spec"), ALL, ids=IDS)
def test_arrays_are_validated_elementwise(group, spec, one_line):
    build = BUILD[group]
    good = np.linspace(spec.low, spec.high, 7)
    out = np.asarray(getattr(build(**{spec.name: good}), spec.name))
    assert out.dtype == np.float32 and out.shape == (7,)
    np.testing.assert_allclose(out, good, rtol=1e-6)
    for bad_element in (spec.high + 1.0, spec.low - 1.0, math.nan):
        arr = good.copy()
        arr[3] = bad_element
        with pytest.raises(InputError) as e:
            build(**{spec.name: arr})
        one_line(e.value, f"'{spec.name}'", repr(float(bad_element)), _range(spec))


@pytest.mark.parametrize("group", list(GROUPS))
def test_unknown_names_are_rejected(group, one_line):
    specs, build, _, owner = GROUPS[group]
    with pytest.raises(InputError) as e:
        build(thershold=0.3)
    one_line(e.value, "'thershold'", "0.3", owner, *[s.name for s in specs])


@pytest.mark.parametrize("group", list(GROUPS))
def test_parameters_of_another_group_are_rejected(group):
    _, build, *_ = GROUPS[group]
    for other, (other_specs, *_) in GROUPS.items():
        if other != group:
            with pytest.raises(InputError):
                build(**{other_specs[0].name: other_specs[0].default})


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.data())
def test_values_inside_bounds_are_accepted(data):
    for specs, build, *_ in GROUPS.values():
        values = {s.name: data.draw(st.floats(s.low, s.high), label=s.name) for s in specs}
        built = build(**values)
        for s in specs:
            assert float(getattr(built, s.name)) == pytest.approx(values[s.name], rel=1e-6)


# observe accepts 0 and 1, so a bool slipping through as 0/1 is not caught by the range check.
NON_NUMERIC = ["abc", "", {}, [0.1, "x"], object(), np.True_, np.array([True, False])]


@pytest.mark.parametrize("value", NON_NUMERIC, ids=[repr(v)[:20] for v in NON_NUMERIC])
def test_rejects_non_numeric_and_numpy_bools(value, one_line):
    try:
        person_params(observe=value)
    except Exception as e:
        one_line(e, "'observe'", "[0, 1]")
    else:
        pytest.fail(f"accepted {value!r}")


def test_validated_params_revalidate():
    low = {s.name: s.low for s in PERSON_SPECS}
    p = person_params(**low)
    again = person_params(**{k: np.asarray(v) for k, v in p.asdict().items()})
    assert all(np.array_equal(a, b) for a, b in zip(again, p, strict=True))


DEFAULT_OUTSIDE_PRIOR: dict[str, str] = {}
"""Parameters whose default may lie outside their prior's range, and why (none today)."""


@pytest.mark.parametrize(("group", "spec"), ALL, ids=IDS)
def test_spec_metadata_is_complete(group, spec):
    assert spec.role in ROLES, spec.name
    assert spec.scale in SCALES, spec.name
    assert set(spec.mechanisms) <= set(mechanisms.NAMES), spec.name
    assert spec.reference.strip() and spec.meaning.strip() and spec.label.strip(), spec.name
    pr = spec.prior
    assert pr.dist in DISTRIBUTIONS, spec.name
    assert spec.low <= pr.low < pr.high <= spec.high, f"prior of {spec.name} outside bounds"
    if spec.name not in DEFAULT_OUTSIDE_PRIOR:
        assert pr.low <= spec.default <= pr.high, f"default of {spec.name} outside its prior"
    assert 0 < spec.step < spec.high - spec.low, spec.name
    if spec.scale == "log":
        assert spec.low > 0, f"{spec.name}: a log scale needs bounds above zero"


def test_priors_default_to_uniform_over_the_bounds():
    s = SPECS["alpha_acq"]
    assert s.prior == Uniform(s.low, s.high)
    assert s.prior.describe() == "uniform() on [0.01, 1]"
    assert s.scale == "log" and SPECS["threshold"].scale == "linear"


def test_specs_cover_every_class_once():
    fields = [f for _, _, cls, _ in GROUPS.values() for f in cls.fields()]
    assert len(fields) == len(set(fields)) == len(SPECS)
    assert set(fields) == set(SPECS)
    assert PersonParams.fields()[: len(TRAITS)] == TRAITS and len(TRAITS) == 27


def test_paramspec_is_keyword_only():
    with pytest.raises(TypeError):
        ParamSpec("x", 0.5, 0.0, 1.0)  # type: ignore[misc]


@pytest.mark.parametrize("group", list(GROUPS))
def test_dataclass_api(group):
    specs, build, cls, _ = GROUPS[group]
    p = build()
    first = specs[0].name
    assert cls.fields() == cls._fields == tuple(s.name for s in specs)
    assert [s.name for s in cls.SPECS] == list(cls.fields())
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(p, first, np.float32(0.0))
    q = p.replace(**{first: np.float32(specs[0].high)})
    assert float(getattr(q, first)) == pytest.approx(specs[0].high)
    assert float(getattr(p, first)) == pytest.approx(specs[0].default)
    assert list(p.asdict()) == list(cls.fields()) and len(p) == len(specs)
    again = cls(*list(p))  # positional construction, in field order
    assert all(a is b for a, b in zip(again, p, strict=True))
    assert dataclasses.replace(p, **{first: p.asdict()[first]}).asdict()[first] is getattr(p, first)


@pytest.mark.parametrize("group", list(GROUPS))
def test_params_are_pytrees_of_data(group):
    specs, build, cls, _ = GROUPS[group]
    p = build()
    leaves, tree = jax.tree.flatten(p)
    assert len(leaves) == len(specs)
    doubled = jax.tree.map(lambda x: x * 2, p)
    assert type(doubled) is cls
    traces = []

    @jax.jit
    def total(q):
        traces.append(1)
        return sum(jnp.sum(x) for x in jax.tree.leaves(q))

    total(p)
    total(build(**{specs[0].name: specs[0].high}))
    assert len(traces) == 1, "a new value must not recompile"
    assert jax.tree.unflatten(tree, leaves).asdict().keys() == p.asdict().keys()


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.data())
def test_out_of_bounds_is_one_line_naming_the_field(data):
    group, spec = data.draw(st.sampled_from(ALL), label="spec")
    width = spec.high - spec.low
    below = st.floats(spec.low - 10 * width - 1, spec.low - 1e-3 * width - 1e-6)
    above = st.floats(spec.high + 1e-3 * width + 1e-6, spec.high + 10 * width + 1)
    value = data.draw(st.one_of(below, above), label="value")
    with pytest.raises(InputError) as e:
        BUILD[group](**{spec.name: value})
    text = str(e.value)
    assert "\n" not in text and f"'{spec.name}'" in text and _range(spec) in text


def test_a_promoted_parameter_is_set_from_a_scenario_without_recompiling():
    """A number promoted to a relationship parameter is settable in a scenario's [relationship]
    table like any other, changes the outcome, and travels as data: no new program."""
    import closeloop as cl
    from closeloop import engine

    sc = cl.scenario("avoidant-anxious").replace(days=90)
    base = cl.simulate(sc, n=8, seed=3)
    count = engine.compiled_count()
    cold = cl.simulate(sc.replace(relationship={"warmth_base": 0.2, "hurt_base": 0.4}), n=8, seed=3)
    # The starting levels reach the start of the relationship too.
    low = cl.simulate(sc.replace(relationship={"sat_start": 0.2}), n=8, seed=3)
    assert engine.compiled_count() == count, "a new relationship value compiled a new program"
    for other in (cold, low):
        assert not all(base[k].equals(other[k]) for k in ("threat", "sat", "pursuit", "bids"))
    with pytest.raises(InputError):
        sc.replace(relationship={"warmth_base": 1.5})


def test_a_promoted_person_parameter_is_set_from_a_scenario_without_recompiling():
    """The person-level numbers promoted to PersonParams are settable in a scenario's [traits]
    table: they travel with the population tables to every unit, newborn included."""
    import closeloop as cl
    from closeloop import engine

    sc = cl.scenario("warm-partner").replace(days=60, population={"avoidant": 1.0})
    base = cl.simulate(sc, n=8, seed=5)
    count = engine.compiled_count()
    busy = cl.simulate(sc.replace(traits={"busy_share": 0.0, "auto_busy": 0.0}), n=8, seed=5)
    hopeful = cl.simulate(sc.replace(traits={"reward_start": 0.9}), n=8, seed=5)
    assert engine.compiled_count() == count, "a new trait value compiled a new program"
    # Every chosen withdrawal is now 'less available', and no automatic one is unavailable:
    # none 'gets busy'.
    assert int(busy.behaviour_count.sel(behaviour="gets busy").sum()) == 0
    assert not base.behaviour_count.equals(busy.behaviour_count)
    assert not base.reward0.equals(hopeful.reward0)
    # The traits reported are the 27 traits, whatever else a scenario sets.
    assert list(busy.traits.param.values) == list(TRAITS)
