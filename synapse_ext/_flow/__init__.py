"""The sans-I/O core: intents, and the small flows every other flow is built from.

A *flow* is a generator that yields intents (:class:`Call`, :class:`Sleep`, :class:`Blocking`,
:class:`Parallel`, :class:`Emit`) and receives each intent's answer; it returns its result.
The sync and async drivers (``synapse_ext.client._drivers``) only perform intents. Nothing
here does I/O.
"""

from .intents import Blocking, Call, Emit, Flow, Intent, Pages, Parallel, Sleep
from .steps import PageCursor, batched, blocking, drain, retrying, watching

__all__ = [
    "Blocking",
    "Call",
    "Emit",
    "Flow",
    "Intent",
    "PageCursor",
    "Pages",
    "Parallel",
    "Sleep",
    "batched",
    "blocking",
    "drain",
    "retrying",
    "watching",
]
