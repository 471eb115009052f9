"""A client library for accessing Synapse data-collection API (v1)"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
