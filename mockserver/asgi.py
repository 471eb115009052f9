"""Real-HTTP transport: an ASGI app over the same dispatcher (served by uvicorn).

Multipart bodies are parsed while they stream in, so file parts go to disk; PUT bodies to the
storage origin are spooled to a file (MD5 on the way; ``Dispatcher.body_mode``); other bodies
are capped at ``MAX_BODY_BYTES`` (413). The app serves two origins: connections accepted on a
port of ``storage_ports`` (uvicorn's second socket) are the object storage, told apart by the
socket (``scope["server"]``), never by the Host header. Downloads stream from disk.
Injected refusals, drops and lost responses start a response and then abort, so uvicorn closes
the connection and the client sees a transport error, not a 500 (an ASGI app cannot close a
connection without starting a response: uvicorn would answer 500). A refusal is therefore a
dropped connection over HTTP: only the respx transport can say "not sent".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any, Protocol

from mockserver.contract import ContractViolation
from mockserver.dispatch import Dispatcher, Outcome
from mockserver.http import MockRequest, MockResponse
from mockserver.multipart import BodySpooler, MultipartCollector, MultipartError

__all__ = ["AbortConnection", "MockAsgiApp", "quiet_aborts"]

MAX_BODY_BYTES = 16 << 20
FEED_BYTES = 1 << 20
FEED_QUEUE = 8
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class AbortConnection(Exception):
    """Raised after ``http.response.start`` to make the server drop the connection."""


class _QuietAborts(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, AbortConnection)


def quiet_aborts() -> None:
    """Keep uvicorn from logging tracebacks for injected connection aborts."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietAborts) for f in logger.filters):
        logger.addFilter(_QuietAborts())


class _Sink(Protocol):
    def feed(self, data: bytes) -> None: ...


class _Feeder:
    """Feeds a collector from a worker thread while the event loop keeps receiving.

    Parsing, hashing and writing a MiB overlap with reading the next ones from the socket;
    at most ``FEED_QUEUE`` MiB wait in memory. Pieces are passed on as received (no joining
    copies), and a small body that arrives at once is parsed inline (no thread hop).
    """

    def __init__(self, collector: _Sink) -> None:
        self._collector = collector
        self._queue: asyncio.Queue[list[bytes] | None] = asyncio.Queue(maxsize=FEED_QUEUE)
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._queued = False
        self._task = asyncio.ensure_future(self._run())

    def _feed(self, pieces: list[bytes]) -> None:
        for piece in pieces:
            self._collector.feed(piece)

    async def _run(self) -> None:
        while (pieces := await self._queue.get()) is not None:
            await asyncio.to_thread(self._feed, pieces)

    async def _flush(self) -> None:
        pieces, self._pending, self._pending_size = self._pending, [], 0
        self._queued = True
        await self._queue.put(pieces)

    async def add(self, chunk: bytes, *, last: bool) -> None:
        """Queue ``chunk``; one thread hop per MiB, not per socket read (~64 KiB)."""
        if chunk:
            self._pending.append(chunk)
            self._pending_size += len(chunk)
        if self._pending_size >= FEED_BYTES:
            await self._flush()

    async def close(self) -> None:
        """Feed what is left and wait until the collector has seen every byte."""
        if self._pending and not self._queued and self._pending_size < FEED_BYTES:
            self._feed(self._pending)  # a small body: cheaper here than on a thread
            self._pending = []
        elif self._pending:
            await self._flush()
        await self._queue.put(None)
        await self._task

    def cancel(self) -> None:
        self._task.cancel()


class MockAsgiApp:
    """ASGI 3 application serving a :class:`Dispatcher`.

    ``storage_ports``: local ports whose connections are the storage origin.
    """

    def __init__(self, dispatcher: Dispatcher, storage_ports: Collection[int] = ()) -> None:
        self.dispatcher = dispatcher
        self.storage_ports = frozenset(storage_ports)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        request = await self._read_request(scope, receive)
        try:
            if request is None:
                await self._send(
                    send, MockResponse.json_response(413, {"detail": "Request entity too large."})
                )
                return
            try:
                outcome = await asyncio.to_thread(self.dispatcher.dispatch, request)
            except ContractViolation as exc:
                outcome = Outcome(
                    "respond",
                    MockResponse.json_response(500, {"detail": f"Contract violation: {exc}"}),
                )
        finally:
            if request is not None:
                request.cleanup()
        if outcome.delay_s:
            await asyncio.sleep(outcome.delay_s)
        if outcome.action in ("refuse", "drop", "lose_response"):
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
                }
            )
            raise AbortConnection(outcome.action)
        assert outcome.response is not None
        await self._send(send, outcome.response)

    async def _read_request(self, scope: Scope, receive: Receive) -> MockRequest | None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        server = scope.get("server") or ("localhost", 80)
        host = headers.get("host") or "{}:{}".format(*server)
        request = MockRequest(
            method=scope["method"],
            scheme=scope.get("scheme", "http"),
            host=host,
            path=scope["path"],
            query_string=scope.get("query_string", b"").decode("latin-1"),
            headers=headers,
            origin="storage" if server[1] in self.storage_ports else "api",
            arrived=self.dispatcher.timer(),
        )
        dispatcher = self.dispatcher
        spooler: BodySpooler | None = None
        collector: MultipartCollector | None = None
        if dispatcher.body_mode(request.origin, request.method, request.path) == "spool":
            spooler = BodySpooler(dispatcher.backend.spool_dir)
        elif request.is_multipart:
            try:
                collector = MultipartCollector(
                    request.content_type,
                    self.dispatcher.backend.spool_dir,
                    hash_files=self.dispatcher.hash_parts(request.method, request.path),
                )
            except MultipartError as exc:
                request.multipart_error = str(exc)
        body = bytearray()
        too_large = False
        sink: _Sink | None = spooler or collector
        feeder = _Feeder(sink) if sink is not None else None
        try:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    if spooler is not None:  # a storage PUT cut short is never stored
                        raise AbortConnection("client disconnected during a storage PUT")
                    break
                chunk = message.get("body", b"")
                more = message.get("more_body", False)
                request.received_bytes += len(chunk)
                if feeder is not None:
                    await feeder.add(chunk, last=not more)
                elif not request.is_multipart and not too_large:
                    body += chunk
                    too_large = len(body) > MAX_BODY_BYTES
                if not more:
                    break
            if feeder is not None:
                await feeder.close()
        except BaseException:
            if feeder is not None:
                feeder.cancel()
            if spooler is not None:
                spooler.abort()
                dispatcher.cut_short(request)  # logged and counted after the spool is gone
            raise
        if spooler is not None:
            request.raw_body = spooler.finish()
            return request
        if too_large:
            return None
        if collector is not None:
            try:
                request.form, request.files = collector.finish()
            except MultipartError as exc:
                request.multipart_error = str(exc)
        request.body = bytes(body)
        return request

    async def _send(self, send: Send, response: MockResponse) -> None:
        headers = response.all_headers()
        if response.head:  # HEAD: the object's length, no body (uvicorn sends none)
            headers["content-length"] = str(response.file_size)
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status,
                    "headers": _encode(headers),
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        if response.file_paths is not None:
            headers["content-length"] = str(response.file_size)
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status,
                    "headers": _encode(headers),
                }
            )
            blocks = response.iter_file()
            while block := await asyncio.to_thread(next, blocks, b""):
                await send({"type": "http.response.body", "body": block, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        content = response.content()
        headers["content-length"] = str(len(content))
        await send(
            {"type": "http.response.start", "status": response.status, "headers": _encode(headers)}
        )
        await send({"type": "http.response.body", "body": content})


def _encode(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
