"""One scenario suite, run through both transports (respx in-process and real HTTP)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from mockserver import DEFAULT_TOKEN, ManualClock, MockSynapse

from .conftest import md5, put_chunk, upload_direct

IMAGE = b"\xff\xd8\xff fake jpeg bytes"
LABEL = b"cat\n"


def _unit(checksum: str, collection: int = 1, **files: str) -> dict[str, Any]:
    refs = {"image": {"checksum": checksum, "path": "/data/image/a01.jpg"}}
    refs.update({name: {"checksum": cs} for name, cs in files.items()})
    return {"data_collection": collection, "files": refs, "meta": {"origin_file_stem": "a01"}}


# -- collections ---------------------------------------------------------------------------
def test_list_collections_is_a_tenant_scoped_page(client: httpx.Client) -> None:
    body = client.get("/data_collections/").json()
    assert body["count"] == 2
    assert [c["id"] for c in body["results"]] == [1, 2]
    assert body["next"] is None and body["previous"] is None
    assert "file_specifications" not in body["results"][0]


def test_collection_pagination_uses_absolute_urls(fake: MockSynapse, client: httpx.Client) -> None:
    first = client.get("/data_collections/", params={"page_size": 1}).json()
    assert first["next"] == f"{fake.base_url}/data_collections/?page_size=1&page=2"
    second = client.get(first["next"]).json()
    assert [c["id"] for c in second["results"]] == [2]
    assert second["previous"] == f"{fake.base_url}/data_collections/?page_size=1"
    assert second["next"] is None


def test_page_past_the_last_is_404(client: httpx.Client) -> None:
    response = client.get("/data_collections/", params={"page": 3, "page_size": 1})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_get_collection_expands_specs_only_when_asked(client: httpx.Client) -> None:
    plain = client.get("/data_collections/1/").json()
    assert plain["name"] == "Demo images" and "file_specifications" not in plain
    expanded = client.get("/data_collections/1/", params={"expand": "file_specifications"}).json()
    specs = {s["name"]: s for s in expanded["file_specifications"]}
    assert list(specs) == ["image", "annotation", "metadata"]
    assert specs["image"]["is_required"] and specs["image"]["is_primary"]
    assert specs["image"]["extensions"] == ["jpg", "jpeg", "png"]
    assert specs["metadata"]["extensions"] == ["json", "xml", "csv", "txt"]
    assert not specs["annotation"]["is_required"]


def test_unknown_collection_and_route_are_404_json(client: httpx.Client) -> None:
    assert client.get("/data_collections/99/").json() == {"detail": "Not found."}
    response = client.get("/no_such_thing/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


# -- direct upload / checksums ------------------------------------------------------------
def test_direct_upload_creates_a_data_file_each_time(
    fake: MockSynapse, client: httpx.Client
) -> None:
    first = upload_direct(client, IMAGE)
    second = upload_direct(client, IMAGE)
    assert first["checksum"] == second["checksum"] == md5(IMAGE)
    assert first["size"] == len(IMAGE)
    assert (first["id"], second["id"]) == (1, 2)
    assert fake.backend.checksum_counts[md5(IMAGE)] == 2
    assert fake.backend.bytes_received == 2 * len(IMAGE)


def test_direct_upload_errors(fake: MockSynapse, client: httpx.Client) -> None:
    with fake.expect_invalid_requests():
        empty = client.post("/data_files/", files={"file": ("a.jpg", b"")})
        assert empty.status_code == 400
        assert empty.json() == {"file": ["The submitted file is empty."]}
        missing = client.post("/data_files/", files={"other": ("a.jpg", b"x")})
        assert missing.status_code == 400
        assert missing.json() == {"file": ["No file was submitted."]}
        garbage = client.post(
            "/data_files/",
            content=b"--zz\r\nnot really multipart",
            headers={"Content-Type": "multipart/form-data; boundary=zz"},
        )
        assert garbage.status_code == 400 and "Multipart" in garbage.json()["detail"]
        bad_json = client.post(
            "/data_files/", content=b"{nope", headers={"Content-Type": "application/json"}
        )
        assert bad_json.status_code == 400 and "JSON parse error" in bad_json.json()["detail"]
    assert fake.backend.counts()["data_files"] == 0


def test_path_like_filenames_stay_inside_storage(fake: MockSynapse, client: httpx.Client) -> None:
    parent = fake.backend.storage.parent  # shared (e.g. /tmp): look only for our own names
    record = upload_direct(client, b"payload", name="../../escape.jpg")
    upload_direct(client, b"payload2", name="\u00e9t\u00e9/\u2603.png")
    assert not any("escape" in p.name or "\u2603" in p.name for p in parent.iterdir())
    assert not (parent.parent / "escape.jpg").exists()
    stored = [p for p in fake.backend.storage.rglob("*") if p.is_file()]
    assert all(fake.backend.storage in p.parents for p in stored)
    assert not any("escape" in p.name for p in stored)
    assert "/_storage/1/escape.jpg?" in str(record["file"])


def test_verify_checksums_returns_the_existing_subset(client: httpx.Client) -> None:
    upload_direct(client, IMAGE)
    unknown = md5(b"never uploaded")
    response = client.post(
        "/data_files/verify_checksums/", json={"checksums": [unknown, md5(IMAGE)]}
    )
    assert response.status_code == 200
    assert response.json() == {"existing_checksums": [md5(IMAGE)]}


def test_verify_checksums_limits(fake: MockSynapse, client: httpx.Client) -> None:
    with fake.expect_invalid_requests():
        too_many = client.post("/data_files/verify_checksums/", json={"checksums": ["a"] * 1001})
        assert too_many.status_code == 400 and "checksums" in too_many.json()
        wrong = client.post("/data_files/verify_checksums/", json={"checksums": "abc"})
        assert wrong.status_code == 400


# -- chunked upload -----------------------------------------------------------------------
def _start(client: httpx.Client, data: bytes, total: int) -> dict[str, Any]:
    response = put_chunk(client, "/chunked_upload/", data, 0, total)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_multi_chunk_upload_with_partial_last_chunk_then_data_file(
    fake: MockSynapse, client: httpx.Client
) -> None:
    data = bytes(range(256)) * 10  # 2560 bytes, chunks of 1000 → 1000, 1000, 560
    state = _start(client, data[:1000], len(data))
    assert state["offset"] == 1000 and state["status"] == 1 and state["completed_at"] is None
    assert state["url"] == f"{fake.base_url}/chunked_upload/{state['id']}/"
    assert state["filename"] == "big.bin"
    for start in (1000, 2000):
        response = put_chunk(client, state["url"], data[start : start + 1000], start, len(data))
        assert response.status_code == 200, response.text
        state = response.json()
    assert state["offset"] == len(data)
    final = client.post(state["url"], json={"md5": md5(data)})
    assert final.status_code == 200
    body = final.json()
    assert body["status"] == 2 and body["completed_at"] is not None
    assert body["checksum"] == md5(data) and body["size"] == len(data)
    assert client.get(f"/chunked_upload/{state['id']}/").json()["completed_at"] is not None
    created = client.post("/data_files/", json={"chunked_upload": state["id"]})
    assert created.status_code == 201
    assert created.json()["checksum"] == md5(data) and created.json()["size"] == len(data)
    assert fake.backend.bytes_received == len(data)


def test_upload_ids_are_deterministic_uuids(fake: MockSynapse, client: httpx.Client) -> None:
    first = _start(client, b"abc", 10)["id"]
    fake.reset()
    assert _start(client, b"abc", 10)["id"] == first
    assert len(first) == 36 and first[14] == "4"


def test_resume_after_offset_mismatch(fake: MockSynapse, client: httpx.Client) -> None:
    data = b"0123456789" * 30
    state = _start(client, data[:100], len(data))
    put_chunk(client, state["url"], data[100:200], 100, len(data))
    # the transport resends the same chunk (its response was lost): the server says where it is
    resent = put_chunk(client, state["url"], data[100:200], 100, len(data))
    assert resent.status_code == 400
    assert resent.json() == {
        "detail": "Offsets do not match",
        "offset": 200,
        "expected_offset": 200,
        "provided_offset": 100,
    }
    offset = client.get(state["url"]).json()["offset"]
    assert offset == 200
    assert put_chunk(client, state["url"], data[offset:], offset, len(data)).status_code == 200
    assert client.post(state["url"], json={"md5": md5(data)}).json()["status"] == 2


def test_chunk_header_and_size_errors(fake: MockSynapse, client: httpx.Client) -> None:
    state = _start(client, b"x" * 10, 100)
    url = state["url"]
    with fake.expect_invalid_requests():
        for bad in (None, "bytes 0-9", "bytes=10-19/100", "bytes a-b/c", "bytes 19-10/100"):
            headers = {} if bad is None else {"Content-Range": bad}
            response = client.put(
                url, files={"file": ("file", b"y" * 10)}, data={"filename": "f"}, headers=headers
            )
            assert response.status_code == 400, bad
            assert response.json() == {"detail": "Error in request headers"}
        no_file = client.put(
            url,
            data={"filename": "f"},
            headers={"Content-Range": "bytes 10-19/100"},
            files={"other": ("file", b"y")},
        )
        assert no_file.json() == {"detail": "No chunk file was submitted"}
    beyond = put_chunk(client, url, b"y" * 10, 95, 100)
    assert beyond.status_code == 400
    assert beyond.json() == {"detail": "End of chunk exceeds reported total (100 bytes)"}
    mismatch = client.put(
        url,
        files={"file": ("file", b"y" * 5)},
        data={"filename": "f"},
        headers={"Content-Range": "bytes 10-19/100"},
    )
    assert mismatch.json() == {
        "detail": "File size doesn't match headers: file size is 5 but 10 reported"
    }
    too_big = put_chunk(client, "/chunked_upload/", b"y" * 10, 0, 10_001)
    assert too_big.json() == {"detail": "Size of file exceeds the limit (10000 bytes)"}
    assert client.get(url).json()["offset"] == 10


def test_finalize_errors_and_completed_upload(fake: MockSynapse, client: httpx.Client) -> None:
    data = b"hello world"
    state = _start(client, data, len(data))
    with fake.expect_invalid_requests():
        no_md5 = client.post(state["url"], json={})
        assert no_md5.json() == {"detail": "Checksum of type 'md5' is required"}
    wrong = client.post(state["url"], json={"md5": md5(b"other")})
    assert wrong.json() == {"detail": "checksum does not match"}
    assert client.post(state["url"], json={"md5": md5(data)}).status_code == 200
    again = client.post(state["url"], json={"md5": md5(data)})
    assert again.status_code == 400
    assert again.json() == {"detail": 'Upload has already been marked as "complete"'}
    more = put_chunk(client, state["url"], b"!", len(data), len(data) + 1)
    assert more.json() == {"detail": 'Upload has already been marked as "complete"'}


def test_incomplete_upload_cannot_become_a_data_file(client: httpx.Client) -> None:
    state = _start(client, b"abc", 10)
    response = client.post("/data_files/", json={"chunked_upload": state["id"]})
    assert response.status_code == 400 and "not complete" in response.json()["chunked_upload"][0]
    unknown = client.post("/data_files/", json={"chunked_upload": "nope"})
    assert unknown.status_code == 400 and "does not exist" in unknown.json()["chunked_upload"][0]


def test_expired_upload_is_410(clock: ManualClock, client: httpx.Client) -> None:
    state = _start(client, b"abc", 10)
    clock.advance(days=1, seconds=1)
    expired = put_chunk(client, state["url"], b"def", 3, 10)
    assert expired.status_code == 410 and expired.json() == {"detail": "Upload has expired"}
    assert client.post(state["url"], json={"md5": md5(b"abc")}).status_code == 410
    assert client.get(state["url"]).status_code == 200


def test_unknown_or_foreign_upload_is_404(fake: MockSynapse, client: httpx.Client) -> None:
    state = _start(client, b"abc", 10)
    assert client.get("/chunked_upload/does-not-exist/").json() == {"detail": "Not found."}
    other = {"Synapse-Access-Token": "Token other-token"}
    assert client.get(state["url"], headers=other).status_code == 404
    assert put_chunk(client, state["url"], b"def", 3, 10).status_code == 200
    foreign = client.put(
        state["url"],
        files={"file": ("file", b"g")},
        data={"filename": "f"},
        headers={**other, "Content-Range": "bytes 6-6/10"},
    )
    assert foreign.status_code == 404


# -- data units ---------------------------------------------------------------------------
def test_create_single_and_array_units(fake: MockSynapse, client: httpx.Client) -> None:
    image = upload_direct(client, IMAGE)["checksum"]
    note = upload_direct(client, b'{"boxes": []}', name="a01.json")["checksum"]
    single = client.post("/data_units/", json=_unit(str(image)))
    assert single.status_code == 201
    unit = single.json()
    assert unit["id"] == 1 and unit["data_collection"] == 1
    assert unit["meta"] == {"origin_file_stem": "a01"}
    entry = unit["files"]["image"]
    assert entry["checksum"] == image and entry["file_type"] == "image" and entry["is_primary"]
    assert entry["path_original"] == "/data/image/a01.jpg"
    assert entry["file_name_original"] == "a01.jpg" and entry["size"] == len(IMAGE)
    batch = [_unit(str(image), annotation=str(note)), _unit(str(image))]
    array = client.post("/data_units/", json=batch)
    assert array.status_code == 201
    assert [u["id"] for u in array.json()] == [2, 3]
    assert set(array.json()[0]["files"]) == {"image", "annotation"}
    # v1 is not idempotent: the same POST again creates new units
    assert [u["id"] for u in client.post("/data_units/", json=batch).json()] == [4, 5]


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda u: u.update(data_collection=99), "99"),
        (lambda u: u["files"].update(bogus={"checksum": "x"}), "bogus"),
        (lambda u: u["files"]["image"].update(checksum="0" * 32), "0" * 32),
        (lambda u: u.update(extra=1), "extra"),
        (lambda u: u.update(data_collection=2), "label"),
    ],
    ids=["collection", "unknown-spec", "unknown-checksum", "extra-key", "missing-required"],
)
def test_unit_validation_is_all_or_nothing(
    fake: MockSynapse, client: httpx.Client, mutate: Any, needle: str
) -> None:
    image = str(upload_direct(client, IMAGE)["checksum"])
    good, bad = _unit(image), _unit(image)
    mutate(bad)
    with fake.expect_invalid_requests():
        response = client.post("/data_units/", json=[good, bad])
        single = client.post("/data_units/", json=bad)
    assert response.status_code == 400
    errors = response.json()
    assert errors[0] == {} and needle in str(errors[1])
    assert single.status_code == 400 and needle in str(single.json())
    assert fake.backend.counts()["data_units"] == 0


def test_required_specs_satisfied(client: httpx.Client) -> None:
    image = str(upload_direct(client, IMAGE)["checksum"])
    label = str(upload_direct(client, LABEL, name="a01.txt")["checksum"])
    response = client.post("/data_units/", json=_unit(image, collection=2, label=label))
    assert response.status_code == 201
    assert response.json()["files"]["label"]["file_type"] == "text"


def test_list_units_filters_and_next_keeps_the_query(
    fake: MockSynapse, client: httpx.Client
) -> None:
    image = str(upload_direct(client, IMAGE)["checksum"])
    label = str(upload_direct(client, LABEL, name="l.txt")["checksum"])
    client.post("/data_units/", json=[_unit(image) for _ in range(5)])
    client.post("/data_units/", json=_unit(image, collection=2, label=label))
    page = client.get("/data_units/", params={"data_collection": 1, "page_size": 2}).json()
    assert page["count"] == 5 and len(page["results"]) == 2
    query = parse_qs(urlsplit(page["next"]).query)
    assert query == {"data_collection": ["1"], "page_size": ["2"], "page": ["2"]}
    seen = [u["id"] for u in page["results"]]
    while page["next"]:
        assert page["next"].startswith(fake.base_url)
        page = client.get(page["next"]).json()
        seen += [u["id"] for u in page["results"]]
    assert seen == [1, 2, 3, 4, 5]
    everything = client.get("/data_units/").json()
    assert everything["count"] == 6
    one = client.get("/data_units/6/", params={"expand": "files"}).json()
    assert one["data_collection"] == 2 and set(one["files"]) == {"image", "label"}
    assert client.get("/data_units/99/").status_code == 404


# -- tasks --------------------------------------------------------------------------------
def test_tasks_are_created_once_per_unit(fake: MockSynapse, client: httpx.Client) -> None:
    image = str(upload_direct(client, IMAGE)["checksum"])
    label = str(upload_direct(client, LABEL, name="l.txt")["checksum"])
    units = client.post("/data_units/", json=[_unit(image), _unit(image)]).json()
    other = client.post("/data_units/", json=_unit(image, collection=2, label=label)).json()
    payload = {"project": 1, "data": [{"data_unit": u["id"]} for u in units]}
    first = client.post("/tasks/", json=payload)
    assert first.status_code == 201
    tasks = first.json()
    assert [t["data_unit"] for t in tasks] == [1, 2] and {t["project"] for t in tasks} == {1}
    again = client.post("/tasks/", json=payload).json()
    assert [t["id"] for t in again] == [t["id"] for t in tasks]
    assert fake.backend.counts()["tasks"] == 2
    assert (
        client.post("/tasks/", json={"project": 9, "data": [{"data_unit": 1}]}).status_code == 404
    )
    wrong = client.post("/tasks/", json={"project": 1, "data": [{"data_unit": other["id"]}]})
    assert wrong.status_code == 400 and str(other["id"]) in str(wrong.json())
    missing = client.post("/tasks/", json={"project": 1, "data": [{"data_unit": 77}]})
    assert missing.status_code == 400 and "77" in str(missing.json())


# -- auth ---------------------------------------------------------------------------------
def test_auth_cases(fake: MockSynapse) -> None:
    with fake.client(auth=False) as anon, fake.expect_invalid_requests():
        missing = anon.get("/data_collections/")
        assert missing.status_code == 401
        assert missing.json() == {"detail": "Authentication credentials were not provided."}
    with fake.client(auth=False) as anon:
        bad = anon.get("/data_collections/", headers={"Synapse-Access-Token": "Token nope"})
        assert bad.status_code == 401 and bad.json() == {"detail": "Invalid token."}
        legacy = anon.get(
            "/data_collections/",
            headers={"Authorization": f"Token {DEFAULT_TOKEN}", "Synapse-Tenant": "Token demo"},
        )
        assert legacy.status_code == 200
        noisy = anon.get(
            "/data_collections/",
            headers={**fake.headers(tenant="demo"), "sentry-trace": "abc-def", "baggage": "k=v"},
        )
        assert noisy.status_code == 200
        wrong_tenant = anon.get("/data_collections/", headers=fake.headers(tenant="other"))
        assert wrong_tenant.status_code == 403
        assert wrong_tenant.json() == {
            "detail": "You do not have permission to perform this action."
        }


def test_cross_tenant_objects_are_invisible(fake: MockSynapse, client: httpx.Client) -> None:
    other = {"Synapse-Access-Token": "Token other-token"}
    theirs = client.get("/data_collections/", headers=other).json()
    assert [c["id"] for c in theirs["results"]] == [3]
    assert client.get("/data_collections/3/").status_code == 404
    assert client.get("/data_collections/1/", headers=other).status_code == 404
    image = str(upload_direct(client, IMAGE)["checksum"])
    verify = client.post(
        "/data_files/verify_checksums/", json={"checksums": [image]}, headers=other
    )
    assert verify.json() == {"existing_checksums": []}
    unit = client.post("/data_units/", json=_unit(image)).json()
    assert client.get(f"/data_units/{unit['id']}/", headers=other).status_code == 404
    assert client.get("/data_units/", headers=other).json()["count"] == 0
    foreign = client.post(
        "/data_units/",
        json={"data_collection": 3, "files": {"scan": {"checksum": image}}},
    )
    assert foreign.status_code == 400 and "3" in str(foreign.json()["data_collection"])
    assert (
        client.post("/tasks/", json={"project": 2, "data": [{"data_unit": unit["id"]}]}).status_code
        == 404
    )


# -- presigned downloads ------------------------------------------------------------------
def test_presigned_download(fake: MockSynapse, client: httpx.Client, clock: ManualClock) -> None:
    image = str(upload_direct(client, IMAGE)["checksum"])
    unit = client.post("/data_units/", json=_unit(image)).json()
    url = unit["files"]["image"]["url"]
    assert url.startswith(f"{fake.base_url}/_storage/")
    with fake.client(auth=False) as anon:
        ok = anon.get(url)
        assert ok.status_code == 200 and ok.content == IMAGE
        tampered = url.replace("signature=", "signature=0")
        assert anon.get(tampered).status_code == 403
        clock.advance(seconds=3601)
        expired = anon.get(url)
        assert expired.status_code == 403 and "expired" in expired.json()["detail"]
