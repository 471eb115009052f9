"""Control routes under ``/_mock/`` (no auth), identical in both transports.

They act on whatever serves the fake (a :class:`ControlTarget`: its fault controller, its
reset and its state snapshot), never on requests of the API. The dispatcher implements the
protocol and consults :data:`CONTROL_ROUTES` before the API route table; this module imports
neither of them.

- ``POST /_mock/reset``: forget all state, faults, the call log and recorded violations.
- ``GET /_mock/state``: the snapshot of :meth:`mockserver.MockSynapse.state` (no tokens).
- ``POST /_mock/faults``: configure faults (JSON of :meth:`FaultController.configure`).
- ``DELETE /_mock/faults``: clear scripted and random faults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from mockserver.faults import FaultController
from mockserver.http import MockRequest, MockResponse

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


ControlHandler = Callable[[ControlTarget, MockRequest], MockResponse]


@dataclass(frozen=True)
class ControlRoute:
    """One control route: exact path (after the base path), method and name."""

    method: str
    path: str
    operation_id: str
    handler: ControlHandler


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


CONTROL_ROUTES: tuple[ControlRoute, ...] = (
    ControlRoute("POST", "/_mock/reset", "mockReset", _reset),
    ControlRoute("GET", "/_mock/state", "mockState", _state),
    ControlRoute("POST", "/_mock/faults", "mockSetFaults", _set_faults),
    ControlRoute("DELETE", "/_mock/faults", "mockClearFaults", _clear_faults),
)


def match_control(method: str, path: str) -> tuple[ControlRoute | None, bool]:
    """(route, path_exists) for a path after the base path; path_exists tells 405 from 404."""
    path_exists = False
    for route in CONTROL_ROUTES:
        if route.path != path:
            continue
        path_exists = True
        if route.method == method.upper():
            return route, True
    return None, path_exists
