"""The golden run: every shipped scenario, small and seeded, gives the recorded bits.

A change of behaviour must be intended: record it anew with ``python tools/golden.py --write``
and say in the commit which outputs changed and why.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_golden_run_is_unchanged() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "golden.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-4000:]


def test_golden_covers_the_library() -> None:
    import closeloop as cl

    recorded = json.loads((ROOT / "tests" / "golden" / "golden.json").read_text())
    assert sorted(recorded) == sorted(cl.scenarios())
