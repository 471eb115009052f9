"""RemoteStore (the ``mock-s3`` extra, botocore) against moto's S3 server on a loopback port.

moto runs out of process in spirit (its own HTTP server thread), started and stopped here;
fake AWS credentials come from the environment, as botocore's chain reads them.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from mockserver import mock_synapse
from mockserver.storage import MIN_PART_BYTES, StorageError, multipart_etag

pytest.importorskip("botocore")
pytest.importorskip("moto.server")

from mockserver.storage.remote import RemoteStore

pytestmark = pytest.mark.slow


@pytest.fixture
def endpoint(s3_endpoint: str, aws_test_env: None) -> str:
    return s3_endpoint


def _later() -> datetime:
    return datetime.now(UTC) + timedelta(hours=1)


def test_remote_store_put_head_hashes_multipart_get(endpoint: str) -> None:
    store = RemoteStore(endpoint, bucket="remote-test")
    try:
        data = b"remote bytes" * 1000
        url = store.presign_put("one/a.bin", expires_at=_later())
        assert url.startswith(f"{endpoint}/remote-test/one/a.bin?")
        with httpx.Client(timeout=60) as client:
            put = client.put(url, content=data)
            assert put.status_code == 200, put.text
            assert put.headers["etag"] == f'"{hashlib.md5(data).hexdigest()}"'
            head = store.head_object("one/a.bin")
            assert head is not None and head.size == len(data) and head.segments is None
            assert store.content_hashes("one/a.bin") == (
                hashlib.md5(data).hexdigest(),
                hashlib.sha1(data).hexdigest(),
            )
            assert store.head_object("missing") is None

            parts = [bytes([1]) * MIN_PART_BYTES, bytes([2]) * MIN_PART_BYTES]
            upload = store.create_multipart_upload("two/big.bin")
            etags = []
            for number, part in enumerate(parts, start=1):
                part_url = store.presign_upload_part(
                    "two/big.bin", upload, number, expires_at=_later()
                )
                response = client.put(part_url, content=part)
                assert response.status_code == 200, response.text
                etags.append(response.headers["etag"])
            with pytest.raises(StorageError) as caught:
                store.complete_multipart_upload("two/big.bin", upload, [(1, '"0"'), (2, etags[1])])
            assert caught.value.code == "InvalidPart" and caught.value.status == 400
            stored = store.complete_multipart_upload(
                "two/big.bin", upload, [(1, etags[0]), (2, etags[1])]
            )
            assert stored.size == 2 * MIN_PART_BYTES
            assert stored.etag == multipart_etag([hashlib.md5(p).hexdigest() for p in parts])
            whole = b"".join(parts)
            assert store.content_hashes("two/big.bin")[0] == hashlib.md5(whole).hexdigest()

            get = store.presign_get("two/big.bin", expires_at=_later(), filename="big.bin")
            response = client.get(get)
            assert response.status_code == 200 and response.content == whole
            assert response.headers["content-disposition"] == 'attachment; filename="big.bin"'

            aborted = store.create_multipart_upload("three")
            store.abort_multipart_upload("three", aborted)  # moto answers 500 to its reuse
        store.reset()
        assert store.head_object("one/a.bin") is None
    finally:
        store.close()


def test_mock_synapse_with_a_storage_endpoint(endpoint: str) -> None:
    with mock_synapse(storage_endpoint=endpoint, storage_bucket="via-fake") as fake:
        assert fake.storage_url == endpoint
        assert isinstance(fake.storage, RemoteStore) and fake.storage.bucket == "via-fake"
        url = fake.storage.presign_put("k", expires_at=_later())
        # Patched respx mode lets the remote endpoint through to the network.
        assert httpx.put(url, content=b"x").status_code == 200
        assert fake.storage.head_object("k") is not None
