"""Usage errors of the ``closeloop`` command line on one line that repeat the value given,
instead of Click's framed panel."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup


def _given(args: Sequence[str], opts: Sequence[str]) -> str | None:
    """The value given on the command line for an option spelled one of ``opts``."""
    for i, arg in enumerate(args):
        for opt in opts:
            if arg == opt and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(opt + "="):
                return arg[len(opt) + 1 :]
    return None


class OneLineErrors(TyperGroup):
    """Usage errors on one line that repeat the value, instead of a framed panel."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.Abort:
            typer.echo("Aborted.", err=True)
            sys.exit(1)
        except Exception as e:
            # Click's usage errors (not importable from typer's public names) carry these two.
            if not (hasattr(e, "format_message") and isinstance(getattr(e, "exit_code", 0), int)):
                raise
            message = e.format_message().rstrip(".")
            param = getattr(e, "param", None)
            value = _given(argv, getattr(param, "opts", ())) if param is not None else None
            if value is not None and repr(value) not in message:
                message += f". Got {value!r} instead"
            message += "" if message.endswith("?") else "."
            ctx = getattr(e, "ctx", None)
            if ctx is not None:
                message += f" See '{ctx.command_path} --help'."
            typer.echo(f"error: {message}", err=True)
            sys.exit(int(getattr(e, "exit_code", 2)))
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)
