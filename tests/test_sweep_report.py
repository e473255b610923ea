"""Claim verdicts as sweep outputs, and the HTML sensitivity report of a finished sweep."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import closeloop as cl
from closeloop.errors import InputError
from closeloop.simulation import NOTICE
from closeloop.sweep import parse_sweep, run_sweep

TINY: dict[str, Any] = {
    "scenario": "avoidant-anxious",
    "design": "saltelli",
    "points": 8,
    "couples": 2,
    "days": 60,
    "parameters": {"bid_rate": {}, "criticism": {}},
    "outputs": {"summaries": ["ended", "sat"]},
}


@pytest.mark.parametrize(
    ("outputs", "params", "field"),
    [
        ({"claims": ["Z9"]}, {"bid_rate": {}}, "outputs.claims"),
        ({"claims": "D6"}, {"bid_rate": {}}, "outputs.claims"),
        ({"claims": ["D6"], "claim_scale": 0}, {"bid_rate": {}}, "outputs.claim_scale"),
        ({"claims": ["D6"]}, {"bid_rate": {}, "threshold": {}}, "parameters.threshold"),
    ],
)
def test_bad_claim_outputs_are_one_line_errors(
    outputs: dict[str, Any], params: dict[str, Any], field: str
) -> None:
    data = {"scenario": "avoidant-anxious", "points": 2, "parameters": params, "outputs": outputs}
    with pytest.raises(InputError) as e:
        parse_sweep(data)
    assert field in str(e.value) and "\n" not in str(e.value)


@pytest.mark.slow
def test_a_tiny_sweep_with_a_claim_output_runs_in_process() -> None:
    t = cl.sweep(
        {
            "scenario": "avoidant-anxious",
            "design": "lhs",
            "points": 2,
            "couples": 2,
            "days": 30,
            # A daily break-up chance of up to 5% leaves no years-long pursue-withdraw phase.
            "parameters": {"hazard_base": {"low": 0.02, "high": 0.05}},
            "outputs": {"claims": ["D6"], "claim_scale": 0.1, "summaries": ["ended"]},
        }
    )
    assert list(t["claim_D6"]) == [0.0, 0.0]
    assert (t["claim_D6_effect"] < 12).all()


def test_the_report_is_atomic_has_the_notice_and_its_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from closeloop.sweep import report

    out = tmp_path / "sweep"
    run_sweep(parse_sweep(TINY), out, scheduler="inline")
    written: list[str] = []
    real_text, real_bytes = report.write_text, report.write_bytes

    def text(path: Any, s: str) -> Path:
        written.append(Path(path).name)
        return real_text(path, s)

    def data(path: Any, b: bytes) -> Path:
        written.append(Path(path).name)
        return real_bytes(path, b)

    monkeypatch.setattr(report, "write_text", text)
    monkeypatch.setattr(report, "write_bytes", data)
    path = report.write_report(out)
    page = path.read_text(encoding="utf-8")
    assert NOTICE.replace("&", "&amp;") in page
    figures = re.findall(r'src="([^"]+)"', page)
    assert len(figures) == 4  # heat map, scatter, indices, convergence
    for f in figures:
        assert (out / f).is_file() and f in written
    assert "report.html" in written  # every file through closeloop.io's atomic writes
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert "http" not in page  # no CDN: the page stands alone
    assert "from 4 to 8 base samples" in page


def test_the_report_refuses_a_folder_without_a_sweep(tmp_path: Path) -> None:
    from closeloop.sweep.report import write_report

    with pytest.raises(InputError, match="finished sweep"):
        write_report(tmp_path)
