"""The engine: many people or couples over many days, on one jitted kernel.

Every population runs in fixed-size chunks of ``CHUNK`` units (``_devices``), each unit's randomness
addressed by the run seed and its index (``_keys``), so results are bitwise identical for any batch
size, chunking or device count. Units are drawn and raised to adulthood (``_population``), then a
day kernel is scanned over the adult days by one blocked loop told what to keep by a ``Record``
(``_loop``): ``people`` for person scenarios, ``couples`` for couples, ``linear`` for the linear
couple model beside closeloop; every run returns a ``Run`` (``output``). Parameters, population
tables, schedules and mechanism flags are arguments (data), and parameters may differ unit by
unit, so new values never recompile; only the number of days, the daily flag and (for couples)
whether interventions or therapy exist change the program.
"""

from closeloop.engine._devices import (
    CHUNK,
    by_chunk,
    chunked,
    compiled,
    compiled_count,
    devices,
    unit_first,
    unit_last,
)
from closeloop.engine._keys import draws, fold, unit_keys
from closeloop.engine._loop import SNAP_DAYS, Record, Summary, run
from closeloop.engine._population import N_DRAWS, couple_start, person_start
from closeloop.engine.couples import RECORD as COUPLE_RECORD
from closeloop.engine.couples import count as couple_count
from closeloop.engine.couples import couple_threat, run_couples
from closeloop.engine.linear import ABSENT as LINEAR_ABSENT
from closeloop.engine.linear import RECORD as LINEAR_RECORD
from closeloop.engine.linear import run_linear
from closeloop.engine.output import Run
from closeloop.engine.people import RECORD as PEOPLE_RECORD
from closeloop.engine.people import person_day, run_population

__all__ = [
    "CHUNK",
    "COUPLE_RECORD",
    "LINEAR_ABSENT",
    "LINEAR_RECORD",
    "N_DRAWS",
    "PEOPLE_RECORD",
    "SNAP_DAYS",
    "Record",
    "Run",
    "Summary",
    "by_chunk",
    "chunked",
    "compiled",
    "compiled_count",
    "couple_count",
    "couple_start",
    "couple_threat",
    "devices",
    "draws",
    "fold",
    "person_day",
    "person_start",
    "run",
    "run_couples",
    "run_linear",
    "run_population",
    "unit_first",
    "unit_keys",
    "unit_last",
]
