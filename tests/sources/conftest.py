"""A source bucket: moto's S3 server (the session's ``s3_endpoint``, tests/fixtures.py), a dataset
written into it with botocore, and a recorder of every byte read from source files."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path
from typing import Any

import attrs
import pytest

from synapse_ext.sources import SourcePath

pytest.importorskip("s3fs")
pytest.importorskip("moto.server")


@pytest.fixture(autouse=True)
def aws_env(aws_test_env: None) -> None:
    """Every test here gets fake credentials through the environment (``aws_test_env``)."""


@pytest.fixture
def s3(s3_endpoint: str) -> Any:
    import botocore.session

    return botocore.session.get_session().create_client("s3", endpoint_url=s3_endpoint)


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"src-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def upload_tree(s3: Any, local: Path, bucket: str, prefix: str) -> str:
    """Every file under ``local`` to ``s3://bucket/prefix/<relative path>``; the URL."""
    for path in sorted(local.rglob("*")):
        if path.is_file():
            key = f"{prefix}/{path.relative_to(local).as_posix()}"
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
    return f"s3://{bucket}/{prefix}"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@attrs.define
class ReadLog:
    """Bytes read from source files (through their handles) and the largest single read."""

    total: int = 0
    largest: int = 0
    whole_file_reads: int = 0
    by_url: dict[str, int] = attrs.Factory(dict)


class _Recording:
    def __init__(self, inner: Any, src: SourcePath, log: ReadLog) -> None:
        self._inner, self._src, self._log = inner, src, log

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            self._log.whole_file_reads += 1
        data: bytes = self._inner.read(n)
        self._log.total += len(data)
        self._log.largest = max(self._log.largest, len(data))
        self._log.by_url[self._src.url] = self._log.by_url.get(self._src.url, 0) + len(data)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> _Recording:
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.close()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> ReadLog:
    """Record every read of every source file opened from now on."""
    log = ReadLog()
    original = SourcePath.open

    def recording_open(self: SourcePath) -> Any:
        return _Recording(original(self), self, log)

    monkeypatch.setattr(SourcePath, "open", recording_open)
    return log
