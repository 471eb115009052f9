"""The one interface every reader of a dataset file goes through: local path or source file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, BinaryIO, TypeAlias

from ._path import SourcePath

__all__ = ["FileRef", "as_file_ref", "file_key", "file_name", "file_size", "open_binary"]

FileRef: TypeAlias = Path | SourcePath
"""A dataset file: a local :class:`~pathlib.Path` (plain ``open``) or a :class:`SourcePath`."""


def as_file_ref(value: str | os.PathLike[str] | SourcePath) -> FileRef:
    """``value`` as a :data:`FileRef` (strings and path-likes are local paths)."""
    return value if isinstance(value, SourcePath) else Path(os.fspath(value))


def open_binary(ref: FileRef) -> BinaryIO:
    """``ref`` opened for binary reading with seek (local files: the builtin ``open``)."""
    if isinstance(ref, SourcePath):
        return ref.open()
    return open(ref, "rb")


def file_name(ref: FileRef) -> str:
    """The file's name (last path component)."""
    return ref.name


def file_key(ref: FileRef) -> str:
    """A string naming the file: the local path as given, or the source URL."""
    return ref.url if isinstance(ref, SourcePath) else os.fspath(ref)


def file_size(ref: FileRef) -> int:
    """The file's size: from the listing for a source file (asked when unknown), else stat."""
    if isinstance(ref, SourcePath):
        fs: Any = ref.fs
        return int(ref.size) if ref.size is not None else int(fs.size(ref.path))
    return ref.stat().st_size
