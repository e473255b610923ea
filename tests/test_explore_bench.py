"""``closeloop bench --explore``: its refusals, its skip without a browser, its summary. The
measurement itself runs a server and chromium (minutes); its numbers are in the notes, and no
test asserts on time."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from closeloop.cli import app
from closeloop.errors import InputError
from closeloop.explore import bench


def test_skips_with_the_reason_without_chromium(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "CHROMIUM", Path("/nonexistent/chromium"))
    res = CliRunner().invoke(app, ["bench", "--explore", "--quick"])
    assert res.exit_code == 0
    assert "Skipped" in res.output and "/nonexistent/chromium" in res.output
    assert "Traceback" not in res.output


def test_refuses_a_bad_number_of_moves() -> None:
    with pytest.raises(InputError, match="'moves'"):
        bench.run(moves=0)


def test_summary_reads_against_the_targets() -> None:
    r = {
        "moves": 3,
        "couples": 200,
        "days": None,
        "start_s": 12.0,
        "redraw_ms": bench.percentiles([100.0, 200.0, 900.0]),
        "server_ms": bench.percentiles([50.0, 60.0, 70.0]),
        "engine_ms": bench.percentiles([40.0, 50.0, 60.0]),
        "met": {"redraw": False, "server": True},
    }
    assert r["redraw_ms"]["p50"] == 200.0 and r["redraw_ms"]["p95"] == pytest.approx(830.0)
    text = bench.render(r)
    assert "NOT met" in text and "p95 < 500 ms" in text and "200 couples" in text
