"""Consoles, logging and redaction: results on stdout, everything else on stderr."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from .._redact import install_log_redaction, redact

__all__ = ["Output", "echo_json"]

_LOGGERS = ("synapse_ext", "httpx", "httpcore")
_FORMAT = "%(levelname)-7s %(name)s: %(message)s"


class _LineHandler(logging.Handler):
    """One log record, one line on the stderr console: never wrapped or cropped, whatever
    the width (a long URL stays whole, for grep), and printed above a live progress display
    rather than through it."""

    def __init__(self, output: Output) -> None:
        super().__init__()
        self._output = output
        self.setFormatter(logging.Formatter(_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self._output.redact(self.format(record))
            self._output.err.print(Text(line), soft_wrap=True, crop=False, highlight=False)
        except Exception:  # logging must never end the command
            self.handleError(record)


class Output:
    """Where the CLI writes. ``out``: results (stdout); ``err``: messages, logs, progress."""

    def __init__(self, *, json_mode: bool = False) -> None:
        # Consoles resolve sys.stdout/sys.stderr when they write (CliRunner swaps them).
        self.out = Console(highlight=False, soft_wrap=True)
        self.err = Console(stderr=True, highlight=False, soft_wrap=True)
        self.json_mode = json_mode
        self._secrets: list[str] = []

    def add_secret(self, secret: str | None) -> None:
        """Never print ``secret``: it is masked in messages and logs.

        Masking is a second line of defence (no message is built from a token); secrets
        shorter than 6 characters are not masked, as that would garble every line.
        """
        if secret and len(secret) >= 6 and secret not in self._secrets:
            self._secrets.append(secret)

    def redact(self, text: str) -> str:
        """``text`` with every known secret replaced by ``***``, and every credential of a URL
        (presigned signatures) masked as the library masks them."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return redact(text)

    def line(self, text: str = "", *, style: str | None = None) -> None:
        """One plain line on stdout (nothing in JSON mode); markup is not interpreted."""
        if not self.json_mode:
            self.out.print(self.redact(text), markup=False, style=style)

    def note(self, text: str) -> None:
        """One informational line on stderr."""
        self.err.print(self.redact(text), markup=False, style="dim")

    def error(self, text: str) -> None:
        """One error line on stderr."""
        self.err.print("error: " + self.redact(text), markup=False, style="bold red")

    def setup_logging(self, verbose: int) -> Callable[[], None]:
        """``-v``: synapse_ext at INFO; ``-vv``: its DEBUG and one httpx line per request;
        ``-vvv``: httpcore's connection-level DEBUG too; default: errors only.

        One record per line (``LEVEL   logger: message``), never wrapped; secrets masked.
        Returns the function that undoes it (the CLI may run inside a longer-lived process).
        """
        levels = {"synapse_ext": logging.ERROR, "httpx": logging.WARNING}
        if verbose >= 1:
            levels["synapse_ext"] = logging.INFO
        if verbose >= 2:
            levels.update(synapse_ext=logging.DEBUG, httpx=logging.INFO)
        if verbose >= 3:
            levels["httpcore"] = logging.DEBUG
        install_log_redaction()
        handler = _LineHandler(self)
        saved: list[tuple[logging.Logger, int]] = []
        for name in _LOGGERS:
            logger = logging.getLogger(name)
            saved.append((logger, logger.level))
            logger.addHandler(handler)
            logger.setLevel(levels.get(name, logging.WARNING))

        def restore() -> None:
            for logger, level in saved:
                logger.removeHandler(handler)
                logger.setLevel(level)

        return restore


def echo_json(document: Any) -> None:
    """The one JSON document of ``--json`` on stdout (URL credentials masked)."""
    text = json.dumps(document, indent=2, default=str, ensure_ascii=False)
    click.echo(redact(text), file=sys.stdout)
