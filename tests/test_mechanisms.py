"""Mechanism names and their switches."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from closeloop import mechanisms
from closeloop.errors import InputError
from closeloop.mechanisms import INDEX, MECHANISMS, NAMES, flags, validate


def test_names_are_unique_and_indexed_in_order():
    assert len(set(NAMES)) == len(NAMES) == len(MECHANISMS)
    assert [INDEX[n] for n in NAMES] == list(range(len(NAMES)))
    for m in MECHANISMS:
        assert m.summary and m.when_off and m.reference, m.name


def test_no_ablation_switches_everything_on():
    f = flags()
    assert f.dtype == np.float32 and f.shape == (len(NAMES),)
    assert (f == 1.0).all()


@settings(max_examples=80, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(NAMES), max_size=len(NAMES) + 2))
def test_flags_zero_exactly_the_named_ones(off):
    f = flags(off)
    assert f.dtype == np.float32 and f.shape == (len(NAMES),)
    for n in NAMES:
        assert f[INDEX[n]] == (0.0 if n in off else 1.0), n
    assert validate(off) == tuple(off)


def test_flags_accept_any_iterable():
    assert (flags(iter(["observation"])) == flags(("observation",))).all()


@pytest.mark.parametrize("bad", ["observaton", "", "OBSERVATION", "pressure "])
def test_unknown_names_give_one_line_error_listing_allowed(bad, one_line):
    with pytest.raises(InputError) as e:
        flags(["pressure", bad])
    one_line(e.value, "'ablate'", repr(bad), *[repr(n) for n in NAMES])


def test_validate_names_the_field_it_is_given(one_line):
    with pytest.raises(InputError) as e:
        mechanisms.validate(["nope"], field="scenario.ablate")
    one_line(e.value, "'scenario.ablate'", "'nope'")
