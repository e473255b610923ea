"""Screenshots of the explorer for the README and the docs: each chapter, the sandbox, the
what-if, the small multiples, the ending, the printed handout and the sandbox on a person
scenario, written as ``docs/images/explorer-*.png``.

Run ``uv run python -m closeloop.explore.shots [FOLDER]`` (chromium and Playwright needed, as
for the browser tests). The guesses are revealed without a guess, and the what-if, the small
multiples and the ending are run, so each picture shows what a reader sees after acting.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from closeloop.explore.bench import browser_page, server, wait_for

SECTIONS = (
    ("hook", "hook"),
    ("ch-threat", "ch-threat"),
    ("ch-relief", "ch-relief"),
    ("ch-personal", "ch-personal"),
    ("ch-loop", "ch-loop"),
    ("ch-giveup", "ch-giveup"),
    ("ch-quiet", "ch-quiet"),
    ("sandbox", "sandbox"),
    ("whatif", "whatif"),
    ("multiples", "multiples"),
    ("ending", "ending"),
)
PERSON = "graded-exposure"
"""The person scenario shown in ``explorer-person.png``."""
WAIT_S = 600
"""Longest wait for one of the page's runs (five versions for the small multiples)."""


def act(page: Any) -> None:
    """Reveal both guesses, run a what-if, the small multiples and the ending."""
    for name in ("relief", "giveup"):
        page.locator(f"#guess-{name} button").click()
    page.select_option("#wi-kind", "iv:couples_therapy")
    page.click("#wi-run")
    wait_for(page, "!!document.querySelector('#whatif-table table')", WAIT_S)
    page.click("#mult-run")
    wait_for(page, "!!document.getElementById('mult-panels').dataset.param", WAIT_S)
    page.click("#ending-run")
    wait_for(page, "!!document.querySelector('#ending-table table')", WAIT_S)


def shoot(folder: Path) -> list[Path]:
    """Take every screenshot into ``folder``; the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with server() as url, browser_page(url) as page:
        act(page)
        for name, section in SECTIONS:
            path = folder / f"explorer-{name}.png"
            page.locator(f"#{section}").screenshot(path=str(path))
            out.append(path)
        page.emulate_media(media="print")
        path = folder / "explorer-print.png"
        page.screenshot(path=str(path), full_page=True)
        out.append(path)
        page.emulate_media(media="screen")
        runs = page.evaluate("Number(document.body.dataset.runs || 0)")
        page.select_option("#scenario-select", PERSON)
        wait_for(page, f"Number(document.body.dataset.runs || 0) > {runs}", WAIT_S)
        path = folder / "explorer-person.png"
        page.locator("#sandbox").screenshot(path=str(path))
        out.append(path)
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/images")
    for p in shoot(target):
        print(p)
