"""The diary's files: ``write_diary`` (Parquet, CSV and the schema as JSON) and ``read_diary``."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from closeloop.errors import InputError
from closeloop.io import atomic_write, write_text
from closeloop.observation.measure import NOISE_SD
from closeloop.observation.schema import KEY, SCHEMA, SCHEMA_VERSION
from closeloop.observation.validate import validate

FILES = ("diary.parquet", "diary.csv", "diary-schema.json")


def schema_json() -> str:
    """``diary-schema.json``: the schema as JSON (columns in order, key, version)."""
    doc = {
        "table": "closeloop diary",
        "version": SCHEMA_VERSION,
        "row": "one couple x person x day while the relationship lasts",
        "key": list(KEY),
        "missing": "empty cell in CSV, null in Parquet",
        "noise_sd": NOISE_SD,
        "columns": [c.to_json() for c in SCHEMA],
    }
    return json.dumps(doc, indent=2) + "\n"


def schema_table() -> str:
    """The column table of docs/diary.md, rendered from :data:`SCHEMA`."""
    from closeloop.markdown import table

    rows = [
        [f"`{c.name}`", c.dtype, c.allowed(), c.missing(), c.description, c.source] for c in SCHEMA
    ]
    return table(["column", "dtype", "allowed values", "missing (NA)", "meaning", "from"], rows)


def write_diary(df: pd.DataFrame, out_dir: str | Path) -> list[Path]:
    """Write a diary table as ``diary.parquet``, ``diary.csv`` and ``diary-schema.json``.

    The table is validated against the schema first, so a file written here always reads back.
    Each file is written atomically (temporary name, then rename).

    Arguments:
        df: a table from :func:`diary` (without its latent columns).
        out_dir: the folder to write into (created if missing; these three names are replaced).

    Returns:
        The paths written, in the order of :data:`FILES`.

    Example:
        >>> [p.name for p in write_diary(table, "out/")]  # doctest: +SKIP
        ['diary.parquet', 'diary.csv', 'diary-schema.json']
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(
            "The 'df' parameter of write_diary must be a diary table (a pandas DataFrame from "
            f"closeloop.diary). Got a value of type {type(df).__name__} instead."
        )
    table = validate(df, "the diary table")
    out = Path(out_dir)
    parquet, csv, schema = (out / f for f in FILES)
    atomic_write(parquet, lambda p: table.to_parquet(p, index=False))
    atomic_write(csv, lambda p: table.to_csv(p, index=False, na_rep="", lineterminator="\n"))
    write_text(schema, schema_json())
    return [parquet, csv, schema]


def _one_line(text: object, limit: int = 160) -> str:
    """An exception's message folded onto one short line."""
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _read_table(path: Path) -> pd.DataFrame:
    name = repr(str(path))
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError(
            f"The 'path' parameter of read_diary must be a .parquet or .csv file. Got {name} "
            "instead."
        )
    if not path.is_file():
        raise InputError(
            f"The 'path' parameter of read_diary must be an existing file. Got {name}, which "
            f"{'is a folder' if path.exists() else 'does not exist'}."
        )
    if path.stat().st_size == 0:
        raise InputError(f"The diary file {name} is empty: expected a table with a header row.")
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        # Everything as text, so that the validator sees exactly what the file says; an empty
        # cell (or NA, as R writes it) is a missing value.
        return pd.read_csv(
            path, dtype=str, keep_default_na=False, na_values=["", "NA"], encoding="utf-8"
        )
    except Exception as e:  # pyarrow, the CSV parser and the decoder raise many kinds
        kind = "Parquet" if suffix == ".parquet" else "UTF-8 CSV"
        raise InputError(
            f"The diary file {name} could not be read as a {kind} table: {_one_line(e)}"
        ) from None


def read_diary(path: str | Path) -> pd.DataFrame:
    """Read and validate a diary table (``.parquet`` or ``.csv``), e.g. one to fit the model to.

    Arguments:
        path: a file written by :func:`write_diary`, or a study's own table in the same schema
            (docs/diary.md): the columns of :data:`SCHEMA`, any order, one row per couple, person
            and day.

    Returns:
        The table with the schema's dtypes, sorted by couple, day and person.

    Raises:
        InputError: one line naming the file, the column, the first offending row (counting data
            rows from 1, in file order), the bad value and what is allowed.

    Example:
        >>> read_diary("out/diary.csv").columns[:3].tolist()  # doctest: +SKIP
        ['couple', 'person', 'day']
    """
    path = Path(path)
    return validate(_read_table(path), f"diary file {str(path)!r}")
