"""The transport-independent core: route, fault, authenticate, validate, handle, record.

Both transports turn what they receive into a :class:`~mockserver.http.MockRequest` (its
``origin`` saying which of the fake's two origins, API or object storage, it was sent to), ask
:meth:`Dispatcher.body_mode` whether to spool the raw body to disk (storage PUTs) and
:meth:`Dispatcher.hash_parts` how to parse a multipart body while it streams in, and perform
the :class:`Outcome` of :meth:`Dispatcher.dispatch`. The dispatcher keeps the one call log
(:attr:`Dispatcher.calls`): every API and storage request, faulted or not, in arrival order.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypedDict, Unpack

from mockserver.clock import Clock
from mockserver.contract import ContractValidator, ContractViolation, Violation
from mockserver.control import CONTROL_PREFIX, match_control
from mockserver.errors import ApiError, forbidden, unauthorized
from mockserver.faults import Fault, FaultController
from mockserver.fixtures import DEFAULT_TOKEN, default_fixtures, load_fixtures, with_caution
from mockserver.http import MockRequest, MockResponse
from mockserver.presigned import DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE
from mockserver.routes import Route, match_route
from mockserver.state import Backend
from mockserver.storage import DEFAULT_BUCKET, EmbeddedStore, ObjectStore
from mockserver.storage.s3http import (
    error_response,
    injected_response,
    match_storage,
    run_storage,
)
from mockserver.v2.envelope import error_response as v2_error_response

__all__ = [
    "Action",
    "BodyMode",
    "Call",
    "Contract",
    "Dispatcher",
    "FakeOptions",
    "Outcome",
    "build_dispatcher",
]

log = logging.getLogger("mockserver")
Action = Literal["respond", "refuse", "drop", "lose_response"]
Contract = Literal["passed", "violated", "tolerated", "unchecked"]
BodyMode = Literal["parse", "spool"]
"""How a transport takes a request body: ``parse`` (multipart streamed to disk, anything else
buffered in memory up to a limit) or ``spool`` (the raw body streamed to a file, MD5 computed
on the way: ``MockRequest.raw_body``)."""
_SECRET_HEADERS = frozenset({"synapse-access-token", "authorization", "cookie"})


@dataclass(frozen=True)
class Call:
    """One entry of the call log: a request the fake received, and what became of it."""

    operation_id: str
    method: str
    path: str
    status: int | None
    """The status the fake answered (for ``lose_response``: the one that was lost); None when
    it produced no answer (``refuse``, ``drop``, a request that broke the contract)."""
    fault: str | None = None
    """The injected fault's kind, if any."""
    handled: bool = False
    """True when the handler ran (the request could change the state)."""
    headers: tuple[tuple[str, str], ...] = ()
    """Request headers, lower-case, without credentials."""
    body_bytes: int = 0
    """Body bytes received."""
    response_bytes: int | None = None
    """Body bytes of the answer (None when none was produced)."""
    duration_ms: float = 0.0
    """Time the fake took: from the request's arrival (its body's transfer included, so a
    storage PUT's upload counts) to its answer, plus the injected delay (latency, ``slow``)."""
    contract: Contract = "unchecked"
    """The contract check's verdict: ``passed``, ``violated``, ``tolerated`` (a spec-invalid
    request allowed by :meth:`Dispatcher.expect_invalid_requests`) or ``unchecked`` (no
    validation, or not an operation of ``openapi.yaml``: storage, unknown routes)."""

    def header(self, name: str) -> str | None:
        """A request header (case-insensitive), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers if key == wanted), None)


@dataclass(frozen=True)
class Outcome:
    """What the transport must do: send ``response`` (after ``delay_s``), or fail the call.

    ``refuse``: as if the connection was refused (not sent); ``drop``: no answer;
    ``lose_response``: the response (already committed) is lost.
    """

    action: Action
    response: MockResponse | None
    delay_s: float = 0.0
    operation_id: str | None = None


@dataclass
class _Trace:
    """What the call log needs to know of one request besides its outcome."""

    delay_s: float = 0.0
    response: MockResponse | None = None
    contract: Contract = "unchecked"


def _body_size(response: MockResponse | None) -> int | None:
    if response is None:
        return None
    if response.head:
        return 0
    if response.file_paths is not None:
        return response.file_size
    return len(response.content())


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


def _raw_or_token(value: str) -> str:
    """v2 header values: the raw value, or ``Token <value>`` (what v1 clients send)."""
    value = value.strip()
    scheme, sep, rest = value.partition(" ")
    return rest.strip() if sep and scheme.lower() == "token" else value


def _credentials_v2(request: MockRequest) -> tuple[str, str | None]:
    """``SYNAPSE-ACCESS-TOKEN: <token>`` (raw or ``Token <token>``), else ``Authorization:
    Token|Bearer <token>``; ``SYNAPSE-Tenant: <code>`` (raw or ``Token <code>``) optional."""
    raw = request.header("synapse-access-token")
    if raw is not None:
        token = _raw_or_token(raw)
    else:
        authorization = request.header("authorization")
        if authorization is None:
            raise unauthorized("Authentication credentials were not provided.")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() not in {"token", "bearer"}:
            raise unauthorized('Invalid authorization header. Expected "Token|Bearer <token>".')
        token = token.strip()
    if not token or " " in token:
        raise unauthorized("Invalid token header.")
    tenant_raw = request.header("synapse-tenant")
    if tenant_raw is None:
        return token, None
    code = _raw_or_token(tenant_raw)
    if not code or " " in code:
        raise forbidden()
    return token, code


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
        self.timer: Callable[[], float] = time.perf_counter
        """The clock of the call log's durations, in seconds (tests replace it)."""

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
        """Reset the backend, faults, the call log and recorded violations."""
        self.backend.reset()
        self.faults.clear()
        with self._lock:
            self.calls.clear()
            self.contract_violations.clear()

    @property
    def object_store(self) -> ObjectStore:
        """The backend's object storage (for the ``/_mock/storage`` control route)."""
        return self.backend.object_store

    def recent_calls(self) -> list[Call]:
        """A copy of the call log, taken under its lock."""
        with self._lock:
            return list(self.calls)

    def redacted(self) -> frozenset[str]:
        """What a page of the fake must never show: its tokens and tenant codes."""
        backend = self.backend
        return frozenset(backend.tokens) | frozenset(backend.tenants)

    def call_counts(self) -> Counter[str]:
        """Requests received per operationId (faulted ones included), from the call log."""
        with self._lock:
            return Counter(call.operation_id for call in self.calls)

    def state(self) -> dict[str, Any]:
        """The backend's snapshot plus the call counts and pending faults (no tokens)."""
        snapshot = self.backend.snapshot()
        snapshot["operation_calls"] = dict(self.call_counts())
        faults = self.faults
        snapshot["faults"] = {"pending": faults.pending(), "latency_ms": faults.latency_ms}
        store = self.backend.object_store
        if isinstance(store, EmbeddedStore):  # the object storage (a remote one: not listed)
            snapshot["storage"] = store.snapshot()
        return snapshot

    # -- core --------------------------------------------------------------------------------
    def _local_path(self, path: str) -> str:
        """The path after the base path ("" when the request is outside of it)."""
        if not self.base_path:
            return path
        if path.startswith(self.base_path + "/"):
            return path[len(self.base_path) :]
        return ""

    def hash_parts(self, method: str, path: str) -> bool:
        """Whether file parts of this request are hashed while they stream in (see routes)."""
        route, _params, _exists = match_route(method, self._local_path(path))
        return route is None or route.hash_parts

    def body_mode(self, origin: str, method: str, path: str) -> BodyMode:
        """``spool`` for PUTs to the storage origin (objects and parts), else ``parse``."""
        return "spool" if origin == "storage" and method.upper() == "PUT" else "parse"

    def dispatch(self, request: MockRequest) -> Outcome:
        if request.arrived is None:  # a transport that did not stamp it: now
            request.arrived = self.timer()
        if request.origin == "storage":  # the object storage origin: its own table
            return self._dispatch_storage(request)
        request.base_path = self.base_path
        path = self._local_path(request.path)
        control_exists = False
        if path.startswith(CONTROL_PREFIX):
            control, control_exists = match_control(request.method, path)
            if control is not None:
                request.operation_id = control.operation_id
                response = control.handler(self, request)
                return Outcome("respond", response, operation_id=control.operation_id)
        route, params, path_exists = match_route(request.method, path)
        if route is None:
            allowed = path_exists or control_exists
            status = 405 if allowed else 404
            body = (
                {"detail": f'Method "{request.method.upper()}" not allowed.'}
                if allowed
                else {"detail": "Not found."}
            )
            answer = MockResponse.json_response(status, body)
            trace = _Trace(response=answer)
            self._record(request, "unknown", status, None, handled=False, trace=trace)
            return Outcome("respond", answer)
        request.path_params = params
        request.operation_id = route.operation_id
        return self._dispatch_api(route, request)

    def _dispatch_api(self, route: Route, request: MockRequest) -> Outcome:
        op = route.operation_id
        fault = self.faults.decide(op) if route.kind == "api" else None
        kind = fault.kind if fault is not None else None
        delay = self.faults.latency_ms / 1000.0
        if fault is not None and fault.kind == "slow":
            delay += fault.delay_ms / 1000.0
        status: int | None = None
        handled = False
        trace = _Trace(delay)
        try:
            invalid = self._check_request(route, request, trace)
            if fault is not None and not fault.handled:
                request.cleanup()
                outcome = self._injected(fault, delay, op)
                trace.response = outcome.response
                status = outcome.response.status if outcome.response is not None else None
                return outcome
            handled = True
            response = trace.response = self._run_handler(route, request)
            status = response.status
            self._check_response(route, request, response, invalid, trace)
            action: Action = "lose_response" if kind == "lose_response" else "respond"
            return Outcome(action, response, delay, op)
        finally:
            self._record(request, op, status, kind, handled=handled, trace=trace)

    def _dispatch_storage(self, request: MockRequest) -> Outcome:
        """Storage ops: faults, latency and the call log as for the API; no Synapse auth
        (the presigned signature is the auth) and no contract checking (not in openapi.yaml).
        """
        route = match_storage(request)
        if route is None:
            request.cleanup()
            response = error_response(
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                405,
            )
            trace = _Trace(response=response)
            self._record(request, "unknown", 405, None, handled=False, trace=trace)
            return Outcome("respond", response)
        op = request.operation_id = route.operation_id
        fault = self.faults.decide(op)
        delay = self.faults.latency_ms / 1000.0
        if fault is not None and fault.kind == "slow":
            delay += fault.delay_ms / 1000.0
        status: int | None = None
        handled = False
        trace = _Trace(delay)
        try:
            if fault is not None and not fault.handled:
                request.cleanup()
                if fault.kind in ("refuse", "drop"):
                    return self._injected(fault, delay, op)
                injected = trace.response = injected_response(fault)
                status = injected.status if injected is not None else None
                return Outcome("respond", injected, delay, op)
            handled = True
            try:
                response = trace.response = run_storage(route, self.backend.object_store, request)
            finally:
                request.cleanup()
            status = response.status
            lost = fault is not None and fault.kind == "lose_response"
            return Outcome("lose_response" if lost else "respond", response, delay, op)
        finally:
            kind = fault.kind if fault else None
            self._record(request, op, status, kind, handled=handled, trace=trace)

    def _injected(self, fault: Fault, delay: float, op: str) -> Outcome:
        if fault.kind == "refuse":
            return Outcome("refuse", None, 0.0, op)
        if fault.kind == "drop":
            return Outcome("drop", None, delay, op)
        return Outcome("respond", fault.response(), delay, op)

    def _run_handler(self, route: Route, request: MockRequest) -> MockResponse:
        try:
            if route.auth:
                read = _credentials_v2 if route.api == "v2" else _credentials
                token, tenant = read(request)
                request.tenant = self.backend.authenticate(token, tenant)
            return route.handler(self.backend, request)
        except ApiError as exc:
            if route.api == "v2":
                return v2_error_response(self.backend, exc)
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

    def _check_request(self, route: Route, request: MockRequest, trace: _Trace) -> bool:
        """Validate the request; returns True when it is invalid but tolerated."""
        if self.validator is None or route.kind != "api":
            return False
        trace.contract = "passed"
        if not route.documented:
            violations = [Violation(route.operation_id, "request", "operation not in openapi.yaml")]
        else:
            violations = self.validator.request_violations(route.operation_id, request)
        if not violations:
            return False
        if self._lenient:
            trace.contract = "tolerated"
            return True
        trace.contract = "violated"
        request.cleanup()
        self._violate(violations)
        return True

    def _check_response(
        self,
        route: Route,
        request: MockRequest,
        response: MockResponse,
        invalid: bool,
        trace: _Trace,
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
            trace.contract = "violated"
            self._violate(violations)

    def _record(
        self,
        request: MockRequest,
        op: str,
        status: int | None,
        fault: str | None,
        *,
        handled: bool,
        trace: _Trace | None = None,
    ) -> None:
        trace = trace or _Trace()
        headers = tuple((k, v) for k, v in request.headers.items() if k not in _SECRET_HEADERS)
        call = Call(
            op,
            request.method,
            request.path,
            status,
            fault,
            handled=handled,
            headers=headers,
            body_bytes=request.received_bytes,
            response_bytes=_body_size(trace.response),
            duration_ms=(self._elapsed(request) + trace.delay_s) * 1000.0,
            contract=trace.contract,
        )
        with self._lock:
            self.calls.append(call)

    def cut_short(self, request: MockRequest) -> None:
        """Log a storage PUT whose client went away before its body ended (its spool is
        gone, nothing was stored): no answer, the bytes that did arrive, and count it."""
        route = match_storage(request)
        op = route.operation_id if route is not None else "unknown"
        self._record(request, op, None, None, handled=False)
        self.backend.note_put_cut_short()

    def _elapsed(self, request: MockRequest) -> float:
        """Seconds since the request arrived (0 if it was never stamped)."""
        return 0.0 if request.arrived is None else max(0.0, self.timer() - request.arrived)


def _fixtures(fixtures: dict[str, Any] | str | Path | None) -> dict[str, Any]:
    if fixtures is None:
        return default_fixtures()
    if isinstance(fixtures, dict):
        return fixtures
    return load_fixtures(fixtures)


class FakeOptions(TypedDict, total=False):
    """What a fresh fake is made of; the keywords of :func:`~mockserver.mock_synapse` that
    :func:`build_dispatcher` (and the deprecated aliases) take and pass on unchanged."""

    token: str | None
    tenant: str | None
    fixtures: dict[str, Any] | str | Path | None
    storage: str | Path | None
    storage_endpoint: str | None
    storage_bucket: str | None
    validate: bool
    latency_ms: int
    clock: Clock | None
    max_upload_bytes: int | None
    seed: int
    spec_path: str | Path | None
    multipart_threshold: int
    part_size: int
    caution: str | None


def _remote_store(endpoint: str, bucket: str | None) -> ObjectStore:
    """A :class:`RemoteStore` (the ``mock-s3`` extra: botocore) on ``endpoint``."""
    from mockserver.extras import check_s3_extra

    try:
        from mockserver.storage.remote import RemoteStore
    except ImportError as exc:
        check_s3_extra("storage_endpoint (--storage-endpoint)", exc)
        raise
    return RemoteStore(endpoint, bucket=bucket or DEFAULT_BUCKET)


def build_dispatcher(
    *,
    backend: Backend | None = None,
    base_path: str = "",
    raise_violations: bool = True,
    **options: Unpack[FakeOptions],
) -> Dispatcher:
    """Backend + faults + optional contract validator, wired together.

    ``backend``: serve this one instead of building one from ``fixtures``, ``storage``,
    ``clock``, ``seed``, ``max_upload_bytes`` and ``storage_endpoint``/``storage_bucket``
    (which must then keep their defaults). ``storage_endpoint``: the object storage is that S3
    endpoint (a :class:`~mockserver.storage.remote.RemoteStore`, bucket ``storage_bucket``,
    default ``synapse-mock``; needs the ``mock-s3`` extra) instead of the embedded store.
    ``token`` (if any) is added to ``tenant`` (default: the first fixture tenant) and survives
    resets. ``caution``: the v2 ``caution`` of every fixture collection that sets none.
    """
    token = options.get("token", DEFAULT_TOKEN)
    tenant = options.get("tenant")
    fixtures = options.get("fixtures")
    storage = options.get("storage")
    clock = options.get("clock")
    seed = options.get("seed", 0)
    max_upload_bytes = options.get("max_upload_bytes")
    spec_path = options.get("spec_path")
    storage_endpoint = options.get("storage_endpoint")
    storage_bucket = options.get("storage_bucket")
    validator = ContractValidator(spec_path) if options.get("validate", False) else None
    if backend is None:
        object_store = (
            None if storage_endpoint is None else _remote_store(storage_endpoint, storage_bucket)
        )
        caution = options.get("caution")
        loaded = _fixtures(fixtures)
        backend = Backend(
            loaded if caution is None else with_caution(loaded, caution),
            storage=storage,
            clock=clock,
            seed=seed,
            max_upload_bytes=max_upload_bytes,
            multipart_threshold=options.get("multipart_threshold", DEFAULT_MULTIPART_THRESHOLD),
            part_size=options.get("part_size", DEFAULT_PART_SIZE),
            object_store=object_store,
        )
    elif storage_endpoint is not None or storage_bucket is not None:
        raise ValueError("give either backend or storage_endpoint/storage_bucket, not both")
    elif fixtures is not None or storage is not None or clock is not None or seed != 0:
        raise ValueError("give either backend or fixtures/storage/clock/seed, not both")
    elif options.get("caution") is not None:
        raise ValueError("give either backend or caution, not both")
    elif max_upload_bytes is not None:
        raise ValueError("give either backend or max_upload_bytes, not both")
    if token:
        code = tenant or next(iter(backend.tenants), None)
        if code is None:
            raise ValueError("the fixtures define no tenant to attach the token to")
        backend.add_token(token, code, keep=True)
    return Dispatcher(
        backend,
        faults=FaultController(latency_ms=options.get("latency_ms", 0)),
        validator=validator,
        base_path=base_path,
        raise_violations=raise_violations,
    )
