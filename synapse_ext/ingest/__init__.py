"""Ingestion: organized groups → data files, data units and tasks; crash-safe and resumable.

:func:`upload_data_collection` (blocking client) and :func:`aupload_data_collection` (asyncio
client) run the same flow. The SQLite :class:`Journal` makes re-runs skip finished work.
"""

from .._flow.concurrency import ConcurrencyStats
from ._engine import DEFAULT_JOURNAL, JournalArg
from .journal import Journal, default_journal_path, journal_scope
from .results import FailureReason, GroupLike, IngestFailure, IngestResult
from .run import IngestOptions, aupload_data_collection, forget_ingestion, upload_data_collection
from .settings import IngestSettings

__all__ = [
    "DEFAULT_JOURNAL",
    "ConcurrencyStats",
    "FailureReason",
    "GroupLike",
    "IngestFailure",
    "IngestOptions",
    "IngestResult",
    "IngestSettings",
    "Journal",
    "JournalArg",
    "aupload_data_collection",
    "default_journal_path",
    "forget_ingestion",
    "journal_scope",
    "upload_data_collection",
]
