"""Byte sizes on the command line: ``1048576``, ``64k``, ``8M``, ``50MiB``, ``1.5GB``.

Bare numbers are bytes; ``K``/``M``/``G``/``T`` with or without ``iB`` are binary (1024-based,
like ``dd`` and ``split``); ``KB``/``MB``/``GB``/``TB`` are decimal (1000-based). Case does not
matter; a trailing ``B`` alone means bytes.
"""

from __future__ import annotations

import re
from typing import Any

import click

from ..ingest.settings import MAX_CHUNK

__all__ = ["CHUNK_SIZE", "MAX_CHUNK", "SIZE", "SizeParam", "format_size", "parse_size"]


_UNITS = {
    "": 1,
    "b": 1,
    "k": 1024,
    "kib": 1024,
    "kb": 1000,
    "m": 1024**2,
    "mib": 1024**2,
    "mb": 1000**2,
    "g": 1024**3,
    "gib": 1024**3,
    "gb": 1000**3,
    "t": 1024**4,
    "tib": 1024**4,
    "tb": 1000**4,
}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")


def parse_size(text: str) -> int:
    """Bytes in ``text``; ``ValueError`` with the accepted forms when it is not a size."""
    match = _PATTERN.match(text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise ValueError(f"{text!r} is not a size (examples: 1048576, 64k, 8M, 50MiB, 1GB)")
    value = int(float(match.group(1)) * _UNITS[unit])
    if value < 1:
        raise ValueError(f"{text!r} is less than one byte")
    return value


def format_size(n: int | float) -> str:
    """``n`` bytes for humans, binary units: ``512 B``, ``3.9 KiB``, ``50.0 MiB``."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(value) < 1024 or unit == "TiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


class SizeParam(click.ParamType[int, Any]):
    """A click parameter type for :func:`parse_size`, at most ``maximum`` bytes if given."""

    name = "size"

    def __init__(self, maximum: int | None = None) -> None:
        self.maximum = maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            size = value if isinstance(value, int) else parse_size(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if self.maximum is not None and not 1 <= size <= self.maximum:
            self.fail(
                f"{value} is out of range (allowed: 1 B to {format_size(self.maximum)})",
                param,
                ctx,
            )
        return size


SIZE = SizeParam()
CHUNK_SIZE = SizeParam(MAX_CHUNK)
"""A chunk size, or a file size under which one request carries the whole file."""
