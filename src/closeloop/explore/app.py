"""The explorer's web application: one offline page and a small JSON API.

Security, for a server meant to run on the reader's own machine: bound to loopback by default;
a trusted-host check (defeats DNS rebinding); POST bodies must be JSON (a cross-site form cannot
send one without a CORS preflight, which this server never grants) and small; a strict
content-security policy allows only this origin. Nothing is fetched from anywhere else and
nothing is reported anywhere.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.trustedhost import TrustedHostMiddleware

import closeloop as cl
from closeloop.analysis.paired import compare
from closeloop.errors import InputError, bad_value
from closeloop.explore.api import (
    CACHE_SIZE,
    DEFAULT_N,
    MAX_DAYS,
    MAX_N,
    Runner,
    RunRequest,
    Superseded,
    check_keys,
    parse_scenario,
    parse_toml,
    scenario_dict,
)
from closeloop.explore.payload import catalogue, comparison_payload, couple_payload
from closeloop.params import COUPLE_SPECS, PERSON_SPECS, ParamSpec
from closeloop.presets import BY_NAME, PRESET_NAMES
from closeloop.simulation import NOTICE

MAX_BODY = 64 * 1024
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
DEFAULT_SCENARIO = "avoidant-anxious"
WARM = (DEFAULT_SCENARIO,)
YEAR = 365
STATIC = resources.files("closeloop.explore") / "static"
log = logging.getLogger("closeloop.explore")


def spec_json(s: ParamSpec) -> dict[str, Any]:
    """One control's description; ``step`` falls back to a hundredth of the range."""
    step = getattr(s, "step", None) or (s.high - s.low) / 100
    out = {
        "name": s.name,
        "label": s.label,
        "meaning": s.meaning,
        "unit": s.unit,
        "low": s.low,
        "high": s.high,
        "default": s.default,
        "step": step,
    }
    for extra in ("scale", "role"):
        if getattr(s, extra, None) is not None:
            out[extra] = getattr(s, extra)
    return out


def library(horizon: int | None = None) -> dict[str, cl.Scenario]:
    """The shipped scenarios, couple ones cut to ``horizon`` days when given."""
    out = {}
    for name in cl.scenarios():
        sc = cl.scenario(name)
        if horizon is not None and sc.kind == "couple" and sc.days > horizon:
            # Events and interventions past the cut are dropped, those across it shortened.
            sc = sc.replace(
                days=horizon,
                events=[e for e in sc.events if e.day < horizon],
                interventions=[
                    iv.model_copy(update={"end": min(iv.end, horizon)})
                    for iv in sc.interventions
                    if iv.start < horizon
                ],
            )
        out[name] = sc
    return out


def shapes(lib: dict[str, cl.Scenario], default: str, max_days: int) -> list[cl.Scenario]:
    """One scenario per engine program the page can ask for, the likeliest first.

    A program is fixed by the number of days and by whether the run has interventions or
    adult events and individual therapy; parameter values, profiles and switched-off
    mechanisms are data. So: the default scenario plain, with a care intervention and with
    therapy, at every whole number of years the page's slider offers, and every shipped couple
    scenario as it is.
    """
    base = scenario_dict(lib[default])
    out = []
    top = max(1, min(max_days, base["days"]) // YEAR)
    for years in [top, *range(1, top)]:
        d = years * YEAR if years < top else base["days"]
        for extra in ([], ["observation"], ["therapy"]):
            ivs = [{"kind": k, "start": 0, "end": d, "intensity": 1.0} for k in extra]
            out.append(cl.Scenario(**{**base, "days": d, "interventions": ivs}))
    out += [sc for sc in lib.values() if sc.kind == "couple"]
    return out


def meta(n: int = DEFAULT_N, horizon: int | None = None) -> dict[str, Any]:
    """Everything the page generates its controls from."""
    scenarios = library(horizon)
    return {
        "notice": NOTICE,
        "default_scenario": DEFAULT_SCENARIO,
        "n": n,
        "max_n": MAX_N,
        "max_days": MAX_DAYS,
        "relationship": [spec_json(s) for s in COUPLE_SPECS],
        "traits": [spec_json(s) for s in PERSON_SPECS],
        "presets": [{"name": p, "summary": BY_NAME[p].summary} for p in PRESET_NAMES],
        "scenarios": [
            {
                "name": name,
                "kind": sc.kind,
                "description": sc.description,
                "scenario": scenario_dict(sc) if sc.kind == "couple" else None,
            }
            for name, sc in scenarios.items()
        ],
        **catalogue(),
    }


async def read_json(request: Request) -> Any:
    """The request's JSON body, or a 4xx naming what is wrong."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise HTTPProblem(
            415,
            "The request body must be JSON (Content-Type: application/json); "
            f"got {ctype or 'none'!r}.",
        )
    size = request.headers.get("content-length")
    if size is not None and (not size.isdigit() or int(size) > MAX_BODY):
        raise HTTPProblem(413, f"The request body must be at most {MAX_BODY} bytes; got {size}.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise HTTPProblem(413, f"The request body must be at most {MAX_BODY} bytes.")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as e:
        raise HTTPProblem(400, f"The request body is not valid JSON: {e}.") from None


class HTTPProblem(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def create_app(
    warm: tuple[str, ...] = WARM,
    hosts: tuple[str, ...] = (),
    n: int = DEFAULT_N,
    horizon: int | None = None,
    warm_all: bool = False,
) -> FastAPI:
    """The application.

    Arguments:
        warm: scenarios simulated before serving (compiles the engine and fills the cache).
        warm_all: then compile every other program the page can ask for (``shapes``) in a
            background thread, so that a changed horizon or an added intervention does not
            wait for a compile either.
        hosts: host names accepted besides loopback.
        n: the page's population (couples per run).
        horizon: cut the library's couple scenarios to this many days (quick tests, slow
            machines); None keeps them whole.
    """
    runner = Runner(n)
    lib = library(horizon)
    page_meta: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for name in warm:
            t0 = time.perf_counter()
            await run_in_threadpool(runner.dataset, lib[name], n, 0)
            log.warning("warmed %s in %.1f s", name, time.perf_counter() - t0)
        if warm_all:
            todo = shapes(lib, DEFAULT_SCENARIO, MAX_DAYS)
            threading.Thread(target=runner.warm, args=(todo,), daemon=True).start()
        yield

    app = FastAPI(title="closeloop explorer", lifespan=lifespan, docs_url=None, redoc_url=None)
    allowed = ["127.0.0.1", "localhost", "::1", "[::1]", *hosts]
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed)

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.exception_handler(InputError)
    async def input_error(_: Request, e: InputError) -> JSONResponse:
        return JSONResponse({"error": str(e)}, status_code=422)

    @app.exception_handler(HTTPProblem)
    async def problem(_: Request, e: HTTPProblem) -> JSONResponse:
        return JSONResponse({"error": str(e)}, status_code=e.status)

    @app.exception_handler(Superseded)
    async def superseded(_: Request, e: Superseded) -> JSONResponse:
        return JSONResponse(
            {"error": "Superseded by a newer request from this page."}, status_code=409
        )

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(str(STATIC / "index.html"), media_type="text/html")

    @app.get("/api/meta")
    async def get_meta() -> dict[str, Any]:
        """Parameter specification, presets, scenarios, mechanisms and interventions."""
        if not page_meta:  # the same for the server's whole life: built once
            page_meta.update(await run_in_threadpool(meta, n, horizon))
        return page_meta

    payloads: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def payload_of(key: str, ds: Any) -> dict[str, Any]:
        # The analysis of a run (timeline, example couple, story) costs a few hundred ms at the
        # default population: keep it beside the cached Dataset.
        if key not in payloads:
            payloads[key] = couple_payload(ds)
            while len(payloads) > CACHE_SIZE:
                payloads.popitem(last=False)
        payloads.move_to_end(key)
        return payloads[key]

    def simulate_sync(req: RunRequest) -> dict[str, Any]:
        t0 = time.perf_counter()
        ds, engine_s = runner.dataset(req.scenario, req.n, req.seed, req.client, req.seq)
        out = dict(payload_of(req.key(), ds))
        out.update(
            seq=req.seq,
            seed=req.seed,
            toml=req.scenario.to_toml(),
            engine_ms=round(engine_s * 1000, 1),
            server_ms=round((time.perf_counter() - t0) * 1000, 1),
        )
        return out

    @app.post("/api/simulate")
    async def post_simulate(request: Request) -> JSONResponse:
        """Simulate a couple scenario: bands, the example couple, its story. The
        ``Server-Timing`` header gives the engine's and the whole request's milliseconds."""
        req = RunRequest(await read_json(request))
        runner.note(req.client, req.seq)
        out = await run_in_threadpool(simulate_sync, req)
        timing = f"engine;dur={out['engine_ms']}, total;dur={out['server_ms']}"
        return JSONResponse(out, headers={"Server-Timing": timing})

    def whatif_sync(req: RunRequest, variant: cl.Scenario) -> dict[str, Any]:
        t0 = time.perf_counter()
        ds_a, _ = runner.dataset(req.scenario, req.n, req.seed, req.client, req.seq)
        ds_b, _ = runner.dataset(variant, req.n, req.seed, req.client, req.seq)
        out = comparison_payload(compare(ds_a, ds_b))
        pa, pb = couple_payload(ds_a), couple_payload(ds_b)
        out.update(
            seq=req.seq,
            years=pa["years"],
            sat=[pa["bands"], pb["bands"]],
            withdrawer=pa["withdrawer"],
            story_b=pb["story"],
            server_ms=round((time.perf_counter() - t0) * 1000, 1),
        )
        return out

    @app.post("/api/whatif")
    async def post_whatif(request: Request) -> dict[str, Any]:
        """The same couples, same seed, under a second scenario: each outcome's difference and
        its 95% paired-bootstrap interval."""
        body = await read_json(request)
        if not isinstance(body, dict):
            raise bad_value("body", type(body).__name__, "a JSON object", "request")
        check_keys(body, ("base", "variant"))
        req = RunRequest(body.get("base"))
        variant = parse_scenario(body.get("variant"))
        if variant.days != req.scenario.days:
            raise bad_value(
                "variant.days", variant.days, f"the base's days ({req.scenario.days})", "request"
            )
        runner.note(req.client, req.seq)
        return await run_in_threadpool(whatif_sync, req, variant)

    @app.post("/api/export")
    async def post_export(request: Request) -> dict[str, str]:
        """The page's scenario as the TOML text `closeloop run` reads."""
        body = await read_json(request)
        if not isinstance(body, dict):
            raise bad_value("body", type(body).__name__, "a JSON object", "request")
        check_keys(body, ("scenario",))
        sc = parse_scenario(body.get("scenario"))
        return {"toml": sc.to_toml(), "filename": f"{sc.name or 'scenario'}.toml"}

    @app.post("/api/import")
    async def post_import(request: Request) -> dict[str, Any]:
        """A scenario TOML text, checked, as the page's scenario object."""
        sc = parse_toml(await read_json(request))
        return {"scenario": scenario_dict(sc)}

    return app
