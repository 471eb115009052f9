"""The v2 methods and the v1 presigned pair of both typed clients, against the fake.

Every scenario runs in both worlds (sync, async) over both transports (respx, server). Bytes
reach the fake's storage the way a caller's would: the new methods hand out presigned URLs and
a plain httpx PUT (no Synapse headers) stores the content.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from synapse_client.models import (
    ConfirmUploadFile,
    DataCollectionV2Detail,
    DataCollectionV2List,
    DataFileV2Detail,
    DataFileV2List,
    DataUnitV2BulkCreateItem,
    DataUnitV2Detail,
    DataUnitV2List,
    FinalizeUploadFile,
    FinalizeUploadResponse,
    PresignedUploadFileRequest,
    PresignedUploadResponse,
)

from mockserver import MockSynapse
from synapse_ext import (
    AsyncSynapseClient,
    CursorPage,
    NotFoundError,
    ResponseLostError,
    SynapseClient,
    ValidationError,
)
from synapse_ext._flow import Call
from synapse_ext.client import CursorPage as ClientCursorPage
from synapse_ext.client._api_v2 import ClientApiV2
from synapse_ext.client._auth import SynapseAuth
from synapse_ext.errors import error_from_response

from ..mockserver.v2_helpers import storage_client

pytestmark = pytest.mark.anyio


class World:
    """Calls a client method the same way in either world; lists what an iterator yields."""

    def __init__(self, client: SynapseClient | AsyncSynapseClient) -> None:
        self.c: Any = client

    async def __call__(self, name: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.c, name)(*args, **kwargs)
        if hasattr(result, "__aiter__"):
            return [x async for x in result]
        if isinstance(result, Iterator):
            return list(result)
        if hasattr(result, "__await__"):
            return await result
        return result


@pytest.fixture(params=["sync", "async"])
def world(request: pytest.FixtureRequest, fake: MockSynapse) -> World:
    """The ``client`` (sync) or ``aclient`` (async) fixture on ``fake``."""
    return World(request.getfixturevalue("client" if request.param == "sync" else "aclient"))


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def png(n: int) -> bytes:
    return b"\x89PNG v2 test image " + str(n).encode() * 7


async def store(
    world: World, fake: MockSynapse, contents: dict[str, bytes], *, finalize: bool = True
) -> list[FinalizeUploadFile] | FinalizeUploadResponse:
    """Announce, PUT and (unless told) finalize ``contents`` (name → bytes) in collection 1."""
    issued = await world("request_upload_urls", 1, [(n, len(c)) for n, c in contents.items()])
    entries = []
    with storage_client(fake) as storage:
        for file, content in zip(issued.files, contents.values(), strict=True):
            assert file.presigned_url, "small files get one PUT"
            response = storage.put(file.presigned_url, content=content)
            assert response.status_code == 200, response.text
            entries.append(
                FinalizeUploadFile(file_key=file.file_key, checksum=md5(content), size=len(content))
            )
    if not finalize:
        return entries
    result: FinalizeUploadResponse = await world("finalize_upload", 1, entries)
    assert result.failed_count == 0 and all(r.success for r in result.results), result
    return result


def item(content: bytes) -> DataUnitV2BulkCreateItem:
    return DataUnitV2BulkCreateItem.from_dict(
        {"files": {"image": {"checksum": md5(content), "path": "/data/image/a.png"}}}
    )


def units_in(fake: MockSynapse) -> int:
    count: int = fake.state()["counts"]["data_units"]
    return count


# -- collections ------------------------------------------------------------------------------
async def test_collections(world: World) -> None:
    page = await world("list_collections_v2", per_page=1)
    assert isinstance(page, CursorPage) and CursorPage is ClientCursorPage
    assert [c.id for c in page.items] == [1] and page.next_cursor and page.per_page == 1
    assert page.previous_cursor is None and page.request_id.startswith("req_")
    second = await world("list_collections_v2", cursor=page.next_cursor, per_page=1)
    assert [c.id for c in second.items] == [2] and second.next_cursor is None
    every = await world("iter_collections_v2", per_page=1)
    assert [c.id for c in every] == [1, 2] and isinstance(every[0], DataCollectionV2List)
    assert [c.id for c in await world("iter_collections_v2", category="image")] == [1, 2]
    assert await world("iter_collections_v2", category="video") == []
    detail = await world("get_collection_v2", 1)
    assert isinstance(detail, DataCollectionV2Detail)
    assert {s.name for s in detail.file_specifications} >= {"image", "annotation"}
    with pytest.raises(NotFoundError) as lost:
        await world("get_collection_v2", 999)
    assert lost.value.status_code == 404 and lost.value.error_code == "NOT_FOUND"


# -- presigned upload, data files ---------------------------------------------------------------
async def test_upload_urls_finalize_and_data_files(world: World, fake: MockSynapse) -> None:
    a, b = png(1), png(2)
    issued = await world(
        "request_upload_urls",
        1,
        [("a.png", len(a), "image/png"), PresignedUploadFileRequest(filename="b.png", size=len(b))],
        expiration=600,
    )
    assert isinstance(issued, PresignedUploadResponse)
    assert [f.filename for f in issued.files] == ["a.png", "b.png"]
    result = await store(world, fake, {"a.png": a, "b.png": b})
    assert isinstance(result, FinalizeUploadResponse) and result.created_count == 2
    ids = [r.data_file_id for r in result.results]

    found = await world("find_data_file", md5(a))
    assert isinstance(found, DataFileV2List) and found.id == ids[0] and found.file_size == len(a)
    assert (await world("find_data_file", md5(b), collection_id=1)).id == ids[1]
    assert await world("find_data_file", "0" * 32) is None
    page = await world("list_data_files_v2", checksum=md5(b))
    assert [f.id for f in page.items] == [ids[1]]
    every = await world("iter_data_files_v2", per_page=1)
    assert [f.id for f in every] == ids
    detail = await world("get_data_file_v2", ids[0])
    assert isinstance(detail, DataFileV2Detail) and detail.checksum == md5(a)

    again = await store(world, fake, {"a-again.png": a})  # content-addressed: reused
    assert isinstance(again, FinalizeUploadResponse)
    assert again.results[0].created is False and again.results[0].data_file_id == ids[0]


async def test_v1_presigned_pair(world: World, fake: MockSynapse) -> None:
    content = png(3)
    issued = await world("request_presigned_uploads_v1", [("c.png", len(content))])
    assert isinstance(issued, PresignedUploadResponse) and issued.files[0].presigned_url
    with storage_client(fake) as storage:
        assert storage.put(issued.files[0].presigned_url, content=content).status_code == 200
    confirmed = await world(
        "confirm_presigned_uploads_v1",
        [
            ConfirmUploadFile(
                file_key=issued.files[0].file_key, checksum=md5(content), size=len(content)
            )
        ],
    )
    assert confirmed.created_count == 1 and confirmed.results[0].data_file_id
    assert (await world("find_data_file", md5(content))).id == confirmed.results[0].data_file_id


# -- units and tasks ----------------------------------------------------------------------------
async def test_units_and_tasks(world: World, fake: MockSynapse) -> None:
    images = [png(10 + n) for n in range(3)]
    await store(world, fake, {f"u{n}.png": c for n, c in enumerate(images)})
    created = await world("bulk_create_units", 1, [item(c) for c in images])
    assert created.created_count == 3 and all(r.created for r in created.results)
    ids = [r.data_unit_id for r in created.results]

    again = await world("bulk_create_units", 1, [item(images[0])])  # idempotent
    assert again.results[0].data_unit_id == ids[0] and again.results[0].created is False
    assert units_in(fake) == 3

    page = await world("list_units_v2", collection_id=1, per_page=2)
    assert isinstance(page.items[0], DataUnitV2List) and len(page.items) == 2 and page.next_cursor
    assert [u.id for u in await world("iter_units_v2", collection_id=1, per_page=2)] == ids
    unit = await world("get_unit_v2", ids[1])
    assert isinstance(unit, DataUnitV2Detail) and unit.id == ids[1]
    with pytest.raises(NotFoundError):
        await world("get_unit_v2", 10**6)

    tasks = await world("bulk_create_tasks", 1, ids)
    assert (tasks.created_count, tasks.skipped_count) == (3, 0)
    tasks = await world("bulk_create_tasks", 1, ids)
    assert (tasks.created_count, tasks.skipped_count) == (0, 3)


async def test_dry_run_stores_nothing(world: World, fake: MockSynapse) -> None:
    content = png(20)
    entries = await store(world, fake, {"d.png": content}, finalize=False)
    issued = await world("request_upload_urls", 1, [("x.png", 5)], dry_run=True)
    assert issued.files[0].filename == "x.png"
    before = fake.state()["counts"]
    dry = await world("finalize_upload", 1, entries, dry_run=True)
    assert dry.results[0].success and fake.state()["counts"]["data_files"] == before["data_files"]
    await world("finalize_upload", 1, entries)
    planned = await world("bulk_create_units", 1, [item(content)], dry_run=True)
    assert planned.created_count == 1 and units_in(fake) == 0
    created = await world("bulk_create_units", 1, [item(content)])
    tasks = await world("bulk_create_tasks", 1, [created.results[0].data_unit_id], dry_run=True)
    assert tasks.created_count == 1 and fake.state()["counts"]["tasks"] == 0


# -- faults -------------------------------------------------------------------------------------
async def test_lost_bulk_create_answer_is_resent(world: World, fake: MockSynapse) -> None:
    content = png(30)
    await store(world, fake, {"l.png": content})
    fake.faults.lose_response("v2BulkCreateDataUnits")
    result = await world("bulk_create_units", 1, [item(content)])
    # The first request was applied, its answer lost; the resend answers the same unit.
    assert fake.call_count("v2BulkCreateDataUnits") == 2
    assert fake.handled_count("v2BulkCreateDataUnits") == 2
    assert result.results[0].created is False and result.reused_count == 1
    assert units_in(fake) == 1
    listed = await world("iter_units_v2", collection_id=1)
    assert [u.id for u in listed] == [result.results[0].data_unit_id]


async def test_lost_finalize_answer_is_not_resent(world: World, fake: MockSynapse) -> None:
    content = png(40)
    entries = await store(world, fake, {"f.png": content}, finalize=False)
    fake.faults.lose_response("v2FinalizeUpload")
    with pytest.raises(ResponseLostError):
        await world("finalize_upload", 1, entries)
    assert fake.call_count("v2FinalizeUpload") == 1
    found = await world("find_data_file", md5(content), collection_id=1)  # how to reconcile
    assert found is not None and found.file_size == len(content)


async def test_429_with_retry_after_on_a_v2_read(
    world: World, fake: MockSynapse, sleeps: list[float]
) -> None:
    fake.faults.script("v2ListDataUnits", status=429, retry_after=2)
    page = await world("list_units_v2")
    assert page.items == [] and sleeps == [2.0]
    assert fake.call_count("v2ListDataUnits") == 2


async def test_v2_400_is_a_validation_error_naming_code_and_fields(
    world: World, fake: MockSynapse
) -> None:
    with pytest.raises(ValidationError) as rejected:
        await world("bulk_create_units", 1, [item(b"never uploaded")])
    error = rejected.value
    assert error.status_code == 400 and error.error_code == "VALIDATION_ERROR"
    text = str(error)
    assert text.startswith("400: VALIDATION_ERROR: ") and "units" in text
    assert "request_id" not in text and "meta" not in text  # a summary, not the body
    assert error.detail["error"]["details"]  # the whole envelope stays in ``detail``
    assert units_in(fake) == 0


# -- validation before sending ------------------------------------------------------------------
BAD_CALLS: list[tuple[Any, ...]] = [
    ("request_upload_urls", (1, []), "1-1000"),
    ("request_upload_urls", (1, [("a.png", 1)] * 1001), "1001 given"),
    ("request_upload_urls", (1, [("ok.png", 1), ("empty.png", 0)]), "'empty.png'"),
    ("request_upload_urls", (1, [("", 3)]), "filename"),
    ("request_upload_urls", (1, [("n" * 256, 3)]), "n" * 20),
    ("request_upload_urls", (1, [PresignedUploadFileRequest(filename="m.png", size=-1)]), "m.png"),
    ("request_presigned_uploads_v1", ([("z.png", 0)],), "'z.png'"),
    ("request_presigned_uploads_v1", ([("z.png",)],), "expected"),
    ("request_upload_urls", (1, [("e.png", 1)]), "expiration", {"expiration": 59}),
    ("finalize_upload", (1, []), "files"),
    ("confirm_presigned_uploads_v1", ([],), "files"),
    ("bulk_create_units", (1, []), "units"),
    ("bulk_create_tasks", (1, list(range(1, 1002))), "unit_ids"),
]


@pytest.mark.parametrize("call", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
async def test_invalid_arguments_are_refused_before_sending(
    world: World, fake: MockSynapse, call: tuple[Any, ...]
) -> None:
    name, args, match, *kwargs = call
    with pytest.raises(ValueError, match=match):
        await world(name, *args, **(kwargs[0] if kwargs else {}))
    assert fake.calls == []


# -- cursors and credentials, seen on the wire ---------------------------------------------------
class Capture(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Records every request (URL and headers) before handing it to ``inner``."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response: httpx.Response = self.inner.handle_request(request)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        response: httpx.Response = await self.inner.handle_async_request(request)
        return response


@pytest.fixture(params=["sync", "async"])
def wired(request: pytest.FixtureRequest, fake: MockSynapse) -> tuple[World, Capture]:
    """A world whose client records its requests (tenant configured, to see that header too)."""
    kind = request.param
    inner = fake.transport or (
        httpx.HTTPTransport() if kind == "sync" else httpx.AsyncHTTPTransport()
    )
    capture = Capture(inner)
    cls = SynapseClient if kind == "sync" else AsyncSynapseClient
    client = cls(fake.base_url, fake.token, tenant=fake.tenant, transport=capture)  # type: ignore[arg-type]
    return World(client), capture


async def test_cursor_pages_reissue_the_same_request_with_cursor(
    wired: tuple[World, Capture], fake: MockSynapse
) -> None:
    world, capture = wired
    images = [png(50 + n) for n in range(4)]
    await store(world, fake, {f"c{n}.png": c for n, c in enumerate(images)})
    first = await world("bulk_create_units", 1, [item(c) for c in images[:3]])
    iterator = world.c.iter_units_v2(collection_id=1, per_page=2)
    seen = []
    for step in range(3):
        if isinstance(iterator, Iterator):
            seen.append(next(iterator).id)
        else:
            seen.append((await iterator.__anext__()).id)
        if step == 0:  # inserted while paging: ascending ids put them on a later page
            await world("bulk_create_units", 1, [item(images[3])])
    if isinstance(iterator, Iterator):
        seen += [u.id for u in iterator]
    else:
        seen += [u.id async for u in iterator]
    inserted = (await world("iter_units_v2", collection_id=1))[-1].id
    assert seen == [r.data_unit_id for r in first.results] + [inserted]

    listed = [r.url for r in capture.requests if r.url.path.endswith("/v2/data-units/")]
    listed = listed[:2]  # the iteration's (the last one is the check above)
    base = httpx.URL(fake.base_url)
    for url in listed:
        assert (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)
        assert url.path == base.path.rstrip("/") + "/v2/data-units/"
        assert url.params["per_page"] == "2" and url.params["data_collection"] == "1"
    assert "cursor" not in listed[0].params and listed[1].params["cursor"]


async def test_credentials_per_api_version_and_never_off_origin(
    wired: tuple[World, Capture], fake: MockSynapse
) -> None:
    world, capture = wired
    await world("list_collections")
    v1 = capture.requests[-1].headers
    assert v1["Synapse-Access-Token"] == f"Token {fake.token}"
    assert v1["Synapse-Tenant"] == f"Token {fake.tenant}"
    await world("list_collections_v2")
    v2 = capture.requests[-1].headers
    assert v2["SYNAPSE-ACCESS-TOKEN"] == fake.token and v2["SYNAPSE-Tenant"] == fake.tenant
    assert "authorization" not in v2 and "authorization" not in v1

    # A presigned storage URL (another origin) through the client's own httpx client: bare.
    content = png(60)
    issued = await world("request_upload_urls", 1, [("s.png", len(content))])
    url = issued.files[0].presigned_url
    assert url.startswith(fake.storage_url.rstrip("/") + "/")
    assert httpx.URL(url).netloc != httpx.URL(fake.base_url).netloc
    response = world.c._http.put(url, content=content)
    if inspect.isawaitable(response):
        response = await response
    assert response.status_code == 200, response.text
    stored = capture.requests[-1]
    assert stored.url == httpx.URL(url)
    sent = {k.lower() for k in stored.headers}
    assert not sent & {"synapse-access-token", "synapse-tenant", "authorization"}
    assert fake.token not in str(stored.headers.raw)


# -- SynapseAuth on its own ---------------------------------------------------------------------
def _sent(auth: SynapseAuth, url: str, **headers: str) -> httpx.Headers:
    request = httpx.Request("GET", url, headers=headers)
    flow = auth.auth_flow(request)
    return next(flow).headers


def test_auth_headers_by_origin_and_path() -> None:
    auth = SynapseAuth("https://api.example.com/api", "tok-123456", "acme", "drf-654321")
    v1 = _sent(auth, "https://api.example.com/api/data_units/?page=2")
    assert v1["Synapse-Access-Token"] == "Token tok-123456"
    assert v1["Synapse-Tenant"] == "Token acme" and v1["Authorization"] == "Token drf-654321"
    v2 = _sent(auth, "https://api.example.com/api/v2/data-units/?cursor=abc")
    assert v2["SYNAPSE-ACCESS-TOKEN"] == "tok-123456" and v2["SYNAPSE-Tenant"] == "acme"
    assert v2["Authorization"] == "Token drf-654321"
    # an absolute URL on the API origin (a chunked-upload url, a next link) is the API
    assert "Synapse-Access-Token" in _sent(
        auth, "https://API.example.com:443/api/chunked_upload/x/"
    )
    assert _sent(auth, "https://api.example.com/v2/x/")["Synapse-Access-Token"].startswith("Token")
    for other in (
        "https://storage.example.com/api/v2/x",  # another host
        "http://api.example.com/api/data_units/",  # another scheme
        "https://api.example.com:8443/api/data_units/",  # another port
    ):
        sent = {k.lower() for k in _sent(auth, other)}
        assert not sent & {"synapse-access-token", "synapse-tenant", "authorization"}, other
    assert (
        _sent(auth, "https://api.example.com/api/x/", Authorization="Bearer mine")["Authorization"]
        == "Bearer mine"
    )  # a header the request carries wins
    assert "tok-123456" not in repr(auth) and "drf-654321" not in repr(auth)
    assert "acme" not in repr(auth)


def test_clients_keep_no_credentials_in_default_headers() -> None:
    with SynapseClient("https://api.example.com", "tok-123456", tenant="acme") as client:
        assert "tok-123456" not in str(client._http.headers.raw)
        assert "tok-123456" not in repr(client) and "tok-123456" not in repr(client._http.auth)


def test_a_long_v2_error_body_is_summarized() -> None:
    details = [
        {"field": f"units[{n}].files", "message": "Unknown checksum " + "x" * 400} for n in range(9)
    ]
    body = {"error": {"code": "VALIDATION_ERROR", "message": "Invalid input.", "details": details}}
    error = error_from_response(httpx.Response(400, json={**body, "meta": {"request_id": "r"}}))
    assert isinstance(error, ValidationError)
    text = str(error)
    assert text.startswith("400: VALIDATION_ERROR: Invalid input. (units[0].files: Unknown")
    assert "and 4 more" in text or text.endswith("...")
    assert len(text) <= 805 and "units[5]" not in text
    plain = error_from_response(httpx.Response(400, json={"name": ["required"]}))
    assert str(plain) == "400: {'name': ['required']}" and plain.error_code is None


def test_op_safety_and_upload_timeout() -> None:
    """Which requests may be resent after a lost answer, and which get ``upload_timeout``."""
    entry = FinalizeUploadFile(file_key="k", checksum="0" * 32, size=1)
    confirm = ConfirmUploadFile(file_key="k", checksum="0" * 32, size=1)
    expected = {
        "list_collections_v2": ((), True),
        "get_collection_v2": ((1,), True),
        "request_upload_urls": ((1, [("a.png", 1)]), True),
        "finalize_upload": ((1, [entry]), False),
        "list_data_files_v2": ((), True),
        "get_data_file_v2": ((1,), True),
        "find_data_file": (("0" * 32,), True),
        "bulk_create_units": ((1, [item(b"x")]), True),
        "list_units_v2": ((), True),
        "get_unit_v2": ((1,), True),
        "bulk_create_tasks": ((1, [1]), True),
        "request_presigned_uploads_v1": (([("a.png", 1)],), True),
        "confirm_presigned_uploads_v1": (([confirm],), False),
    }
    with SynapseClient("https://api.example.com", "t", upload_timeout=123.0) as client:
        for name, (args, safe) in expected.items():
            flow = vars(ClientApiV2)[name].flow(client, *args)
            call = next(flow)
            assert isinstance(call, Call), name
            assert call.op.safe is safe, name
            assert call.op.read_timeout == (None if safe else 123.0), name
            flow.close()
