"""The fake's object storage (mockserver.storage): S3 semantics over both transports.

Presigned URLs come from ``fake.storage`` (what the API handlers call); the requests carry no
Synapse headers (the signature is the auth) and go to the storage origin, ``fake.storage_url``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from mockserver import ManualClock, MockSynapse, mock_synapse
from mockserver.storage import (
    DEFAULT_STORAGE_URL,
    MIN_PART_BYTES,
    EmbeddedStore,
    StorageError,
    multipart_etag,
)

MIB = 1 << 20
XML = "application/xml"


@pytest.fixture
def s3(fake: MockSynapse) -> Iterator[httpx.Client]:
    """A plain client for presigned URLs: no base URL, no auth headers."""
    with httpx.Client(transport=fake.transport, timeout=60) as client:
        yield client


def _later(clock: ManualClock, **delta: float) -> datetime:
    return clock() + timedelta(**(delta or {"hours": 1}))


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _code(response: httpx.Response) -> str:
    assert response.headers["content-type"] == XML, response.text
    assert response.text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    found = re.search(r"<Code>([^<]*)</Code>", response.text)
    assert found is not None and "<RequestId>" in response.text, response.text
    return found.group(1)


def _part(index: int, size: int) -> bytes:
    return bytes([index % 251]) * size


def _start_multipart(fake: MockSynapse, key: str) -> str:
    return fake.storage.create_multipart_upload(key)


def _put_part(
    fake: MockSynapse,
    s3: httpx.Client,
    clock: ManualClock,
    key: str,
    upload: str,
    n: int,
    data: bytes,
) -> str:
    url = fake.storage.presign_upload_part(key, upload, n, expires_at=_later(clock))
    response = s3.put(url, content=data)
    assert response.status_code == 200, response.text
    etag: str = response.headers["etag"]
    return etag


# -- single PUT, GET, HEAD ------------------------------------------------------------------------


def test_put_etag_is_quoted_md5_and_get_returns_the_bytes(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    data = b"hello storage" * 100
    url = fake.storage.presign_put("uploads/a b/c.bin", expires_at=_later(clock))
    assert url.startswith(f"{fake.storage_url}/{fake.storage.bucket}/uploads/a%20b/c.bin?")
    for param in (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256",
        "X-Amz-Credential=",
        "X-Amz-Date=",
        "X-Amz-Expires=",
        "X-Amz-SignedHeaders=host",
        "X-Amz-Signature=",
    ):
        assert param in url
    response = s3.put(url, content=data)  # no Content-Type, no Synapse headers
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{_md5(data)}"'
    stored = fake.storage.head_object("uploads/a b/c.bin")
    assert stored is not None and stored.size == len(data) and stored.etag == f'"{_md5(data)}"'
    assert stored.segments is not None and b"".join(p.read_bytes() for p in stored.segments) == data
    assert fake.storage.content_hashes("uploads/a b/c.bin") == (
        _md5(data),
        hashlib.sha1(data).hexdigest(),
    )
    assert fake.storage.content_hash("uploads/a b/c.bin") == _md5(data)
    assert fake.storage.content_hash("uploads/a b/c.bin", "sha1") == hashlib.sha1(data).hexdigest()
    get = fake.storage.presign_get("uploads/a b/c.bin", expires_at=_later(clock), filename="c.bin")
    response = s3.get(get)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["etag"] == f'"{_md5(data)}"'
    assert response.headers["content-disposition"] == 'attachment; filename="c.bin"'
    head = s3.head(get)
    assert head.status_code == 200 and head.headers["content-length"] == str(len(data))
    assert [c.operation_id for c in fake.calls] == [
        "storagePutObject",
        "storageGetObject",
        "storageHeadObject",
    ]
    assert all(c.handled and c.status == 200 for c in fake.calls)
    assert fake.calls[0].body_bytes == len(data)


def test_content_md5_is_checked(fake: MockSynapse, s3: httpx.Client, clock: ManualClock) -> None:
    data = b"abc"
    url = fake.storage.presign_put("k", expires_at=_later(clock))
    right = base64.b64encode(hashlib.md5(data).digest()).decode()
    wrong = base64.b64encode(hashlib.md5(b"x").digest()).decode()
    bad = s3.put(url, content=data, headers={"Content-MD5": wrong})
    assert bad.status_code == 400 and _code(bad) == "BadDigest"
    assert fake.storage.head_object("k") is None
    garbage = s3.put(url, content=data, headers={"Content-MD5": "nope"})
    assert garbage.status_code == 400 and _code(garbage) == "InvalidDigest"
    good = s3.put(url, content=data, headers={"Content-MD5": right, "Content-Type": "text/x"})
    assert good.status_code == 200
    got = s3.get(fake.storage.presign_get("k", expires_at=_later(clock)))
    assert got.content == data and got.headers["content-type"] == "text/x"


def test_unknown_key_is_no_such_key(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    response = s3.get(fake.storage.presign_get("nothing", expires_at=_later(clock)))
    assert response.status_code == 404 and _code(response) == "NoSuchKey"
    assert s3.head(fake.storage.presign_get("nothing", expires_at=_later(clock))).status_code == 404
    with pytest.raises(StorageError) as caught:
        fake.storage.content_hashes("nothing")
    assert caught.value.code == "NoSuchKey" and caught.value.status == 404


def test_overwriting_a_key_keeps_the_earlier_segments(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    url = fake.storage.presign_put("k", expires_at=_later(clock))
    assert s3.put(url, content=b"first").status_code == 200
    first = fake.storage.head_object("k")
    assert s3.put(url, content=b"second").status_code == 200
    second = fake.storage.head_object("k")
    assert first is not None and second is not None and first.segments and second.segments
    assert first.segments != second.segments
    assert first.segments[0].read_bytes() == b"first"  # a data file may still point at it
    assert s3.get(fake.storage.presign_get("k", expires_at=_later(clock))).content == b"second"


# -- signatures and expiry ------------------------------------------------------------------------


def test_expired_url_is_access_denied(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    url = fake.storage.presign_put("k", expires_at=_later(clock, minutes=10))
    clock.advance(minutes=10, seconds=1)
    response = s3.put(url, content=b"late")
    assert response.status_code == 403
    assert _code(response) == "AccessDenied" and "Request has expired" in response.text
    assert fake.storage.head_object("k") is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url: re.sub(
            r"X-Amz-Signature=(.)",
            lambda m: "X-Amz-Signature=" + ("0" if m[1] != "0" else "1"),
            url,
        ),
        lambda url: url.replace("X-Amz-Expires=3600", "X-Amz-Expires=99999"),
        lambda url: url.replace("/synapse-mock/k?", "/synapse-mock/other?"),
    ],
    ids=["signature", "expiry", "key"],
)
def test_tampered_url_is_signature_does_not_match(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock, tamper: object
) -> None:
    url = fake.storage.presign_put("k", expires_at=_later(clock))
    assert callable(tamper)
    response = s3.put(tamper(url), content=b"x")
    assert response.status_code == 403 and _code(response) == "SignatureDoesNotMatch"


def test_a_put_url_does_not_sign_a_get(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    url = fake.storage.presign_put("k", expires_at=_later(clock))
    assert s3.put(url, content=b"x").status_code == 200
    response = s3.get(url)
    assert response.status_code == 403 and _code(response) == "SignatureDoesNotMatch"
    unsigned = s3.get(f"{fake.storage_url}/{fake.storage.bucket}/k")
    assert unsigned.status_code == 403 and _code(unsigned) == "AccessDenied"
    other_bucket = s3.get(url.replace("/synapse-mock/", "/elsewhere/"))
    assert other_bucket.status_code == 404 and _code(other_bucket) == "NoSuchBucket"


# -- multipart ------------------------------------------------------------------------------------


def test_multipart_parts_in_parallel_out_of_order(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    sizes = [MIN_PART_BYTES, MIN_PART_BYTES, 1000]
    parts = [_part(i, size) for i, size in enumerate(sizes, start=1)]
    upload = _start_multipart(fake, "big.bin")
    with ThreadPoolExecutor(3) as pool:
        futures = {
            n: pool.submit(_put_part, fake, s3, clock, "big.bin", upload, n, parts[n - 1])
            for n in (3, 1, 2)
        }
        etags = {n: future.result() for n, future in futures.items()}
    assert etags == {n: f'"{_md5(parts[n - 1])}"' for n in (1, 2, 3)}
    stored = fake.storage.complete_multipart_upload(
        "big.bin", upload, [(n, etags[n]) for n in (1, 2, 3)]
    )
    expected_etag = multipart_etag([_md5(p) for p in parts])
    joined = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    assert stored.etag == expected_etag == f'"{joined}-3"'
    assert stored.size == sum(sizes)
    whole = b"".join(parts)
    assert fake.storage.content_hashes("big.bin") == (_md5(whole), hashlib.sha1(whole).hexdigest())
    assert fake.storage.content_hash("big.bin") == _md5(whole)
    assert fake.storage.content_hash("big.bin", "sha1") == hashlib.sha1(whole).hexdigest()
    # The parts are the object's segments: no concatenated copy was written.
    assert stored.segments is not None and len(stored.segments) == 3
    assert [p.stat().st_size for p in stored.segments] == sizes
    store = fake.storage
    assert isinstance(store, EmbeddedStore)
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert sorted(files) == sorted(stored.segments)
    response = s3.get(fake.storage.presign_get("big.bin", expires_at=_later(clock)))
    assert response.status_code == 200 and response.headers["etag"] == expected_etag
    assert hashlib.md5(response.content).hexdigest() == _md5(whole)
    assert fake.call_count("storageUploadPart") == 3
    assert fake.state()["storage"]["objects"]["big.bin"] == {
        "size": sum(sizes),
        "etag": expected_etag,
        "segments": 3,
    }


def test_a_part_sent_again_replaces_the_first(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    upload = _start_multipart(fake, "k")
    _put_part(fake, s3, clock, "k", upload, 1, b"old")
    etag = _put_part(fake, s3, clock, "k", upload, 1, b"new")
    stored = fake.storage.complete_multipart_upload("k", upload, [(1, etag)])
    assert stored.size == 3 and stored.etag == multipart_etag([_md5(b"new")])


def _completion_error(
    fake: MockSynapse, key: str, upload: str, parts: list[tuple[int, str]]
) -> StorageError:
    with pytest.raises(StorageError) as caught:
        fake.storage.complete_multipart_upload(key, upload, parts)
    return caught.value


def test_completion_errors(fake: MockSynapse, s3: httpx.Client, clock: ManualClock) -> None:
    big, small = _part(1, MIN_PART_BYTES), _part(2, 10)
    upload = _start_multipart(fake, "k")
    e1 = _put_part(fake, s3, clock, "k", upload, 1, small)
    e2 = _put_part(fake, s3, clock, "k", upload, 2, small)
    wrong = _completion_error(fake, "k", upload, [(1, '"' + "0" * 32 + '"'), (2, e2)])
    assert (wrong.code, wrong.status) == ("InvalidPart", 400)
    missing = _completion_error(fake, "k", upload, [(1, e1), (3, e2)])
    assert missing.code == "InvalidPart"
    no_etag = _completion_error(fake, "k", upload, [(1, ""), (2, e2)])
    assert no_etag.code == "InvalidPart"
    order = _completion_error(fake, "k", upload, [(2, e2), (1, e1)])
    assert (order.code, order.status) == ("InvalidPartOrder", 400)
    too_small = _completion_error(fake, "k", upload, [(1, e1), (2, e2)])
    assert (too_small.code, too_small.status) == ("EntityTooSmall", 400)
    # A failed completion leaves the upload open: fix part 1 and complete.
    e1 = _put_part(fake, s3, clock, "k", upload, 1, big)
    stored = fake.storage.complete_multipart_upload("k", upload, [(1, e1), (2, e2)])
    assert stored.size == MIN_PART_BYTES + 10
    again = _completion_error(fake, "k", upload, [(1, e1), (2, e2)])
    assert (again.code, again.status) == ("NoSuchUpload", 404)


def test_no_such_upload(fake: MockSynapse, s3: httpx.Client, clock: ManualClock) -> None:
    upload = _start_multipart(fake, "a")
    foreign = _completion_error(fake, "b", upload, [(1, '"x"')])
    assert (foreign.code, foreign.status) == ("NoSuchUpload", 404)
    unknown = _completion_error(fake, "a", "no-such-id", [(1, '"x"')])
    assert unknown.code == "NoSuchUpload"
    url = fake.storage.presign_upload_part("b", upload, 1, expires_at=_later(clock))
    response = s3.put(url, content=b"x")  # a part of another key's upload
    assert response.status_code == 404 and _code(response) == "NoSuchUpload"
    fake.storage.abort_multipart_upload("a", upload)
    url = fake.storage.presign_upload_part("a", upload, 1, expires_at=_later(clock))
    response = s3.put(url, content=b"x")
    assert response.status_code == 404 and _code(response) == "NoSuchUpload"
    with pytest.raises(StorageError) as caught:
        fake.storage.presign_upload_part("a", upload, 10_001, expires_at=_later(clock))
    assert caught.value.code == "InvalidArgument"


def test_reset_forgets_objects_and_uploads(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    assert (
        s3.put(fake.storage.presign_put("k", expires_at=_later(clock)), content=b"x").status_code
        == 200
    )
    upload = _start_multipart(fake, "m")
    assert fake.state()["storage"]["uploads"] == {upload: {"key": "m", "parts": []}}
    fake.reset()
    assert fake.state()["storage"] == {"objects": {}, "uploads": {}}
    assert fake.storage.head_object("k") is None
    assert _completion_error(fake, "m", upload, [(1, '"x"')]).code == "NoSuchUpload"


# -- faults on storage operations -----------------------------------------------------------------


@pytest.mark.parametrize(("status", "code"), [(500, "InternalError"), (503, "SlowDown")])
def test_status_faults_answer_s3_xml(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock, status: int, code: str
) -> None:
    fake.faults.script("storagePutObject", status=status, retry_after=2)
    url = fake.storage.presign_put("k", expires_at=_later(clock))
    response = s3.put(url, content=b"x")
    assert response.status_code == status and _code(response) == code
    assert response.headers["retry-after"] == "2"
    assert fake.storage.head_object("k") is None
    assert s3.put(url, content=b"x").status_code == 200
    assert [(c.fault, c.handled) for c in fake.calls] == [("status", False), (None, True)]


def test_proxy_error_is_a_small_html_400_without_code(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    fake.faults.proxy_error()
    url = fake.storage.presign_put("k", expires_at=_later(clock))
    response = s3.put(url, content=b"x")
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html"
    assert 140 <= len(response.content) <= 170 and b"<Code>" not in response.content
    assert fake.storage.head_object("k") is None
    assert s3.put(url, content=b"x").status_code == 200


def test_proxy_error_over_the_control_route(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    with fake.client() as api:
        answer = api.post(
            "/_mock/faults", json={"kind": "proxy_error", "operation": "storageUploadPart"}
        )
    assert answer.status_code == 200
    upload = _start_multipart(fake, "k")
    url = fake.storage.presign_upload_part("k", upload, 1, expires_at=_later(clock))
    assert s3.put(url, content=b"x").status_code == 400
    assert s3.put(url, content=b"x").status_code == 200


def test_lose_response_on_a_part_still_stores_it(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    upload = _start_multipart(fake, "k")
    fake.faults.lose_response("storageUploadPart")
    url = fake.storage.presign_upload_part("k", upload, 1, expires_at=_later(clock))
    with pytest.raises(httpx.TransportError):
        s3.put(url, content=b"data")
    stored = fake.storage.complete_multipart_upload("k", upload, [(1, f'"{_md5(b"data")}"')])
    assert stored.size == 4
    assert fake.calls[-1].fault == "lose_response" and fake.calls[-1].handled


def test_latency_applies_to_storage(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    slept: list[float] = []
    fake.sleep = slept.append
    fake.faults.latency_ms = 150
    url = fake.storage.presign_put("k", expires_at=_later(clock))
    started = time.monotonic()
    assert s3.put(url, content=b"x").status_code == 200
    if fake.mode == "respx":
        assert slept == [0.15]
    else:
        assert time.monotonic() - started >= 0.15


# -- the other ways in ----------------------------------------------------------------------------


def test_control_route_presigns(fake: MockSynapse, s3: httpx.Client) -> None:
    with fake.client(auth=False) as api:
        put = api.post("/_mock/storage", json={"action": "presign_put", "key": "c"}).json()["url"]
        assert s3.put(put, content=b"control").status_code == 200
        head = api.post("/_mock/storage", json={"action": "head_object", "key": "c"})
        assert head.json() == {"key": "c", "size": 7, "etag": f'"{_md5(b"control")}"'}
        hashes = api.post("/_mock/storage", json={"action": "content_hashes", "key": "c"}).json()
        assert hashes["md5"] == _md5(b"control")
        upload = api.post(
            "/_mock/storage", json={"action": "create_multipart_upload", "key": "m"}
        ).json()["upload_id"]
        part = api.post(
            "/_mock/storage",
            json={
                "action": "presign_upload_part",
                "key": "m",
                "upload_id": upload,
                "part_number": 1,
            },
        ).json()["url"]
        etag = s3.put(part, content=b"p").headers["etag"]
        done = api.post(
            "/_mock/storage",
            json={
                "action": "complete_multipart_upload",
                "key": "m",
                "upload_id": upload,
                "parts": [[1, etag]],
            },
        )
        assert done.status_code == 200 and done.json()["etag"].endswith('-1"')
        bad = api.post(
            "/_mock/storage",
            json={
                "action": "complete_multipart_upload",
                "key": "m",
                "upload_id": upload,
                "parts": [],
            },
        )
        assert bad.status_code == 404 and bad.json()["code"] == "NoSuchUpload"
        get = api.post("/_mock/storage", json={"action": "presign_get", "key": "m"}).json()["url"]
    assert s3.get(get).content == b"p"


def test_patched_respx_mode_routes_the_storage_origin() -> None:
    clock = ManualClock()
    with mock_synapse(clock=clock) as fake:
        assert fake.storage_url == DEFAULT_STORAGE_URL
        url = fake.storage.presign_put("k", expires_at=_later(clock))
        assert httpx.put(url, content=b"patched").status_code == 200
        response = httpx.get(fake.storage.presign_get("k", expires_at=_later(clock)))
        assert response.content == b"patched"
        assert fake.router is not None and fake.router["storagePut"].call_count == 1
        assert httpx.delete(url).status_code == 405
        assert fake.call_count("storagePutObject") == 1


def test_server_mode_storage_has_its_own_port() -> None:
    with mock_synapse(mode="server") as fake:
        assert fake.storage_url.startswith("http://127.0.0.1:")
        assert fake.storage_url != fake.base_url
        # The API origin does not serve storage paths, whatever the Host header says.
        url = fake.storage.presign_put(
            "k", expires_at=datetime.now().astimezone() + timedelta(hours=1)
        )
        api_url = url.replace(fake.storage_url, fake.base_url)
        host = fake.storage_url.removeprefix("http://")
        assert httpx.put(api_url, content=b"x", headers={"Host": host}).status_code == 404
        assert httpx.put(url, content=b"x").status_code == 200


def test_drop_on_a_put_stores_nothing(
    fake: MockSynapse, s3: httpx.Client, clock: ManualClock
) -> None:
    fake.faults.drop("storagePutObject")
    url = fake.storage.presign_put("k", expires_at=_later(clock))
    with pytest.raises(httpx.TransportError):
        s3.put(url, content=b"x")
    assert fake.storage.head_object("k") is None
    assert (fake.calls[-1].fault, fake.calls[-1].handled) == ("drop", False)


@pytest.mark.anyio
async def test_async_clients_reach_the_storage(fake: MockSynapse, clock: ManualClock) -> None:
    url = fake.storage.presign_put("k", expires_at=_later(clock))
    async with httpx.AsyncClient(transport=fake.transport) as client:
        assert (await client.put(url, content=b"async")).status_code == 200
        got = await client.get(fake.storage.presign_get("k", expires_at=_later(clock)))
    assert got.content == b"async"


@pytest.mark.parametrize("fake_mode", ["server"])  # a client going away needs a socket
def test_a_put_cut_short_is_not_stored(fake: MockSynapse, clock: ManualClock) -> None:
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(fake.storage.presign_put("k", expires_at=_later(clock)))
    assert url.hostname is not None and url.port is not None
    before = set(fake.backend.spool_dir.iterdir())  # other requests' spools are not ours

    def ours() -> set[Path]:
        return set(fake.backend.spool_dir.iterdir()) - before

    with socket.create_connection((url.hostname, url.port)) as sock:
        head = (
            f"PUT {url.path}?{url.query} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            "Content-Length: 100000\r\n\r\n"
        )
        sock.sendall(head.encode() + b"x" * 1000)
    # Wait for the server to be done with the request (its spool may not even exist yet).
    deadline = time.monotonic() + 15
    while fake.backend.puts_cut_short == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake.backend.puts_cut_short == 1
    assert not ours()
    assert fake.storage.head_object("k") is None
    (call,) = [c for c in fake.calls if c.operation_id == "storagePutObject"]
    assert call.status is None and not call.handled  # logged: no answer, nothing stored
    assert 0 < call.body_bytes <= 1000  # the bytes that arrived, not the announced 100000
