"""Per-unit parameters: each couple (or person) its own values in one engine call, with the
same bits as a run of that value alone, and no recompilation for new values."""

from __future__ import annotations

import jax
import numpy as np
import pytest

from closeloop import engine, mechanisms
from closeloop.params import PERSON_SPECS, TRAITS, couple_params, world_params
from closeloop.simulation import population_tables

N = 6
DAYS = 40


@pytest.fixture(scope="module")
def tab() -> dict[str, np.ndarray]:
    return population_tables({"avoidant": 0.5, "anxious": 0.5})


def _couples(tab, cp, traits=None):
    return engine.run_couples(N, 3, tab, tab, cp, mechanisms.flags(), days=DAYS, traits=traits)


def test_per_couple_values_match_runs_of_each_value(tab):
    rates = np.array([0.1, 0.9, 0.3, 0.5, 0.7, 0.2], dtype=np.float32)
    base = couple_params()
    mixed = _couples(
        tab,
        base.__class__(
            *[
                rates if name == "bid_rate" else v
                for name, v in zip(base._fields, base, strict=True)
            ]
        ),
    )
    for i in (0, 1, 4):
        alone = _couples(tab, couple_params(bid_rate=float(rates[i])))
        for leaf_m, leaf_a in zip(
            jax.tree.leaves(mixed["monthly"]), jax.tree.leaves(alone["monthly"]), strict=True
        ):
            np.testing.assert_array_equal(leaf_m[i], leaf_a[i])
    # The values matter: the couples given more bids bid more.
    bids = mixed["monthly"]["bids"].sum(axis=(1, 2))
    assert bids[1] > bids[0]


def test_scalar_and_broadcast_values_give_the_same_bits(tab):
    base = couple_params()
    full = base.__class__(*[np.full(N, v, np.float32) for v in base])
    a, b = _couples(tab, base), _couples(tab, full)
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True):
        np.testing.assert_array_equal(x, y)


def test_new_values_do_not_recompile(tab):
    _couples(tab, couple_params(bid_rate=0.4))
    before = engine.compiled_count()
    base = couple_params()
    other = base.__class__(
        *[
            np.linspace(0.1, 0.9, N).astype(np.float32) if n == "sat_rate" else v
            for n, v in zip(base._fields, base, strict=True)
        ]
    )
    _couples(tab, other)
    assert engine.compiled_count() == before


def test_fixed_traits_replace_the_drawn_ones_and_leave_the_rest(tab):
    drawn = _couples(tab, couple_params())
    fixed = np.full((N, 2, len(PERSON_SPECS)), np.nan, np.float32)
    names = [s.name for s in PERSON_SPECS]
    fixed[2, 0, names.index("threshold")] = 0.5
    out = _couples(tab, couple_params(), traits=fixed)
    j = TRAITS.index("threshold")  # the output's trait axis holds the traits only
    assert out["params"][2, 0, j] == np.float32(0.5)
    untouched = np.ones_like(out["params"], dtype=bool)
    untouched[2, 0, j] = False
    # That person's anxiety is learned from their history, which their threshold changes.
    untouched[2, 0, TRAITS.index("anxiety")] = False
    np.testing.assert_array_equal(out["params"][untouched], drawn["params"][untouched])
    # Other couples are the same couples, bit for bit.
    others = [0, 1, 3, 4, 5]
    np.testing.assert_array_equal(out["threat"][others], drawn["threat"][others])


def test_per_person_world(tab):
    w = world_params(offer_rate=0.6)
    rates = np.array([0.0, 1.0, 0.6, 0.6, 0.6, 0.6], np.float32)
    per = w.__class__(
        *[rates if n == "offer_rate" else v for n, v in zip(w._fields, w, strict=True)]
    )
    flags = mechanisms.flags()
    a = engine.run_population(N, 2, tab, per, flags, days=DAYS)
    b = engine.run_population(N, 2, tab, w, flags, days=DAYS)
    offers = a["offers"].sum(axis=(1, 2, 3))
    assert offers[0] == 0 and offers[1] == DAYS
    np.testing.assert_array_equal(a["V"][2:], b["V"][2:])


def test_wrong_number_of_rows_is_refused(tab):
    base = couple_params()
    bad = base.__class__(*[np.zeros(N + 1, np.float32) + v for v in base])
    with pytest.raises(ValueError, match="rows"):
        _couples(tab, bad)


def test_units_numbered_from_an_offset_are_the_same_units(tab):
    """Couples 2..5 run as a call of their own (first=2) are couples 2..5 of the whole run."""
    whole = _couples(tab, couple_params())
    part = engine.run_couples(
        N - 2, 3, tab, tab, couple_params(), mechanisms.flags(), days=DAYS, first=2
    )
    for a, b in zip(jax.tree.leaves(whole), jax.tree.leaves(part), strict=True):
        np.testing.assert_array_equal(a[2:], b)
