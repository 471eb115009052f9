"""``--source-option KEY=VALUE`` parsing, and redaction of options that may be secrets."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping

__all__ = ["parse_source_options", "redacted"]

_SECRET = re.compile(r"secret|token|password|passwd|key|credential|sas|signature|auth", re.I)


def parse_source_options(items: Iterable[str]) -> dict[str, object]:
    """``["KEY=VALUE", ...]`` → a dict; each VALUE is parsed as JSON where it parses
    (``true``, ``3``, ``{"a": 1}``), else kept as a string. ValueError names a bad item
    (never its value: it may be a secret)."""
    out: dict[str, object] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not key:
            raise ValueError("a source option has an empty KEY: expected KEY=VALUE")
        if not sep:
            raise ValueError(f"source option {key[:40]!r} has no '=': expected KEY=VALUE")
        try:
            out[key] = json.loads(raw)
        except ValueError:
            out[key] = raw
    return out


def redacted(options: Mapping[str, object]) -> dict[str, object]:
    """``options`` with the values of secret-looking keys replaced by ``'***'`` (nested too)."""
    out: dict[str, object] = {}
    for key, value in options.items():
        if _SECRET.search(str(key)):
            out[key] = "***"
        elif isinstance(value, Mapping):
            out[key] = redacted(value)
        else:
            out[key] = value
    return out
