"""Call-level retries: Retry-After, backoff with jitter, and never resending maybe-applied POSTs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest
from synapse_client.models import DataUnitCreate

from synapse_ext import (
    RateLimitError,
    RequestNotSentError,
    ResponseLostError,
    RetryPolicy,
    ServerError,
    SynapseClient,
)
from synapse_ext.errors import DataFileUnconfirmedError

from .fakes import BASE, TOKEN, FakeBackend


def _unit(checksum: str) -> DataUnitCreate:
    return DataUnitCreate.from_dict(
        {"data_collection": 1, "files": {"image": {"checksum": checksum}}}
    )


def test_policy_is_pure_full_jitter() -> None:
    policy = RetryPolicy(base=0.5, cap=3.0)
    seen: list[tuple[float, float]] = []

    def uniform(a: float, b: float) -> float:
        seen.append((a, b))
        return b

    assert [policy.backoff(n, uniform) for n in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert seen[0] == (0.0, 0.5)


def test_429_retry_after_is_honoured_and_capped(
    fake: FakeBackend, sleeps: list[float], client: SynapseClient
) -> None:
    fake.fail[("GET", "/data_collections/")] = [
        httpx.Response(429, headers={"Retry-After": "7"}, json={"detail": "slow"}),
        httpx.Response(429, headers={"Retry-After": "3600"}, json={"detail": "slow"}),
    ]
    page = client.list_collections()
    assert page.count == 1
    assert sleeps == [7.0, 60.0]


def test_503_retried_with_jittered_backoff(fake: FakeBackend) -> None:
    sleeps: list[float] = []
    fake.fail[("GET", "/data_collections/1/")] = [httpx.Response(503), httpx.Response(502)]
    bounds: list[float] = []

    def uniform(a: float, b: float) -> float:
        bounds.append(b)
        return b / 2

    with SynapseClient(
        BASE,
        TOKEN,
        transport=fake.transport,
        sleep=sleeps.append,
        uniform=uniform,
        retry=RetryPolicy(base=1.0),
    ) as c:
        assert c.get_collection(1).id == 1
    assert bounds == [1.0, 2.0]
    assert sleeps == [0.5, 1.0]


def test_retries_run_out(fake: FakeBackend, sleeps: list[float], client: SynapseClient) -> None:
    fake.fail[("GET", "/data_collections/")] = [httpx.Response(503)] * 10
    with pytest.raises(ServerError):
        client.list_collections()
    assert len(sleeps) == 3  # 4 attempts


def test_retry_none_turns_it_off(fake: FakeBackend) -> None:
    fake.fail[("GET", "/data_collections/")] = [httpx.Response(429, headers={"Retry-After": "1"})]
    with (
        SynapseClient(BASE, TOKEN, transport=fake.transport, retry=None) as c,
        pytest.raises(RateLimitError),
    ):
        c.list_collections()


def test_connection_errors_are_retried(
    fake: FakeBackend, sleeps: list[float], client: SynapseClient
) -> None:
    fake.fail[("POST", "/data_units/")] = ["drop"]
    units = client.create_units(_unit("abc"))
    assert len(units) == 1
    assert fake.calls[("POST", "/data_units/")] == 1
    assert len(sleeps) == 1


@pytest.mark.parametrize("path", ["/data_units/", "/tasks/"])
def test_lost_post_response_is_not_resent(
    path: str, fake: FakeBackend, client: SynapseClient
) -> None:
    fake.fail[("POST", path)] = ["lose"]
    with pytest.raises(ResponseLostError, match="response lost: the server may have applied"):
        if path == "/data_units/":
            client.create_units([_unit("a"), _unit("b")])
        else:
            client.create_tasks(1, [1])
    assert fake.calls[("POST", path)] == 1
    assert not isinstance(
        ResponseLostError(), RequestNotSentError
    )  # siblings, not parent and child


def test_lost_get_is_retried(fake: FakeBackend, sleeps: list[float], client: SynapseClient) -> None:
    fake.fail[("GET", "/data_collections/1/")] = ["lose"]
    assert client.get_collection(1).id == 1
    assert fake.calls[("GET", "/data_collections/1/")] == 2


def test_lost_direct_upload_that_was_applied_is_not_resent(
    tmp_path: Path, fake: FakeBackend, client: SynapseClient
) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(b"x" * 100)
    fake.fail[("POST", "/data_files/")] = ["lose"]
    with pytest.raises(DataFileUnconfirmedError) as caught:
        client.upload_file(path)
    assert caught.value.checksum == hashlib.md5(b"x" * 100).hexdigest()
    assert "a.jpg" in str(caught.value)
    assert fake.calls[("POST", "/data_files/")] == 1
    assert fake.calls[("POST", "/data_files/verify_checksums/")] == 1


def test_lost_direct_upload_that_was_not_applied_is_sent_again(
    tmp_path: Path, fake: FakeBackend, client: SynapseClient
) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(b"x" * 100)
    fake.fail[("POST", "/data_files/")] = ["lose_unapplied"]
    data_file = client.upload_file(path)
    assert data_file.size == 100
    assert fake.calls[("POST", "/data_files/verify_checksums/")] == 1
    assert fake.calls[("POST", "/data_files/")] == 1  # counted when handled: handled once


def test_unit_post_is_not_resent_after_a_502(
    fake: FakeBackend, sleeps: list[float], client: SynapseClient
) -> None:
    """A 502/504 can follow a backend commit: a non-idempotent POST is raised, not resent."""
    fake.fail[("POST", "/data_units/")] = [httpx.Response(502, text="<html>bad gateway</html>")]
    with pytest.raises(ServerError) as caught:
        client.create_units(_unit(hashlib.md5(b"x").hexdigest()))
    assert caught.value.status_code == 502
    assert sleeps == []


def test_unit_post_is_resent_after_a_503_that_says_not_processed(
    tmp_path: Path, fake: FakeBackend, sleeps: list[float], client: SynapseClient
) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(b"x")
    client.upload_file(path)
    fake.fail[("POST", "/data_units/")] = [
        httpx.Response(503, headers={"Retry-After": "2"}, json={"detail": "busy"})
    ]
    units = client.create_units(_unit(hashlib.md5(b"x").hexdigest()))
    assert len(units) == 1
    assert sleeps == [2.0]
    assert fake.calls[("POST", "/data_units/")] == 1


def test_direct_upload_after_a_504_asks_the_server_before_sending_again(
    tmp_path: Path, fake: FakeBackend, client: SynapseClient
) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(b"payload")
    fake.fail[("POST", "/data_files/")] = [httpx.Response(504, text="gateway timeout")]
    data_file = client.upload_file(path)
    assert data_file.checksum == hashlib.md5(b"payload").hexdigest()
    assert fake.calls[("POST", "/data_files/verify_checksums/")] == 1
