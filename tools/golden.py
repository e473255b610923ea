"""Record or check the golden run: every shipped scenario at a small size with a fixed seed.

The golden run pins the model's behaviour bit for bit across refactors. Each scenario is
simulated with ``N`` units and seed ``SEED`` at a shortened horizon (long enough for every
scenario's interventions to start), and the SHA-256 of every output variable is stored in
``tests/golden/golden.json``. ``python tools/golden.py --check`` compares; ``--write`` records
anew (only when a change of behaviour is intended and explained in the commit).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

import closeloop as cl

N = 6
SEED = 11
GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "golden" / "golden.json"


def horizon(sc: cl.Scenario) -> int:
    """A short horizon that still covers every intervention's start and every adult event
    (and a little after)."""
    ends = [min(iv.end, iv.start + 60) for iv in sc.interventions]
    ends += [iv.end + 30 for iv in sc.interventions if iv.end < sc.days]
    ends += [ev.day + 60 for ev in sc.events]  # an adult event and a month after it
    return min(sc.days, max([120, *ends]))


def digest(name: str) -> dict[str, str]:
    sc = cl.scenario(name)
    sc = sc.replace(days=horizon(sc)) if sc.days != horizon(sc) else sc
    ds = cl.simulate(sc, n=N, seed=SEED)
    out = {}
    for var in sorted(ds.data_vars):
        a = np.ascontiguousarray(ds[var].values)
        b = json.dumps(a.tolist()).encode() if a.dtype == object else a.tobytes()
        out[var] = hashlib.sha256(b).hexdigest()[:16]
    return out


def record() -> dict[str, dict[str, str]]:
    return {name: digest(name) for name in cl.scenarios()}


def main() -> int:
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", action="store_true")
    g.add_argument("--check", action="store_true")
    args = ap.parse_args()
    now = record()
    if args.write:
        GOLDEN.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN}")
        return 0
    old = json.loads(GOLDEN.read_text())
    bad = []
    for name in sorted(set(old) | set(now)):
        a, b = old.get(name, {}), now.get(name, {})
        for var in sorted(set(a) | set(b)):
            if a.get(var) != b.get(var):
                bad.append(f"{name}.{var}: {a.get(var)} -> {b.get(var)}")
    print("\n".join(bad) if bad else "golden run unchanged")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
