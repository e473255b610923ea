"""The ``closeloop sweep`` command's work: load, run with a progress bar (ETA), report."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from closeloop.sweep.execute import run_sweep
from closeloop.sweep.spec import load_sweep


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar with an ETA on stderr, gone when done; yields the callback that moves it,
    called with (done, in all)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def run_command(
    spec: Path, out: Path, *, scheduler: str, workers: int, resume: bool, report: bool = True
) -> Path:
    """Run the sweep file ``spec`` into ``out`` with a progress bar on stderr, then (``report``)
    write its sensitivity report, out/report.html; return ``out``."""
    sweep = load_sweep(spec)
    with progress_bar(f"sweep {sweep.name}") as told:
        run_sweep(sweep, out, scheduler=scheduler, workers=workers, resume=resume, progress=told)
    if report:
        from closeloop.sweep.report import write_report

        write_report(out)
    return out
