"""Run every claim under every mechanism's ablation and record the claims x mechanisms table.

    uv run python tools/ablation_matrix.py [--n-scale 0.5] [--only P1 D4] [--resume]

Writes ``docs/ablation-matrix.json`` (atomically, after each mechanism, so that an interrupted
run can be resumed with ``--resume``); ``uv run python -m closeloop.docs`` then renders it into
docs/model.md section 19. It is expensive (about 24 runs of the quick claim suite): run it in the
background, and reduce ``--n-scale`` on a busy machine (the JSON and the rendered block say which
scale was used).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from closeloop.claims.matrix import run_matrix
from closeloop.io import write_text

OUT = Path(__file__).resolve().parents[1] / "docs" / "ablation-matrix.json"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-scale", type=float, default=1.0, help="times each claim's quick size")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", nargs="*", default=[], help="claim ids (default: all)")
    ap.add_argument("--switches", nargs="*", default=[], help="columns: none and/or mechanisms")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--resume", action="store_true", help="keep the cells already in --out")
    args = ap.parse_args(argv)
    if not 0.0 < args.n_scale <= 10.0:
        print(f"ablation_matrix: 'n-scale' is {args.n_scale}; allowed: (0, 10]", file=sys.stderr)
        return 2
    done: list[dict[str, Any]] = []
    if args.resume and args.out.exists():
        old = json.loads(args.out.read_text(encoding="utf-8"))
        if old.get("n_scale") == args.n_scale and old.get("seed") == args.seed:
            done = old["cells"]

    def save(cells: list[dict[str, Any]]) -> None:
        data = {
            "n_scale": args.n_scale,
            "seed": args.seed,
            "date": dt.date.today().isoformat(),
            "cells": cells,
        }
        write_text(args.out, json.dumps(data, indent=1) + "\n")
        print(f"ablation_matrix: {len(cells)} cells in {args.out}", file=sys.stderr, flush=True)

    run_matrix(args.n_scale, args.seed, args.only, done, save, args.switches)
    return 0


if __name__ == "__main__":
    sys.exit(main())
