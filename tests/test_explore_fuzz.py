"""The explorer's OpenAPI schema, fuzzed with schemathesis against the ASGI app in-process
(offline): requests generated from the schema, valid and not, must never get a 5xx, and every
4xx must answer with one line naming what is wrong.

The app is made with small limits (8 couples, 40 days), so that the valid requests among the
generated ones run the real engine quickly; the code paths are those of the page's sizes.
"""

from __future__ import annotations

from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")

from hypothesis import HealthCheck, settings  # noqa: E402

from closeloop.explore.api import Limits  # noqa: E402
from closeloop.explore.app import create_app  # noqa: E402

pytestmark = pytest.mark.slow  # compiles the engine for each new number of days it generates

# "testserver": the host name the in-process client sends.
APP = create_app(
    warm=(), hosts=("testserver",), n=8, horizon=40, limits=Limits(max_n=8, max_days=40)
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
seen: dict[int, int] = {}


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_errors_and_one_line_refusals(case: Any) -> None:
    response = case.call()
    seen[response.status_code] = seen.get(response.status_code, 0) + 1
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert "error" in response.json(), (
            case.method,
            case.path,
            response.status_code,
            response.text,
        )
        msg = response.json()["error"]
        assert isinstance(msg, str) and msg and "\n" not in msg, msg


def test_the_fuzz_reached_both_answers() -> None:
    # Runs after the fuzzing above (same module, in order): the generated requests must have
    # met both the engine (200) and the validation (422), or the fuzz tested too little.
    print(f"fuzz status codes: {dict(sorted(seen.items()))}")
    assert seen.get(200, 0) > 0 and seen.get(422, 0) > 0, seen
