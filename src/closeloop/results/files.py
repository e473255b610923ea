"""A simulated Dataset on disk, and the metadata every run's folder records.

``run_metadata(ds)`` is what ``run.json`` holds (seed, size, scenario, versions, ablations, the
notice); ``write_netcdf(path, ds)`` writes the whole Dataset as ``results.nc`` (netCDF3, read back
with ``xarray.open_dataset``), atomically.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from closeloop.io import atomic_write
from closeloop.simulation import NOTICE


def _parse_attr(value: Any) -> Any:
    # Attributes are strings in netCDF; accept JSON, and a Python literal as a fallback.
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError):
            return value


def plain(value: Any) -> Any:
    """``value`` as a plain Python value (numpy scalars in attrs are not JSON-serialisable)."""
    return value.item() if isinstance(value, np.generic) else value


def run_metadata(ds: xr.Dataset) -> dict[str, Any]:
    """What ``run.json`` records: everything needed to reproduce the run, and the notice.

    Arguments:
        ds: a simulate() Dataset.

    Returns:
        A JSON-serialisable dict.
    """
    a = ds.attrs
    ablate = a.get("ablate", "")
    ablated = [x for x in ablate.split(",") if x] if isinstance(ablate, str) else list(ablate)
    return {
        "seed": plain(a.get("seed")),
        "n": plain(a.get("n", ds.sizes.get("unit"))),
        "scenario_name": a.get("scenario_name"),
        "scenario": _parse_attr(a.get("scenario", "{}")),
        "scenario_hash": a.get("scenario_hash"),
        "versions": _parse_attr(a.get("versions", "{}")),
        "ablated": ablated,
        "notice": NOTICE,
    }


def netcdf_ready(ds: xr.Dataset) -> xr.Dataset:
    """A copy of ``ds`` that netCDF3 (scipy) can store and xarray reads back unchanged.

    netCDF3 has no string or object type: xarray stores fixed-width unicode as characters, but
    an object array (strings of any length) must first become fixed-width unicode. Attributes
    that are not strings or numbers are stored as JSON.
    """
    out = ds.copy()
    for name in list(out.variables):
        var = out[name]
        if var.dtype == object:
            out[name] = var.astype(str)
    for key, value in list(out.attrs.items()):
        if not isinstance(value, str | int | float | np.number):
            out.attrs[key] = json.dumps(value, default=str)
    return out


def netcdf_writer(ds: xr.Dataset) -> Callable[[Path], None]:
    """A writer of ``ds`` as netCDF3 to a given path, for ``closeloop.io.atomic_write``."""

    def write(path: Path) -> None:
        # netCDF3 via scipy (no extra dependency): it stores strings as characters and int64
        # as int32, and xarray reads both back.
        netcdf_ready(ds).to_netcdf(path, engine="scipy", format="NETCDF3_64BIT")

    return write


def write_netcdf(path: str | Path, ds: xr.Dataset) -> Path:
    """Write ``ds`` to ``path`` as netCDF3, atomically (``closeloop.io.atomic_write``).

    Returns:
        The path written.
    """
    return atomic_write(path, netcdf_writer(ds))
