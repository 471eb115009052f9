"""The typed clients: ``SynapseClient`` (blocking) and ``AsyncSynapseClient`` (asyncio).

Both return the generated attrs models and retry what is safe to retry (:class:`RetryPolicy`);
v2 lists answer a :class:`CursorPage`; files to announce for presigned uploads are
:data:`UploadFileSpec`.
"""

from ._api_v2 import UploadFileSpec
from ._clients import AsyncSynapseClient, SynapseClient
from .pages import CursorPage

__all__ = ["AsyncSynapseClient", "CursorPage", "SynapseClient", "UploadFileSpec"]
