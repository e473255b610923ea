"""The explorer's JSON API: validation, limits, security headers and the simulate round trip."""

from __future__ import annotations

import json
import tomllib

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

import closeloop as cl
from closeloop.explore.api import MAX_DAYS, MAX_N, scenario_dict
from closeloop.explore.app import CSP, MAX_BODY, create_app
from closeloop.params import COUPLE_SPECS, SPECS
from closeloop.scenario import Scenario

BASE = "http://127.0.0.1"


@pytest.fixture(scope="module")
def client() -> TestClient:
    with TestClient(create_app(warm=()), base_url=BASE) as c:
        yield c


def short(name: str = "avoidant-anxious", days: int = 60) -> dict:
    return scenario_dict(cl.scenario(name).replace(days=days))


def body(**changes: object) -> dict:
    return {"scenario": short(), "n": 16, "seed": 3, **changes}


def error(r) -> str:
    msg = r.json()["error"]
    assert "\n" not in msg
    return msg


def test_page_and_headers(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.headers["content-security-policy"] == CSP
    assert "default-src 'self'" in CSP and "http" not in CSP
    assert "988" in r.text
    for asset in ("/static/app.js", "/static/charts.js", "/static/style.css"):
        a = client.get(asset)
        assert a.status_code == 200
        # Offline: no asset refers to another origin.
        assert "http://" not in a.text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in a.text


def test_meta_is_generated_from_the_spec(client: TestClient) -> None:
    from closeloop.params import COUPLE_SPECS, PERSON_SPECS

    m = client.get("/api/meta").json()
    assert [s["name"] for s in m["relationship"]] == [s.name for s in COUPLE_SPECS]
    assert [s["name"] for s in m["traits"]] == [s.name for s in PERSON_SPECS]
    for s in m["relationship"] + m["traits"]:
        assert s["low"] <= s["default"] <= s["high"] and s["step"] > 0 and s["label"]
    assert {s["name"] for s in m["scenarios"]} == set(cl.scenarios())


def test_simulate_matches_the_library(client: TestClient) -> None:
    r = client.post("/api/simulate", json=body(seq=1, client="t"))
    assert r.status_code == 200, r.text
    d = r.json()
    ds = cl.simulate(cl.scenario("avoidant-anxious").replace(days=60), n=16, seed=3)
    assert d["n"] == 16 and d["seq"] == 1
    assert d["final_shares"]["ended"] == pytest.approx(
        float((ds["trajectory"] == "ended").mean()), abs=1e-4
    )
    assert d["story"] and all(isinstance(p, str) for p in d["story"])
    assert Scenario(**tomllib.loads(d["toml"])) == cl.scenario("avoidant-anxious").replace(days=60)
    # A changed parameter changes the run; the same request again comes from the cache.
    sc = short()
    sc["relationship"] = {"bid_rate": 0.05}
    d2 = client.post("/api/simulate", json=body(scenario=sc)).json()
    assert d2["bands"]["pursuit_b"] != d["bands"]["pursuit_b"]
    again = client.post("/api/simulate", json=body(seq=2, client="t")).json()
    assert again["engine_ms"] == 0 and again["bands"] == d["bands"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"bogus": 1}, "bogus"),
        ({"n": MAX_N + 1}, "'n'"),
        ({"n": 0}, "'n'"),
        ({"n": "10"}, "'n'"),
        ({"n": True}, "'n'"),
        ({"seed": -1}, "'seed'"),
        ({"scenario": "avoidant-anxious"}, "'scenario'"),
        ({"scenario": {**short(), "days": MAX_DAYS + 1}}, "days"),
        ({"scenario": {**short(), "relationship": {"bid_rate": 1.5}}}, "bid_rate"),
        ({"scenario": {**short(), "relationship": {"bid_rate": "high"}}}, "bid_rate"),
        ({"scenario": {**short(), "relationship": {"nope": 0.1}}}, "nope"),
        ({"scenario": {**short(), "traits_a": {"threshold": -1}}}, "threshold"),
        ({"scenario": {**short(), "wat": 1}}, "wat"),
        ({"scenario": {**short(), "ablate": ["no_such"]}}, "ablate"),
        ({"scenario": {**short(), "history": {"home_until": 30}}}, "home_until"),
        ({"scenario": {**short(), "change": {"nope": 0.1}}}, "nope"),
    ],
)
def test_bad_input_is_named_in_one_line(client: TestClient, change: dict, field: str) -> None:
    r = client.post("/api/simulate", json=body(**change))
    assert r.status_code == 422
    assert field in error(r)


def test_json_only_and_size_limits(client: TestClient) -> None:
    r = client.post(
        "/api/simulate", content=json.dumps(body()), headers={"content-type": "text/plain"}
    )
    assert r.status_code == 415 and "JSON" in error(r)
    r = client.post(
        "/api/simulate", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    big = {"scenario": {**short(), "description": "x" * (MAX_BODY + 1)}}
    r = client.post("/api/simulate", json=big)
    assert r.status_code == 413 and str(MAX_BODY) in error(r)
    assert client.get("/api/simulate").status_code == 405


def test_untrusted_host_is_refused() -> None:
    with TestClient(create_app(warm=()), base_url="http://evil.example") as c:
        assert c.get("/").status_code == 400


def test_export_import_round_trip(client: TestClient) -> None:
    sc = cl.scenario("couples-therapy").replace(
        relationship={"bid_rate": 0.33}, traits_b={"anxiety": 0.7}, ablate=["pursuit"]
    )
    r = client.post("/api/export", json={"scenario": scenario_dict(sc)})
    assert r.status_code == 200
    text = r.json()["toml"]
    assert Scenario(**tomllib.loads(text)) == sc
    back = client.post("/api/import", json={"toml": text}).json()["scenario"]
    assert Scenario(**back) == sc
    bad = client.post("/api/import", json={"toml": "days = [1"})
    assert bad.status_code == 422 and "TOML" in error(bad)


def test_whatif_is_paired(client: TestClient) -> None:
    variant = {**short(), "relationship": {"bid_rate": 0.1}}
    r = client.post("/api/whatif", json={"base": body(), "variant": variant})
    assert r.status_code == 200, r.text
    d = r.json()
    assert any("bid_rate" in c for c in d["changes"])
    for e in d["effects"]:
        if e["diff"] is not None and e["low"] is not None:
            assert e["low"] <= e["diff"] + 1e-9 and e["diff"] <= e["high"] + 1e-9
    same = client.post("/api/whatif", json={"base": body(), "variant": short()}).json()
    assert all(e["diff"] in (0, None) for e in same["effects"])
    r = client.post("/api/whatif", json={"base": body(), "variant": short(days=30)})
    assert r.status_code == 422 and "days" in error(r)


def test_superseded_request_is_dropped() -> None:
    from closeloop.explore.api import Runner, Superseded

    runner = Runner()
    runner.note("page", 5)
    with pytest.raises(Superseded):
        runner.dataset(cl.scenario("avoidant-anxious").replace(days=30), 4, 0, "page", 4)


@pytest.mark.parametrize("name", cl.scenarios())
def test_every_shipped_scenario_round_trips_through_toml(name: str) -> None:
    sc = cl.scenario(name)
    assert Scenario(**tomllib.loads(sc.to_toml())) == sc


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([s.name for s in COUPLE_SPECS]),
        st.floats(0, 1, allow_nan=False, width=32),
        max_size=5,
    ),
    st.text(max_size=40),
)
def test_toml_export_is_exact(values: dict, description: str) -> None:
    # Any value the page can set comes back bit for bit, with any description text.
    ok = {k: v for k, v in values.items() if SPECS[k].low <= v <= SPECS[k].high}
    sc = cl.scenario("avoidant-anxious").replace(relationship=ok, description=description)
    assert Scenario(**tomllib.loads(sc.to_toml())) == sc


def test_bounded_load_gives_no_server_errors() -> None:
    """64 concurrent clients for two seconds (page loads, cached runs, bad input): no 5xx."""
    import asyncio
    import time

    import httpx

    app = create_app(warm=())
    statuses: list[int] = []
    latencies: list[float] = []

    async def worker(c: httpx.AsyncClient, i: int, until: float) -> None:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            if i % 3 == 0:
                r = await c.get("/api/meta")
            elif i % 3 == 1:
                r = await c.post("/api/simulate", json=body())
            else:
                r = await c.post("/api/simulate", json=body(n=-1))
            latencies.append(time.perf_counter() - t0)
            statuses.append(r.status_code)

    async def main() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE, timeout=60) as c:
            assert (await c.post("/api/simulate", json=body())).status_code == 200  # fills cache
            until = time.perf_counter() + 2.0
            await asyncio.gather(*(worker(c, i, until) for i in range(64)))

    asyncio.run(main())
    assert statuses and not [s for s in statuses if s >= 500]
    assert set(statuses) <= {200, 422}
    lat = sorted(latencies)
    p50, p95 = lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.95)] * 1000
    print(f"load: {len(lat)} requests, p50 {p50:.0f} ms, p95 {p95:.0f} ms")


def test_serve_names_a_bad_port() -> None:
    from closeloop.errors import InputError
    from closeloop.explore import serve

    with pytest.raises(InputError, match=r"'port'.*65535"):
        serve(port=70000)


def test_page_chunk_gives_the_command_lines_numbers() -> None:
    # The page runs its small population in small chunks; each couple's numbers must be those
    # of `closeloop run` (the default chunk), bit for bit.
    import numpy as np

    from closeloop.explore.api import DEFAULT_N, MIN_CHUNK, Runner

    sc = cl.scenario("avoidant-anxious").replace(days=90)
    a = cl.simulate(sc, n=40, seed=4)
    for chunk in (MIN_CHUNK, Runner(DEFAULT_N).chunk):
        b = cl.simulate(sc, n=40, seed=4, chunk=chunk)
        for k in a.data_vars:
            if a[k].dtype.kind in "fiub":
                assert np.array_equal(a[k].values, b[k].values, equal_nan=True), (chunk, k)


def test_page_timeline_is_the_reports_timeline() -> None:
    import numpy as np

    from closeloop.analysis.timeline import timeline
    from closeloop.explore.payload import members, page_timeline

    ds = cl.simulate(cl.scenario("avoidant-anxious").replace(days=800), n=40, seed=2, chunk=40)
    tl, pt = timeline(ds), page_timeline(ds)
    assert pt["bands"] and set(pt["bands"]) <= set(tl.bands)
    for k, b in pt["bands"].items():
        assert np.array_equal(b, tl.bands[k], equal_nan=True), k
    assert set(pt["class_index"]) <= set(tl.class_index) and len(pt["class_index"]) >= 2
    at = np.searchsorted(tl.class_index, pt["class_index"])
    for c, share in pt["class_shares"].items():
        assert np.array_equal(share, tl.class_shares[c][at]), c
    assert pt["final_shares"] == tl.final_shares
    assert members(ds) == list(tl.members)
    assert np.array_equal(pt["ended_share"], tl.ended_share)


def test_new_values_do_not_recompile() -> None:
    """After the start's warming, a new slider value, profile or switched-off mechanism is data:
    the engine compiles nothing (the latency target depends on it)."""
    from closeloop import engine

    app = create_app(warm=("avoidant-anxious",), n=16, horizon=60)
    with TestClient(app, base_url=BASE) as c:
        before = engine.compiled_count()
        for i, change in enumerate(
            [
                {"relationship": {"bid_rate": 0.123}},
                {"traits_b": {"anxiety": 0.61}},
                {"a": {"secure": 1.0}},
                {"ablate": ["pursuit"]},
            ]
        ):
            sc = {**short(days=60), **change}
            r = c.post("/api/simulate", json={"scenario": sc, "n": 16, "seq": i, "client": "c"})
            assert r.status_code == 200, r.text
            assert r.json()["engine_ms"] > 0  # really run, not cached
            assert "engine;dur=" in r.headers["server-timing"]
        assert engine.compiled_count() == before


def test_warming_covers_the_pages_programs() -> None:
    from closeloop import engine
    from closeloop.explore.api import Runner
    from closeloop.explore.app import DEFAULT_SCENARIO, library, shapes

    lib = library(horizon=60)
    todo = shapes(lib, DEFAULT_SCENARIO, MAX_DAYS)
    runner = Runner(8)
    runner.warm(todo)
    before = engine.compiled_count()
    sc = lib[DEFAULT_SCENARIO]
    with_iv = sc.replace(
        interventions=[{"kind": "commitment", "start": 10, "end": 40, "intensity": 0.5}]
    )
    for variant in (sc.replace(relationship={"bid_rate": 0.2}), with_iv):
        runner.dataset(variant, 8, 1)
    assert engine.compiled_count() == before


def test_multiples_run_the_same_couples_at_each_value(client: TestClient) -> None:
    r = client.post(
        "/api/multiples", json={"base": body(), "param": "criticism", "values": [0.0, 0.5, 1.0]}
    )
    assert r.status_code == 200, r.text
    panels = r.json()["panels"]
    assert [p["value"] for p in panels] == [0.0, 0.5, 1.0]
    # Each panel is the page's run of that value (same couples, same seed).
    sc = {**short(), "relationship": {**short()["relationship"], "criticism": 0.5}}
    one = client.post("/api/simulate", json=body(scenario=sc)).json()
    assert panels[1]["sat"]["a"]["q50"] == one["bands"]["sat_a"]["q50"]
    assert panels[0]["sat"] != panels[2]["sat"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"param": "nope"}, "'param'"),
        ({"param": 3}, "'param'"),
        ({"values": [0.1]}, "'values'"),
        ({"values": [0.1] * 7}, "'values'"),
        ({"values": [0.1, "x"]}, "'values'"),
        ({"values": [0.1, 2.0]}, "'values'"),
        ({"values": [0.1, True]}, "'values'"),
        ({"extra": 1}, "extra"),
    ],
)
def test_multiples_bad_input(client: TestClient, change: dict, field: str) -> None:
    req = {"base": body(), "param": "criticism", "values": [0.1, 0.2], **change}
    r = client.post("/api/multiples", json=req)
    assert r.status_code == 422
    assert field in error(r)
