"""Shared pieces of the reliability suite: generous retry policies and a state snapshot."""

from __future__ import annotations

from typing import Any

from synapse_ext import RetryPolicy

TOKEN = "soak-Tok3n-7f1c9e2a-do-not-leak"
"""A distinctive token: searched for in everything a soak run writes."""

# Every operation may fail 20% of the time: 12 attempts make a give-up ~0.2**12 rare.
SOAK_RETRY = RetryPolicy(
    max_attempts=12,
    base=0.001,
    cap=0.01,
    retry_after_cap=0.01,
    retry_statuses=frozenset({408, 425, 429, 500, 502, 503, 504}),
)
SOAK_UNITS = RetryPolicy(max_attempts=12, base=0.001, retry_after_cap=0.01)


def no_sleep(seconds: float) -> None:
    """Injected sleep: retries and Retry-After waits cost nothing in tests."""


def counters(handle: Any) -> dict[str, Any]:
    """What must not change when a request is rejected: counts and stored checksums."""
    state = handle.state()  # one snapshot, taken by the backend under its lock
    return {
        "counts": state["counts"],
        "checksums": state["checksum_counts"],
        "uploads": {u["id"]: u["offset"] for u in state["chunked_uploads"]},
    }
