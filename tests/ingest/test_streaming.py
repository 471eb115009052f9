"""Units are created while later files upload, and both progress bars are honest from the start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver import MockSynapse
from synapse_ext import (
    CallbackProgress,
    IngestResult,
    ProgressEvent,
    SynapseClient,
    organize,
    upload_data_collection,
)
from synapse_ext.ingest.run import ApiChoice

from .conftest import FAST, assert_exact, dataset_bytes, make_dataset

pytestmark = pytest.mark.slow

UPLOADS = {"v1": "createDataFile", "v2": "storagePutObject"}
UNIT_BATCHES = {"v1": "createDataUnits", "v2": "v2BulkCreateDataUnits"}


@pytest.fixture
def client_options() -> dict[str, Any]:
    return {"retry": FAST}


def _ingest(
    client: SynapseClient, root: Path, api: ApiChoice, events: list[ProgressEvent], **kw: Any
) -> IngestResult:
    groups = organize(root, client.get_collection(1))
    return upload_data_collection(
        client,
        1,
        groups.groups,
        project_id=1,
        journal=None,
        api=api,
        batch_size=5,
        on_progress=CallbackProgress(events.append),
        **kw,
    )


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_units_are_created_before_the_last_files_are_uploaded(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path, api: ApiChoice
) -> None:
    expected = make_dataset(tmp_path / "data", 40)
    result = _ingest(client, tmp_path / "data", api, [], max_workers=2)
    assert result.success, result.failures
    ops = [c.operation_id for c in fake.calls]
    first_batch = ops.index(UNIT_BATCHES[api])
    last_upload = len(ops) - 1 - ops[::-1].index(UPLOADS[api])
    assert first_batch < last_upload  # the first units did not wait for the whole window
    # 40 groups in batches of 5, and one at the window's end: g00011 and g00031 share their
    # annotation with g00001 of the first batch, so they are bound once every batch has ended.
    assert ops.count(UNIT_BATCHES[api]) == 9
    assert_exact(fake, expected)


def _listed(root: Path) -> int:
    """Bytes of every file organize lists (by path: shared content counts once per file)."""
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def _bar(events: list[ProgressEvent], desc: str) -> list[ProgressEvent]:
    return [e for e in events if e.desc == desc]


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_both_bars_have_their_totals_from_the_start_and_end_at_them(
    client: SynapseClient, tmp_path: Path, api: ApiChoice
) -> None:
    root = tmp_path / "data"
    make_dataset(root, 23)
    events: list[ProgressEvent] = []
    result = _ingest(client, root, api, events, lookup_threshold=0)
    assert result.success, result.failures
    units, content = _bar(events, "data units"), _bar(events, "file content")
    assert units[0].total == 23
    assert content[0].total == _listed(root)  # before any byte was sent
    assert content[0].done == 0
    assert content[-1].finished and content[-1].done == content[-1].total == result.bytes_sent
    assert result.bytes_sent == sum(dataset_bytes(root).values())  # shared content sent once
    assert units[-1].finished and units[-1].done == 23
    # Units advance while files are still being sent.
    first_unit = next(i for i, e in enumerate(events) if e.desc == "data units" and e.done)
    last_byte = max(i for i, e in enumerate(events) if e.desc == "file content" and e.advanced)
    assert first_unit < last_byte


def test_the_bytes_total_drops_what_the_server_already_holds(
    client: SynapseClient, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    make_dataset(root, 12)
    first = _ingest(client, root, "v1", [])
    assert first.success
    for i in range(3):  # new content next to the old
        (root / "image" / f"new{i}.jpg").write_bytes(f"new image {i} ".encode() * 50)
    events: list[ProgressEvent] = []
    again = _ingest(client, root, "v1", events)
    content = _bar(events, "file content")
    assert content[0].total == _listed(root)  # what organize lists
    assert 0 < again.bytes_sent < content[0].total
    assert content[-1].done == content[-1].total == again.bytes_sent


def test_a_failed_upload_leaves_the_bytes_total_at_what_was_sent(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    make_dataset(root, 6)
    fake.faults.respond("createDataFile", status=403, times=1)  # one file refused for good
    events: list[ProgressEvent] = []
    result = _ingest(client, root, "v1", events)
    assert result.failed >= 1
    content = _bar(events, "file content")
    assert content[-1].done == content[-1].total == result.bytes_sent


def test_the_result_says_how_long_the_ingestion_took(client: SynapseClient, tmp_path: Path) -> None:
    make_dataset(tmp_path / "data", 3)
    result = _ingest(client, tmp_path / "data", "v2", [])
    assert result.elapsed_s > 0
    assert result.to_dict()["elapsed_s"] == result.elapsed_s
