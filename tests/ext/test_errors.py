"""Typed errors: every status family, non-JSON bodies, odd status codes, local-file checks.

Answers the fake never gives by itself (a 520, a proxy's HTML page, a 200 that is not JSON or
breaks the schema) are injected with ``fake.faults.respond``; both transports.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from mockserver import MockSynapse
from synapse_ext import (
    AuthenticationError,
    AuthorizationError,
    ClientError,
    EmptyFileError,
    NotFoundError,
    ProtocolError,
    RateLimitError,
    ServerError,
    SynapseClient,
    UnexpectedStatusError,
    ValidationError,
)

SECRET = "s3cr3t-token-value"
"""A distinctive (and invalid) token: searched for in everything the client writes."""


def _client(fake: MockSynapse) -> SynapseClient:
    return SynapseClient(fake.base_url, fake.token, transport=fake.transport, retry=None)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (403, AuthorizationError),
        (404, NotFoundError),
        (410, UnexpectedStatusError),
        (422, ValidationError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (520, ServerError),
        (499, UnexpectedStatusError),
    ],
)
def test_status_maps_to_typed_error(fake: MockSynapse, status: int, cls: type[ClientError]) -> None:
    fake.faults.respond("getDataCollection", status=status, json={"detail": "nope"})
    with _client(fake) as c, pytest.raises(cls) as info:
        c.get_collection(1)
    assert info.value.status_code == status
    assert info.value.detail == {"detail": "nope"}
    assert str(info.value) == f"{status}: {{'detail': 'nope'}}"
    assert info.value.response is not None


@pytest.mark.parametrize("status", [200, 400, 429, 404])
def test_non_json_body_becomes_error_not_crash(fake: MockSynapse, status: int) -> None:
    body = b"<html>cloudflare</html>"
    fake.faults.respond("getDataCollection", status=status, body=body, content_type="text/html")
    with _client(fake) as c, pytest.raises(ClientError) as info:
        c.get_collection(1)
    if status == 200:
        assert isinstance(info.value, ProtocolError)
    else:
        assert info.value.status_code == status
        assert info.value.detail == "<html>cloudflare</html>"


def test_json_content_type_over_a_body_that_is_not_json(fake: MockSynapse) -> None:
    fake.faults.respond(
        "getDataCollection", status=200, body=b"<html>ok</html>", content_type="application/json"
    )
    with _client(fake) as c, pytest.raises(ProtocolError):
        c.get_collection(1)


def test_rate_limit_keeps_retry_after(fake: MockSynapse) -> None:
    fake.faults.respond(
        "listDataCollections", status=429, headers={"Retry-After": "7"}, body=b"slow down"
    )
    with _client(fake) as c, pytest.raises(RateLimitError) as info:
        c.list_collections()
    assert info.value.retry_after == 7.0


def test_unknown_enum_value_is_protocol_error(fake: MockSynapse) -> None:
    spec = {"id": 1, "name": "x", "file_type": "hologram", "is_required": True, "is_primary": True}
    body = {"id": 1, "name": "c", "file_specifications": [spec]}
    fake.faults.respond("getDataCollection", status=200, json=body)
    with _client(fake) as c, pytest.raises(ProtocolError):
        c.get_collection(1)


def test_missing_required_field_is_protocol_error(fake: MockSynapse) -> None:
    fake.faults.respond("getDataCollection", status=200, json={"name": "no id"})
    with _client(fake) as c, pytest.raises(ProtocolError):
        c.get_collection(1)


def test_missing_file_raises_before_any_request(tmp_path: Path, fake: MockSynapse) -> None:
    missing = tmp_path / "nope.jpg"
    with SynapseClient(fake.base_url, fake.token, transport=fake.transport) as c:
        for call in (c.upload_file, c.upload_file_direct, c.upload_file_chunked):
            with pytest.raises(FileNotFoundError, match=r"nope\.jpg"):
                call(missing)
    assert fake.calls == []


def test_empty_file_rejected_before_any_request(tmp_path: Path, fake: MockSynapse) -> None:
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with SynapseClient(fake.base_url, fake.token, transport=fake.transport) as c:
        with pytest.raises(EmptyFileError, match=r"empty\.bin"):
            c.upload_file(empty, chunked=True)
        with pytest.raises(EmptyFileError, match=r"empty\.bin"):
            c.upload_file(empty)
    assert fake.calls == []


def test_token_never_in_repr_errors_or_logs(
    fake: MockSynapse, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    fake.faults.respond("listDataCollections", status=503)  # then the fake's own 401
    sleeps: list[float] = []
    c = SynapseClient(
        fake.base_url,
        SECRET,
        tenant="acme",
        legacy_token=SECRET + "L",
        transport=fake.transport,
        sleep=sleeps.append,
    )
    caplog.set_level(logging.DEBUG)
    with c, pytest.raises(AuthenticationError) as info:
        c.list_collections()
    assert info.value.detail == {"detail": "Invalid token."}
    texts = [repr(c), str(info.value), repr(info.value), caplog.text, repr(c._driver.client)]
    assert sleeps  # the 503 was retried and logged
    assert "retrying list_data_collections" in caplog.text
    for text in texts:
        assert SECRET not in text
    assert "***" in repr(c)


def test_plain_http_warns_except_loopback() -> None:
    with pytest.warns(UserWarning, match="plain-HTTP"):
        SynapseClient("http://api.example.com", SECRET).close()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SynapseClient("http://127.0.0.1:8000", SECRET).close()
        SynapseClient("http://localhost:8000", SECRET).close()
