"""Hand-written layer over the generated Synapse client.

Typed clients (``SynapseClient``, ``AsyncSynapseClient``) return the generated attrs models;
``BackendClient`` mirrors the product documentation and returns plain dicts and lists.
"""

from ._files import EmptyFileError
from .async_client import AsyncSynapseClient
from .backend_client import BackendClient
from .chunking import ResumePoint, chunk_plan, content_range
from .client import SynapseClient
from .errors import (
    AuthenticationError,
    AuthorizationError,
    ClientConnectionError,
    ClientError,
    DataFileUnconfirmedError,
    HTTPError,
    NotFoundError,
    ProtocolError,
    RateLimitError,
    ResponseLostError,
    ServerError,
    ValidationError,
)
from .progress import (
    CallbackProgress,
    NullProgress,
    ProgressEvent,
    ProgressReporter,
    ProgressTask,
    TqdmProgress,
)
from .retry import RetryPolicy
from .upload_resume import FileKey, MemoryResumeStore, ResumeStore

__all__ = [
    "AsyncSynapseClient",
    "AuthenticationError",
    "AuthorizationError",
    "BackendClient",
    "CallbackProgress",
    "ClientConnectionError",
    "ClientError",
    "DataFileUnconfirmedError",
    "EmptyFileError",
    "FileKey",
    "HTTPError",
    "MemoryResumeStore",
    "NotFoundError",
    "NullProgress",
    "ProgressEvent",
    "ProgressReporter",
    "ProgressTask",
    "ProtocolError",
    "RateLimitError",
    "ResponseLostError",
    "ResumePoint",
    "ResumeStore",
    "RetryPolicy",
    "ServerError",
    "SynapseClient",
    "TqdmProgress",
    "ValidationError",
    "chunk_plan",
    "content_range",
]

# --- ingestion layer (organize, upload_data_collection, ...) appends its exports below ---
from .aingest import aupload_data_collection
from .ingest import DEFAULT_JOURNAL, forget_ingestion, upload_data_collection
from .ingest_types import FailureReason, IngestFailure, IngestResult
from .journal import Journal, default_journal_path
from .organize import (
    OrganizedGroup,
    OrganizeIssue,
    OrganizeReport,
    OrganizeResult,
    Reason,
    organize,
    validate_files_against_collection,
)

__all__ += [
    "DEFAULT_JOURNAL",
    "FailureReason",
    "IngestFailure",
    "IngestResult",
    "Journal",
    "OrganizeIssue",
    "OrganizeReport",
    "OrganizeResult",
    "OrganizedGroup",
    "Reason",
    "aupload_data_collection",
    "default_journal_path",
    "forget_ingestion",
    "organize",
    "upload_data_collection",
    "validate_files_against_collection",
]
