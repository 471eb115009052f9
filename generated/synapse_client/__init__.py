"""A client library for accessing Synapse data-collection API (v1 and v2)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
