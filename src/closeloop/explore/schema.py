"""The explorer API's OpenAPI description of its request bodies.

The handlers read their JSON bodies themselves (so that every refusal is the one-line message
naming the field), which FastAPI cannot describe on its own; this module writes the bodies into
the schema: the scenario as ``Scenario``'s own JSON schema, the request's numbers with the
server's limits, and the one-line error every 4xx answers with. The fuzz test
(tests/test_explore_fuzz.py) generates requests from it.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from closeloop.explore.api import MAX_SEQ, Limits
from closeloop.params import COUPLE_SPECS
from closeloop.scenario import Scenario

REF = "#/components/schemas/{model}"
ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string", "description": "one line naming the field"}},
    "required": ["error"],
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def run_request(limits: Limits) -> dict[str, Any]:
    """A simulate request: the scenario, the population, the seed and the page's sequence."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["scenario"],
        "properties": {
            "scenario": _ref("Scenario"),
            "n": {"type": "integer", "minimum": 1, "maximum": limits.max_n},
            "seed": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
            "seq": {"type": "integer", "minimum": 0, "maximum": MAX_SEQ},
            "client": {"type": "string", "maxLength": 64},
        },
    }


def bodies(limits: Limits, panels: tuple[int, int]) -> dict[str, dict[str, Any]]:
    """Each POST path's request body schema."""
    obj = {"type": "object", "additionalProperties": False}
    return {
        "/api/simulate": _ref("RunRequest"),
        "/api/whatif": {
            **obj,
            "required": ["base", "variant"],
            "properties": {"base": _ref("RunRequest"), "variant": _ref("Scenario")},
        },
        "/api/multiples": {
            **obj,
            "required": ["base", "param", "values"],
            "properties": {
                "base": _ref("RunRequest"),
                "param": {"type": "string", "enum": [s.name for s in COUPLE_SPECS]},
                "values": {
                    "type": "array",
                    "items": {"type": "number"},
                    "minItems": panels[0],
                    "maxItems": panels[1],
                },
            },
        },
        "/api/export": {
            **obj,
            "required": ["scenario"],
            "properties": {"scenario": _ref("Scenario")},
        },
        "/api/import": {**obj, "required": ["toml"], "properties": {"toml": {"type": "string"}}},
    }


def add_request_bodies(app: FastAPI, limits: Limits, panels: tuple[int, int]) -> None:
    """Make ``app.openapi()`` describe the request bodies and the error answers."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            sc = Scenario.model_json_schema(ref_template=REF)
            comps = schema.setdefault("components", {}).setdefault("schemas", {})
            comps.update(sc.pop("$defs", {}))
            comps.update(Scenario=sc, RunRequest=run_request(limits), Error=ERROR)
            error = {"content": {"application/json": {"schema": _ref("Error")}}}
            for path, body in bodies(limits, panels).items():
                op = schema["paths"][path]["post"]
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": body}},
                }
                for code, what in (
                    ("400", "not JSON"),
                    ("409", "superseded by a newer request from the same page"),
                    ("413", "body too large"),
                    ("415", "not sent as JSON"),
                    ("422", "a field out of range or unknown"),
                ):
                    op["responses"][code] = {"description": what, **error}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
