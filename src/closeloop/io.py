"""Atomic file writing and output-folder safety."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from closeloop.errors import InputError

MARKER = ".closeloop"
"""File closeloop leaves in every output folder it writes, so it can recognise its own."""


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write a file by calling ``write(tmp_path)`` then renaming onto ``path``.

    An interrupted run never leaves a half-written file under the final name.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        # mkstemp makes the file owner-only; give it the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_text(path: str | Path, text: str) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_bytes(path: str | Path, data: bytes) -> Path:
    return atomic_write(path, lambda p: p.write_bytes(data))


def prepare_out(out: str | Path, force: bool = False) -> Path:
    """Make ``out`` ready for closeloop's files.

    A missing or empty folder, or one that closeloop wrote before (it holds the marker), is used.
    A non-empty folder closeloop did not write is refused unless ``force`` is given; a path that
    is a file is always refused.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"The 'out' option must be a folder. Got {str(out)!r}, which is a file.")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists() and not force:
        raise InputError(
            f"The 'out' option must be an empty folder or one closeloop wrote. Got {str(out)!r}, "
            "which holds other files; pass --force to write into it anyway."
        )
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / MARKER, "written by closeloop\n")
    return out
