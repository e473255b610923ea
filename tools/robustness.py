"""Check every claim at points drawn over the fitting priors; record docs/robustness.json.

``closeloop.docs`` renders the "robustness" block of docs/model.md section 19 from the recorded
JSON and never reruns the claims. The document is rewritten (atomically) after each point, so a
run cut short keeps the points it finished::

    uv run python tools/robustness.py                          # 12 points, quick size x 0.25
    uv run python tools/robustness.py --points 16 --scale 0.5
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from closeloop.claims.robustness import run_robustness
from closeloop.errors import InputError
from closeloop.io import write_text

OUT = Path(__file__).resolve().parents[1] / "docs" / "robustness.json"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=12, help="Sobol' points (default 12)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=0.25, help="share of each claim's quick size")
    ap.add_argument("--only", default=None, help="claims whose id starts with this prefix")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)

    def save(doc: dict[str, Any]) -> None:
        write_text(a.out, json.dumps(doc, indent=1, sort_keys=True) + "\n")

    try:
        doc = run_robustness(
            a.points,
            seed=a.seed,
            scale=a.scale,
            only=a.only,
            progress=lambda line: print(line, file=sys.stderr, flush=True),
            on_point=save,
        )
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    save(doc)
    for line in doc["reading"]:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
