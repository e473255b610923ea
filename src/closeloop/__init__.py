"""closeloop: an executable, tested model of intimacy avoidance.

The public API is this short list; everything else is internal and may change.

    import closeloop as cl
    cl.scenarios()                                  # names in the shipped library
    sc = cl.scenario("rising-closeness")            # or cl.load_scenario("my.toml")
    sc = sc.replace(days=730)                       # immutable; returns a new, validated scenario
    ds = cl.simulate(sc, n=1000, seed=0)            # xarray.Dataset
    results = cl.check_claims(quick=True)           # list of claim results
    cl.write_report(ds, "out/")                     # HTML + PNG + summary + data

Educational model, not a diagnosis or treatment. In a crisis in the US, call or text 988.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from closeloop.claims import check_claims
from closeloop.errors import InputError
from closeloop.scenario import Scenario, load_scenario, scenario, scenarios
from closeloop.simulate import simulate

__all__ = [
    "InputError",
    "Scenario",
    "check_claims",
    "load_scenario",
    "scenario",
    "scenarios",
    "simulate",
    "write_report",
]
__version__ = "0.1.0"

if TYPE_CHECKING:
    import xarray as xr


def write_report(ds: xr.Dataset, out: str | Path) -> Path:
    """Write the HTML report, figures, summary and data of a simulation to a folder.

    Imported lazily: the report pulls in matplotlib, which ``import closeloop`` should not pay for.
    See ``closeloop.report.write_report`` for the arguments.
    """
    from closeloop.report import write_report as _write

    return _write(ds, out)
