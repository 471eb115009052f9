"""Fixtures shared by the whole suite (a pytest plugin listed in ``tests/conftest.py``).

There is one fake backend, ``mockserver``, checked against openapi.yaml:

- ``fake``: a fresh fake with contract validation on, parametrized over both transports:
  ``respx`` (in-process; clients get ``fake.transport``) and ``server`` (uvicorn in a thread;
  clients use the network). A test that needs one transport only says so with
  ``@pytest.mark.parametrize("fake_mode", ["respx"])`` and why. ``fake_options`` (a dict of
  :func:`mockserver.mock_synapse` keywords, empty by default) can be overridden by a folder
  or parametrized by a test.
- ``sleeps``: what the clients below were asked to sleep (nothing really sleeps).
- ``client`` / ``aclient``: a ``SynapseClient`` (open) / ``AsyncSynapseClient`` (to open with
  ``async with``) on ``fake``, sleeping into ``sleeps``; ``client_options`` (empty by default)
  adds keywords of both, e.g. a retry policy.

Helper: :func:`settle` (wait, with a deadline, until the fake is idle).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver import MockSynapse, mock_synapse
from synapse_ext import AsyncSynapseClient, SynapseClient

MODES = ("respx", "server")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=MODES)
def fake_mode(request: pytest.FixtureRequest) -> str:
    """The transport of ``fake``: ``respx`` or ``server``."""
    mode: str = request.param
    return mode


@pytest.fixture
def fake_options() -> dict[str, Any]:
    """Extra keywords of ``mock_synapse`` for ``fake`` (override or parametrize)."""
    return {}


@pytest.fixture
def fake(fake_mode: str, fake_options: dict[str, Any]) -> Iterator[MockSynapse]:
    """A fresh fake backend (contract validation on) through ``fake_mode``'s transport."""
    options: dict[str, Any] = {"validate": True, **fake_options}
    if fake_mode == "respx":
        options.setdefault("patch", False)
    with mock_synapse(mode=fake_mode, **options) as handle:
        yield handle
        violations = [str(v) for v in handle.contract_violations]
    assert not violations, violations


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client_options() -> dict[str, Any]:
    """Extra keywords of the clients below (override or parametrize)."""
    return {}


@pytest.fixture
def client(
    fake: MockSynapse, sleeps: list[float], client_options: dict[str, Any]
) -> Iterator[SynapseClient]:
    with SynapseClient(
        fake.base_url,
        fake.token,
        transport=fake.transport,
        sleep=sleeps.append,
        **client_options,
    ) as c:
        yield c


@pytest.fixture
def aclient(
    fake: MockSynapse, sleeps: list[float], client_options: dict[str, Any]
) -> AsyncSynapseClient:
    """Not yet opened: ``async with aclient as c:`` in the (anyio) test."""

    async def asleep(seconds: float) -> None:
        sleeps.append(seconds)

    return AsyncSynapseClient(
        fake.base_url, fake.token, transport=fake.transport, sleep=asleep, **client_options
    )


def settle(fake: MockSynapse, *, quiet: float = 0.3, timeout: float = 30.0) -> None:
    """Wait until the fake is idle: its call log and counts unchanged for ``quiet`` seconds.

    A killed client's requests already sent are still handled (and committed) by the server;
    fails the test if the fake is still busy after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout

    def mark() -> tuple[int, dict[str, int]]:
        return len(fake.calls), fake.state()["counts"]

    last = mark()
    while True:
        time.sleep(quiet)
        now = mark()
        if now == last:
            return
        if time.monotonic() > deadline:
            pytest.fail(
                f"the fake did not go idle within {timeout:.0f} s "
                f"({now[0]} calls, counts {now[1]})",
                pytrace=False,
            )
        last = now


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a loopback port for the session (started here, stopped at the end)."""
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_test_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials through the standard AWS chain (the environment), nothing else."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
