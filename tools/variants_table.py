"""Run the claims on closeloop and on the simpler models beside it; record docs/variants.json.

``closeloop.docs`` renders the table of docs/model.md section 20 from the recorded JSON and never
reruns the claims. Each claim's result is written as soon as it is known (atomically), so a run
cut short keeps what it has, and ``--variant`` reruns one column alone::

    uv run python tools/variants_table.py                    # every variant, quick
    uv run python tools/variants_table.py --variant erasure  # one column
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from closeloop.claims import CLAIMS, check_claims
from closeloop.claims.registry import ClaimResult
from closeloop.io import write_text
from closeloop.model import variants

OUT = Path(__file__).resolve().parents[1] / "docs" / "variants.json"


def _num(x: float) -> float | None:
    return None if math.isnan(x) else round(float(x), 4)


def entry(r: ClaimResult) -> dict[str, Any]:
    """One cell of the table: the verdict and the headline effect with its interval."""
    failed = [c.name for c in r.conditions if not c.passed]
    return {
        "verdict": r.verdict,
        "effect": _num(r.effect),
        "ci": [_num(r.ci[0]), _num(r.ci[1])],
        "threshold": _num(r.threshold),
        "direction": r.direction,
        "failed_conditions": failed,
        "why_not_applicable": str(r.notes.get("not applicable", "")),
        "n": r.n,
        "seconds": round(r.seconds, 1),
    }


def load(path: Path) -> dict[str, Any]:
    if path.exists():
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    return {"quick": True, "seed": 0, "variants": list(variants.NAMES), "claims": {}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--variant", action="append", choices=variants.NAMES, help="repeatable")
    ap.add_argument("--only", default=None, help="claims whose id starts with this prefix")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    data = load(args.out)
    data.update(quick=True, seed=args.seed, variants=list(variants.NAMES))
    for v in args.variant or variants.NAMES:
        for c in CLAIMS:
            if args.only and not c.id.upper().startswith(args.only.upper()):
                continue
            (r,) = check_claims(quick=True, only=c.id, seed=args.seed, variant=v)
            if r.id != c.id:  # "P1" is also a prefix of "P10": keep the exact one
                continue
            row = data["claims"].setdefault(c.id, {"statement": c.statement, "results": {}})
            row["statement"] = c.statement
            row["results"][v] = entry(r)
            write_text(args.out, json.dumps(data, indent=1, sort_keys=True) + "\n")
            print(f"{v:10s} {c.id:4s} {r.verdict:5s} {r.seconds:7.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
