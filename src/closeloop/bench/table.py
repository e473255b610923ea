"""The tables ``closeloop bench`` prints: the speeds side by side with their ratios and targets,
then compilation, memory, the recompilation check and the machine."""

from __future__ import annotations

from typing import Any


def rate(x: float) -> str:
    """A rate per second, in millions from 100,000 up."""
    return f"{x / 1e6:.2f} M" if x >= 1e5 else f"{x:,.0f}"


def gib(b: float) -> str:
    """Bytes in GiB."""
    return f"{b / (1 << 30):.2f} GiB"


def render(result: dict[str, Any]) -> None:
    """Print the benchmark as tables (stdout)."""
    from rich.console import Console
    from rich.table import Table

    s, e, npy, lp, r = (result[k] for k in ("setup", "engine", "numpy", "loop", "ratios"))
    t = Table(
        title=f"closeloop bench: {s['couples']:,} couples x {s['days']:,} days "
        f"({s['couple_days']:,} couple-days), {s['scenario']}"
    )
    for col in ("implementation", "couple-days/s", "engine is", "timed on"):
        t.add_column(col)
    t.add_row(
        "engine (adult days)",
        rate(e["couple_days_per_s"]),
        "",
        f"all; whole run {e['run_s']:.1f} s minus histories {e['history_s']:.1f} s",
    )
    t.add_row(
        "engine (whole run, with histories)",
        rate(e["couple_days_per_s_incl_history"]),
        "",
        f"all, {e['chunks']} chunks of {s['chunk']}",
    )
    scaled = " (scaled)" if npy["scaled"] else ""
    t.add_row(
        "NumPy, vectorised over couples",
        rate(npy["couple_days_per_s"]),
        f"{r['engine_over_numpy']:.1f}x (target {result['targets']['engine_over_numpy']:g}x)",
        f"{npy['couples']:,} couples x {npy['days_timed']:,} days{scaled}",
    )
    t.add_row(
        "Python, one object per couple",
        rate(lp["couple_days_per_s"]),
        f"{r['engine_over_loop']:.0f}x (target {result['targets']['engine_over_loop']:g}x)",
        f"{lp['couples']} couples x {lp['days_timed']} days (scaled)",
    )
    o = Table(title="compilation and memory")
    o.add_column("measure")
    o.add_column("value")
    o.add_row("compile (trace + lower + XLA), first call", f"{e['compile_s']:.1f} s")
    o.add_row("first call (one chunk, with compile)", f"{e['first_call_s']:.1f} s")
    mem = result["memory"]
    if mem is not None:
        o.add_row(
            "peak memory, streaming summaries",
            f"{gib(mem['streaming_peak_bytes'])} (limit {gib(mem['streaming_limit_bytes'])})",
        )
        how = (
            f"extrapolated from {mem['daily_measured_couples']:,} couples"
            if mem["daily_extrapolated"]
            else "measured"
        )
        o.add_row("peak memory, every daily state", f"{gib(mem['daily_peak_bytes'])} ({how})")
        o.add_row("process before the run (JAX loaded)", gib(mem["process_baseline_bytes"]))
    rc = result["recompile"]
    o.add_row(
        "no recompile on new " + ", ".join(rc["varied"]),
        f"{rc['no_recompile']} (jit cache {rc['cache_size_before']} -> {rc['cache_size_after']})",
    )
    la = s["load_average_start"][0], s["load_average_end"][0]
    o.add_row(
        "machine",
        f"{s['cpu_count']} CPUs, {s['jax_devices']} JAX device(s), "
        f"load {la[0]:.1f} -> {la[1]:.1f}, jax {s['versions'].get('jax')}",
    )
    met = result["targets_met"]
    o.add_row("targets met", ", ".join(f"{k}: {v}" for k, v in met.items()))
    console = Console()
    console.print(t)
    console.print(o)
