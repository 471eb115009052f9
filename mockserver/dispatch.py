"""The transport-independent core: route, fault, authenticate, validate, handle, record."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from mockserver.contract import ContractValidator, ContractViolation, Violation
from mockserver.errors import ApiError, forbidden, unauthorized
from mockserver.faults import Fault, FaultController
from mockserver.http import MockRequest, MockResponse
from mockserver.routes import Route, match_route
from mockserver.state import Backend

__all__ = ["Call", "Dispatcher", "Outcome"]

log = logging.getLogger("mockserver")
Action = Literal["respond", "drop", "lose_response"]


@dataclass(frozen=True)
class Call:
    """One entry of the call log."""

    operation_id: str
    method: str
    path: str
    status: int | None
    fault: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What the transport must do: send ``response`` (after ``delay_s``), drop, or lose it."""

    action: Action
    response: MockResponse | None
    delay_s: float = 0.0
    operation_id: str | None = None


def _credentials(request: MockRequest) -> tuple[str, str | None]:
    raw = request.header("synapse-access-token") or request.header("authorization")
    if raw is None:
        raise unauthorized("Authentication credentials were not provided.")
    scheme, _, token = raw.strip().partition(" ")
    if scheme.lower() != "token" or not token.strip() or " " in token.strip():
        raise unauthorized('Invalid token header. Expected "Token <token>".')
    tenant_raw = request.header("synapse-tenant")
    if tenant_raw is None:
        return token.strip(), None
    t_scheme, _, code = tenant_raw.strip().partition(" ")
    if t_scheme.lower() != "token" or not code.strip():
        raise forbidden()
    return token.strip(), code.strip()


class Dispatcher:
    """Turns a :class:`MockRequest` into an :class:`Outcome`; shared by both transports."""

    def __init__(
        self,
        backend: Backend,
        *,
        faults: FaultController | None = None,
        validator: ContractValidator | None = None,
        base_path: str = "",
        raise_violations: bool = True,
    ) -> None:
        self.backend = backend
        self.faults = faults or FaultController()
        self.validator = validator
        self.base_path = base_path.rstrip("/")
        self.raise_violations = raise_violations
        self.calls: list[Call] = []
        self.contract_violations: list[Violation] = []
        self._lenient = 0
        self._lock = threading.Lock()

    # -- test helpers ------------------------------------------------------------------------
    @contextmanager
    def expect_invalid_requests(self) -> Iterator[None]:
        """Within this block, requests that break the spec are allowed (error-case tests).

        The fake must still answer them with a 4xx: a 2xx to an invalid request is recorded
        as a violation.
        """
        with self._lock:
            self._lenient += 1
        try:
            yield
        finally:
            with self._lock:
                self._lenient -= 1

    def reset(self) -> None:
        self.backend.reset()
        self.faults.clear()
        with self._lock:
            self.calls.clear()
            self.contract_violations.clear()

    # -- core --------------------------------------------------------------------------------
    def dispatch(self, request: MockRequest) -> Outcome:
        request.base_path = self.base_path
        path = (
            request.path[len(self.base_path) :]
            if request.path.startswith(self.base_path)
            else request.path
        )
        route, params, path_exists = match_route(request.method, path)
        if route is None:
            status = 405 if path_exists else 404
            body = (
                {"detail": f'Method "{request.method.upper()}" not allowed.'}
                if path_exists
                else {"detail": "Not found."}
            )
            self._record(Call("unknown", request.method, request.path, status))
            return Outcome("respond", MockResponse.json_response(status, body))
        request.path_params = params
        request.operation_id = route.operation_id
        if route.kind == "control":
            assert route.control is not None
            response = route.control(self, request)
            return Outcome("respond", response, operation_id=route.operation_id)
        return self._dispatch_api(route, request)

    def _dispatch_api(self, route: Route, request: MockRequest) -> Outcome:
        op = route.operation_id
        self.backend.record_call(op)
        fault = self.faults.decide(op) if route.kind == "api" else None
        delay = self.faults.latency_ms / 1000.0
        if fault is not None and fault.kind == "slow":
            delay += fault.delay_ms / 1000.0
        if fault is not None and fault.kind in ("status", "drop"):
            request.cleanup()
            return self._injected(route, request, fault, delay)
        invalid = self._check_request(route, request)
        response = self._run_handler(route, request)
        self._check_response(route, request, response, invalid)
        kind = fault.kind if fault is not None else None
        self._record(Call(op, request.method, request.path, response.status, kind))
        action: Action = "lose_response" if kind == "lose_response" else "respond"
        return Outcome(action, response, delay, op)

    def _injected(self, route: Route, request: MockRequest, fault: Fault, delay: float) -> Outcome:
        op = route.operation_id
        if fault.kind == "drop":
            self._record(Call(op, request.method, request.path, None, "drop"))
            return Outcome("drop", None, delay, op)
        response = MockResponse.json_response(
            fault.status, fault.response_body(), fault.response_headers()
        )
        self._record(Call(op, request.method, request.path, fault.status, "status"))
        return Outcome("respond", response, delay, op)

    def _run_handler(self, route: Route, request: MockRequest) -> MockResponse:
        assert route.handler is not None
        try:
            if route.auth:
                token, tenant = _credentials(request)
                request.tenant = self.backend.authenticate(token, tenant)
            return route.handler(self.backend, request)
        except ApiError as exc:
            return MockResponse.json_response(exc.status, exc.body, exc.headers)
        except Exception as exc:  # a bug in the fake: say so, never hang the client
            log.exception("mockserver handler %s failed", route.operation_id)
            return MockResponse.json_response(
                500, {"detail": f"Mock server error in {route.operation_id}: {exc!r}"}
            )
        finally:
            request.cleanup()

    # -- contract ----------------------------------------------------------------------------
    def _violate(self, violations: list[Violation]) -> None:
        with self._lock:
            self.contract_violations.extend(violations)
        for violation in violations:
            log.error("contract violation: %s", violation)
        if self.raise_violations:
            raise ContractViolation(violations)

    def _check_request(self, route: Route, request: MockRequest) -> bool:
        """Validate the request; returns True when it is invalid but tolerated."""
        if self.validator is None or route.kind != "api":
            return False
        if not route.documented:
            violations = [Violation(route.operation_id, "request", "operation not in openapi.yaml")]
        else:
            violations = self.validator.request_violations(route.operation_id, request)
        if not violations:
            return False
        if self._lenient:
            return True
        request.cleanup()
        self._violate(violations)
        return True

    def _check_response(
        self, route: Route, request: MockRequest, response: MockResponse, invalid: bool
    ) -> None:
        if self.validator is None or route.kind != "api" or not route.documented:
            return
        violations = self.validator.response_violations(route.operation_id, request, response)
        if invalid and 200 <= response.status < 300:
            violations.append(
                Violation(
                    route.operation_id,
                    "response",
                    "the fake accepted a request that openapi.yaml rejects",
                    response.status,
                )
            )
        if violations:
            self._violate(violations)

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
