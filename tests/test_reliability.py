"""Reliability (issue 15): the output folder is always one run, unwritable places and impossible
sizes are refused in one line before anything is simulated, and the remaining bad inputs.

Names are looked up inside the tests (``closeloop.io.staged``, ``closeloop.sizing``), so that
each case fails on its own where the behaviour is missing rather than the whole file.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import closeloop as cl
import closeloop.io as cio
import closeloop.run as crun
from closeloop.cli import app
from closeloop.errors import InputError

DAYS = 40
runner = CliRunner()


def _one_error_line(output: str) -> str:
    lines = [ln for ln in output.splitlines() if ln.strip()]
    assert len(lines) == 1, output
    assert lines[0].startswith("error:") and "Traceback" not in output
    return lines[0]


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def couple_sc() -> cl.Scenario:
    return cl.scenario("avoidant-anxious").replace(days=DAYS)


@pytest.fixture(scope="module")
def person_sc() -> cl.Scenario:
    return cl.scenario("rising-closeness").replace(days=DAYS)


@pytest.fixture(scope="module")
def couple_ds(couple_sc: cl.Scenario):
    return cl.simulate(couple_sc, n=4, seed=1)


@pytest.fixture(scope="module")
def person_ds(person_sc: cl.Scenario):
    return cl.simulate(person_sc, n=4, seed=1)


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that reaches the engine: its input should have been refused before."""
    import closeloop.simulation

    def refuse(*a: object, **k: object) -> None:
        raise AssertionError("simulate was called")

    monkeypatch.setattr(closeloop.simulation, "simulate", refuse)


# ---------------------------------------------------------------- 1. one folder, one run


def test_a_second_run_replaces_the_first_whole(tmp_path: Path, couple_ds, person_ds) -> None:
    """A couple report then a person report into one folder: only the person report's files
    remain (before: couples.csv, story.txt, timeline.csv and the couple PNGs stayed)."""
    out = tmp_path / "d"
    cl.write_report(couple_ds, out)
    assert (out / "couples.csv").exists()
    cl.write_report(person_ds, out)
    fresh = tmp_path / "fresh"
    cl.write_report(person_ds, fresh)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in fresh.iterdir())
    assert not (out / "couples.csv").exists() and not (out / "story.txt").exists()
    assert sorted(os.listdir(tmp_path)) == ["d", "fresh"]  # no staging folder left beside


def test_a_run_that_fails_half_way_leaves_the_previous_run_whole(
    tmp_path: Path, couple_ds, person_ds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed (KeyboardInterrupt) while writing results.nc, after the PNGs and tables: the folder
    holds the previous run exactly; before, it held the new PNGs beside the old results."""
    import closeloop.results.files

    out = tmp_path / "d"
    cl.write_report(couple_ds, out)
    before = _tree(out)

    def killed(ds: object):
        def write(p: Path) -> None:
            p.write_bytes(b"half")
            raise KeyboardInterrupt

        return write

    monkeypatch.setattr(closeloop.results.files, "netcdf_writer", killed)
    with pytest.raises(KeyboardInterrupt):
        cl.write_report(person_ds, out)
    assert _tree(out) == before
    assert os.listdir(tmp_path) == ["d"]


def test_the_folder_is_marked_incomplete_while_it_is_written(tmp_path: Path) -> None:
    out = tmp_path / "d"
    with cio.staged(out) as folder:
        assert (folder / cio.INCOMPLETE).is_file()
        cio.write_text(folder / "a.txt", "a")
        assert not out.exists()  # nothing under the final name until the end
    assert sorted(os.listdir(out)) == [cio.MARKER, "a.txt"]
    assert not (out / cio.INCOMPLETE).exists()


def test_force_keeps_the_users_files_and_replaces_the_previous_runs(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="--force"), cio.staged(out):
        pass
    with cio.staged(out, force=True) as folder:
        cio.write_text(folder / "first.txt", "1")
    with cio.staged(out) as folder:  # closeloop's now: no --force needed
        cio.write_text(folder / "second.txt", "2")
    assert sorted(os.listdir(out)) == [cio.MARKER, "notes.txt", "second.txt"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_write_report_takes_force(tmp_path: Path, person_ds) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="--force"):
        cl.write_report(person_ds, out)
    assert os.listdir(out) == ["notes.txt"]
    assert cl.write_report(person_ds, out, force=True) == out / "report.html"
    assert (out / "notes.txt").exists() and (out / "report.html").exists()


def test_a_folder_of_an_older_version_keeps_what_may_be_the_users(tmp_path: Path) -> None:
    """Older versions left a marker listing no files, also in folders written with --force:
    only their known file names are taken for the previous run's; a marker listing '..' is
    not trusted."""
    out = tmp_path / "old"
    out.mkdir()
    (out / cio.MARKER).write_text("written by closeloop\n", encoding="utf-8")
    for name in ("report.html", "results.nc", "holiday.png", "thesis.docx"):
        (out / name).write_text(name, encoding="utf-8")
    with cio.staged(out) as folder:
        cio.write_text(folder / "report.html", "new")
    assert sorted(os.listdir(out)) == [cio.MARKER, "holiday.png", "report.html", "thesis.docx"]
    (out / cio.MARKER).write_text('{"files": ["..", "thesis.docx"]}', encoding="utf-8")
    with cio.staged(out) as folder:
        cio.write_text(folder / "report.html", "newer")
    assert (out / "thesis.docx").exists() and tmp_path.exists()


def test_the_current_folder_is_written_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--out . cannot be renamed away from under the shell: its files are swapped one by one."""
    monkeypatch.chdir(tmp_path)
    for text in ("one", "two"):
        with cio.staged(".") as folder:
            cio.write_text(folder / f"{text}.txt", text)
    assert sorted(os.listdir(tmp_path)) == [cio.MARKER, "two.txt"]


def test_leftovers_of_a_killed_run_are_cleaned(tmp_path: Path) -> None:
    """Hidden temporary files and staging folders of a dead writer (or of an older version)
    go; those of a live writer stay."""
    out = tmp_path / "d"
    out.mkdir()
    dead = 2**22 + 12345  # above the default pid_max, so no process has it
    old_tmp = out / ".results.nc.ab12cd34.tmp"
    dead_tmp = out / f".report.html.{dead}.abcd1234.tmp"
    live_tmp = out / f".report.html.{os.getpid()}.abcd1234.tmp"
    for p in (old_tmp, dead_tmp, live_tmp):
        p.write_bytes(b"x")
    stage = tmp_path / f".d.closeloop-{dead}-abcdefgh.tmp"
    stage.mkdir()
    cio.write_text(out / "report.html", "page")
    cio.write_text(out / "results.nc", "data")
    assert not old_tmp.exists() and not dead_tmp.exists() and live_tmp.exists()
    with cio.staged(out, force=True) as folder:  # not closeloop's folder: written in place
        cio.write_text(folder / "x.txt", "x")
    assert not stage.exists() and live_tmp.exists()


def test_run_scenario_writes_one_run_and_takes_a_name(
    tmp_path: Path, couple_sc: cl.Scenario, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "o"
    path = crun.run_scenario(couple_sc, out, n=np.int64(3), diary_couples=2)
    assert path == out / "report.html" and path.is_file()
    assert (out / "diary.csv").is_file() and not (out / cio.INCOMPLETE).exists()
    # A scenario name is accepted where a scenario is expected (the library scenario itself
    # is 10 years long, so a too-large run is what is checked, not simulated).
    with pytest.raises(InputError, match="'n'"):
        crun.run_scenario("avoidant-anxious", out, n=0)


def test_a_comparison_replaces_a_report_whole(tmp_path: Path, couple_ds, person_ds) -> None:
    from closeloop.report.comparison import write_comparison

    out = tmp_path / "d"
    cl.write_report(couple_ds, out)
    write_comparison(person_ds, person_ds, out)
    assert not (out / "couples.csv").exists() and (out / "comparison.csv").is_file()
    assert (out / "a" / "report.html").is_file() and (out / "b" / cio.MARKER).is_file()
    assert os.listdir(tmp_path) == ["d"]


# ---------------------------------------------------------------- 2. unwritable places


def _unwritable_cases(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    userfile = tmp_path / "userfile.txt"
    userfile.write_text("x", encoding="utf-8")
    yield "file as parent", userfile / "sub"
    yield "file as out", userfile
    dangling = tmp_path / "link"
    dangling.symlink_to(tmp_path / "missing")
    yield "dangling symlink", dangling
    yield "/proc", Path("/proc/closeloop-x")
    yield "/sys", Path("/sys/closeloop-x")


@pytest.mark.parametrize(
    "case", ["file as parent", "file as out", "dangling symlink", "/proc", "/sys"]
)
def test_an_unwritable_out_is_one_line_before_simulating(
    case: str, tmp_path: Path, no_simulation: None
) -> None:
    out = dict(_unwritable_cases(tmp_path))[case]
    res = runner.invoke(app, ["run", "avoidant-anxious", "--out", str(out), "--n", "2"])
    assert res.exit_code == 2, res.output
    line = _one_error_line(res.output)
    assert str(out) in line, line


def test_a_read_only_folder_is_one_line(
    tmp_path: Path, couple_ds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read-only by a refused mkdir (what a read-only place answers), for cl.write_report."""
    real = os.mkdir

    def read_only(path, *a, **k):
        if str(tmp_path) in str(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real(path, *a, **k)

    monkeypatch.setattr(os, "mkdir", read_only)
    with pytest.raises(InputError, match="Read-only file system") as e:
        cl.write_report(couple_ds, tmp_path / "ro" / "out")
    assert "\n" not in str(e.value) and str(tmp_path / "ro" / "out") in str(e.value)


def test_a_full_disk_while_writing_is_one_line_and_leaves_nothing(
    tmp_path: Path, couple_ds, person_ds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC on the last large file: one line naming it; the previous run is kept whole."""
    import closeloop.results.files

    out = tmp_path / "d"
    cl.write_report(couple_ds, out)
    before = _tree(out)

    def full(ds: object):
        def write(p: Path) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        return write

    monkeypatch.setattr(closeloop.results.files, "netcdf_writer", full)
    with pytest.raises(InputError) as e:
        cl.write_report(person_ds, out)
    msg = str(e.value)
    assert "\n" not in msg and "No space left on device" in msg
    assert str(out / "results.nc") in msg  # the final name, not the hidden staging one
    assert _tree(out) == before and os.listdir(tmp_path) == ["d"]


def _mount(*args: str) -> bool:
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if not _mount("-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=True)


def test_a_real_full_disk_is_one_line(small_tmpfs: Path, couple_ds) -> None:
    out = small_tmpfs / "report"
    with pytest.raises(InputError) as e:
        cl.write_report(couple_ds, out)
    msg = str(e.value)
    assert "\n" not in msg and "No space left on device" in msg and str(out) in msg
    assert os.listdir(small_tmpfs) == []  # no half report, no staging folder


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[Path]:
    src, ro = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    ro.mkdir()
    if not _mount("--bind", str(src), str(ro)):
        pytest.skip("cannot bind-mount here (needs root)")
    try:
        if not _mount("-o", "remount,ro,bind", str(ro)):
            pytest.skip("cannot remount read-only here")
        yield ro
    finally:
        subprocess.run(["umount", str(ro)], check=True)


def test_a_real_read_only_mount_is_one_line_before_simulating(
    read_only_mount: Path, no_simulation: None
) -> None:
    out = read_only_mount / "out"
    res = runner.invoke(app, ["run", "avoidant-anxious", "--out", str(out), "--n", "2"])
    assert res.exit_code == 2
    line = _one_error_line(res.output)
    assert str(out) in line and "Read-only file system" in line


# ---------------------------------------------------------------- 3. impossible sizes


def test_an_impossible_size_is_refused_before_anything(
    tmp_path: Path, no_simulation: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from closeloop import sizing

    monkeypatch.setattr(sizing, "available_memory", lambda: 24 * 2**30)
    out = tmp_path / "o"
    res = runner.invoke(app, ["run", "avoidant-anxious", "--out", str(out), "--n", "10000000"])
    assert res.exit_code == 2
    line = _one_error_line(res.output)
    for part in ("10,000,000 couples", "1.3 TB", "25.8 GB is available", "--seed"):
        assert part in line, line
    assert not out.exists()


def test_a_report_larger_than_the_free_disk_is_refused(
    tmp_path: Path, no_simulation: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from closeloop import sizing

    monkeypatch.setattr(sizing, "free_disk", lambda out: 50_000_000)
    out = tmp_path / "o"
    with pytest.raises(InputError, match=r"of disk; 50.0 MB is free") as e:
        crun.run_scenario("avoidant-anxious", out, n=100_000)
    assert "\n" not in str(e.value) and not out.exists()
    assert os.listdir(tmp_path) == []  # the staging folder is gone too


def test_a_long_run_is_warned_about(monkeypatch: pytest.MonkeyPatch) -> None:
    from closeloop import sizing

    monkeypatch.setattr(sizing, "available_memory", lambda: 10**15)
    warning = sizing.check_run("couple", 10_000_000, 3650)
    assert warning is not None and "hours" in warning and "Ctrl-C" in warning
    assert sizing.check_run("couple", 100, 3650) is None


def test_simulate_refuses_a_result_larger_than_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    from closeloop import sizing

    monkeypatch.setattr(sizing, "available_memory", lambda: 2**30)
    with pytest.raises(InputError, match=r"'n' parameter of simulate.*1\.1 GB is available"):
        cl.simulate(cl.scenario("avoidant-anxious"), n=1_000_000)
    # Every day kept: 90 bytes a couple-day on top, so 10,000 couples over ten years is 3.5 GB.
    with pytest.raises(InputError, match=r"results alone need 3\.5 GB"):
        cl.simulate(cl.scenario("avoidant-anxious"), n=10_000, daily=True)


def test_the_estimates_match_a_small_run(couple_ds, person_ds, couple_sc, person_sc) -> None:
    """The Dataset bytes per unit-month the refusal of ``simulate`` rests on, measured again."""
    from closeloop import engine, sizing

    assert sizing.SNAP_DAYS == engine.SNAP_DAYS and sizing.CHUNK == engine.CHUNK
    for ds, kind in ((couple_ds, "couple"), (person_ds, "person")):
        months = ds.sizes["month"]
        per = ds.nbytes / ds.attrs["n"] / months
        # A tiny run's fixed parts (coordinates) weigh more per unit; never less than measured.
        assert per >= 0.9 * sizing.RESULT_BYTES_PER_UNIT_MONTH[kind], (kind, per)
    for sc in (couple_sc, person_sc):
        daily = cl.simulate(sc, n=2, daily=True)
        per_day = sum(daily[k].nbytes for k in daily.data_vars if "day" in daily[k].dims)
        assert per_day / 2 / DAYS == sizing.DAILY_RESULT_BYTES_PER_UNIT_DAY[sc.kind]


# ---------------------------------------------------------------- 4. interventions past the end


def test_an_intervention_after_the_last_day_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "late.toml"
    path.write_text(
        'kind = "couple"\ndays = 30\na = "avoidant"\nb = "anxious"\n'
        '[[interventions]]\nkind = "therapy"\nstart = 100\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as e:
        cl.load_scenario(path)
    msg = str(e.value)
    assert "'therapy'" in msg and "day 100" in msg and "30 days" in msg and "\n" not in msg
    with pytest.raises(InputError, match=r"'therapy' intervention starts on day 730.*365 days"):
        cl.scenario("therapy-alone").replace(days=365)
    # Starting on the last day runs one day, and is allowed.
    assert cl.scenario("therapy-alone").replace(days=731).days == 731


# ---------------------------------------------------------------- 5. the smaller ones


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("a = " + "[" * 50_000 + "]" * 50_000, "nested too deeply"),
        ("", "is empty"),
        ("# only a comment\n\n", "is empty"),
        ("[world]\ndepth_lo = 4\ndepth_hi = 1\n", "'world.depth_hi'"),
        ("[world]\ndepth_lo = 3\n[world.x]\n", "world"),
    ],
)
def test_bad_scenario_files_are_one_line(text: str, part: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as e:
        cl.load_scenario(path)
    assert part in str(e.value) and "\n" not in str(e.value)


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b'\xef\xbb\xbfkind = "person"\ndays = 30\n')
    assert cl.load_scenario(path).days == 30


def test_depth_lo_above_depth_hi_is_refused() -> None:
    sc = cl.scenario("rising-closeness")
    with pytest.raises(InputError, match=r"'world.depth_hi'.*at least depth_lo \(3\)"):
        sc.replace(world={"depth_lo": 3.0, "depth_hi": 2.0})
    assert sc.replace(world={"depth_lo": 2.0, "depth_hi": 2.0}).world["depth_hi"] == 2.0
    assert sc.replace(world={"depth_lo": 4.0}).world == {"depth_lo": 4.0}  # default depth_hi 4


def test_an_overflowing_mix_names_its_field_before_the_folder_exists(
    tmp_path: Path, no_simulation: None
) -> None:
    path = tmp_path / "huge.toml"
    path.write_text(
        'kind = "couple"\ndays = 30\na = {avoidant = 1e308, secure = 1e308}\nb = "anxious"\n',
        encoding="utf-8",
    )
    out = tmp_path / "o"
    res = runner.invoke(app, ["run", str(path), "--out", str(out), "--n", "2"])
    assert res.exit_code == 2
    line = _one_error_line(res.output)
    assert "'a' parameter" in line and "finite" in line
    assert not out.exists()


def test_numpy_integers_are_integers() -> None:
    sc = cl.scenario("relapse-under-stress")
    assert sc.replace(days=np.int64(450)).days == 450
    assert type(sc.replace(days=np.int32(450)).days) is int
    iv = cl.Scenario(
        days=np.uint16(90),
        interventions=[{"kind": "therapy", "start": np.int64(0), "intensity": np.float32(0.5)}],
    ).interventions[0]
    assert (iv.start, iv.intensity) == (0, 0.5)
    assert cl.Scenario(
        population={"avoidant": np.int64(2), "secure": np.float32(2)}
    ).population == {
        "avoidant": 0.5,
        "secure": 0.5,
    }
    with pytest.raises(InputError, match="Got True instead"):
        sc.replace(days=True)
    with pytest.raises(InputError, match="Got True instead"):
        sc.replace(days=np.bool_(True))


@pytest.mark.parametrize("bad", [None, 3, ["avoidant-anxious"]])
def test_a_scenario_argument_is_a_scenario_a_name_or_a_path(bad: object) -> None:
    with pytest.raises(InputError, match="'scenario' parameter"):
        cl.scenario(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="'scenario' parameter"):
        cl.simulate(bad, n=2)  # type: ignore[arg-type]


def test_a_scenario_name_or_path_is_accepted_where_a_scenario_is(tmp_path: Path) -> None:
    sc = cl.scenario("avoidant-anxious")
    assert cl.scenario(sc) is sc
    path = tmp_path / "p.toml"
    path.write_text('kind = "person"\ndays = 30\n', encoding="utf-8")
    assert cl.scenario(path).days == 30  # a pathlib.Path, not only a string
    with pytest.raises(InputError, match="did you mean 'avoidant-anxious'"):
        cl.simulate("avoidant-anxous", n=2)


@pytest.mark.parametrize(
    ("changes", "hint"),
    [
        ({"dayz": 30}, "did you mean 'days'?"),
        ({"interventions": [{"kind": "theraphy"}]}, "did you mean 'therapy'?"),
        ({"kind": "couples"}, "did you mean 'couple'?"),
    ],
)
def test_mistyped_names_get_a_suggestion(changes: dict, hint: str) -> None:
    with pytest.raises(InputError, match=hint.replace("?", r"\?")):
        cl.Scenario(**changes)


@pytest.mark.parametrize(
    ("args", "value"),
    [
        (["run", "avoidant-anxious", "--out", "o", "--n", "abc"], "'abc'"),
        (["run", "avoidant-anxious", "--out", "o", "--seed=1.5"], "'1.5'"),
        (["demo", "--n", "many"], "'many'"),
        (["run", "avoidant-anxious"], "'--out'"),
        (["run", "avoidant-anxious", "--out", "o", "--nn", "3"], "--nn"),
        (["runn"], "did you mean 'run'?"),
    ],
)
def test_usage_errors_are_one_line_repeating_the_value(args: list[str], value: str) -> None:
    res = runner.invoke(app, args)
    assert res.exit_code == 2
    line = _one_error_line(res.output)
    assert value.lower() in line.lower(), line


def test_bad_input_is_refused_before_jax_loads(tmp_path: Path) -> None:
    """Validation runs before the engine is imported: no engine (and no compiled program) in the
    process, and quick. JAX itself may be loaded: the parameter classes are JAX pytrees. (No
    case here may reach the engine: the code before the fix would start simulating it.)"""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from closeloop.cli import app\n"
        "r = CliRunner()\n"
        f"out = {str(tmp_path / 'o')!r}\n"
        "for args in (['run', 'avoidant-anxious', '--out', out, '--n', '0'],\n"
        "             ['run', 'avoidant-anxious', '--out', out, '--diary-couples', '-1'],\n"
        "             ['run', 'avoidant-anxious', '--out', '/proc/x', '--n', '5'],\n"
        "             ['run', 'avoidant-anxious', '--compare', 'warm-partner', '--out', out],\n"
        "             ['demo', '--out', '/proc/x']):\n"
        "    assert r.invoke(app, args).exit_code == 2, args\n"
        "print('closeloop.engine' in sys.modules)\n"
    )
    t = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False", res.stdout + res.stderr
    assert time.perf_counter() - t < 30  # JAX alone takes 3 to 16 s; five runs would show it


def test_atomic_writes_fsync_the_file_and_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real = os.fsync

    def spy(fd: int) -> None:
        synced.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real(fd)

    monkeypatch.setattr(os, "fsync", spy)
    cio.write_text(tmp_path / "a.txt", "a")
    assert synced == ["file", "folder"]
