"""A file or folder of a source filesystem (fsspec), with the facts its listing gave."""

from __future__ import annotations

import hashlib
import re
from typing import Any, BinaryIO, cast

import attrs

__all__ = ["READ_BLOCK", "SourcePath"]

READ_BLOCK = 8 * 1024 * 1024
"""Read-ahead of a remote file opened for streaming: memory per open file stays near this."""
_MD5_ETAG = re.compile(r"[0-9a-f]{32}")


@attrs.frozen(order=True)
class SourcePath:
    """A file (or folder) in a source given as an fsspec URL (``s3://bucket/prefix/a.png``).

    Equal, hashed and sorted by URL. ``size``, ``etag`` and ``mtime`` come from the listing
    (``None`` when the store has no such fact); ``open()`` streams it with bounded memory.
    Local files are plain :class:`pathlib.Path` objects, never a ``SourcePath``.
    """

    url: str
    """The file's URL, e.g. ``s3://bucket/ds/image/a.png`` (never carries credentials)."""
    path: str = attrs.field(eq=False, order=False)
    """The path inside the filesystem, as fsspec names it (``bucket/ds/image/a.png``)."""
    fs: object = attrs.field(eq=False, order=False, repr=False)
    """The ``fsspec.AbstractFileSystem`` it lives in."""
    size: int | None = attrs.field(default=None, eq=False, order=False)
    etag: str | None = attrs.field(default=None, eq=False, order=False)
    """The store's entity tag, unquoted (S3: the MD5 of a single-part, non-KMS object)."""
    mtime: str | None = attrs.field(default=None, eq=False, order=False)
    """The last-modified time as the store reports it (ISO text), if any."""
    is_dir: bool = attrs.field(default=False, eq=False, order=False)

    def __str__(self) -> str:
        return self.url

    @property
    def name(self) -> str:
        """The last component of the path (``a.png``)."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]

    @property
    def version(self) -> str:
        """What identifies this content of the file: its ETag, else its mtime, else ``""``."""
        return self.etag or self.mtime or ""

    @property
    def stamp(self) -> int:
        """:attr:`version` as a 63-bit integer (where a file's mtime_ns would go)."""
        return int(hashlib.sha256(self.version.encode()).hexdigest()[:15], 16)

    @property
    def md5_etag(self) -> str | None:
        """The ETag when it has the form of a content MD5 (32 hex digits, no ``-N`` part
        count); only a claim: encrypted (SSE-KMS/SSE-C) objects have such ETags too."""
        tag = (self.etag or "").lower()
        return tag if _MD5_ETAG.fullmatch(tag) else None

    def open(self) -> BinaryIO:
        """The file opened for binary reading (seekable), read ahead in blocks of
        :data:`READ_BLOCK` so that memory does not grow with the file."""
        fs: Any = self.fs
        try:
            try:
                handle = fs.open(
                    self.path, "rb", block_size=READ_BLOCK, cache_type="readahead", size=self.size
                )
            except TypeError:  # a backend whose open() takes no block options
                handle = fs.open(self.path, "rb")
        except OSError:
            raise
        except Exception as exc:
            raise _as_os_error(self.url, exc) from exc
        return cast(BinaryIO, _Handle(handle, self.url))


def _as_os_error(url: str, exc: Exception) -> OSError:
    return OSError(f"cannot read {url}: {type(exc).__name__}: {exc}")


class _Handle:
    """A backend's file handle whose own errors (e.g. botocore's) surface as ``OSError``."""

    def __init__(self, inner: Any, url: str) -> None:
        self._inner, self._url = inner, url

    def read(self, n: int = -1) -> bytes:
        try:
            data: bytes = self._inner.read(n)
        except OSError:
            raise
        except Exception as exc:
            raise _as_os_error(self._url, exc) from exc
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return int(self._inner.seek(offset, whence))

    def tell(self) -> int:
        return int(self._inner.tell())

    def close(self) -> None:
        self._inner.close()

    def __enter__(self) -> _Handle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
