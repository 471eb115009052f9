"""A typed round trip through the generated client for one operation per tag.

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
from synapse_client.api.data_files import verify_data_file_checksums
from synapse_client.api.data_units import create_data_units, get_data_unit
from synapse_client.api.tasks import create_tasks
from synapse_client.models import (
    ChunkedUpload,
    DataUnit,
    DataUnitCreate,
    PaginatedDataCollectionList,
    Task,
    TaskCreateRequest,
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
