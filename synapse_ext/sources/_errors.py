"""Errors of sources: one clear line each, never an option's value (it may be a secret)."""

from __future__ import annotations

from .._root_error import SynapseError

__all__ = ["SourceError", "SourceUnreachableError", "source_failure"]

_EXTRAS = {
    "s3": "s3",
    "s3a": "s3",
    "gs": "gcs",
    "gcs": "gcs",
    "az": "azure",
    "abfs": "azure",
    "abfss": "azure",
    "adl": "azure",
}


class SourceError(SynapseError, ValueError):
    """A source that cannot be used as given: unknown scheme, missing backend extra, no such
    bucket or prefix, access refused (check the credentials)."""


class SourceUnreachableError(SourceError):
    """The source's store could not be reached (endpoint, network) or failed."""


def missing_extra(protocol: str, error: ImportError) -> SourceError:
    """The error for a URL whose fsspec backend is not installed, with the install command."""
    extra = _EXTRAS.get(protocol)
    how = f"pip install 'synapse-dc[{extra}]'" if extra else f"install the fsspec backend ({error})"
    return SourceError(f"{protocol}:// sources need an extra that is not installed: {how}")


def source_failure(url: str, error: BaseException) -> SourceError:
    """The :class:`SourceError` for ``error`` raised while listing or reading ``url``."""
    if isinstance(error, SourceError):
        return error
    detail = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
    if isinstance(error, FileNotFoundError):
        return SourceError(f"{url}: no such bucket, folder or prefix ({detail})")
    if isinstance(error, PermissionError) or "credential" in type(error).__name__.lower():
        return SourceError(
            f"{url}: access refused ({detail}); check the store's credentials "
            "(its standard environment or --source-option)"
        )
    if isinstance(error, NotADirectoryError):
        return SourceError(f"{url}: not a folder or prefix")
    return SourceUnreachableError(
        f"{url}: cannot reach the source ({type(error).__name__}: {detail}); "
        "check the endpoint (--source-option endpoint_url=...) and the network"
    )
