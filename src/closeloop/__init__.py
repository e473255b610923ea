"""closeloop: an executable, tested model of intimacy avoidance.

The public API is this short list; everything else is internal and may change.

    import closeloop as cl
    cl.scenarios()                                  # names in the shipped library
    sc = cl.scenario("avoidant-anxious")            # or cl.load_scenario("my.toml")
    sc = sc.replace(days=730)                       # immutable; returns a new, validated scenario
    ds = cl.simulate(sc, n=1000, seed=0)            # xarray.Dataset
    table = cl.diary(ds, seed=0)                    # the daily-diary table (couples, daily=True)
    answers = cl.questionnaire(ds, seed=0)          # ECR-R scores, categories, CSI-16 per person
    results = cl.check_claims(quick=True)           # list of claim results
    cl.write_report(ds, "out/")                     # HTML + PNG + summary + data
    table = cl.sweep("examples/sweep-bid-rate.toml")  # parameter sweep (pandas table)
    res = cl.fit(table)                             # posterior per couple (res.idata: ArviZ)
    t = cl.design("examples/diary-study.toml")      # power of a diary study (pandas tables)

Educational model, not a diagnosis or treatment. In a crisis in the US, call or text 988.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from closeloop.errors import InputError
from closeloop.scenario import Scenario, load_scenario, scenario, scenarios

__all__ = [
    "InputError",
    "Scenario",
    "check_claims",
    "design",
    "diary",
    "fit",
    "load_scenario",
    "questionnaire",
    "scenario",
    "scenarios",
    "simulate",
    "sweep",
    "write_report",
]
__version__ = "0.1.0"

# The engine (JAX), the report (matplotlib), the diary (pandas) and the claims (scipy,
# scikit-learn) load on first use, so that ``import closeloop`` and every CLI command that does
# not need them start in a fraction of a second (PEP 562).
_LAZY = {
    "simulate": "closeloop.simulation",
    "diary": "closeloop.observation",
    "questionnaire": "closeloop.observation",
    "check_claims": "closeloop.claims",
    "write_report": "closeloop.report",
    "sweep": "closeloop.sweep",
    "fit": "closeloop.fit",
    "design": "closeloop.design",
}

if TYPE_CHECKING:
    from closeloop.claims import check_claims
    from closeloop.design import design
    from closeloop.fit import fit
    from closeloop.observation import diary, questionnaire
    from closeloop.report import write_report
    from closeloop.simulation import simulate
    from closeloop.sweep import sweep


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value  # later lookups skip this hook
        return value
    raise AttributeError(f"module 'closeloop' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
