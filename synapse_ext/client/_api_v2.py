"""The v2 methods (``/v2/...``) and the v1 presigned pair, written once as flows.

:class:`ClientApiV2` is a base of :class:`~synapse_ext.client._api.ClientApi`: the worlds turn
its ``@operation``/``@pages`` flows into methods of both typed clients, as for v1. Lists
answer a :class:`~synapse_ext.client.pages.CursorPage`; ``iter_*_v2`` re-issue the same
request with ``cursor=<token>`` (the token is never followed as a URL). Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeAlias, TypeVar

from synapse_client.models import (
    ConfirmUploadFile,
    ConfirmUploadResponse,
    DataCollectionCategory,
    DataCollectionV2Detail,
    DataCollectionV2List,
    DataFileV2Detail,
    DataFileV2List,
    DataUnitV2BulkCreateItem,
    DataUnitV2BulkCreateResult,
    DataUnitV2Detail,
    DataUnitV2List,
    FinalizeUploadFile,
    FinalizeUploadResponse,
    PresignedUploadFileRequest,
    PresignedUploadResponse,
    PresignedUploadV1FileRequest,
    TaskV2BulkCreateResult,
)
from synapse_client.types import UNSET, Unset

from .._flow import Emit, Flow, Pages, PageTokens
from .._wire import operations_v2 as v2
from ._worlds import operation, pages
from .pages import CursorPage

if TYPE_CHECKING:
    from .._wire.call import Op
    from ..policy import RetryPolicy

__all__ = ["MAX_BATCH", "ClientApiV2", "UploadFileSpec"]

T = TypeVar("T")
MAX_BATCH = 1000
"""Most items one v2 bulk request (and one presigned request) takes."""

UploadFileSpec: TypeAlias = (
    PresignedUploadFileRequest
    | PresignedUploadV1FileRequest
    | tuple[str, int]
    | tuple[str, int, str]
)
"""A file to announce: a request model, ``(filename, size)`` or
``(filename, size, content_type)``."""


def _count(what: str, items: Sequence[object]) -> None:
    if not 1 <= len(items) <= MAX_BATCH:
        raise ValueError(f"{what}: {len(items)} given, 1-{MAX_BATCH} per request")


def _announced(files: Sequence[UploadFileSpec]) -> list[tuple[str, int, str | None]]:
    """``files`` as (filename, size, content_type), checked as the server would check them."""
    _count("files", files)
    checked = []
    for file in files:
        if isinstance(file, tuple):
            if len(file) not in (2, 3):
                raise ValueError(f"file {file!r}: expected (filename, size[, content_type])")
            name, size, content_type = file[0], file[1], file[2] if len(file) > 2 else None
        else:
            name, size = file.filename, file.size
            content_type = None if isinstance(file.content_type, Unset) else file.content_type
        if not isinstance(name, str) or not 1 <= len(name) <= 255:
            raise ValueError(f"file {name!r}: the filename must be 1-255 characters")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"file {name!r}: size must be an integer >= 1 (got {size!r})")
        checked.append((name, size, content_type))
    return checked


def _expiration(seconds: int) -> int:
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 60 <= seconds <= 86400:
        raise ValueError(f"expiration must be 60-86400 seconds (got {seconds!r})")
    return seconds


def _content_type(value: str | None) -> str | Unset:
    return UNSET if value is None else value


class ClientApiV2:
    """The flows of the v2 methods and of the v1 presigned pair (a base of ``ClientApi``)."""

    upload_timeout: float

    if TYPE_CHECKING:

        @property
        def policy(self) -> RetryPolicy: ...
        def _retrying(self, op: Op[T]) -> Flow[T]: ...

    def _cursor_pages(self, request: Callable[[str | None], Op[CursorPage[T]]]) -> Pages[T]:
        """Emit every page's items: the same request again with ``cursor=<next_cursor>``."""
        cursor: str | None = None
        tokens = PageTokens("cursor")
        while True:
            page = yield from self._retrying(request(cursor))
            yield Emit(page.items)
            if not page.next_cursor:
                return
            cursor = tokens.follow(page.next_cursor)

    # -- data collections ------------------------------------------------------------------
    @operation
    def list_collections_v2(
        self,
        *,
        category: DataCollectionCategory | None = None,
        cursor: str | None = None,
        per_page: int | None = None,
    ) -> Flow[CursorPage[DataCollectionV2List]]:
        """One page of data collections (v2), optionally of one category."""
        return self._retrying(v2.list_collections(category, cursor, per_page))

    @pages
    def iter_collections_v2(
        self, *, category: DataCollectionCategory | None = None, per_page: int = 100
    ) -> Pages[DataCollectionV2List]:
        """Every data collection (v2), page by page by cursor."""
        return self._cursor_pages(lambda cursor: v2.list_collections(category, cursor, per_page))

    @operation
    def get_collection_v2(self, collection_id: int) -> Flow[DataCollectionV2Detail]:
        """One data collection (v2), always with its file specifications."""
        return self._retrying(v2.get_collection(collection_id))

    @operation
    def request_upload_urls(
        self,
        collection_id: int,
        files: Sequence[UploadFileSpec],
        *,
        expiration: int = 3600,
        dry_run: bool = False,
    ) -> Flow[PresignedUploadResponse]:
        """Presigned storage URLs for 1-1000 files, paired with ``files`` by position.

        Each file is a ``PresignedUploadFileRequest`` or ``(filename, size[, content_type])``;
        they are checked before anything is sent (``ValueError`` names the file).
        """
        requests = [
            PresignedUploadFileRequest(filename=n, size=s, content_type=_content_type(c))
            for n, s, c in _announced(files)
        ]
        op = v2.upload_urls(collection_id, requests, _expiration(expiration), dry_run)
        return self._retrying(op)

    @operation
    def finalize_upload(
        self, collection_id: int, files: Sequence[FinalizeUploadFile], *, dry_run: bool = False
    ) -> Flow[FinalizeUploadResponse]:
        """Create the data files of stored uploads (1-1000; a known checksum is reused).

        Never resent once it may have been applied: a lost answer raises
        ``ResponseLostError``; ask :meth:`find_data_file` which checksums the server holds.
        """
        _count("files", files)
        op = v2.finalize_upload(collection_id, files, dry_run, self.upload_timeout)
        return self._retrying(op)

    # -- data files ------------------------------------------------------------------------
    @operation
    def list_data_files_v2(
        self,
        *,
        checksum: str | None = None,
        collection_id: int | None = None,
        cursor: str | None = None,
        per_page: int | None = None,
    ) -> Flow[CursorPage[DataFileV2List]]:
        """One page of data files (v2), optionally by checksum and collection."""
        return self._retrying(v2.list_data_files(checksum, collection_id, cursor, per_page))

    @pages
    def iter_data_files_v2(
        self,
        *,
        checksum: str | None = None,
        collection_id: int | None = None,
        per_page: int = 100,
    ) -> Pages[DataFileV2List]:
        """Every data file (v2) matching the filters, page by page by cursor."""
        return self._cursor_pages(
            lambda cursor: v2.list_data_files(checksum, collection_id, cursor, per_page)
        )

    @operation
    def get_data_file_v2(self, data_file_id: int) -> Flow[DataFileV2Detail]:
        """One data file (v2)."""
        return self._retrying(v2.get_data_file(data_file_id))

    @operation
    def find_data_file(
        self, checksum: str, *, collection_id: int | None = None
    ) -> Flow[DataFileV2List | None]:
        """The data file the server holds with ``checksum`` (v2's ``verify_checksums``), or None."""
        page = yield from self._retrying(v2.list_data_files(checksum, collection_id, None, 1))
        return page.items[0] if page.items else None

    # -- data units and tasks --------------------------------------------------------------
    @operation
    def bulk_create_units(
        self,
        collection_id: int,
        units: Sequence[DataUnitV2BulkCreateItem],
        *,
        dry_run: bool = False,
    ) -> Flow[DataUnitV2BulkCreateResult]:
        """Create 1-1000 units, all or nothing; existing ones come back with ``created=False``.

        The server is idempotent on it, so a lost answer is resent like a read.
        """
        _count("units", units)
        return self._retrying(v2.bulk_create_units(collection_id, units, dry_run))

    @operation
    def list_units_v2(
        self,
        *,
        collection_id: int | None = None,
        cursor: str | None = None,
        per_page: int | None = None,
    ) -> Flow[CursorPage[DataUnitV2List]]:
        """One page of data units (v2), optionally of one collection."""
        return self._retrying(v2.list_units(collection_id, cursor, per_page))

    @pages
    def iter_units_v2(
        self, *, collection_id: int | None = None, per_page: int = 100
    ) -> Pages[DataUnitV2List]:
        """Every data unit (v2, of one collection if given), page by page by cursor."""
        return self._cursor_pages(lambda cursor: v2.list_units(collection_id, cursor, per_page))

    @operation
    def get_unit_v2(self, unit_id: int) -> Flow[DataUnitV2Detail]:
        """One data unit (v2: meta and group, no file URLs)."""
        return self._retrying(v2.get_unit(unit_id))

    @operation
    def bulk_create_tasks(
        self, project_id: int, unit_ids: Sequence[int], *, dry_run: bool = False
    ) -> Flow[TaskV2BulkCreateResult]:
        """One task per unit (1-1000 ids) in ``project_id``; units with one already are skipped."""
        _count("unit_ids", unit_ids)
        return self._retrying(v2.bulk_create_tasks(project_id, unit_ids, dry_run))

    # -- v1 presigned pair -----------------------------------------------------------------
    @operation
    def request_presigned_uploads_v1(
        self, files: Sequence[UploadFileSpec], *, expiration: int = 3600
    ) -> Flow[PresignedUploadResponse]:
        """Presigned storage URLs for 1-1000 files (v1, for the tenant), paired by position."""
        requests = [
            PresignedUploadV1FileRequest(filename=n, size=s, content_type=_content_type(c))
            for n, s, c in _announced(files)
        ]
        return self._retrying(v2.presigned_uploads_v1(requests, _expiration(expiration)))

    @operation
    def confirm_presigned_uploads_v1(
        self, files: Sequence[ConfirmUploadFile]
    ) -> Flow[ConfirmUploadResponse]:
        """Create the data files of stored presigned uploads (v1; never resent blindly)."""
        _count("files", files)
        return self._retrying(v2.confirm_presigned_v1(files, self.upload_timeout))
