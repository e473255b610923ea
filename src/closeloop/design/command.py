"""The ``closeloop design`` command's work: load, run with a progress bar (ETA), say where."""

from __future__ import annotations

from pathlib import Path

from closeloop.design.run import run_study
from closeloop.design.spec import load_study


def run_command(spec: Path, out: Path, scheduler: str, workers: int, report: bool) -> Path:
    """Run the study file ``spec`` into ``out`` with a progress bar on stderr; return ``out``."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    study = load_study(spec)
    columns = (
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"design {study.name}", total=None)
        run_study(
            study,
            out,
            scheduler=scheduler,
            workers=workers,
            report=report,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    return out
