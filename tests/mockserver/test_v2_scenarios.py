"""The v2 API and presigned uploads, over both transports, through plain HTTP.

The fake here presigns multipart uploads from 8 MiB on, in 5 MiB parts (S3's minimum), so a
multipart file costs 11 MiB; its clock is manual (URL expiry).
"""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mockserver import DEFAULT_TOKEN, ManualClock, MockSynapse

from .v2_helpers import (
    MIB,
    V2_HEADERS,
    bulk_units,
    data,
    finalize,
    md5,
    put_parts,
    storage_client,
    store,
    unit,
    upload_files,
    upload_urls,
    v2_client,
)

IMAGE = b"\x89PNG fake image bytes"
NOTE = b'{"label": "cat"}'
BIG = bytes(range(256)) * (11 * MIB // 256)  # 11 MiB: 5 + 5 + 1 MiB parts


@pytest.fixture
def fake_options(clock: ManualClock) -> dict[str, Any]:
    return {"clock": clock, "multipart_threshold": 8 * MIB, "part_size": 5 * MIB}


@pytest.fixture
def v2(fake: MockSynapse) -> Iterator[httpx.Client]:
    with v2_client(fake) as c:
        yield c


@pytest.fixture
def storage(fake: MockSynapse) -> Iterator[httpx.Client]:
    with storage_client(fake) as c:
        yield c


def _counts(fake: MockSynapse) -> dict[str, int]:
    counts = dict(fake.state()["counts"])
    counts.pop("presigned_uploads", None)
    return counts


# -- envelope, auth, pages -------------------------------------------------------------------
def test_every_success_is_an_envelope_with_a_request_id(v2: httpx.Client) -> None:
    single = v2.get("/v2/data-collections/1/").json()
    assert set(single) == {"data", "meta"}
    assert single["meta"]["request_id"].startswith("req_")
    assert "pagination" not in single["meta"]
    listed = v2.get("/v2/data-collections/").json()
    assert [c["id"] for c in listed["data"]] == [1, 2]
    assert listed["meta"]["pagination"] == {
        "next_cursor": None,
        "previous_cursor": None,
        "per_page": 100,
    }
    again = v2.get("/v2/data-collections/").json()
    assert again["meta"]["request_id"] != listed["meta"]["request_id"]


def test_collection_detail_carries_specs_and_category(v2: httpx.Client) -> None:
    detail = data(v2.get("/v2/data-collections/1/"))
    assert detail["category"] == "image" and detail["count_projects"] == 1
    specs = {s["name"]: s for s in detail["file_specifications"]}
    assert set(specs) == {"image", "annotation", "metadata"}
    assert specs["image"]["is_required"] and not specs["annotation"]["is_required"]
    assert "extensions" not in specs["image"]
    assert data(v2.get("/v2/data-collections/", params={"category": "video"})) == []


def test_400_is_the_error_envelope_with_field_details(fake: MockSynapse, v2: httpx.Client) -> None:
    with fake.expect_invalid_requests():
        response = v2.post(
            "/v2/data-collections/1/upload-urls/",
            json={"files": [{"filename": "x" * 256, "size": 0}]},
        )
    assert response.status_code == 400
    body = response.json()
    assert body["error"]["code"] == "VALIDATION_ERROR"
    assert body["meta"]["request_id"].startswith("req_")
    fields = {d["field"] for d in body["error"]["details"]}
    assert fields == {"files[0].filename", "files[0].size"}


V2_ROUTES = [
    ("GET", "/v2/data-collections/"),
    ("GET", "/v2/data-collections/1/"),
    ("POST", "/v2/data-collections/1/upload-urls/"),
    ("POST", "/v2/data-collections/1/finalize-upload/"),
    ("GET", "/v2/data-files/"),
    ("GET", "/v2/data-files/1/"),
    ("POST", "/v2/data-units/bulk-create/"),
    ("GET", "/v2/data-units/"),
    ("GET", "/v2/data-units/1/"),
    ("POST", "/v2/tasks/bulk-create/"),
]


@pytest.mark.parametrize(("method", "path"), V2_ROUTES)
def test_every_v2_route_needs_a_valid_token(fake: MockSynapse, method: str, path: str) -> None:
    with fake.expect_invalid_requests(), fake.client(auth=False) as anonymous:
        missing = anonymous.request(method, path, json={})
        wrong = anonymous.request(
            method, path, json={}, headers={"SYNAPSE-ACCESS-TOKEN": "not-a-token"}
        )
        foreign = anonymous.request(
            method, path, json={}, headers={**V2_HEADERS, "SYNAPSE-Tenant": "other"}
        )
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "NOT_AUTHENTICATED"
    assert wrong.status_code == 401
    assert foreign.status_code == 403
    assert foreign.json()["error"]["code"] == "PERMISSION_DENIED"


@pytest.mark.parametrize(
    "headers",
    [
        {"SYNAPSE-ACCESS-TOKEN": DEFAULT_TOKEN},
        {"SYNAPSE-ACCESS-TOKEN": f"Token {DEFAULT_TOKEN}"},
        {"SYNAPSE-ACCESS-TOKEN": DEFAULT_TOKEN, "SYNAPSE-Tenant": "demo"},
        {"SYNAPSE-ACCESS-TOKEN": DEFAULT_TOKEN, "SYNAPSE-Tenant": "Token demo"},
        {"Authorization": f"Token {DEFAULT_TOKEN}"},
        {"Authorization": f"Bearer {DEFAULT_TOKEN}"},
    ],
    ids=["raw", "token-prefix", "tenant-raw", "tenant-token", "drf-token", "bearer"],
)
def test_v2_accepts_its_own_and_the_v1_credentials(
    fake: MockSynapse, headers: dict[str, str]
) -> None:
    with fake.client(auth=False, headers=headers) as c:
        assert c.get("/v2/data-collections/1/").status_code == 200


def test_cursor_pages_are_opaque_and_stable_under_inserts(
    fake: MockSynapse, v2: httpx.Client
) -> None:
    images = [f"image {i}".encode() for i in range(5)]
    upload_files(fake, v2, {f"{i}.png": b for i, b in enumerate(images)})
    data(bulk_units(v2, [unit(b) for b in images[:3]]), 201)
    first = v2.get("/v2/data-units/", params={"per_page": 2}).json()
    token = first["meta"]["pagination"]["next_cursor"]
    assert token and not token.isdigit() and "=" not in token
    assert first["meta"]["pagination"]["previous_cursor"] is None
    data(bulk_units(v2, [unit(b) for b in images[3:]]), 201)  # inserted while paging
    seen = [u["id"] for u in first["data"]]
    while token:
        page = v2.get("/v2/data-units/", params={"per_page": 2, "cursor": token}).json()
        seen += [u["id"] for u in page["data"]]
        token = page["meta"]["pagination"]["next_cursor"]
    assert seen == sorted(set(seen)) and len(seen) == 5
    back = page["meta"]["pagination"]["previous_cursor"]
    previous = v2.get("/v2/data-units/", params={"per_page": 2, "cursor": back}).json()
    assert [u["id"] for u in previous["data"]] == seen[-3:-1]


def test_an_invalid_cursor_is_404(v2: httpx.Client) -> None:
    bad = base64.urlsafe_b64encode(b"nonsense").decode()
    response = v2.get("/v2/data-units/", params={"cursor": bad})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


# -- upload-urls -----------------------------------------------------------------------------
def test_upload_urls_pair_by_position_single_below_threshold(v2: httpx.Client) -> None:
    names = {"b.png": 10, "a.json": 3, "c.png": 8 * MIB - 1}
    response = v2.post(
        "/v2/data-collections/1/upload-urls/",
        json={"files": [{"filename": n, "size": s} for n, s in names.items()], "expiration": 60},
    )
    body = data(response)
    assert [f["filename"] for f in body["files"]] == list(names)
    assert len({f["file_key"] for f in body["files"]}) == 3
    assert all(f["presigned_url"] and f["multipart"] is None for f in body["files"])
    assert body["expires_at"]


def test_upload_urls_multipart_from_the_threshold(v2: httpx.Client) -> None:
    (issued,) = upload_urls(v2, {"big.bin": 8 * MIB})
    assert issued["presigned_url"] is None
    multipart = issued["multipart"]
    assert multipart["part_size"] == 5 * MIB and multipart["upload_id"]
    assert [p["part_number"] for p in multipart["parts"]] == [1, 2]


@pytest.mark.parametrize(
    ("files", "field"),
    [
        ([], "files"),
        ([{"filename": "a", "size": 1}] * 1001, "files"),
        ([{"filename": "", "size": 1}], "files[0].filename"),
        ([{"filename": "a", "size": 0}], "files[0].size"),
        ([{"filename": "a", "size": 6 << 40}], "files[0].size"),
    ],
    ids=["none", "too-many", "empty-name", "empty-file", "too-large"],
)
def test_upload_urls_rejects_invalid_files(
    fake: MockSynapse, v2: httpx.Client, files: list[dict[str, Any]], field: str
) -> None:
    with fake.expect_invalid_requests():
        response = v2.post("/v2/data-collections/1/upload-urls/", json={"files": files})
    assert response.status_code == 400
    assert field in {d["field"] for d in response.json()["error"]["details"]}
    assert fake.state()["counts"]["presigned_uploads"] == 0


def test_upload_urls_of_another_tenants_collection_is_404(v2: httpx.Client) -> None:
    response = v2.post(
        "/v2/data-collections/3/upload-urls/", json={"files": [{"filename": "a", "size": 1}]}
    )
    assert response.status_code == 404


# -- finalize --------------------------------------------------------------------------------
def test_single_put_then_finalize_creates_one_data_file(
    fake: MockSynapse, v2: httpx.Client, storage: httpx.Client
) -> None:
    (issued,) = upload_urls(v2, {"a.png": len(IMAGE)})
    entry = store(storage, issued, IMAGE)
    result = finalize(v2, [entry])
    assert result["created_count"] == 1 and result["failed_count"] == 0
    (row,) = result["results"]
    assert row["success"] and row["created"] and row["error"] is None
    detail = data(v2.get(f"/v2/data-files/{row['data_file_id']}/"))
    assert detail["checksum"] == md5(IMAGE) and detail["file_size"] == len(IMAGE)


def test_multipart_upload_completes_with_the_part_etags(
    fake: MockSynapse, v2: httpx.Client, storage: httpx.Client
) -> None:
    (issued,) = upload_urls(v2, {"big.bin": len(BIG)})
    assert len(issued["multipart"]["parts"]) == 3
    (row,) = finalize(v2, [store(storage, issued, BIG)])["results"]
    assert row["success"] and row["created"], row
    found = data(v2.get("/v2/data-files/", params={"checksum": md5(BIG)}))
    assert [f["id"] for f in found] == [row["data_file_id"]]


def _big_upload(
    v2: httpx.Client, storage: httpx.Client
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    (issued,) = upload_urls(v2, {"big.bin": len(BIG)})
    return issued, put_parts(storage, issued["multipart"], BIG)


def _multipart_entry(issued: dict[str, Any], parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "file_key": issued["file_key"],
        "checksum": md5(BIG),
        "size": len(BIG),
        "multipart": {"upload_id": issued["multipart"]["upload_id"], "parts": parts},
    }


@pytest.mark.parametrize(
    ("case", "fragment"),
    [
        ("wrong-etag", "InvalidPart"),
        ("missing-part", "Size mismatch"),
        ("foreign-upload-id", "upload_id"),
        ("no-multipart", "multipart"),
    ],
)
def test_multipart_finalize_failures_create_nothing(
    fake: MockSynapse, v2: httpx.Client, storage: httpx.Client, case: str, fragment: str
) -> None:
    issued, parts = _big_upload(v2, storage)
    entry = _multipart_entry(issued, parts)
    if case == "wrong-etag":
        parts[1]["etag"] = f'"{md5(b"other")}"'
    elif case == "missing-part":
        del parts[2]
    elif case == "foreign-upload-id":
        entry["multipart"]["upload_id"] = "someone-elses-upload"
    else:
        del entry["multipart"]
    before = _counts(fake)
    (row,) = finalize(v2, [entry])["results"]
    assert not row["success"] and row["data_file_id"] is None
    assert fragment in row["error"]
    assert _counts(fake) == before


def test_a_too_small_non_final_part_fails_completion(
    fake: MockSynapse, v2: httpx.Client, storage: httpx.Client
) -> None:
    (issued,) = upload_urls(v2, {"big.bin": len(BIG)})
    urls = [p["presigned_url"] for p in issued["multipart"]["parts"]]
    pieces = [BIG[: 1 * MIB], BIG[1 * MIB : 6 * MIB], BIG[6 * MIB :]]  # part 1 is 1 MiB
    parts = []
    for number, (url, piece) in enumerate(zip(urls, pieces, strict=True), start=1):
        response = storage.put(url, content=piece)
        parts.append({"part_number": number, "etag": response.headers["etag"]})
    (row,) = finalize(v2, [_multipart_entry(issued, parts)])["results"]
    assert not row["success"] and "EntityTooSmall" in row["error"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"size": len(IMAGE) + 1}, "Size mismatch"),
        ({"checksum": md5(b"other bytes")}, "Checksum mismatch"),
        ({"checksum": "not-hex"}, "checksum must be"),
        ({"file_key": "uploads/demo/c1/forged/a.png"}, "Unknown file_key"),
    ],
    ids=["size", "md5", "not-a-checksum", "forged-key"],
)
def test_single_finalize_checks_the_object(
    fake: MockSynapse,
    v2: httpx.Client,
    storage: httpx.Client,
    change: dict[str, Any],
    fragment: str,
) -> None:
    (issued,) = upload_urls(v2, {"a.png": len(IMAGE)})
    entry = {**store(storage, issued, IMAGE), **change}
    before = _counts(fake)
    (row,) = finalize(v2, [entry])["results"]
    assert not row["success"] and fragment in row["error"], row
    assert _counts(fake) == before


def test_finalize_before_the_put_fails_and_can_be_retried(
    fake: MockSynapse, v2: httpx.Client, storage: httpx.Client
) -> None:
    (issued,) = upload_urls(v2, {"a.png": len(IMAGE)})
    entry = {"file_key": issued["file_key"], "checksum": md5(IMAGE), "size": len(IMAGE)}
    (early,) = finalize(v2, [entry])["results"]
    assert not early["success"] and "No object" in early["error"]
    store(storage, issued, IMAGE)
    (late,) = finalize(v2, [entry])["results"]
    assert late["success"] and late["created"]


def test_finalize_reuses_a_known_checksum_and_is_safe_to_resend(
    fake: MockSynapse, v2: httpx.Client, storage: httpx.Client
) -> None:
    (first,) = upload_files(fake, v2, {"a.png": IMAGE})
    (issued,) = upload_urls(v2, {"copy.png": len(IMAGE)})
    entry = store(storage, issued, IMAGE)
    (again,) = finalize(v2, [entry])["results"]
    assert again["success"] and not again["created"]
    assert again["data_file_id"] == first["data_file_id"]
    (resent,) = finalize(v2, [entry])["results"]
    assert resent["data_file_id"] == first["data_file_id"] and not resent["created"]
    assert fake.state()["counts"]["data_files"] == 1


def test_finalize_reports_each_file_on_its_own(
    fake: MockSynapse, v2: httpx.Client, storage: httpx.Client
) -> None:
    issued = upload_urls(v2, {"a.png": len(IMAGE), "b.json": len(NOTE)})
    good = store(storage, issued[0], IMAGE)
    bad = {**store(storage, issued[1], NOTE), "checksum": md5(b"wrong")}
    result = finalize(v2, [good, bad])
    assert [r["success"] for r in result["results"]] == [True, False]
    assert result["created_count"] == 1 and result["failed_count"] == 1
    assert fake.state()["counts"]["data_files"] == 1


def test_dry_run_writes_nothing(fake: MockSynapse, v2: httpx.Client, storage: httpx.Client) -> None:
    (dry,) = upload_urls(v2, {"a.png": len(IMAGE)}, dry_run="true")
    assert dry["presigned_url"]
    assert fake.state()["counts"]["presigned_uploads"] == 0
    (issued,) = upload_urls(v2, {"a.png": len(IMAGE)})
    entry = store(storage, issued, IMAGE)
    (checked,) = finalize(v2, [entry], dry_run="true")["results"]
    assert checked["success"] and checked["data_file_id"] is None
    assert fake.state()["counts"]["data_files"] == 0
    finalize(v2, [entry])
    response = bulk_units(v2, [unit(IMAGE)], dry_run="true")
    (planned,) = data(response, 201)["results"]
    assert planned["created"] and fake.state()["counts"]["data_units"] == 0


# -- bulk-create -----------------------------------------------------------------------------
def test_bulk_create_keeps_order_and_is_idempotent(fake: MockSynapse, v2: httpx.Client) -> None:
    images = [b"first image", b"second image", b"third image"]
    upload_files(fake, v2, {f"{i}.png": b for i, b in enumerate(images)} | {"n.json": NOTE})
    units = [
        unit(images[0], NOTE, meta={"k": 1}, groups=["a", "b"]),
        unit(images[1]),
        unit(images[2]),
    ]
    created = data(bulk_units(v2, units), 201)
    assert created["created_count"] == 3 and created["reused_count"] == 0
    ids = [r["data_unit_id"] for r in created["results"]]
    assert ids == sorted(ids)
    again = data(bulk_units(v2, list(reversed(units))), 201)
    assert [r["data_unit_id"] for r in again["results"]] == list(reversed(ids))
    assert not any(r["created"] for r in again["results"])
    assert again["reused_count"] == 3
    assert fake.state()["counts"]["data_units"] == 3
    detail = data(v2.get(f"/v2/data-units/{ids[0]}/"))
    assert detail["meta"] == {"k": 1} and detail["group_id"] > 0
    assert detail["checksum"] == created["results"][0]["checksum"]


def test_the_same_files_in_one_request_make_one_unit(fake: MockSynapse, v2: httpx.Client) -> None:
    upload_files(fake, v2, {"a.png": IMAGE})
    results = data(bulk_units(v2, [unit(IMAGE), unit(IMAGE, meta={"other": True})]), 201)
    first, second = results["results"]
    assert first["created"] and not second["created"]
    assert first["data_unit_id"] == second["data_unit_id"]


@pytest.mark.parametrize(
    ("bad", "fragment"),
    [
        ({"files": {"image": {"checksum": md5(b"never uploaded")}}}, "Unknown checksum"),
        ({"files": {"annotation": {"checksum": md5(NOTE)}}}, "Missing required"),
        (
            {"files": {"image": {"checksum": md5(IMAGE)}, "nope": {"checksum": md5(NOTE)}}},
            "Unknown file specification",
        ),
    ],
    ids=["unknown-checksum", "missing-required", "unknown-spec"],
)
def test_bulk_create_is_all_or_nothing(
    fake: MockSynapse, v2: httpx.Client, bad: dict[str, Any], fragment: str
) -> None:
    upload_files(fake, v2, {"a.png": IMAGE, "n.json": NOTE})
    response = bulk_units(v2, [unit(IMAGE), bad])
    assert response.status_code == 400
    details = response.json()["error"]["details"]
    assert any(d["field"].startswith("units[1]") and fragment in d["message"] for d in details)
    assert fake.state()["counts"]["data_units"] == 0


def test_concurrent_bulk_creates_make_one_unit_per_file_set(
    fake: MockSynapse, v2: httpx.Client
) -> None:
    images = [f"image {i}".encode() for i in range(20)]
    upload_files(fake, v2, {f"{i}.png": b for i, b in enumerate(images)})
    units = [unit(b) for b in images]
    answers: list[list[int]] = []
    lock = threading.Lock()

    def run() -> None:
        with v2_client(fake) as c:
            ids = [r["data_unit_id"] for r in data(bulk_units(c, units), 201)["results"]]
        with lock:
            answers.append(ids)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 4 and all(a == answers[0] for a in answers)
    assert fake.state()["counts"]["data_units"] == 20


# -- tasks -----------------------------------------------------------------------------------
def test_tasks_bulk_create_skips_units_that_have_one(fake: MockSynapse, v2: httpx.Client) -> None:
    images = [b"one", b"two"]
    upload_files(fake, v2, {"1.png": images[0], "2.png": images[1]})
    ids = [
        r["data_unit_id"] for r in data(bulk_units(v2, [unit(b) for b in images]), 201)["results"]
    ]
    first = v2.post("/v2/tasks/bulk-create/", json={"project": 1, "data_unit_ids": ids[:1]})
    assert data(first, 201) == {"created_count": 1, "skipped_count": 0}
    dry = v2.post(
        "/v2/tasks/bulk-create/",
        json={"project": 1, "data_unit_ids": ids},
        params={"dry_run": "true"},
    )
    assert data(dry, 201) == {"created_count": 1, "skipped_count": 1}
    both = v2.post("/v2/tasks/bulk-create/", json={"project": 1, "data_unit_ids": ids})
    assert data(both, 201) == {"created_count": 1, "skipped_count": 1}
    assert fake.state()["counts"]["tasks"] == 2


def test_tasks_for_units_of_another_collection_fail_whole(
    fake: MockSynapse, v2: httpx.Client
) -> None:
    upload_files(fake, v2, {"a.png": IMAGE, "l.txt": NOTE})
    in_1 = data(bulk_units(v2, [unit(IMAGE)]), 201)["results"][0]["data_unit_id"]
    two = {"files": {"image": {"checksum": md5(IMAGE)}, "label": {"checksum": md5(NOTE)}}}
    in_2 = data(bulk_units(v2, [two], collection=2), 201)["results"][0]["data_unit_id"]
    response = v2.post("/v2/tasks/bulk-create/", json={"project": 1, "data_unit_ids": [in_1, in_2]})
    assert response.status_code == 400
    assert fake.state()["counts"]["tasks"] == 0


# -- one state, two API versions -------------------------------------------------------------
def test_a_v2_unit_is_a_v1_unit_with_fetchable_files(
    fake: MockSynapse, v2: httpx.Client, client: httpx.Client, storage: httpx.Client
) -> None:
    upload_files(fake, v2, {"big.bin": BIG, "n.json": NOTE})
    big_unit = {"files": {"image": {"checksum": md5(BIG)}, "annotation": {"checksum": md5(NOTE)}}}
    unit_id = data(bulk_units(v2, [big_unit]), 201)["results"][0]["data_unit_id"]
    v1 = client.get(f"/data_units/{unit_id}/")
    assert v1.status_code == 200
    files = v1.json()["files"]
    assert storage.get(files["image"]["url"]).content == BIG
    assert storage.get(files["annotation"]["url"]).content == NOTE
    listed = client.get("/data_units/", params={"data_collection": 1}).json()
    assert [u["id"] for u in listed["results"]] == [unit_id]


def test_a_v1_unit_is_reused_by_v2_bulk_create(
    fake: MockSynapse, v2: httpx.Client, client: httpx.Client
) -> None:
    record = client.post("/data_files/", files={"file": ("a.png", IMAGE)}).json()
    v1_unit = client.post(
        "/data_units/",
        json={"data_collection": 1, "files": {"image": {"checksum": record["checksum"]}}},
    ).json()
    assert [u["id"] for u in data(v2.get("/v2/data-units/"))] == [v1_unit["id"]]
    (row,) = data(bulk_units(v2, [unit(IMAGE)]), 201)["results"]
    assert row["data_unit_id"] == v1_unit["id"] and not row["created"]
    assert data(v2.get("/v2/data-files/", params={"checksum": record["checksum"]}))


# -- the v1 presigned pair -------------------------------------------------------------------
@pytest.mark.parametrize("algorithm", ["md5", "sha1"])
def test_v1_presigned_upload_and_confirm(
    fake: MockSynapse, client: httpx.Client, storage: httpx.Client, algorithm: str
) -> None:
    body = {"files": [{"filename": "a.png", "size": len(IMAGE), "content_type": "image/png"}]}
    issued = client.post("/data_files/presigned_upload/upload/", json=body)
    assert issued.status_code == 200, issued.text
    (entry,) = issued.json()["files"]
    response = storage.put(
        entry["presigned_url"], content=IMAGE, headers={"Content-Type": "image/png"}
    )
    assert response.status_code == 200
    checksum = hashlib.new(algorithm, IMAGE).hexdigest()
    confirm = {"files": [{"file_key": entry["file_key"], "checksum": checksum, "size": len(IMAGE)}]}
    result = client.post("/data_files/presigned_upload/confirm_upload/", json=confirm).json()
    assert result["created_count"] == 1 and result["failed_count"] == 0
    (row,) = result["results"]
    assert row["success"] and "created" not in row
    assert fake.state()["data_files"][0]["checksum"] == checksum


def test_a_v2_file_key_cannot_be_confirmed_through_v1(
    fake: MockSynapse, v2: httpx.Client, client: httpx.Client, storage: httpx.Client
) -> None:
    (issued,) = upload_urls(v2, {"a.png": len(IMAGE)})
    entry = store(storage, issued, IMAGE)
    result = client.post("/data_files/presigned_upload/confirm_upload/", json={"files": [entry]})
    assert result.json()["failed_count"] == 1
    assert fake.state()["counts"]["data_files"] == 0


# -- storage rules seen from the API ---------------------------------------------------------
def test_an_expired_url_is_refused_by_the_storage(
    fake: MockSynapse, v2: httpx.Client, storage: httpx.Client, clock: ManualClock
) -> None:
    response = v2.post(
        "/v2/data-collections/1/upload-urls/",
        json={"files": [{"filename": "a.png", "size": len(IMAGE)}], "expiration": 60},
    )
    (issued,) = data(response)["files"]
    clock.advance(seconds=61)
    refused = storage.put(issued["presigned_url"], content=IMAGE)
    assert refused.status_code == 403
    assert "<Code>AccessDenied</Code>" in refused.text
    (row,) = finalize(
        v2, [{"file_key": issued["file_key"], "checksum": md5(IMAGE), "size": len(IMAGE)}]
    )["results"]
    assert not row["success"]


def test_faults_reach_the_v2_routes(fake: MockSynapse, v2: httpx.Client) -> None:
    fake.faults.script("v2ListDataUnits", status=429, retry_after=2)
    throttled = v2.get("/v2/data-units/")
    assert throttled.status_code == 429 and throttled.headers["retry-after"] == "2"
    assert v2.get("/v2/data-units/").status_code == 200
    assert fake.call_count("v2ListDataUnits") == 2 and fake.handled_count("v2ListDataUnits") == 1


def test_a_lost_finalize_answer_was_applied(
    fake: MockSynapse, v2: httpx.Client, storage: httpx.Client
) -> None:
    (issued,) = upload_urls(v2, {"a.png": len(IMAGE)})
    entry = store(storage, issued, IMAGE)
    fake.faults.lose_response("v2FinalizeUpload")
    with pytest.raises(httpx.TransportError):
        finalize(v2, [entry])
    found = data(v2.get("/v2/data-files/", params={"checksum": md5(IMAGE), "data_collection": 1}))
    assert len(found) == 1
