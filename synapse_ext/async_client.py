"""``AsyncSynapseClient``: the typed asyncio client; same methods as ``SynapseClient``."""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import anyio
import httpx
from synapse_client.client import AuthenticatedClient
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

from . import _ops
from ._base import DEFAULT_TIMEOUT, ClientBase, ProgressArg, UploadHook, batched
from ._call import Op, execute_async
from ._files import CHUNKED_THRESHOLD, MiB, check_file, file_md5, read_range
from ._transport import AsyncRecordingTransport
from .chunking import (
    Advance,
    Created,
    Finalize,
    Flow,
    GetState,
    Put,
    Read,
    ResumePoint,
    Sleep,
    chunked_upload_flow,
)
from .errors import (
    MAYBE_APPLIED,
    ClientError,
    DataFileUnconfirmedError,
    ResponseLostError,
    ServerError,
)
from .progress import ProgressTask
from .retry import DEFAULT_RETRY, RetryPolicy, run_async
from .upload_resume import ResumeSession, ResumeStore

__all__ = ["AsyncSynapseClient"]

logger = logging.getLogger("synapse_ext")
T = TypeVar("T")
PathLike = str | os.PathLike[str]


class AsyncSynapseClient(ClientBase):
    """Async twin of :class:`SynapseClient`: identical method names, awaited.

    File reads run in a worker thread, so the event loop never blocks on disk.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        tenant: str | None = None,
        legacy_token: str | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        upload_timeout: float = 300.0,
        max_connections: int = 10,
        retry: RetryPolicy | None = DEFAULT_RETRY,
        transport: httpx.AsyncBaseTransport | None = None,
        progress: ProgressArg = None,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        super().__init__(
            base_url,
            token,
            tenant=tenant,
            legacy_token=legacy_token,
            timeout=timeout,
            upload_timeout=upload_timeout,
            max_connections=max_connections,
            retry=retry,
            progress=progress,
            uniform=uniform,
        )
        self._sleep = sleep
        inner = transport or httpx.AsyncHTTPTransport(limits=self._limits())
        self._http = httpx.AsyncClient(
            transport=AsyncRecordingTransport(inner), **self._httpx_kwargs()
        )
        # Auth headers live on our own httpx client; see SynapseClient.
        self._client = AuthenticatedClient(base_url=self.base_url, token="", prefix="")
        self._client.set_async_httpx_client(self._http)

    # -- lifecycle -------------------------------------------------------------------------
    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- plumbing --------------------------------------------------------------------------
    async def _once(self, op: Op[T]) -> T:
        return await execute_async(self._client, op)

    async def _run(self, op: Op[T]) -> T:
        return await run_async(
            lambda: execute_async(self._client, op),
            name=op.name,
            policy=self.retry,
            sleep=self._sleep,
            uniform=self._uniform,
            safe=op.safe,
        )

    # -- data collections --------------------------------------------------------------------
    async def list_collections(
        self, *, page: int | None = None, page_size: int | None = None
    ) -> PaginatedDataCollectionList:
        """One page of data collections."""
        return await self._run(_ops.list_collections(page, page_size))

    async def iter_collections(self, *, page_size: int = 100) -> AsyncIterator[DataCollection]:
        """Every data collection, following ``next`` URLs exactly as given."""
        page = await self.list_collections(page_size=page_size)
        for item in page.results:
            yield item
        while page.next_:
            page = await self._run(_ops.next_page(page.next_, PaginatedDataCollectionList))
            for item in page.results:
                yield item

    async def get_collection(
        self, collection_id: int, *, with_specifications: bool = True
    ) -> DataCollection:
        """One data collection (with ``file_specifications`` unless told otherwise)."""
        expand = "file_specifications" if with_specifications else None
        return await self._run(_ops.get_collection(collection_id, expand))

    # -- data files ------------------------------------------------------------------------
    async def verify_checksums(self, checksums: Iterable[str]) -> set[str]:
        """The subset of ``checksums`` (MD5 hex) the server already has; 1000 per request."""
        existing: set[str] = set()
        for batch in batched(dict.fromkeys(checksums), 1000):
            found = await self._run(_ops.verify_checksums(batch))
            existing |= found
        return existing

    async def upload_file(
        self,
        path: PathLike,
        *,
        chunked: bool | None = None,
        chunk_size: int = 50 * MiB,
        on_progress: ProgressArg = None,
        resume_store: ResumeStore | None = None,
    ) -> DataFile:
        """Upload one file: direct up to 50 MiB, chunked above (unless ``chunked`` says).

        ``resume_store`` (chunked only) keeps the upload id across runs: an interrupted upload
        of the same file (path, size, mtime) continues where the server stopped.
        """
        p, size = check_file(path)
        if chunked is None:
            chunked = size > CHUNKED_THRESHOLD
        if not chunked:
            return await self.upload_file_direct(p, on_progress=on_progress)
        session = ResumeSession.open(resume_store, p) if resume_store is not None else None
        upload = await self.create_chunked_upload(
            p,
            chunk_size=chunk_size,
            on_progress=on_progress,
            resume=session.point if session is not None else None,
            on_upload=session.created if session is not None else None,
        )
        with session.finishing() if session is not None else contextlib.nullcontext():
            return await self._data_file_from_upload(upload, p)

    async def upload_file_direct(
        self, path: PathLike, *, on_progress: ProgressArg = None
    ) -> DataFile:
        """POST the whole file as one multipart part (the file is read once per attempt)."""
        p, size = check_file(path)
        op = _ops.data_file_direct(p.name, lambda: p.open("rb"), self.upload_timeout)
        with self._reporter(on_progress).task(total=size, desc=p.name, unit="B") as task:
            result = await self._create_data_file(op, p)
            task.advance(size)
        return result

    async def create_chunked_upload(
        self,
        path: PathLike,
        *,
        chunk_size: int = 50 * MiB,
        on_progress: ProgressArg = None,
        resume: ResumePoint | str | None = None,
        on_upload: UploadHook | None = None,
    ) -> ChunkedUpload:
        """Upload ``path`` in chunks and finalize it; returns the completed upload.

        ``resume`` (an upload id or :class:`ResumePoint`) continues that upload from the
        server's offset; if it is gone, expired or does not fit the file, a new one starts.
        ``on_upload(upload)`` is called once the server created a new upload (first chunk
        stored), before any further chunk is sent.
        """
        p, size = check_file(path)
        point = ResumePoint(resume) if isinstance(resume, str) else resume
        flow = chunked_upload_flow(
            size, chunk_size, self._engine_policy, self._uniform, resume=point
        )
        with self._reporter(on_progress).task(total=size, desc=p.name, unit="B") as task:
            return await self._drive(flow, p, task, on_upload)

    async def create_data_file_from_chunked_upload(self, upload_id: str) -> DataFile:
        """Create the data file of a completed chunked upload."""
        return await self._run(_ops.data_file_from_upload(upload_id, self.upload_timeout))

    async def get_chunked_upload(self, upload_id: str) -> ChunkedUpload:
        """The state of a chunked upload (``offset``, ``completed_at``)."""
        return await self._run(_ops.get_upload(upload_id))

    async def _data_file_from_upload(self, upload: ChunkedUpload, path: Path) -> DataFile:
        op = _ops.data_file_from_upload(upload.id, self.upload_timeout)
        return await self._create_data_file(op, path, md5=upload.checksum or None)

    async def _create_data_file(self, op: Op[DataFile], path: Path, md5: Any = None) -> DataFile:
        attempts = max(2, self._engine_policy.max_attempts)
        checksum = md5 if isinstance(md5, str) else None
        for n in range(attempts):
            try:
                return await self._run(op)
            except (ResponseLostError, ServerError) as lost:
                if isinstance(lost, ServerError) and lost.status_code not in MAYBE_APPLIED:
                    raise
                if checksum is None:
                    checksum = await anyio.to_thread.run_sync(file_md5, path)
                if checksum in await self.verify_checksums([checksum]):
                    # The server applied the POST: never send the content again.
                    logger.warning("data_files/ response lost for %s; the server has it", path.name)
                    raise DataFileUnconfirmedError(path.name, checksum) from lost
                if n + 1 >= attempts:
                    raise
                # Not applied (the server commits before it answers): sending again is safe.
                logger.warning("data_files/ lost for %s; not applied; resending", path.name)
                await self._sleep(self._engine_policy.backoff(n, self._uniform))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _drive(
        self, flow: Flow, path: Path, task: ProgressTask, on_upload: UploadHook | None = None
    ) -> ChunkedUpload:
        """Run the pure chunk engine with async I/O."""
        result: Any = None
        try:
            while True:
                intent = flow.send(result)
                if isinstance(intent, Created):
                    # Outside _perform: a failure to persist the id must stop the upload.
                    hooked = on_upload(intent.upload) if on_upload is not None else None
                    result = await hooked if inspect.isawaitable(hooked) else None
                    continue
                result = await self._perform(intent, path, task)
        except StopIteration as stop:
            value: ChunkedUpload = stop.value
            return value

    async def _perform(self, intent: Any, path: Path, task: ProgressTask) -> Any:
        try:
            if isinstance(intent, Read):
                return await anyio.to_thread.run_sync(
                    read_range, path, intent.start, intent.length, intent.digest
                )
            if isinstance(intent, Put):
                return await self._put(intent, path)
            if isinstance(intent, GetState):
                return await self._once(_ops.get_upload(intent.upload_id))
            if isinstance(intent, Finalize):
                return await self._once(
                    _ops.complete_upload(intent.upload, intent.md5, self.upload_timeout)
                )
            if isinstance(intent, Sleep):
                await self._sleep(intent.seconds)
            elif isinstance(intent, Advance):
                task.advance(intent.n)
            return None
        except ClientError as error:
            return error

    async def _put(self, intent: Put, path: Path) -> ChunkedUpload:
        """Send one chunk while a worker thread hashes it (MD5 releases the GIL)."""
        op = _ops.put_chunk(
            intent.upload,
            self.base_url,
            path.name,
            intent.data,
            intent.content_range,
            self.upload_timeout,
        )
        outcome: ChunkedUpload | ClientError
        async with anyio.create_task_group() as tg:
            tg.start_soon(anyio.to_thread.run_sync, intent.digest.update, intent.data)
            try:
                outcome = await self._once(op)
            except ClientError as error:  # raised outside the group: never an ExceptionGroup
                outcome = error
        if isinstance(outcome, ClientError):
            raise outcome
        return outcome

    # -- data units and tasks ----------------------------------------------------------------
    async def create_data_units(
        self, units: DataUnitCreate | Sequence[DataUnitCreate]
    ) -> list[DataUnit]:
        """Create one unit (object body) or several (array body); always a list back.

        A lost response raises ``ResponseLostError``: the caller must reconcile, not resend.
        """
        return await self._run(_ops.new_units(units))

    async def get_data_unit(self, unit_id: int) -> DataUnit:
        """One data unit with its files."""
        return await self._run(_ops.get_unit(unit_id))

    async def list_data_units(
        self,
        *,
        collection_id: int | None = None,
        page: int | None = None,
        page_size: int | None = None,
    ) -> PaginatedDataUnitList:
        """One page of data units, optionally of one collection."""
        return await self._run(_ops.list_units(collection_id, page, page_size))

    async def iter_data_units(
        self, *, collection_id: int | None = None, page_size: int = 100
    ) -> AsyncIterator[DataUnit]:
        """Every data unit, following ``next`` URLs exactly as given."""
        page = await self.list_data_units(collection_id=collection_id, page_size=page_size)
        for item in page.results:
            yield item
        while page.next_:
            page = await self._run(_ops.next_page(page.next_, PaginatedDataUnitList))
            for item in page.results:
                yield item

    async def create_tasks(self, project_id: int, unit_ids: Sequence[int]) -> list[Task]:
        """Create one task per data unit in ``project_id`` (existing ones come back as is)."""
        return await self._run(_ops.new_tasks(project_id, unit_ids))
