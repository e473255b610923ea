"""``closeloop bench`` at a tiny size: every field is there, with sane types; no timing asserted.

Timings depend on the machine and its load, so the only checks are that each measure was taken
(a positive, finite number), that the recompilation check holds and that the output renders.
"""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from closeloop import bench, engine
from closeloop.bench import memory
from closeloop.cli import app
from closeloop.errors import InputError

COUPLES, DAYS, LOOP_COUPLES, LOOP_DAYS = 64, 60, 2, 20


@pytest.fixture(scope="module")
def result():
    """``closeloop bench --quick --json``, end to end: the JSON on stdout, progress on stderr."""
    res = CliRunner().invoke(app, ["bench", "--quick", "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_quick_is_the_tiny_setting():
    assert (COUPLES, DAYS, LOOP_COUPLES, LOOP_DAYS) == (
        bench.QUICK_COUPLES,
        bench.QUICK_DAYS,
        bench.QUICK_LOOP_COUPLES,
        bench.QUICK_LOOP_DAYS,
    )


def _positive(x) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x) and x > 0


def test_setup(result):
    s = result["setup"]
    assert s["couples"] == COUPLES and s["days"] == DAYS
    assert s["couple_days"] == COUPLES * DAYS
    assert s["chunk"] == engine.CHUNK
    assert s["jax_devices"] >= 1
    assert len(s["load_average_start"]) == 3
    assert "jax" in s["versions"]


def test_engine_measures(result):
    e = result["engine"]
    for k in ("first_call_s", "compile_s", "run_s", "history_s", "couple_days_per_s_incl_history"):
        assert _positive(e[k]), k
    assert e["compile_est_s"] >= 0
    assert e["chunks"] == 1
    # The adult estimate subtracts two timings; on a busy machine it can come out non-positive
    # (then NaN), which is reported rather than hidden.
    assert isinstance(e["couple_days_per_s"], float)


def test_reference_measures(result):
    n, lp = result["numpy"], result["loop"]
    assert n["couples"] == COUPLES and n["days_timed"] == DAYS and n["scaled"] is False
    assert lp["couples"] == LOOP_COUPLES and lp["days_timed"] == LOOP_DAYS
    for part in (n, lp):
        assert _positive(part["run_s"]) and _positive(part["couple_days_per_s"])


def test_ratios_and_targets(result):
    r = result["ratios"]
    assert set(r) >= set(bench.TARGETS)
    assert _positive(r["engine_incl_history_over_numpy"])
    assert _positive(r["engine_incl_history_over_loop"])
    met = result["targets_met"]
    assert set(met) == {*bench.TARGETS, "streaming_memory", "no_recompile"}
    assert all(isinstance(v, bool) for v in met.values())


def test_memory_measured_in_fresh_processes(result):
    m = result["memory"]
    assert m["daily_measured_couples"] == COUPLES and m["daily_extrapolated"] is False
    for k in ("streaming_peak_bytes", "daily_peak_bytes", "process_baseline_bytes"):
        assert isinstance(m[k], int) and m[k] > 0, k
    assert m["streaming_peak_bytes"] >= m["process_baseline_bytes"]
    assert m["daily_record_bytes"] == COUPLES * DAYS * bench.DAILY_BYTES


def test_new_values_do_not_recompile(result):
    rc = result["recompile"]
    assert rc["varied"] == ["couple_params", "tables", "flags"]
    assert rc["no_recompile"] is True
    assert result["targets_met"]["no_recompile"] is True


def test_json_and_render(result, capsys, monkeypatch):
    json.dumps(result)  # JSON-ready
    bench.render(result)
    out = capsys.readouterr().out
    assert "NumPy" in out and "Python" in out and "recompile" in out
    monkeypatch.setattr(bench, "run_bench", lambda *a, **k: result)
    bench.main(COUPLES, 1, json_out=True)
    assert json.loads(capsys.readouterr().out)["setup"]["couples"] == COUPLES


def test_daily_measure_shrinks_when_memory_is_short(monkeypatch):
    monkeypatch.setattr(memory, "available_memory", lambda: 4 << 30)
    n = memory.daily_couples(10_000, 3650)
    assert n % engine.CHUNK == 0 and engine.CHUNK <= n < 10_000
    monkeypatch.setattr(memory, "available_memory", lambda: 64 << 30)
    assert memory.daily_couples(10_000, 3650) == 10_000


def test_cli_bad_setting_is_one_line():
    res = CliRunner().invoke(app, ["bench", "--couples", "0"])
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "'couples'" in lines[0] and "Traceback" not in res.output


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"couples": 0}, "couples"),
        ({"couples": True}, "couples"),
        ({"couples": 10, "years": 0}, "years"),
        ({"couples": 10, "days": 0}, "days"),
        ({"couples": 10, "loop_couples": 0}, "loop_couples"),
    ],
)
def test_bad_settings_are_refused(kwargs, field, one_line):
    with pytest.raises(InputError) as e:
        bench.run_bench(**kwargs)
    one_line(e.value, f"'{field}'", "bench")


def test_sweep_bench_refuses_bad_sizes_in_one_line():
    """`closeloop bench --sweep N` checks its sizes before starting anything."""
    res = CliRunner().invoke(app, ["bench", "--sweep", "-1"])
    assert res.exit_code == 2
    assert "sweep" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(app, ["bench", "--sweep", "2", "--years", "0"])
    assert res.exit_code == 2 and "years" in res.output
