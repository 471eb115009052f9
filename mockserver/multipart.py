"""Streaming multipart/form-data parsing: file parts go straight to disk.

Both transports feed request bytes into a :class:`MultipartCollector` as they arrive, so a
50 MiB chunk never sits in memory. File parts are written under generated names in a spool
folder (never the client's filename); small text fields are kept in memory up to a limit.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from pathlib import Path
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from mockserver.http import UploadedFile

__all__ = ["BodySpooler", "MultipartCollector", "MultipartError"]

MAX_FIELD_BYTES = 1 << 20
MAX_PARTS = 32
_counter = itertools.count(1)
_counter_lock = threading.Lock()


class MultipartError(ValueError):
    """The body is not valid multipart/form-data."""


def _spool_name() -> str:
    with _counter_lock:
        return f"part-{next(_counter):08d}.bin"


class MultipartCollector:
    """Incremental parser: call :meth:`feed` per body chunk, then :meth:`finish`."""

    def __init__(self, content_type: str, spool_dir: Path, *, hash_files: bool = True) -> None:
        _, params = parse_options_header(content_type)
        boundary = params.get(b"boundary")
        if not boundary:
            raise MultipartError("Multipart form parse error - Invalid boundary in multipart: None")
        self._spool_dir = spool_dir
        self._hash_files = hash_files
        self.fields: dict[str, str] = {}
        self.files: dict[str, UploadedFile] = {}
        self._headers: dict[bytes, bytes] = {}
        self._header_field = b""
        self._header_value = b""
        self._name: str | None = None
        self._filename: str | None = None
        self._buffer: bytearray | None = None
        self._fh: Any = None
        self._path: Path | None = None
        self._size = 0
        self._md5: Any = None
        self._parts = 0
        self._ended = False
        self._error: str | None = None
        callbacks: Any = {
            "on_part_begin": self._on_part_begin,
            "on_part_data": self._on_part_data,
            "on_part_end": self._on_part_end,
            "on_header_field": self._on_header_field,
            "on_header_value": self._on_header_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": self._on_headers_finished,
            "on_end": self._on_end,
        }
        self._parser = MultipartParser(boundary, callbacks)

    # -- parser callbacks -------------------------------------------------------------------
    def _on_part_begin(self) -> None:
        self._parts += 1
        if self._parts > MAX_PARTS:
            raise MultipartError(f"Too many multipart parts (more than {MAX_PARTS}).")
        self._headers = {}
        self._name = None
        self._filename = None

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = b""
        self._header_value = b""

    def _on_headers_finished(self) -> None:
        disposition = self._headers.get(b"content-disposition", b"")
        _, params = parse_options_header(disposition)
        name = params.get(b"name")
        if name is None:
            raise MultipartError("Multipart form parse error - a part has no name.")
        self._name = name.decode("utf-8", "replace")
        filename = params.get(b"filename")
        self._filename = None if filename is None else filename.decode("utf-8", "replace")
        if self._filename is None:
            self._buffer = bytearray()
        else:
            self._path = self._spool_dir / _spool_name()
            self._fh = self._path.open("wb")
            self._size = 0
            self._md5 = hashlib.md5() if self._hash_files else None

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        piece = memoryview(data)[start:end]  # no copy: written and hashed in place
        if self._buffer is not None:
            self._buffer += piece
            if len(self._buffer) > MAX_FIELD_BYTES:
                raise MultipartError(f"Form field {self._name!r} is larger than 1 MiB.")
        elif self._fh is not None:
            self._fh.write(piece)
            self._size += len(piece)
            if self._md5 is not None:
                self._md5.update(piece)

    def _on_part_end(self) -> None:
        assert self._name is not None
        if self._buffer is not None:
            self.fields[self._name] = self._buffer.decode("utf-8", "replace")
            self._buffer = None
        elif self._fh is not None and self._path is not None:
            self._fh.close()
            self._fh = None
            old = self.files.pop(self._name, None)
            if old is not None:
                old.discard()
            self.files[self._name] = UploadedFile(
                field_name=self._name,
                filename=self._filename,
                path=self._path,
                size=self._size,
                md5="" if self._md5 is None else self._md5.hexdigest(),
            )
            self._path = None

    def _on_end(self) -> None:
        self._ended = True

    # -- public -----------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        """Parse the next piece of the body (errors are kept for :meth:`finish`)."""
        if self._error is not None or not data:
            return
        try:
            self._parser.write(data)
        except (MultipartParseError, MultipartError) as exc:
            self._error = f"Multipart form parse error - {exc}"
            self._abort()

    def finish(self) -> tuple[dict[str, str], dict[str, UploadedFile]]:
        """Return (fields, files); raises MultipartError and cleans up on malformed input."""
        if self._error is None:
            try:
                self._parser.finalize()
            except (MultipartParseError, MultipartError) as exc:
                self._error = f"Multipart form parse error - {exc}"
            if self._error is None and not self._ended:
                self._error = (
                    "Multipart form parse error - the body ended before the last boundary."
                )
        if self._error is not None:
            self._abort()
            raise MultipartError(self._error)
        return self.fields, self.files

    def _abort(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._path is not None:
            self._path.unlink(missing_ok=True)
            self._path = None
        for part in self.files.values():
            part.discard()
        self.files = {}


class BodySpooler:
    """A raw request body (a storage PUT) streamed to a spool file, MD5 computed on the way.

    Same ``feed`` interface as :class:`MultipartCollector`, so both transports (and the ASGI
    feeder thread) drive either; :meth:`finish` returns the spooled file, which the handler
    takes (or ``MockRequest.cleanup`` deletes).
    """

    def __init__(self, spool_dir: Path) -> None:
        self._path = spool_dir / _spool_name()
        self._fh: Any = self._path.open("wb")
        self._md5 = hashlib.md5()
        self._size = 0

    def feed(self, data: bytes) -> None:
        """Write and hash the next piece of the body."""
        if data:
            self._fh.write(data)
            self._md5.update(data)
            self._size += len(data)

    def finish(self) -> UploadedFile:
        """Close the file; the body as an :class:`UploadedFile` (``md5`` in hex)."""
        self._fh.close()
        return UploadedFile("body", None, self._path, self._size, self._md5.hexdigest())

    def abort(self) -> None:
        """Close and delete the spool file (the request failed while streaming)."""
        self._fh.close()
        self._path.unlink(missing_ok=True)
