"""Regenerate the tables of docs/fitting.md: the identifiability study of the shipped posterior
network on fresh simulations, recovery against diary length, the negative controls and the
bench figures (closeloop.fit.study). One command, about 15-25 minutes on two shared cores:

    uv run python tools/fit_study.py            # everything
    uv run python tools/fit_study.py --no-lengths   # without the length study (retrains 3 nets)
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from closeloop.cli import use_every_core

DOC = Path(__file__).resolve().parents[1] / "docs" / "fitting.md"
BLOCK = re.compile(
    r"(?P<begin><!-- BEGIN GENERATED: (?P<name>[a-z0-9-]+) -->\n)"
    r"(?P<body>.*?)"
    r"(?P<end><!-- END GENERATED: (?P=name) -->)",
    re.DOTALL,
)


def fill(text: str, blocks: dict[str, str]) -> str:
    """``text`` with each generated block whose name is in ``blocks`` replaced."""

    def sub(m: re.Match[str]) -> str:
        name = m.group("name")
        if name not in blocks:
            return m.group(0)
        return m.group("begin") + blocks[name] + "\n" + m.group("end")

    return BLOCK.sub(sub, text)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-lengths", action="store_true", help="skip the length study")
    args = ap.parse_args()
    use_every_core()  # before JAX starts: one XLA device per core for the engine
    from closeloop.fit import study
    from closeloop.io import write_text

    t0 = time.perf_counter()
    say = lambda s: print(f"[{time.perf_counter() - t0:6.0f} s] {s}", file=sys.stderr, flush=True)  # noqa: E731
    blocks = study.run(say, lengths=not args.no_lengths)
    text = DOC.read_text(encoding="utf-8")
    missing = [n for n in blocks if f"BEGIN GENERATED: {n} -->" not in text]
    if missing:
        print(f"error: docs/fitting.md lacks the blocks {', '.join(missing)}", file=sys.stderr)
        return 2
    write_text(DOC, fill(text, blocks))
    say(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
