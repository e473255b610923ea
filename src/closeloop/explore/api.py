"""The explorer's requests: validated against the parameter specification, then simulated.

A request names a whole scenario (the same fields as a scenario TOML file), a population size
and a seed. Validation reuses ``Scenario`` (every parameter checked against
``closeloop.params.SPECS``), so the page can set exactly what a TOML file can, and nothing
else. Results are cached by the canonical form of the request: moving a slider back to where it
was redraws at once.
"""

from __future__ import annotations

import math
import threading
import time
import tomllib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import xarray as xr

from closeloop import engine
from closeloop.errors import InputError, bad_value
from closeloop.scenario import COUPLE_ONLY, PERSON_ONLY, Scenario
from closeloop.simulation import check_int, simulate

MAX_N = 2000
"""Most couples per request: one compiled call on two devices (chunks of 1024 couples)."""
MAX_DAYS = 3650
"""Longest horizon per request (ten years), so one request cannot hold the server for long."""
DEFAULT_N = 200
"""The page's population. What the page shows of the population are bands of the 5th, 25th,
50th, 75th and 95th percentiles and shares of couples by pattern: with 200 couples each outer
band still rests on ten couples either side and a share moves in steps of half a percent, while
a run stays a fifth of a thousand couples' (the engine computes whole chunks, sized to this)."""
MIN_CHUNK = 32
"""Fewest couples per device and call: below it XLA's CPU code for the narrower batch rounds
the last bit of some floats differently from the command line's (measured at 8 and 16; 32 and
more give the same bits, tests/test_explore_api.py)."""
MAX_SEQ = 2**53
REQUEST_KEYS = ("scenario", "n", "seed", "seq", "client")
CACHE_SIZE = 8


def _obj(body: Any, field: str) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        raise bad_value(field, type(body).__name__, "a JSON object", "request")
    return body


def check_keys(body: Mapping[str, Any], allowed: tuple[str, ...], where: str = "request") -> None:
    """Refuse unknown keys, naming the first one and the allowed ones."""
    for key in body:
        if key not in allowed:
            names = ", ".join(repr(k) for k in allowed)
            raise InputError(f"Unknown key '{key}' in {where}: allowed keys are {names}.")


def scenario_dict(sc: Scenario) -> dict[str, Any]:
    """The page's form of a scenario: its fields as JSON, without the other kind's keys."""
    data = sc.model_dump(mode="json")
    for key in PERSON_ONLY if sc.kind == "couple" else COUPLE_ONLY:
        data.pop(key, None)
    return data


@dataclass(frozen=True)
class Limits:
    """What one request may ask for: couples per run and days per scenario."""

    max_n: int = MAX_N
    max_days: int = MAX_DAYS


PAGE_LIMITS = Limits()
"""The limits ``closeloop explore`` serves with."""


def parse_scenario(data: Any, limits: Limits = PAGE_LIMITS) -> Scenario:
    """A scenario (couple or person) from the request's ``scenario`` object, within the
    page's limits."""
    sc = Scenario(**_obj(data, "scenario"))
    if sc.days > limits.max_days:
        allowed = f"an integer in [1, {limits.max_days}]"
        raise bad_value("scenario.days", sc.days, allowed, "request")
    return sc


class RunRequest:
    """One validated simulate request."""

    def __init__(self, body: Any, limits: Limits = PAGE_LIMITS) -> None:
        body = _obj(body, "body")
        check_keys(body, REQUEST_KEYS)
        if "scenario" not in body:
            raise bad_value(
                "scenario", None, "a scenario object (the fields of a TOML file)", "request"
            )
        self.scenario = parse_scenario(body["scenario"], limits)
        self.n = check_int("n", body.get("n", DEFAULT_N), 1, limits.max_n, "request")
        self.seed = check_int("seed", body.get("seed", 0), 0, 2**31 - 1, "request")
        self.seq = check_int("seq", body.get("seq", 0), 0, MAX_SEQ, "request")
        client = body.get("client", "")
        if not isinstance(client, str) or len(client) > 64:
            raise bad_value("client", client, "a string of at most 64 characters", "request")
        self.client = client

    def key(self) -> str:
        return f"{self.scenario.to_json()}|{self.n}|{self.seed}"


class Superseded(Exception):
    """A newer request from the same page arrived while this one waited."""


class Runner:
    """Runs one simulation at a time (the engine uses every core), newest request first.

    A request waiting for the engine is dropped when a newer one from the same page (same
    ``client``, higher ``seq``) has arrived: the page only wants the latest state.
    """

    def __init__(self, n: int = DEFAULT_N) -> None:
        # One chunk per device holds the page's whole population: no padding computed, and
        # every population size runs the same compiled program (larger ones in several calls).
        per_device = math.ceil(n / len(engine.devices()))
        self.chunk = min(engine.CHUNK, max(MIN_CHUNK, per_device))
        self._lock = threading.Lock()
        self._latest: dict[str, int] = {}
        self._cache: OrderedDict[str, xr.Dataset] = OrderedDict()
        self._meta = threading.Lock()
        self.waiting = 0  # requests waiting for the engine (the warming thread gives way)

    def note(self, client: str, seq: int) -> None:
        with self._meta:
            if client:
                self._latest[client] = max(seq, self._latest.get(client, -1))
                if len(self._latest) > 1000:  # bounded: forget the oldest pages
                    self._latest.pop(next(iter(self._latest)))

    def _check(self, client: str, seq: int) -> None:
        if client and self._latest.get(client, -1) > seq:
            raise Superseded

    def warm(self, scenarios: list[Scenario]) -> None:
        """Compile the engine's program for each scenario's shape (one small run each), giving
        way to the page: each takes the engine only while no request waits for it."""
        done: set[tuple[str, int, bool, bool]] = set()
        for sc in scenarios:
            shape = (
                sc.kind,
                sc.days,
                bool(sc.interventions or sc.events),
                any(iv.kind == "therapy" for iv in sc.interventions),
            )
            if shape in done:
                continue
            done.add(shape)
            while self.waiting:
                time.sleep(0.05)
            with self._lock:
                simulate(sc, n=1, seed=0, chunk=self.chunk)

    def dataset(
        self, sc: Scenario, n: int, seed: int, client: str = "", seq: int = 0
    ) -> tuple[xr.Dataset, float]:
        """The simulated Dataset (cached) and the seconds the engine took (0 when cached)."""
        key = f"{sc.to_json()}|{n}|{seed}"
        with self._meta:  # a cached run never waits for the engine to finish another
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key], 0.0
            self.waiting += 1
        try:
            self._lock.acquire()
        finally:
            with self._meta:
                self.waiting -= 1
        try:
            self._check(client, seq)
            with self._meta:
                if key in self._cache:  # run while this request waited
                    return self._cache[key], 0.0
            t0 = time.perf_counter()
            ds = simulate(sc, n=n, seed=seed, chunk=self.chunk)
            took = time.perf_counter() - t0
            with self._meta:
                self._cache[key] = ds
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            return ds, took
        finally:
            self._lock.release()


def parse_toml(body: Any, limits: Limits = PAGE_LIMITS) -> Scenario:
    """The scenario of an imported TOML text (``{"toml": "..."}``)."""
    body = _obj(body, "body")
    check_keys(body, ("toml",))
    text = body.get("toml")
    if not isinstance(text, str):
        raise bad_value("toml", text, "the text of a scenario TOML file", "request")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"The imported file is not valid TOML: {e}.") from None
    return parse_scenario(data, limits)
