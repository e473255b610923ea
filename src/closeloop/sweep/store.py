"""The live Zarr store of a sweep: every block's rows written into ``points.zarr`` as the block
completes, one chunk per block, so a killed sweep leaves a readable partial store and
``--resume`` runs only the blocks the store does not hold.

Layout (Zarr format 2, readable with ``xarray.open_zarr``): one array per column of the table
along the dimension ``point``, sized to the whole design and chunked by the block size, and
``done`` (1 where a point's block is written, 0 elsewhere). A block writes its columns first and
its ``done`` chunk last; Zarr writes each chunk to a temporary file and renames it, so a block
whose ``done`` chunk reads 1 is whole, and a block killed half-way is simply run again. The
store itself is made in a temporary folder and renamed into place, so it exists whole or not at
all.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from closeloop.errors import InputError, bad_value
from closeloop.sweep.spec import SweepSpec

NAME = "points.zarr"
DONE = "done"
DIM = "point"


def _dims(arr: Any) -> None:
    # xarray finds the dimension of a Zarr format 2 array in this attribute.
    arr.attrs["_ARRAY_DIMENSIONS"] = [DIM]


def _fill(dtype: np.dtype[Any]) -> Any:
    # None for integers: xarray would read a fill value 0 as missing (point 0, not done).
    return np.nan if np.issubdtype(dtype, np.floating) else None


class Store:
    """An open sweep store: writes blocks, reports which are done, reads the table back."""

    def __init__(self, path: Path) -> None:
        import zarr

        self.path = path
        self.group = zarr.open_group(str(path), mode="r+", zarr_format=2)
        names: Any = self.group.attrs["columns"]
        self.columns: list[str] = [str(c) for c in names]
        # Array handles opened once: each block is then one chunk write per column.
        self.arrays: dict[str, Any] = {c: self.group[c] for c in [*self.columns, DONE]}

    def write(self, df: pd.DataFrame) -> None:
        """Write a block's rows (consecutive points) into their chunk, ``done`` last."""
        points = df[DIM].to_numpy()
        lo, hi = int(points[0]), int(points[-1]) + 1
        if list(df.columns) != self.columns or hi - lo != len(df):
            raise InputError(f"A block of the sweep in {str(self.path)!r} has other columns.")
        for c in self.columns:
            self.arrays[c][lo:hi] = df[c].to_numpy()
        self.arrays[DONE][lo:hi] = np.ones(hi - lo, np.uint8)

    def done(self) -> np.ndarray:
        """(points,) bool: which points are written."""
        return np.asarray(self.arrays[DONE][:]).astype(bool)

    def table(self) -> pd.DataFrame:
        """The table of the points written (all of them once the sweep is complete)."""
        keep = self.done()
        return pd.DataFrame({c: np.asarray(self.arrays[c][:])[keep] for c in self.columns})


def create(out: Path, spec: SweepSpec, first: pd.DataFrame, n_points: int) -> Store:
    """Make the store for the sweep, its columns and dtypes taken from its first block."""
    import zarr

    final = out / NAME
    tmp = Path(tempfile.mkdtemp(prefix=f".{NAME}.", dir=out))
    try:
        group = zarr.open_group(str(tmp), mode="w", zarr_format=2)
        chunk = (min(spec.block_points, n_points),)
        for c in first.columns:
            dtype = first[c].to_numpy().dtype
            arr = group.create_array(
                c, shape=(n_points,), chunks=chunk, dtype=dtype, fill_value=_fill(dtype)
            )
            _dims(arr)
            if c == DIM:
                # The coordinate is whole from the start: a partial store labels every point.
                arr[:] = np.arange(n_points, dtype=dtype)
        done = group.create_array(
            DONE, shape=(n_points,), chunks=chunk, dtype="u1", fill_value=None
        )
        _dims(done)
        group.attrs.update({"columns": list(first.columns), "hash": spec.digest()})
        tmp.rename(final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return Store(final)


def existing(out: Path) -> Store | None:
    """The store a killed sweep left, or None when it never wrote a block."""
    path = out / NAME
    if not path.is_dir():
        return None
    try:
        return Store(path)
    except (KeyError, ValueError, OSError):
        # A store of an older version (written whole at the end, without its column list).
        allowed = "a sweep store written block by block (rerun the sweep into a new folder)"
        raise bad_value("out", str(path), allowed, "sweep") from None
