"""Run the calibration figures (K1 to K11) on closeloop and on the simpler models beside it;
record docs/calibration-variants.json and the figures x models table of docs/calibration.md.

``closeloop.docs`` renders the same table in docs/model.md section 22 from the recorded JSON.
Each model's rows are written as soon as they are known (atomically), so a run cut short keeps
what it has, and ``--variant`` reruns one column alone::

    uv run python tools/calibration_variants.py                   # every model, 2048 units
    uv run python tools/calibration_variants.py --variant linear  # one column
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

from closeloop.calibration import HELD_OUT, validate
from closeloop.calibration.variants_table import RECORDED, calibration_variants_table
from closeloop.io import write_text
from closeloop.model import variants

CALIBRATION_MD = Path(__file__).resolve().parents[1] / "docs" / "calibration.md"
BLOCK = re.compile(
    r"(<!-- BEGIN GENERATED: calibration-variants -->\n)(.*?)"
    r"(<!-- END GENERATED: calibration-variants -->)",
    re.DOTALL,
)


def write_block(text: str, table: str) -> str:
    """``text`` with its calibration-variants block replaced by ``table``."""
    if not BLOCK.search(text):
        raise ValueError("docs/calibration.md has no calibration-variants block")
    return BLOCK.sub(lambda m: m.group(1) + table.rstrip("\n") + "\n" + m.group(3), text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", action="append", choices=variants.NAMES, help="repeatable")
    ap.add_argument("--quick", action="store_true", help="512 units instead of 2048")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=RECORDED)
    args = ap.parse_args(argv)
    n = 512 if args.quick else 2048
    data: dict[str, Any] = {}
    if args.out.exists():
        data = json.loads(args.out.read_text(encoding="utf-8"))
    if data.get("n") != n or data.get("seed") != args.seed:
        data = {"n": n, "seed": args.seed, "models": {}}
    data["held_out"] = list(HELD_OUT)
    for v in args.variant or variants.NAMES:
        t0 = time.perf_counter()
        rows = validate(quick=args.quick, seed=args.seed, variant=v)
        seconds = round(time.perf_counter() - t0, 1)
        data["models"][v] = {"seconds": seconds, "figures": [r.to_dict() for r in rows]}
        data["date"] = dt.date.today().isoformat()
        write_text(args.out, json.dumps(data, indent=1) + "\n")
        print(f"calibration_variants: {v} in {seconds} s", file=sys.stderr, flush=True)
    table = calibration_variants_table(args.out)
    if table is not None and CALIBRATION_MD.exists():
        text = CALIBRATION_MD.read_text(encoding="utf-8")
        if BLOCK.search(text):
            write_text(CALIBRATION_MD, write_block(text, table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
