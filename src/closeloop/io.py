"""Atomic, durable file writing and the output folder: always one whole run.

A file is written under a temporary name, flushed to disk (``fsync``), renamed onto its final
name and its folder flushed, so that neither a killed process nor a power loss leaves half a
file under the final name.

A run's folder is written by ``staged``: every file goes into a fresh hidden folder beside
``out`` (with ``INCOMPLETE`` in it while it is written), and only when all are written does it
replace ``out``: a folder closeloop wrote is replaced whole, so two runs never mix; a failed or
interrupted run leaves ``out`` as it was. A non-empty folder closeloop did not write is refused
unless ``force``; with ``force`` (or where ``out`` cannot be renamed: the current folder, a
mount point, a folder whose parent is read-only) the new run's files are staged inside ``out``,
the previous run's files (listed in the marker) are removed, the new ones moved in, and
``INCOMPLETE`` marks ``out`` until that is done; the user's own files are kept.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from closeloop.errors import InputError, OutputError, bad_value

MARKER = ".closeloop"
"""File closeloop leaves in every output folder it writes: recognises its own, lists its files."""
INCOMPLETE = "INCOMPLETE"
"""File present while a run's files are being written; a folder holding it is not one run."""
INCOMPLETE_TEXT = (
    "closeloop is writing (or was killed while writing) this run's files; they are incomplete.\n"
)

# Temporary names carry the writer's process id, so that a later run can tell a dead writer's
# leftovers (removed) from a live one's (left alone). Older versions wrote no id.
_TMP_FILE = re.compile(r"^\.(?P<name>.+?)\.(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}\.tmp$")
_TMP_DIR = re.compile(r"^\.(?P<name>.+?)\.closeloop-(?:old-)?(?P<pid>\d+)-[a-z0-9_]{8}\.tmp$")
_STAGING: list[Path] = []
"""Folders this process is staging now (a writer called inside one writes straight into it)."""


def _reason(e: OSError) -> str:
    return e.strerror or type(e).__name__


def _fsync(path: str | Path, folder: bool = False) -> None:
    # Folders need an fsync too, or a rename may not survive a power loss (POSIX). Some file
    # systems refuse to fsync a folder; the data is then as safe as they make it.
    try:
        fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if folder else 0))
    except OSError:
        if folder:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as e:
        if not folder or e.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _stale(match: re.Match[str] | None) -> bool:
    if match is None:
        return False
    pid = match.group("pid")
    return pid is None or not _alive(int(pid))


def clean_stale(folder: str | Path, name: str | None = None) -> list[str]:
    """Remove temporary files and staging folders that a killed closeloop left in ``folder``.

    Only names closeloop makes are touched, and only those of a writer that is no longer running
    (or of an older version, which recorded none). ``name`` limits it to leftovers for that file
    or folder. Returns the names removed.
    """
    removed: list[str] = []
    try:
        entries = os.listdir(folder)
    except OSError:
        return removed
    for entry in entries:
        m = _TMP_DIR.match(entry) or _TMP_FILE.match(entry)
        if not _stale(m) or (name is not None and m is not None and m.group("name") != name):
            continue
        path = Path(folder) / entry
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append(entry)
    return removed


def atomic_write(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Write a file by calling ``write(tmp_path)``, flushing it, then renaming onto ``path``.

    An interrupted run never leaves a half-written file under the final name; a leftover
    temporary file of a killed run is removed by the next write of the same name. An operating
    system error (disk full, read-only, permissions) is raised as a one-line ``OutputError``.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(path.parent, path.name)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent
        )
        os.close(fd)
    except OSError as e:
        raise OutputError(path, _reason(e)) from None
    try:
        write(Path(tmp))
        _fsync(tmp)
        # mkstemp makes the file owner-only; give it the permissions a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
        _fsync(path.parent, folder=True)
    except OSError as e:
        raise OutputError(path, _reason(e)) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return path


def read_toml(path: str | Path, kind: str, owner: str) -> dict[str, Any]:
    """The table of a ``kind`` file (TOML: a sweep or study file), or a one-line InputError for
    a missing, unreadable or malformed one (``owner``: the command it is for)."""
    p = Path(path)
    if not p.is_file():
        raise bad_value("spec", str(path), f"an existing .toml {kind} file", owner)
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"Cannot read {kind} file {str(p)!r}: {e}.") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"{kind} file {str(p)!r} is not valid TOML: {e}.") from None


def write_text(path: str | Path, text: str) -> Path:
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_bytes(path: str | Path, data: bytes) -> Path:
    return atomic_write(path, lambda p: p.write_bytes(data))


# ------------------------------------------------------------------------------ the run folder


# What older versions (whose marker lists no files) wrote into a run's folder: only these are
# taken for the previous run's, since that marker was also left in folders written with --force.
# Their figures' names are not fixed, so an old PNG is kept rather than risk a user's.
_KNOWN = re.compile(
    r"^(report\.html|summary\.txt|profiles\.csv|run\.json|results\.nc|story\.txt|"
    r"timeline\.csv|couples\.csv|comparison\.csv|diary\.parquet|diary\.csv|"
    r"diary-schema\.json)$"
)


def _previous_files(out: Path) -> list[str] | None:
    """The files of the previous run in ``out``, as its marker lists them; None where there is
    no marker."""
    marker = out / MARKER
    if not marker.is_file():
        return None
    try:
        files = json.loads(marker.read_text(encoding="utf-8"))["files"]
    except (ValueError, KeyError, TypeError):
        files = None
    if isinstance(files, list) and all(
        isinstance(f, str) and f not in ("", ".", "..") and "/" not in f and "\\" not in f
        for f in files
    ):
        return files
    return [
        e
        for e in os.listdir(out)
        if _KNOWN.match(e)
        or ((out / e).is_dir() and (out / e / MARKER).is_file() and not _TMP_DIR.match(e))
    ]


def _foreign(out: Path, previous: list[str] | None) -> list[str]:
    ours = set(previous or ()) | {MARKER, INCOMPLETE}
    return sorted(
        e
        for e in os.listdir(out)
        if e not in ours and not (_TMP_DIR.match(e) or _TMP_FILE.match(e))
    )


def _resolve(out: str | Path) -> Path:
    path = Path(out)
    if path.is_symlink():
        if not path.exists():
            target = os.readlink(path)
            raise OutputError(path, f"it is a symbolic link to {target!r}, which does not exist")
        path = Path(os.path.realpath(path))
    return Path(os.path.abspath(path))


def check_out(out: str | Path, force: bool = False) -> tuple[Path, bool]:
    """Check that ``out`` can take a run's folder, without writing anything.

    Returns the absolute folder and whether the run must be moved in beside files it keeps
    (``in_place``) rather than swapped in whole.

    Raises:
        InputError: ``out`` is a file, has a file for a parent, is a dangling symbolic link, or is
            a non-empty folder closeloop did not write (without ``force``).
    """
    path = _resolve(out)
    for parent in [path, *path.parents]:
        if parent.exists() or parent.is_symlink():
            if not parent.is_dir():
                what = "is a file" if parent == path else f"has a file, {str(parent)!r}, above it"
                raise InputError(
                    f"The 'out' option must be a folder. Got {str(out)!r}, which {what}."
                )
            break
    if not path.is_dir():
        return path, False
    try:
        previous = _previous_files(path)
        foreign = _foreign(path, previous)
    except OSError as e:
        raise OutputError(out, _reason(e)) from None
    if foreign and previous is None and not force:
        raise InputError(
            f"The 'out' option must be an empty folder or one closeloop wrote. Got {str(out)!r}, "
            f"which holds other files ({', '.join(map(repr, foreign[:3]))}"
            f"{', ...' if len(foreign) > 3 else ''}); pass --force to write into it anyway."
        )
    cwd = Path(os.path.abspath(os.getcwd()))
    unmovable = (
        path == cwd
        or path in cwd.parents
        or os.path.ismount(path)
        or not os.access(path.parent, os.W_OK | os.X_OK)
    )
    return path, bool(foreign) or unmovable


def _manifest(folder: Path) -> None:
    files = sorted(e for e in os.listdir(folder) if e not in (MARKER, INCOMPLETE))
    write_text(folder / MARKER, json.dumps({"written_by": "closeloop", "files": files}) + "\n")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


def _swap_in(stage: Path, path: Path) -> None:
    # Two renames: the old folder aside, the new one in; a crash between them leaves both
    # complete under hidden names, never one folder holding parts of two runs.
    old = None
    if path.exists():
        old = Path(
            tempfile.mkdtemp(
                prefix=f".{path.name}.closeloop-old-{os.getpid()}-", suffix=".tmp", dir=path.parent
            )
        )
        os.rmdir(old)
        os.rename(path, old)
    try:
        os.rename(stage, path)
    except OSError:
        if old is not None:
            os.rename(old, path)
        raise
    _fsync(path.parent, folder=True)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _move_in(stage: Path, path: Path) -> None:
    write_text(path / INCOMPLETE, INCOMPLETE_TEXT)
    for entry in _previous_files(path) or ():
        if entry not in (MARKER, INCOMPLETE):
            _remove(path / entry)
    for entry in os.listdir(stage):
        if entry in (MARKER, INCOMPLETE):
            continue
        if (path / entry).is_dir() and not (path / entry).is_symlink():
            shutil.rmtree(path / entry)
        os.replace(stage / entry, path / entry)
    os.replace(stage / MARKER, path / MARKER)
    shutil.rmtree(stage)
    os.unlink(path / INCOMPLETE)
    _fsync(path, folder=True)


def _inside_staging(path: Path) -> bool:
    return any(path == s or s in path.parents for s in _STAGING)


@contextlib.contextmanager
def staged(out: str | Path, force: bool = False) -> Iterator[Path]:
    """Write a run's folder: yields an empty folder to write into, swapped in as ``out`` at the end.

    ``out`` is checked (``check_out``) and the staging folder made before the body runs, so an
    unwritable place is refused before anything is simulated. If the body raises (or the
    process is interrupted), the staging folder is removed and ``out`` is left as it was. Called
    for a folder inside one being staged, it writes there directly (the outer call swaps).

    Raises:
        InputError: as ``check_out``; ``OutputError`` for any operating system error on output.
    """
    path = _resolve(out)
    if _inside_staging(path):
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise OutputError(out, _reason(e)) from None
        yield path
        if path not in _STAGING:
            _manifest(path)
        return
    path, in_place = check_out(out, force)
    home = path if in_place else path.parent
    try:
        home.mkdir(parents=True, exist_ok=True)
        clean_stale(path.parent, path.name)
        if in_place:
            clean_stale(path)
        stage = Path(
            tempfile.mkdtemp(
                prefix=f".{path.name}.closeloop-{os.getpid()}-", suffix=".tmp", dir=home
            )
        )
    except OSError as e:
        raise OutputError(out, _reason(e)) from None
    _STAGING.append(stage)
    try:
        write_text(stage / INCOMPLETE, INCOMPLETE_TEXT)
        yield stage
        _manifest(stage)
        os.unlink(stage / INCOMPLETE)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(stage, 0o777 & ~umask)  # mkdtemp makes it owner-only
        _fsync(stage, folder=True)
        _move_in(stage, path) if in_place else _swap_in(stage, path)
    except OutputError as e:
        raise OutputError(_final(e.path, stage, Path(out)), e.reason) from None
    except OSError as e:
        where = _final(Path(e.filename), stage, Path(out)) if e.filename else Path(out)
        raise OutputError(where, _reason(e)) from None
    finally:
        _STAGING.remove(stage)
        shutil.rmtree(stage, ignore_errors=True)


def _final(p: Path, stage: Path, out: Path) -> Path:
    """The name a staged file would have had in ``out`` (for messages)."""
    try:
        return out / p.relative_to(stage)
    except ValueError:
        return p


def prepare_out(out: str | Path, force: bool = False) -> Path:
    """Make ``out`` ready for closeloop's files, written in place (no staging).

    A missing or empty folder, or one that closeloop wrote before (it holds the marker), is used.
    A non-empty folder closeloop did not write is refused unless ``force`` is given; a path that
    is a file is always refused. Prefer ``staged``, which never mixes two runs.
    """
    path, _ = check_out(out, force)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(out, _reason(e)) from None
    # The plain marker of older versions: the whole folder is closeloop's from now on.
    write_text(path / MARKER, "written by closeloop\n")
    return Path(out)
