"""Fault injection: reproduce production's bad days on demand.

From Python (``handle.faults``)::

    faults.script("createDataUnits", status=429, times=2, retry_after=1)  # next 2 calls → 429
    faults.script("*", status=503)               # the next call of any operation → 503
    faults.drop("uploadChunk")                   # connection dropped before handling
    faults.lose_response("completeChunkedUpload")  # handled and committed, response lost
    faults.slow("listDataUnits", delay_ms=500)   # answered after a delay
    faults.random(rate=0.2, seed=7, kinds=("status", "drop"), operations=["uploadChunk"])
    faults.latency_ms = 20                       # fixed extra latency on every API response
    faults.clear()                               # forget scripted and random faults

Over HTTP (both transports): ``POST /_mock/faults`` with one object or a list of objects::

    {"operation": "createDataUnits", "kind": "status", "status": 429, "times": 2,
     "retry_after": 1}
    {"operation": "uploadChunk", "kind": "drop"}          # kinds: status, drop,
    {"kind": "slow", "delay_ms": 300}                     #   lose_response, slow
    {"random": {"rate": 0.1, "seed": 3, "kinds": ["status"], "statuses": [500, 503]}}
    {"latency_ms": 25}

and ``DELETE /_mock/faults`` to clear. What a client observes:

- ``status``: the request is not handled (state unchanged); the answer is the status with a
  JSON ``{"detail": ...}`` body and, when given, a ``Retry-After`` header.
- ``drop``: not handled; the client gets a transport error (respx: ``httpx.RemoteProtocolError``;
  HTTP: the connection closes without a complete response).
- ``lose_response``: handled and committed; then the client gets ``httpx.ReadError`` (respx) or a
  connection closed mid-response (HTTP, ``httpx.RemoteProtocolError``).
- ``slow``: handled normally after ``delay_ms`` (the transport sleeps; the sleep is injectable).

Injected responses are exempt from contract checking (their status may be undocumented).
"""

from __future__ import annotations

import random as _random
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Fault", "FaultController", "FaultKind"]

FaultKind = Literal["status", "drop", "lose_response", "slow"]
KINDS: tuple[FaultKind, ...] = ("status", "drop", "lose_response", "slow")
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

    def response_body(self) -> Any:
        if self.body is not None:
            return self.body
        return {"detail": _REASONS.get(self.status, f"Injected fault ({self.status}).")}

    def response_headers(self) -> dict[str, str]:
        if self.retry_after is None:
            return {}
        value = self.retry_after
        return {"retry-after": str(int(value)) if float(value).is_integer() else str(value)}


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
        if times < 1:
            raise ValueError("times must be >= 1")
        if kind == "status" and not 400 <= status <= 599:
            raise ValueError("status must be an HTTP error status (400-599)")
        fault = Fault(kind, status=status, retry_after=retry_after, delay_ms=delay_ms, body=body)
        with self._lock:
            self._scripted.append(_Scripted(operation, fault, times))

    def drop(self, operation: str = "*", *, times: int = 1) -> None:
        """Drop the connection before the request is handled."""
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
        if not kinds or any(k not in KINDS for k in kinds):
            raise ValueError(f"kinds must be a non-empty subset of {KINDS}")
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
            if "kind" in item or "status" in item:
                self.script(
                    str(item.get("operation", "*")),
                    kind=item.get("kind", "status"),
                    status=_int(item.get("status", 503), "status"),
                    times=_int(item.get("times", 1), "times"),
                    retry_after=item.get("retry_after"),
                    delay_ms=_int(item.get("delay_ms", 0), "delay_ms"),
                    body=item.get("body"),
                )


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name!r} must be an integer")
    return value
