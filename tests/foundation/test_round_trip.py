"""A typed round trip through the generated client for one operation per tag (v1 and v2);
every v1 presigned and v2 operation is covered.

Each respx route answers with the spec's own example, so the examples are checked too.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import respx
from synapse_client import AuthenticatedClient
from synapse_client.api.chunked_upload import get_chunked_upload
from synapse_client.api.data_collections import list_data_collections
from synapse_client.api.data_files import (
    confirm_presigned_uploads,
    create_presigned_uploads,
    verify_data_file_checksums,
)
from synapse_client.api.data_units import create_data_units, get_data_unit
from synapse_client.api.tasks import create_tasks
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
    ChunkedUpload,
    ConfirmUploadRequest,
    ConfirmUploadResponse,
    DataUnit,
    DataUnitCreate,
    DataUnitV2BulkCreateRequest,
    FinalizeUploadRequest,
    PaginatedDataCollectionList,
    PresignedUploadRequest,
    PresignedUploadResponse,
    PresignedUploadV1Request,
    Task,
    TaskCreateRequest,
    TaskV2BulkCreateRequest,
    V2DataCollectionDetailEnvelope,
    V2DataCollectionListEnvelope,
    V2DataFileDetailEnvelope,
    V2DataFileListEnvelope,
    V2DataUnitBulkCreateEnvelope,
    V2DataUnitDetailEnvelope,
    V2DataUnitListEnvelope,
    V2ErrorEnvelope,
    V2FinalizeUploadEnvelope,
    V2PresignedUploadEnvelope,
    V2TaskBulkCreateEnvelope,
    VerifyChecksumsRequest,
    VerifyChecksumsResponse,
)

BASE = "https://api.synapse.test"


def client_for(router: respx.Router) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=BASE,
        token="Token secret-token",
        prefix="",
        auth_header_name="Synapse-Access-Token",
        httpx_args={"transport": httpx.MockTransport(router.handler)},
    )


def example(spec: dict[str, Any], name: str) -> Any:
    return spec["components"]["schemas"][name]["example"]


def test_data_collections_list(spec: dict[str, Any]) -> None:
    router = respx.Router(base_url=BASE)
    page = {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [example(spec, "DataCollection")],
    }
    route = router.get("/data_collections/", params={"page_size": "10"}).respond(200, json=page)
    with client_for(router) as client:
        response = list_data_collections.sync_detailed(client=client, page_size=10)
    assert isinstance(response.parsed, PaginatedDataCollectionList)
    assert response.parsed.results[0].name == page["results"][0]["name"]
    sent = route.calls.last.request
    assert sent.headers["Synapse-Access-Token"] == "Token secret-token"


def test_data_files_verify_checksums(spec: dict[str, Any]) -> None:
    router = respx.Router(base_url=BASE)
    route = router.post("/data_files/verify_checksums/").respond(
        200, json=example(spec, "VerifyChecksumsResponse")
    )
    body = VerifyChecksumsRequest.from_dict(example(spec, "VerifyChecksumsRequest"))
    with client_for(router) as client:
        response = verify_data_file_checksums.sync_detailed(client=client, body=body)
    assert isinstance(response.parsed, VerifyChecksumsResponse)
    assert response.parsed.existing_checksums == ["9e107d9d372bb6826bd81d3542a419d6"]
    assert json.loads(route.calls.last.request.content) == example(spec, "VerifyChecksumsRequest")


def test_chunked_upload_state(spec: dict[str, Any]) -> None:
    router = respx.Router(base_url=BASE)
    state = example(spec, "ChunkedUpload")
    router.get(f"/chunked_upload/{state['id']}/").respond(200, json=state)
    with client_for(router) as client:
        response = get_chunked_upload.sync_detailed(state["id"], client=client)
    assert isinstance(response.parsed, ChunkedUpload)
    assert response.parsed.offset == state["offset"]
    assert response.parsed.completed_at is None


def test_data_units_create_array_and_get(spec: dict[str, Any]) -> None:
    router = respx.Router(base_url=BASE)
    unit = example(spec, "DataUnit")
    create = router.post("/data_units/").respond(201, json=[unit])
    router.get(f"/data_units/{unit['id']}/").respond(200, json=unit)
    body = [DataUnitCreate.from_dict(example(spec, "DataUnitCreate"))]
    with client_for(router) as client:
        created = create_data_units.sync_detailed(client=client, body=body)
        fetched = get_data_unit.sync_detailed(unit["id"], client=client)
    assert isinstance(created.parsed, list)
    assert isinstance(created.parsed[0], DataUnit)
    assert json.loads(create.calls.last.request.content) == [example(spec, "DataUnitCreate")]
    assert isinstance(fetched.parsed, DataUnit)
    assert fetched.parsed.files["image"].checksum == unit["files"]["image"]["checksum"]


async def _create_tasks_async(spec: dict[str, Any]) -> Any:
    router = respx.Router(base_url=BASE)
    router.post("/tasks/").respond(201, json=[example(spec, "Task")])
    client = AuthenticatedClient(
        base_url=BASE,
        token="Token t",
        prefix="",
        auth_header_name="Synapse-Access-Token",
        httpx_args={"transport": httpx.MockTransport(router.async_handler)},
    )
    async with client:
        body = TaskCreateRequest.from_dict(example(spec, "TaskCreateRequest"))
        return await create_tasks.asyncio_detailed(client=client, body=body)


def test_tasks_create_async(spec: dict[str, Any]) -> None:
    import anyio

    response = anyio.run(_create_tasks_async, spec)
    assert isinstance(response.parsed, list)
    assert isinstance(response.parsed[0], Task)
    assert response.parsed[0].data_unit == 7


# ---- v1 presigned upload and the v2 surface ------------------------------------------------


def v2_client_for(router: respx.Router) -> AuthenticatedClient:
    """v2 sends the raw token in ``SYNAPSE-ACCESS-TOKEN`` (no ``Token `` prefix)."""
    return AuthenticatedClient(
        base_url=BASE,
        token="syn_secret",
        prefix="",
        auth_header_name="SYNAPSE-ACCESS-TOKEN",
        headers={"SYNAPSE-Tenant": "demo"},
        httpx_args={"transport": httpx.MockTransport(router.handler)},
    )


def test_data_files_presigned_upload_and_confirm(spec: dict[str, Any]) -> None:
    router = respx.Router(base_url=BASE)
    upload = router.post("/data_files/presigned_upload/upload/").respond(
        200, json=example(spec, "PresignedUploadResponse")
    )
    confirm = router.post("/data_files/presigned_upload/confirm_upload/").respond(
        200, json=example(spec, "ConfirmUploadResponse")
    )
    with client_for(router) as client:
        urls = create_presigned_uploads.sync_detailed(
            client=client,
            body=PresignedUploadV1Request.from_dict(example(spec, "PresignedUploadV1Request")),
        )
        confirmed = confirm_presigned_uploads.sync_detailed(
            client=client,
            body=ConfirmUploadRequest.from_dict(example(spec, "ConfirmUploadRequest")),
        )
    assert isinstance(urls.parsed, PresignedUploadResponse)
    assert urls.parsed.files[0].multipart is None
    assert urls.parsed.files[0].presigned_url
    assert json.loads(upload.calls.last.request.content) == example(
        spec, "PresignedUploadV1Request"
    )
    assert isinstance(confirmed.parsed, ConfirmUploadResponse)
    assert confirmed.parsed.results[0].data_file_id == 42
    assert confirmed.parsed.results[0].error is None
    assert json.loads(confirm.calls.last.request.content) == example(spec, "ConfirmUploadRequest")


def test_v2_data_collections_list_get_upload_and_finalize(spec: dict[str, Any]) -> None:
    router = respx.Router(base_url=BASE)
    listed = router.get(
        "/v2/data-collections/", params={"category": "image", "cursor": "cD0yMDI2LTAx"}
    ).respond(200, json=example(spec, "V2DataCollectionListEnvelope"))
    router.get("/v2/data-collections/1/").respond(
        200, json=example(spec, "V2DataCollectionDetailEnvelope")
    )
    urls = router.post("/v2/data-collections/1/upload-urls/", params={"dry_run": "true"}).respond(
        200, json=example(spec, "V2PresignedUploadEnvelope")
    )
    router.post("/v2/data-collections/1/finalize-upload/").respond(
        200, json=example(spec, "V2FinalizeUploadEnvelope")
    )
    with v2_client_for(router) as client:
        page = v_2_list_data_collections.sync_detailed(
            client=client, category="image", cursor="cD0yMDI2LTAx"
        )
        detail = v_2_get_data_collection.sync_detailed(1, client=client)
        presigned = v_2_create_upload_urls.sync_detailed(
            1,
            client=client,
            dry_run=True,
            body=PresignedUploadRequest.from_dict(example(spec, "PresignedUploadRequest")),
        )
        finalized = v_2_finalize_upload.sync_detailed(
            1,
            client=client,
            body=FinalizeUploadRequest.from_dict(example(spec, "FinalizeUploadRequest")),
        )
    assert isinstance(page.parsed, V2DataCollectionListEnvelope)
    assert page.parsed.data[0].category == "image"
    assert page.parsed.meta.pagination.next_cursor is None
    sent = listed.calls.last.request
    assert sent.headers["SYNAPSE-ACCESS-TOKEN"] == "syn_secret"
    assert sent.headers["SYNAPSE-Tenant"] == "demo"
    assert isinstance(detail.parsed, V2DataCollectionDetailEnvelope)
    assert detail.parsed.data.file_specifications[0].name == "image"
    assert detail.parsed.meta.request_id
    assert isinstance(presigned.parsed, V2PresignedUploadEnvelope)
    assert presigned.parsed.data.files[0].file_key == "uploads/3f2a/a01.jpg"
    assert json.loads(urls.calls.last.request.content) == example(spec, "PresignedUploadRequest")
    assert isinstance(finalized.parsed, V2FinalizeUploadEnvelope)
    assert finalized.parsed.data.results[0].created is True


def test_v2_data_files_list_and_get(spec: dict[str, Any]) -> None:
    router = respx.Router(base_url=BASE)
    checksum = example(spec, "DataFileV2List")["checksum"]
    router.get("/v2/data-files/", params={"checksum": checksum, "data_collection": "1"}).respond(
        200, json=example(spec, "V2DataFileListEnvelope")
    )
    router.get("/v2/data-files/42/").respond(200, json=example(spec, "V2DataFileDetailEnvelope"))
    with v2_client_for(router) as client:
        page = v_2_list_data_files.sync_detailed(
            client=client, checksum=checksum, data_collection=1
        )
        detail = v_2_get_data_file.sync_detailed(42, client=client)
    assert isinstance(page.parsed, V2DataFileListEnvelope)
    assert page.parsed.data[0].checksum == checksum
    assert isinstance(detail.parsed, V2DataFileDetailEnvelope)
    assert detail.parsed.data.storage_id == 1


def test_v2_data_units_bulk_create_list_and_get(spec: dict[str, Any]) -> None:
    router = respx.Router(base_url=BASE)
    create = router.post("/v2/data-units/bulk-create/").respond(
        201, json=example(spec, "V2DataUnitBulkCreateEnvelope")
    )
    router.get("/v2/data-units/", params={"data_collection": "1"}).respond(
        200, json=example(spec, "V2DataUnitListEnvelope")
    )
    router.get("/v2/data-units/4101/").respond(200, json=example(spec, "V2DataUnitDetailEnvelope"))
    body = DataUnitV2BulkCreateRequest.from_dict(example(spec, "DataUnitV2BulkCreateRequest"))
    with v2_client_for(router) as client:
        created = v_2_bulk_create_data_units.sync_detailed(client=client, body=body)
        page = v_2_list_data_units.sync_detailed(client=client, data_collection=1)
        detail = v_2_get_data_unit.sync_detailed(4101, client=client)
    assert isinstance(created.parsed, V2DataUnitBulkCreateEnvelope)
    assert created.parsed.data.results[0].data_unit_id == 4101
    assert json.loads(create.calls.last.request.content) == example(
        spec, "DataUnitV2BulkCreateRequest"
    )
    assert isinstance(page.parsed, V2DataUnitListEnvelope)
    assert page.parsed.data[0].data_collection_id == 1
    assert isinstance(detail.parsed, V2DataUnitDetailEnvelope)
    assert detail.parsed.data.group_id == 12


def test_v2_validation_error_envelope(spec: dict[str, Any]) -> None:
    router = respx.Router(base_url=BASE)
    router.post("/v2/data-units/bulk-create/").respond(400, json=example(spec, "V2ErrorEnvelope"))
    router.get("/v2/data-units/9/").respond(404)  # v2 404 bodies are undocumented
    body = DataUnitV2BulkCreateRequest.from_dict(example(spec, "DataUnitV2BulkCreateRequest"))
    with v2_client_for(router) as client:
        refused = v_2_bulk_create_data_units.sync_detailed(client=client, body=body)
        missing = v_2_get_data_unit.sync_detailed(9, client=client)
    assert isinstance(refused.parsed, V2ErrorEnvelope)
    assert refused.parsed.error.code == "VALIDATION_ERROR"
    assert refused.parsed.error.details
    assert refused.parsed.error.details[0].field == "files"
    assert missing.status_code == 404
    assert missing.parsed is None


async def _v2_bulk_create_tasks_async(spec: dict[str, Any]) -> Any:
    router = respx.Router(base_url=BASE)
    router.post("/v2/tasks/bulk-create/", params={"dry_run": "true"}).respond(
        201, json=example(spec, "V2TaskBulkCreateEnvelope")
    )
    client = AuthenticatedClient(
        base_url=BASE,
        token="syn_t",
        prefix="",
        auth_header_name="SYNAPSE-ACCESS-TOKEN",
        httpx_args={"transport": httpx.MockTransport(router.async_handler)},
    )
    async with client:
        body = TaskV2BulkCreateRequest.from_dict(example(spec, "TaskV2BulkCreateRequest"))
        return await v_2_bulk_create_tasks.asyncio_detailed(client=client, body=body, dry_run=True)


def test_v2_tasks_bulk_create_async(spec: dict[str, Any]) -> None:
    import anyio

    response = anyio.run(_v2_bulk_create_tasks_async, spec)
    assert isinstance(response.parsed, V2TaskBulkCreateEnvelope)
    assert response.parsed.data.created_count == 2
    assert response.parsed.data.skipped_count == 0
