"""Uploads of local files: the chunk engine, lost-response recovery, resuming across runs.

Public: :class:`ResumePoint`, :class:`FileKey`, :class:`ResumeStore`,
:class:`MemoryResumeStore` and :class:`EmptyFileError`. The flows here are pure; the clients
drive them.
"""

from ._chunked import ResumePoint
from ._files import EmptyFileError
from .resume import FileKey, MemoryResumeStore, ResumeStore

__all__ = ["EmptyFileError", "FileKey", "MemoryResumeStore", "ResumePoint", "ResumeStore"]
