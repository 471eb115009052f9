"""A source argument (local path or fsspec URL) → a local :class:`Path` or a :class:`SourcePath`.

The filesystem comes from ``fsspec.core.url_to_fs``: its backend reads its standard
environment and credential chain, and ``options`` (``--source-option``) are passed to it.
``file://`` URLs and plain paths stay local paths (read with ``open``/``os``, as before).
"""

from __future__ import annotations

import logging
import os
import sys
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._errors import SourceError, missing_extra, source_failure
from ._options import redacted
from ._path import SourcePath

__all__ = ["SourceTree", "is_url", "list_tree", "resolve_source", "source_file"]

logger = logging.getLogger("synapse_ext")

SourceTree = dict[str, list[SourcePath]]
"""Folder path (as the filesystem names it) → its entries."""


def is_url(source: object) -> bool:
    """True when ``source`` is a string with a URL scheme (``s3://...``, ``file://...``)."""
    return isinstance(source, str) and "://" in source


def resolve_source(
    source: str | os.PathLike[str] | SourcePath, options: Mapping[str, object] | None = None
) -> Path | SourcePath:
    """The folder ``source`` names: a local ``Path`` (plain paths and ``file://``) or a
    :class:`SourcePath` folder of its fsspec filesystem. Raises :class:`SourceError` for an
    unknown scheme or a backend that is not installed (with the extra to install). A
    ``SourcePath`` of the local filesystem becomes a ``Path`` too: local folders are always
    walked as such (links confined to the root, loops detected)."""
    if isinstance(source, SourcePath):
        if "fsspec.implementations.local" not in sys.modules:  # loaded with any local fs
            return source
        local_root = _local_root(source.fs, source.path)
        return Path(local_root) if local_root is not None else source
    if not is_url(source):
        return Path(os.fspath(source))
    url = str(source)
    protocol = url.split("://", 1)[0].lower()
    from fsspec.core import url_to_fs
    from fsspec.implementations.local import LocalFileSystem

    logger.debug("source %s, options %s", _clean(url), redacted(options or {}))
    try:
        fs, root = url_to_fs(url, **dict(options or {}))
    except ImportError as exc:
        raise missing_extra(protocol, exc) from None
    except ValueError as exc:
        if "protocol" in str(exc).lower():
            raise SourceError(f"{protocol}:// is not a known source scheme ({exc})") from None
        raise SourceError(f"{_clean(url)}: {exc}") from None
    except TypeError as exc:  # an option the backend does not take
        raise SourceError(f"{_clean(url)}: bad source option ({exc})") from None
    local_root = _local_root(fs, str(root))
    if local_root is not None:
        if not isinstance(fs, LocalFileSystem):
            logger.info("%s is a local folder: walked as one (its %s layer is not used)",
                        _clean(url), type(fs).__name__)  # fmt: skip
        return Path(local_root)
    root = str(root).rstrip("/")
    return SourcePath(fs.unstrip_protocol(root), root, fs, is_dir=True)


def _local_root(fs: object, root: str) -> str | None:
    """The local path ``root`` names when ``fs`` is the local filesystem or a chain over it
    (``simplecache::file://``, ``dir::file://``, ...), else ``None``: a local folder is walked
    by the local rules whatever wraps it (links confined to the root, loops detected), since
    fsspec's listing follows every link."""
    from fsspec.implementations.cached import CachingFileSystem
    from fsspec.implementations.dirfs import DirFileSystem
    from fsspec.implementations.local import LocalFileSystem

    for _ in range(16):  # a chain is a few layers deep
        if isinstance(fs, LocalFileSystem):
            return root
        if isinstance(fs, DirFileSystem):
            root, fs = fs._join(root), fs.fs
        elif isinstance(fs, CachingFileSystem):  # simplecache, filecache, blockcache
            fs = fs.fs
        else:
            return None
    return None


def _clean(url: str) -> str:
    # ``scheme://user:secret@host/...``: never print the userinfo part.
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host.rpartition('@')[2]}{slash}{path}"


def source_file(fs: object, path: str, info: Mapping[str, object]) -> SourcePath:
    """The :class:`SourcePath` of ``path`` from its listing entry ``info``."""
    store: Any = fs
    is_dir = info.get("type") == "directory"
    etag = info.get("ETag") or info.get("etag") or info.get("md5_checksum")
    mtime = info.get("LastModified") or info.get("mtime") or info.get("updated")
    size = info.get("size")
    return SourcePath(
        store.unstrip_protocol(path),
        path,
        fs,
        size=None if is_dir or size is None else int(str(size)),
        etag=str(etag).strip('"') if etag and not is_dir else None,
        mtime=None if mtime is None or is_dir else _iso(mtime),
        is_dir=is_dir,
    )


def _iso(value: object) -> str:
    iso = getattr(value, "isoformat", None)
    return str(iso()) if callable(iso) else str(value)


def list_tree(root: SourcePath) -> SourceTree:
    """Every folder under ``root`` → its entries, from one recursive listing of the store
    (``find(detail=True)``: sizes, ETags and mtimes come with it). Errors are
    :class:`SourceError` (not found, access refused) or ``SourceUnreachableError``."""
    fs: Any = root.fs
    base = root.path.rstrip("/")
    try:
        if not fs.isdir(base):
            raise FileNotFoundError("not found")
        found = fs.find(base, withdirs=True, detail=True)
    except Exception as exc:
        raise source_failure(root.url, exc) from None
    tree: SourceTree = defaultdict(list)
    seen: set[str] = set()
    for raw, info in found.items():
        if raw.endswith("/"):
            continue  # a folder marker object ("prefix/"): the folder is listed on its own
        name = raw.rstrip("/")
        if name == base or not name.startswith(base + "/") or name in seen:
            continue
        seen.add(name)
        tree[name.rsplit("/", 1)[0]].append(source_file(fs, name, info))
    return tree
