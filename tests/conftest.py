"""Shared fixtures for the unit tests.

JAX compiles the engine once per distinct ``days`` value, ``daily`` flag and table shape (about
5-8 s each on two cores). Every engine-level test therefore uses the same ``DAYS`` and the same
base scenario (every preset, so the population tables always have the same shapes); the runs
that several tests read are session-scoped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import closeloop as cl
from closeloop import engine, mechanisms
from closeloop.errors import InputError
from closeloop.params import world_params
from closeloop.simulation import population_tables

DAYS = 40
"""Adult days of every engine run in the suite: not a multiple of engine.SNAP_DAYS, so the padded
last block is exercised."""


@pytest.fixture(scope="session")
def days() -> int:
    """``DAYS``, for test modules (they do not import conftest)."""
    return DAYS


@pytest.fixture(scope="session")
def base_scenario() -> cl.Scenario:
    """Every preset; partner and friends; offers on 60% of days, deepening over 20 days."""
    world = {
        "ramp_days": 20.0,
        "friend_share": 0.3,
        "offer_rate": 0.6,
        "pressure": 0.3,
        "hurt_rate": 0.1,
    }
    return cl.scenario("rising-closeness").replace(days=DAYS, world=world)


@pytest.fixture(scope="session")
def base_tables(base_scenario: cl.Scenario) -> dict[str, np.ndarray]:
    return population_tables(base_scenario.population, base_scenario.traits)


@pytest.fixture(scope="session")
def base_world(base_scenario: cl.Scenario):
    return world_params(**base_scenario.world)


@pytest.fixture(scope="session")
def run(base_tables, base_world) -> Callable[..., dict]:
    """``run(n, seed=0, daily=False, tables=..., world=..., ablate=())``: a raw engine run."""

    def _run(n, seed=0, *, daily=False, tables=None, world=None, ablate=()):
        return engine.run_population(
            n,
            seed,
            base_tables if tables is None else tables,
            base_world if world is None else world,
            mechanisms.flags(ablate),
            days=DAYS,
            daily=daily,
        )

    return _run


@pytest.fixture(scope="session")
def ds_daily(base_scenario):
    """A small population with every day kept."""
    return cl.simulate(base_scenario, n=6, seed=11, daily=True)


@pytest.fixture(scope="session")
def ds_summary(base_scenario):
    """The same population as ``ds_daily``, streaming summaries only."""
    return cl.simulate(base_scenario, n=6, seed=11)


def _check_one_line(err: BaseException, *parts: str) -> str:
    """Assert ``err`` is an InputError with a one-line message containing every part."""
    assert isinstance(err, InputError), f"{type(err).__name__}: {err}"
    msg = str(err)
    assert msg, "empty message"
    assert "\n" not in msg and "\r" not in msg, f"message spans lines: {msg!r}"
    for p in parts:
        assert p in msg, f"{p!r} not in message {msg!r}"
    return msg


@pytest.fixture(scope="session")
def one_line() -> Callable[..., str]:
    """``one_line(exc, *parts)``: the standard one-line InputError naming every part."""
    return _check_one_line


@pytest.fixture(scope="session")
def jax_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A persistent compilation cache that Dask workers share with this process: they load the
    engine program compiled here instead of compiling it again (seconds, not a minute)."""
    import jax

    path = tmp_path_factory.mktemp("jax-cache")
    if jax.config.jax_compilation_cache_dir is None:
        jax.config.update("jax_compilation_cache_dir", str(path))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 1.0)
    return Path(jax.config.jax_compilation_cache_dir)
