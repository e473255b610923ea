"""closeloop: an executable, tested model of intimacy avoidance.

The public API is this short list; everything else is internal and may change.

    import closeloop as cl
    cl.scenarios()                                  # names in the shipped library
    sc = cl.scenario("rising-closeness")            # or cl.load_scenario("my.toml")
    sc = sc.replace(days=730)                       # immutable; returns a new, validated scenario
    ds = cl.simulate(sc, n=1000, seed=0)            # xarray.Dataset
    results = cl.check_claims(quick=True)           # list of claim results
    cl.write_report(ds, "out/")                     # HTML + PNG + summary + data

Educational model, not a diagnosis or treatment. In a crisis in the US, call or text 988.
"""

from closeloop.claims import check_claims
from closeloop.errors import InputError
from closeloop.scenario import Scenario, load_scenario, scenario, scenarios
from closeloop.simulate import simulate

__all__ = [
    "InputError",
    "check_claims",
    "Scenario",
    "load_scenario",
    "scenario",
    "scenarios",
    "simulate",
]
__version__ = "0.1.0"
