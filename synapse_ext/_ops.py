"""Builders of ``Op`` values, one per API operation; shared by the sync and async clients."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from io import BytesIO
from typing import Any, BinaryIO, TypeVar

from synapse_client.api.chunked_upload import (
    complete_chunked_upload,
    create_chunked_upload,
    get_chunked_upload,
    upload_chunk,
)
from synapse_client.api.data_collections import get_data_collection, list_data_collections
from synapse_client.api.data_files import create_data_file, verify_data_file_checksums
from synapse_client.api.data_units import create_data_units, get_data_unit, list_data_units
from synapse_client.api.tasks import create_tasks
from synapse_client.client import AuthenticatedClient
from synapse_client.models import (
    ChunkedUpload,
    ChunkedUploadComplete,
    ChunkUpload,
    DataCollection,
    DataFile,
    DataFileFromChunkedUpload,
    DataFileUpload,
    DataUnit,
    DataUnitCreate,
    PaginatedDataCollectionList,
    PaginatedDataUnitList,
    Task,
    TaskCreateRequest,
    TaskDataItem,
    VerifyChecksumsRequest,
    VerifyChecksumsResponse,
)
from synapse_client.types import UNSET, File, Unset

from ._call import Op, Reply

__all__ = [
    "complete_upload",
    "data_file_direct",
    "data_file_from_upload",
    "get_collection",
    "get_unit",
    "get_upload",
    "list_collections",
    "list_units",
    "new_tasks",
    "new_units",
    "next_page",
    "put_chunk",
    "verify_checksums",
]

M = TypeVar("M")
R = TypeVar("R")


def _accept(model: type[M]) -> Callable[[Any], M | None]:
    return lambda parsed: parsed if isinstance(parsed, model) else None


def _accept_list(model: type[M]) -> Callable[[Any], list[M] | None]:
    def accept(parsed: Any) -> list[M] | None:
        if isinstance(parsed, model):
            return [parsed]
        if isinstance(parsed, list) and all(isinstance(x, model) for x in parsed):
            return list(parsed)
        return None

    return accept


def _parse_list(model: Any) -> Callable[[Any], list[Any]]:
    def parse(data: Any) -> list[Any]:
        items = data if isinstance(data, list) else [data]
        return [model.from_dict(item) for item in items]

    return parse


def _opt(value: M | None) -> M | Unset:
    return UNSET if value is None else value


def list_collections(page: int | None, page_size: int | None) -> Op[PaginatedDataCollectionList]:
    kw: dict[str, Any] = {"page": _opt(page), "page_size": _opt(page_size)}
    return Op(
        "list_data_collections",
        lambda c: list_data_collections.sync_detailed(client=c, **kw),
        lambda c: list_data_collections.asyncio_detailed(client=c, **kw),
        PaginatedDataCollectionList.from_dict,
        _accept(PaginatedDataCollectionList),
    )


def next_page(url: str, model: type[M]) -> Op[M]:
    """GET an absolute ``next`` URL exactly as given."""
    # The generator only builds relative paths; ``next`` must be followed verbatim.
    return Op(
        "next_page",
        lambda c: c.get_httpx_client().get(url),
        lambda c: c.get_async_httpx_client().get(url),
        model.from_dict,  # type: ignore[attr-defined]
        _accept(model),
    )


def get_collection(collection_id: int, expand: str | None) -> Op[DataCollection]:
    kw: dict[str, Any] = {"expand": _opt(expand)}
    return Op(
        "get_data_collection",
        lambda c: get_data_collection.sync_detailed(collection_id, client=c, **kw),
        lambda c: get_data_collection.asyncio_detailed(collection_id, client=c, **kw),
        DataCollection.from_dict,
        _accept(DataCollection),
    )


def _direct_body(name: str, fh: BinaryIO) -> DataFileUpload:
    return DataFileUpload(file=File(payload=fh, file_name=name))


def data_file_direct(
    name: str, open_file: Callable[[], BinaryIO], read_timeout: float
) -> Op[DataFile]:
    """POST data_files/ with one multipart ``file`` part, streamed from a fresh handle per attempt.

    httpx reads the handle in 64 KiB pieces (Content-Length from its size), so memory does not
    grow with the file, and every attempt starts again from byte 0.
    """

    def send(c: AuthenticatedClient) -> Reply:
        with open_file() as fh:
            return create_data_file.sync_detailed(client=c, body=_direct_body(name, fh))

    async def asend(c: AuthenticatedClient) -> Reply:
        with open_file() as fh:
            return await create_data_file.asyncio_detailed(client=c, body=_direct_body(name, fh))

    return Op(
        "create_data_file",
        send,
        asend,
        DataFile.from_dict,
        _accept(DataFile),
        safe=False,
        read_timeout=read_timeout,
    )


def data_file_from_upload(upload_id: str, read_timeout: float) -> Op[DataFile]:
    """POST data_files/ with ``{"chunked_upload": id}``."""
    body = DataFileFromChunkedUpload(chunked_upload=upload_id)
    return Op(
        "create_data_file",
        lambda c: create_data_file.sync_detailed(client=c, body=body),
        lambda c: create_data_file.asyncio_detailed(client=c, body=body),
        DataFile.from_dict,
        _accept(DataFile),
        safe=False,
        read_timeout=read_timeout,
    )


def verify_checksums(checksums: Sequence[str]) -> Op[set[str]]:
    body = VerifyChecksumsRequest(checksums=list(checksums))

    def accept(parsed: Any) -> set[str] | None:
        if isinstance(parsed, VerifyChecksumsResponse):
            return set(parsed.existing_checksums)
        return None

    return Op(
        "verify_data_file_checksums",
        lambda c: verify_data_file_checksums.sync_detailed(client=c, body=body),
        lambda c: verify_data_file_checksums.asyncio_detailed(client=c, body=body),
        lambda data: set(VerifyChecksumsResponse.from_dict(data).existing_checksums),
        accept,
        safe=True,  # read-only despite POST
    )


def _chunk_body(filename: str, data: bytes) -> ChunkUpload:
    # A fresh exact-length BytesIO per attempt: never a seeked file handle (see anchors).
    return ChunkUpload(file=File(payload=BytesIO(data), file_name="file"), filename=filename)


def _release(body: ChunkUpload) -> None:
    # httpx keeps the request (and so this buffer) alive in response reference cycles until a
    # GC pass; closing the BytesIO frees the chunk now and keeps peak memory bounded.
    body.file.payload.close()


def _with_body(filename: str, data: bytes, send: Callable[[ChunkUpload], R]) -> R:
    body = _chunk_body(filename, data)
    try:
        return send(body)
    finally:
        _release(body)


async def _with_body_async(
    filename: str, data: bytes, send: Callable[[ChunkUpload], Awaitable[R]]
) -> R:
    body = _chunk_body(filename, data)
    try:
        return await send(body)
    finally:
        _release(body)


def put_chunk(
    upload: ChunkedUpload | None,
    base_url: str,
    filename: str,
    data: bytes,
    content_range: str,
    read_timeout: float,
) -> Op[ChunkedUpload]:
    """PUT one chunk: creates the upload when ``upload`` is None, else appends to it."""
    send: Callable[[AuthenticatedClient, ChunkUpload], Reply]
    asend: Callable[[AuthenticatedClient, ChunkUpload], Awaitable[Reply]]
    name = "upload_chunk"
    if upload is None:
        name = "create_chunked_upload"

        def send(c: AuthenticatedClient, b: ChunkUpload) -> Reply:
            return create_chunked_upload.sync_detailed(
                client=c, body=b, content_range=content_range
            )

        async def asend(c: AuthenticatedClient, b: ChunkUpload) -> Reply:
            return await create_chunked_upload.asyncio_detailed(
                client=c, body=b, content_range=content_range
            )

    elif upload.url == f"{base_url.rstrip('/')}/chunked_upload/{upload.id}/":
        uid = upload.id

        def send(c: AuthenticatedClient, b: ChunkUpload) -> Reply:
            return upload_chunk.sync_detailed(uid, client=c, body=b, content_range=content_range)

        async def asend(c: AuthenticatedClient, b: ChunkUpload) -> Reply:
            return await upload_chunk.asyncio_detailed(
                uid, client=c, body=b, content_range=content_range
            )

    else:
        # The server's ``url`` points elsewhere; it must be used exactly as given, which the
        # generated function (relative paths only) cannot express.
        url = upload.url
        headers = {"Content-Range": content_range}

        def send(c: AuthenticatedClient, b: ChunkUpload) -> Reply:
            return c.get_httpx_client().put(url, files=b.to_multipart(), headers=headers)

        async def asend(c: AuthenticatedClient, b: ChunkUpload) -> Reply:
            return await c.get_async_httpx_client().put(
                url, files=b.to_multipart(), headers=headers
            )

    return Op(
        name,
        lambda c: _with_body(filename, data, lambda b: send(c, b)),
        lambda c: _with_body_async(filename, data, lambda b: asend(c, b)),
        ChunkedUpload.from_dict,
        _accept(ChunkedUpload),
        read_timeout=read_timeout,
    )


def complete_upload(upload: ChunkedUpload, md5: str, read_timeout: float) -> Op[ChunkedUpload]:
    """POST the finalize request with the whole file's MD5."""
    body = ChunkedUploadComplete(md5=md5)
    uid = upload.id
    return Op(
        "complete_chunked_upload",
        lambda c: complete_chunked_upload.sync_detailed(uid, client=c, body=body),
        lambda c: complete_chunked_upload.asyncio_detailed(uid, client=c, body=body),
        ChunkedUpload.from_dict,
        _accept(ChunkedUpload),
        safe=False,
        read_timeout=read_timeout,
    )


def get_upload(upload_id: str) -> Op[ChunkedUpload]:
    return Op(
        "get_chunked_upload",
        lambda c: get_chunked_upload.sync_detailed(upload_id, client=c),
        lambda c: get_chunked_upload.asyncio_detailed(upload_id, client=c),
        ChunkedUpload.from_dict,
        _accept(ChunkedUpload),
    )


def new_units(units: DataUnitCreate | Sequence[DataUnitCreate]) -> Op[list[DataUnit]]:
    body: DataUnitCreate | list[DataUnitCreate] = (
        units if isinstance(units, DataUnitCreate) else list(units)
    )
    return Op(
        "create_data_units",
        lambda c: create_data_units.sync_detailed(client=c, body=body),
        lambda c: create_data_units.asyncio_detailed(client=c, body=body),
        _parse_list(DataUnit),
        _accept_list(DataUnit),
        safe=False,
    )


def get_unit(unit_id: int) -> Op[DataUnit]:
    return Op(
        "get_data_unit",
        lambda c: get_data_unit.sync_detailed(unit_id, client=c),
        lambda c: get_data_unit.asyncio_detailed(unit_id, client=c),
        DataUnit.from_dict,
        _accept(DataUnit),
    )


def list_units(
    collection_id: int | None, page: int | None, page_size: int | None
) -> Op[PaginatedDataUnitList]:
    kw: dict[str, Any] = {
        "data_collection": _opt(collection_id),
        "page": _opt(page),
        "page_size": _opt(page_size),
    }
    return Op(
        "list_data_units",
        lambda c: list_data_units.sync_detailed(client=c, **kw),
        lambda c: list_data_units.asyncio_detailed(client=c, **kw),
        PaginatedDataUnitList.from_dict,
        _accept(PaginatedDataUnitList),
    )


def new_tasks(project_id: int, unit_ids: Sequence[int]) -> Op[list[Task]]:
    body = TaskCreateRequest(
        project=project_id, data=[TaskDataItem(data_unit=uid) for uid in unit_ids]
    )
    return Op(
        "create_tasks",
        lambda c: create_tasks.sync_detailed(client=c, body=body),
        lambda c: create_tasks.asyncio_detailed(client=c, body=body),
        _parse_list(Task),
        _accept_list(Task),
        safe=False,
    )
