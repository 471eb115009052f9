"""Sources of datasets: a local folder or any fsspec URL (``s3://``, ``gs://``, ``az://``, ...).

``resolve_source(source, options)`` gives a local ``Path`` (plain paths and ``file://``: read
with ``open`` as before) or a :class:`SourcePath` folder; ``list_tree`` lists it once with
sizes and ETags/mtimes; every reader of a dataset file goes through ``open_binary`` (a
:data:`FileRef` is a ``Path`` or a ``SourcePath``). Backends are extras:
``synapse-dc[s3]`` (s3fs), ``[gcs]`` (gcsfs), ``[azure]`` (adlfs).
"""

from ._errors import SourceError, SourceUnreachableError
from ._files import FileRef, as_file_ref, file_key, file_name, file_size, open_binary
from ._options import parse_source_options, redacted
from ._path import READ_BLOCK, SourcePath
from ._resolve import SourceTree, is_url, list_tree, resolve_source, source_file

__all__ = [
    "READ_BLOCK",
    "FileRef",
    "SourceError",
    "SourcePath",
    "SourceTree",
    "SourceUnreachableError",
    "as_file_ref",
    "file_key",
    "file_name",
    "file_size",
    "is_url",
    "list_tree",
    "open_binary",
    "parse_source_options",
    "redacted",
    "resolve_source",
    "source_file",
]
