"""The parameter specification and its validation at the boundary."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeloop.errors import InputError
from closeloop.params import (
    COUPLE_SPECS,
    PERSON_SPECS,
    SPECS,
    WORLD_SPECS,
    CoupleParams,
    PersonParams,
    WorldParams,
    couple_params,
    person_params,
    world_params,
)

# group -> (its specs, its builder, its NamedTuple, the owner named in messages)
GROUPS = {
    "person": (PERSON_SPECS, person_params, PersonParams, "person"),
    "world": (WORLD_SPECS, world_params, WorldParams, "world"),
    "couple": (COUPLE_SPECS, couple_params, CoupleParams, "relationship"),
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
    again = person_params(**{k: np.asarray(v) for k, v in p._asdict().items()})
    assert again == p
