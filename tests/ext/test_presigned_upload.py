"""The presigned-upload engine through both clients and both transports.

The fake presigns multipart uploads from 8 MiB on, in 5 MiB parts; upload URLs come from its
v2 ``upload-urls`` (plain HTTP), and finalize checks what the engine stored.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from synapse_client.models import PresignedUploadFile

from mockserver import ManualClock, MockSynapse
from synapse_ext import (
    AsyncSynapseClient,
    BackendClient,
    FileChangedError,
    FinalizeRejectedError,
    PresignedUrlExpiredError,
    ResponseLostError,
    StorageError,
    StoredFile,
    SynapseClient,
)

from ..mockserver.v2_helpers import MIB, finalize, upload_urls, v2_client

BIG = bytes(range(256)) * (11 * MIB // 256)  # parts of 5 + 5 + 1 MiB
SMALL = b"presigned small file"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake_options(clock: ManualClock) -> dict[str, Any]:
    return {"clock": clock, "multipart_threshold": 8 * MIB, "part_size": 5 * MIB}


@pytest.fixture
def fake(fake: MockSynapse) -> MockSynapse:
    fake.sleep = lambda seconds: None
    return fake


def _announce(fake: MockSynapse, path: Path) -> PresignedUploadFile:
    with v2_client(fake) as v2:
        (entry,) = upload_urls(v2, {path.name: path.stat().st_size})
    return PresignedUploadFile.from_dict(entry)


def _finalized(fake: MockSynapse, stored: StoredFile) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "file_key": stored.file_key,
        "checksum": stored.checksum,
        "size": stored.size,
    }
    if stored.upload_id is not None:
        parts = [{"part_number": n, "etag": etag} for n, etag in stored.parts]
        entry["multipart"] = {"upload_id": stored.upload_id, "parts": parts}
    with v2_client(fake) as v2:
        (row,) = finalize(v2, [entry])["results"]
    return row  # type: ignore[no-any-return]


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.png"
    path.write_bytes(SMALL)
    return path


@pytest.fixture
def big(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(BIG)
    return path


def test_single_put_stores_the_file(fake: MockSynapse, client: SynapseClient, small: Path) -> None:
    stored = client.upload_to_presigned(_announce(fake, small), small)
    assert stored.checksum == hashlib.md5(SMALL).hexdigest()
    assert stored.upload_id is None and stored.parts == ()
    assert _finalized(fake, stored)["success"]
    assert fake.call_count("storagePutObject") == 1


def test_multipart_parts_go_in_parallel_and_their_etags_are_checked(
    fake: MockSynapse, client: SynapseClient, big: Path
) -> None:
    upload = _announce(fake, big)
    stored = client.upload_to_presigned(upload, big, part_concurrency=3)
    assert stored.checksum == hashlib.md5(BIG).hexdigest()
    assert [n for n, _ in stored.parts] == [1, 2, 3]
    expected = [BIG[i * 5 * MIB : (i + 1) * 5 * MIB] for i in range(3)]
    etags = [f'"{hashlib.md5(p).hexdigest()}"' for p in expected]
    assert [etag for _, etag in stored.parts] == etags
    row = _finalized(fake, stored)
    assert row["success"] and row["created"], row
    assert fake.call_count("storageUploadPart") == 3


@pytest.mark.anyio
async def test_the_async_client_uploads_parts_too(
    fake: MockSynapse, aclient: AsyncSynapseClient, big: Path
) -> None:
    upload = _announce(fake, big)
    md5 = hashlib.md5(BIG).hexdigest()
    async with aclient as c:
        stored = await c.upload_to_presigned(upload, big, md5=md5, part_concurrency=2)
    assert stored.checksum == md5 and len(stored.parts) == 3
    assert _finalized(fake, stored)["success"]


@pytest.mark.parametrize(
    "inject",
    [
        lambda f: f.faults.script("storagePutObject", status=503, retry_after=2),
        lambda f: f.faults.script("storagePutObject", status=500),
        lambda f: f.faults.proxy_error("storagePutObject"),
        lambda f: f.faults.lose_response("storagePutObject"),
        lambda f: f.faults.respond("storagePutObject", status=200, headers={"ETag": '"0f"'}),
    ],
    ids=["503-retry-after", "500", "proxy-400-without-code", "lost-answer", "wrong-etag"],
)
def test_transient_storage_failures_are_retried(
    fake: MockSynapse,
    client: SynapseClient,
    small: Path,
    sleeps: list[float],
    inject: Any,
) -> None:
    upload = _announce(fake, small)
    inject(fake)
    stored = client.upload_to_presigned(upload, small)
    assert fake.call_count("storagePutObject") == 2
    assert len(sleeps) == 1
    assert _finalized(fake, stored)["success"]


def test_retry_after_of_the_storage_is_honoured(
    fake: MockSynapse, client: SynapseClient, small: Path, sleeps: list[float]
) -> None:
    upload = _announce(fake, small)
    fake.faults.script("storagePutObject", status=503, retry_after=2)
    client.upload_to_presigned(upload, small)
    assert sleeps == [2.0]


def test_a_failing_part_is_retried_alone(
    fake: MockSynapse, client: SynapseClient, big: Path
) -> None:
    upload = _announce(fake, big)
    fake.faults.proxy_error("storageUploadPart")
    stored = client.upload_to_presigned(upload, big, part_concurrency=1)
    assert fake.call_count("storageUploadPart") == 4
    assert _finalized(fake, stored)["success"]


def test_a_storage_verdict_is_raised_with_code_and_message_only(
    fake: MockSynapse, client: SynapseClient, small: Path
) -> None:
    upload = _announce(fake, small)
    assert upload.presigned_url is not None
    tampered = upload.presigned_url.replace("X-Amz-Signature=", "X-Amz-Signature=00")
    forged = PresignedUploadFile(
        filename=upload.filename, file_key=upload.file_key, presigned_url=tampered, multipart=None
    )
    with pytest.raises(StorageError) as caught:
        client.upload_to_presigned(forged, small)
    assert caught.value.code == "SignatureDoesNotMatch" and caught.value.status_code == 403
    assert "X-Amz" not in str(caught.value) and "<" not in str(caught.value)
    assert fake.call_count("storagePutObject") == 1


def test_an_expired_url_is_not_retried(
    fake: MockSynapse, client: SynapseClient, small: Path, clock: ManualClock
) -> None:
    upload = _announce(fake, small)
    clock.advance(seconds=3601)
    with pytest.raises(PresignedUrlExpiredError):
        client.upload_to_presigned(upload, small)
    assert fake.call_count("storagePutObject") == 1


def test_a_file_that_does_not_fit_the_part_plan_is_refused_before_sending(
    fake: MockSynapse, client: SynapseClient, big: Path
) -> None:
    upload = _announce(fake, big)
    big.write_bytes(BIG[: 4 * MIB])
    with pytest.raises(ValueError, match="do not hold"):
        client.upload_to_presigned(upload, big)
    assert fake.call_count("storageUploadPart") == 0


@pytest.mark.parametrize("client_options", [{"tenant": "acme"}])
def test_storage_requests_carry_no_synapse_header(
    fake: MockSynapse, client: SynapseClient, small: Path
) -> None:
    # The call log drops token headers, not the tenant's: what the storage got is checked
    # against an allowlist (over httpx with respx, over urllib3 against the server).
    client.upload_to_presigned(_announce(fake, small), small)
    (put,) = [call for call in fake.calls if call.operation_id == "storagePutObject"]
    names = {name for name, _ in put.headers}
    assert "content-length" in names
    assert names <= {
        "host",
        "content-length",
        "content-type",
        "user-agent",
        "accept",
        "accept-encoding",
        "connection",
    }


# -- upload_file_presigned: upload-urls, storage, finalize ------------------------------------
def test_upload_file_presigned_makes_one_data_file(
    fake: MockSynapse, client: SynapseClient, big: Path
) -> None:
    made = client.upload_file_presigned(1, big)
    assert made.created is True and made.checksum == hashlib.md5(BIG).hexdigest()
    again = client.upload_file_presigned(1, big)
    assert again.data_file_id == made.data_file_id and again.created is False
    assert fake.state()["counts"]["data_files"] == 1


@pytest.mark.anyio
async def test_upload_file_presigned_async(
    fake: MockSynapse, aclient: AsyncSynapseClient, small: Path
) -> None:
    async with aclient as c:
        made = await c.upload_file_presigned(1, small, content_type="image/png")
    assert made.created is True and made.size == len(SMALL)


def test_a_lost_finalize_answer_is_never_resent(
    fake: MockSynapse, client: SynapseClient, small: Path, sleeps: list[float]
) -> None:
    fake.faults.lose_response("v2FinalizeUpload")
    made = client.upload_file_presigned(1, small)
    assert made.created is None  # found by checksum afterwards
    assert fake.call_count("v2FinalizeUpload") == 1
    assert fake.state()["counts"]["data_files"] == 1
    assert len(sleeps) == 1  # one jittered wait before asking


def test_a_lost_finalize_that_never_landed_is_sent_again_once_the_polls_miss_it(
    fake: MockSynapse, client: SynapseClient, small: Path
) -> None:
    """The ingestion's rule: the checksum is polled, and only a file the polls never find is
    finalized again (finalize reuses a known checksum, so a late first one cannot make two)."""
    fake.faults.drop("v2FinalizeUpload")  # not handled: nothing was created
    made = client.upload_file_presigned(1, small)
    assert made.created is True  # the resend made it
    assert fake.call_count("v2FinalizeUpload") == 2
    assert fake.call_count("v2ListDataFiles") == client.policy.finalize_polls
    assert fake.state()["counts"]["data_files"] == 1


def test_a_finalize_lost_at_every_send_raises_after_the_policy_s_attempts(
    fake: MockSynapse, client: SynapseClient, small: Path
) -> None:
    fake.faults.drop("v2FinalizeUpload", times=100)
    with pytest.raises(ResponseLostError):
        client.upload_file_presigned(1, small)
    sends = client.policy.max_attempts
    assert fake.call_count("v2FinalizeUpload") == sends
    assert fake.call_count("v2ListDataFiles") == sends * client.policy.finalize_polls
    assert fake.state()["counts"]["data_files"] == 0


def test_expired_urls_are_asked_for_again(
    fake: MockSynapse, client: SynapseClient, small: Path
) -> None:
    fake.faults.respond(
        "storagePutObject",
        status=403,
        body="<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        content_type="application/xml",
    )
    made = client.upload_file_presigned(1, small)
    assert made.created is True
    assert fake.call_count("v2CreateUploadUrls") == 2


def test_a_refused_finalize_says_why(fake: MockSynapse, client: SynapseClient, big: Path) -> None:
    with pytest.raises(FinalizeRejectedError, match="Checksum mismatch"):
        client.upload_file_presigned(1, big, md5="0" * 32)  # multipart: the server checks it
    assert fake.state()["counts"]["data_files"] == 0


def test_a_file_that_changed_since_it_was_hashed_is_not_finalized(
    fake: MockSynapse, client: SynapseClient, small: Path
) -> None:
    with pytest.raises(FileChangedError):
        client.upload_file_presigned(1, small, md5=hashlib.md5(b"before").hexdigest())
    assert fake.call_count("v2FinalizeUpload") == 0


def test_a_failing_lookup_after_a_lost_finalize_counts_as_not_yet(
    fake: MockSynapse, client: SynapseClient, small: Path
) -> None:
    fake.faults.lose_response("v2FinalizeUpload")
    fake.faults.script("v2ListDataFiles", status=400)  # the first poll fails, the next finds it
    made = client.upload_file_presigned(1, small)
    assert made.created is None
    assert fake.call_count("v2ListDataFiles") == 2 and fake.call_count("v2FinalizeUpload") == 1


# -- many files through v1 presigned uploads (the vendor's upload_files_bulk) ------------------
def _files(tmp_path: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = tmp_path / f"bulk-{i}.bin"
        path.write_bytes(f"bulk file {i}".encode() * (i + 1))
        paths.append(path)
    return paths


def test_upload_files_bulk_stores_every_file_once_in_batches(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path, big: Path
) -> None:
    paths = [*_files(tmp_path, 5), big]
    seen: list[tuple[int, int]] = []
    with BackendClient(fake.base_url, api_token=fake.token, transport=fake.transport) as bc:
        out = bc.upload_files_bulk(
            paths, batch_size=2, on_progress=lambda d, t: seen.append((d, t))
        )
    assert out["created_count"] == 6 and out["failed_count"] == 0
    assert (
        fake.call_count("createPresignedUploads") == fake.call_count("confirmPresignedUploads") == 3
    )
    stored = {f["checksum"] for f in fake.state()["data_files"]}
    assert stored == {hashlib.md5(p.read_bytes()).hexdigest() for p in paths}
    assert {r["checksum"] for r in out["results"]} == stored
    assert [d for d, _ in seen] == list(range(1, 7)) and {t for _, t in seen} == {6}


def test_upload_files_bulk_checks_every_path_before_sending(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.bin"):
        client.upload_files_presigned_v1([*_files(tmp_path, 2), empty])
    with pytest.raises((ValueError, OSError), match=r"missing\.bin"):
        client.upload_files_presigned_v1([tmp_path / "missing.bin"])
    assert fake.call_count("createPresignedUploads") == 0


def test_upload_files_bulk_a_failed_put_is_one_failed_row(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path
) -> None:
    fake.faults.respond(
        "storagePutObject",
        status=403,
        body="<Error><Code>AccessDenied</Code><Message>no</Message></Error>",
        content_type="application/xml",
        times=1,
    )
    answer = client.upload_files_presigned_v1(_files(tmp_path, 3), max_workers=1)
    assert answer.created_count == 2 and answer.failed_count == 1
    (failed,) = [r for r in answer.results if not r.success]
    assert failed.data_file_id is None and "AccessDenied" in str(failed.error)
    assert fake.state()["counts"]["data_files"] == 2


def test_upload_files_bulk_never_resends_a_lost_confirm(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path
) -> None:
    fake.faults.lose_response("confirmPresignedUploads")
    answer = client.upload_files_presigned_v1(_files(tmp_path, 3))
    assert fake.call_count("confirmPresignedUploads") == 1
    assert answer.created_count == 3 and all(r.data_file_id is None for r in answer.results)
    assert fake.state()["counts"]["data_files"] == 3


def test_upload_files_bulk_polls_after_a_5xx_confirm_and_never_resends_it(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path
) -> None:
    fake.faults.script("confirmPresignedUploads", status=502)  # maybe applied (here: not)
    answer = client.upload_files_presigned_v1(_files(tmp_path, 2))
    assert fake.call_count("confirmPresignedUploads") == 1
    assert fake.call_count("verifyDataFileChecksums") == client.policy.finalize_polls
    assert answer.failed_count == 2 and all("502" in str(r.error) for r in answer.results)
    assert fake.state()["counts"]["data_files"] == 0


@pytest.mark.anyio
async def test_upload_files_bulk_async(
    fake: MockSynapse, aclient: AsyncSynapseClient, tmp_path: Path
) -> None:
    async with aclient as c:
        answer = await c.upload_files_presigned_v1(_files(tmp_path, 4), batch_size=3)
    assert answer.created_count == 4 and fake.call_count("confirmPresignedUploads") == 2


def _signature_of(url: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    (signature,) = parse_qs(urlsplit(url).query)["X-Amz-Signature"]
    return signature


def _assert_no_signature(error: BaseException, signature: str) -> None:
    for text in (str(error), repr(error)):
        for leak in (signature, "X-Amz-Signature", "Signature=", "Credential="):
            assert leak not in text, text


def test_an_expired_url_error_holds_no_signature(
    fake: MockSynapse, client: SynapseClient, small: Path, clock: ManualClock
) -> None:
    upload = _announce(fake, small)
    assert upload.presigned_url is not None
    clock.advance(seconds=3601)
    with pytest.raises(PresignedUrlExpiredError) as caught:
        client.upload_to_presigned(upload, small)
    assert caught.value.status_code == 403 and "expired" in str(caught.value)
    _assert_no_signature(caught.value, _signature_of(upload.presigned_url))


@pytest.mark.parametrize("status", [403, 400])
def test_a_storage_error_that_echoes_the_url_is_masked(
    fake: MockSynapse, client: SynapseClient, small: Path, status: int
) -> None:
    upload = _announce(fake, small)
    url = upload.presigned_url
    assert url is not None
    echoed = f"https://s.example/k?X-Amz-Signature={_signature_of(url)}&X-Amz-Expires=60"
    fake.faults.respond(
        "storagePutObject",
        status=status,
        body=f"<Error><Code>AccessDenied</Code><Message>denied: {echoed}</Message></Error>",
        content_type="application/xml",
    )
    with pytest.raises(StorageError) as caught:
        client.upload_to_presigned(upload, small)
    assert caught.value.code == "AccessDenied"
    assert "denied: https://s.example/k?***&X-Amz-Expires=60" in str(caught.value)
    _assert_no_signature(caught.value, _signature_of(url))


def test_the_repr_of_a_storage_put_masks_its_url(small: Path) -> None:
    from synapse_ext._wire import operations as ops

    url = "https://s.example/b/k?X-Amz-Expires=60&X-Amz-Signature=feedc0de&X-Amz-Credential=AK"
    op = ops.storage_put(url, small, 0, 1, hashlib.md5(), 1.0)
    text = repr(op)
    assert "https://s.example/b/k?X-Amz-Expires=60&***&***" in text
    assert "feedc0de" not in text and "Credential" not in text


def test_a_transport_error_naming_the_url_is_masked() -> None:
    from synapse_ext._wire.call import transport_error

    url = "https://s.example/b/k?X-Amz-Signature=feedc0de"
    for exc in (httpx.ConnectError(f"cannot reach {url}"), httpx.ReadError(f"lost {url}")):
        error = transport_error(exc)
        assert "feedc0de" not in str(error) and "feedc0de" not in repr(error)
        assert "https://s.example/b/k?***" in str(error)
