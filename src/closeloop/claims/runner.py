"""Run claims and render their results as a table or JSON."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

from closeloop import mechanisms
from closeloop.claims.registry import CLAIMS, ClaimResult, Settings, format_note
from closeloop.errors import bad_value


def check_claims(
    quick: bool = True, only: str | None = None, ablate: Sequence[str] = (), seed: int = 0
) -> list[ClaimResult]:
    """Run the claim checks.

    Arguments:
        quick: smaller populations (CI); full size otherwise.
        only: run only claims whose id starts with this prefix ("P", "P3").
        ablate: mechanisms to switch off for every claim.
        seed: run seed.

    Returns:
        One ClaimResult per claim, in registry order.

    Example:
        >>> import closeloop as cl
        >>> [r.id for r in cl.check_claims(quick=True, only="P2")]
        ['P2']
    """
    off = mechanisms.validate(ablate)
    chosen = [c for c in CLAIMS if only is None or c.id.upper().startswith(only.upper())]
    if not chosen:
        ids = ", ".join(c.id for c in CLAIMS)
        raise bad_value("only", only, f"a prefix of a claim id ({ids})")
    results = []
    for c in chosen:
        n = c.n_quick if quick else c.n_full
        t0 = time.perf_counter()
        ev = c.check(Settings(n=n, seed=seed, ablate=off, quick=quick))
        seconds = time.perf_counter() - t0
        head = ev.conditions[0]
        results.append(
            ClaimResult(
                id=c.id,
                statement=c.statement,
                effect=head.value,
                ci=(head.low, head.high),
                threshold=head.threshold,
                direction=head.direction,
                passed=all(x.passed for x in ev.conditions),
                mechanisms=c.mechanisms,
                n=ev.n,
                seconds=seconds,
                ablated=off,
                conditions=ev.conditions,
                threshold_why=c.threshold_why,
                notes=dict(ev.notes),
                negative_controls=c.negative_controls,
                expected_to_fail=c.expected_to_fail,
            )
        )
    return results


def render_json(results: Sequence[ClaimResult]) -> str:
    return json.dumps([r.as_dict() for r in results], indent=2)


def render_table(results: Sequence[ClaimResult]) -> None:
    """Print the claims table (rich) to stdout."""
    from rich.console import Console
    from rich.table import Table

    title = "closeloop claims"
    if results and results[0].ablated:
        title += " (ablated: " + ", ".join(results[0].ablated) + ")"
    t = Table(title=title, show_lines=False)
    for col in ("id", "claim", "effect [95% CI]", "threshold", "verdict"):
        t.add_column(col)
    for r in results:
        t.add_row(
            r.id,
            r.statement,
            f"{r.effect:.3f} [{r.ci[0]:.3f}, {r.ci[1]:.3f}]",
            f"{r.direction} {r.threshold:g}",
            _verdict(r),
        )
        if r.expected_to_fail:
            t.add_row("", f"  (expected to fail) {r.expected_to_fail}", "", "", "")
        for c in r.conditions[1:]:
            t.add_row(
                "",
                f"  and: {c.name}",
                f"{c.value:.3f} [{c.low:.3f}, {c.high:.3f}]",
                f"{c.direction} {c.threshold:g}",
                "[green]ok[/green]" if c.passed else "[red]no[/red]",
            )
        for name, v in r.notes.items():
            t.add_row("", f"  (reported) {name}", format_note(v), "", "")
    Console(width=160).print(t)
    failed = [r.id for r in results if not r.passed]
    expected = [r.id for r in results if not r.passed and r.expected_to_fail]
    line = f"{len(results) - len(failed)} passed, {len(failed)} failed"
    if expected:
        line += f" ({len(expected)} expected: {', '.join(expected)})"
    print(line)


def _verdict(r: ClaimResult) -> str:
    if r.passed:
        return "[green]pass[/green]"
    return "[yellow]FAIL (expected)[/yellow]" if r.expected_to_fail else "[red]FAIL[/red]"
