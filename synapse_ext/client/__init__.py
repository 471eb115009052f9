"""The typed clients: ``SynapseClient`` (blocking) and ``AsyncSynapseClient`` (asyncio).

Both return the generated attrs models and retry what is safe to retry (:class:`RetryPolicy`).
"""

from ._clients import AsyncSynapseClient, SynapseClient

__all__ = ["AsyncSynapseClient", "SynapseClient"]
