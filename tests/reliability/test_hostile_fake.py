"""Hostile requests to the fake: each gets a specific status and detail; state is unchanged.

One table: (case, request, expected status, fragment of the JSON body). A chunked upload is
created first so chunk and finalize cases have a real target.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from mockserver import mock_synapse

from .helpers import counters

Send = Callable[[httpx.Client, str], httpx.Response]
FILE = {"file": ("a.jpg", b"0123456789")}


def _put(content_range: str, upload: bool = True) -> Send:
    def send(client: httpx.Client, uid: str) -> httpx.Response:
        url = f"/chunked_upload/{uid}/" if upload else "/chunked_upload/"
        return client.put(url, files=FILE, headers={"Content-Range": content_range})

    return send


def _json(method: str, url: str, body: Any) -> Send:
    return lambda c, uid: c.request(method, url.format(uid=uid), json=body)


def _raw(method: str, url: str, content: bytes, ctype: str) -> Send:
    return lambda c, uid: c.request(method, url, content=content, headers={"Content-Type": ctype})


def _auth(header: str, value: str) -> Send:
    return lambda c, uid: c.get("/data_collections/1/", headers={header: value})


def _unit(files: dict[str, Any], collection: int = 1) -> dict[str, Any]:
    return {"data_collection": collection, "files": files, "meta": {}}


CASES: list[tuple[str, Send, int, str]] = [
    ("content-range garbage", _put("bytes x-y/z"), 400, "Error in request headers"),
    ("content-range start > end", _put("bytes 9-0/10"), 400, "Error in request headers"),
    ("content-range wrong offset", _put("bytes 0-9/20"), 400, "Offsets do not match"),
    ("content-range end >= total", _put("bytes 10-19/15"), 400, "exceeds reported total"),
    ("chunk size != range", _put("bytes 10-29/40"), 400, "File size doesn't match"),
    ("huge declared size", _put(f"bytes 0-9/{2**64}", upload=False), 400, "Error in request"),
    (
        "unknown upload id",
        lambda c, u: c.put(
            "/chunked_upload/nope/", files=FILE, headers={"Content-Range": "bytes 0-9/10"}
        ),
        404,
        "Not found",
    ),
    (
        "wrong md5",
        _json("POST", "/chunked_upload/{uid}/", {"md5": "0" * 32}),
        400,
        "checksum does not match",
    ),
    ("missing md5", _json("POST", "/chunked_upload/{uid}/", {}), 400, "md5"),
    (
        "bad json",
        _raw("POST", "/data_units/", b"{nope", "application/json"),
        400,
        "JSON parse error",
    ),
    (
        "multipart garbage",
        _raw("POST", "/data_files/", b"--zz\r\nnope", "multipart/form-data; boundary=zz"),
        400,
        "Multipart",
    ),
    (
        "empty file",
        lambda c, u: c.post("/data_files/", files={"file": ("a.jpg", b"")}),
        400,
        "empty",
    ),
    (
        "unknown checksum",
        _json("POST", "/data_units/", _unit({"image": {"checksum": "f" * 32}})),
        400,
        "Unknown checksum",
    ),
    (
        "wrong spec name",
        _json("POST", "/data_units/", _unit({"imagee": {"checksum": "f" * 32}})),
        400,
        "Unknown file specification",
    ),
    (
        "cross-tenant collection (unit)",
        _json("POST", "/data_units/", _unit({"image": {"checksum": "f" * 32}}, 3)),
        400,
        "object does not exist",
    ),
    (
        "cross-tenant collection (get)",
        _json("GET", "/data_collections/3/", None),
        404,
        "Not found",
    ),
    (
        "cross-tenant project (tasks)",
        _json("POST", "/tasks/", {"project": 3, "data": [{"data_unit": 1}]}),
        404,
        "Not found",
    ),
    ("wrong token", _auth("Synapse-Access-Token", "Token wrong"), 401, "Invalid token"),
    ("malformed auth header", _auth("Synapse-Access-Token", "Bearer x y"), 401, "Invalid token"),
    ("other tenant header", _auth("Synapse-Tenant", "Token other"), 403, "permission"),
    (
        "verify: not a list",
        _json("POST", "/data_files/verify_checksums/", {"checksums": "x"}),
        400,
        "Expected a list",
    ),
]


@pytest.fixture
def fake() -> Any:
    with mock_synapse(patch=False, validate=True) as handle:
        yield handle


@pytest.mark.parametrize(
    ("send", "status", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_hostile_request(fake: Any, send: Send, status: int, fragment: str) -> None:
    with fake.client() as client:
        first = client.put(
            "/chunked_upload/",
            files=FILE,
            data={"filename": "a.jpg"},
            headers={"Content-Range": "bytes 0-9/20"},
        )
        assert first.status_code == 200, first.text
        upload_id = first.json()["id"]
        before = counters(fake)
        with fake.expect_invalid_requests():
            response = send(client, upload_id)
    assert response.status_code == status, response.text
    assert fragment.lower() in response.text.lower()
    assert counters(fake) == before
    assert not fake.contract_violations
