"""Person scenarios in the explorer: the page's numbers are the library's, the pull-back point
follows the model's automatic route, and what-ifs, export and import work as for couples."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from fastapi.testclient import TestClient

import closeloop as cl
from closeloop.analysis.person_timeline import (
    example_person,
    person_timeline,
    pullback_points,
)
from closeloop.explore.api import scenario_dict
from closeloop.explore.app import create_app
from closeloop.params import CHANGE_SPECS, HISTORY_SPECS, WORLD_SPECS
from closeloop.scenario import Scenario

BASE = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app(warm=()), base_url=BASE) as c:
        yield c


def short(name: str = "graded-exposure", days: int = 90) -> dict:
    return scenario_dict(cl.scenario(name).replace(days=days))


def body(**changes: object) -> dict:
    return {"scenario": short(), "n": 24, "seed": 3, **changes}


def error(r) -> str:
    msg = r.json()["error"]
    assert "\n" not in msg
    return msg


def test_pullback_point_is_where_the_automatic_drive_reaches_the_threshold() -> None:
    threat = np.array([[0.1, 0.3, 0.5, 0.7, 0.9], [0.1, 0.1, 0.1, 0.1, 0.1]])
    habit = np.array([[0.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.2, 0.0]])
    got = pullback_points(threat, habit, np.array([0.5, 0.4]), np.array([0.25, 0.25]))
    assert got.tolist() == [2, 3]  # at the threshold counts; habit adds its weight
    none = pullback_points(threat, habit, np.array([2.0, 2.0]), np.array([0.25, 0.25]))
    assert none.tolist() == [5, 5]  # no depth: K


def test_person_timeline_from_the_dataset() -> None:
    sc = cl.scenario("graded-exposure").replace(days=90)
    ds = cl.simulate(sc, n=12, seed=1)
    pt = person_timeline(ds)
    t0 = ds["template0"].sel(context="partner").values
    assert np.array_equal(pt.threat[:, 0], t0.astype(float))
    assert np.array_equal(pt.threat[:, 1:], ds["threat_partner"].values.astype(float))
    assert pt.days[0] == 0 and np.array_equal(pt.days[1:], ds["month"].values)
    assert pt.pullback.shape == pt.deep.shape == (12, ds.sizes["month"] + 1)
    i = example_person(pt)
    assert i == example_person(person_timeline(ds))
    # Without the automatic route nothing closes the door fast: no pull-back point anywhere.
    off = person_timeline(cl.simulate(sc, n=12, seed=1, ablate=("automatic_route",)))
    assert (off.pullback == ds.sizes["depth"]).all() and not off.automatic
    from closeloop.explore.person import person_story

    story = person_story(off, example_person(off), list(ds["depth_name"].values))
    assert "switched off" in story[1]


def test_person_run_matches_the_library(client: TestClient) -> None:
    r = client.post("/api/simulate", json=body(seq=1, client="p"))
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["kind"] == "person" and d["n"] == 24
    ds = cl.simulate(cl.scenario("graded-exposure").replace(days=90), n=24, seed=3)
    pt = person_timeline(ds)
    i = example_person(pt)
    assert d["example"]["unit"] == i
    assert d["example"]["pullback"] == pt.pullback[i].tolist()
    assert d["threat"][4]["q50"] == pytest.approx(np.median(pt.threat[:, :, 4], axis=0), abs=1e-4)
    assert len(d["threat"]) == len(d["depths"]) == 5
    assert all(len(b["q50"]) == len(d["years"]) for b in d["threat"])
    assert d["story"] and d["summary"] and "not a real person" in d["story"][0]
    assert "protection" in " ".join(d["story"])
    assert Scenario(**tomllib.loads(d["toml"])) == cl.scenario("graded-exposure").replace(days=90)
    # A changed setting of the world changes the run.
    plain = short("warm-partner")
    d1 = client.post("/api/simulate", json=body(scenario=plain)).json()
    sc = {**plain, "world": {**plain["world"], "warmth": 0.2, "hurt_rate": 0.4}}
    d2 = client.post("/api/simulate", json=body(scenario=sc)).json()
    assert d2["deep"]["q50"] != d1["deep"]["q50"]


def test_person_whatif_is_paired(client: TestClient) -> None:
    base = body(scenario=short("warm-partner"))
    variant = {**short("warm-partner"), "world": {"hurt_rate": 0.3}}
    r = client.post("/api/whatif", json={"base": base, "variant": variant})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["kind"] == "person" and len(d["deep"]) == 2
    assert any("hurt_rate" in c for c in d["changes"])
    assert d["effects"] and d["story_b"]
    same = client.post("/api/whatif", json={"base": base, "variant": short("warm-partner")}).json()
    assert all(e["diff"] in (0, None) for e in same["effects"])
    mixed = {
        "base": body(),
        "variant": scenario_dict(cl.scenario("avoidant-anxious").replace(days=90)),
    }
    r = client.post("/api/whatif", json=mixed)
    assert r.status_code == 422 and "kind" in error(r)


def test_person_scenario_with_history_and_change_round_trips(client: TestClient) -> None:
    sc = cl.scenario("flooding").replace(
        world={"warmth": 0.7},
        traits={"threshold": 0.35},
        history={"home_until": 14.5, "peer_hurt_deep": 0.2},
        change={"session_salience": 3.0},
        ablate=["observation"],
    )
    text = client.post("/api/export", json={"scenario": scenario_dict(sc)}).json()["toml"]
    assert Scenario(**tomllib.loads(text)) == sc
    back = client.post("/api/import", json={"toml": text}).json()["scenario"]
    assert Scenario(**back) == sc and back["kind"] == "person"


def test_history_parameters_reach_the_run(client: TestClient) -> None:
    # A harsher early history leaves a higher threat at the start of adulthood.
    harsh = {**short(), "history": {"peer_hurt_deep": 0.9, "peer_warm_deep": 0.05}}
    a = client.post("/api/simulate", json=body()).json()
    b = client.post("/api/simulate", json=body(scenario=harsh)).json()
    assert b["threat"][4]["q50"][0] > a["threat"][4]["q50"][0]


def test_meta_lists_every_scenario_and_the_new_controls(client: TestClient) -> None:
    m = client.get("/api/meta").json()
    assert all(s["scenario"]["kind"] == s["kind"] for s in m["scenarios"])
    assert {s["kind"] for s in m["scenarios"]} == {"person", "couple"}
    for key, specs in (
        ("world", WORLD_SPECS),
        ("history", HISTORY_SPECS),
        ("change", CHANGE_SPECS),
    ):
        assert [s["name"] for s in m[key]] == [s.name for s in specs]
        for s in m[key]:
            assert s["low"] <= s["default"] <= s["high"] and s["step"] > 0 and s["label"]
    assert "graded_exposure" in m["person_interventions"]
    assert "couples_therapy" not in m["person_interventions"]


def test_multiples_refuse_a_person_scenario(client: TestClient) -> None:
    req = {"base": body(), "param": "criticism", "values": [0.1, 0.2]}
    r = client.post("/api/multiples", json=req)
    assert r.status_code == 422 and "kind" in error(r)


def test_serve_warms_every_program_in_the_background(monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    import closeloop.explore.app as app_module
    from closeloop.explore import serve

    seen: dict = {}
    monkeypatch.setattr(app_module, "create_app", lambda **kw: seen.update(kw) or "app")
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app))
    serve(port=8799)
    assert seen["warm_all"] is True and seen["app"] == "app"


def test_person_programs_are_among_those_warmed() -> None:
    from closeloop.explore.catalog import library, person_shapes

    lib = library(horizon=60)
    todo = person_shapes(lib)
    assert {sc.name for sc in todo} == {n for n, sc in lib.items() if sc.kind == "person"}
    assert all(sc.days <= 60 for sc in todo)
