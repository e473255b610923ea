"""The claim checks: each passes on the model, and fails when any mechanism it names is off."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import closeloop.claims as claims
from closeloop import mechanisms
from closeloop.claims import CLAIMS, check_claims
from closeloop.claims.registry import Condition
from closeloop.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def quick_results():
    return {r.id: r for r in check_claims(quick=True)}


@pytest.mark.parametrize("cid", [c.id for c in CLAIMS])
def test_claim_passes(quick_results, cid):
    r = quick_results[cid]
    assert r.passed, [(c.name, c.value, c.low, c.high, c.threshold) for c in r.conditions]
    assert r.ci[0] <= r.effect <= r.ci[1]
    assert r.n > 0 and r.seconds > 0


def test_claims_of_every_part_are_registered():
    """The three parts of the model each have their claims, and every one is checked above."""
    prefixes = {c.id[0] for c in CLAIMS}
    assert {"P", "D", "H"} <= prefixes
    assert [c.id for c in CLAIMS if c.id.startswith("H")] == [f"H{i}" for i in range(1, 8)]
    assert len({c.id for c in CLAIMS}) == len(CLAIMS)


def test_reported_notes_are_plain_json_and_shown_in_the_table(quick_results, capsys):
    """Notes (numbers reported beside a claim's conditions, never tested) come out as JSON and
    as '(reported)' rows of the table."""
    noted = [r for r in quick_results.values() if r.notes]
    assert any(r.id.startswith("H") for r in noted)
    for r in noted:
        notes = json.loads(json.dumps(r.as_dict()))["notes"]
        assert set(notes) == set(r.notes)
        for v in notes.values():
            if isinstance(v, dict):
                assert set(v) == {"value", "ci"} and v["ci"][0] <= v["ci"][1]
    claims.runner.render_table(noted)
    out = capsys.readouterr().out
    assert out.count("(reported)") == sum(len(r.notes) for r in noted)


ABLATIONS = [(c.id, m) for c in CLAIMS for m in c.mechanisms]


@pytest.mark.slow
@pytest.mark.parametrize(("cid", "mechanism"), ABLATIONS)
def test_claim_fails_without_its_mechanism(cid, mechanism):
    (r,) = check_claims(quick=True, only=cid, ablate=(mechanism,))
    assert not r.passed, f"{cid} still passes with {mechanism} switched off"
    assert r.ablated == (mechanism,)


def test_every_claim_names_known_mechanisms_and_a_reason():
    for c in CLAIMS:
        assert c.mechanisms, c.id
        mechanisms.validate(c.mechanisms)
        assert c.threshold_why and c.statement


def test_condition_uses_whole_interval():
    assert Condition("x", 0.5, 0.31, 0.7, 0.3).passed
    assert not Condition("x", 0.5, 0.29, 0.7, 0.3).passed
    assert Condition("x", 0.1, 0.0, 0.29, 0.3, "<=").passed
    assert not Condition("x", 0.1, 0.0, 0.31, 0.3, "<=").passed


def test_json_output_has_contract_fields():
    res = runner.invoke(app, ["claims", "--only", "P2", "--quick", "--json"])
    assert res.exit_code == 0, res.output
    (obj,) = json.loads(res.output)
    for key in (
        "id",
        "statement",
        "effect",
        "ci",
        "threshold",
        "passed",
        "mechanisms",
        "n",
        "seconds",
    ):
        assert key in obj
    assert obj["id"] == "P2" and len(obj["ci"]) == 2 and obj["passed"] is True


def test_table_and_nonzero_exit_on_failure():
    res = runner.invoke(app, ["claims", "--only", "P2", "--quick", "--ablate", "observation"])
    assert res.exit_code == 1
    assert "P2" in res.output and "FAIL" in res.output


@pytest.mark.parametrize(
    ("args", "field"),
    [(["--ablate", "courage"], "ablate"), (["--only", "Z"], "only")],
)
def test_bad_options_give_one_line_error(args, field):
    res = runner.invoke(app, ["claims", "--quick", *args])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.strip().splitlines() if ln]
    assert len(lines) == 1 and f"'{field}'" in lines[0] and "Traceback" not in res.output


def test_public_api_exports_check_claims():
    import closeloop as cl

    assert cl.check_claims is claims.check_claims
