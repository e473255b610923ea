"""Filling the generated blocks of docs/model.md and the ``python -m closeloop.docs`` command."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from closeloop import params
from closeloop.docs.library import (
    change_params_table,
    interventions_table,
    scenarios_table,
    trajectory_table,
)
from closeloop.docs.paths import MODEL_MD
from closeloop.docs.recorded import (
    ablation_matrix_table,
    calibration_variants_block,
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
from closeloop.io import write_text

BLOCK = re.compile(
    r"(?P<begin><!-- BEGIN GENERATED: (?P<name>[a-z0-9-]+) -->\n)"
    r"(?P<body>.*?)"
    r"(?P<end><!-- END GENERATED: (?P=name) -->)",
    re.DOTALL,
)
"""A generated block: its begin marker, body and end marker."""


BLOCKS: dict[str, Callable[[], str | None]] = {
    "person-params": person_params_table,
    "world-params": world_params_table,
    "couple-params": couple_params_table,
    "mechanisms": mechanisms_table,
    "styles": styles_table,
    "events": events_table,
    "presets": presets_table,
    "population": population_table,
    "constants": constants_table,
    "interventions": interventions_table,
    "change-params": change_params_table,
    "intervention-params": intervention_params_table,
    "history-params": history_params_table,
    "observation-params": observation_params_table,
    "scenarios": scenarios_table,
    "trajectory": trajectory_table,
    "claims": claims_table,
    "ablation-matrix": ablation_matrix_table,
    "linear-params": lambda: params_table(params.LINEAR_SPECS),
    "variants": variants_block,
    "robustness": robustness_block,
    "calibration-variants": calibration_variants_block,
}
"""Marker name -> renderer. A renderer returning None leaves its block untouched."""


def render(text: str) -> tuple[str, list[str]]:
    """Fill every generated block of ``text``.

    Returns:
        The new text and the names of the blocks whose content changed.

    Raises:
        ValueError: a block of :data:`BLOCKS` has no marker pair in ``text``, or a marker names
            an unknown block.
    """
    found = [m.group("name") for m in BLOCK.finditer(text)]
    unknown = sorted(set(found) - set(BLOCKS))
    if unknown:
        raise ValueError(f"unknown generated block(s) in the document: {', '.join(unknown)}")
    missing = [n for n in BLOCKS if n not in found]
    if missing:
        raise ValueError(
            "missing generated block(s): "
            + ", ".join(missing)
            + " (add '<!-- BEGIN GENERATED: NAME -->' and "
            "'<!-- END GENERATED: NAME -->')"
        )
    rendered = {name: fn() for name, fn in BLOCKS.items()}
    changed: list[str] = []

    def fill(m: re.Match[str]) -> str:
        content = rendered[m.group("name")]
        if content is None:
            return m.group(0)
        body = content.rstrip("\n") + "\n"
        if body != m.group("body"):
            changed.append(m.group("name"))
        return m.group("begin") + body + m.group("end")

    return BLOCK.sub(fill, text), changed


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m closeloop.docs [--check] [--path FILE]``: rewrite or check the generated blocks.

    Returns 0 when the document is (now) up to date, 1 with ``--check`` when a block is stale,
    2 when the document cannot be read or has a missing or unknown marker.
    """
    ap = argparse.ArgumentParser(
        prog="python -m closeloop.docs", description="Render the generated tables of docs/model.md."
    )
    ap.add_argument(
        "--check", action="store_true", help="only compare; exit 1 if a generated block is stale"
    )
    ap.add_argument("--path", type=Path, default=MODEL_MD, help="the document (docs/model.md)")
    args = ap.parse_args(argv)
    path: Path = args.path
    try:
        text = path.read_text(encoding="utf-8")
        new, changed = render(text)
    except (OSError, ValueError) as e:
        print(f"closeloop.docs: {path}: {e}", file=sys.stderr)
        return 2
    if args.check:
        if changed:
            print(
                f"closeloop.docs: {path} is stale in block(s) {', '.join(changed)}; run "
                "`uv run python -m closeloop.docs` to regenerate.",
                file=sys.stderr,
            )
            return 1
        return 0
    if new != text:
        write_text(path, new)
        print(f"closeloop.docs: updated {', '.join(changed)} in {path}", file=sys.stderr)
    return 0
