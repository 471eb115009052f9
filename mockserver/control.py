"""Control routes under ``/_mock/`` (no auth), identical in both transports.

They act on whatever serves the fake (a :class:`ControlTarget`: its fault controller, its
reset and its state snapshot), never on requests of the API. The dispatcher implements the
protocol and consults :data:`CONTROL_ROUTES` before the API route table; this module imports
neither of them.

- ``GET /_mock/``: the dashboard, an HTML page of the state and the recent calls
  (:mod:`mockserver.dashboard`; ``?path=`` and ``?status=`` filter the calls);
  ``GET /_mock/units/{id}``: the page of one data unit (its files and meta).
- ``POST /_mock/reset``: forget all state, faults, the call log and recorded violations.
- ``GET /_mock/state``: the snapshot of :meth:`mockserver.MockSynapse.state` (no tokens).
- ``POST /_mock/faults``: configure faults (JSON of :meth:`FaultController.configure`).
- ``DELETE /_mock/faults``: clear scripted and random faults.
- ``POST /_mock/storage``: call the object storage (what the API handlers do), for scripts
  and tests that need presigned URLs without the API: ``{"action": "presign_put", "key": K,
  "expires_in": 3600}`` → ``{"url"}``; ``create_multipart_upload`` (``key``) →
  ``{"upload_id"}``; ``presign_upload_part`` (``key``, ``upload_id``, ``part_number``,
  ``expires_in``) → ``{"url"}``; ``complete_multipart_upload`` (``key``, ``upload_id``,
  ``parts``: ``[[number, etag], ...]``) → ``{"key", "size", "etag"}``;
  ``abort_multipart_upload``; ``head_object`` → the object or 404; ``content_hashes`` →
  ``{"md5", "sha1"}``; ``presign_get`` (``key``, ``filename``, ``expires_in``) → ``{"url"}``.
  A storage error answers its status with ``{"code", "message"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from mockserver.clock import utc_now
from mockserver.dashboard import CallEntry, CallFilter, render_dashboard, render_unit
from mockserver.faults import FaultController
from mockserver.http import MockRequest, MockResponse
from mockserver.storage import ObjectStore, StorageError, StoredObject

__all__ = [
    "CONTROL_PREFIX",
    "CONTROL_ROUTES",
    "ControlHandler",
    "ControlRoute",
    "ControlTarget",
    "match_control",
]

CONTROL_PREFIX = "/_mock/"


class ControlTarget(Protocol):
    """What the control routes act on (the dispatcher)."""

    @property
    def faults(self) -> FaultController: ...

    def reset(self) -> None: ...

    def state(self) -> dict[str, Any]: ...

    @property
    def object_store(self) -> ObjectStore: ...

    def recent_calls(self) -> Sequence[CallEntry]: ...

    def redacted(self) -> frozenset[str]: ...


ControlHandler = Callable[[ControlTarget, MockRequest], MockResponse]


@dataclass(frozen=True)
class ControlRoute:
    """One control route: exact path (after the base path), method and name."""

    method: str
    path: str
    operation_id: str
    handler: ControlHandler
    prefix: bool = False
    """The route also answers the paths below ``path`` (``/_mock/units/7``)."""


_HTML = "text/html; charset=utf-8"


def _page(status: int, page: str) -> MockResponse:
    return MockResponse(
        status, raw=page.encode("utf-8"), content_type=_HTML, headers={"cache-control": "no-store"}
    )


def _root(request: MockRequest) -> str:
    return request.base_path + CONTROL_PREFIX


def _dashboard(target: ControlTarget, request: MockRequest) -> MockResponse:
    chosen = CallFilter(request.query_get("path") or "", request.query_get("status") or "")
    page = render_dashboard(
        target.state(),
        target.recent_calls(),
        root=_root(request),
        redact=target.redacted(),
        call_filter=chosen,
    )
    return _page(200, page)


def _unit_page(target: ControlTarget, request: MockRequest) -> MockResponse:
    below = request.path[len(request.base_path) + len(_UNITS) :].strip("/")
    page = None
    if below.isdigit():
        page = render_unit(
            target.state(), int(below), root=_root(request), redact=target.redacted()
        )
    if page is None:
        return _page(404, "<!doctype html><title>Not found</title><p>No such data unit.</p>")
    return _page(200, page)


def _reset(target: ControlTarget, request: MockRequest) -> MockResponse:
    target.reset()
    return MockResponse.json_response(200, {"detail": "reset"})


def _state(target: ControlTarget, request: MockRequest) -> MockResponse:
    return MockResponse.json_response(200, target.state())


def _set_faults(target: ControlTarget, request: MockRequest) -> MockResponse:
    try:
        target.faults.configure(request.json())
    except (ValueError, TypeError) as exc:
        return MockResponse.json_response(400, {"detail": f"Invalid fault specification: {exc}"})
    return MockResponse.json_response(200, {"pending": target.faults.pending()})


def _clear_faults(target: ControlTarget, request: MockRequest) -> MockResponse:
    target.faults.clear()
    return MockResponse.json_response(200, {"pending": []})


def _object(stored: StoredObject) -> dict[str, Any]:
    return {"key": stored.key, "size": stored.size, "etag": stored.etag}


def _storage_action(store: ObjectStore, payload: dict[str, Any]) -> dict[str, Any]:
    action = payload["action"]
    key = str(payload["key"])
    clock = getattr(store, "clock", utc_now)
    expires_at = clock() + timedelta(seconds=int(payload.get("expires_in", 3600)))
    if action == "presign_put":
        content_type = payload.get("content_type")
        return {"url": store.presign_put(key, expires_at=expires_at, content_type=content_type)}
    if action == "create_multipart_upload":
        return {"upload_id": store.create_multipart_upload(key)}
    if action == "presign_upload_part":
        number = int(payload["part_number"])
        upload_id = str(payload["upload_id"])
        return {"url": store.presign_upload_part(key, upload_id, number, expires_at=expires_at)}
    if action == "complete_multipart_upload":
        parts = [(int(number), str(etag)) for number, etag in payload["parts"]]
        return _object(store.complete_multipart_upload(key, str(payload["upload_id"]), parts))
    if action == "abort_multipart_upload":
        store.abort_multipart_upload(key, str(payload["upload_id"]))
        return {}
    if action == "head_object":
        stored = store.head_object(key)
        if stored is None:
            raise StorageError("NoSuchKey", "The specified key does not exist.", 404)
        return _object(stored)
    if action == "content_hashes":
        md5, sha1 = store.content_hashes(key)
        return {"md5": md5, "sha1": sha1}
    if action == "presign_get":
        filename = payload.get("filename")
        return {"url": store.presign_get(key, expires_at=expires_at, filename=filename)}
    raise ValueError(f"unknown action {action!r}")


def _storage(target: ControlTarget, request: MockRequest) -> MockResponse:
    try:
        payload = request.json()
        if not isinstance(payload, dict):
            raise ValueError("the body must be a JSON object")
        return MockResponse.json_response(200, _storage_action(target.object_store, payload))
    except StorageError as exc:
        return MockResponse.json_response(exc.status, {"code": exc.code, "message": exc.message})
    except (ValueError, TypeError, KeyError) as exc:
        return MockResponse.json_response(400, {"detail": f"Invalid storage call: {exc!r}"})


_UNITS = "/_mock/units/"

CONTROL_ROUTES: tuple[ControlRoute, ...] = (
    ControlRoute("GET", "/_mock/", "mockDashboard", _dashboard),
    ControlRoute("GET", _UNITS, "mockDashboardUnit", _unit_page, prefix=True),
    ControlRoute("POST", "/_mock/reset", "mockReset", _reset),
    ControlRoute("GET", "/_mock/state", "mockState", _state),
    ControlRoute("POST", "/_mock/faults", "mockSetFaults", _set_faults),
    ControlRoute("DELETE", "/_mock/faults", "mockClearFaults", _clear_faults),
    ControlRoute("POST", "/_mock/storage", "mockStorage", _storage),
)


def match_control(method: str, path: str) -> tuple[ControlRoute | None, bool]:
    """(route, path_exists) for a path after the base path; path_exists tells 405 from 404."""
    path_exists = False
    for route in CONTROL_ROUTES:
        if route.path != path and not (route.prefix and path.startswith(route.path)):
            continue
        path_exists = True
        if route.method == method.upper():
            return route, True
    return None, path_exists
