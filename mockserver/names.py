"""Client-supplied file names made safe to show and to store."""

from __future__ import annotations

__all__ = ["safe_name"]


def safe_name(filename: str) -> str:
    """The last path component of a client filename, never empty, '.' or '..'."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name if name not in {"", ".", ".."} else "file"
