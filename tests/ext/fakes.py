"""A tiny in-memory backend for synapse_ext unit tests (an httpx.MockTransport handler).

It implements just enough of the v1 contract (chunked upload with offsets, data files by MD5,
verify_checksums, units, tasks, paginated collections) to exercise the client layer without
the full ``mockserver``. Scripted faults: ``fail[(method, path_prefix)] = [action, ...]`` with
actions ``"drop"`` (ConnectError before handling), ``"lose"`` (handle, then ReadError),
``"lose_unapplied"`` (ReadError without handling: the request never took effect), an
``httpx.Response`` (answered instead of handling) or ``None`` (handle normally).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from typing import Any

import httpx
from python_multipart.multipart import parse_options_header

BASE = "https://api.test"
TOKEN = "s3cr3t-token-value"


def _multipart(request: httpx.Request) -> dict[str, tuple[str | None, bytes]]:
    ctype = request.headers["Content-Type"]
    _, params = parse_options_header(ctype)
    boundary = params[b"boundary"]
    out: dict[str, tuple[str | None, bytes]] = {}
    for part in request.content.split(b"--" + boundary):
        if b"\r\n\r\n" not in part:
            continue
        head, _, body = part.partition(b"\r\n\r\n")
        body = body[:-2] if body.endswith(b"\r\n") else body
        name = re.search(rb'name="([^"]*)"', head)
        fname = re.search(rb'filename="([^"]*)"', head)
        if name:
            out[name.group(1).decode()] = (fname.group(1).decode() if fname else None, body)
    return out


class FakeBackend:
    """State plus a handler; ``calls`` counts (method, path) pairs that reached the handler."""

    def __init__(self, *, keep_bytes: bool = True, collections: int = 1) -> None:
        self.keep_bytes = keep_bytes
        self.files: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, dict[str, Any]] = {}
        self.units: list[dict[str, Any]] = []
        self.tasks: list[dict[str, Any]] = []
        self.calls: Counter[tuple[str, str]] = Counter()
        self.requests: list[httpx.Request] = []
        self.chunk_bytes_received = 0
        self.fail: dict[tuple[str, str], list[Any]] = {}
        self.collections = [
            {
                "id": i,
                "name": f"c{i}",
                "file_specifications": [
                    {
                        "id": 1,
                        "name": "image",
                        "file_type": "image",
                        "is_required": True,
                        "is_primary": True,
                    },
                    {
                        "id": 2,
                        "name": "annotation",
                        "file_type": "data",
                        "is_required": False,
                        "is_primary": False,
                    },
                ],
            }
            for i in range(1, collections + 1)
        ]

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)

    def _fault(self, request: httpx.Request) -> Any:
        for (method, prefix), actions in self.fail.items():
            if request.method == method and request.url.path.startswith(prefix) and actions:
                return actions.pop(0)
        return None

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.keep_bytes:
            self.requests.append(request)
        action = self._fault(request)
        if action == "drop":
            raise httpx.ConnectError("connection dropped", request=request)
        if action == "lose_unapplied":
            raise httpx.ReadError("response lost", request=request)
        if isinstance(action, httpx.Response):
            return action
        self.calls[(request.method, request.url.path)] += 1
        response = self._handle(request)
        if action == "lose":
            raise httpx.ReadError("response lost", request=request)
        return response

    def _json(self, status: int, body: Any) -> httpx.Response:
        return httpx.Response(status, json=body)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        if request.headers.get("Synapse-Access-Token") != f"Token {TOKEN}":
            return self._json(401, {"detail": "Invalid token."})
        m, path = request.method, request.url.path
        if m == "GET" and path == "/data_collections/":
            page = int(request.url.params.get("page", 1))
            size = int(request.url.params.get("page_size", 100))
            items = self.collections[(page - 1) * size : page * size]
            nxt = (
                f"{BASE}/data_collections/?page={page + 1}&page_size={size}"
                if page * size < len(self.collections)
                else None
            )
            return self._json(
                200,
                {"count": len(self.collections), "next": nxt, "previous": None, "results": items},
            )
        if m == "GET" and (hit := re.fullmatch(r"/data_collections/(\d+)/", path)):
            for c in self.collections:
                if c["id"] == int(hit.group(1)):
                    return self._json(200, c)
            return self._json(404, {"detail": "Not found."})
        if m == "POST" and path == "/data_files/verify_checksums/":
            sums = json.loads(request.content)["checksums"]
            return self._json(200, {"existing_checksums": [s for s in sums if s in self.files]})
        if m == "POST" and path == "/data_files/":
            if request.headers["Content-Type"].startswith("application/json"):
                up = self.uploads[json.loads(request.content)["chunked_upload"]]
                return self._new_file(up["md5"], up["offset"])
            _name, data = _multipart(request)["file"]
            return self._new_file(hashlib.md5(data).hexdigest(), len(data))
        if m == "PUT" and (path == "/chunked_upload/" or path.startswith("/chunked_upload/")):
            return self._put_chunk(request, path)
        if hit := re.fullmatch(r"/chunked_upload/([^/]+)/", path):
            up = self.uploads.get(hit.group(1))
            if up is None:
                return self._json(404, {"detail": "Not found."})
            if m == "GET":
                return self._json(200, self._state(up))
            if m == "POST":
                md5 = json.loads(request.content)["md5"]
                if up["completed_at"]:
                    return self._json(
                        400, {"detail": 'Upload has already been marked as "complete"'}
                    )
                if up["hash"].hexdigest() != md5:
                    return self._json(400, {"detail": "checksum does not match"})
                up["md5"], up["completed_at"], up["status"] = md5, "2026-01-01T00:00:00Z", 2
                return self._json(200, self._state(up))
        if m == "POST" and path == "/data_units/":
            body = json.loads(request.content)
            items = body if isinstance(body, list) else [body]
            created = []
            for item in items:
                unit = {
                    "id": len(self.units) + 1,
                    "data_collection": item["data_collection"],
                    "meta": item.get("meta", {}),
                    "files": {
                        k: {
                            "checksum": v["checksum"],
                            "url": "https://s/x",
                            "file_type": "image",
                            "is_primary": k == "image",
                        }
                        for k, v in item["files"].items()
                    },
                }
                self.units.append(unit)
                created.append(unit)
            return self._json(201, created if isinstance(body, list) else created[0])
        if m == "GET" and path == "/data_units/":
            return self._json(
                200,
                {"count": len(self.units), "next": None, "previous": None, "results": self.units},
            )
        if m == "GET" and (hit := re.fullmatch(r"/data_units/(\d+)/", path)):
            return self._json(200, self.units[int(hit.group(1)) - 1])
        if m == "POST" and path == "/tasks/":
            body = json.loads(request.content)
            out = []
            for item in body["data"]:
                task = {
                    "id": len(self.tasks) + 1,
                    "project": body["project"],
                    "data_unit": item["data_unit"],
                }
                self.tasks.append(task)
                out.append(task)
            return self._json(201, out)
        return self._json(404, {"detail": "Not found."})

    def _new_file(self, md5: str, size: int) -> httpx.Response:
        f = self.files.setdefault(md5, {"id": len(self.files) + 1, "checksum": md5, "size": size})
        return self._json(201, f)

    def _state(self, up: dict[str, Any]) -> dict[str, Any]:
        return {k: up[k] for k in ("id", "url", "offset", "status", "completed_at", "filename")}

    def _put_chunk(self, request: httpx.Request, path: str) -> httpx.Response:
        hit = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", request.headers.get("Content-Range", ""))
        if not hit:
            return self._json(400, {"detail": "Error in request headers"})
        start, end, _total = (int(x) for x in hit.groups())
        parts = _multipart(request)
        fname, data = parts["file"]
        assert fname == "file"
        if len(data) != end - start + 1:
            return self._json(400, {"detail": "File size doesn't match headers"})
        if path == "/chunked_upload/":
            uid = f"u{len(self.uploads) + 1}"
            up = {
                "id": uid,
                "url": f"{BASE}/chunked_upload/{uid}/",
                "offset": 0,
                "status": 1,
                "completed_at": None,
                "filename": parts["filename"][1].decode(),
                "data": b"",
                "md5": None,
                "hash": hashlib.md5(),
            }
            self.uploads[uid] = up
        else:
            up = self.uploads[path.split("/")[2]]
        if start != up["offset"]:
            return self._json(400, {"detail": "Offsets do not match", "offset": up["offset"]})
        self.chunk_bytes_received += len(data)
        up["hash"].update(data)
        if self.keep_bytes:
            up["data"] += data
        up["offset"] = end + 1
        return self._json(200, self._state(up))


class StreamingTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Like MockTransport, but reads the request stream itself and keeps nothing afterwards.

    httpx.MockTransport caches every request body on the request object (``request.read()``),
    and request/response reference cycles keep those alive until a GC pass; this transport
    hands the fake a short-lived copy instead, so memory tests measure the client, not the fake.
    """

    def __init__(self, backend: FakeBackend) -> None:
        self.backend = backend

    def _copy(self, request: httpx.Request, body: bytes) -> httpx.Request:
        return httpx.Request(request.method, request.url, headers=request.headers, content=body)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = b"".join(request.stream)  # type: ignore[union-attr]
        return self.backend.handler(self._copy(request, body))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = b"".join([part async for part in request.stream])  # type: ignore[union-attr]
        return self.backend.handler(self._copy(request, body))
