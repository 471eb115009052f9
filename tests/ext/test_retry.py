"""Call-level retries: Retry-After, backoff with jitter, and never resending maybe-applied POSTs.

Against the fake (both transports). Faults, as the client sees them: ``respond`` answers instead
of handling, ``refuse`` = not sent (respx only: a real server cannot refuse one request),
``drop`` = sent and never answered (not applied), ``lose_response`` = applied, answer lost.
``fake.call_count`` counts every request received; ``fake.handled_count`` those handled.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from synapse_client.models import DataUnitCreate

from mockserver import MockSynapse
from synapse_ext import (
    DataFileUnconfirmedError,
    RateLimitError,
    RequestNotSentError,
    ResponseLostError,
    RetryPolicy,
    ServerError,
    SynapseClient,
)


def _unit(checksum: str) -> DataUnitCreate:
    return DataUnitCreate.from_dict(
        {"data_collection": 1, "files": {"image": {"checksum": checksum}}}
    )


def _uploaded(client: SynapseClient, tmp_path: Path, content: bytes) -> str:
    """Upload ``content`` (so units may name it); returns its checksum."""
    path = tmp_path / f"{hashlib.md5(content).hexdigest()}.jpg"
    path.write_bytes(content)
    return client.upload_file(path).checksum


def test_policy_is_pure_full_jitter() -> None:
    policy = RetryPolicy(base=0.5, cap=3.0)
    seen: list[tuple[float, float]] = []

    def uniform(a: float, b: float) -> float:
        seen.append((a, b))
        return b

    assert [policy.backoff(n, uniform) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert seen[0] == (0.0, 0.5)


def test_429_retry_after_is_honoured_and_capped(
    fake: MockSynapse, sleeps: list[float], client: SynapseClient
) -> None:
    for retry_after in ("7", "3600"):
        fake.faults.respond(
            "listDataCollections",
            status=429,
            headers={"Retry-After": retry_after},
            json={"detail": "slow"},
        )
    page = client.list_collections()
    assert page.count == 2  # the default fixtures' two collections of tenant demo
    assert sleeps == [7.0, 60.0]


def test_503_retried_with_jittered_backoff(fake: MockSynapse) -> None:
    sleeps: list[float] = []
    fake.faults.respond("getDataCollection", status=503)
    fake.faults.respond("getDataCollection", status=502)
    bounds: list[float] = []

    def uniform(a: float, b: float) -> float:
        bounds.append(b)
        return b / 2

    with SynapseClient(
        fake.base_url,
        fake.token,
        transport=fake.transport,
        sleep=sleeps.append,
        uniform=uniform,
        retry=RetryPolicy(base=1.0),
    ) as c:
        assert c.get_collection(1).id == 1
    assert bounds == [1.0, 2.0]
    assert sleeps == [0.5, 1.0]


def test_retries_run_out(fake: MockSynapse, sleeps: list[float], client: SynapseClient) -> None:
    fake.faults.respond("listDataCollections", status=503, times=10)
    with pytest.raises(ServerError):
        client.list_collections()
    assert len(sleeps) == 3  # 4 attempts


def test_retry_none_turns_it_off(fake: MockSynapse) -> None:
    fake.faults.respond("listDataCollections", status=429, headers={"Retry-After": "1"})
    with (
        SynapseClient(fake.base_url, fake.token, transport=fake.transport, retry=None) as c,
        pytest.raises(RateLimitError),
    ):
        c.list_collections()


@pytest.mark.parametrize("fake_mode", ["respx"])  # "not sent" exists only in-process
def test_connection_errors_are_retried(
    fake: MockSynapse, sleeps: list[float], client: SynapseClient, tmp_path: Path
) -> None:
    checksum = _uploaded(client, tmp_path, b"abc")
    fake.faults.refuse("createDataUnits")
    units = client.create_units(_unit(checksum))
    assert len(units) == 1
    assert fake.handled_count("createDataUnits") == 1
    assert fake.call_count("createDataUnits") == 2  # the refused attempt, then the one sent
    assert len(sleeps) == 1


@pytest.mark.parametrize("operation", ["createDataUnits", "createTasks"])
def test_lost_post_response_is_not_resent(
    operation: str, fake: MockSynapse, client: SynapseClient, tmp_path: Path
) -> None:
    a, b = (_uploaded(client, tmp_path, content) for content in (b"a", b"b"))
    if operation == "createTasks":
        unit_ids = [u.id for u in client.create_units([_unit(a)])]
    fake.faults.lose_response(operation)
    with pytest.raises(ResponseLostError, match="response lost: the server may have applied"):
        if operation == "createDataUnits":
            client.create_units([_unit(a), _unit(b)])
        else:
            client.create_tasks(1, unit_ids)
    assert fake.call_count(operation) == 1
    assert not isinstance(
        ResponseLostError(), RequestNotSentError
    )  # siblings, not parent and child


def test_lost_get_is_retried(fake: MockSynapse, sleeps: list[float], client: SynapseClient) -> None:
    fake.faults.lose_response("getDataCollection")
    assert client.get_collection(1).id == 1
    assert fake.call_count("getDataCollection") == 2


def test_lost_direct_upload_that_was_applied_is_not_resent(
    tmp_path: Path, fake: MockSynapse, client: SynapseClient
) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(b"x" * 100)
    fake.faults.lose_response("createDataFile")
    with pytest.raises(DataFileUnconfirmedError) as caught:
        client.upload_file(path)
    assert caught.value.checksum == hashlib.md5(b"x" * 100).hexdigest()
    assert "a.jpg" in str(caught.value)
    assert fake.call_count("createDataFile") == 1
    assert fake.call_count("verifyDataFileChecksums") == 1


def test_lost_direct_upload_that_was_not_applied_is_sent_again(
    tmp_path: Path, fake: MockSynapse, client: SynapseClient
) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(b"x" * 100)
    fake.faults.drop("createDataFile")  # sent, never answered, not applied
    data_file = client.upload_file(path)
    assert data_file.size == 100
    assert fake.call_count("verifyDataFileChecksums") == 1
    assert fake.handled_count("createDataFile") == 1  # applied once
    assert fake.call_count("createDataFile") == 2  # the dropped attempt, then the resend


def test_unit_post_is_not_resent_after_a_502(
    fake: MockSynapse, sleeps: list[float], client: SynapseClient, tmp_path: Path
) -> None:
    """A 502/504 can follow a backend commit: a non-idempotent POST is raised, not resent."""
    checksum = _uploaded(client, tmp_path, b"x")
    fake.faults.respond(
        "createDataUnits", status=502, body="<html>bad gateway</html>", content_type="text/html"
    )
    with pytest.raises(ServerError) as caught:
        client.create_units(_unit(checksum))
    assert caught.value.status_code == 502
    assert sleeps == []
    assert fake.call_count("createDataUnits") == 1


def test_unit_post_is_resent_after_a_503_that_says_not_processed(
    tmp_path: Path, fake: MockSynapse, sleeps: list[float], client: SynapseClient
) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(b"x")
    client.upload_file(path)
    fake.faults.respond(
        "createDataUnits", status=503, headers={"Retry-After": "2"}, json={"detail": "busy"}
    )
    units = client.create_units(_unit(hashlib.md5(b"x").hexdigest()))
    assert len(units) == 1
    assert sleeps == [2.0]
    assert fake.handled_count("createDataUnits") == 1
    assert fake.call_count("createDataUnits") == 2


def test_direct_upload_after_a_504_asks_the_server_before_sending_again(
    tmp_path: Path, fake: MockSynapse, client: SynapseClient
) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(b"payload")
    fake.faults.respond("createDataFile", status=504, body="gateway timeout")
    data_file = client.upload_file(path)
    assert data_file.checksum == hashlib.md5(b"payload").hexdigest()
    assert fake.call_count("verifyDataFileChecksums") == 1
