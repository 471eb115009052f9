"""Local-file helpers: existence/emptiness checks, chunked reads and streaming MD5."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

__all__ = ["CHUNKED_THRESHOLD", "EmptyFileError", "MiB", "check_file", "file_md5", "read_range"]

MiB = 1024 * 1024
CHUNKED_THRESHOLD = 50 * MiB
"""Files strictly larger than this (52,428,800 bytes) go chunked by default."""


class EmptyFileError(ValueError):
    """The file is empty; the server rejects empty uploads, so none is attempted."""


def check_file(path: str | os.PathLike[str]) -> tuple[Path, int]:
    """The path and size of a non-empty regular file, checked before any request."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"No such file: {str(p)!r}")
    if not p.is_file():
        raise IsADirectoryError(f"Not a regular file: {str(p)!r}")
    size = p.stat().st_size
    if size == 0:
        raise EmptyFileError(f"Cannot upload empty file {str(p)!r}: the server rejects them")
    return p, size


def read_range(path: Path, start: int, length: int, digest: Any = None) -> bytes:
    """Exactly the bytes ``[start, start + length)`` of ``path`` (fewer only if it shrank).

    ``digest`` (a hashlib object), when given, is updated with the bytes read.
    """
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(length)
    if digest is not None:
        digest.update(data)
    return data


def file_md5(path: Path, block: int = 4 * MiB) -> str:
    """Lower-case hex MD5 of the file, streamed in ``block``-byte reads."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(block):
            digest.update(chunk)
    return digest.hexdigest()
