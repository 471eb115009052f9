"""Plain-HTTP helpers for the v2 and presigned tests: announce, PUT, finalize, bind."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from mockserver import DEFAULT_TOKEN, MockSynapse

MIB = 1 << 20
V2_HEADERS = {"SYNAPSE-ACCESS-TOKEN": DEFAULT_TOKEN}
"""How v2 clients authenticate: the raw token, no ``Token`` prefix."""


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def v2_client(fake: MockSynapse, **headers: str) -> httpx.Client:
    """An httpx client on the fake that authenticates as v2 clients do."""
    return fake.client(headers={**fake.headers(api="v2"), **headers}, timeout=60)


def storage_client(fake: MockSynapse) -> httpx.Client:
    """An httpx client for presigned URLs: no Synapse headers at all."""
    return fake.client(auth=False, timeout=60)


def data(envelope: httpx.Response, status: int = 200) -> Any:
    """The ``data`` of a success envelope (asserting the status and ``meta.request_id``)."""
    assert envelope.status_code == status, envelope.text
    body = envelope.json()
    assert set(body) == {"data", "meta"}, body
    assert body["meta"]["request_id"].startswith("req_")
    return body["data"]


def upload_urls(
    v2: httpx.Client, files: dict[str, int], collection: int = 1, **query: str
) -> list[dict[str, Any]]:
    """Announce ``files`` (name → size); the answer's files, paired by position."""
    body = {"files": [{"filename": name, "size": size} for name, size in files.items()]}
    response = v2.post(f"/v2/data-collections/{collection}/upload-urls/", json=body, params=query)
    issued: list[dict[str, Any]] = data(response)["files"]
    return issued


def put_parts(
    storage: httpx.Client, multipart: dict[str, Any], content: bytes
) -> list[dict[str, Any]]:
    """PUT every part of ``content``; the ``{part_number, etag}`` list to finalize with."""
    size = multipart["part_size"]
    parts = []
    for part in multipart["parts"]:
        number = part["part_number"]
        chunk = content[(number - 1) * size : number * size]
        response = storage.put(part["presigned_url"], content=chunk)
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == f'"{md5(chunk)}"'
        parts.append({"part_number": number, "etag": response.headers["etag"]})
    return parts


def store(storage: httpx.Client, issued: dict[str, Any], content: bytes) -> dict[str, Any]:
    """Upload ``content`` the way ``issued`` says; the finalize entry for it."""
    entry: dict[str, Any] = {
        "file_key": issued["file_key"],
        "checksum": md5(content),
        "size": len(content),
    }
    if issued["multipart"] is None:
        response = storage.put(issued["presigned_url"], content=content)
        assert response.status_code == 200, response.text
        assert response.headers["etag"] == f'"{md5(content)}"'
    else:
        parts = put_parts(storage, issued["multipart"], content)
        entry["multipart"] = {"upload_id": issued["multipart"]["upload_id"], "parts": parts}
    return entry


def finalize(
    v2: httpx.Client, entries: list[dict[str, Any]], collection: int = 1, **query: str
) -> dict[str, Any]:
    response = v2.post(
        f"/v2/data-collections/{collection}/finalize-upload/",
        json={"files": entries},
        params=query,
    )
    result: dict[str, Any] = data(response)
    return result


def upload_files(
    fake: MockSynapse, v2: httpx.Client, contents: dict[str, bytes], collection: int = 1
) -> list[dict[str, Any]]:
    """The whole presigned path for ``contents`` (name → bytes): the finalize results."""
    issued = upload_urls(v2, {name: len(c) for name, c in contents.items()}, collection)
    with storage_client(fake) as storage:
        entries = [store(storage, i, c) for i, c in zip(issued, contents.values(), strict=True)]
    results: list[dict[str, Any]] = finalize(v2, entries, collection)["results"]
    assert all(r["success"] for r in results), results
    return results


def bulk_units(
    v2: httpx.Client, units: list[dict[str, Any]], collection: int = 1, **query: str
) -> httpx.Response:
    return v2.post(
        "/v2/data-units/bulk-create/",
        json={"data_collection": collection, "units": units},
        params=query,
    )


def unit(image: bytes, annotation: bytes | None = None, **extra: Any) -> dict[str, Any]:
    files = {"image": {"checksum": md5(image), "path": "/data/image/a.png"}}
    if annotation is not None:
        files["annotation"] = {"checksum": md5(annotation)}
    return {"files": files, **extra}
