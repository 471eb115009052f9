"""One renewal rule for presigned URLs that expire before their upload (``URL_RENEWALS``),
in the client's single-file upload and in the v2 ingestion's batches: a URL that expires
``URL_RENEWALS`` times is renewed each time; one that expires once more fails the upload."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockserver import MockSynapse
from synapse_ext import (
    FailureReason,
    PresignedUrlExpiredError,
    SynapseClient,
    organize,
    upload_data_collection,
)
from synapse_ext.upload._renew import URL_RENEWALS

EXPIRIES = [URL_RENEWALS, URL_RENEWALS + 1]


def _expire(fake: MockSynapse, times: int) -> None:
    """The next ``times`` storage PUTs answer as S3 does to an expired URL."""
    fake.faults.respond(
        "storagePutObject",
        status=403,
        body="<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
        content_type="application/xml",
        times=times,
    )


def _one_image(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    (root / "image").mkdir(parents=True)
    (root / "image" / "g0.jpg").write_bytes(b"an image whose URL expires " * 8)
    return root


@pytest.mark.parametrize("expiries", EXPIRIES)
def test_upload_file_presigned_renews_its_url_at_most_url_renewals_times(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path, expiries: int
) -> None:
    path = _one_image(tmp_path) / "image" / "g0.jpg"
    _expire(fake, expiries)
    if expiries > URL_RENEWALS:
        with pytest.raises(PresignedUrlExpiredError):
            client.upload_file_presigned(1, path)
        assert fake.state()["counts"]["data_files"] == 0
    else:
        assert client.upload_file_presigned(1, path).created is True
    assert fake.call_count("v2CreateUploadUrls") == URL_RENEWALS + 1
    assert fake.call_count("storagePutObject") == expiries + (expiries <= URL_RENEWALS)


@pytest.mark.parametrize("expiries", EXPIRIES)
def test_v2_ingestion_renews_a_url_at_most_url_renewals_times(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path, expiries: int
) -> None:
    groups = organize(_one_image(tmp_path), client.get_collection(1))
    _expire(fake, expiries)
    result = upload_data_collection(client, 1, groups, journal=None, api="v2")
    assert fake.call_count("v2CreateUploadUrls") == URL_RENEWALS + 1
    if expiries > URL_RENEWALS:
        assert [f.reason for f in result.failures] == [FailureReason.UPLOAD_FAILED]
        assert "expired" in result.failures[0].message
        assert fake.state()["counts"]["data_files"] == 0
        assert fake.call_count("v2FinalizeUpload") == 0
    else:
        assert result.success and result.files_uploaded == result.units_created == 1
    assert fake.call_count("storagePutObject") == expiries + (expiries <= URL_RENEWALS)
