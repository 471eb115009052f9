"""File helpers: existence/emptiness checks, chunked reads and streaming MD5.

A file is a local path or a source file (:data:`~synapse_ext.sources.FileRef`); every read
goes through :func:`~synapse_ext.sources.open_binary` (local files: the builtin ``open``).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from ..errors import SynapseError
from ..sources import FileRef, SourcePath, file_size, open_binary

__all__ = ["CHUNKED_THRESHOLD", "EmptyFileError", "MiB", "check_file", "file_md5", "read_range"]

MiB = 1024 * 1024
CHUNKED_THRESHOLD = 50 * MiB
"""Files strictly larger than this (52,428,800 bytes) go chunked by default."""


class EmptyFileError(SynapseError, ValueError):
    """The file is empty; the server rejects empty uploads, so none is attempted."""


def check_file(path: str | os.PathLike[str] | SourcePath) -> tuple[FileRef, int]:
    """The path and size of a non-empty regular file, checked before any request.

    A source file's size is the one its listing gave (asked from the store when unknown).
    """
    if isinstance(path, SourcePath):
        size = path.size if path.size is not None else file_size(path)
        if size == 0:
            raise EmptyFileError(f"Cannot upload empty file {path.url!r}: the server rejects them")
        return path, size
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"No such file: {str(p)!r}")
    if not p.is_file():
        raise IsADirectoryError(f"Not a regular file: {str(p)!r}")
    size = p.stat().st_size
    if size == 0:
        raise EmptyFileError(f"Cannot upload empty file {str(p)!r}: the server rejects them")
    return p, size


def read_range(path: FileRef, start: int, length: int, digest: Any = None) -> bytes:
    """Exactly the bytes ``[start, start + length)`` of ``path`` (fewer only if it shrank).

    ``digest`` (a hashlib object), when given, is updated with the bytes read.
    """
    with open_binary(path) as f:
        f.seek(start)
        data = f.read(length)
    if digest is not None:
        digest.update(data)
    return data


def file_md5(path: FileRef, block: int = 4 * MiB) -> str:
    """Lower-case hex MD5 of the file, streamed in ``block``-byte reads."""
    digest = hashlib.md5(usedforsecurity=False)
    with open_binary(path) as f:
        while chunk := f.read(block):
            digest.update(chunk)
    return digest.hexdigest()
