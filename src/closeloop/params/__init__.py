"""The one parameter specification.

Each parameter is declared once, as a field of the frozen dataclass it configures, with its
bounds, default, unit, plain-language label, meaning, reference, claims, role, mechanisms,
prior, scale and slider step in the field's metadata (``_spec.param``). Validation messages,
the tables in docs/model.md (``closeloop.docs``), and later the explorer's sliders, sensitivity
bounds and fitting priors are all generated from these declarations.

Parameters travel through the engine as pytrees of float32 arrays (one value per unit), so new
values never trigger recompilation.

Modules: ``_spec`` (ParamSpec, priors, ``param()``, build and check), ``traits`` and ``person``
(PersonParams), ``world`` (WorldParams), ``relationship`` and ``couple`` (CoupleParams), ``change``
(intervention constants), ``history`` (the early history's constants), ``observation`` (the
measurement model's), ``linear`` (the linear couple model beside closeloop, LinearParams),
``refs`` (shared references).
"""

from closeloop.params._spec import (
    DISTRIBUTIONS,
    ROLES,
    SCALES,
    Array,
    Beta,
    LogNormal,
    ParamSpec,
    Prior,
    TruncNormal,
    Uniform,
    check_values,
)
from closeloop.params.change import CHANGE, CHANGE_SPECS, ChangeParams, change_params
from closeloop.params.couple import COUPLE_SPECS, CoupleParams, couple_params
from closeloop.params.history import HISTORY, HISTORY_SPECS, HistoryParams, history_params
from closeloop.params.linear import LINEAR_SPECS, LinearParams, linear_params
from closeloop.params.observation import (
    DAY_FIELDS,
    OBSERVATION_SPECS,
    ObservationParams,
    observation_params,
)
from closeloop.params.person import PERSON_SPECS, TRAITS, PersonParams, person_params
from closeloop.params.refs import (
    ASSUMPTION,
    BOUTON,
    CASCADE,
    DAW,
    DAYAN_2006,
    DOWNEY,
    GOTTMAN_BIDS,
    MAIA,
    MOWRER,
    RUSBULT,
    RUSBULT_1983,
    RW,
)
from closeloop.params.world import WORLD_SPECS, WorldParams, world_params

SPECS: dict[str, ParamSpec] = {
    s.name: s
    for s in PERSON_SPECS
    + WORLD_SPECS
    + COUPLE_SPECS
    + CHANGE_SPECS
    + HISTORY_SPECS
    + OBSERVATION_SPECS
    + LINEAR_SPECS
}
"""Every parameter by name."""

__all__ = [
    "ASSUMPTION",
    "BOUTON",
    "CASCADE",
    "CHANGE",
    "CHANGE_SPECS",
    "COUPLE_SPECS",
    "DAW",
    "DAYAN_2006",
    "DAY_FIELDS",
    "DISTRIBUTIONS",
    "DOWNEY",
    "GOTTMAN_BIDS",
    "HISTORY",
    "HISTORY_SPECS",
    "LINEAR_SPECS",
    "MAIA",
    "MOWRER",
    "OBSERVATION_SPECS",
    "PERSON_SPECS",
    "ROLES",
    "RUSBULT",
    "RUSBULT_1983",
    "RW",
    "SCALES",
    "SPECS",
    "TRAITS",
    "WORLD_SPECS",
    "Array",
    "Beta",
    "ChangeParams",
    "CoupleParams",
    "HistoryParams",
    "LinearParams",
    "LogNormal",
    "ObservationParams",
    "ParamSpec",
    "PersonParams",
    "Prior",
    "TruncNormal",
    "Uniform",
    "WorldParams",
    "change_params",
    "check_values",
    "couple_params",
    "history_params",
    "linear_params",
    "observation_params",
    "person_params",
    "world_params",
]
