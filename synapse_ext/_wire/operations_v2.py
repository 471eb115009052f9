"""The v2 operation table (``/v2/...``) and the v1 presigned pair: one ``Op`` builder each.

v2 answers are envelopes ``{data, meta}``: ``accept`` (the generated ``parsed`` value) and
``parse`` (raw JSON) both unwrap them to ``data``, and list envelopes to a
:class:`~synapse_ext.client.CursorPage`. ``dry_run`` is sent as the query parameter
(only when true). ``safe`` says whether a request whose answer was lost may be sent again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from synapse_client.api.data_files import confirm_presigned_uploads, create_presigned_uploads
from synapse_client.api.v2_data_collections import (
    v_2_create_upload_urls,
    v_2_finalize_upload,
    v_2_get_data_collection,
    v_2_list_data_collections,
)
from synapse_client.api.v2_data_files import v_2_get_data_file, v_2_list_data_files
from synapse_client.api.v2_data_units import (
    v_2_bulk_create_data_units,
    v_2_get_data_unit,
    v_2_list_data_units,
)
from synapse_client.api.v2_tasks import v_2_bulk_create_tasks
from synapse_client.models import (
    ConfirmUploadFile,
    ConfirmUploadRequest,
    ConfirmUploadResponse,
    DataCollectionCategory,
    DataCollectionV2Detail,
    DataCollectionV2List,
    DataFileV2Detail,
    DataFileV2List,
    DataUnitV2BulkCreateItem,
    DataUnitV2BulkCreateRequest,
    DataUnitV2BulkCreateResult,
    DataUnitV2Detail,
    DataUnitV2List,
    FinalizeUploadFile,
    FinalizeUploadRequest,
    FinalizeUploadResponse,
    PresignedUploadFileRequest,
    PresignedUploadRequest,
    PresignedUploadResponse,
    PresignedUploadV1FileRequest,
    PresignedUploadV1Request,
    TaskV2BulkCreateRequest,
    TaskV2BulkCreateResult,
    V2DataCollectionDetailEnvelope,
    V2DataCollectionListEnvelope,
    V2DataFileDetailEnvelope,
    V2DataFileListEnvelope,
    V2DataUnitBulkCreateEnvelope,
    V2DataUnitDetailEnvelope,
    V2DataUnitListEnvelope,
    V2FinalizeUploadEnvelope,
    V2PresignedUploadEnvelope,
    V2TaskBulkCreateEnvelope,
)
from synapse_client.types import UNSET, Unset

from .call import Op
from .pages import CursorPage

__all__ = [
    "bulk_create_tasks",
    "bulk_create_units",
    "confirm_presigned_v1",
    "finalize_upload",
    "get_collection",
    "get_data_file",
    "get_unit",
    "list_collections",
    "list_data_files",
    "list_units",
    "presigned_uploads_v1",
    "upload_urls",
]

D = TypeVar("D")


def _opt(value: D | None) -> D | Unset:
    return UNSET if value is None else value


def _dry(dry_run: bool) -> bool | Unset:
    return True if dry_run else UNSET


def _data(envelope: type[Any]) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(parse, accept) that unwrap ``envelope`` to its ``data``."""

    def accept(parsed: Any) -> Any:
        return parsed.data if isinstance(parsed, envelope) else None

    return (lambda raw: envelope.from_dict(raw).data), accept


def _page(envelope: Any) -> CursorPage[Any]:
    pagination = envelope.meta.pagination
    return CursorPage(
        items=list(envelope.data),
        next_cursor=pagination.next_cursor,
        previous_cursor=pagination.previous_cursor,
        per_page=pagination.per_page,
        request_id=envelope.meta.request_id,
    )


def _paged(envelope: type[Any]) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(parse, accept) that turn the list ``envelope`` into a :class:`CursorPage`."""

    def accept(parsed: Any) -> Any:
        return _page(parsed) if isinstance(parsed, envelope) else None

    return (lambda raw: _page(envelope.from_dict(raw))), accept


# -- data collections ---------------------------------------------------------------------------
def list_collections(
    category: DataCollectionCategory | None, cursor: str | None, per_page: int | None
) -> Op[CursorPage[DataCollectionV2List]]:
    parse, accept = _paged(V2DataCollectionListEnvelope)
    return Op(
        "v2_list_data_collections",
        v_2_list_data_collections,
        parse,
        accept,
        kwargs={"category": _opt(category), "cursor": _opt(cursor), "per_page": _opt(per_page)},
    )


def get_collection(collection_id: int) -> Op[DataCollectionV2Detail]:
    parse, accept = _data(V2DataCollectionDetailEnvelope)
    return Op(
        "v2_get_data_collection",
        v_2_get_data_collection,
        parse,
        accept,
        args=(collection_id,),
    )


def upload_urls(
    collection_id: int,
    files: Sequence[PresignedUploadFileRequest],
    expiration: int,
    dry_run: bool,
    read_timeout: float | None = None,
) -> Op[PresignedUploadResponse]:
    parse, accept = _data(V2PresignedUploadEnvelope)
    return Op(
        "v2_create_upload_urls",
        v_2_create_upload_urls,
        parse,
        accept,
        args=(collection_id,),
        kwargs={
            "body": PresignedUploadRequest(files=list(files), expiration=expiration),
            "dry_run": _dry(dry_run),
        },
        # A resend only issues fresh presigned URLs (nothing is stored until finalize), so a
        # lost answer may be asked for again.
        safe=True,
        read_timeout=read_timeout,
    )


def finalize_upload(
    collection_id: int, files: Sequence[FinalizeUploadFile], dry_run: bool, read_timeout: float
) -> Op[FinalizeUploadResponse]:
    parse, accept = _data(V2FinalizeUploadEnvelope)
    return Op(
        "v2_finalize_upload",
        v_2_finalize_upload,
        parse,
        accept,
        args=(collection_id,),
        kwargs={"body": FinalizeUploadRequest(files=list(files)), "dry_run": _dry(dry_run)},
        # Creates data files: never resent blindly once it may have been applied; the caller
        # reconciles through GET /v2/data-files/?checksum= (find_data_file).
        safe=False,
        read_timeout=read_timeout,  # multi-GB finalizes took 25-31 s in production
    )


# -- data files ---------------------------------------------------------------------------------
def list_data_files(
    checksum: str | None, collection_id: int | None, cursor: str | None, per_page: int | None
) -> Op[CursorPage[DataFileV2List]]:
    parse, accept = _paged(V2DataFileListEnvelope)
    return Op(
        "v2_list_data_files",
        v_2_list_data_files,
        parse,
        accept,
        kwargs={
            "checksum": _opt(checksum),
            "data_collection": _opt(collection_id),
            "cursor": _opt(cursor),
            "per_page": _opt(per_page),
        },
    )


def get_data_file(data_file_id: int) -> Op[DataFileV2Detail]:
    parse, accept = _data(V2DataFileDetailEnvelope)
    return Op("v2_get_data_file", v_2_get_data_file, parse, accept, args=(data_file_id,))


# -- data units and tasks -----------------------------------------------------------------------
def bulk_create_units(
    collection_id: int, units: Sequence[DataUnitV2BulkCreateItem], dry_run: bool
) -> Op[DataUnitV2BulkCreateResult]:
    parse, accept = _data(V2DataUnitBulkCreateEnvelope)
    body = DataUnitV2BulkCreateRequest(data_collection=collection_id, units=list(units))
    return Op(
        "v2_bulk_create_data_units",
        v_2_bulk_create_data_units,
        parse,
        accept,
        kwargs={"body": body, "dry_run": _dry(dry_run)},
        # The server is idempotent on it (the same files in the same collection are one unit,
        # answered with created=false): resending a lost request creates nothing twice.
        safe=True,
    )


def list_units(
    collection_id: int | None, cursor: str | None, per_page: int | None
) -> Op[CursorPage[DataUnitV2List]]:
    parse, accept = _paged(V2DataUnitListEnvelope)
    return Op(
        "v2_list_data_units",
        v_2_list_data_units,
        parse,
        accept,
        kwargs={
            "data_collection": _opt(collection_id),
            "cursor": _opt(cursor),
            "per_page": _opt(per_page),
        },
    )


def get_unit(unit_id: int) -> Op[DataUnitV2Detail]:
    parse, accept = _data(V2DataUnitDetailEnvelope)
    return Op("v2_get_data_unit", v_2_get_data_unit, parse, accept, args=(unit_id,))


def bulk_create_tasks(
    project_id: int, unit_ids: Sequence[int], dry_run: bool
) -> Op[TaskV2BulkCreateResult]:
    parse, accept = _data(V2TaskBulkCreateEnvelope)
    body = TaskV2BulkCreateRequest(project=project_id, data_unit_ids=list(unit_ids))
    return Op(
        "v2_bulk_create_tasks",
        v_2_bulk_create_tasks,
        parse,
        accept,
        kwargs={"body": body, "dry_run": _dry(dry_run)},
        # Idempotent on the server: units that already have a task in the project are skipped,
        # so a resend creates no second task.
        safe=True,
    )


# -- v1 presigned pair --------------------------------------------------------------------------
def presigned_uploads_v1(
    files: Sequence[PresignedUploadV1FileRequest], expiration: int
) -> Op[PresignedUploadResponse]:
    def accept(parsed: Any) -> PresignedUploadResponse | None:
        return parsed if isinstance(parsed, PresignedUploadResponse) else None

    return Op(
        "create_presigned_uploads",
        create_presigned_uploads,
        PresignedUploadResponse.from_dict,
        accept,
        kwargs={"body": PresignedUploadV1Request(files=list(files), expiration=expiration)},
        safe=True,  # a resend only issues fresh presigned URLs
    )


def confirm_presigned_v1(
    files: Sequence[ConfirmUploadFile], read_timeout: float
) -> Op[ConfirmUploadResponse]:
    def accept(parsed: Any) -> ConfirmUploadResponse | None:
        return parsed if isinstance(parsed, ConfirmUploadResponse) else None

    return Op(
        "confirm_presigned_uploads",
        confirm_presigned_uploads,
        ConfirmUploadResponse.from_dict,
        accept,
        kwargs={"body": ConfirmUploadRequest(files=list(files))},
        # Creates data files: never resent blindly; reconcile by checksum instead.
        safe=False,
        read_timeout=read_timeout,
    )
