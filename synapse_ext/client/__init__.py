"""The typed clients: ``SynapseClient`` (blocking) and ``AsyncSynapseClient`` (asyncio).

Both return the generated attrs models and retry what is safe to retry (:class:`RetryPolicy`);
v2 lists answer a :class:`CursorPage`.
"""

from ._clients import AsyncSynapseClient, SynapseClient
from .pages import CursorPage

__all__ = ["AsyncSynapseClient", "CursorPage", "SynapseClient"]
