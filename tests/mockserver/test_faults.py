"""Each fault kind, as an httpx client observes it, through both transports."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from mockserver import DEFAULT_TOKEN, FaultController, MockSynapse, mock_synapse

from .conftest import upload_direct

JSON = "application/json"


def test_scripted_status_with_retry_after(fake: MockSynapse, client: httpx.Client) -> None:
    fake.faults.script("listDataCollections", status=429, times=2, retry_after=1)
    for _ in range(2):
        response = client.get("/data_collections/")
        assert response.status_code == 429
        assert response.headers["retry-after"] == "1"
        assert "detail" in response.json()
    assert client.get("/data_collections/").status_code == 200
    assert fake.call_count("listDataCollections") == 3
    assert [c.fault for c in fake.calls] == ["status", "status", None]


@pytest.mark.parametrize("status", [413, 500, 502, 503])
def test_scripted_status_leaves_state_unchanged(
    fake: MockSynapse, client: httpx.Client, status: int
) -> None:
    fake.faults.script("createDataFile", status=status)
    response = client.post("/data_files/", files={"file": ("a.jpg", b"abc")})
    assert response.status_code == status
    assert fake.backend.counts()["data_files"] == 0


def test_drop_is_a_transport_error_and_nothing_happens(
    fake: MockSynapse, client: httpx.Client
) -> None:
    fake.faults.drop("createDataFile")
    with pytest.raises(httpx.RemoteProtocolError):
        client.post("/data_files/", files={"file": ("a.jpg", b"abc")})
    assert fake.backend.counts()["data_files"] == 0
    assert fake.calls[-1].status is None and fake.calls[-1].fault == "drop"


def test_lost_response_commits_then_fails_to_read(fake: MockSynapse, client: httpx.Client) -> None:
    fake.faults.lose_response("createDataFile")
    expected = httpx.ReadError if fake.mode == "respx" else httpx.RemoteProtocolError
    with pytest.raises(expected):
        client.post("/data_files/", files={"file": ("a.jpg", b"abc")})
    assert fake.backend.counts()["data_files"] == 1
    assert upload_direct(client, b"abc")["id"] == 2


def test_slow_and_latency_delay_the_answer(fake: MockSynapse) -> None:
    slept: list[float] = []
    fake.sleep = slept.append
    fake.faults.slow("listDataCollections", delay_ms=2000)
    if fake.mode == "respx":
        with fake.client() as c:
            assert c.get("/data_collections/").status_code == 200
        assert slept == [2.0]
    else:
        with (
            fake.client(timeout=httpx.Timeout(5, read=0.2)) as c,
            pytest.raises(httpx.ReadTimeout),
        ):
            c.get("/data_collections/")
    fake.faults.latency_ms = 1500 if fake.mode == "server" else 25
    if fake.mode == "respx":
        with fake.client() as c:
            assert c.get("/data_collections/").status_code == 200
        assert slept[-1] == 0.025
    else:
        with (
            fake.client(timeout=httpx.Timeout(5, read=0.2)) as c,
            pytest.raises(httpx.ReadTimeout),
        ):
            c.get("/data_collections/")


def test_control_routes_script_faults_and_reset(fake: MockSynapse, client: httpx.Client) -> None:
    with fake.client(auth=False) as control:
        scripted = control.post(
            "/_mock/faults",
            json={"operation": "verifyDataFileChecksums", "status": 503, "retry_after": 2},
        )
        assert scripted.status_code == 200 and scripted.json()["pending"][0]["status"] == 503
        assert control.post("/_mock/faults", json={"kind": "nope"}).status_code == 400
        upload_direct(client, b"abc")
        blocked = client.post("/data_files/verify_checksums/", json={"checksums": []})
        assert blocked.status_code == 503 and blocked.headers["retry-after"] == "2"
        control.post("/_mock/faults", json={"operation": "getDataUnit", "kind": "drop"})
        assert control.delete("/_mock/faults").json() == {"pending": []}
        state = control.get("/_mock/state").json()
        assert state["counts"]["data_files"] == 1
        assert state["data_files"][0]["size"] == 3
        assert DEFAULT_TOKEN not in str(state)
        assert control.post("/_mock/reset").status_code == 200
        assert control.get("/_mock/state").json()["counts"]["data_files"] == 0
    assert client.get("/data_collections/").status_code == 200


def test_seeded_random_faults_are_reproducible() -> None:
    def run(seed: int) -> list[str | None]:
        faults = FaultController()
        faults.random(rate=0.5, seed=seed, kinds=("status", "drop", "lose_response", "slow"))
        decided = [faults.decide("listDataUnits") for _ in range(40)]
        return [d.kind if d else None for d in decided]

    first = run(3)
    assert first == run(3) and first != run(4)
    assert {k for k in first if k} == {"status", "drop", "lose_response", "slow"}
    assert 5 < first.count(None) < 35


def test_random_faults_only_hit_selected_operations(
    fake: MockSynapse, client: httpx.Client
) -> None:
    fake.faults.random(rate=1.0, seed=1, operations=["getDataUnit"], statuses=[502])
    assert client.get("/data_collections/").status_code == 200
    assert client.get("/data_units/1/").status_code == 502


def test_patching_mode_serves_any_httpx_client_including_async() -> None:
    async def fetch() -> tuple[int, int]:
        async with httpx.AsyncClient() as c:
            headers = {"Synapse-Access-Token": f"Token {DEFAULT_TOKEN}"}
            ok = await c.get("https://api.synapse.sh/data_collections/", headers=headers)
            with pytest.raises(httpx.RemoteProtocolError):
                synapse.faults.drop()
                await c.get("https://api.synapse.sh/data_collections/", headers=headers)
            return ok.status_code, ok.json()["count"]

    with mock_synapse(validate=True) as synapse:
        assert (
            httpx.get(
                "https://api.synapse.sh/data_collections/1/",
                headers={"Synapse-Access-Token": f"Token {DEFAULT_TOKEN}"},
            ).json()["id"]
            == 1
        )
        assert asyncio.run(fetch()) == (200, 2)
        assert synapse.router["listDataCollections"].call_count == 2
        assert synapse.router["getDataCollection"].call_count == 1
        assert not synapse.contract_violations


def test_respond_sends_exactly_the_given_answer_without_handling(
    fake: MockSynapse, client: httpx.Client
) -> None:
    fake.faults.respond(
        "createDataFile", status=502, body="<html>bad gateway</html>", content_type="text/html"
    )
    proxy = client.post("/data_files/", files={"file": ("a.jpg", b"abc")})
    assert proxy.status_code == 502 and proxy.text == "<html>bad gateway</html>"
    assert proxy.headers["content-type"] == "text/html"
    fake.faults.respond("listDataCollections", status=200, body=b"{not json", content_type=JSON)
    broken = client.get("/data_collections/")
    assert broken.status_code == 200 and broken.content == b"{not json"
    assert broken.headers["content-type"] == JSON
    fake.faults.respond("getDataCollection", status=520, json={"x": 1}, headers={"X-Edge": "1"})
    odd = client.get("/data_collections/1/")
    assert odd.status_code == 520 and odd.json() == {"x": 1} and odd.headers["x-edge"] == "1"
    assert fake.state()["counts"]["data_files"] == 0  # not handled
    assert [(c.fault, c.status, c.handled) for c in fake.calls] == [
        ("respond", 502, False),
        ("respond", 200, False),
        ("respond", 520, False),
    ]


def test_refuse_is_not_sent_in_respx_and_a_dropped_connection_over_http(
    fake: MockSynapse, client: httpx.Client
) -> None:
    fake.faults.refuse("createDataFile")
    expected = httpx.ConnectError if fake.mode == "respx" else httpx.RemoteProtocolError
    with pytest.raises(expected):
        client.post("/data_files/", files={"file": ("a.jpg", b"abc")})
    assert fake.state()["counts"]["data_files"] == 0
    last = fake.calls[-1]
    assert (last.fault, last.status, last.handled) == ("refuse", None, False)
    assert fake.call_count("createDataFile") == 1 and fake.handled_count("createDataFile") == 0


def test_fault_json_api_for_respond_and_refuse(fake: MockSynapse, client: httpx.Client) -> None:
    with fake.client(auth=False) as control:
        set_up = control.post(
            "/_mock/faults",
            json=[
                {"operation": "getDataUnit", "kind": "respond", "status": 520, "body": "edge"},
                {"operation": "getDataUnit", "kind": "respond", "status": 200, "json": [1]},
                {"operation": "getDataUnit", "kind": "respond", "status": 503,
                 "body_base64": "AAE=", "content_type": "application/octet-stream",
                 "headers": {"Retry-After": "3"}},
                {"operation": "listDataUnits", "kind": "refuse"},
            ],
        )  # fmt: skip
        assert set_up.status_code == 200, set_up.text
        kinds = [p["kind"] for p in set_up.json()["pending"]]
        assert kinds == ["respond", "respond", "respond", "refuse"]
        for bad in (
            {"kind": "respond"},
            {"kind": "respond", "status": 99},
            {"kind": "respond", "status": 200, "json": 1, "body": "x"},
            {"kind": "respond", "status": 200, "body": 3},
            {"kind": "respond", "status": 200, "body_base64": "!!"},
            {"kind": "respond", "status": 200, "headers": {"a": 1}},
            {"random": {"rate": 0.5, "kinds": ["respond"]}},
        ):
            assert control.post("/_mock/faults", json=bad).status_code == 400, bad
    first = client.get("/data_units/1/")
    assert (first.status_code, first.text) == (520, "edge")
    assert first.headers["content-type"] == "text/plain; charset=utf-8"
    assert client.get("/data_units/1/").json() == [1]
    third = client.get("/data_units/1/")
    assert (third.status_code, third.content) == (503, b"\x00\x01")
    assert third.headers["retry-after"] == "3"
    with pytest.raises(httpx.TransportError):
        client.get("/data_units/")


def test_python_api_rejects_bad_faults() -> None:
    faults = FaultController()
    with pytest.raises(ValueError):
        faults.respond(status=600)
    with pytest.raises(ValueError):
        faults.respond(status=200, json={}, body="x")
    with pytest.raises(ValueError):
        faults.script(kind="respond")
    with pytest.raises(ValueError):
        faults.random(rate=0.1, kinds=("respond",))
    faults.random(rate=1.0, kinds=("refuse",))
    decided = faults.decide("getDataUnit")
    assert decided is not None and decided.kind == "refuse" and not decided.handled


def test_every_request_is_in_the_one_call_log(fake: MockSynapse, client: httpx.Client) -> None:
    fake.faults.drop("listDataCollections")
    fake.faults.lose_response("getDataCollection")
    fake.faults.script("verifyDataFileChecksums", status=429)
    with pytest.raises(httpx.TransportError):
        client.get("/data_collections/")
    with pytest.raises(httpx.TransportError):
        client.get("/data_collections/1/")
    assert client.post("/data_files/verify_checksums/", json={"checksums": []}).status_code == 429
    assert client.get("/nowhere/").status_code == 404
    assert [(c.operation_id, c.fault, c.status, c.handled) for c in fake.calls] == [
        ("listDataCollections", "drop", None, False),
        ("getDataCollection", "lose_response", 200, True),
        ("verifyDataFileChecksums", "status", 429, False),
        ("unknown", None, 404, False),
    ]
    assert fake.state()["operation_calls"] == {
        "listDataCollections": 1,
        "getDataCollection": 1,
        "verifyDataFileChecksums": 1,
        "unknown": 1,
    }
