"""The ``closeloop`` command line.

Every command validates its input at the boundary; bad input prints one line naming the field,
the value and what is allowed, and exits with status 2, never with a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from closeloop.cli_errors import OneLineErrors
from closeloop.errors import InputError

app = typer.Typer(
    cls=OneLineErrors,
    add_completion=False,
    no_args_is_help=True,
    help="closeloop: an executable model of intimacy avoidance. Educational model, not a "
    "diagnosis or treatment; in a crisis in the US, call or text 988.",
)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for the report.")] = Path("closeloop-report"),
    n: Annotated[int, typer.Option(help="Couples to simulate.")] = 1000,
    seed: Annotated[int, typer.Option(help="Run seed.")] = 0,
    force: Annotated[
        bool,
        typer.Option(
            help="Write into a non-empty folder closeloop did not write (keeps its files)."
        ),
    ] = False,
) -> None:
    """Run the representative scenario (avoidant-anxious) and write its report (HTML, figures,
    story, data and a diary table)."""
    from closeloop.demo import run_demo

    try:
        path = run_demo(out, n=n, seed=seed, force=force)
    except InputError as e:
        _fail(str(e))
    typer.echo(f"Report written to {path}")


@app.command()
def run(
    scenario: Annotated[
        str,
        typer.Argument(
            help="A scenario name from `closeloop scenarios` or a path to a .toml file."
        ),
    ],
    out: Annotated[Path, typer.Option(help="Folder for the report and data.")],
    n: Annotated[int, typer.Option(help="Population size (people, or couples).")] = 1000,
    seed: Annotated[int, typer.Option(help="Run seed.")] = 0,
    force: Annotated[
        bool,
        typer.Option(
            help="Write into a non-empty folder closeloop did not write (keeps its files)."
        ),
    ] = False,
    diary_couples: Annotated[
        int,
        typer.Option(help="Couples in the daily-diary table (couple scenarios; 0: none)."),
    ] = 100,
    compare: Annotated[
        str | None,
        typer.Option(
            help="A second scenario (name or .toml path) of the same kind and days: run both "
            "with the same seed and write one side-by-side comparison (no diary table)."
        ),
    ] = None,
) -> None:
    """Run one scenario and write its report, data and (for couples) a daily-diary table; with
    --compare, run two and write their what-if comparison."""
    # Everything is checked before the engine (JAX) is imported, so bad input is refused at once.
    from closeloop.run import compare_scenarios, run_scenario

    try:
        if compare is not None:
            path = compare_scenarios(scenario, compare, out, n=n, seed=seed, force=force)
            typer.echo(f"Comparison written to {path}")
            return
        path = run_scenario(scenario, out, n=n, seed=seed, force=force, diary_couples=diary_couples)
    except InputError as e:
        _fail(str(e))
    typer.echo(f"Report written to {path}")


@app.command("scenarios")
def list_scenarios() -> None:
    """List the shipped scenarios, one line each."""
    import closeloop as cl

    names = cl.scenarios()
    width = max(len(n) for n in names) + 2
    for name in names:
        typer.echo(f"{name:{width}s}{cl.scenario(name).description}")


@app.command()
def claims(
    only: Annotated[
        str | None,
        typer.Option(help="Run only claims whose id starts with this prefix (e.g. P or P3)."),
    ] = None,
    quick: Annotated[bool, typer.Option(help="Smaller populations (for CI).")] = False,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
    ablate: Annotated[
        list[str] | None, typer.Option(help="Switch a mechanism off (repeatable).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Run seed.")] = 0,
    variant: Annotated[
        str,
        typer.Option(
            help="The model: closeloop, or a simpler one beside it (static, erasure, linear)."
        ),
    ] = "closeloop",
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Check the claims with a world or relationship parameter at another value, "
            "NAME=VALUE (repeatable).",
        ),
    ] = None,
) -> None:
    """Check the model against the behaviour contract; exit non-zero when a claim fails that is
    not marked as expected to fail (an honest failure is reported, not hidden), or, with a
    simpler --variant, cannot be checked on it."""
    from closeloop.claims import check_claims, render_json, render_table
    from closeloop.claims.common import parse_overrides

    try:
        overrides = dict(parse_overrides(set_ or ()))
        results = check_claims(
            quick=quick,
            only=only,
            ablate=tuple(ablate or ()),
            seed=seed,
            variant=variant,
            overrides=overrides,
        )
    except InputError as e:
        _fail(str(e))
    if json_out:
        typer.echo(render_json(results))
    else:
        render_table(results)
    if not all(r.applicable and (r.passed or r.expected_to_fail) for r in results):
        raise typer.Exit(1)


@app.command()
def bench(
    couples: Annotated[int, typer.Option(help="Couples in the engine and NumPy runs.")] = 10_000,
    years: Annotated[float, typer.Option(help="Years of relationship.")] = 10.0,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    quick: Annotated[
        bool, typer.Option(help="A tiny setting (64 couples, 60 days), to check it runs.")
    ] = False,
    sweep: Annotated[
        int,
        typer.Option(
            help="Instead, time a sweep of this many points (--couples per point, --years): "
            "a plain loop of engine calls, in-process, and on 1- and 2-worker Dask clusters."
        ),
    ] = 0,
    explore: Annotated[
        bool,
        typer.Option(
            "--explore",
            help="Instead, time the explorer in chromium: redraw and server time after slider "
            "moves, for the page's default population (--quick: four moves over one year).",
        ),
    ] = False,
) -> None:
    """Measure the engine beside the same model in NumPy and as a per-couple Python loop (or,
    with --sweep, the sweep machinery against a plain loop of engine calls)."""
    if explore:
        from closeloop.explore.bench import NoBrowser
        from closeloop.explore.bench import run as explore_bench

        try:
            if quick:
                explore_bench(moves=4, horizon=365, json_out=json_out)
            else:
                explore_bench(json_out=json_out)
        except NoBrowser as e:
            typer.echo(f"Skipped: {e}.", err=True)
        except InputError as e:
            _fail(str(e))
        return
    if sweep:
        from closeloop.sweep.bench import report as sweep_report

        try:
            sweep_report(sweep, couples, years, json_out=json_out)
        except InputError as e:
            _fail(str(e))
        return
    from closeloop.bench import main as bench_main

    try:
        bench_main(couples, years, json_out=json_out, quick=quick)
    except InputError as e:
        _fail(str(e))


@app.command()
def sweep(
    spec: Annotated[Path, typer.Argument(help="A sweep file (.toml; see docs/sweeps.md).")],
    out: Annotated[Path, typer.Option(help="Folder for the sweep's results.")],
    scheduler: Annotated[
        str,
        typer.Option(
            help="'local' (a LocalCluster), 'inline' (no Dask) or tcp://HOST:PORT of a running "
            "Dask scheduler."
        ),
    ] = "local",
    workers: Annotated[int, typer.Option(help="Worker processes of the LocalCluster.")] = 1,
    resume: Annotated[bool, typer.Option(help="Continue the sweep already in --out.")] = False,
    report: Annotated[
        bool, typer.Option(help="Write the HTML sensitivity report, OUT/report.html.")
    ] = True,
) -> None:
    """Run a parameter sweep (grid, Latin hypercube, Sobol', Morris or Saltelli design) in
    blocks on Dask; write a Parquet table, Zarr arrays and Sobol'/Morris indices."""
    from closeloop.sweep.cli import run_command

    try:
        path = run_command(
            spec, out, scheduler=scheduler, workers=workers, resume=resume, report=report
        )
    except InputError as e:
        _fail(str(e))
    typer.echo(f"Sweep written to {path}")


@app.command()
def design(
    spec: Annotated[Path, typer.Argument(help="A study file (.toml; see docs/design.md).")],
    out: Annotated[Path, typer.Option(help="Folder for the study's tables and report.")],
    scheduler: Annotated[
        str, typer.Option(help="As for sweep: local, inline or tcp://.")
    ] = "local",
    workers: Annotated[int, typer.Option(help="Worker processes of the LocalCluster.")] = 1,
    report: Annotated[bool, typer.Option(help="Write OUT/report.html.")] = True,
) -> None:
    """Power, bias and coverage of a diary study's designs, from studies simulated by the model."""
    from closeloop.design.command import run_command

    try:
        typer.echo(f"Study design written to {run_command(spec, out, scheduler, workers, report)}")
    except InputError as e:
        _fail(str(e))


@app.command()
def validate(
    json_out: Annotated[
        bool, typer.Option("--json", help="Print JSON instead of a table.")
    ] = False,
    quick: Annotated[bool, typer.Option(help="Smaller populations (for CI).")] = False,
    params: Annotated[
        Path | None,
        typer.Option(help="A parameters file (TOML [relationship] table, as --calibrate writes)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Run seed.")] = 0,
    calibrate: Annotated[
        bool, typer.Option(help="Run the calibration search (docs/calibration.md) into --out.")
    ] = False,
    out: Annotated[Path | None, typer.Option(help="Folder for --calibrate's results.")] = None,
    budget: Annotated[int, typer.Option(help="Points the calibration search evaluates.")] = 384,
    force: Annotated[
        bool, typer.Option(help="Write into a non-empty folder closeloop did not write.")
    ] = False,
    variant: Annotated[
        str,
        typer.Option(
            help="The model: closeloop, or a simpler one beside it (static, erasure, linear); "
            "figures it cannot express are n/a with the reason."
        ),
    ] = "closeloop",
) -> None:
    """Print the model beside the published figures K1 to K11 (held-out ones marked); a report,
    not a gate: exit 0 whatever the verdicts. With --calibrate, run the search and write it."""
    from closeloop.calibration.command import run_command

    def told(k: int, best: float) -> None:
        typer.echo(f"calibration: {k}/{budget} points, best loss {best:.4g}", err=True)

    try:
        text = run_command(
            json_out=json_out,
            quick=quick,
            params=params,
            seed=seed,
            calibrate=calibrate,
            out=out,
            budget=budget,
            force=force,
            variant=variant,
            told=told,
        )
    except InputError as e:
        _fail(str(e))
    typer.echo(text, nl=False)


@app.command()
def explore(
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8765,
    host: Annotated[
        str, typer.Option(help="Address to bind (loopback by default; others can reach it).")
    ] = "127.0.0.1",
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the page in the default browser.")
    ] = False,
) -> None:
    """Serve the interactive explorer: one offline page on this machine, the real model behind
    every control."""
    from closeloop.explore import serve

    try:
        serve(host=host, port=port, open_browser=open_browser)
    except InputError as e:
        _fail(str(e))


@app.command()
def fit(
    diary: Annotated[
        Path | None, typer.Argument(help="A diary table (.parquet or .csv; docs/diary.md).")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Folder for the fit's results.")] = None,
    population: Annotated[
        bool, typer.Option(help="Also fit the population layer (NumPyro) over the couples.")
    ] = False,
    draws: Annotated[int, typer.Option(help="Posterior draws per couple.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the draws and predictive checks.")] = 0,
    force: Annotated[
        bool,
        typer.Option(
            help="Write into a non-empty folder closeloop did not write (keeps its files)."
        ),
    ] = False,
    train: Annotated[
        bool, typer.Option(help="Retrain the posterior network (and rewrite its manifest).")
    ] = False,
    sims: Annotated[
        int | None, typer.Option(help="Simulated couples for --train (default 65536).")
    ] = None,
    network: Annotated[
        Path | None,
        typer.Option(
            help="A network folder to use (or, with --train, to write) instead of the shipped one."
        ),
    ] = None,
) -> None:
    """Fit the model to a couple diary (each couple's posterior, predictive checks, a report);
    with --train, retrain the posterior network on fresh simulations."""
    from closeloop.fit.command import run_command

    try:
        line = run_command(
            diary,
            out,
            draws=draws,
            seed=seed,
            population=population,
            force=force,
            train=train,
            sims=sims,
            network=network,
        )
    except InputError as e:
        _fail(str(e))
    typer.echo(line)


DEVICE_FLAG = "--xla_force_host_platform_device_count"


def use_every_core(environ: dict[str, str] | None = None) -> int:
    """Ask XLA for one CPU device per core, unless a count is already set in ``XLA_FLAGS``.

    The engine runs one chunk per device side by side (XLA's own threading used the second core
    poorly); every device runs the same per-chunk program, so the results are the same bits
    whatever the count. Must run before JAX starts its backend; the command line does it first
    thing. Returns the count asked for (0: left as the user set it).
    """
    env = os.environ if environ is None else environ
    flags = env.get("XLA_FLAGS", "")
    if DEVICE_FLAG in flags:
        return 0
    affinity = getattr(os, "sched_getaffinity", None)
    n = len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)
    env["XLA_FLAGS"] = f"{flags} {DEVICE_FLAG}={n}".strip()
    return n


def main() -> None:
    """Entry point of the ``closeloop`` script."""
    use_every_core()
    app()
