"""Every public method of the typed clients, written once as a flow.

``SynapseClient`` and ``AsyncSynapseClient`` inherit this class; :mod:`._worlds` turns each
``@operation``/``@pages`` flow into a blocking or an awaitable method. Nothing here does I/O.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from synapse_client.models import (
    ChunkedUpload,
    DataCollection,
    DataFile,
    DataUnit,
    DataUnitCreate,
    PaginatedDataCollectionList,
    PaginatedDataUnitList,
    Task,
)

from .._flow import Emit, Flow, Pages, PageTokens, batched, blocking, retrying
from .._wire import operations as ops
from .._wire.call import Op
from ..errors import (
    DataFileUnconfirmedError,
)
from ..policy import DEFAULT_RETRY, NO_RETRY, RetryPolicy, Uniform
from ..progress import ProgressReporter, as_reporter
from ..sources import FileRef, open_binary
from ..upload._chunked import ChunkTarget, ResumePoint, chunked_upload_flow
from ..upload._data_file import create_data_file_flow
from ..upload._files import CHUNKED_THRESHOLD, MiB, check_file
from ..upload.resume import ResumeSession, ResumeStore
from ._api_presigned import ClientApiPresigned, PathLike
from ._auth import SynapseAuth
from ._options import (
    DEFAULT_MAX_CONNECTIONS,
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


SleepT = TypeVar("SleepT")
T = TypeVar("T")
Page = TypeVar("Page", PaginatedDataCollectionList, PaginatedDataUnitList)


class ClientApi(ClientApiPresigned, Generic[TransportT, SleepT]):
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
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
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
        """Emit ``page``'s items, then every later page's (``next`` URLs followed as given;
        one that comes back twice raises ``ProtocolError``)."""
        yield Emit(page.results)
        tokens = PageTokens("next URL")
        while page.next_:
            page = yield from self._retrying(ops.next_page(tokens.follow(page.next_), model))
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

    def _direct(self, p: FileRef, size: int, on_progress: ProgressArg) -> Flow[DataFile]:
        op = ops.data_file_direct(p.name, lambda: open_binary(p), self.upload_timeout)
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
        p: FileRef,
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
