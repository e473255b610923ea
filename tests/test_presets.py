"""Presets, the default population and population mixes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from closeloop.errors import InputError
from closeloop.model.history import EVENT_NAMES, MAX_EVENTS, STYLE_NAMES
from closeloop.params import PERSON_SPECS
from closeloop.presets import (
    DEFAULT_MIX,
    PRESET_NAMES,
    PRESETS,
    TRAIT_SD,
    MixTables,
    Preset,
    check_mix,
    preset,
)


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_every_preset_builds(name):
    t = MixTables({name: 1.0})
    pr = preset(name)
    j = PRESET_NAMES.index(name)
    n = len(PRESET_NAMES)
    # Tables span every preset (others weigh 0) so a new mix never changes their shapes.
    assert t.names == PRESET_NAMES and t.probs[j] == 1.0 and t.probs.sum() == 1.0
    assert t.traits.shape == (n, len(PERSON_SPECS))
    assert ((t.traits >= t.low) & (t.traits <= t.high)).all()
    for i, s in enumerate(PERSON_SPECS):
        assert t.traits[j, i] == pytest.approx(pr.traits.get(s.name, s.default)), s.name
    assert t.styles.shape == (n, len(STYLE_NAMES))
    assert t.styles[j].sum() == pytest.approx(1.0) and (t.styles >= 0).all()
    assert t.ev_kind.shape == t.ev_age.shape == (n, MAX_EVENTS)
    for i, (ev, age) in enumerate(pr.events):
        assert EVENT_NAMES[t.ev_kind[j, i]] == ev and t.ev_age[j, i] == pytest.approx(age)
    assert (t.ev_kind[j, len(pr.events) :] == -1).all()


def test_default_mix_covers_every_preset_and_sums_to_one():
    assert set(DEFAULT_MIX) == set(PRESET_NAMES)
    assert math.isclose(sum(DEFAULT_MIX.values()), 1.0, abs_tol=1e-9)
    t = MixTables(DEFAULT_MIX)
    assert t.probs.sum() == pytest.approx(1.0)
    assert set(TRAIT_SD) <= {s.name for s in PERSON_SPECS}
    assert len(PRESETS) == len(set(PRESET_NAMES))


def test_trait_overrides_apply_to_every_preset():
    t = MixTables({"secure": 1, "private": 1}, traits={"openness": 0.9, "beta": 2.0})
    i_open = [s.name for s in PERSON_SPECS].index("openness")
    i_beta = [s.name for s in PERSON_SPECS].index("beta")
    assert np.allclose(t.traits[:, i_open], 0.9) and np.allclose(t.traits[:, i_beta], 2.0)


def test_weights_are_normalised():
    t = MixTables({"secure": 3, "anxious": 1})
    expected = np.zeros(len(PRESET_NAMES))
    expected[PRESET_NAMES.index("secure")] = 0.75
    expected[PRESET_NAMES.index("anxious")] = 0.25
    np.testing.assert_allclose(t.probs, expected)


def test_check_mix_returns_floats_and_keeps_zero_weights():
    assert check_mix({"secure": 1, "avoidant": 0}) == {"secure": 1.0, "avoidant": 0.0}


@pytest.mark.parametrize("bad", ["secur", "Secure", ""])
def test_unknown_preset(bad, one_line):
    with pytest.raises(InputError) as e:
        check_mix({"secure": 1.0, bad: 1.0})
    one_line(e.value, "'population'", repr(bad), *[repr(n) for n in PRESET_NAMES])


@pytest.mark.parametrize("w", [-1.0, -1e-9, math.nan, math.inf, "abc", None])
def test_bad_weight(w, one_line):
    with pytest.raises(InputError) as e:
        check_mix({"secure": 1.0, "avoidant": w})
    one_line(e.value, "'population.avoidant'", repr(w), ">= 0")


@pytest.mark.parametrize("mix", [{}, {"secure": 0.0}, {"secure": 0, "avoidant": 0.0}])
def test_all_zero_mix(mix, one_line):
    with pytest.raises(InputError) as e:
        check_mix(mix)
    one_line(e.value, "'population'", repr(mix), "> 0")


def test_mix_field_name_is_used_in_messages(one_line):
    with pytest.raises(InputError) as e:
        check_mix({"secure": -2}, field_name="pop")
    one_line(e.value, "'pop.secure'", "-2")


def test_unknown_preset_lookup(one_line):
    with pytest.raises(InputError) as e:
        preset("nope")
    one_line(e.value, "'preset'", "'nope'")


def test_table_shapes_do_not_depend_on_the_mix():
    a = MixTables({"secure": 1.0}).arrays()
    b = MixTables(DEFAULT_MIX).arrays()
    assert {k: np.shape(v) for k, v in a.items()} == {k: np.shape(v) for k, v in b.items()}


def test_no_preset_sets_the_anxiety_it_learns():
    assert all("anxiety" not in p.traits for p in PRESETS)
    with pytest.raises(ValueError, match="learned"):
        Preset("x", "x", {"responsive": 1.0}, traits={"anxiety": 0.5})
    assert (MixTables({"secure": 1.0}).learn_anxiety == 1.0).all()
    # A scenario's own value replaces the learning, for every preset.
    assert (MixTables({"secure": 1.0}, traits={"anxiety": 0.4}).learn_anxiety == 0.0).all()


def test_fearful_avoidant_grows_up_with_frightening_care():
    pr = preset("fearful-avoidant")
    assert dict(pr.styles) == {"frightening": 1.0}
    assert pr.traits["drive"] > PERSON_SPECS[[s.name for s in PERSON_SPECS].index("drive")].default
