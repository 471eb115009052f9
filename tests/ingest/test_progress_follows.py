"""The bytes bar follows the bytes: it advances as each upload request is acknowledged.

A recording progress sink notes, at every event, how many uploads and unit batches the fake
has received so far; with latency on every response, the order of those notes is the order
of the work (no wall-clock time is asserted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

from mockserver import MockSynapse
from synapse_ext import (
    AsyncSynapseClient,
    CallbackProgress,
    IngestResult,
    ProgressEvent,
    SynapseClient,
    aupload_data_collection,
    organize,
    upload_data_collection,
)
from synapse_ext.ingest.run import ApiChoice

from .conftest import make_dataset

pytestmark = pytest.mark.slow

UPLOADS = {"v1": "createDataFile", "v2": "storagePutObject"}
UNIT_BATCHES = {"v1": "createDataUnits", "v2": "v2BulkCreateDataUnits"}
OPTIONS: dict[str, Any] = {
    "project_id": 1,
    "journal": None,
    "max_workers": 4,
    "adaptive": False,
    "lookup_threshold": 0,
}


@pytest.fixture
def fake_options() -> dict[str, Any]:
    return {"latency_ms": 15}


@attrs.frozen
class Seen:
    """One progress event and what the fake had received when it came."""

    event: ProgressEvent
    uploads: int
    unit_batches: int


def recorder(fake: MockSynapse, api: str, seen: list[Seen]) -> CallbackProgress:
    def note(event: ProgressEvent) -> None:
        ops = [c.operation_id for c in fake.calls]
        seen.append(Seen(event, ops.count(UPLOADS[api]), ops.count(UNIT_BATCHES[api])))

    return CallbackProgress(note)


def check(seen: list[Seen], result: IngestResult) -> None:
    assert result.success, result.failures
    sent = [s for s in seen if s.event.desc == "file content" and s.event.advanced]
    assert result.files_uploaded > 8
    # One batch of units for every group, bound after all its files: the bytes do not wait
    # for it, nor for the last file of the batch.
    assert sent[0].unit_batches == 0
    assert sent[0].uploads < result.files_uploaded
    assert len(sent) >= result.files_uploaded  # at least one step per file
    steps = [s.uploads for s in sent]
    assert steps == sorted(steps) and len(set(steps)) > 2  # they follow the uploads
    last = [s.event for s in seen if s.event.desc == "file content"][-1]
    assert last.finished and last.done == last.total == result.bytes_sent


def _groups(tmp_path: Path, n: int = 30) -> Path:
    root = tmp_path / "data"
    make_dataset(root, n)
    return root


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_bytes_advance_per_upload_before_the_batch_is_bound(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path, api: ApiChoice
) -> None:
    root = _groups(tmp_path)
    seen: list[Seen] = []
    groups = organize(root, client.get_collection(1)).groups
    result = upload_data_collection(
        client, 1, groups, api=api, on_progress=recorder(fake, api, seen), **OPTIONS
    )
    check(seen, result)
    assert fake.call_count(UNIT_BATCHES[api]) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("api", ["v1", "v2"])
async def test_bytes_advance_per_upload_in_the_async_world(
    fake: MockSynapse, aclient: AsyncSynapseClient, tmp_path: Path, api: ApiChoice
) -> None:
    root = _groups(tmp_path)
    seen: list[Seen] = []
    async with aclient as c:
        groups = organize(root, await c.get_collection(1)).groups
        result = await aupload_data_collection(
            c, 1, groups, api=api, on_progress=recorder(fake, api, seen), **OPTIONS
        )
    check(seen, result)


def test_a_put_sent_again_is_counted_once(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path
) -> None:
    root = _groups(tmp_path, 12)
    fake.faults.respond("storagePutObject", status=500, times=3)  # retried by the engine
    seen: list[Seen] = []
    groups = organize(root, client.get_collection(1)).groups
    result = upload_data_collection(
        client, 1, groups, api="v2", on_progress=recorder(fake, "v2", seen), **OPTIONS
    )
    assert result.success, result.failures
    assert fake.call_count("storagePutObject") == result.files_uploaded + 3
    content = [s.event for s in seen if s.event.desc == "file content"]
    assert sum(e.advanced for e in content) == content[-1].total == result.bytes_sent


def test_the_client_reporter_still_sees_each_file(
    fake: MockSynapse, tmp_path: Path, client_options: dict[str, Any]
) -> None:
    root = _groups(tmp_path, 6)
    files: list[ProgressEvent] = []
    with SynapseClient(
        fake.base_url,
        fake.token,
        transport=fake.transport,
        progress=CallbackProgress(files.append),
        **client_options,
    ) as c:
        groups = organize(root, c.get_collection(1)).groups
        result = upload_data_collection(c, 1, groups, api="v1", **OPTIONS)
    assert result.success
    finished = [e for e in files if e.finished]
    assert len(finished) == result.files_uploaded
    assert sum(e.done for e in finished) == result.bytes_sent


@pytest.mark.parametrize(
    "fake_options", [{"latency_ms": 15, "multipart_threshold": 5 << 20, "part_size": 5 << 20}]
)
def test_a_large_file_advances_part_by_part_before_it_is_finalized(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path
) -> None:
    root = _groups(tmp_path, 2)
    big = root / "image" / "g00000.jpg"
    big.write_bytes(b"large " * ((11 << 20) // 6))  # three parts of at most 5 MiB
    size = big.stat().st_size
    events: list[tuple[ProgressEvent, int]] = []

    def note(event: ProgressEvent) -> None:
        if event.desc == "file content" and event.advanced:
            events.append((event, fake.call_count("v2FinalizeUpload")))

    groups = organize(root, client.get_collection(1)).groups
    result = upload_data_collection(
        client, 1, groups, api="v2", on_progress=CallbackProgress(note), **OPTIONS
    )
    assert result.success, result.failures
    parts = [e.advanced for e, _ in events if e.advanced >= 64 << 10]
    assert sorted(parts) == sorted([5 << 20, 5 << 20, size - (10 << 20)])
    assert all(finalized == 0 for _, finalized in events)  # all before the finalize
    assert events[-1][0].done == events[-1][0].total == result.bytes_sent
