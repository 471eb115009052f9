"""Uploads of local files: the chunk engine, lost-response recovery, resuming across runs.

Public: :class:`ResumePoint`, :class:`FileKey`, :class:`ResumeStore`,
:class:`MemoryResumeStore`, :class:`EmptyFileError`, and for presigned uploads
:class:`StoredFile`, :class:`FinalizedFile` and :class:`FileChangedError`. The flows here
are pure; the clients drive them.
"""

from ._chunked import ResumePoint
from ._files import EmptyFileError
from ._presigned import FileChangedError, FinalizedFile, StoredFile
from .resume import FileKey, MemoryResumeStore, ResumeStore

__all__ = [
    "EmptyFileError",
    "FileChangedError",
    "FileKey",
    "FinalizedFile",
    "MemoryResumeStore",
    "ResumePoint",
    "ResumeStore",
    "StoredFile",
]
