"""Atomic writes and output-folder safety."""

from __future__ import annotations

import os
import stat

import pytest

from closeloop.errors import InputError
from closeloop.io import MARKER, atomic_write, prepare_out, write_bytes, write_text


def _half_then_fail(exc: BaseException):
    def write(p):
        p.write_text("half a fil", encoding="utf-8")
        raise exc

    return write


@pytest.mark.parametrize("exc", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_a_failed_write_leaves_no_file_and_no_temp(tmp_path, exc):
    target = tmp_path / "sub" / "report.html"
    with pytest.raises(type(exc)):
        atomic_write(target, _half_then_fail(exc))
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


def test_a_failed_write_keeps_the_previous_file(tmp_path):
    target = tmp_path / "summary.txt"
    write_text(target, "the old, complete summary\n")
    with pytest.raises(RuntimeError):
        atomic_write(target, _half_then_fail(RuntimeError("boom")))
    assert target.read_text(encoding="utf-8") == "the old, complete summary\n"
    assert [p.name for p in tmp_path.iterdir()] == ["summary.txt"]


def test_the_final_name_appears_only_when_complete(tmp_path):
    target = tmp_path / "data.bin"
    seen = []

    def write(p):
        p.write_bytes(b"x" * 1000)
        seen.append(target.exists())

    atomic_write(target, write)
    assert seen == [False]
    assert target.read_bytes() == b"x" * 1000
    assert [p.name for p in tmp_path.iterdir()] == ["data.bin"]


def test_write_text_and_bytes_replace_whole_files(tmp_path):
    t = write_text(tmp_path / "a.txt", "long text " * 100)
    write_text(t, "short")
    assert t.read_text(encoding="utf-8") == "short"
    b = write_bytes(tmp_path / "b.bin", b"\x00\x01")
    assert b.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin"]


def test_written_files_get_ordinary_permissions(tmp_path):
    ordinary = tmp_path / "ordinary.txt"
    ordinary.write_text("x", encoding="utf-8")
    written = write_text(tmp_path / "written.txt", "x")
    assert stat.S_IMODE(written.stat().st_mode) == stat.S_IMODE(ordinary.stat().st_mode)


# ---------------------------------------------------------------- prepare_out


def test_a_missing_folder_is_created_and_marked(tmp_path):
    out = prepare_out(tmp_path / "a" / "b")
    assert out.is_dir() and (out / MARKER).is_file()


def test_an_empty_folder_is_used(tmp_path):
    out = prepare_out(tmp_path)
    assert (out / MARKER).is_file()


def test_a_foreign_folder_is_refused_without_force(tmp_path, one_line):
    (tmp_path / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(InputError) as e:
        prepare_out(tmp_path)
    one_line(e.value, "'out'", str(tmp_path), "--force")
    assert not (tmp_path / MARKER).exists(), "refused, yet marked as closeloop's"
    prepare_out(tmp_path, force=True)
    assert (tmp_path / MARKER).is_file()
    assert (tmp_path / "thesis.docx").read_text(encoding="utf-8") == "precious"


def test_a_folder_closeloop_wrote_is_accepted(tmp_path):
    out = prepare_out(tmp_path / "run")
    (out / "report.html").write_text("<html/>", encoding="utf-8")
    assert prepare_out(out) == out


@pytest.mark.parametrize("force", [False, True])
def test_a_file_is_refused(tmp_path, force, one_line):
    f = tmp_path / "out"
    f.write_text("not a folder", encoding="utf-8")
    with pytest.raises(InputError) as e:
        prepare_out(f, force=force)
    one_line(e.value, "'out'", str(f))
    assert f.read_text(encoding="utf-8") == "not a folder"


def test_prepare_out_leaves_no_temp_files(tmp_path):
    prepare_out(tmp_path)
    prepare_out(tmp_path)
    assert os.listdir(tmp_path) == [MARKER]
