"""The simpler models beside closeloop (closeloop.model.variants, closeloop.model.linear): each
keeps what it says it keeps and drops what it says it drops."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

import closeloop as cl
from closeloop import mechanisms
from closeloop.claims import check_claims
from closeloop.errors import InputError
from closeloop.model import linear, variants
from closeloop.model.person import (
    PARTNER,
    THERAPY,
    C,
    K,
    Offer,
    PersonState,
    Response,
    effective_threat,
    learn,
    tick,
)
from closeloop.params import couple_params, linear_params, person_params

DEEP = 3
f32 = np.float32


def _state(threat: float) -> PersonState:
    """One person (batch ()) with the same threat at every context and depth, no safety yet."""
    return PersonState(
        V=np.full((C, K), threat, f32),
        I=np.zeros((C, K), f32),
        R=np.full(K, 0.5, f32),
        H=np.full(K, 0.3, f32),
        E=f32(0.5),
        L=f32(0.5),
        F=np.zeros((C, K), f32),
    )


def _shared_warmly(context: int) -> tuple[Offer, Response]:
    """A deep offer in ``context``, shared and met warmly."""
    one, no = np.True_, np.False_
    o = Offer(
        offered=one,
        depth=np.int32(DEEP),
        context=np.int32(context),
        pressure=f32(0),
        importance=f32(1),
        warmth=f32(1),
        hurt_rate=f32(0),
        protest_gain=f32(0),
        forced=no,
        salience=f32(1),
        observe_boost=f32(0),
    )
    z = f32(0)
    r = Response(one, one, no, no, z, z, z, z, np.int32(0), np.int32(1))
    return o, r


def _step(s: PersonState, context: int, variant: np.ndarray | None, fl: np.ndarray) -> Any:
    o, r = _shared_warmly(context)
    p = person_params()
    return learn(np, p, tick(np, p, s, fl, variant), o, r, fl, variant)


def _felt(s: PersonState, context: int, stress: float = 0.0) -> float:
    return float(effective_threat(np, s, np.int32(context), f32(stress))[DEEP])


def _extinguished(name: str, steps: int = 300) -> PersonState:
    """Deep threat 0.6 everywhere, then ``steps`` warm deep sharings in therapy."""
    fl = mechanisms.flags()
    v = None if name == variants.DEFAULT else variants.switches(name)
    s = _state(0.6) if v is None else variants.begin(np, _state(0.6), v)
    for _ in range(steps):
        s = _step(s, THERAPY, v, fl)
    return s


def test_static_template_never_learns_in_adult_life():
    fl = mechanisms.flags()
    v = variants.switches("static")
    s0 = _state(0.6)._replace(I=np.full((C, K), 0.2, f32))
    s = s0
    for _ in range(50):
        s = _step(s, PARTNER, v, fl)
    for name in ("V", "I", "R", "H", "E"):
        np.testing.assert_array_equal(getattr(s, name), getattr(s0, name), err_msg=name)
    assert s.L != s0.L  # the need still moves: it is not learned


def test_closeloop_learns_where_static_does_not():
    s = _extinguished("closeloop", steps=50)
    assert _felt(s, THERAPY) < 0.5


def test_erasure_has_no_renewal_closeloop_does():
    cl_s, er_s = _extinguished("closeloop"), _extinguished("erasure")
    # Safety learned in therapy: both models feel little deep threat there now.
    assert _felt(cl_s, THERAPY) < 0.2 and _felt(er_s, THERAPY) < 0.2
    # Back with the partner (a context change): threat returns in closeloop only.
    assert _felt(cl_s, PARTNER) - _felt(cl_s, THERAPY) > 0.2
    assert _felt(er_s, PARTNER) == pytest.approx(_felt(er_s, THERAPY), abs=1e-6)
    assert not np.any(er_s.I)  # one store: nothing beside the threat


def test_erasure_has_no_spontaneous_recovery_or_relapse():
    fl = mechanisms.flags()
    p = person_params()
    out = {}
    for name in ("closeloop", "erasure"):
        s = _extinguished(name)
        v = None if name == variants.DEFAULT else variants.switches(name)
        before = _felt(s, THERAPY)
        stressed = _felt(s, THERAPY, stress=1.0)
        for _ in range(2000):
            s = tick(np, p, s, fl, v)
        out[name] = (stressed - before, _felt(s, THERAPY) - before)
    assert out["closeloop"][0] > 0.2 and out["closeloop"][1] > 0.05
    assert out["erasure"] == (0.0, 0.0)


def test_erasure_starts_from_the_same_felt_threat():
    s = _state(0.7)._replace(I=np.linspace(0.0, 0.9, C * K, dtype=f32).reshape(C, K))
    one = variants.begin(np, s, variants.switches("erasure"))
    for c in range(C):
        np.testing.assert_array_equal(
            effective_threat(np, one, np.int32(c)), effective_threat(np, s, np.int32(c))
        )
    assert not np.any(one.I)


def _linear_run(lp, days: int, seed: int = 0) -> linear.LinearState:
    cp = couple_params()
    pp = person_params(alpha_expect=0.1)
    home = np.array([[0.2, 0.6], [0.5, 0.4]], f32)  # (member, couple)
    s = linear.initial_linear(np, home, cp)
    rng = np.random.default_rng(seed)
    for _ in range(days):
        u = rng.random((linear.N_LINEAR_DRAWS, 2)).astype(f32)
        u[linear.NOISE : linear.NOISE + 2] = rng.standard_normal((2, 2))
        s, _ = linear.linear_day(np, pp, cp, lp, s, u)
    return s


def test_linear_fixed_point_matches_its_analytic_value():
    lp = linear_params(noise_sd=0.0, bilinear=0.0, influence=0.02, inertia=0.9)
    s = _linear_run(lp, days=1500)
    want = linear.fixed_point(lp, np.array([[0.2, 0.6], [0.5, 0.4]], f32))
    np.testing.assert_allclose(s.x, want, atol=1e-4)
    # The partner's pull moves each member off their set point, toward the other.
    assert np.all(np.abs(want - s.home) > 0.01)


def test_linear_noise_moves_the_states():
    noisy = _linear_run(linear_params(), days=300)
    quiet = _linear_run(linear_params(noise_sd=0.0), days=300)
    assert np.abs(noisy.x - quiet.x).max() > 0.01


def test_unknown_variant_is_one_line_naming_the_allowed(one_line):
    with pytest.raises(InputError) as e:
        cl.simulate("avoidant-anxious", n=2, variant="stati")
    one_line(e.value, "'variant'", "'stati'", *(repr(n) for n in variants.NAMES))
    with pytest.raises(InputError) as e:
        check_claims(only="P1", variant="nope")
    one_line(e.value, "'variant'", "'nope'", "'closeloop'", "'linear'")


def test_linear_person_claims_are_not_applicable_never_passed():
    (r,) = check_claims(only="P1", variant="linear")
    assert r.verdict == "n/a" and not r.passed and not r.applicable
    assert "couple model" in r.notes["not applicable"]
    assert r.as_dict()["effect"] is None


def test_linear_refuses_interventions_and_ablations():
    with pytest.raises(variants.NotApplicable):
        cl.simulate("avoidant-anxious", n=2, variant="linear", ablate=("pursuit",))


def _tiny(name: str, variant: str, seed: int) -> Any:
    sc = cl.scenario(name).replace(days=35)
    return cl.simulate(sc, n=6, seed=seed, variant=variant, daily=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "variant"),
    [("warm-partner", "static"), ("warm-partner", "erasure"), ("avoidant-anxious", "linear")],
)
def test_variants_are_deterministic_for_a_seed(name, variant):
    a, b = _tiny(name, variant, 3), _tiny(name, variant, 3)
    assert a.attrs["variant"] == variant
    for k in a.data_vars:
        np.testing.assert_array_equal(a[k].values, b[k].values, err_msg=k)
    c = _tiny(name, variant, 4)
    assert any(not np.array_equal(a[k].values, c[k].values) for k in a.data_vars)


@pytest.mark.slow
def test_static_adult_threat_never_changes_in_the_engine():
    ds = cl.simulate(cl.scenario("warm-partner").replace(days=40), n=8, seed=1, variant="static")
    np.testing.assert_array_equal(ds.threat.values, ds.template0.values)
    snaps = ds.threat_partner.values
    np.testing.assert_array_equal(snaps, np.broadcast_to(snaps[:, :1], snaps.shape))


@pytest.mark.slow
def test_linear_run_has_the_couple_record_without_the_absent_variables():
    sc = cl.scenario("avoidant-anxious").replace(days=60)
    ds = cl.simulate(sc, n=5, seed=2, variant="linear", daily=True)
    present = set(ds.data_vars)
    assert not present & set(cl.engine.LINEAR_ABSENT)
    for name in ("sat", "pursuit", "declined", "offered", "known", "trajectory", "daily_bid"):
        assert name in present, name
    # The same couples as closeloop's: same members, same early histories.
    ref = cl.simulate(sc, n=5, seed=2)
    np.testing.assert_array_equal(ds.threat0.values, ref.threat0.values)
    np.testing.assert_array_equal(ds.traits.values, ref.traits.values)


def test_cli_claims_unknown_variant_is_one_line():
    from typer.testing import CliRunner

    from closeloop.cli import app

    res = CliRunner().invoke(app, ["claims", "--only", "P1", "--variant", "lineer"])
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert res.exit_code == 2 and len(lines) == 1 and "Traceback" not in res.output
    assert "'variant'" in lines[0] and "'lineer'" in lines[0] and "'erasure'" in lines[0]


def test_cli_claims_not_applicable_is_reported_and_not_a_pass():
    from typer.testing import CliRunner

    from closeloop.cli import app

    res = CliRunner().invoke(app, ["claims", "--only", "P", "--variant", "linear", "--json"])
    out = json.loads(res.output)
    assert res.exit_code == 1  # not every claim passed
    assert [r["verdict"] for r in out] == ["n/a"] * 6
    assert all(r["variant"] == "linear" and r["effect"] is None for r in out)


def test_variants_table_renders_recorded_results(tmp_path):
    from closeloop.claims.variants_table import variants_table

    path = tmp_path / "v.json"
    cell = {"verdict": "pass", "effect": 0.5, "ci": [0.4, 0.6], "threshold": 0.3}
    na = {"verdict": "n/a", "effect": None, "ci": [None, None], "threshold": None}
    fail = {**cell, "verdict": "FAIL"}
    data = {
        "quick": True,
        "seed": 0,
        "variants": list(variants.NAMES),
        "claims": {
            "D1": {"statement": "d", "results": {"closeloop": cell, "linear": na}},
            "P2": {"statement": "p", "results": {"closeloop": fail}},
        },
    }
    path.write_text(json.dumps(data), encoding="utf-8")
    text = variants_table(path)
    assert text is not None
    lines = text.splitlines()
    assert lines[2].startswith("| **P2** | **FAIL** 0.50 [0.40, 0.60] | not run")
    assert lines[3] == "| **D1** | pass 0.50 [0.40, 0.60] | not run | not run | n/a |"
    assert "1 pass, 1 fail, 0 n/a" in lines[4] and "0 pass, 0 fail, 1 n/a" in lines[4]
    assert variants_table(tmp_path / "absent.json") is None
