"""Creating a data file without ever applying it twice: a pure flow.

``POST data_files/`` is not idempotent. The flow retries it only on answers that say it was
not processed (the policy's unsafe statuses, a request that was never sent). When the outcome
is unknown (a lost response, a 500/502/504 that can follow a commit) it asks the server with
``verify_checksums`` before anything else: if the server holds the content the upload is
never sent again (``DataFileUnconfirmedError``: stored, id unknown); if not, resending is safe.
One attempt counter (the retry loop's) covers both cases, so the POST is sent at most
``max_attempts`` times; a policy of one attempt still gets the one check-and-resend.
"""

from __future__ import annotations

import logging

from synapse_client.models import DataFile

from .._flow import Again, Failure, Flow, blocking, retry_loop, retrying
from .._wire import operations as ops
from .._wire.call import Op
from ..errors import DataFileUnconfirmedError
from ..policy import Decision, RetryPolicy, Uniform
from ..sources import FileRef
from ._files import file_md5

__all__ = ["create_data_file_flow"]

logger = logging.getLogger("synapse_ext")


def create_data_file_flow(
    op: Op[DataFile], path: FileRef, md5: str | None, policy: RetryPolicy, uniform: Uniform
) -> Flow[DataFile]:
    """Send ``op`` (a ``create_data_file`` of ``path``) exactly once in effect."""
    checksum = md5

    def reconcile(failure: Failure) -> Flow[DataFile | Again]:
        nonlocal checksum
        if failure.decision is not Decision.RECONCILE:
            raise failure.error
        if checksum is None:
            checksum = yield from blocking(file_md5, path)
        existing = yield from retrying(ops.verify_checksums([checksum]), policy, uniform)
        if checksum in existing:
            # The server applied the POST: never send the content again.
            logger.warning("data_files/ response lost for %s; the server has it", path.name)
            raise DataFileUnconfirmedError(path.name, checksum) from failure.error
        # Not applied (the server commits before it answers): sending again is safe.
        logger.warning("data_files/ lost for %s; not applied", path.name)
        return Again(failure.error)

    # A lost answer always gets one check-and-resend, even with a policy of one attempt.
    attempts = max(2, policy.max_attempts)
    return (yield from retry_loop(op, policy, uniform, handle=reconcile, attempts=attempts))
