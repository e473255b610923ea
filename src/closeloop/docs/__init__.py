"""Generated tables of docs/model.md.

docs/model.md is the single source of truth for the equations. Its tables of parameters,
mechanisms, caregiving styles, acute events, presets, the default population, constants, the
intervention kinds, the parameters of change, the scenario library, the trajectory classes and
claims are not written by hand: they are rendered here from the declarations in code
(``params.PERSON_SPECS``, ``WORLD_SPECS`` and ``COUPLE_SPECS``, ``mechanisms.MECHANISMS``,
``history.STYLES`` and ``EVENTS``, ``presets.PRESETS`` and ``DEFAULT_MIX``, ``healing.KINDS``
and its constants, the shipped scenarios of ``closeloop/scenarios``, the constants of
``trajectory``, ``claims.CLAIMS``) and placed between markers in the document::

    <!-- BEGIN GENERATED: person-params -->
    ...
    <!-- END GENERATED: person-params -->

``python -m closeloop.docs`` rewrites every block in place (atomically); ``--check`` only
compares, and exits 1 when a block is stale, so CI can tell when code and document disagree.

Example:
    >>> print(table(["a", "b"], [["1", "x|y"]]))
    | a | b |
    |---|---|
    | 1 | x\\|y |
"""

from __future__ import annotations

from closeloop.docs.generate import BLOCK, BLOCKS, main, render
from closeloop.docs.library import (
    change_params_table,
    interventions_table,
    scenarios_table,
    trajectory_table,
)
from closeloop.docs.paths import ABLATION_JSON, MODEL_MD, ROBUSTNESS_JSON
from closeloop.docs.recorded import (
    ablation_matrix_table,
    claims_table,
    robustness_block,
    variants_block,
)
from closeloop.docs.tables import (
    constants_table,
    couple_params_table,
    events_table,
    history_params_table,
    intervention_params_table,
    mechanisms_table,
    observation_params_table,
    params_table,
    person_params_table,
    population_table,
    presets_table,
    styles_table,
    world_params_table,
)
from closeloop.markdown import table

__all__ = [
    "ABLATION_JSON",
    "BLOCK",
    "BLOCKS",
    "MODEL_MD",
    "ROBUSTNESS_JSON",
    "ablation_matrix_table",
    "change_params_table",
    "claims_table",
    "constants_table",
    "couple_params_table",
    "events_table",
    "history_params_table",
    "intervention_params_table",
    "interventions_table",
    "main",
    "mechanisms_table",
    "observation_params_table",
    "params_table",
    "person_params_table",
    "population_table",
    "presets_table",
    "render",
    "robustness_block",
    "scenarios_table",
    "styles_table",
    "table",
    "trajectory_table",
    "variants_block",
    "world_params_table",
]
