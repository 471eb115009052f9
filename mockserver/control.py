"""Control routes under ``/_mock/`` (no auth), identical in both transports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.http import MockRequest, MockResponse

if TYPE_CHECKING:
    from mockserver.dispatch import Dispatcher

__all__ = ["clear_faults", "dump_state", "reset", "set_faults", "state"]


def dump_state(dispatcher: Dispatcher) -> dict[str, Any]:
    """A JSON-friendly snapshot of the backend (no tokens)."""
    backend = dispatcher.backend
    with backend._lock:
        return {
            "counts": backend.counts(),
            "operation_calls": dict(backend.operation_calls),
            "checksum_counts": dict(backend.checksum_counts),
            "data_collections": [
                {
                    "id": c.id,
                    "tenant": c.tenant,
                    "name": c.name,
                    "file_specifications": [s.name for s in c.specs],
                }
                for c in backend.collections.values()
            ],
            "data_files": [
                {
                    "id": f.id,
                    "tenant": f.tenant,
                    "checksum": f.checksum,
                    "size": f.size,
                    "filename": f.filename,
                }
                for f in backend.data_files.values()
            ],
            "chunked_uploads": [
                {
                    "id": u.id,
                    "tenant": u.tenant,
                    "filename": u.filename,
                    "offset": u.offset,
                    "status": u.status,
                    "created_at": u.created_at.isoformat(),
                    "completed_at": u.completed_at.isoformat() if u.completed_at else None,
                }
                for u in backend.uploads.values()
            ],
            "data_units": [
                {
                    "id": u.id,
                    "tenant": u.tenant,
                    "data_collection": u.data_collection,
                    "files": {f.spec_name: f.data_file_id for f in u.files},
                    "meta": u.meta,
                    "groups": u.groups,
                }
                for u in backend.units.values()
            ],
            "tasks": [
                {"id": t.id, "tenant": t.tenant, "project": t.project, "data_unit": t.data_unit}
                for t in backend.tasks.values()
            ],
            "faults": {
                "pending": dispatcher.faults.pending(),
                "latency_ms": dispatcher.faults.latency_ms,
            },
        }


def reset(dispatcher: Dispatcher, request: MockRequest) -> MockResponse:
    dispatcher.reset()
    return MockResponse.json_response(200, {"detail": "reset"})


def state(dispatcher: Dispatcher, request: MockRequest) -> MockResponse:
    return MockResponse.json_response(200, dump_state(dispatcher))


def set_faults(dispatcher: Dispatcher, request: MockRequest) -> MockResponse:
    try:
        dispatcher.faults.configure(request.json())
    except (ValueError, TypeError) as exc:
        return MockResponse.json_response(400, {"detail": f"Invalid fault specification: {exc}"})
    return MockResponse.json_response(200, {"pending": dispatcher.faults.pending()})


def clear_faults(dispatcher: Dispatcher, request: MockRequest) -> MockResponse:
    dispatcher.faults.clear()
    return MockResponse.json_response(200, {"pending": []})
