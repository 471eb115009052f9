"""One recovery of a finalize (v2 ``finalize-upload``) or confirm (v1 ``confirm_upload/``)
whose answer is unclear: a pure flow.

Finalize can complete after the client gave up (contract §7: 6.6-16.2 s later in
production), so an answer that was lost, or a 5xx or 429 that came instead of one, does not
say whether the data files exist. The checksums are asked for (``held``), polled a few times
(:func:`~synapse_ext.upload._presigned.poll_after_lost_finalize`), and the files the polls
never find are sent again, up to the policy's ``max_attempts`` sends in all, when a resend is
known to be harmless (``resend``; see ``docs/decisions.md``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from enum import Enum
from typing import TypeVar

from .._flow import Flow
from ..errors import ClientError
from ..policy import Decision, RetryPolicy, Uniform
from ._presigned import StoredFile, poll_after_lost_finalize

__all__ = ["Found", "finalize_recovering"]

logger = logging.getLogger("synapse_ext")
V = TypeVar("V")


class Found(Enum):
    """A file the server holds, found by its checksum after an unclear answer (who made its
    data file, and its id, are unknown)."""

    HELD = "held"


def finalize_recovering(
    stored: Sequence[StoredFile],
    send: Callable[[list[StoredFile]], Flow[dict[str, V]]],
    held: Callable[[list[str]], Flow[set[str]]],
    policy: RetryPolicy,
    uniform: Uniform,
    *,
    resend: bool = True,
) -> Flow[dict[str, V | Found | ClientError]]:
    """Finalize (or confirm) ``stored``; file key → what the answer said of it (``send``'s
    verdict), :attr:`Found.HELD`, or the error that leaves it not finalized.

    ``send(files)`` sends one finalize of ``files`` and returns its verdicts by file key (it
    raises the request's ``ClientError``); ``held(checksums)`` says which of them the server
    holds. A refusal (the policy's FAIL for an unsafe request: a 4xx) applied nothing: every
    file fails with it. Any other error (a lost answer, a 5xx, a 429 after the call's own
    retries: applied or not, nothing tells) is followed by polls; the files they find are
    :attr:`Found.HELD`, and, with ``resend``, those they never find are sent again (at most
    ``policy.max_attempts`` sends in all), since they were not applied yet.
    """
    out: dict[str, V | Found | ClientError] = {}
    todo = list(stored)
    sends = 0
    while True:
        sends += 1
        try:
            answered = yield from send(todo)
        except ClientError as error:
            if policy.decide(error, safe=False) is Decision.FAIL:
                out.update(dict.fromkeys((s.file_key for s in todo), error))
                return out
            missing = yield from _polled(todo, held, policy, uniform)
            out.update({s.file_key: Found.HELD for s in todo if s.checksum not in missing})
            todo = [s for s in todo if s.checksum in missing]
            if todo and resend and sends < policy.max_attempts:
                logger.info("finalize: %d files still unknown after polling: sent again", len(todo))
                continue
            out.update(dict.fromkeys((s.file_key for s in todo), error))
            return out
        out.update(answered)
        return out


def _polled(
    files: Sequence[StoredFile],
    held: Callable[[list[str]], Flow[set[str]]],
    policy: RetryPolicy,
    uniform: Uniform,
) -> Flow[set[str]]:
    """The checksums of ``files`` the polls never found."""
    missing = list(dict.fromkeys(s.checksum for s in files))

    def all_held() -> Flow[bool | None]:
        found = yield from held(missing)
        missing[:] = [c for c in missing if c not in found]
        return True if not missing else None

    yield from poll_after_lost_finalize(all_held, policy, uniform)
    return set(missing)
