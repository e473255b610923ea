"""Sweeps: validation, the same bits whatever the block size, resume and cluster, indices."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jax
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from closeloop import engine
from closeloop.cli import app
from closeloop.errors import InputError
from closeloop.params import HISTORY_SPECS
from closeloop.sweep import load_sweep, parse_sweep, run_sweep
from closeloop.sweep.block import simulate_block
from closeloop.sweep.design import design, size
from closeloop.sweep.indices import indices, morris_table
from closeloop.sweep.spec import SweepSpec, Varied
from closeloop.sweep.worker_loss import free_port, killing, local_processes

ROOT = Path(__file__).resolve().parents[1]
BASE: dict[str, Any] = {
    "scenario": "avoidant-anxious",
    "design": "lhs",
    "points": 4,
    "couples": 8,
    "days": 60,
    "seed": 3,
    "parameters": {"bid_rate": {"low": 0.1, "high": 0.8}, "threshold": {"member": "b"}},
}


def spec(**changes: Any) -> SweepSpec:
    return parse_sweep({**BASE, **changes})


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, jax_cache: Path) -> pd.DataFrame:
    """The sweep run in one block, in a plain loop in this process."""
    out = tmp_path_factory.mktemp("reference")
    return run_sweep(spec(block=4), out, scheduler="inline")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": 1}, "colour"),
        ({"parameters": {"no_such": {}}}, "parameters.no_such"),
        ({"parameters": {"offer_rate": {}}}, "parameters.offer_rate"),  # a world one, in a couple
        ({"parameters": {"bid_rate": {"low": -1.0}}}, "parameters.bid_rate.low"),
        ({"parameters": {"bid_rate": {"high": 1e9}}}, "parameters.bid_rate.high"),
        ({"parameters": {"bid_rate": {"low": 0.5, "high": 0.2}}}, "parameters.bid_rate.high"),
        ({"parameters": {"bid_rate": {"member": "a"}}}, "parameters.bid_rate.member"),
        ({"parameters": {"bid_rate": {"step": 1}}}, "parameters.bid_rate.step"),
        ({"parameters": {}}, "parameters"),
        ({"design": "random"}, "design"),
        ({"design": "saltelli", "points": 4}, "points"),
        ({"design": "saltelli", "points": 12}, "points"),
        ({"design": "morris", "points": 2}, "points"),
        ({"design": "saltelli", "points": 8, "parameters": {"bid_rate": {}}}, "parameters"),
        ({"levels": 3}, "levels"),
        ({"couples": 0}, "couples"),
        ({"people": 8}, "people"),
        ({"seed": -1}, "seed"),
        ({"years": 1}, "days"),
        ({"scenario": "no-such-scenario"}, "scenario"),
        ({"outputs": {"years": [1.0]}}, "outputs.years"),
        ({"outputs": {"summaries": ["mood"]}}, "outputs.summaries"),
        ({"outputs": {"when": 1}}, "outputs.when"),
        # A history range that lets exposure fade by more than it starts with somewhere.
        ({"parameters": {"exposure_drop": {}}}, "parameters.exposure_drop.high"),
        ({"parameters": {"home_until": {"member": "a"}}}, "parameters.home_until.member"),
        ({"parameters": {"home_until": {"low": 5.0}}}, "parameters.home_until.low"),
        (
            {"parameters": {"home_until": {}}, "outputs": {"claims": ["D6"]}},
            "parameters.home_until",
        ),
    ],
)
def test_bad_sweep_files_are_one_line_errors(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as e:
        spec(**changes)
    assert f"'{field}'" in str(e.value)
    assert "\n" not in str(e.value)


def test_history_parameters_are_a_group_of_their_own() -> None:
    s = spec(parameters={"home_until": {"low": 12.0, "high": 18.0}, "exposure_drop": {"high": 0.9}})
    assert [(v.group, v.low, v.high) for v in s.parameters] == [
        ("history", 12.0, 18.0),
        ("history", 0.0, 0.9),
    ]
    person = {k: v for k, v in BASE.items() if k != "couples"}
    p = parse_sweep({**person, "scenario": "flooding", "parameters": {"home_until": {}}})
    assert p.parameters[0].group == "history"


def test_designs_stay_in_bounds_and_have_their_sizes() -> None:
    for d, n, extra in (("grid", 9, {"levels": 3}), ("sobol", 8, {}), ("lhs", 4, {})):
        s = spec(design=d, points=n if d != "grid" else 4, **extra)
        x = design(s)
        assert x.shape == (size(s), 2) and x.dtype == np.float32
        assert size(s) == n
        assert (x[:, 0] >= np.float32(0.1)).all() and (x[:, 0] <= np.float32(0.8)).all()
    assert size(spec(design="saltelli", points=8)) == 8 * 4
    assert size(spec(design="morris", points=4)) == 4 * 3
    # The seed decides the design; the same seed, the same points.
    assert np.array_equal(design(spec(seed=1)), design(spec(seed=1)))
    assert not np.array_equal(design(spec(seed=1)), design(spec(seed=2)))


def test_examples_are_valid_sweep_files() -> None:
    files = sorted((ROOT / "examples").glob("*sweep*.toml"))
    assert len(files) >= 2
    for f in files:
        assert load_sweep(f).parameters


def test_block_size_does_not_change_a_bit(reference: pd.DataFrame, tmp_path: Path) -> None:
    one = run_sweep(spec(block=1), tmp_path, scheduler="inline")
    pd.testing.assert_frame_equal(one, reference, check_exact=True)
    assert list(one["point"]) == [0, 1, 2, 3]
    # Points differ from one another: the outputs follow the varied parameters and the couples.
    assert one["sat_b_y0_1644"].nunique() > 1
    written = pd.read_parquet(tmp_path / "points.parquet")
    pd.testing.assert_frame_equal(written, reference, check_exact=True)
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["complete"] and run["hash"] == spec(block=1).digest() and run["points"] == 4


def test_a_swept_history_parameter_reaches_the_engine(jax_cache: Path) -> None:
    """The history's parameters go to the engine's ``history=``: at its default a swept history
    parameter gives the same bits as the sweep without it; elsewhere it changes the couples;
    and a scenario's own ``[history]`` table is the value of every point."""
    home = next(s for s in HISTORY_SPECS if s.name == "home_until").default
    other = home - 4.0
    n = BASE["couples"]
    with_history = spec(
        parameters={"bid_rate": {"low": 0.1, "high": 0.8}, "home_until": {"low": other}}
    )
    plain = spec(parameters={"bid_rate": {"low": 0.1, "high": 0.8}})
    x = np.array([[0.3, home], [0.3, other]], np.float32)
    got = simulate_block(with_history, 0, 2, x)
    without = simulate_block(plain, 0, 2, x[:, :1])

    def same(a: engine.Run, b: engine.Run) -> bool:
        leaves = zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)
        return all(np.array_equal(u, v) for u, v in leaves)

    assert same(got[:n], without[:n])  # the default: bit for bit the run without it
    assert not np.array_equal(got.start["threat0"][n:], without.start["threat0"][n:])
    assert not np.array_equal(
        got["monthly"]["threat_deep"][n:], without["monthly"]["threat_deep"][n:]
    )
    # The scenario's own table, with nothing swept: the same couples as the swept point.
    assert plain.base is not None
    table = dataclasses.replace(plain, base=plain.base.replace(history={"home_until": other}))
    assert same(got[n:], simulate_block(table, 0, 2, x[:, :1])[n:])


def _written(out: Path) -> int:
    """Points the live store marks done, read as any reader would (xarray)."""
    import xarray as xr

    with xr.open_zarr(out / "points.zarr", consolidated=False) as ds:
        assert list(ds["point"].values) == list(range(ds.sizes["point"]))
        return int(ds["done"].sum())


def test_resume_after_a_killed_run_loses_and_duplicates_nothing(
    reference: pd.DataFrame, tmp_path: Path
) -> None:
    s = spec(block=1)

    def killed(done: int, total: int) -> None:
        if done == 1:
            raise KeyboardInterrupt  # the run dies once its first block is in the store

    with pytest.raises(KeyboardInterrupt):
        run_sweep(s, tmp_path, scheduler="inline", progress=killed)
    assert not (tmp_path / "points.parquet").exists()
    # The store is readable part-way; a write already under way when it died may have landed.
    written = _written(tmp_path)
    assert 1 <= written < 4
    with pytest.raises(InputError, match="--resume"):
        run_sweep(s, tmp_path, scheduler="inline")
    with pytest.raises(InputError, match="hash differs"):
        run_sweep(spec(block=1, seed=4), tmp_path, scheduler="inline", resume=True)
    seen: list[int] = []
    table = run_sweep(
        s, tmp_path, scheduler="inline", resume=True, progress=lambda d, t: seen.append(d)
    )
    assert seen == list(range(written, 5))  # only the missing blocks ran, one at a time
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
    assert _written(tmp_path) == 4


KILL_SELF = """
import json, os, signal, sys
from closeloop.sweep import parse_sweep, run_sweep

def die(done: int, total: int) -> None:
    if done >= 1:
        os.kill(os.getpid(), signal.SIGKILL)  # no clean-up: the writer may be mid-chunk

run_sweep(parse_sweep(json.loads(sys.argv[1])), sys.argv[2], scheduler="inline", progress=die)
"""


@pytest.mark.slow
def test_a_sigkilled_sweep_resumes_to_the_same_bits(
    reference: pd.DataFrame, tmp_path: Path, jax_cache: Path
) -> None:
    env = {**os.environ, "JAX_COMPILATION_CACHE_DIR": str(jax_cache)}
    args = [sys.executable, "-c", KILL_SELF, json.dumps({**BASE, "block": 1}), str(tmp_path)]
    res = subprocess.run(args, env=env, capture_output=True, timeout=600)
    assert res.returncode == -signal.SIGKILL, res.stderr.decode()[-2000:]
    assert 1 <= _written(tmp_path) < 4
    table = run_sweep(spec(block=1), tmp_path, scheduler="inline", resume=True)
    pd.testing.assert_frame_equal(table, reference, check_exact=True)


@pytest.fixture
def cluster(
    reference: pd.DataFrame, jax_cache: Path
) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A Dask scheduler and two single-thread workers, each its own process on 127.0.0.1."""
    with local_processes(env={"JAX_COMPILATION_CACHE_DIR": str(jax_cache)}) as running:
        yield running


def test_a_separate_scheduler_gives_the_same_bits(
    reference: pd.DataFrame, tmp_path: Path, cluster: tuple[str, list[Any]]
) -> None:
    address, _ = cluster
    table = run_sweep(spec(block=2), tmp_path, scheduler=address)
    pd.testing.assert_frame_equal(table, reference, check_exact=True)
    run = json.loads((tmp_path / "run.json").read_text())
    assert run["cluster"] == address and run["rerun_tasks"] == 0
    # The same sweep again on the same scheduler: its own tasks, none counted as rerun.
    again = run_sweep(spec(block=2), tmp_path / "again", scheduler=address)
    pd.testing.assert_frame_equal(again, reference, check_exact=True)
    assert json.loads((tmp_path / "again" / "run.json").read_text())["rerun_tasks"] == 0


@pytest.mark.slow
def test_losing_a_worker_loses_no_point(
    tmp_path: Path, cluster: tuple[str, list[subprocess.Popen[bytes]]]
) -> None:
    """One worker SIGKILLed once the first block is in: the scheduler reruns its tasks on the
    other, and the table is the same bits as an uninterrupted in-process run."""
    address, procs = cluster
    s = parse_sweep({**BASE, "points": 12, "couples": 16, "days": 365, "block": 2})
    whole = run_sweep(s, tmp_path / "whole", scheduler="inline")
    kill = killing(procs[2], share=1 / 12)
    table = run_sweep(s, tmp_path / "lossy", scheduler=address, progress=kill)
    assert kill.killed_at is not None and kill.killed_at < 12
    assert procs[2].poll() == -signal.SIGKILL
    pd.testing.assert_frame_equal(table, whole, check_exact=True)
    # The killed worker held a block (running, or its result not yet fetched): it ran again.
    assert json.loads((tmp_path / "lossy" / "run.json").read_text())["rerun_tasks"] >= 1


@pytest.mark.slow
def test_the_default_local_cluster_gives_the_same_bits(
    reference: pd.DataFrame, tmp_path: Path
) -> None:
    table = run_sweep(spec(block=2), tmp_path, workers=2)
    pd.testing.assert_frame_equal(table, reference, check_exact=True)


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    address = f"tcp://127.0.0.1:{free_port()}"
    t = time.perf_counter()
    with pytest.raises(InputError, match="reachable Dask scheduler"):
        run_sweep(spec(), tmp_path, scheduler=address)
    assert time.perf_counter() - t < 30
    with pytest.raises(InputError, match="scheduler"):
        run_sweep(spec(), tmp_path / "b", scheduler="somewhere")


ISHIGAMI_S1 = (0.3139, 0.4424, 0.0)
ISHIGAMI_ST = (0.5576, 0.4424, 0.2437)


def test_sobol_indices_of_the_ishigami_function() -> None:
    bounds = (-math.pi, math.pi)
    params = tuple(Varied(f"x{i}", *bounds, "person") for i in (1, 2, 3))
    s = SweepSpec(scenario="-", parameters=params, design="saltelli", points=1024, seed=7)
    x = design(s).astype(np.float64)
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    table = pd.DataFrame({"point": np.arange(len(y)), "x1": x[:, 0], "x2": x[:, 1]})
    table["x3"], table["y"] = x[:, 2], y
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [list(bounds)] * 3}
    idx = indices("saltelli", problem, table.sample(frac=1.0, random_state=0), ["y"], seed=0)
    assert idx is not None
    for i, row in idx.iterrows():
        assert abs(row.S1 - ISHIGAMI_S1[i]) <= row.S1_conf, row  # type: ignore[call-overload]
        assert abs(row.ST - ISHIGAMI_ST[i]) <= row.ST_conf, row  # type: ignore[call-overload]
        assert 0 < row.S1_conf < 0.1 and 0 < row.ST_conf < 0.1


def test_morris_of_a_linear_function_is_its_slope_over_the_range() -> None:
    params = (Varied("a", 0.0, 2.0, "person"), Varied("b", 0.0, 1.0, "person"))
    s = SweepSpec(scenario="-", parameters=params, design="morris", points=10, seed=1)
    x = design(s).astype(np.float64)
    y = 3.0 * x[:, 0]  # b has no effect
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 2.0], [0.0, 1.0]]}
    m = morris_table(problem, x, y)
    assert m.mu_star.iloc[0] == pytest.approx(6.0, rel=1e-5)  # slope x range
    assert m.sigma.iloc[0] == pytest.approx(0.0, abs=1e-5)
    assert m.mu_star.iloc[1] == pytest.approx(0.0, abs=1e-9)


def test_cl_sweep_without_out_runs_here(reference: pd.DataFrame) -> None:
    import closeloop as cl

    pd.testing.assert_frame_equal(cl.sweep({**BASE, "block": 4}), reference, check_exact=True)
    with pytest.raises(InputError, match="'spec'"):
        cl.sweep(3)  # type: ignore[arg-type]


def test_cli_end_to_end(reference: pd.DataFrame, tmp_path: Path) -> None:
    lines = [f"{k} = {json.dumps(v)}" for k, v in BASE.items() if k != "parameters"]
    lines += ["block = 4", "[parameters.bid_rate]", "low = 0.1", "high = 0.8"]
    lines += ["[parameters.threshold]", 'member = "b"']
    path = tmp_path / "small-sweep.toml"
    path.write_text("\n".join(lines) + "\n")
    runner = CliRunner()
    out = tmp_path / "out"
    res = runner.invoke(app, ["sweep", str(path), "--out", str(out), "--scheduler", "inline"])
    assert res.exit_code == 0, res.output
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "points.parquet"), reference, check_exact=True
    )
    assert (out / "points.zarr").is_dir() and (out / "run.json").is_file()
    # Again without --resume: refused, nothing overwritten.
    before = (out / "points.parquet").read_bytes()
    res = runner.invoke(app, ["sweep", str(path), "--out", str(out), "--scheduler", "inline"])
    assert res.exit_code == 2 and "--resume" in res.output
    assert (out / "points.parquet").read_bytes() == before
    # A folder holding something else.
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    res = runner.invoke(app, ["sweep", str(path), "--out", str(other)])
    assert res.exit_code == 2 and "'out'" in res.output
    path.write_text("design = 'lhs'\nscenario = 'avoidant-anxious'\n[parameters.bid_rat]\n")
    res = runner.invoke(app, ["sweep", str(path), "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "parameters.bid_rat" in res.output


@pytest.mark.slow
def test_a_person_scenario_sweeps_world_traits_and_history(tmp_path: Path) -> None:
    home = next(s for s in HISTORY_SPECS if s.name == "home_until").default
    s = parse_sweep(
        {
            "scenario": "flooding",
            "design": "grid",
            "levels": 2,
            "people": 8,
            "days": 60,
            "parameters": {
                "offer_rate": {},
                "threshold": {"low": 0.2, "high": 0.6},
                "home_until": {"low": home - 4.0, "high": home},
            },
        }
    )
    table = run_sweep(s, tmp_path, scheduler="inline")
    assert list(table.columns[:4]) == ["point", "offer_rate", "threshold", "home_until"]
    assert {"threat_deep_y0_1644", "longing_y0_1644"} <= set(table.columns)
    assert len(table) == 8 and table["threat_deep_y0_1644"].nunique() > 1
    # The history parameter reaches the people's childhoods: the same people, other values.
    early, late = (table[table["home_until"] == h] for h in (home - 4.0, home))
    pairs = early.merge(late, on=["offer_rate", "threshold"], suffixes=("_early", "_late"))
    assert len(pairs) == 4
    assert (pairs["threat_deep_y0_1644_early"] != pairs["threat_deep_y0_1644_late"]).any()
    with pytest.raises(InputError, match=r"parameters\.threshold\.member"):
        base = {k: v for k, v in BASE.items() if k != "couples"}
        parse_sweep(
            {
                **base,
                "scenario": "flooding",
                "people": 8,
                "parameters": {"threshold": {"member": "a"}},
            }
        )
