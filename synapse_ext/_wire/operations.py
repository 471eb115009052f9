"""The operation table: one ``Op`` builder per API operation, used by both worlds.

Each builder names the generated endpoint module and its arguments; the drivers send it with
``sync_detailed`` or ``asyncio_detailed``. Bodies that hold file handles or buffers are built
afresh for every attempt (``arguments``), never a seeked handle (see the anchors).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
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

from ..sources import FileRef
from .call import Op, RawRequest
from .storage import StoragePut, etag_of

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
    "storage_put",
    "verify_checksums",
]

M = TypeVar("M")


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


class _ChunkBody(BytesIO):
    """A chunk's buffer that httpx reads in pieces of :data:`PIECE` bytes, not 64 KiB.

    httpx reads a multipart file field 64 KiB at a time, and each piece costs a pass through
    httpx, h11 and httpcore plus a send call: for a 50 MiB chunk, 800 of them. Larger pieces
    keep the one copy a read makes but cut those passes; not the whole chunk at once, as
    httpcore re-slices (copies) what a partial send leaves, so a huge piece is copied again
    and again.
    """

    def read(self, size: int | None = -1, /) -> bytes:
        """Up to ``max(size, PIECE)`` bytes (everything when ``size`` is negative)."""
        if size is None or size < 0:
            return super().read()
        return super().read(max(size, PIECE))


PIECE = 1 << 20
"""Bytes per piece of a chunk's body handed to httpx (see :class:`_ChunkBody`)."""


def _opt(value: M | None) -> M | Unset:
    return UNSET if value is None else value


def list_collections(page: int | None, page_size: int | None) -> Op[PaginatedDataCollectionList]:
    return Op(
        "list_data_collections",
        list_data_collections,
        PaginatedDataCollectionList.from_dict,
        _accept(PaginatedDataCollectionList),
        kwargs={"page": _opt(page), "page_size": _opt(page_size)},
    )


def next_page(url: str, model: type[M]) -> Op[M]:
    """GET an absolute ``next`` URL exactly as given."""
    # The generator only builds relative paths; ``next`` must be followed verbatim.
    return Op("next_page", RawRequest("GET", url), model.from_dict, _accept(model))  # type: ignore[attr-defined]


def get_collection(collection_id: int, expand: str | None) -> Op[DataCollection]:
    return Op(
        "get_data_collection",
        get_data_collection,
        DataCollection.from_dict,
        _accept(DataCollection),
        args=(collection_id,),
        kwargs={"expand": _opt(expand)},
    )


def data_file_direct(
    name: str, open_file: Callable[[], BinaryIO], read_timeout: float
) -> Op[DataFile]:
    """POST data_files/ with one multipart ``file`` part, streamed from a fresh handle per attempt.

    httpx reads the handle in 64 KiB pieces (Content-Length from its size), so memory does not
    grow with the file, and every attempt starts again from byte 0.
    """

    @contextlib.contextmanager
    def arguments() -> Iterator[dict[str, Any]]:
        with open_file() as fh:
            yield {"body": DataFileUpload(file=File(payload=fh, file_name=name))}

    return Op(
        "create_data_file",
        create_data_file,
        DataFile.from_dict,
        _accept(DataFile),
        arguments=arguments,
        safe=False,
        read_timeout=read_timeout,
    )


def data_file_from_upload(upload_id: str, read_timeout: float) -> Op[DataFile]:
    """POST data_files/ with ``{"chunked_upload": id}``."""
    return Op(
        "create_data_file",
        create_data_file,
        DataFile.from_dict,
        _accept(DataFile),
        kwargs={"body": DataFileFromChunkedUpload(chunked_upload=upload_id)},
        safe=False,
        read_timeout=read_timeout,
    )


def verify_checksums(checksums: Sequence[str]) -> Op[set[str]]:
    def accept(parsed: Any) -> set[str] | None:
        if isinstance(parsed, VerifyChecksumsResponse):
            return set(parsed.existing_checksums)
        return None

    return Op(
        "verify_data_file_checksums",
        verify_data_file_checksums,
        lambda data: set(VerifyChecksumsResponse.from_dict(data).existing_checksums),
        accept,
        kwargs={"body": VerifyChecksumsRequest(checksums=list(checksums))},
        safe=True,  # read-only despite POST
    )


def put_chunk(
    upload: ChunkedUpload | None,
    base_url: str,
    filename: str,
    data: bytes,
    content_range: str,
    read_timeout: float,
) -> Op[ChunkedUpload]:
    """PUT one chunk: creates the upload when ``upload`` is None, else appends to it."""
    endpoint: Any = create_chunked_upload
    args: tuple[Any, ...] = ()
    raw = False
    if upload is not None and upload.url == f"{base_url.rstrip('/')}/chunked_upload/{upload.id}/":
        endpoint, args = upload_chunk, (upload.id,)
    elif upload is not None:
        # The server's ``url`` points elsewhere; it must be used exactly as given, which the
        # generated function (relative paths only) cannot express.
        endpoint, raw = RawRequest("PUT", upload.url, {"Content-Range": content_range}), True

    @contextlib.contextmanager
    def arguments() -> Iterator[dict[str, Any]]:
        # A fresh exact-length BytesIO per attempt: never a seeked file handle (see anchors).
        body = ChunkUpload(file=File(payload=_ChunkBody(data), file_name="file"), filename=filename)
        try:
            yield {"files": body.to_multipart()} if raw else {"body": body}
        finally:
            # httpx keeps the request (and so this buffer) alive in response reference cycles
            # until a GC pass; closing the BytesIO frees the chunk now (bounded peak memory).
            body.file.payload.close()

    return Op(
        "upload_chunk" if upload is not None else "create_chunked_upload",
        endpoint,
        ChunkedUpload.from_dict,
        _accept(ChunkedUpload),
        args=args,
        kwargs={} if raw else {"content_range": content_range},
        arguments=arguments,
        read_timeout=read_timeout,
    )


def complete_upload(upload: ChunkedUpload, md5: str, read_timeout: float) -> Op[ChunkedUpload]:
    """POST the finalize request with the whole file's MD5."""
    return Op(
        "complete_chunked_upload",
        complete_chunked_upload,
        ChunkedUpload.from_dict,
        _accept(ChunkedUpload),
        args=(upload.id,),
        kwargs={"body": ChunkedUploadComplete(md5=md5)},
        safe=False,
        read_timeout=read_timeout,
    )


def get_upload(upload_id: str) -> Op[ChunkedUpload]:
    return Op(
        "get_chunked_upload",
        get_chunked_upload,
        ChunkedUpload.from_dict,
        _accept(ChunkedUpload),
        args=(upload_id,),
    )


def new_units(units: DataUnitCreate | Sequence[DataUnitCreate]) -> Op[list[DataUnit]]:
    body: DataUnitCreate | list[DataUnitCreate] = (
        units if isinstance(units, DataUnitCreate) else list(units)
    )
    return Op(
        "create_data_units",
        create_data_units,
        _parse_list(DataUnit),
        _accept_list(DataUnit),
        kwargs={"body": body},
        safe=False,
    )


def get_unit(unit_id: int) -> Op[DataUnit]:
    return Op(
        "get_data_unit", get_data_unit, DataUnit.from_dict, _accept(DataUnit), args=(unit_id,)
    )


def list_units(
    collection_id: int | None, page: int | None, page_size: int | None
) -> Op[PaginatedDataUnitList]:
    return Op(
        "list_data_units",
        list_data_units,
        PaginatedDataUnitList.from_dict,
        _accept(PaginatedDataUnitList),
        kwargs={
            "data_collection": _opt(collection_id),
            "page": _opt(page),
            "page_size": _opt(page_size),
        },
    )


def new_tasks(project_id: int, unit_ids: Sequence[int]) -> Op[list[Task]]:
    body = TaskCreateRequest(
        project=project_id, data=[TaskDataItem(data_unit=uid) for uid in unit_ids]
    )
    return Op(
        "create_tasks",
        create_tasks,
        _parse_list(Task),
        _accept_list(Task),
        kwargs={"body": body},
        safe=False,
    )


def storage_put(
    url: str,
    path: FileRef,
    start: int,
    length: int,
    digest: Any,
    read_timeout: float,
    content_type: str | None = None,
) -> Op[str]:
    """PUT a slice of ``path`` to a presigned storage URL; the answer is its unquoted ETag.

    ``digest`` is updated with the bytes as they stream (a fresh one per attempt).
    """
    return Op(
        "storage_put",
        StoragePut(url, path, start, length, digest, content_type),
        etag_of,
        lambda parsed: None,  # not a generated endpoint: unwrap reads the raw response
        read_timeout=read_timeout,
    )
