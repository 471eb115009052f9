"""Every public method of the typed clients, written once as a flow.

``SynapseClient`` and ``AsyncSynapseClient`` inherit this class; :mod:`._worlds` turns each
``@operation``/``@pages`` flow into a blocking or an awaitable method. Nothing here does I/O.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Generic, TypeVar

from synapse_client.models import (
    ChunkedUpload,
    ConfirmUploadFile,
    ConfirmUploadResponse,
    DataCollection,
    DataFile,
    DataUnit,
    DataUnitCreate,
    PaginatedDataCollectionList,
    PaginatedDataUnitList,
    PresignedUploadFile,
    Task,
)

from .._flow import Emit, Flow, Pages, Parallel, batched, blocking, retrying
from .._wire import operations as ops
from .._wire.call import Op
from ..errors import (
    ClientError,
    DataFileUnconfirmedError,
    FinalizeRejectedError,
    PresignedUrlExpiredError,
    ResponseLostError,
)
from ..policy import DEFAULT_RETRY, NO_RETRY, RetryPolicy, Uniform
from ..progress import ProgressReporter, as_reporter
from ..upload._chunked import ChunkTarget, ResumePoint, chunked_upload_flow
from ..upload._data_file import create_data_file_flow
from ..upload._files import CHUNKED_THRESHOLD, MiB, check_file
from ..upload._presigned import (
    FinalizedFile,
    PutTarget,
    StoredFile,
    finalize_entry,
    poll_after_lost_finalize,
    presigned_upload_flow,
)
from ..upload.resume import ResumeSession, ResumeStore
from ._api_v2 import ClientApiV2, UploadFileSpec
from ._auth import SynapseAuth
from ._options import (
    DEFAULT_TIMEOUT,
    ProgressArg,
    TimeoutArg,
    TransportT,
    UploadHook,
    as_timeout,
    httpx_options,
    warn_if_plain_http,
)
from ._worlds import operation, pages

__all__ = ["ClientApi", "PathLike"]


def _announced(name: str, size: int, content_type: str | None) -> UploadFileSpec:
    return (name, size) if content_type is None else (name, size, content_type)


PathLike = str | os.PathLike[str]
SleepT = TypeVar("SleepT")
T = TypeVar("T")
Page = TypeVar("Page", PaginatedDataCollectionList, PaginatedDataUnitList)


class ClientApi(ClientApiV2, Generic[TransportT, SleepT]):
    """Settings and the flows of every public method (shared by both typed clients).

    The v2 methods and the v1 presigned pair are flows of its base :class:`ClientApiV2`.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        tenant: str | None = None,
        legacy_token: str | None = None,
        timeout: TimeoutArg = DEFAULT_TIMEOUT,
        upload_timeout: float = 300.0,
        max_connections: int = 10,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        transport: TransportT | None = None,
        progress: ProgressArg = None,
        sleep: SleepT | None = None,
        uniform: Uniform = random.uniform,
    ) -> None:
        warn_if_plain_http(base_url)
        self.base_url = base_url.rstrip("/")
        self._has_token = bool(token or legacy_token)
        self._tenant = tenant
        self._auth = SynapseAuth(self.base_url, token, tenant, legacy_token)
        self._timeout = as_timeout(timeout)
        self.upload_timeout = upload_timeout
        self.max_connections = max_connections
        self.retry = retry
        self.progress = as_reporter(progress)
        self._uniform = uniform
        self._open(transport, sleep)

    def _open(self, transport: TransportT | None, sleep: SleepT | None) -> None:
        raise NotImplementedError  # each world builds its httpx client and driver

    # -- plumbing (pure) -------------------------------------------------------------------
    @property
    def policy(self) -> RetryPolicy:
        """The retry policy every flow of this client follows (one attempt when disabled)."""
        return self.retry or NO_RETRY

    def _httpx_options(self) -> dict[str, object]:
        return httpx_options(self.base_url, self._auth, self._timeout)

    def _reporter(self, on_progress: ProgressArg) -> ProgressReporter:
        return self.progress if on_progress is None else as_reporter(on_progress)

    def _retrying(self, op: Op[T]) -> Flow[T]:
        return retrying(op, self.policy, self._uniform)

    def _pages(self, first: Op[Page], model: type[Page]) -> Pages[object]:
        page = yield from self._retrying(first)
        yield from self._follow(page, model)

    def _follow(self, page: Page, model: type[Page]) -> Pages[object]:
        """Emit ``page``'s items, then every later page's (``next`` URLs followed as given)."""
        yield Emit(page.results)
        while page.next_:
            page = yield from self._retrying(ops.next_page(page.next_, model))
            yield Emit(page.results)

    def __repr__(self) -> str:
        token = "'***'" if self._has_token else "None"
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, token={token}, "
            f"tenant={self._tenant!r})"
        )

    # -- data collections --------------------------------------------------------------------
    @operation
    def list_collections(
        self, *, page: int | None = None, page_size: int | None = None
    ) -> Flow[PaginatedDataCollectionList]:
        """One page of data collections."""
        return self._retrying(ops.list_collections(page, page_size))

    @pages
    def iter_collections(self, *, page_size: int = 100) -> Pages[DataCollection]:
        """Every data collection, following ``next`` URLs exactly as given."""
        first = ops.list_collections(None, page_size)
        return self._pages(first, PaginatedDataCollectionList)  # type: ignore[return-value]

    @operation
    def get_collection(
        self, collection_id: int, *, with_specifications: bool = True
    ) -> Flow[DataCollection]:
        """One data collection (with ``file_specifications`` unless told otherwise)."""
        expand = "file_specifications" if with_specifications else None
        return self._retrying(ops.get_collection(collection_id, expand))

    # -- data files ------------------------------------------------------------------------
    @operation
    def verify_checksums(self, checksums: Iterable[str]) -> Flow[set[str]]:
        """The subset of ``checksums`` (MD5 hex) the server already has; 1000 per request."""
        existing: set[str] = set()
        for batch in batched(dict.fromkeys(checksums), 1000):
            existing |= yield from self._retrying(ops.verify_checksums(batch))
        return existing

    @operation
    def upload_file(
        self,
        path: PathLike,
        *,
        chunked: bool | None = None,
        chunk_size: int = 50 * MiB,
        on_progress: ProgressArg = None,
        resume_store: ResumeStore | None = None,
    ) -> Flow[DataFile]:
        """Upload one file: direct up to 50 MiB, chunked above (unless ``chunked`` says).

        ``resume_store`` (chunked only) keeps the upload id across runs: an interrupted upload
        of the same file (path, size, mtime) continues where the server stopped.
        """
        p, size = check_file(path)
        if chunked is None:
            chunked = size > CHUNKED_THRESHOLD
        if not chunked:
            return (yield from self._direct(p, size, on_progress))
        session = None
        if resume_store is not None:
            session = yield from blocking(ResumeSession.open, resume_store, p)
        upload = yield from self._chunked(
            p,
            size,
            chunk_size,
            on_progress,
            session.point if session is not None else None,
            session.created if session is not None else None,
        )
        op = ops.data_file_from_upload(upload.id, self.upload_timeout)
        try:
            data_file = yield from create_data_file_flow(
                op, p, upload.checksum or None, self.policy, self._uniform
            )
        except DataFileUnconfirmedError:
            if session is not None:  # stored, only the data file's id is unknown
                yield from blocking(session.discard)
            raise
        if session is not None:
            yield from blocking(session.discard)
        return data_file

    @operation
    def upload_file_direct(
        self, path: PathLike, *, on_progress: ProgressArg = None
    ) -> Flow[DataFile]:
        """POST the whole file as one multipart part (the file is read once per attempt)."""
        p, size = check_file(path)
        return self._direct(p, size, on_progress)

    def _direct(self, p: Path, size: int, on_progress: ProgressArg) -> Flow[DataFile]:
        op = ops.data_file_direct(p.name, lambda: p.open("rb"), self.upload_timeout)
        with self._reporter(on_progress).task(total=size, desc=p.name, unit="B") as task:
            result = yield from create_data_file_flow(op, p, None, self.policy, self._uniform)
            task.advance(size)
        return result

    @operation
    def upload_file_chunked(
        self,
        path: PathLike,
        *,
        chunk_size: int = 50 * MiB,
        on_progress: ProgressArg = None,
        resume: ResumePoint | str | None = None,
        on_upload: UploadHook | None = None,
    ) -> Flow[ChunkedUpload]:
        """Upload ``path`` in chunks and finalize it; returns the completed chunked upload.

        ``resume`` (an upload id or :class:`ResumePoint`) continues that upload from the
        server's offset; if it is gone, expired or does not fit the file, a new one starts.
        ``on_upload(upload)`` is called once the server created a new upload (first chunk
        stored), before any further chunk is sent. Create its data file with
        :meth:`create_file_from_chunked_upload`.
        """
        p, size = check_file(path)
        point = ResumePoint(resume) if isinstance(resume, str) else resume
        return self._chunked(p, size, chunk_size, on_progress, point, on_upload)

    create_chunked_upload = upload_file_chunked.renamed_from("create_chunked_upload")

    def _chunked(
        self,
        p: Path,
        size: int,
        chunk_size: int,
        on_progress: ProgressArg,
        point: ResumePoint | None,
        on_upload: UploadHook | None,
    ) -> Flow[ChunkedUpload]:
        with self._reporter(on_progress).task(total=size, desc=p.name, unit="B") as task:
            target = ChunkTarget(p, self.base_url, self.upload_timeout, task, on_upload)
            flow = chunked_upload_flow(
                target, size, chunk_size, self.policy, self._uniform, resume=point
            )
            return (yield from flow)

    @operation
    def create_file_from_chunked_upload(self, upload_id: str) -> Flow[DataFile]:
        """Create the data file of a completed chunked upload (sent at most once in effect)."""
        op = ops.data_file_from_upload(upload_id, self.upload_timeout)
        return self._retrying(op)

    create_data_file_from_chunked_upload = create_file_from_chunked_upload.renamed_from(
        "create_data_file_from_chunked_upload"
    )

    @operation
    def get_chunked_upload(self, upload_id: str) -> Flow[ChunkedUpload]:
        """The state of a chunked upload (``offset``, ``completed_at``)."""
        return self._retrying(ops.get_upload(upload_id))

    @operation
    def upload_to_presigned(
        self,
        upload: PresignedUploadFile,
        path: PathLike,
        *,
        md5: str | None = None,
        part_concurrency: int = 4,
        content_type: str | None = None,
        on_progress: ProgressArg = None,
    ) -> Flow[StoredFile]:
        """PUT ``path`` straight to object storage as ``upload`` (an entry of a v1 or v2
        presigned-upload answer) says: one PUT, or its parts ``part_concurrency`` at a time.

        Bodies stream from disk; each ETag is checked against the MD5 of what was sent;
        PUTs are retried on no response, 5xx, 408/425/429 and proxy 4xx (no storage ``Code``).
        ``md5`` (the file's, if known) saves a read for multipart uploads. Returns what
        finalize needs; raises ``PresignedUrlExpiredError`` when the URLs have expired.
        """
        p, size = check_file(path)
        return self._put_presigned(
            upload, p, size, md5, content_type, part_concurrency, on_progress
        )

    def _put_presigned(
        self,
        upload: PresignedUploadFile,
        p: Path,
        size: int,
        md5: str | None,
        content_type: str | None,
        part_concurrency: int,
        on_progress: ProgressArg,
    ) -> Flow[StoredFile]:
        with self._reporter(on_progress).task(total=size, desc=p.name, unit="B") as task:
            target = PutTarget(p, size, task, self.upload_timeout, content_type)
            flow = presigned_upload_flow(
                upload,
                target,
                self.policy,
                self._uniform,
                md5=md5,
                part_concurrency=part_concurrency,
            )
            return (yield from flow)

    @operation
    def upload_file_presigned(
        self,
        collection_id: int,
        path: PathLike,
        *,
        md5: str | None = None,
        content_type: str | None = None,
        part_concurrency: int = 4,
        expiration: int = 3600,
        on_progress: ProgressArg = None,
    ) -> Flow[FinalizedFile]:
        """Upload one file the v2 way: presigned URLs, bytes straight to storage (parts in
        parallel), then finalize; the data file made (or reused) for it.

        Expired URLs are asked for again (twice at most). A lost finalize answer is never
        resent: the server is asked for the checksum until the file appears.
        ``FinalizeRejectedError`` says why the server refused the file.
        """
        p, size = check_file(path)
        # Without ``md5`` the engine hashes the file while (single PUT) or beside (multipart)
        # sending it: finalize and the recovery of a lost answer use ``stored.checksum``.
        stored = yield from self._store_presigned(
            collection_id, p, size, md5, content_type, part_concurrency, expiration, on_progress
        )
        entry = finalize_entry(stored)
        try:
            answer = yield from ClientApi.finalize_upload.flow(self, collection_id, [entry])
        except ResponseLostError as lost:
            found = yield from poll_after_lost_finalize(
                lambda: ClientApi.find_data_file.flow(
                    self, stored.checksum, collection_id=collection_id
                ),
                self.policy,
                self._uniform,
            )
            if found is None:
                raise lost from None
            return FinalizedFile(found.id, stored.checksum, size, stored.file_key, None)
        (row,) = answer.results
        if not row.success or row.data_file_id is None:
            raise FinalizeRejectedError(stored.file_key, row.error or "not finalized")
        return FinalizedFile(row.data_file_id, stored.checksum, size, stored.file_key, row.created)

    @operation
    def upload_files_presigned_v1(
        self,
        paths: Sequence[PathLike],
        *,
        max_workers: int = 10,
        batch_size: int = 200,
        part_concurrency: int = 4,
        on_progress: ProgressArg = None,
    ) -> Flow[ConfirmUploadResponse]:
        """Upload many files as the tenant's data files through v1 presigned uploads:
        URLs for ``batch_size`` files at a time, ``max_workers`` PUTs in flight, one confirm
        per batch; the confirm answer of every batch merged (``created_count`` counts new
        and matched files). Every path is checked before anything is sent; a file that fails
        is a failed row (its checksum empty when it never reached storage), never a lost
        batch. A lost confirm is never resent: the checksums
        are asked for (``verify_checksums``), and files found are rows without an id.
        """
        if not 1 <= batch_size <= 1000 or max_workers < 1:
            raise ValueError("batch_size must be 1-1000 and max_workers >= 1")
        files = [check_file(path) for path in paths]
        for checked, _ in files:
            if len(checked.name) > 255:
                raise ValueError(f"{checked}: the filename must be 1-255 characters")
        rows: list[dict[str, object]] = []
        with self._reporter(on_progress).task(total=len(files), desc="files", unit="file") as bar:
            for batch in batched(files, batch_size):
                announced = [(p.name, size) for p, size in batch]
                answer = yield from ClientApi.request_presigned_uploads_v1.flow(self, announced)
                puts = [
                    self._put_one(upload, p, size, part_concurrency, bar.advance)
                    for (p, size), upload in zip(batch, answer.files, strict=True)
                ]
                outcomes = yield Parallel(puts, max_workers)
                stored = [o for o in outcomes if isinstance(o, StoredFile)]
                rows += [
                    {
                        "file_key": u.file_key,
                        "checksum": "",
                        "success": False,
                        "data_file_id": None,
                        "error": str(o),
                    }
                    for u, o in zip(answer.files, outcomes, strict=True)
                    if not isinstance(o, StoredFile)
                ]
                if stored:
                    rows += yield from self._confirm_v1(stored)
        created = sum(1 for row in rows if row["success"])
        return ConfirmUploadResponse.from_dict(
            {"results": rows, "created_count": created, "failed_count": len(rows) - created}
        )

    def _put_one(
        self,
        upload: PresignedUploadFile,
        p: Path,
        size: int,
        part_concurrency: int,
        done: Callable[[int], None],
    ) -> Flow[StoredFile | ClientError | OSError]:
        try:
            stored = yield from self._put_presigned(
                upload, p, size, None, None, part_concurrency, None
            )
        except (ClientError, OSError) as exc:
            return exc
        done(1)
        return stored

    def _confirm_v1(self, stored: list[StoredFile]) -> Flow[list[dict[str, object]]]:
        entries = [ConfirmUploadFile.from_dict(finalize_entry(s).to_dict()) for s in stored]
        try:
            answer = yield from ClientApi.confirm_presigned_uploads_v1.flow(self, entries)
        except ResponseLostError as lost:
            missing = {s.checksum for s in stored}

            def all_held() -> Flow[bool | None]:
                missing.difference_update(
                    (yield from ClientApi.verify_checksums.flow(self, missing))
                )
                return True if not missing else None

            yield from poll_after_lost_finalize(all_held, self.policy, self._uniform)
            return [
                {
                    "file_key": s.file_key,
                    "checksum": s.checksum,
                    "success": s.checksum not in missing,
                    "data_file_id": None,
                    "error": str(lost) if s.checksum in missing else None,
                }
                for s in stored
            ]
        except ClientError as exc:
            return [
                {
                    "file_key": s.file_key,
                    "checksum": s.checksum,
                    "success": False,
                    "error": str(exc),
                }
                for s in stored
            ]
        return [row.to_dict() for row in answer.results]

    def _store_presigned(
        self,
        collection_id: int,
        p: Path,
        size: int,
        md5: str | None,
        content_type: str | None,
        part_concurrency: int,
        expiration: int,
        on_progress: ProgressArg,
    ) -> Flow[StoredFile]:
        renewals = 2
        while True:
            urls = yield from ClientApi.request_upload_urls.flow(
                self, collection_id, [_announced(p.name, size, content_type)], expiration=expiration
            )
            (upload,) = urls.files
            try:
                return (
                    yield from self._put_presigned(
                        upload, p, size, md5, content_type, part_concurrency, on_progress
                    )
                )
            except PresignedUrlExpiredError:
                if renewals == 0:
                    raise
                renewals -= 1

    # -- data units and tasks ----------------------------------------------------------------
    @operation
    def create_units(
        self, units: DataUnitCreate | Sequence[DataUnitCreate]
    ) -> Flow[list[DataUnit]]:
        """Create one unit (object body) or several (array body); always a list back.

        Retried only when the server says it did not process the request; a lost response
        raises ``ResponseLostError``: the caller must reconcile, not resend.
        """
        return self._retrying(ops.new_units(units))

    create_data_units = create_units.renamed_from("create_data_units")

    @operation
    def get_unit(self, unit_id: int) -> Flow[DataUnit]:
        """One data unit with its files."""
        return self._retrying(ops.get_unit(unit_id))

    get_data_unit = get_unit.renamed_from("get_data_unit")

    @operation
    def list_units(
        self,
        *,
        collection_id: int | None = None,
        page: int | None = None,
        page_size: int | None = None,
    ) -> Flow[PaginatedDataUnitList]:
        """One page of data units, optionally of one collection."""
        return self._retrying(ops.list_units(collection_id, page, page_size))

    list_data_units = list_units.renamed_from("list_data_units")

    @pages
    def iter_units(
        self, *, collection_id: int | None = None, page_size: int = 100
    ) -> Pages[DataUnit]:
        """Every data unit (of one collection, if given), following ``next`` URLs as given."""
        first = ops.list_units(collection_id, None, page_size)
        return self._pages(first, PaginatedDataUnitList)  # type: ignore[return-value]

    iter_data_units = iter_units.renamed_from("iter_data_units")

    @operation
    def create_tasks(self, project_id: int, unit_ids: Sequence[int]) -> Flow[list[Task]]:
        """Create one task per data unit in ``project_id`` (existing ones come back as is)."""
        return self._retrying(ops.new_tasks(project_id, unit_ids))
