"""The report: figures, a plain-language summary, a per-profile table and the data, in one folder.

``write_report(ds, out)`` turns a Dataset from ``closeloop.simulate`` into:

- ``report.html``: one self-contained page (inline CSS, figures embedded as PNG), printable;
- ``acceptance.png``, ``template.png``, ``routes.png``, ``deep-threat.png``, ``behaviours.png``;
- ``summary.txt``: the plain-language summary;
- ``profiles.csv``: one row per profile with the key numbers;
- ``run.json``: seed, population size, scenario, its hash, package versions, ablations, notice;
- ``results.nc``: the whole Dataset (netCDF3, readable with ``xarray.open_dataset``).

The numbers come from ``closeloop.analysis`` (``profile_stats`` and the helpers it uses); the
summary's sentences are chosen from those numbers, never written as fixed claims, so
that a scenario, an ablation or a seed that changes the results changes the text too.
A couple-level Dataset gets the couple report instead (``closeloop.report.couple``), and two
runs side by side the comparison (``closeloop.report.comparison.write_comparison``).

Every page and text output carries the educational notice (``closeloop.simulation.NOTICE``).
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from closeloop.analysis.profiles import check_dataset
from closeloop.analysis.timeline import check_couple_dataset
from closeloop.io import staged
from closeloop.report._html import figures_html, page
from closeloop.report.couple import COUPLE_FIGURES, write_couple_report
from closeloop.report.person import FIGURES, write_person_report

__all__ = ["COUPLE_FIGURES", "FIGURES", "figures_html", "page", "write_report"]


def write_report(ds: xr.Dataset, out: str | Path, *, force: bool = False) -> Path:
    """Write the report of a simulation into a folder.

    A person-level Dataset (``ds.attrs["closeloop_kind"] == "person"``) gets the population
    report: ``report.html``, the figures in ``FIGURES`` as PNG, ``summary.txt``,
    ``profiles.csv``, ``run.json`` and ``results.nc``. A couple-level Dataset gets the couple
    report: ``report.html``, the figures in ``COUPLE_FIGURES`` as PNG, ``story.txt`` (the
    example couple's story and the population paragraph), ``timeline.csv`` (monthly medians and
    bands), ``couples.csv`` (one row per couple), ``run.json`` and ``results.nc``.

    Arguments:
        ds: a Dataset from ``closeloop.simulate``.
        out: the folder; created if missing. It is written whole and then swapped in
            (``closeloop.io.staged``): a folder closeloop wrote before is replaced, never mixed
            with this report; a non-empty folder that closeloop did not write is refused unless
            ``force``.
        force: write into a non-empty folder closeloop did not write (its files are kept).

    Returns:
        The path of ``report.html``.

    Raises:
        InputError: a Dataset that is not one of ``simulate``'s, or an ``out`` that cannot be
            written (``closeloop.errors.OutputError``, naming the path and the reason); nothing
            is left half written.

    Example:
        >>> import closeloop as cl
        >>> ds = cl.simulate(cl.scenario("rising-closeness").replace(days=60), n=24)
        >>> cl.write_report(ds, "out/").name  # doctest: +SKIP
        'report.html'
    """
    kind = ds.attrs.get("closeloop_kind") if isinstance(ds, xr.Dataset) else None
    if kind == "couple":
        check_couple_dataset(ds)
        write = write_couple_report
    else:
        check_dataset(ds)
        write = write_person_report
    with staged(out, force=force) as folder:
        page = write(ds, folder)
    return Path(out) / page.name
