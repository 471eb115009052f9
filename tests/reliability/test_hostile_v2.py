"""Hostile requests to the v2 routes and the storage: a specific 4xx each, state unchanged.

Before each case one single-PUT upload and one multipart upload are announced and their bytes
stored (not finalized), so finalize and storage cases have real targets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from mockserver import MockSynapse, mock_synapse

from ..mockserver.v2_helpers import MIB, md5, put_parts, storage_client, upload_urls, v2_client

SMALL = b"small object"
BIG = b"x" * (6 * MIB)
Targets = dict[str, Any]
Send = Callable[[httpx.Client, httpx.Client, Targets], httpx.Response]


def _json(method: str, path: str, body: Any) -> Send:
    return lambda v2, storage, t: v2.request(method, path, json=body)


def _raw(path: str, content: bytes, ctype: str) -> Send:
    return lambda v2, storage, t: v2.post(path, content=content, headers={"Content-Type": ctype})


def _finalize(entry: Callable[[Targets], dict[str, Any]]) -> Send:
    return lambda v2, storage, t: v2.post(
        "/v2/data-collections/1/finalize-upload/", json={"files": [entry(t)]}
    )


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _tampered(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path + "-other"))


def _single(t: Targets) -> dict[str, Any]:
    return {"file_key": t["single"]["file_key"], "checksum": md5(SMALL), "size": len(SMALL)}


def _multi(t: Targets, parts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    issued = t["multi"]
    return {
        "file_key": issued["file_key"],
        "checksum": md5(BIG),
        "size": len(BIG),
        "multipart": {"upload_id": issued["multipart"]["upload_id"], "parts": parts or t["parts"]},
    }


def _part_url(t: Targets, number: int = 1) -> str:
    url: str = t["multi"]["multipart"]["parts"][number - 1]["presigned_url"]
    return url


# (case, request, status, fragment of the body); finalize failures are 200 with a per-file error.
CASES: list[tuple[str, Send, int, str]] = [
    ("bad json", _raw("/v2/data-units/bulk-create/", b"{nope", "application/json"), 400, "JSON"),
    (
        "files not a list",
        _json("POST", "/v2/data-collections/1/upload-urls/", {"files": {}}),
        400,
        "files",
    ),
    (
        "1001 files",
        _json(
            "POST",
            "/v2/data-collections/1/upload-urls/",
            {"files": [{"filename": "a", "size": 1}] * 1001},
        ),
        400,
        "1 to 1000",
    ),
    (
        "expiration out of range",
        _json(
            "POST",
            "/v2/data-collections/1/upload-urls/",
            {"files": [{"filename": "a", "size": 1}], "expiration": 10},
        ),
        400,
        "expiration",
    ),
    (
        "finalize nothing",
        _json("POST", "/v2/data-collections/1/finalize-upload/", {"files": []}),
        400,
        "files",
    ),
    (
        "finalize with no parts",
        _finalize(lambda t: {**_multi(t), "multipart": {"upload_id": "u", "parts": []}}),
        400,
        "parts",
    ),
    (
        "finalize: wrong size",
        _finalize(lambda t: {**_single(t), "size": 999}),
        200,
        "Size mismatch",
    ),
    (
        "finalize: bad etag",
        _finalize(lambda t: _multi(t, [{**t["parts"][0], "etag": '"0"'}, t["parts"][1]])),
        200,
        "InvalidPart",
    ),
    (
        "finalize: parts out of order",
        _finalize(lambda t: _multi(t, list(reversed(t["parts"])))),
        200,
        "InvalidPartOrder",
    ),
    (
        "finalize: foreign upload id",
        _finalize(lambda t: {**_multi(t), "multipart": {"upload_id": "x", "parts": t["parts"]}}),
        200,
        "upload_id",
    ),
    (
        "finalize: another collection's key",
        lambda v2, s, t: v2.post(
            "/v2/data-collections/2/finalize-upload/", json={"files": [_single(t)]}
        ),
        200,
        "Unknown file_key",
    ),
    (
        "finalize: other tenant's collection",
        lambda v2, s, t: v2.post(
            "/v2/data-collections/3/finalize-upload/", json={"files": [_single(t)]}
        ),
        404,
        "NOT_FOUND",
    ),
    (
        "bulk-create: 1001 units",
        _json(
            "POST",
            "/v2/data-units/bulk-create/",
            {"data_collection": 1, "units": [{"files": {}}] * 1001},
        ),
        400,
        "1 to 1000",
    ),
    (
        "bulk-create: other tenant's collection",
        _json(
            "POST",
            "/v2/data-units/bulk-create/",
            {"data_collection": 3, "units": [{"files": {"scan": {"checksum": md5(SMALL)}}}]},
        ),
        400,
        "does not exist",
    ),
    (
        "bulk-create: checksum not finalized",
        _json(
            "POST",
            "/v2/data-units/bulk-create/",
            {"data_collection": 1, "units": [{"files": {"image": {"checksum": md5(SMALL)}}}]},
        ),
        400,
        "Unknown checksum",
    ),
    (
        "tasks: other tenant's project",
        _json("POST", "/v2/tasks/bulk-create/", {"project": 2, "data_unit_ids": [1]}),
        400,
        "does not exist",
    ),
    (
        "tasks: unknown unit",
        _json("POST", "/v2/tasks/bulk-create/", {"project": 1, "data_unit_ids": [99]}),
        400,
        "does not exist",
    ),
    ("garbage cursor", _json("GET", "/v2/data-units/?cursor=%%%", None), 404, "Invalid cursor"),
    ("other tenant's file", _json("GET", "/v2/data-files/999/", None), 404, "NOT_FOUND"),
    (
        "storage: tampered key",
        lambda v2, s, t: s.put(_tampered(t["single"]["presigned_url"]), content=SMALL),
        403,
        "SignatureDoesNotMatch",
    ),
    (
        "storage: foreign upload id",
        lambda v2, s, t: s.put(_with_query(_part_url(t), uploadId="other"), content=b"x"),
        403,
        "SignatureDoesNotMatch",
    ),
    (
        "storage: other part number",
        lambda v2, s, t: s.put(_with_query(_part_url(t), partNumber="7"), content=b"x"),
        403,
        "SignatureDoesNotMatch",
    ),
    (
        "storage: bad Content-MD5",
        lambda v2, s, t: s.put(
            t["single"]["presigned_url"],
            content=SMALL,
            headers={"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="},
        ),
        400,
        "BadDigest",
    ),
]


@pytest.fixture
def fake() -> Iterator[MockSynapse]:
    with mock_synapse(
        patch=False, validate=True, multipart_threshold=6 * MIB, part_size=5 * MIB
    ) as handle:
        yield handle


def _state(fake: MockSynapse) -> dict[str, Any]:
    state = fake.state()
    return {
        "counts": state["counts"],
        "checksums": state["checksum_counts"],
        "uploads": state["presigned_uploads"],
    }


@pytest.mark.parametrize(
    ("send", "status", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_hostile_v2_request(fake: MockSynapse, send: Send, status: int, fragment: str) -> None:
    with v2_client(fake) as v2, storage_client(fake) as storage:
        single, multi = upload_urls(v2, {"s.png": len(SMALL), "big.bin": len(BIG)})
        assert storage.put(single["presigned_url"], content=SMALL).status_code == 200
        parts = put_parts(storage, multi["multipart"], BIG)
        targets = {"single": single, "multi": multi, "parts": parts}
        before = _state(fake)
        with fake.expect_invalid_requests():
            response = send(v2, storage, targets)
    assert response.status_code == status, response.text
    assert fragment.lower() in response.text.lower(), response.text
    if status == 200:
        assert response.json()["data"]["failed_count"] == 1
    assert _state(fake) == before
    assert not fake.contract_violations
