"""The ``closeloop design`` command's work: load, run with a progress bar (ETA), say where."""

from __future__ import annotations

from pathlib import Path

from closeloop.design.run import run_study
from closeloop.design.spec import load_study
from closeloop.sweep.cli import progress_bar


def run_command(spec: Path, out: Path, scheduler: str, workers: int, report: bool) -> Path:
    """Run the study file ``spec`` into ``out`` with a progress bar on stderr; return ``out``."""
    study = load_study(spec)
    with progress_bar(f"design {study.name}") as told:
        run_study(study, out, scheduler=scheduler, workers=workers, report=report, progress=told)
    return out
