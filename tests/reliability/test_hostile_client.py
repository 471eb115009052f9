"""Hostile input for the client: every case gets a specific error and changes nothing remotely.

One table: (case, build the input and call, expected error class or failure reason, fragment).
Ingestion reports per-group failures instead of raising: those rows name a ``FailureReason``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver import DEFAULT_TOKEN, default_fixtures, mock_synapse
from synapse_ext import (
    AuthenticationError,
    BackendClient,
    EmptyFileError,
    FailureReason,
    NotFoundError,
    SeedCompatError,
    SynapseClient,
    upload_data_collection,
)

from .helpers import SOAK_RETRY, counters, no_sleep

Ctx = dict[str, Any]


def _fixtures() -> dict[str, Any]:
    data = default_fixtures()
    data["data_collections"].append({"id": 9, "tenant": "demo", "name": "no specs"})
    return data


@pytest.fixture
def ctx(tmp_path: Path) -> Any:
    with mock_synapse(patch=False, fixtures=_fixtures()) as fake:
        good = tmp_path / "good.jpg"
        good.write_bytes(b"fine content")
        with SynapseClient(
            fake.base_url, DEFAULT_TOKEN, transport=fake.transport, retry=SOAK_RETRY, sleep=no_sleep
        ) as client:
            yield {"fake": fake, "client": client, "tmp": tmp_path, "good": good}


def _upload(make: Callable[[Path], Path]) -> Callable[[Ctx], Any]:
    return lambda c: c["client"].upload_file(make(c["tmp"]))


def _ingest(groups: Callable[[Ctx], list[Any]], collection: int = 1) -> Callable[[Ctx], Any]:
    def run(c: Ctx) -> Any:
        return upload_data_collection(c["client"], collection, groups(c), journal=None, api="v1")

    return run


def _dir(tmp: Path) -> Path:
    (tmp / "folder.jpg").mkdir()
    return tmp / "folder.jpg"


def _fifo(tmp: Path) -> Path:
    os.mkfifo(tmp / "pipe.jpg")  # unreadable as a file even for root, and never blocks here
    return tmp / "pipe.jpg"


def _empty(tmp: Path) -> Path:
    (tmp / "empty.jpg").write_bytes(b"")
    return tmp / "empty.jpg"


def _loop(tmp: Path) -> Path:
    (tmp / "a.jpg").symlink_to(tmp / "b.jpg")
    (tmp / "b.jpg").symlink_to(tmp / "a.jpg")
    return tmp / "a.jpg"


def _long(tmp: Path) -> Path:
    return tmp / ("x" * 300 + ".jpg")


def _dotdot(tmp: Path) -> Path:
    return tmp / "sub" / ".." / ".." / "nowhere" / "x.jpg"


def _wrong_client(token: str, base: str | None = None) -> Callable[[Ctx], Any]:
    def run(c: Ctx) -> Any:
        fake = c["fake"]
        with SynapseClient(base or fake.base_url, token, transport=fake.transport) as other:
            return other.get_collection(1)

    return run


def _seed(entry: Callable[[Ctx], Any], collection: int = 1) -> Callable[[Ctx], Any]:
    def run(c: Ctx) -> Any:
        fake = c["fake"]
        with BackendClient(fake.base_url, api_token=DEFAULT_TOKEN, transport=fake.transport) as bc:
            return bc.upload_data_file(entry(c), collection)

    return run


CASES: list[tuple[str, Callable[[Ctx], Any], Any, str]] = [
    ("nonexistent path", _upload(lambda t: t / "missing.jpg"), FileNotFoundError, "No such file"),
    ("directory", _upload(_dir), IsADirectoryError, "Not a regular file"),
    ("fifo (unreadable)", _upload(_fifo), IsADirectoryError, "Not a regular file"),
    ("zero bytes", _upload(_empty), EmptyFileError, "empty"),
    ("symlink loop", _upload(_loop), FileNotFoundError, "No such file"),
    ("very long name", _upload(_long), OSError, "File name too long"),
    ("'..' in path", _upload(_dotdot), FileNotFoundError, "No such file"),
    ("wrong token", _wrong_client("not-a-token"), AuthenticationError, "Invalid token"),
    ("other tenant's collection", lambda c: c["client"].get_collection(3), NotFoundError, "404"),
    (
        "wrong spec name",
        _ingest(lambda c: [{"files": {"imagee": c["good"]}, "meta": {}}]),
        FailureReason.INVALID_GROUP,
        "unknown spec(s): imagee",
    ),
    (
        "collection without specifications",
        _ingest(lambda c: [{"files": {"image": c["good"]}}], collection=9),
        ValueError,
        "the collection has no file specifications",
    ),
    (
        "files not a mapping",
        _ingest(lambda c: [{"files": str(c["good"])}]),
        FailureReason.INVALID_GROUP,
        "has no 'files' mapping",
    ),
    (
        "group not a dict",
        _ingest(lambda c: [42]),
        FailureReason.INVALID_GROUP,
        "expected an OrganizedGroup or a dict",
    ),
    (
        "missing required spec",
        _ingest(lambda c: [{"files": {"annotation": c["good"]}}]),
        FailureReason.INVALID_GROUP,
        "missing required spec(s): image",
    ),
    (
        "ingest: fifo",
        _ingest(lambda c: [{"files": {"image": _fifo(c["tmp"])}}]),
        FailureReason.UNREADABLE,
        "pipe.jpg: not a regular file",
    ),
    (
        "ingest: zero bytes",
        _ingest(lambda c: [{"files": {"image": _empty(c["tmp"])}}]),
        FailureReason.EMPTY_FILE,
        "is empty",
    ),
    (
        "ingest: symlink loop",
        _ingest(lambda c: [{"files": {"image": _loop(c["tmp"])}}]),
        FailureReason.UNREADABLE,
        "a.jpg",
    ),
    (
        "ingest: unicode name, missing",
        _ingest(lambda c: [{"files": {"image": c["tmp"] / "été☃.jpg"}}]),
        FailureReason.UNREADABLE,
        "été☃.jpg",
    ),
    (
        "seed: files not a mapping",
        _seed(lambda c: {"files": None}),
        SeedCompatError,
        "non-empty 'files' mapping",
    ),
    (
        "seed: nonexistent file",
        _seed(lambda c: {"files": {"image": c["tmp"] / "gone.jpg"}}),
        FileNotFoundError,
        "No such file",
    ),
]


@pytest.mark.parametrize(
    ("action", "expected", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_hostile_client_input(ctx: Ctx, action: Any, expected: Any, fragment: str) -> None:
    before = counters(ctx["fake"])
    calls_before = len(ctx["fake"].calls)
    if isinstance(expected, FailureReason):
        result = action(ctx)
        assert [f.reason for f in result.failures] == [expected], result.to_dict()
        assert fragment in result.failures[0].message
        assert result.units_created == result.files_uploaded == 0
    else:
        with pytest.raises(expected) as info:
            action(ctx)
        assert fragment in str(info.value)
    assert counters(ctx["fake"]) == before
    writes = {"createDataFile", "createChunkedUpload", "uploadChunk", "createDataUnits"}
    assert not any(ctx["fake"].call_count(op) for op in writes)
    assert len(ctx["fake"].calls) >= calls_before
