"""``BackendClient``: the seed-compatible client of the product documentation.

It returns plain dicts and lists (the models' ``to_dict()``) and accepts the documentation's
data shapes, translating them when unambiguous. Every translation is listed in
``docs/seed-compat.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Unpack

from synapse_client.models import DataCollection, DataUnitCreate, PaginatedDataUnitList

from ._closing import Closing
from .client import SynapseClient
from .client._options import ProgressArg, SyncOptions
from .errors import SynapseError
from .ingest import GroupLike, IngestOptions, upload_data_collection
from .progress import CallbackProgress
from .upload._files import check_file, file_md5

__all__ = ["BackendClient", "SeedCompatError"]

_UNIT_KEYS = ("data_collection", "files", "meta", "groups")
_LIST_PARAMS = {"page", "page_size", "data_collection", "expand"}


class SeedCompatError(SynapseError, ValueError):
    """The documentation's data shape cannot be translated to the real API unambiguously."""


class BackendClient(Closing):
    """Client with the product page's methods; returns plain dicts and lists.

    ``api_token`` and ``access_token`` both mean the access token
    (``Synapse-Access-Token: Token <token>``); ``legacy_token`` sends ``Authorization``.
    The typed client underneath is available as ``.typed``.
    """

    def __init__(
        self,
        base_url: str,
        api_token: str | None = None,
        *,
        access_token: str | None = None,
        **options: Unpack[SyncOptions],
    ) -> None:
        if api_token and access_token and api_token != access_token:
            raise ValueError("give either api_token or access_token, not two different tokens")
        self.typed = SynapseClient(base_url, access_token or api_token, **options)
        self.base_url = self.typed.base_url
        self._collections: dict[int, DataCollection] = {}
        self._uploaded: dict[int, tuple[str, str]] = {}  # data file id -> (checksum, path)

    def __repr__(self) -> str:
        return repr(self.typed).replace("SynapseClient", "BackendClient", 1)

    def close(self) -> None:
        """Close the connection pool."""
        self.typed.close()

    # -- data collections --------------------------------------------------------------------
    def list_data_collection(self) -> list[dict[str, Any]]:
        """All data collections the caller can see (every page)."""
        return [c.to_dict() for c in self.typed.iter_collections()]

    list_data_collections = list_data_collection

    def get_data_collection(self, data_collection_id: int) -> dict[str, Any]:
        """One collection with its ``file_specifications``."""
        return self._collection(data_collection_id, refresh=True).to_dict()

    def _collection(self, collection_id: int, refresh: bool = False) -> DataCollection:
        if refresh or collection_id not in self._collections:
            self._collections[collection_id] = self.typed.get_collection(collection_id)
        return self._collections[collection_id]

    # -- data files ------------------------------------------------------------------------
    def create_data_file(
        self, file_path: str | os.PathLike[str], use_chunked_upload: bool = False
    ) -> dict[str, Any]:
        """Upload one file (chunked when asked, or when larger than 50 MiB)."""
        data_file = self.typed.upload_file(file_path, chunked=True if use_chunked_upload else None)
        self._uploaded[data_file.id] = (data_file.checksum, str(file_path))
        return data_file.to_dict()

    def verify_data_files_checksums(self, checksums: Sequence[str]) -> dict[str, Any]:
        """``{"existing_checksums": [...]}``: those the server already has, in input order."""
        existing = self.typed.verify_checksums(checksums)
        return {"existing_checksums": [c for c in dict.fromkeys(checksums) if c in existing]}

    def create_chunked_upload(self, file_path: str | os.PathLike[str]) -> dict[str, Any]:
        """Upload ``file_path`` in chunks and finalize it; the completed upload's state."""
        return self.typed.upload_file_chunked(file_path).to_dict()

    def get_chunked_upload(self, chunked_upload_id: str) -> dict[str, Any]:
        """The state of a chunked upload."""
        return self.typed.get_chunked_upload(chunked_upload_id).to_dict()

    def upload_data_file(
        self,
        organized_file: Mapping[str, object],
        collection_id: int,
        use_chunked_upload: bool = False,
    ) -> dict[str, Any]:
        """Upload an organized file group; returns a data-unit payload for ``create_data_units``.

        Files whose checksum the server already has are not uploaded again. The result is
        ``{"data_collection", "files": {spec: {"checksum", "path"}}, "meta"}`` (+ ``groups``).
        """
        organized: dict[str, Any] = dict(organized_file)
        files = organized.get("files")
        if not isinstance(files, Mapping) or not files:
            raise SeedCompatError("organized_file needs a non-empty 'files' mapping {spec: path}")
        collection = self._collection(collection_id)
        named = {self._spec_name(collection, key): Path(p) for key, p in files.items()}
        local = {spec: (path, file_md5(check_file(path)[0])) for spec, path in named.items()}
        existing = self.typed.verify_checksums(md5 for _, md5 in local.values())
        for path, md5 in local.values():
            if md5 not in existing:
                self.create_data_file(path, use_chunked_upload)
                existing.add(md5)
        result: dict[str, Any] = {
            "data_collection": collection_id,
            "files": {s: {"checksum": md5, "path": str(p)} for s, (p, md5) in local.items()},
            "meta": dict(organized.get("meta") or {}),
        }
        groups = organized.get("groups")
        if groups:
            result["groups"] = [groups] if isinstance(groups, str) else list(groups)
        return result

    @staticmethod
    def _spec_name(collection: DataCollection, key: str) -> str:
        specs = collection.file_specifications or []
        names = [s.name for s in specs]
        if key in names:
            return key
        primary = [s.name for s in specs if s.is_primary]
        if key == "primary" and len(primary) == 1:
            return primary[0]
        raise SeedCompatError(
            f"file key {key!r} is not a file specification of collection {collection.id} "
            f"(specs: {', '.join(names) or 'none'})"
        )

    # -- data units ------------------------------------------------------------------------
    def create_data_units(
        self, uploaded_files: Sequence[Mapping[str, object]] | Mapping[str, object]
    ) -> list[dict[str, Any]]:
        """Create data units from ``upload_data_file`` results or the page's ``file`` shape."""
        entries = [uploaded_files] if isinstance(uploaded_files, Mapping) else uploaded_files
        units = [self._to_unit(i, e) for i, e in enumerate(entries)]
        if not units:
            return []
        return [u.to_dict() for u in self.typed.create_units(units)]

    def _to_unit(self, index: int, entry: Mapping[str, Any]) -> DataUnitCreate:
        if "files" in entry and "data_collection" in entry:
            return DataUnitCreate.from_dict({k: entry[k] for k in _UNIT_KEYS if k in entry})
        if "file" not in entry:
            raise SeedCompatError(
                f"data unit #{index}: expected 'data_collection' and 'files' "
                f"(or the documented 'file': {{spec: file_id}}), got keys {sorted(entry)}"
            )
        file_ids: Mapping[str, Any] = entry["file"]
        unknown = [fid for fid in file_ids.values() if fid not in self._uploaded]
        if unknown:
            raise SeedCompatError(
                f"data unit #{index}: 'file' holds ids {unknown!r} that are not data files "
                "uploaded by this client; the API binds files by checksum, so pass "
                "upload_data_file() results (with 'data_collection' and 'files') instead"
            )
        collection = self._only_collection(index, entry)
        files = {
            self._spec_name(collection, spec): {
                "checksum": self._uploaded[fid][0],
                "path": self._uploaded[fid][1],
            }
            for spec, fid in file_ids.items()
        }
        body: dict[str, Any] = {
            "data_collection": collection.id,
            "files": files,
            "meta": dict(entry.get("meta") or {}),
        }
        if entry.get("groups"):
            groups = entry["groups"]
            body["groups"] = [groups] if isinstance(groups, str) else list(groups)
        return DataUnitCreate.from_dict(body)

    def _only_collection(self, index: int, entry: Mapping[str, Any]) -> DataCollection:
        if "data_collection" in entry:
            return self._collection(int(entry["data_collection"]))
        if len(self._collections) == 1:
            return next(iter(self._collections.values()))
        if not self._collections:
            visible = self.typed.list_collections(page_size=2).results
            if len(visible) == 1:
                return self._collection(visible[0].id)
        raise SeedCompatError(
            f"data unit #{index} has no 'data_collection' and this client cannot tell which "
            "collection is meant (it has used several, or several are visible); add "
            "'data_collection' to the entry"
        )

    def list_data_units(
        self,
        params: Mapping[str, object] | None = None,
        url_conversion: Mapping[str, object] | None = None,
        list_all: bool = False,
    ) -> dict[str, Any] | tuple[Iterator[dict[str, Any]], int]:
        """A page dict, or ``(generator, count)`` with ``list_all=True`` (100 per page)."""
        if url_conversion:
            raise NotImplementedError("url_conversion (downloading file URLs) is not supported")
        query: dict[str, Any] = dict(params or {})
        unknown = set(query) - _LIST_PARAMS
        if unknown:
            raise SeedCompatError(
                f"unsupported list_data_units params {sorted(unknown)}; "
                f"supported: {sorted(_LIST_PARAMS)}"
            )
        collection = query.get("data_collection")
        collection_id = int(collection) if collection is not None else None
        if not list_all:
            page = self.typed.list_units(
                collection_id=collection_id,
                page=query.get("page"),
                page_size=query.get("page_size", 100),
            )
            return page.to_dict()
        size = int(query.get("page_size", 100))
        first = self.typed.list_units(collection_id=collection_id, page_size=size)

        def generate() -> Iterator[dict[str, Any]]:
            pages = self.typed._follow(first, PaginatedDataUnitList)
            for unit in self.typed._driver.iterate(pages):
                yield unit.to_dict()  # type: ignore[attr-defined]

        return generate(), first.count

    def get_data_unit(
        self, data_unit_id: int, params: Mapping[str, object] | None = None
    ) -> dict[str, Any]:
        """One data unit (``params`` such as ``expand=files`` are accepted; files always come)."""
        return self.typed.get_unit(data_unit_id).to_dict()

    # -- tasks -----------------------------------------------------------------------------
    def create_tasks(self, data: Mapping[str, object]) -> list[dict[str, Any]]:
        """``data = {"project": id, "data": [{"data_unit": id}, ...]}``; the tasks as dicts."""
        body: dict[str, Any] = dict(data)
        if "project" not in body or not isinstance(body.get("data"), list):
            raise SeedCompatError(
                "create_tasks expects {'project': id, 'data': [{'data_unit': id}]}"
            )
        unit_ids = [int(item["data_unit"]) for item in body["data"]]
        return [t.to_dict() for t in self.typed.create_tasks(int(body["project"]), unit_ids)]

    def upload_files_bulk(
        self,
        file_paths: Sequence[str | os.PathLike[str]],
        *,
        max_workers: int = 10,
        on_progress: Callable[[int, int], None] | None = None,
        batch_size: int = 200,
    ) -> dict[str, Any]:
        """Upload files as data files through presigned URLs (v1): the vendor client's
        ``upload_files_bulk``. ``on_progress(completed, total)`` after each stored file.

        Returns ``{'results': [...], 'created_count', 'failed_count'}``; see
        ``SynapseClient.upload_files_presigned_v1``.
        """
        progress = None
        if on_progress is not None:
            callback = on_progress
            progress = CallbackProgress(
                lambda e: (
                    callback(e.done, e.total or 0) if e.desc == "files" and not e.finished else None
                )
            )
        answer = self.typed.upload_files_presigned_v1(
            file_paths, max_workers=max_workers, batch_size=batch_size, on_progress=progress
        )
        return answer.to_dict()

    # -- ingestion ---------------------------------------------------------------------------
    def upload_data_collection(
        self,
        collection_id: int,
        data: Iterable[GroupLike],
        project_id: int | None = None,
        batch_size: int = 200,
        max_workers: int | None = None,
        on_progress: ProgressArg = None,
        **options: Unpack[IngestOptions],
    ) -> dict[str, Any]:
        """Ingest organized groups as data units (+ tasks); crash-safe, skips what exists.

        ``data``: the page's ``{'files': {spec: path}, 'meta': {...}}`` dicts or the groups of
        :func:`synapse_ext.organize`; ``options`` (``journal``, ``chunked_threshold``,
        ``chunk_size``, ``window``, ``unit_retry``, ``api``, ``adaptive``, ...) are those of
        :func:`synapse_ext.upload_data_collection`, and so are the defaults: without
        ``max_workers`` the uploads in flight start at 8 and grow while throughput rises, up
        to the client's pool; ``max_workers=N`` starts at N, the ceiling. Returns counts,
        failures and the ``concurrency`` the run used as a dict.
        """
        result = upload_data_collection(
            self.typed,
            collection_id,
            data,
            project_id=project_id,
            batch_size=batch_size,
            max_workers=max_workers,
            on_progress=on_progress,
            **options,
        )
        return result.to_dict()
