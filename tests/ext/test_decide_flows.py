"""Every flow that retries asks the one classifier (``RetryPolicy.decide``), with its kind.

A recording policy notes each question as the :class:`Kind` it names (however the keywords
were spelled); a scripted fault makes each flow ask once, and the test pins what the flow said
about its request (safe, unsafe, a splittable batch, storage).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest

from mockserver import mock_synapse
from synapse_ext import SynapseClient, upload_data_collection
from synapse_ext._flow import SAFE, STORAGE, UNSAFE, UNSAFE_BATCH, Kind
from synapse_ext.errors import ClientError
from synapse_ext.policy import Decision, RetryPolicy


@attrs.frozen
class RecordingPolicy(RetryPolicy):
    """A RetryPolicy that notes every ``decide`` question and its answer."""

    asked: list[tuple[int | None, Kind, Decision]] = attrs.field(factory=list, eq=False)

    def decide(self, error: ClientError, **kind: bool) -> Decision:  # type: ignore[override]
        answer = RetryPolicy.decide(self, error, **kind)
        self.asked.append((error.status_code, Kind(**kind), answer))
        return answer


def _png(tmp_path: Path, name: str = "a.png", size: int = 64) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\x89PNG" + bytes(range(256)) * (size // 256 + 1))
    return path


@pytest.fixture
def recorded() -> RecordingPolicy:
    return RecordingPolicy(base=0.0)


def _client(fake: Any, policy: RetryPolicy) -> SynapseClient:
    return SynapseClient(
        fake.base_url, fake.token, transport=fake.transport, retry=policy, sleep=lambda s: None
    )


def test_an_ordinary_read_asks_as_safe(recorded: RecordingPolicy) -> None:
    with mock_synapse() as fake, _client(fake, recorded) as client:
        fake.faults.script("getDataCollection", status=502)
        client.get_collection(1)
    assert recorded.asked == [(502, SAFE, Decision.RETRY)]


def test_a_direct_data_file_asks_as_unsafe(tmp_path: Path, recorded: RecordingPolicy) -> None:
    with mock_synapse() as fake, _client(fake, recorded) as client:
        fake.faults.script("createDataFile", status=502)
        client.upload_file(_png(tmp_path), chunked=False)
    assert recorded.asked[0] == (502, UNSAFE, Decision.RECONCILE)


def test_a_chunk_asks_as_unsafe(tmp_path: Path, recorded: RecordingPolicy) -> None:
    with mock_synapse() as fake, _client(fake, recorded) as client:
        fake.faults.script("uploadChunk", status=503)
        client.upload_file_chunked(_png(tmp_path, size=3000), chunk_size=1024)
    assert recorded.asked[0] == (503, UNSAFE, Decision.RETRY)


def test_a_chunked_finalize_asks_as_unsafe(tmp_path: Path, recorded: RecordingPolicy) -> None:
    with mock_synapse() as fake, _client(fake, recorded) as client:
        fake.faults.script("completeChunkedUpload", status=429)
        client.upload_file_chunked(_png(tmp_path, size=3000), chunk_size=1024)
    assert recorded.asked[0] == (429, UNSAFE, Decision.RETRY)


def test_a_storage_put_asks_as_storage(tmp_path: Path, recorded: RecordingPolicy) -> None:
    with mock_synapse() as fake, _client(fake, recorded) as client:
        fake.faults.proxy_error("storagePutObject")
        client.upload_file_presigned(1, _png(tmp_path))
    assert recorded.asked[0] == (400, STORAGE, Decision.RETRY)


def test_a_v2_finalize_asks_as_unsafe(tmp_path: Path, recorded: RecordingPolicy) -> None:
    groups = [{"files": {"image": _png(tmp_path)}, "meta": {}}]
    with mock_synapse() as fake, _client(fake, recorded) as client:
        fake.faults.script("v2FinalizeUpload", status=500)
        result = upload_data_collection(client, 1, groups, journal=None, api="v2")
    assert result.units_created == 1
    assert (500, UNSAFE, Decision.RECONCILE) in recorded.asked


def test_a_v1_unit_batch_asks_as_an_unsafe_splittable_batch(
    tmp_path: Path, recorded: RecordingPolicy
) -> None:
    groups = [{"files": {"image": _png(tmp_path)}, "meta": {}}]
    with mock_synapse() as fake, _client(fake, RetryPolicy(base=0.0)) as client:
        fake.faults.script("createDataUnits", status=422)
        result = upload_data_collection(
            client, 1, groups, journal=None, api="v1", unit_retry=recorded
        )
    assert result.units_created == 0
    assert recorded.asked == [(422, UNSAFE_BATCH, Decision.SPLIT)]


def test_v1_tasks_ask_as_safe(tmp_path: Path, recorded: RecordingPolicy) -> None:
    groups = [{"files": {"image": _png(tmp_path)}, "meta": {}}]
    with mock_synapse() as fake, _client(fake, RetryPolicy(base=0.0)) as client:
        fake.faults.script("createTasks", status=500)
        result = upload_data_collection(
            client, 1, groups, project_id=1, journal=None, api="v1", unit_retry=recorded
        )
    assert result.tasks_created == 1
    assert recorded.asked == [(500, SAFE, Decision.RETRY)]
