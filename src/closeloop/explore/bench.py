"""``closeloop bench --explore``: the explorer's latency, measured in a real browser.

Starts the explorer on a loopback port (as ``closeloop explore`` does, with the page's default
population and the library's full horizon), opens it in Debian's chromium through Playwright
with every other origin blocked, and moves sliders by keyboard, one step at a time, each to a
value not run before (so nothing comes from the cache). For each move it records the redraw
time (from the slider's change to the frame after the charts and the story were replaced, as
the page measures it) and the server's time (the ``Server-Timing`` header's total and the
engine's share). The issue's targets: redraw under 500 ms at the 95th percentile, server
under 150 ms at the median.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from closeloop.errors import bad_value
from closeloop.explore.api import DEFAULT_N

CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SLIDERS = ("bid_rate", "criticism", "repair_base", "alternatives", "base_quality", "sat_rate")
"""Relationship sliders the benchmark moves in turn, each one step per move, always the same
way (towards the far end of its range), so every move asks for a setting not run before."""
START_S = 900
"""Longest wait for the server's start (compiling the engine on a slow, shared machine)."""
RUN_S = 120
"""Longest wait for one redraw."""

SERVER = """
import sys, uvicorn
from closeloop.explore.app import WARM, create_app
n, horizon = int(sys.argv[2]), int(sys.argv[3]) or None
warm = tuple(sys.argv[4].split(",")) if sys.argv[4] else WARM
app = create_app(warm=warm, n=n, horizon=horizon)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


class NoBrowser(Exception):
    """Chromium or Playwright is missing: the benchmark cannot run here."""


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(
    n: int = DEFAULT_N,
    horizon: int | None = None,
    warm: tuple[str, ...] = (),
    start_s: float = START_S,
) -> Iterator[str]:
    """An explorer server in a child process (its own JAX, as ``closeloop explore`` runs it);
    yields its URL once it answers (within ``start_s``). ``warm``: the scenarios simulated
    before serving (none given: the app's own)."""
    port = free_port()
    env = dict(os.environ)
    if "xla_force_host_platform_device_count" not in env.get("XLA_FLAGS", ""):
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
        flag = f"--xla_force_host_platform_device_count={cores}"
        env["XLA_FLAGS"] = f"{env.get('XLA_FLAGS', '')} {flag}".strip()
    cmd = [sys.executable, "-c", SERVER, str(port), str(n), str(horizon or 0), ",".join(warm)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + start_s
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "api/meta", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                out = proc.stdout.read().decode() if proc.stdout else ""
                raise RuntimeError(f"the explorer server did not start:\n{out}")
            time.sleep(0.5)
        yield url
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)


def check_browser() -> None:
    """Raise NoBrowser, saying what is missing, unless chromium and Playwright are here."""
    if not CHROMIUM.exists():
        raise NoBrowser(f"no {CHROMIUM} (apt-get install chromium): the benchmark needs it")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise NoBrowser("Playwright is not installed (uv sync --group dev)") from None


@contextmanager
def browser_page(url: str) -> Iterator[Any]:
    """A chromium page on ``url`` with every other origin blocked, once the page is ready."""
    check_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=list(BROWSER_ARGS))
        context = browser.new_context(viewport={"width": 1200, "height": 900})

        def only_loopback(route: Any) -> None:
            u = route.request.url
            if u.startswith(url) or u.startswith(("blob:", "data:")):
                route.continue_()
            else:
                route.abort()

        context.route("**/*", only_loopback)
        page = context.new_page()
        page.goto(url)
        wait_for(page, "document.body.dataset.ready === '1'", START_S)
        try:
            yield page
        finally:
            browser.close()


def wait_for(page: Any, expression: str, timeout: float) -> None:
    """Poll ``expression`` through the DevTools protocol (the page's CSP refuses the string
    evaluation Playwright's ``wait_for_function`` needs)."""
    deadline = time.time() + timeout
    while not page.evaluate(expression):
        if time.time() > deadline:
            raise RuntimeError(f"timed out waiting for {expression}")
        page.wait_for_timeout(20)


def measure(page: Any, moves: int) -> dict[str, list[float]]:
    """Move ``moves`` sliders one step each (keyboard), waiting for each redraw; the page's
    own timings of those moves."""
    before = page.evaluate("window.__explorer.redraws.length")
    for i in range(moves):
        slider = page.locator(f"#relationship-{SLIDERS[i % len(SLIDERS)]}")
        upper = slider.evaluate("e => Number(e.value) > (Number(e.min) + Number(e.max)) / 2")
        runs = page.evaluate("window.__explorer.redraws.length")
        slider.focus()
        page.keyboard.press("ArrowLeft" if upper else "ArrowRight")
        wait_for(page, f"window.__explorer.redraws.length > {runs}", RUN_S)
    perf = page.evaluate("window.__explorer")
    return {k: [float(x) for x in perf[k][before:]] for k in ("redraws", "server", "engine")}


def percentiles(values: list[float]) -> dict[str, float]:
    """Median and 95th percentile (NumPy's linear method), in ms."""
    a = np.asarray(values, dtype=float)
    return {"p50": float(np.percentile(a, 50)), "p95": float(np.percentile(a, 95))}


def run(
    moves: int = 40, n: int = DEFAULT_N, horizon: int | None = None, json_out: bool = False
) -> dict[str, Any]:
    """Start a server, measure ``moves`` slider moves, print and return the summary."""
    if not 1 <= moves <= 1000:
        raise bad_value("moves", moves, "an integer in [1, 1000]", "bench")
    check_browser()  # before a server is started and compiled for nothing
    t0 = time.perf_counter()
    with server(n, horizon) as url:
        started = time.perf_counter() - t0
        with browser_page(url) as page:
            timings = measure(page, moves)
    out: dict[str, Any] = {
        "moves": moves,
        "couples": n,
        "days": horizon,
        "start_s": round(started, 1),
        "redraw_ms": percentiles(timings["redraws"]),
        "server_ms": percentiles(timings["server"]),
        "engine_ms": percentiles(timings["engine"]),
        "targets": {"redraw_p95_ms": 500, "server_p50_ms": 150},
    }
    out["met"] = {
        "redraw": out["redraw_ms"]["p95"] < 500,
        "server": out["server_ms"]["p50"] < 150,
    }
    if json_out:
        print(json.dumps(out, indent=1))
    else:
        print(render(out))
    return out


def render(r: dict[str, Any]) -> str:
    """The summary as a few lines."""
    days = f"{r['days']} days" if r["days"] else "each scenario's full length"
    lines = [
        f"explorer: {r['moves']} slider moves, {r['couples']} couples, {days} "
        f"(server started and warmed in {r['start_s']} s)",
    ]
    for key, label, target in (
        ("redraw_ms", "redraw", "p95 < 500 ms"),
        ("server_ms", "server", "p50 < 150 ms"),
        ("engine_ms", "engine", ""),
    ):
        v = r[key]
        lines.append(
            f"  {label:7s} p50 {v['p50']:7.0f} ms   p95 {v['p95']:7.0f} ms   {target}".rstrip()
        )
    verdict = "met" if all(r["met"].values()) else "NOT met"
    lines.append(
        f"  targets {verdict} (redraw: {r['met']['redraw']}, server: {r['met']['server']})"
    )
    return "\n".join(lines)
