"""The ``closeloop sweep`` command's work: load, run with a progress bar (ETA), report."""

from __future__ import annotations

from pathlib import Path

from closeloop.sweep.execute import run_sweep
from closeloop.sweep.spec import load_sweep


def run_command(
    spec: Path, out: Path, *, scheduler: str, workers: int, resume: bool, report: bool = True
) -> Path:
    """Run the sweep file ``spec`` into ``out`` with a progress bar on stderr, then (``report``)
    write its sensitivity report, out/report.html; return ``out``."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    sweep = load_sweep(spec)
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"sweep {sweep.name}", total=None)
        run_sweep(
            sweep,
            out,
            scheduler=scheduler,
            workers=workers,
            resume=resume,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if report:
        from closeloop.sweep.report import write_report

        write_report(out)
    return out
