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
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

import closeloop as cl
from closeloop.analysis.paired import compare
from closeloop.errors import InputError, bad_value
from closeloop.explore.api import (
    CACHE_SIZE,
    DEFAULT_N,
    MAX_DAYS,
    PAGE_LIMITS,
    Limits,
    Runner,
    RunRequest,
    Superseded,
    check_keys,
    parse_scenario,
    parse_toml,
    scenario_dict,
)
from closeloop.explore.catalog import DEFAULT_SCENARIO, library, meta, person_shapes, shapes
from closeloop.explore.payload import comparison_payload, couple_payload, panel_payload
from closeloop.explore.person import person_payload
from closeloop.explore.schema import add_request_bodies
from closeloop.params import COUPLE_SPECS

MAX_BODY = 64 * 1024
PANELS = (2, 6)
"""Fewest and most values of one parameter side by side (small multiples)."""
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
WARM = (DEFAULT_SCENARIO,)
STATIC = resources.files("closeloop.explore") / "static"
log = logging.getLogger("closeloop.explore")


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
    limits: Limits = PAGE_LIMITS,
) -> FastAPI:
    """The application.

    Arguments:
        warm: scenarios simulated before serving (compiles the engine and fills the cache).
        warm_all: then compile every other program the page can ask for (``shapes``) in a
            background thread, so that a changed horizon or an added intervention does not
            wait for a compile either.
        limits: the most couples and days one request may ask for.
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
            todo = shapes(lib, DEFAULT_SCENARIO, MAX_DAYS) + person_shapes(lib)
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

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, e: HTTPException) -> JSONResponse:
        # Starlette's own refusals (no such path, method not allowed) in the API's one line.
        words = {
            404: f"No such page or API path: {request.url.path}.",
            405: f"{request.method} is not allowed on {request.url.path}.",
        }
        msg = words.get(e.status_code, str(e.detail))
        return JSONResponse({"error": msg}, status_code=e.status_code, headers=e.headers)

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
            page_meta.update(
                await run_in_threadpool(meta, n, horizon, limits.max_n, limits.max_days)
            )
        return page_meta

    payloads: OrderedDict[str, dict[str, Any]] = OrderedDict()
    payload_lock = threading.Lock()

    def payload_of(key: str, ds: Any) -> dict[str, Any]:
        # The analysis of a run (timeline, example couple, story) costs a few hundred ms at the
        # default population: keep it beside the cached Dataset.
        with payload_lock:  # requests run in a thread pool: one change to the cache at a time
            if key in payloads:
                payloads.move_to_end(key)
                return payloads[key]
        person = ds.attrs.get("closeloop_kind") == "person"
        out = person_payload(ds) if person else couple_payload(ds)
        with payload_lock:
            payloads[key] = out
            while len(payloads) > CACHE_SIZE:
                payloads.popitem(last=False)
        return out

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
        """Simulate a scenario: for couples the bands, the example couple and its story; for
        people the threat and pull-back bands, the example person and their story. The
        ``Server-Timing`` header gives the engine's and the whole request's milliseconds."""
        req = RunRequest(await read_json(request), limits)
        runner.note(req.client, req.seq)
        out = await run_in_threadpool(simulate_sync, req)
        timing = f"engine;dur={out['engine_ms']}, total;dur={out['server_ms']}"
        return JSONResponse(out, headers={"Server-Timing": timing})

    def whatif_sync(req: RunRequest, variant: cl.Scenario) -> dict[str, Any]:
        t0 = time.perf_counter()
        ds_a, _ = runner.dataset(req.scenario, req.n, req.seed, req.client, req.seq)
        ds_b, _ = runner.dataset(variant, req.n, req.seed, req.client, req.seq)
        out = comparison_payload(compare(ds_a, ds_b))
        pa = payload_of(req.key(), ds_a)
        pb = payload_of(f"{variant.to_json()}|{req.n}|{req.seed}", ds_b)
        if pa["kind"] == "person":
            out.update(kind="person", deep=[pa["deep"], pb["deep"]], depths=pa["depths"])
        else:
            out.update(kind="couple", sat=[pa["bands"], pb["bands"]], withdrawer=pa["withdrawer"])
        out.update(
            seq=req.seq,
            years=pa["years"],
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
        req = RunRequest(body.get("base"), limits)
        variant = parse_scenario(body.get("variant"), limits)
        if variant.kind != req.scenario.kind:
            allowed = f"the base's kind ({req.scenario.kind!r})"
            raise bad_value("variant.kind", variant.kind, allowed, "request")
        if variant.days != req.scenario.days:
            raise bad_value(
                "variant.days", variant.days, f"the base's days ({req.scenario.days})", "request"
            )
        runner.note(req.client, req.seq)
        return await run_in_threadpool(whatif_sync, req, variant)

    def multiples_sync(req: RunRequest, name: str, values: list[float]) -> dict[str, Any]:
        t0 = time.perf_counter()
        panels = []
        for v in values:
            sc = req.scenario.replace(relationship={**req.scenario.relationship, name: v})
            ds, _ = runner.dataset(sc, req.n, req.seed, req.client, req.seq)
            panels.append({"value": v, **panel_payload(ds)})
        return {
            "seq": req.seq,
            "param": name,
            "panels": panels,
            "server_ms": round((time.perf_counter() - t0) * 1000, 1),
        }

    @app.post("/api/multiples")
    async def post_multiples(request: Request) -> dict[str, Any]:
        """The same couples (same seed) under 2 to 6 values of one relationship parameter:
        satisfaction bands and endings, one small panel each."""
        body = await read_json(request)
        if not isinstance(body, dict):
            raise bad_value("body", type(body).__name__, "a JSON object", "request")
        check_keys(body, ("base", "param", "values"))
        req = RunRequest(body.get("base"), limits)
        if req.scenario.kind != "couple":
            allowed = "'couple' (the panels vary a setting of the relationship)"
            raise bad_value("base.scenario.kind", req.scenario.kind, allowed, "request")
        specs = {s.name: s for s in COUPLE_SPECS}
        name = body.get("param")
        if not isinstance(name, str) or name not in specs:
            raise bad_value("param", name, "the name of a relationship parameter", "request")
        values = body.get("values")
        lo, hi = PANELS
        if (
            not isinstance(values, list)
            or not lo <= len(values) <= hi
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        ):
            raise bad_value("values", values, f"a list of {lo} to {hi} numbers", "request")
        for v in values:
            if not specs[name].low <= v <= specs[name].high:
                allowed = f"numbers in [{specs[name].low}, {specs[name].high}]"
                raise bad_value("values", v, allowed, "request")
        runner.note(req.client, req.seq)
        return await run_in_threadpool(multiples_sync, req, name, [float(v) for v in values])

    @app.post("/api/export")
    async def post_export(request: Request) -> dict[str, str]:
        """The page's scenario as the TOML text `closeloop run` reads."""
        body = await read_json(request)
        if not isinstance(body, dict):
            raise bad_value("body", type(body).__name__, "a JSON object", "request")
        check_keys(body, ("scenario",))
        sc = parse_scenario(body.get("scenario"), limits)
        return {"toml": sc.to_toml(), "filename": f"{sc.name or 'scenario'}.toml"}

    @app.post("/api/import")
    async def post_import(request: Request) -> dict[str, Any]:
        """A scenario TOML text, checked, as the page's scenario object."""
        sc = parse_toml(await read_json(request), limits)
        return {"scenario": scenario_dict(sc)}

    add_request_bodies(app, limits, PANELS)
    return app
