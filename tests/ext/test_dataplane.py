"""Both clients' storage PUTs over urllib3 (the async one's in worker threads): the seam, and
the guarantees kept.

Which path a PUT takes is seen in the fake's call log (urllib3 and httpx announce themselves
in ``User-Agent``); failures are provoked with raw sockets that misbehave on purpose.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from synapse_client.models import PresignedUploadFile

from mockserver import MockSynapse, mock_synapse
from synapse_ext import (
    AsyncSynapseClient,
    PresignedUrlExpiredError,
    RequestNotSentError,
    ResponseLostError,
    SynapseClient,
)
from synapse_ext._wire.dataplane import StoragePool, httpx_is_patched
from synapse_ext._wire.storage import StoragePut, storage_error

from ..mockserver.v2_helpers import upload_urls, v2_client

BODY = b"a small file, sent in one PUT"
SECRET = "X-Amz-Signature=0123456789abcdef"


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.png"
    path.write_bytes(BODY)
    return path


def _upload(fake: MockSynapse, client: SynapseClient, path: Path) -> str:
    """Presign, PUT with ``client``; the User-Agent the storage saw."""
    with v2_client(fake) as v2:
        (entry,) = upload_urls(v2, {path.name: path.stat().st_size})
    stored = client.upload_to_presigned(PresignedUploadFile.from_dict(entry), path)
    assert stored.checksum == hashlib.md5(BODY).hexdigest()
    (put,) = [c for c in fake.calls if c.operation_id == "storagePutObject"]
    return dict(put.headers)["user-agent"]


def test_a_client_on_the_network_puts_through_urllib3(small: Path) -> None:
    with mock_synapse(mode="server") as fake, SynapseClient(fake.base_url, fake.token) as client:
        assert client._driver.storage is not None
        assert _upload(fake, client, small).startswith("python-urllib3/")


def test_a_given_transport_sees_every_put(small: Path) -> None:
    with (
        mock_synapse(mode="respx", patch=False) as fake,
        SynapseClient(fake.base_url, fake.token, transport=fake.transport) as client,
    ):
        assert client._driver.storage is None
        assert _upload(fake, client, small).startswith("python-httpx/")


def test_while_respx_patches_httpx_puts_go_through_httpx(small: Path) -> None:
    assert not httpx_is_patched()
    with mock_synapse(mode="respx", patch=True) as fake:
        assert httpx_is_patched()
        with SynapseClient(fake.base_url, fake.token) as client:
            assert client._driver.storage is not None  # built, but not used while patched
            assert _upload(fake, client, small).startswith("python-httpx/")
    assert not httpx_is_patched()


async def _aupload(fake: MockSynapse, client: AsyncSynapseClient, path: Path) -> str:
    """:func:`_upload` through the async client."""
    with v2_client(fake) as v2:
        (entry,) = upload_urls(v2, {path.name: path.stat().st_size})
    stored = await client.upload_to_presigned(PresignedUploadFile.from_dict(entry), path)
    assert stored.checksum == hashlib.md5(BODY).hexdigest()
    (put,) = [c for c in fake.calls if c.operation_id == "storagePutObject"]
    return dict(put.headers)["user-agent"]


def test_the_async_client_on_the_network_puts_through_urllib3(small: Path) -> None:
    async def main() -> str:
        async with AsyncSynapseClient(fake.base_url, fake.token) as client:
            assert client._driver.storage is not None
            return await _aupload(fake, client, small)

    with mock_synapse(mode="server") as fake:
        assert anyio.run(main).startswith("python-urllib3/")


def test_the_async_client_with_a_transport_or_under_respx_puts_through_httpx(
    small: Path,
) -> None:
    async def given(fake: MockSynapse) -> str:
        async with AsyncSynapseClient(
            fake.base_url, fake.token, transport=fake.transport
        ) as client:
            assert client._driver.storage is None
            return await _aupload(fake, client, small)

    async def patched(fake: MockSynapse) -> str:
        async with AsyncSynapseClient(fake.base_url, fake.token) as client:
            assert client._driver.storage is not None  # built, but not used while patched
            return await _aupload(fake, client, small)

    with mock_synapse(mode="respx", patch=False) as fake:
        assert anyio.run(given, fake).startswith("python-httpx/")
    with mock_synapse(mode="respx", patch=True) as fake:
        assert anyio.run(patched, fake).startswith("python-httpx/")


def test_a_cancelled_async_put_is_waited_for_not_abandoned(
    raw_server: Callable[[Callable[[socket.socket], None]], str], small: Path
) -> None:
    """Cancelling the caller does not leave the PUT running unseen: the worker thread's PUT
    returns (here: the storage answers) before the cancellation is delivered."""
    received = threading.Event()
    cancelled = threading.Event()
    returned: list[int] = []

    def answer(conn: socket.socket) -> None:
        _read_request(conn)
        received.set()
        cancelled.wait(5)
        conn.sendall(b'HTTP/1.1 200 OK\r\nETag: "e"\r\nContent-Length: 0\r\n\r\n')

    url = raw_server(answer)

    async def main() -> None:
        async with AsyncSynapseClient("http://127.0.0.1:1", "t") as client:
            storage = client._driver.storage
            assert storage is not None
            put = storage.put

            def recorded(*args: Any) -> httpx.Response:
                response = put(*args)
                returned.append(response.status_code)
                return response

            storage.put = recorded  # type: ignore[method-assign]
            with anyio.CancelScope() as scope:
                async with anyio.create_task_group() as group:
                    group.start_soon(client._driver._storage_put, storage, _put(url, small), 5.0)
                    await anyio.to_thread.run_sync(received.wait, 5)  # the PUT is out
                    scope.cancel()
                    cancelled.set()
            assert returned == [200]

    anyio.run(main)


# -- failures, classified ----------------------------------------------------------------


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], str]]:
    """A one-connection TCP server running ``behave(conn)``; yields a URL factory."""
    listeners: list[socket.socket] = []
    threads: list[threading.Thread] = []
    done = threading.Event()

    def start(behave: Callable[[socket.socket], None]) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def serve() -> None:
            conn, _ = listener.accept()
            with conn:
                behave(conn)
                done.wait(10)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        threads.append(thread)
        return f"http://127.0.0.1:{listener.getsockname()[1]}/bucket/key?{SECRET}"

    yield start
    done.set()
    for listener in listeners:
        listener.close()
    for thread in threads:
        thread.join(10)


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(v for k, v in _headers(head) if k == b"content-length"))
    while len(body) < length:
        body += conn.recv(65536)
    return head


def _headers(head: bytes) -> list[tuple[bytes, bytes]]:
    lines = head.split(b"\r\n")[1:]
    return [(k.strip().lower(), v.strip()) for k, v in (line.split(b":", 1) for line in lines)]


def _put(url: str, path: Path) -> StoragePut:
    return StoragePut(url, path, 0, path.stat().st_size, hashlib.md5())


def _pool(timeout: float = 5.0) -> StoragePool:
    return StoragePool(httpx.Timeout(timeout), max_connections=2)


def test_a_refused_connection_is_not_sent(small: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/bucket/key?{SECRET}"
    with pytest.raises(RequestNotSentError) as caught:
        _pool().put(_put(url, small), None)
    assert "0123456789abcdef" not in str(caught.value)


def test_a_connection_closed_after_the_request_lost_the_response(
    raw_server: Callable[[Callable[[socket.socket], None]], str], small: Path
) -> None:
    url = raw_server(lambda conn: (_read_request(conn), conn.shutdown(socket.SHUT_RDWR)))
    with pytest.raises(ResponseLostError) as caught:
        _pool().put(_put(url, small), None)
    assert "0123456789abcdef" not in str(caught.value)


def test_a_silent_storage_times_out_under_the_per_call_timeout(
    raw_server: Callable[[Callable[[socket.socket], None]], str], small: Path
) -> None:
    url = raw_server(_read_request)  # reads the request, never answers
    with pytest.raises(ResponseLostError, match="ReadTimeout"):
        _pool(timeout=60.0).put(_put(url, small), 0.2)


def test_the_body_is_streamed_with_the_puts_own_headers_only(
    raw_server: Callable[[Callable[[socket.socket], None]], str], small: Path
) -> None:
    seen: list[bytes] = []

    def answer(conn: socket.socket) -> None:
        seen.append(_read_request(conn))
        conn.sendall(b'HTTP/1.1 200 OK\r\nETag: "abc"\r\nContent-Length: 0\r\n\r\n')

    url = raw_server(answer)
    put = _put(url, small)
    response = _pool().put(put, None)
    assert response.status_code == 200 and response.headers["etag"] == '"abc"'
    assert put.digest.hexdigest() == hashlib.md5(BODY).hexdigest()
    names = {k for k, _ in _headers(seen[0])}
    assert names <= {b"host", b"content-length", b"user-agent", b"accept-encoding"}


def test_a_storage_error_body_is_read_as_before(
    raw_server: Callable[[Callable[[socket.socket], None]], str], small: Path
) -> None:
    xml = b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"

    def answer(conn: socket.socket) -> None:
        _read_request(conn)
        head = f"HTTP/1.1 403 Forbidden\r\nContent-Length: {len(xml)}\r\n\r\n"
        conn.sendall(head.encode() + xml)

    error = storage_error(_pool().put(_put(raw_server(answer), small), None))
    assert isinstance(error, PresignedUrlExpiredError) and error.code == "AccessDenied"


def test_a_file_that_shrank_is_a_local_error(
    raw_server: Callable[[Callable[[socket.socket], None]], str], small: Path
) -> None:
    url = raw_server(lambda conn: conn.recv(65536))
    put = StoragePut(url, small, 0, len(BODY) + 10, hashlib.md5())  # the file is shorter
    with pytest.raises(OSError, match="changed while it was being uploaded"):
        _pool().put(put, None)
