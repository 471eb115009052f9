"""``synapse-dc``: the command line (click + rich).

Modules, one job each: ``app`` (group, global options, error → exit code), ``config``
(flags/env), ``session`` (client per invocation), ``fake`` (``--mock``; the only import of
``mockserver`` in ``synapse_ext``, lazy), ``cmd_browse`` / ``cmd_upload`` (commands),
``report`` / ``tables`` (what is shown), ``live`` (progress), ``sizes``, ``output``, ``exits``.
"""

from __future__ import annotations

from collections.abc import Sequence

from .app import cli
from .exits import CliError, ExitCode

__all__ = ["CliError", "ExitCode", "cli", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``synapse-dc``: run the command, return its exit code."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="synapse-dc")
    except SystemExit as stop:
        code = stop.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
