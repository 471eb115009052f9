"""Hand-written layer over the generated Synapse client.

Typed clients (``SynapseClient``, ``AsyncSynapseClient``) return the generated attrs models;
``BackendClient`` mirrors the product documentation and returns plain dicts and lists.
``organize`` turns a folder (or an fsspec URL such as ``s3://bucket/prefix``) into groups;
``upload_data_collection`` ingests them.
"""

import warnings as _warnings
from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version
from typing import Any as _Any

from .client import AsyncSynapseClient, CursorPage, SynapseClient, UploadFileSpec
from .compat import BackendClient, SeedCompatError
from .dataset import (
    OrganizedGroup,
    OrganizeIssue,
    OrganizeReport,
    OrganizeResult,
    Reason,
    organize,
    validate_files_against_collection,
)
from .distributed import ClientSettings, ShardedExecutor
from .errors import (
    AuthenticationError,
    AuthorizationError,
    ClientError,
    DataFileUnconfirmedError,
    FinalizeRejectedError,
    NoResponseError,
    NotFoundError,
    PresignedUrlExpiredError,
    ProtocolError,
    RateLimitError,
    RequestNotSentError,
    ResponseLostError,
    ServerError,
    StorageError,
    SynapseError,
    UnexpectedStatusError,
    UploadPlanError,
    ValidationError,
)
from .ingest import (
    DEFAULT_JOURNAL,
    ConcurrencyStats,
    FailureReason,
    IngestFailure,
    IngestResult,
    IngestSettings,
    Journal,
    aupload_data_collection,
    default_journal_path,
    forget_ingestion,
    upload_data_collection,
)
from .policy import RetryPolicy
from .progress import (
    CallbackProgress,
    NullProgress,
    ProgressEvent,
    ProgressReporter,
    ProgressTask,
    TqdmProgress,
)
from .sources import SourceError, SourcePath, SourceUnreachableError, parse_source_options
from .upload import (
    EmptyFileError,
    FileChangedError,
    FileKey,
    FinalizedFile,
    MemoryResumeStore,
    ResumePoint,
    ResumeStore,
    StoredFile,
)
from .upload._chunked import chunk_plan as _chunk_plan
from .upload._chunked import content_range as _content_range

try:
    __version__ = _version("synapse-dc")
    """The installed distribution's version (``synapse-dc``)."""
except _PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "DEFAULT_JOURNAL",
    "AsyncSynapseClient",
    "AuthenticationError",
    "AuthorizationError",
    "BackendClient",
    "CallbackProgress",
    "ClientError",
    "ClientSettings",
    "ConcurrencyStats",
    "CursorPage",
    "DataFileUnconfirmedError",
    "EmptyFileError",
    "FailureReason",
    "FileChangedError",
    "FileKey",
    "FinalizeRejectedError",
    "FinalizedFile",
    "IngestFailure",
    "IngestResult",
    "IngestSettings",
    "Journal",
    "MemoryResumeStore",
    "NoResponseError",
    "NotFoundError",
    "NullProgress",
    "OrganizeIssue",
    "OrganizeReport",
    "OrganizeResult",
    "OrganizedGroup",
    "PresignedUrlExpiredError",
    "ProgressEvent",
    "ProgressReporter",
    "ProgressTask",
    "ProtocolError",
    "RateLimitError",
    "Reason",
    "RequestNotSentError",
    "ResponseLostError",
    "ResumePoint",
    "ResumeStore",
    "RetryPolicy",
    "SeedCompatError",
    "ServerError",
    "ShardedExecutor",
    "SourceError",
    "SourcePath",
    "SourceUnreachableError",
    "StorageError",
    "StoredFile",
    "SynapseClient",
    "SynapseError",
    "TqdmProgress",
    "UnexpectedStatusError",
    "UploadFileSpec",
    "UploadPlanError",
    "ValidationError",
    "aupload_data_collection",
    "default_journal_path",
    "forget_ingestion",
    "organize",
    "parse_source_options",
    "upload_data_collection",
    "validate_files_against_collection",
]


def _unit_batch_policy(
    max_attempts: int = 3, base: float = 0.5, retry_after_cap: float = 60.0
) -> RetryPolicy:
    return RetryPolicy(max_attempts=max_attempts, base=base, retry_after_cap=retry_after_cap)


# Former names, importable for one release (each warns once it is used).
_DEPRECATED: dict[str, tuple[_Any, str]] = {
    "ClientConnectionError": (RequestNotSentError, "RequestNotSentError"),
    "HTTPError": (UnexpectedStatusError, "UnexpectedStatusError"),
    "UnitBatchPolicy": (_unit_batch_policy, "RetryPolicy(max_attempts=3)"),
    "chunk_plan": (_chunk_plan, "an engine helper; no replacement is exported"),
    "content_range": (_content_range, "an engine helper; no replacement is exported"),
}


def __getattr__(name: str) -> _Any:
    if name in _DEPRECATED:
        value, instead = _DEPRECATED[name]
        _warnings.warn(
            f"synapse_ext.{name} is deprecated ({instead})", DeprecationWarning, stacklevel=2
        )
        return value
    raise AttributeError(f"module 'synapse_ext' has no attribute {name!r}")
