"""The explorer in a real browser: Debian's chromium driven by Playwright, against a real
uvicorn server on a loopback port, with every request to anywhere else blocked.

Skipped, with the reason, when /usr/bin/chromium or Playwright is missing (`.ci/run` installs
chromium). The server runs the library's couple scenarios cut to three years with 200 couples,
so that the whole module stays within about two minutes, compile included.
"""

from __future__ import annotations

import json
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from closeloop.explore import bench as explore_bench

CHROMIUM = explore_bench.CHROMIUM
ARGS = list(explore_bench.BROWSER_ARGS)
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
HORIZON = 1095
N = 200

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no /usr/bin/chromium (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with explore_bench.server(N, HORIZON, warm=("avoidant-anxious",), start_s=240) as url:
        yield url


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            viewport={"width": 1200, "height": 900}, accept_downloads=True
        )
        blocked: list[str] = []

        def only_loopback(route: Any) -> None:
            u = route.request.url
            if u.startswith(server) or u.startswith("blob:") or u.startswith("data:"):
                route.continue_()
            else:
                blocked.append(u)
                route.abort()

        context.route("**/*", only_loopback)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.goto(server)
        pg.wait_for_selector("body[data-ready='1']", timeout=120_000)
        yield pg
        assert not blocked, f"the page tried to reach other origins: {blocked}"
        assert not errors, errors
        browser.close()


def runs(pg: Any) -> int:
    return int(pg.evaluate("document.body.dataset.runs || '0'"))


def wait_until(pg: Any, expression: str, timeout: float = 60.0) -> None:
    """Poll ``expression`` through the DevTools protocol (``wait_for_function`` evaluates a
    string inside the page, which the page's CSP rightly refuses)."""
    deadline = time.time() + timeout
    while not pg.evaluate(expression):
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        pg.wait_for_timeout(100)


def wait_run(pg: Any, before: int, timeout: float = 60.0) -> None:
    wait_until(pg, f"Number(document.body.dataset.runs || 0) > {before}", timeout)


def export(pg: Any, path: Path) -> Path:
    """Click Export and save the downloaded scenario TOML at ``path``."""
    with pg.expect_download() as dl:
        pg.click("#export")
    dl.value.save_as(path)
    return path


def test_page_loads_offline_with_notice_and_chapters(page: Any) -> None:
    assert "988" in page.locator("header .notice").inner_text()
    assert "988" in page.locator("footer .notice").inner_text()
    for fig in ("fig-hook", "fig-threat", "fig-relief", "fig-loop", "fig-quiet", "fig-sat"):
        assert page.locator(f"#{fig} svg path, #{fig} svg rect").count() >= 2, fig
    assert page.locator("#story p").count() >= 2
    # Controls come from the specification, with readable values.
    from closeloop.params import COUPLE_SPECS

    for s in COUPLE_SPECS:
        el = page.locator(f"#relationship-{s.name}")
        assert el.get_attribute("type") == "range"
        assert el.get_attribute("aria-valuetext")


def test_scrubber_starts_at_the_end_of_the_first_run(page: Any) -> None:
    last = page.locator("#scrub").get_attribute("max")
    assert int(last or 0) > 12 and page.locator("#scrub").input_value() == last
    assert page.locator("#fig-sat .marklabel").text_content() == f"month {int(last or 0) + 1}"


def test_slider_changes_figure_and_story(page: Any) -> None:
    story0 = page.locator("#story").inner_text()
    fig0 = page.locator("#fig-sat svg").inner_html()
    slider = page.locator("#relationship-bid_rate")
    slider.focus()
    before = runs(page)
    for _ in range(40):  # keyboard only: far down the range
        page.keyboard.press("ArrowLeft")
    wait_run(page, before)
    page.wait_for_timeout(300)
    assert page.locator("#fig-sat svg").inner_html() != fig0
    assert page.locator("#story").inner_text() != story0
    assert "0.2" in (slider.get_attribute("aria-valuetext") or "")
    timing = page.evaluate("window.__explorer")
    assert timing["redraws"] and timing["server"]


def test_whatif_shows_difference(page: Any) -> None:
    page.select_option("#wi-kind", "rel:bid_rate")
    page.locator("#wi-value").press("End")  # keyboard: the top of the range
    page.click("#wi-run")
    page.wait_for_selector("#whatif-table table", timeout=90_000)
    text = page.locator("#whatif-table").inner_text()
    assert "difference" in text and "95% interval" in text and "bid_rate" in text


def test_export_and_import_round_trip(page: Any, tmp_path: Path) -> None:
    crit = page.locator("#relationship-criticism")
    crit.focus()
    page.keyboard.press("Home")
    for _ in range(50):
        page.keyboard.press("ArrowRight")  # 0.5 with a step of 0.01
    path = export(page, tmp_path / "exported.toml")
    data = tomllib.loads(path.read_text())
    assert data["relationship"]["criticism"] == 0.5
    from closeloop.scenario import load_scenario

    sc = load_scenario(path)  # what `closeloop run` reads
    assert sc.relationship["criticism"] == 0.5
    # Import a changed file back: the controls follow it.
    data["relationship"]["criticism"] = 0.1
    changed = tmp_path / "changed.toml"
    changed.write_text(sc.replace(relationship={**sc.relationship, "criticism": 0.1}).to_toml())
    page.set_input_files("#import", str(changed))
    wait_until(page, "document.getElementById('relationship-criticism').value === '0.1'", 10)
    wait_until(page, "document.getElementById('status').textContent.startsWith('Imported')", 10)


def test_reset_all(page: Any) -> None:
    page.click("#reset")
    page.wait_for_timeout(200)
    value = page.locator("#relationship-criticism").input_value()
    assert float(value) == pytest.approx(0.2)


def test_guess_then_see(page: Any) -> None:
    # The chapter's chart waits for the reader's guess (or a skip), then says how it compares.
    assert not page.locator("#fig-relief").is_visible()
    page.locator("#guess-relief-fall").check()
    page.locator("#guess-relief button").click()
    assert page.locator("#fig-relief").is_visible()
    verdict = page.locator("#guess-relief .verdict").inner_text()
    assert "Your guess: it falls." in verdict and "In this run" in verdict
    assert ("The model agrees" in verdict) != ("another way" in verdict)
    # The answer is not on the page before the guess; skipping the guess shows the run too.
    assert not page.locator("#giveup-text").is_visible()
    page.locator("#guess-giveup button").click()
    assert page.locator("#giveup-text").is_visible()
    assert page.locator("#fig-giveup").is_visible()
    text = page.locator("#guess-giveup .verdict").inner_text()
    assert "simulated couples" in text and "Your guess" not in text


def test_scrub_steps_through_the_months(page: Any) -> None:
    # A run still on its way (the import's) would put the scrubber back at the end.
    wait_until(page, "!document.getElementById('status').textContent.includes('Running')")
    scrub = page.locator("#scrub")
    last = int(scrub.get_attribute("max") or 0)
    assert last > 12 and int(scrub.input_value()) == last  # starts at the end, not playing
    assert page.locator("#scrub-play").get_attribute("aria-pressed") == "false"
    page.click("#scrub-back")
    assert int(scrub.input_value()) == last - 1
    assert f"month {last}" in (scrub.get_attribute("aria-valuetext") or "")
    scrub.focus()
    page.keyboard.press("Home")
    assert "month 1 " in page.locator("#scrub-text").inner_text()
    assert page.locator("#fig-sat .marklabel").text_content() == "month 1"
    page.click("#scrub-fwd")
    assert int(scrub.input_value()) == 1
    page.click("#scrub-play")
    page.wait_for_timeout(1000)
    page.click("#scrub-play")  # pause
    moved = int(scrub.input_value())
    assert moved > 1
    page.wait_for_timeout(600)
    assert int(scrub.input_value()) == moved  # paused


def test_play_is_off_under_reduced_motion(page: Any) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.reload()
    page.wait_for_selector("body[data-ready='1']", timeout=120_000)
    assert page.locator("#scrub-play").is_disabled()
    assert "reduced motion" in page.locator("#scrub-note").inner_text()
    assert not page.locator("#scrub-back").is_disabled()  # stepping stays
    page.emulate_media(reduced_motion="no-preference")
    page.reload()
    page.wait_for_selector("body[data-ready='1']", timeout=120_000)
    assert not page.locator("#scrub-play").is_disabled()


def test_small_multiples_share_one_scale(page: Any) -> None:
    page.select_option("#mult-param", "criticism")
    page.click("#mult-run")
    wait_until(page, "document.getElementById('mult-panels').dataset.param === 'criticism'", 180)
    panels = page.locator("#mult-panels figure")
    assert panels.count() == 5
    caps = [panels.nth(i).locator("figcaption").inner_text() for i in range(5)]
    assert all(c.startswith("how often frustrated pursuit turns critical: ") for c in caps)
    assert len(set(caps)) == 5
    # The same y axis on every panel.
    ticks = [tuple(panels.nth(i).locator(".axes text").all_inner_texts()[:5]) for i in range(5)]
    assert len(set(ticks)) == 1
    paths = {panels.nth(i).locator("svg path").nth(1).get_attribute("d") for i in range(5)}
    assert len(paths) > 1  # the values change the runs


def test_print_to_pdf(page: Any, tmp_path: Path) -> None:
    # The issue asks for a one-to-two-page handout, on either paper size a clinic prints on.
    for paper in ("A4", "Letter"):
        pdf = page.pdf(path=str(tmp_path / f"handout-{paper}.pdf"), format=paper)
        assert pdf.startswith(b"%PDF")
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        assert 1 <= pages <= 2, (paper, pages)


def test_history_and_change_sliders_reach_the_exported_toml(page: Any, tmp_path: Path) -> None:
    page.click("#reset")
    page.locator("summary", has_text="The early history").click()
    page.locator("summary", has_text="How interventions act").click()
    before = runs(page)
    home = page.locator("#history-home_until")
    assert home.get_attribute("aria-valuetext")
    home.focus()
    page.keyboard.press("Home")  # the bottom of the range: closeness moves to peers at 10
    wait_run(page, before)
    salience = page.locator("#change-session_salience")
    salience.focus()
    page.keyboard.press("End")
    path = export(page, tmp_path / "history.toml")
    data = tomllib.loads(path.read_text())
    assert data["history"]["home_until"] == 10.0
    assert data["change"]["session_salience"] == 10.0
    # Imported back, the sliders show the file's values.
    from closeloop.scenario import load_scenario

    sc = load_scenario(path)
    changed = tmp_path / "history-changed.toml"
    changed.write_text(sc.replace(history={"home_until": 12.5}).to_toml())
    page.set_input_files("#import", str(changed))
    wait_until(page, "document.getElementById('history-home_until').value === '12.5'", 10)
    salience = page.locator("#change-session_salience").get_attribute("aria-valuetext")
    assert (salience or "").startswith("10")


def test_person_scenario_has_its_own_charts_story_and_whatif(page: Any, tmp_path: Path) -> None:
    wait_until(page, "!document.getElementById('status').textContent.includes('Running')")
    before = runs(page)
    page.select_option("#scenario-select", "graded-exposure")
    wait_run(page, before, timeout=300)  # a person program may still be compiling
    assert page.locator("#person-results").is_visible()
    assert not page.locator("#couple-results").is_visible()
    assert not page.locator("#relationship").is_visible() and page.locator("#world").is_visible()
    assert page.locator("#population-select").input_value() == "avoidant"
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)), "ids must be unique"
    for fig in ("fig-p-threat", "fig-p-deep", "fig-p-pullback", "fig-p-accept"):
        assert page.locator(f"#{fig} svg path, #{fig} svg rect").count() >= 2, fig
        assert page.locator(f"#{fig} svg desc").text_content(), fig  # a text alternative
        assert page.locator(f"#{fig} details.datatable table tbody tr").count() >= 2, fig
    assert page.locator("#fig-p-threat .direct", has_text="alarm threshold").count() == 1
    story = page.locator("#p-story").inner_text()
    assert "not a real person" in story and "protection" in story
    assert page.locator("#p-summary p").count() >= 3
    # A setting of the world, by keyboard: the charts and the story follow.
    deep0 = page.locator("#fig-p-deep svg").inner_html()
    before = runs(page)
    page.locator("#world-hurt_rate").focus()
    page.keyboard.press("End")
    wait_run(page, before, timeout=120)
    assert page.locator("#fig-p-deep svg").inner_html() != deep0
    assert page.locator("#mult-run").is_disabled() and page.locator("#mult-note").is_visible()
    # A same-seed what-if on the same people.
    page.select_option("#wi-kind", "world:warmth")
    page.locator("#wi-value").press("Home")
    page.click("#wi-run")
    wait_until(page, "!!document.querySelector('#whatif-table table')", 120)
    wait_until(page, "document.querySelector('#whatif-table').innerText.includes('warmth')", 120)
    assert "same people" in page.locator("#fig-whatif svg title").text_content()
    # Exported as the TOML `closeloop run` reads, and imported back.
    path = export(page, tmp_path / "person.toml")
    from closeloop.scenario import load_scenario

    sc = load_scenario(path)
    assert sc.kind == "person" and sc.world["hurt_rate"] == 1.0
    changed = tmp_path / "person-changed.toml"
    changed.write_text(sc.replace(world={**sc.world, "hurt_rate": 0.25}).to_toml())
    page.set_input_files("#import", str(changed))
    wait_until(page, "document.getElementById('world-hurt_rate').value === '0.25'", 10)
    assert page.locator("#person-results").is_visible()
    # The handout of a person view stays within two pages too.
    wait_until(page, "!document.getElementById('status').textContent.includes('Running')")
    pdf = page.pdf(path=str(tmp_path / "person.pdf"), format="A4")
    assert 1 <= pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") <= 2


def test_axe_has_no_serious_violations(page: Any) -> None:
    # Evaluated through the DevTools protocol: the page's CSP (rightly) refuses inline scripts.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, json.dumps(serious, indent=1)
