"""The root of every error the library raises (public as ``synapse_ext.SynapseError``).

A leaf module that imports nothing, so that every layer (``sources/`` included, which
imports nothing else of ``synapse_ext``) can derive its errors from it.
"""

__all__ = ["SynapseError"]


class SynapseError(Exception):
    """Base of every error ``synapse_ext`` raises: ``except SynapseError`` catches them all.

    Errors that were builtin errors before keep that base too (``SourceError`` is a
    ``ValueError``, ``FileChangedError`` an ``OSError``, ...): ``except ValueError`` still
    catches what it caught. Invalid arguments raise plain ``ValueError``/``TypeError``.
    """
