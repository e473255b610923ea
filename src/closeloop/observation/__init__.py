"""The observation model: what a study of simulated people would record.

Two instruments:

- the daily diary (``diary``): a couple simulated with ``daily=True`` carries its latent
  day-by-day record (bids, responses, withdrawal, conflict, satisfaction, arousal, how deeply each
  partner is known); ``diary`` turns it into the long table a daily-diary study collects: one row
  per couple, person and day while the relationship lasts, with the events each partner reports
  and three 1-7 ratings drawn through a documented measurement model (a latent value in [0, 1],
  Gaussian measurement noise, rounding). Its schema is declared once, in :data:`SCHEMA`; the
  writer (``write_diary``), the reader and validator (``read_diary``), ``diary-schema.json`` and
  the column table of docs/diary.md all come from it.
- the questionnaire (``questionnaire``): adult attachment anxiety and avoidance on the scale of
  the ECR-R, the four attachment categories, and (in a couple) relationship satisfaction on the
  scale of the CSI-16 with its distress cut-off, one row per person (docs/diary.md).

Modules: ``schema`` (the diary's columns), ``measure`` (the diary's measurement model), ``diary``
(dataset -> table), ``validate`` and ``files`` (the diary's files), ``questionnaire``.

Example:
    >>> import closeloop as cl
    >>> sc = cl.scenario("avoidant-anxious").replace(days=90)
    >>> table = cl.diary(cl.simulate(sc, n=20, seed=0, daily=True), seed=0)
    >>> paths = write_diary(table, "out/")
    >>> read_diary("out/diary.parquet").equals(table)
    True
"""

from closeloop.observation.diary import check_seed, diary
from closeloop.observation.files import FILES, read_diary, schema_json, schema_table, write_diary
from closeloop.observation.measure import (
    AROUSAL_WEIGHT,
    DAY_CLOSENESS,
    KNOWN_WEIGHT,
    NOISE_SD,
    RATINGS,
    latent_closeness,
    latent_stress,
    noise,
    to_rating,
)
from closeloop.observation.questionnaire import (
    CATEGORIES,
    QUESTIONNAIRE_COLUMNS,
    questionnaire,
)
from closeloop.observation.schema import (
    COLUMNS,
    KEY,
    PERSONS,
    RESPONSE_NAMES,
    SCHEMA,
    SCHEMA_VERSION,
    WITHDRAWAL_NAMES,
    Column,
    column_array,
)
from closeloop.observation.validate import validate

__all__ = [
    "AROUSAL_WEIGHT",
    "CATEGORIES",
    "COLUMNS",
    "DAY_CLOSENESS",
    "FILES",
    "KEY",
    "KNOWN_WEIGHT",
    "NOISE_SD",
    "PERSONS",
    "QUESTIONNAIRE_COLUMNS",
    "RATINGS",
    "RESPONSE_NAMES",
    "SCHEMA",
    "SCHEMA_VERSION",
    "WITHDRAWAL_NAMES",
    "Column",
    "check_seed",
    "column_array",
    "diary",
    "latent_closeness",
    "latent_stress",
    "noise",
    "questionnaire",
    "read_diary",
    "schema_json",
    "schema_table",
    "to_rating",
    "validate",
    "write_diary",
]
