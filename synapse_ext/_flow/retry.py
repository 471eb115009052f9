"""The one retry loop: every flow that retries a request runs it. Pure.

:func:`retry_loop` sends an attempt (an ``Op``, or a flow that sends one), asks
:meth:`RetryPolicy.decide <synapse_ext.policy.RetryPolicy.decide>` with the request's
:class:`Kind`, counts attempts, waits through ``Sleep`` (``Retry-After`` first:
:meth:`RetryPolicy.delay <synapse_ext.policy.RetryPolicy.delay>`) and logs one line per retry
(the label and the status: never a URL or a header). It owns the one attempt counter. What it
cannot know belongs to the flow, which says it through two values:

* the **handler** gets every failure the policy does not answer RETRY (a :class:`Failure`:
  RECONCILE, SPLIT, FAIL). It is a flow: it may ask the server (a checksum, an offset, a
  listing), then return the loop's result, return :class:`Again` (send once more: one
  attempt of the budget), or raise. The default raises the error.
* the **attempt** itself may return :class:`Again` too: an answer that succeeded only in part
  (a batch whose answer lacks some items) is sent again for the rest.

When no attempt is left (after a RETRY or an ``Again``) the loop calls ``exhausted`` with the
last reason; the default raises it. A RECONCILE always reaches the handler, on the last
attempt too: only the server can say which outcome to report.

Worked example, a unit batch (``POST data_units/``: unsafe, splittable), which splits a
rejected batch, reconciles a maybe-applied one and resends the units an answer left out::

    pending = list(batch)

    def send() -> Flow[ClientError | Again | None]:
        answer = yield Call(ops.new_units(pending))
        if isinstance(answer, ClientError):
            return answer
        pending[:] = missing_from(answer, pending)
        return Again("answer incomplete", wait=False) if pending else None

    def handle(failure: Failure) -> Flow[Again | None]:
        if failure.decision is Decision.SPLIT and len(pending) > 1:
            half = len(pending) // 2
            yield from unit_batch(pending[:half])
            yield from unit_batch(pending[half:])
            return None
        if failure.decision is Decision.RECONCILE:
            held = yield from list_units()          # what the server holds
            pending[:] = [u for u in pending if u not in held]
            return Again(failure.error) if pending else None
        report(pending, failure.error)              # FAIL (or a SPLIT of one unit)
        return None

    yield from retry_loop(
        send, policy, uniform, kind=UNSAFE_BATCH, label="data_units",
        handle=handle, exhausted=lambda reason: report(pending, reason),
    )

``tests/ext/test_retry_loop.py`` runs this example against a scripted server.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

import attrs

from ..errors import ClientError, ProtocolError
from ..policy import Decision, RetryPolicy, Uniform
from .intents import Call, Flow, Sleep

if TYPE_CHECKING:
    from .._wire.call import Op

__all__ = [
    "SAFE",
    "STORAGE",
    "UNSAFE",
    "UNSAFE_BATCH",
    "Again",
    "Failure",
    "Handler",
    "Kind",
    "give_up",
    "raise_failure",
    "retry_loop",
    "retrying",
]

logger = logging.getLogger("synapse_ext")
T = TypeVar("T")


@attrs.frozen
class Kind:
    """What the policy must know of a request (the columns of its table)."""

    safe: bool = True
    """Applying it twice cannot harm (reads, idempotent writes)."""
    splittable: bool = False
    """A batch whose rejected items can be isolated (a 400/422 is SPLIT)."""
    storage: bool = False
    """A PUT to a presigned object-storage URL."""

    @classmethod
    def of(cls, op: Op[Any]) -> Kind:
        """The kind an ``Op`` declares (``safe``; a storage PUT is ``storage``)."""
        return cls(safe=op.safe, storage=op.storage)


SAFE = Kind()
UNSAFE = Kind(safe=False)
UNSAFE_BATCH = Kind(safe=False, splittable=True)
STORAGE = Kind(storage=True)


@attrs.frozen
class Again:
    """Send once more (one attempt of the loop's budget)."""

    reason: ClientError | str
    """Why: logged, and handed to ``exhausted`` when no attempt is left."""
    wait: bool = True
    """Wait first: the policy's delay after ``reason`` (a ClientError); a text reason or
    ``False`` resends at once (nothing refused it, or the flow waited already)."""


@attrs.frozen
class Failure:
    """A failed attempt the policy did not answer RETRY, handed to the flow's handler."""

    error: ClientError
    decision: Decision
    """RECONCILE, SPLIT or FAIL."""
    attempt: int
    """The failed attempt, 0-based."""


Handler: TypeAlias = Callable[[Failure], Flow[T | Again]]
"""What a flow does with a :class:`Failure`: return the result, :class:`Again`, or raise."""
Attempt: TypeAlias = Callable[[], Flow[T | ClientError | Again]]
"""One attempt: a flow returning the value, the ClientError it met, or :class:`Again`."""


def raise_failure(failure: Failure) -> Flow[Any]:
    """The default handler: raise the error."""
    raise failure.error
    yield  # pragma: no cover - a generator


def give_up(reason: ClientError | str) -> Any:
    """The default ``exhausted``: raise the last error (a text reason as a ProtocolError)."""
    if isinstance(reason, ClientError):
        raise reason
    raise ProtocolError(None, reason)


def _call(op: Op[T]) -> Flow[T | ClientError]:
    return (yield Call(op))  # type: ignore[no-any-return]


def _what(reason: ClientError | str) -> str:
    """A failure for a log line: its status, or its kind; never a URL, header or body."""
    if isinstance(reason, str):
        return reason
    if reason.status_code is not None:
        return str(reason.status_code)
    return type(reason).__name__


def retry_loop(
    send: Op[T] | Attempt[T],
    policy: RetryPolicy,
    uniform: Uniform,
    *,
    kind: Kind | None = None,
    label: str | None = None,
    handle: Handler[T] = raise_failure,
    exhausted: Callable[[ClientError | str], T] = give_up,
    attempts: int | None = None,
) -> Flow[T]:
    """Send ``send`` until it succeeds, a handler ends it, or no attempt is left.

    ``send`` is an ``Op`` (sent as it is; ``kind`` and ``label`` default to its own) or an
    :data:`Attempt` (a function making the flow of one attempt, called afresh for each;
    ``kind`` and ``label`` are then required). RETRY waits and resends within
    ``policy.max_attempts``; every other decision goes to ``handle``; an :class:`Again` is
    honoured within ``attempts`` (default ``policy.max_attempts``) on the same counter.
    """
    if callable(send):
        attempt_flow: Attempt[T] = send
        if kind is None or label is None:
            raise TypeError("retry_loop of an attempt flow needs kind= and label=")
    else:
        op = send
        attempt_flow = lambda: _call(op)  # noqa: E731
        kind = Kind.of(op) if kind is None else kind
        label = op.name if label is None else label
    budget = policy.max_attempts if attempts is None else attempts
    attempt = 0
    while True:
        answer = yield from attempt_flow()
        if isinstance(answer, ClientError):
            decision = policy.decide(
                answer, safe=kind.safe, splittable=kind.splittable, storage=kind.storage
            )
            if decision is Decision.RETRY:
                if attempt + 1 >= policy.max_attempts:
                    return exhausted(answer)
                again = Again(answer)
            else:
                handled = yield from handle(Failure(answer, decision, attempt))
                if not isinstance(handled, Again):
                    return handled
                again = handled
        elif isinstance(answer, Again):
            again = answer
        else:
            return answer
        if attempt + 1 >= budget:
            return exhausted(again.reason)
        reason = again.reason
        if again.wait and isinstance(reason, ClientError):
            delay = policy.delay(reason, attempt, uniform)
            logger.warning(
                "retrying %s after %s (attempt %d), sleeping %.2fs",
                label, _what(reason), attempt + 1, delay,
            )  # fmt: skip
            yield Sleep(delay)
        else:
            logger.warning("retrying %s after %s (attempt %d)", label, _what(reason), attempt + 1)
        attempt += 1


def retrying(op: Op[T], policy: RetryPolicy, uniform: Uniform) -> Flow[T]:
    """Send ``op`` until it succeeds or ``policy`` gives up (then its error is raised).

    Each attempt rebuilds the request. ``op.safe`` says whether resending can apply it twice;
    a maybe-applied failure of an unsafe ``op`` is raised (nothing here can reconcile it).
    """
    return retry_loop(op, policy, uniform)
