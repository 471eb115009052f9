"""The sans-I/O core: intents, and the small flows every other flow is built from.

A *flow* is a generator that yields intents (:class:`Call`, :class:`Sleep`, :class:`Blocking`,
:class:`Parallel`, :class:`Emit`) and receives each intent's answer; it returns its result.
The sync and async drivers (``synapse_ext.client._drivers``) only perform intents. Nothing
here does I/O.
"""

from .bisect import Rejection, bisected
from .concurrency import AdaptiveLimit, ConcurrencyStats, Signal, signal_of
from .intents import Blocking, Call, Emit, Flow, Intent, Pages, Parallel, Sleep
from .retry import (
    SAFE,
    STORAGE,
    UNSAFE,
    UNSAFE_BATCH,
    Again,
    Failure,
    Handler,
    Kind,
    give_up,
    raise_failure,
    retry_loop,
    retrying,
)
from .steps import PageCursor, PageTokens, batched, blocking, drain, watching

__all__ = [
    "SAFE",
    "STORAGE",
    "UNSAFE",
    "UNSAFE_BATCH",
    "AdaptiveLimit",
    "Again",
    "Blocking",
    "Call",
    "ConcurrencyStats",
    "Emit",
    "Failure",
    "Flow",
    "Handler",
    "Intent",
    "Kind",
    "PageCursor",
    "PageTokens",
    "Pages",
    "Parallel",
    "Rejection",
    "Signal",
    "Sleep",
    "batched",
    "bisected",
    "blocking",
    "drain",
    "give_up",
    "raise_failure",
    "retry_loop",
    "retrying",
    "signal_of",
    "watching",
]
