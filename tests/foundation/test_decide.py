"""The one classifier (``RetryPolicy.decide``): each failure and kind of request → one decision.

The table below is the table of ``synapse_ext/policy.py``'s docstring; every flow that
retries asks this method (tests/ext/test_decide_flows.py checks that they do).
"""

from __future__ import annotations

import pytest

from synapse_ext.errors import (
    ClientError,
    NotFoundError,
    PresignedUrlExpiredError,
    ProtocolError,
    RateLimitError,
    RequestNotSentError,
    ResponseLostError,
    ServerError,
    StorageError,
    UnexpectedStatusError,
    ValidationError,
)
from synapse_ext.policy import DEFAULT_RETRY, UNIT_BATCH_RETRY, Decision, RetryPolicy

R, C, S, F = Decision.RETRY, Decision.RECONCILE, Decision.SPLIT, Decision.FAIL

# failure: (safe, unsafe, unsafe batch, storage PUT)
TABLE: list[tuple[str, ClientError, tuple[Decision, Decision, Decision, Decision]]] = [
    ("not sent", RequestNotSentError("refused"), (R, R, R, R)),
    ("answer lost", ResponseLostError("reset"), (R, C, C, R)),
    ("408", ClientError(408, "timeout"), (R, R, R, R)),
    ("425", ClientError(425, "too early"), (R, R, R, R)),
    ("429", RateLimitError(429, "slow down"), (R, R, R, R)),
    ("503", ServerError(503, "unavailable"), (R, R, R, R)),
    ("500", ServerError(500, "boom"), (R, C, C, R)),
    ("502", ServerError(502, "bad gateway"), (R, C, C, R)),
    ("504", ServerError(504, "gateway timeout"), (R, C, C, R)),
    ("501", ServerError(501, "not implemented"), (F, F, F, R)),
    ("400", ValidationError(400, "bad"), (F, F, S, F)),
    ("422", ValidationError(422, "bad"), (F, F, S, F)),
    ("404", NotFoundError(404, "gone"), (F, F, F, F)),
    ("409", UnexpectedStatusError(409, "conflict"), (F, F, F, F)),
    ("unreadable answer", ProtocolError(None, "not JSON"), (F, F, F, R)),
    ("storage 400 with a Code", StorageError(400, "InvalidDigest", "bad"), (F, F, S, F)),
    ("storage 403 with a Code", StorageError(403, "AccessDenied", "no"), (F, F, F, F)),
    ("proxy 400 without a Code", StorageError(400, None, "<html>"), (F, F, S, R)),
    ("expired URL", PresignedUrlExpiredError(403, "AccessDenied", "expired"), (F, F, F, F)),
]
KINDS = {
    "safe": {"safe": True},
    "unsafe": {"safe": False},
    "unsafe batch": {"safe": False, "splittable": True},
    "storage PUT": {"storage": True},
}


@pytest.mark.parametrize(("failure", "error", "expected"), TABLE, ids=[t[0] for t in TABLE])
@pytest.mark.parametrize("kind", list(KINDS))
def test_each_failure_and_kind_has_one_decision(
    failure: str, error: ClientError, expected: tuple[Decision, ...], kind: str
) -> None:
    wanted = expected[list(KINDS).index(kind)]
    assert DEFAULT_RETRY.decide(error, **KINDS[kind]) is wanted
    assert UNIT_BATCH_RETRY.decide(error, **KINDS[kind]) is wanted  # same rules, fewer attempts


def test_is_retryable_is_the_retry_decision() -> None:
    for _, error, (safe, unsafe, _batch, _storage) in TABLE:
        assert DEFAULT_RETRY.is_retryable(error) is (safe is R)
        assert DEFAULT_RETRY.is_retryable(error, safe=False) is (unsafe is R)


def test_configured_statuses_move_the_decision() -> None:
    strict = RetryPolicy(retry_statuses=frozenset({429}), unsafe_retry_statuses=frozenset())
    assert strict.decide(ServerError(500, "x")) is F
    assert strict.decide(RateLimitError(429, "x"), safe=False) is F
    generous = RetryPolicy(unsafe_retry_statuses=frozenset({429, 500, 503}))
    assert generous.decide(ServerError(500, "x"), safe=False) is R
    assert (
        RetryPolicy(maybe_applied_statuses=frozenset()).decide(ServerError(502, "x"), safe=False)
        is F
    )
