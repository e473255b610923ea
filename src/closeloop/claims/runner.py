"""Run claims and render their results as a table or JSON."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping, Sequence

from closeloop import mechanisms
from closeloop.claims.common import check_overrides
from closeloop.claims.registry import CLAIMS, Claim, ClaimResult, Evidence, Settings, format_note
from closeloop.engine import LINEAR_ABSENT
from closeloop.errors import bad_value
from closeloop.model import variants


def _absent(e: Exception, variant: str) -> str | None:
    """The variable a check asked for that the variant does not have (named in the error of
    a Dataset lookup), or None: any other error is a real one and is raised."""
    if variants.kernel(variant) != "linear":
        return None
    text = str(e)
    for name in LINEAR_ABSENT:
        if f"'{name}'" in text:
            return name
    return None


def _evidence(c: Claim, st: Settings) -> tuple[Evidence | None, str]:
    """The claim's evidence, or None and why the variant cannot give it."""
    try:
        return c.check(st), ""
    except variants.NotApplicable as e:
        return None, str(e)
    except (AttributeError, KeyError) as e:
        name = _absent(e, st.variant)
        if name is None:
            raise
        where = "docs/model.md, 'Simpler models beside it'"
        return None, f"the '{st.variant}' variant has no '{name}' ({where})"


def check_claims(
    quick: bool = True,
    only: str | None = None,
    ablate: Sequence[str] = (),
    seed: int = 0,
    variant: str = variants.DEFAULT,
    overrides: Mapping[str, float] | None = None,
    scale: float = 1.0,
) -> list[ClaimResult]:
    """Run the claim checks.

    Arguments:
        quick: smaller populations (CI); full size otherwise.
        only: run only claims whose id starts with this prefix ("P", "P3").
        ablate: mechanisms to switch off for every claim.
        seed: run seed.
        variant: the model every check simulates (``closeloop.model.variants``); a claim whose
            runs or variables the variant cannot make is reported not applicable, never passed.
        overrides: world and relationship parameter values (name -> value, within the
            specification's bounds) that every run of every claim applies to its scenario,
            where the scenario does not set that value itself (``claims.common.with_overrides``).
        scale: population size as a share of the claim's quick or full size, in (0, 1]
            (robustness runs many points at a smaller size; its intervals are then wider).

    Returns:
        One ClaimResult per claim, in registry order.

    Example:
        >>> import closeloop as cl
        >>> [r.id for r in cl.check_claims(quick=True, only="P2")]
        ['P2']
    """
    off = mechanisms.validate(ablate)
    variant = variants.check(variant)
    extra = check_overrides(overrides or {})
    if isinstance(scale, bool) or not isinstance(scale, int | float) or not 0 < scale <= 1:
        raise bad_value("scale", scale, "a number in (0, 1]")
    chosen = [c for c in CLAIMS if only is None or c.id.upper().startswith(only.upper())]
    if not chosen:
        ids = ", ".join(c.id for c in CLAIMS)
        raise bad_value("only", only, f"a prefix of a claim id ({ids})")
    results = []
    for c in chosen:
        n = max(1, round((c.n_quick if quick else c.n_full) * scale))
        t0 = time.perf_counter()
        st = Settings(n=n, seed=seed, ablate=off, quick=quick, variant=variant, overrides=extra)
        ev, why = _evidence(c, st)
        seconds = time.perf_counter() - t0
        if ev is None:
            na = _not_applicable(c, off, variant, why, seconds)
            results.append(dataclasses.replace(na, overrides=extra))
            continue
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
                variant=variant,
                overrides=extra,
            )
        )
    return results


def _not_applicable(
    c: Claim, off: tuple[str, ...], variant: str, why: str, seconds: float
) -> ClaimResult:
    nan = float("nan")
    return ClaimResult(
        id=c.id,
        statement=c.statement,
        effect=nan,
        ci=(nan, nan),
        threshold=nan,
        direction="",
        passed=False,
        mechanisms=c.mechanisms,
        n=0,
        seconds=seconds,
        ablated=off,
        conditions=(),
        threshold_why=c.threshold_why,
        notes={"not applicable": why},
        variant=variant,
        applicable=False,
    )


def render_json(results: Sequence[ClaimResult]) -> str:
    return json.dumps([r.as_dict() for r in results], indent=2)


def render_table(results: Sequence[ClaimResult]) -> None:
    """Print the claims table (rich) to stdout."""
    from rich.console import Console
    from rich.table import Table

    title = "closeloop claims"
    if results and results[0].variant != variants.DEFAULT:
        title += f" (variant: {results[0].variant})"
    if results and results[0].ablated:
        title += " (ablated: " + ", ".join(results[0].ablated) + ")"
    if results and results[0].overrides:
        title += " (set: " + ", ".join(f"{k}={v:g}" for k, v in results[0].overrides) + ")"
    t = Table(title=title, show_lines=False)
    for col in ("id", "claim", "effect [95% CI]", "threshold", "verdict"):
        t.add_column(col)
    for r in results:
        t.add_row(
            r.id,
            r.statement,
            f"{r.effect:.3f} [{r.ci[0]:.3f}, {r.ci[1]:.3f}]" if r.applicable else "-",
            f"{r.direction} {r.threshold:g}" if r.applicable else "-",
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
    failed = [r.id for r in results if r.verdict == "FAIL"]
    expected = [r.id for r in results if r.verdict == "FAIL" and r.expected_to_fail]
    na = [r.id for r in results if r.verdict == "n/a"]
    line = f"{len(results) - len(failed) - len(na)} passed, {len(failed)} failed"
    if expected:
        line += f" ({len(expected)} expected: {', '.join(expected)})"
    if na:
        line += f", {len(na)} not applicable"
    print(line)


def _verdict(r: ClaimResult) -> str:
    if r.verdict == "n/a":
        return "n/a"
    if r.passed:
        return "[green]pass[/green]"
    return "[yellow]FAIL (expected)[/yellow]" if r.expected_to_fail else "[red]FAIL[/red]"
