"""Couples therapy's effect on satisfaction, as measured for docs/model.md 13.7.

The scenario (``couples-therapy`` unless named) is run with and without its course, same seed and
same people, to 100 days past the course. At the monthly snapshot nearest the course's start,
middle and end, among couples together in both runs, it prints Cohen's d (pooled SD) of both
members' mean satisfaction, the course's run against the other, and the no-course run's mean
pursuit near day 1000 per member. ``--partner-weight`` sets that relationship parameter (0: the
picture of the other does not enter satisfaction). Usage:

    uv run python tools/therapy_effect.py [--n 400] [--scenario couples-therapy]
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import xarray as xr

import closeloop as cl
from closeloop.claims.yardstick import cohen_d


def _month(ds: xr.Dataset, day: int) -> int:
    return int(ds.month.values[np.argmin(np.abs(ds.month.values - day))])


def _together(ds: xr.Dataset, day: int) -> np.ndarray:
    end = ds.end_day.values
    return (end < 0) | (end > day)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=400)
    ap.add_argument("--scenario", default="couples-therapy")
    ap.add_argument("--partner-weight", type=float, default=None)
    args = ap.parse_args()
    sc = cl.scenario(args.scenario)
    course = next(i for i in sc.interventions if i.kind == "couples_therapy")
    sc = sc.replace(days=course.end + 100)
    if args.partner_weight is not None:
        sc = sc.replace(relationship={"partner_weight": args.partner_weight})
    treated = cl.simulate(sc, n=args.n, seed=0)
    untreated = cl.simulate(sc.replace(interventions=[]), n=args.n, seed=0)
    out: dict[str, object] = {"n": args.n, "scenario": args.scenario}
    mid = (course.start + course.end) // 2
    for label, day in (("start", course.start), ("mid", mid), ("end", course.end)):
        m = _month(treated, day)
        ok = _together(treated, day) & _together(untreated, day)
        a = treated.sat.sel(month=m).mean("member").values[ok]
        b = untreated.sat.sel(month=m).mean("member").values[ok]
        out[f"d_sat_{label}"] = round(cohen_d(a, b), 3)
        out[f"sat_{label}"] = [round(float(a.mean()), 4), round(float(b.mean()), 4)]
    pursuit = untreated.pursuit.sel(month=_month(untreated, 1000)).mean("couple").values
    out["untreated_pursuit_day_1000"] = [round(float(x), 4) for x in pursuit]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
