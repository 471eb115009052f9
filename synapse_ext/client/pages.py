"""``CursorPage``: one page of a v2 list; its public home (defined beside the operations
that build it, in ``synapse_ext._wire.pages``, since the wire layer sits below the client)."""

from __future__ import annotations

from .._wire.pages import CursorPage

__all__ = ["CursorPage"]
