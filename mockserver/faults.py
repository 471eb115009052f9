"""Fault injection: reproduce production's bad days on demand.

From Python (``handle.faults``)::

    faults.script("createDataUnits", status=429, times=2, retry_after=1)  # next 2 calls → 429
    faults.script("*", status=503)               # the next call of any operation → 503
    faults.respond("createDataUnits", status=502, body="<html>bad gateway</html>",
                   content_type="text/html")     # exactly this answer, request not handled
    faults.respond("getDataCollection", status=200, json={"id": "x"})  # any status 100-599
    faults.refuse("createDataUnits")             # connection refused: the request is not sent
    faults.drop("uploadChunk")                   # sent, never answered, not applied
    faults.lose_response("completeChunkedUpload")  # handled and committed, response lost
    faults.slow("listDataUnits", delay_ms=500)   # answered after a delay
    faults.proxy_error("storagePutObject")       # a CDN's 150-byte text/html 400 (no S3 Code)
    faults.random(rate=0.2, seed=7, kinds=("status", "drop"), operations=["uploadChunk"])
    faults.latency_ms = 20                       # fixed extra latency on every API response
    faults.clear()                               # forget scripted and random faults

Over HTTP (both transports): ``POST /_mock/faults`` with one object or a list of objects::

    {"operation": "createDataUnits", "kind": "status", "status": 429, "times": 2,
     "retry_after": 1}                                    # optional "body": any JSON
    {"operation": "createDataUnits", "kind": "respond", "status": 502,
     "body": "<html>bad gateway</html>", "content_type": "text/html",
     "headers": {"X-Proxy": "edge"}}                      # "body": text sent as UTF-8
    {"kind": "respond", "status": 200, "json": {"id": "x"}}   # or "json": any JSON value
    {"kind": "respond", "status": 520, "body_base64": "AAEC"}  # or raw bytes, base64
    {"operation": "uploadChunk", "kind": "drop"}          # kinds: status, respond, refuse,
    {"kind": "slow", "delay_ms": 300}                     #   drop, lose_response, slow
    {"operation": "storageUploadPart", "kind": "proxy_error"}  # the CDN's text/html 400
    {"random": {"rate": 0.1, "seed": 3, "kinds": ["status"], "statuses": [500, 503]}}
    {"latency_ms": 25}

and ``DELETE /_mock/faults`` to clear. What a client observes (every faulted request is in
the call log, ``Call.fault`` naming the kind and ``Call.handled`` telling if it was applied):

- ``status``: the request is not handled (state unchanged); the answer is the status with a
  JSON ``{"detail": ...}`` body (or ``body``) and, when given, a ``Retry-After`` header.
- ``respond``: the request is not handled; the answer is exactly the given status (any of
  100-599, e.g. 520 or a 200), headers, content type and body (JSON, text or bytes). Use it for
  proxy pages (a 502 in ``text/html``), unparseable bodies (a 200 ``application/json`` that is
  not JSON) and answers the fake itself never gives.
- ``refuse``: the request is never sent: not handled, no answer. respx mode raises
  ``httpx.ConnectError`` (what a client sees when the connection is refused, so it may resend
  anything). A real server cannot refuse one request of an open connection: server mode
  closes the connection without a complete response, as for ``drop`` (the client sees
  ``httpx.RemoteProtocolError`` and cannot know the request was not applied).
- ``drop``: sent, never answered, not applied; the client gets a transport error that does not
  say whether the request was applied (respx: ``httpx.RemoteProtocolError``; HTTP: the
  connection closes without a complete response).
- ``lose_response``: handled and committed; then the client gets ``httpx.ReadError`` (respx) or a
  connection closed mid-response (HTTP, ``httpx.RemoteProtocolError``).
- ``slow``: handled normally after ``delay_ms`` (the transport sleeps; the sleep is injectable).

Storage operations (``storagePutObject``, ``storageUploadPart``, ``storageGetObject``,
``storageHeadObject``) take the same faults; a ``status`` fault on them answers S3's XML
(``InternalError`` for 500, ``SlowDown`` for 503, ...).

Injected responses are exempt from contract checking (their status may be undocumented); the
request is still checked, whatever the fault.
"""

from __future__ import annotations

import base64
import json as _json
import random as _random
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mockserver.http import JSON_CONTENT_TYPE, MockResponse

__all__ = ["KINDS", "NOT_HANDLED", "RANDOM_KINDS", "Fault", "FaultController", "FaultKind"]

FaultKind = Literal["status", "respond", "refuse", "drop", "lose_response", "slow"]
"""What a fault does: ``status``, ``respond``, ``refuse``, ``drop``, ``lose_response``, ``slow``."""
KINDS: tuple[FaultKind, ...] = ("status", "respond", "refuse", "drop", "lose_response", "slow")
RANDOM_KINDS: tuple[FaultKind, ...] = ("status", "refuse", "drop", "lose_response", "slow")
"""Kinds that :meth:`FaultController.random` can draw (``respond`` needs a whole answer)."""
NOT_HANDLED: frozenset[FaultKind] = frozenset({"status", "respond", "refuse", "drop"})
"""Kinds whose request never reaches the handler (the state is unchanged)."""
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
PROXY_ERROR_BODY = (
    "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n"
    "<center><h1>400 Bad Request</h1></center>\r\n<hr><center>cloudflare</center>\r\n"
    "</body>\r\n</html>\r\n"
)
"""The body of :meth:`FaultController.proxy_error` (155 bytes, as a CDN sends it)."""
_NO_JSON: Any = object()
_REASONS = {
    413: "Request entity too large.",
    429: "Request was throttled.",
    500: "A server error occurred.",
    502: "Bad gateway.",
    503: "Service temporarily unavailable.",
    504: "Gateway timeout.",
}


@dataclass(frozen=True)
class Fault:
    """One injected fault, as decided for one call."""

    kind: FaultKind
    status: int = 503
    retry_after: float | None = None
    delay_ms: int = 0
    body: Any = None
    """JSON body of a ``status`` fault (default ``{"detail": <reason>}``)."""
    raw: bytes = b""
    """Body of a ``respond`` fault."""
    headers: tuple[tuple[str, str], ...] = ()
    """Extra headers of a ``respond`` fault."""
    content_type: str | None = None
    """Content type of a ``respond`` fault (None: no Content-Type header)."""

    @property
    def handled(self) -> bool:
        """Whether the request still reaches the handler under this fault."""
        return self.kind not in NOT_HANDLED

    def response_body(self) -> Any:
        """The JSON body the fake answers with under this fault."""
        if self.body is not None:
            return self.body
        return {"detail": _REASONS.get(self.status, f"Injected fault ({self.status}).")}

    def response_headers(self) -> dict[str, str]:
        """The extra headers of the answer (``Retry-After`` when ``retry_after`` is set)."""
        if self.retry_after is None:
            return {}
        value = self.retry_after
        return {"retry-after": str(int(value)) if float(value).is_integer() else str(value)}

    def response(self) -> MockResponse | None:
        """The injected answer of a ``status`` or ``respond`` fault (None for other kinds)."""
        if self.kind == "status":
            return MockResponse.json_response(
                self.status, self.response_body(), self.response_headers()
            )
        if self.kind == "respond":
            return MockResponse(
                status=self.status,
                raw=self.raw,
                headers=dict(self.headers),
                content_type=self.content_type,
            )
        return None


@dataclass
class _Scripted:
    operation: str
    fault: Fault
    remaining: int


@dataclass
class _Random:
    rate: float
    rng: _random.Random
    kinds: tuple[FaultKind, ...]
    operations: frozenset[str] | None
    statuses: tuple[int, ...]
    retry_after: float | None
    delay_ms: int


@dataclass
class FaultController:
    """Decides, per call, whether and how to misbehave (thread-safe)."""

    latency_ms: int = 0
    _scripted: list[_Scripted] = field(default_factory=list)
    _random: _Random | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _add(self, operation: str, fault: Fault, times: int) -> None:
        if times < 1:
            raise ValueError("times must be >= 1")
        with self._lock:
            self._scripted.append(_Scripted(operation, fault, times))

    def script(
        self,
        operation: str = "*",
        *,
        status: int = 503,
        times: int = 1,
        retry_after: float | None = None,
        body: Any = None,
        kind: FaultKind = "status",
        delay_ms: int = 0,
    ) -> None:
        """The next ``times`` calls of ``operation`` (``"*"`` = any) get this fault."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {KINDS}")
        if kind == "respond":
            raise ValueError("use respond() (or the 'respond' JSON fields) for a whole answer")
        if kind == "status" and not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        fault = Fault(kind, status=status, retry_after=retry_after, delay_ms=delay_ms, body=body)
        self._add(operation, fault, times)

    def respond(
        self,
        operation: str = "*",
        *,
        status: int,
        json: Any = _NO_JSON,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        content_type: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls with exactly this response, without handling them.

        ``json`` (any JSON value; content type ``application/json``) or ``body`` (bytes, or
        text sent as UTF-8; content type ``text/plain; charset=utf-8``) is the body;
        ``content_type`` overrides the content type (e.g. ``application/json`` over a body
        that is not JSON). ``status`` may be any of 100-599, standard or not.
        """
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError("status must be an integer within 100-599")
        if json is not _NO_JSON and body is not None:
            raise ValueError("give json or body, not both")
        if json is not _NO_JSON:
            raw = _json.dumps(json).encode("utf-8")
            ctype: str | None = JSON_CONTENT_TYPE
        elif body is not None:
            raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
            ctype = TEXT_CONTENT_TYPE
        else:
            raw, ctype = b"", None
        pairs = tuple((str(k).lower(), str(v)) for k, v in (headers or {}).items())
        if content_type is not None:
            ctype = content_type
        fault = Fault("respond", status=status, raw=raw, headers=pairs, content_type=ctype)
        self._add(operation, fault, times)

    def proxy_error(self, operation: str = "storagePutObject", *, times: int = 1) -> None:
        """Answer like a CDN in front of the storage: a ~150-byte ``text/html`` 400 with no
        S3 ``<Code>`` (contract §7: transient, to be retried), without handling the request."""
        self.respond(
            operation,
            status=400,
            body=PROXY_ERROR_BODY,
            headers={"server": "cloudflare"},
            content_type="text/html",
            times=times,
        )

    def refuse(self, operation: str = "*", *, times: int = 1) -> None:
        """Refuse the connection: the request is not sent (see the module docstring)."""
        self.script(operation, kind="refuse", times=times)

    def drop(self, operation: str = "*", *, times: int = 1) -> None:
        """Drop the connection before the request is handled (sent, never answered)."""
        self.script(operation, kind="drop", times=times)

    def lose_response(self, operation: str = "*", *, times: int = 1) -> None:
        """Handle and commit the request, then lose the response."""
        self.script(operation, kind="lose_response", times=times)

    def slow(self, operation: str = "*", *, delay_ms: int, times: int = 1) -> None:
        """Answer normally, after ``delay_ms``."""
        self.script(operation, kind="slow", delay_ms=delay_ms, times=times)

    def random(
        self,
        *,
        rate: float,
        seed: int = 0,
        kinds: Iterable[FaultKind] = ("status",),
        operations: Sequence[str] | None = None,
        statuses: Sequence[int] = (500, 502, 503, 429),
        retry_after: float | None = None,
        delay_ms: int = 200,
    ) -> None:
        """Seeded random faults: each call fails with probability ``rate``."""
        kinds = tuple(kinds)
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        if not kinds or any(k not in RANDOM_KINDS for k in kinds):
            raise ValueError(f"kinds must be a non-empty subset of {RANDOM_KINDS}")
        with self._lock:
            self._random = _Random(
                rate=rate,
                rng=_random.Random(seed),
                kinds=kinds,
                operations=frozenset(operations) if operations else None,
                statuses=tuple(statuses),
                retry_after=retry_after,
                delay_ms=delay_ms,
            )

    def clear(self) -> None:
        """Forget scripted and random faults (latency stays)."""
        with self._lock:
            self._scripted.clear()
            self._random = None

    def decide(self, operation_id: str) -> Fault | None:
        """The fault for this call, consuming a scripted one; None to behave."""
        with self._lock:
            for rule in self._scripted:
                if rule.operation in ("*", operation_id) and rule.remaining > 0:
                    rule.remaining -= 1
                    if rule.remaining == 0:
                        self._scripted.remove(rule)
                    return rule.fault
            rnd = self._random
            if rnd is None or (rnd.operations is not None and operation_id not in rnd.operations):
                return None
            if rnd.rng.random() >= rnd.rate:
                return None
            kind = rnd.rng.choice(rnd.kinds)
            return Fault(
                kind,
                status=rnd.rng.choice(rnd.statuses),
                retry_after=rnd.retry_after,
                delay_ms=rnd.delay_ms if kind == "slow" else 0,
            )

    def pending(self) -> list[dict[str, Any]]:
        """Scripted faults not yet used (for ``GET /_mock/state``)."""
        with self._lock:
            return [
                {
                    "operation": r.operation,
                    "kind": r.fault.kind,
                    "status": r.fault.status,
                    "remaining": r.remaining,
                }
                for r in self._scripted
            ]

    def configure(self, payload: Any) -> None:
        """Apply the JSON accepted by ``POST /_mock/faults`` (see module docstring)."""
        items = payload if isinstance(payload, list) else [payload]
        for item in items:
            if not isinstance(item, dict):
                raise ValueError("each fault must be a JSON object")
            if "latency_ms" in item:
                self.latency_ms = _int(item["latency_ms"], "latency_ms")
            if "random" in item:
                spec = item["random"]
                if not isinstance(spec, dict):
                    raise ValueError("'random' must be an object")
                self.random(
                    rate=float(spec.get("rate", 0.1)),
                    seed=_int(spec.get("seed", 0), "seed"),
                    kinds=tuple(spec.get("kinds", ("status",))),
                    operations=spec.get("operations"),
                    statuses=tuple(spec.get("statuses", (500, 502, 503, 429))),
                    retry_after=spec.get("retry_after"),
                    delay_ms=_int(spec.get("delay_ms", 200), "delay_ms"),
                )
            if item.get("kind") == "respond":
                self._configure_respond(item)
            elif item.get("kind") == "proxy_error":
                self.proxy_error(
                    str(item.get("operation", "storagePutObject")),
                    times=_int(item.get("times", 1), "times"),
                )
            elif "kind" in item or "status" in item:
                self.script(
                    str(item.get("operation", "*")),
                    kind=item.get("kind", "status"),
                    status=_int(item.get("status", 503), "status"),
                    times=_int(item.get("times", 1), "times"),
                    retry_after=item.get("retry_after"),
                    delay_ms=_int(item.get("delay_ms", 0), "delay_ms"),
                    body=item.get("body"),
                )

    def _configure_respond(self, item: dict[str, Any]) -> None:
        if "status" not in item:
            raise ValueError("a 'respond' fault needs a 'status'")
        given = [k for k in ("json", "body", "body_base64") if k in item]
        if len(given) > 1:
            raise ValueError(f"give one of 'json', 'body', 'body_base64', not {given}")
        body: bytes | str | None = None
        if "body" in item:
            if not isinstance(item["body"], str):
                raise ValueError("'body' of a 'respond' fault must be a string (or use 'json')")
            body = item["body"]
        elif "body_base64" in item:
            try:
                body = base64.b64decode(str(item["body_base64"]), validate=True)
            except ValueError as exc:
                raise ValueError(f"'body_base64' is not base64: {exc}") from None
        headers = item.get("headers") or {}
        if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise ValueError("'headers' must be an object of strings")
        content_type = item.get("content_type")
        if content_type is not None and not isinstance(content_type, str):
            raise ValueError("'content_type' must be a string")
        self.respond(
            str(item.get("operation", "*")),
            status=_int(item["status"], "status"),
            json=item.get("json", _NO_JSON),
            body=body,
            headers=headers,
            content_type=content_type,
            times=_int(item.get("times", 1), "times"),
        )


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name!r} must be an integer")
    return value
