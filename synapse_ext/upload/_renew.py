"""Presigned URLs that expired before their upload: asked for again, ``URL_RENEWALS`` times
at most (a pure flow; one rule for single files and for batches)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from .._flow import Flow
from ..errors import PresignedUrlExpiredError

__all__ = ["URL_RENEWALS", "renewing"]

logger = logging.getLogger("synapse_ext")
F = TypeVar("F")
R = TypeVar("R")

URL_RENEWALS = 1
"""New URLs asked for a file whose URL expired, at most (``docs/decisions.md``)."""


def renewing(files: list[F], store: Callable[[list[F]], Flow[list[R]]]) -> Flow[list[R]]:
    """``store(files)``, then ``store`` again for the files whose outcome is a
    :class:`~synapse_ext.errors.PresignedUrlExpiredError`, ``URL_RENEWALS`` times at most;
    one outcome per file, in order (the last one for a file stored more than once).

    ``store(some)`` asks the server for fresh URLs for ``some`` and PUTs them: one outcome
    each, in order (what was stored, or the error).
    """
    outcomes = list((yield from store(files)))
    for _ in range(URL_RENEWALS):
        expired = [i for i, r in enumerate(outcomes) if isinstance(r, PresignedUrlExpiredError)]
        if not expired:
            break
        logger.info("%d presigned URLs expired before their upload: asking again", len(expired))
        again = yield from store([files[i] for i in expired])
        for i, outcome in zip(expired, again, strict=True):
            outcomes[i] = outcome
    return outcomes
