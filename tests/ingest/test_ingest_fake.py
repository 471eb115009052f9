"""upload_data_collection against the fake: exactness, skipping, faults, progress, async.

Both transports (the shared ``fake``, contract validation on) unless a test says otherwise.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from mockserver import MockSynapse, mock_synapse
from synapse_ext import (
    AsyncSynapseClient,
    BackendClient,
    CallbackProgress,
    ClientError,
    FailureReason,
    Journal,
    ProgressEvent,
    RetryPolicy,
    SynapseClient,
    aupload_data_collection,
    forget_ingestion,
    organize,
    upload_data_collection,
)
from synapse_ext.ingest import journal_scope
from synapse_ext.ingest.run import DEFAULT_WORKERS

from .conftest import FAST, assert_exact, dataset_bytes, make_dataset, server_state

pytestmark = pytest.mark.slow

FAST_UNITS = RetryPolicy(max_attempts=3, base=0.001, retry_after_cap=0.01)
Dataset = tuple[Path, dict[str, dict[str, str]]]


def _ingest(client: SynapseClient, root: Path, journal: Any, **kw: Any) -> Any:
    groups = organize(root, client.get_collection(1))
    kw.setdefault("batch_size", 25)
    return upload_data_collection(
        client, 1, groups, project_id=1, journal=journal, unit_retry=FAST_UNITS, api="v1", **kw
    )


def test_ingest_exact_then_rerun_sends_nothing(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset, tmp_path: Path
) -> None:
    root, expected = dataset
    events: list[ProgressEvent] = []
    journal = tmp_path / "j.sqlite3"
    result = _ingest(client, root, journal, on_progress=CallbackProgress(events.append))
    assert result.success and not result.partial_failure
    assert result.groups == result.units_created == len(expected)
    assert result.tasks_created == len(expected)
    sizes = dataset_bytes(root)
    assert result.files_uploaded == len(sizes)
    assert result.bytes_sent == sum(sizes.values()) == fake.backend.bytes_received
    assert_exact(fake, expected)
    assert all(n == 1 for n in server_state(fake)["checksum_counts"].values())
    final = {e.desc: e for e in events if e.finished}
    assert final["data units"].done == final["data units"].total == len(expected)
    assert final["file content"].done == sum(sizes.values())

    before = fake.backend.bytes_received
    again = _ingest(client, root, journal)
    assert again.success and again.units_already_present == len(expected)
    assert again.units_created == again.files_uploaded == again.bytes_sent == 0
    assert again.files_already_present == len(sizes) and again.files_resent == 0
    assert fake.backend.bytes_received == before
    assert fake.call_count("verifyDataFileChecksums") >= 1
    assert_exact(fake, expected)


def test_without_journal_rerun_still_creates_no_duplicates(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    assert _ingest(client, root, None).success
    before = fake.backend.bytes_received
    again = _ingest(client, root, False)
    assert again.units_already_present == len(expected) and again.bytes_sent == 0
    # v1 checks checksums in batch before any upload: nothing is sent again, and the
    # server's listing reads as the journal would (every file already present).
    assert again.files_resent == again.bytes_resent == again.files_uploaded == 0
    assert again.files_already_present == len(dataset_bytes(root))
    assert fake.backend.bytes_received == before
    assert_exact(fake, expected)


def test_forget_starts_over_without_duplicates(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset, tmp_path: Path
) -> None:
    root, expected = dataset
    journal = tmp_path / "j.sqlite3"
    assert _ingest(client, root, journal).success
    forget_ingestion(client.base_url, 1, journal=journal)
    with Journal(journal) as j:
        assert j.stats(journal_scope(client.base_url, 1))["done"] == 0
    again = _ingest(client, root, journal)
    assert again.units_already_present == len(expected)
    assert_exact(fake, expected)


def test_lost_unit_batch_responses_are_reconciled(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset, tmp_path: Path
) -> None:
    root, expected = dataset
    fake.faults.lose_response("createDataUnits", times=3)
    result = _ingest(client, root, tmp_path / "j.sqlite3")
    assert result.success, result.failures
    assert result.units_created == len(expected)
    assert_exact(fake, expected)


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_unit_batch_server_errors_retry_without_duplicates(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset, tmp_path: Path, status: int
) -> None:
    root, expected = dataset
    fake.faults.script("createDataUnits", status=status, times=2)
    result = _ingest(client, root, tmp_path / "j.sqlite3")
    assert result.success, result.failures
    assert_exact(fake, expected)


def test_rejected_batch_is_split_and_reported(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset, tmp_path: Path
) -> None:
    root, expected = dataset
    fake.faults.script("createDataUnits", status=400, times=1)
    result = _ingest(client, root, tmp_path / "j.sqlite3")
    assert result.success, result.failures  # the halves went through
    assert_exact(fake, expected)
    fake.reset()
    fake.faults.script("createDataUnits", status=400, times=10_000)
    small = make_dataset(tmp_path / "small", 20)
    failed = _ingest(client, tmp_path / "small", tmp_path / "j2.sqlite3", batch_size=4)
    assert failed.partial_failure and failed.units_created == 0
    assert {f.reason for f in failed.failures} == {FailureReason.UNIT_REJECTED}
    assert sorted(f.group for f in failed.failures) == sorted(small)


def test_failed_upload_fails_its_group_only_and_rerun_completes(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, 30)
    journal = tmp_path / "j.sqlite3"
    fake.faults.script("createDataFile", status=413, times=2)
    with caplog.at_level(logging.WARNING, logger="synapse_ext"):
        result = _ingest(client, root, journal, max_workers=1)
    assert result.partial_failure
    # The two 413s hit one group's two files, or (batch flows upload side by side) one file
    # each of two groups: never more groups than that.
    n_failed = len(result.failures)
    assert 1 <= n_failed <= 2
    assert {f.reason for f in result.failures} == {FailureReason.UPLOAD_FAILED}
    assert result.units_created == len(expected) - n_failed
    failed_keys = {f.group for f in result.failures}
    units = server_state(fake)["data_units"]
    assert not failed_keys & {u["meta"]["origin_file_stem"] for u in units}
    again = _ingest(client, root, journal)
    assert again.success and again.units_created == n_failed
    assert_exact(fake, expected)


def test_invalid_groups_are_reported_not_dropped(
    fake: MockSynapse, client: SynapseClient, tmp_path: Path
) -> None:
    good = tmp_path / "a.jpg"
    good.write_bytes(b"jpeg")
    empty = tmp_path / "e.jpg"
    empty.write_bytes(b"")
    data = [
        {"files": {"image": good}, "meta": {"origin_file_stem": "a"}},
        {"files": {"annotation": good}, "meta": {"origin_file_stem": "no-image"}},
        {"files": {"image": good, "bogus": good}, "meta": {"origin_file_stem": "bogus"}},
        {"files": {"image": tmp_path / "missing.jpg"}, "meta": {"origin_file_stem": "gone"}},
        {"files": {"image": empty}, "meta": {"origin_file_stem": "empty"}},
        {"meta": {}},
    ]
    result = upload_data_collection(client, 1, data, journal=None, api="v1")
    assert result.groups == 6 and result.units_created == 1
    assert sorted((f.group, str(f.reason)) for f in result.failures) == [
        ("#5", "invalid_group"),
        ("bogus", "invalid_group"),
        ("empty", "empty_file"),
        ("gone", "unreadable"),
        ("no-image", "invalid_group"),
    ]


def test_large_files_go_chunked(fake: MockSynapse, client: SynapseClient, tmp_path: Path) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, 6, size=3000)
    result = _ingest(client, root, None, chunked_threshold=1000, chunk_size=1024)
    assert result.success
    assert fake.call_count("createChunkedUpload") == 6
    assert fake.call_count("uploadChunk") > 0
    assert_exact(fake, expected)


def test_async_twin(fake: MockSynapse, dataset: Dataset, tmp_path: Path) -> None:
    root, expected = dataset
    journal = tmp_path / "j.sqlite3"
    fake.faults.lose_response("createDataUnits", times=1)

    async def run() -> Any:
        async with AsyncSynapseClient(
            fake.base_url, fake.token, transport=fake.transport, retry=FAST
        ) as client:
            groups = organize(root, await client.get_collection(1))
            first = await aupload_data_collection(
                client,
                1,
                groups,
                project_id=1,
                batch_size=25,
                journal=journal,
                unit_retry=FAST_UNITS,
                api="v1",
            )
            second = await aupload_data_collection(
                client, 1, groups, project_id=1, journal=journal, api="v1"
            )
            return first, second

    import anyio

    first, second = anyio.run(run)
    assert first.success and first.units_created == len(expected)
    assert second.units_already_present == len(expected) and second.bytes_sent == 0
    assert_exact(fake, expected)


def test_random_faults_on_every_operation_over_http(tmp_path: Path) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, 300, size=400)
    journal = tmp_path / "j.sqlite3"
    with mock_synapse(mode="server") as fake:
        fake.faults.random(
            rate=0.12,
            seed=11,
            kinds=("status", "drop", "lose_response"),
            statuses=(500, 502, 503, 429),
        )
        runs = []
        with SynapseClient(fake.base_url, fake.token, retry=FAST) as client:
            collection = None
            for _ in range(10):
                try:
                    collection = collection or client.get_collection(1)
                    result = upload_data_collection(
                        client,
                        1,
                        organize(root, collection),
                        project_id=1,
                        batch_size=20,
                        journal=journal,
                        unit_retry=FAST_UNITS,
                        api="v1",
                    )
                except ClientError as exc:  # the server kept failing: run again
                    runs.append(repr(exc))
                    continue
                runs.append(result.to_dict())
                if result.success:
                    break
            fake.faults.clear()
        assert runs and isinstance(runs[-1], dict) and runs[-1]["failed"] == 0, runs
        assert_exact(fake, expected)


def test_backend_client_upload_data_collection(fake: MockSynapse, tmp_path: Path) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, 12)
    with BackendClient(fake.base_url, api_token=fake.token, transport=fake.transport) as bc:
        collection = bc.get_data_collection(1)
        data = [g.to_dict() for g in organize(root, collection)]
        out = bc.upload_data_collection(1, data, project_id=1, batch_size=5, journal=None)
    assert out["success"] and out["units_created"] == len(expected)
    assert_exact(fake, expected)


@pytest.mark.parametrize("given", [None, 8])
def test_backend_client_upload_data_collection_has_the_typed_defaults(
    fake: MockSynapse, tmp_path: Path, given: int | None
) -> None:
    """The product page's method adapts as the typed path does: from 8 up to the pool's
    ceiling without ``max_workers``; a given ``max_workers`` stays the start and the ceiling."""
    root = tmp_path / "data"
    make_dataset(root, 6)
    kw: dict[str, Any] = {} if given is None else {"max_workers": given}
    with BackendClient(fake.base_url, api_token=fake.token, transport=fake.transport) as bc:
        data = [g.to_dict() for g in organize(root, bc.get_data_collection(1))]
        out = bc.upload_data_collection(1, data, journal=None, **kw)
        pool = bc.typed.max_connections
    assert out["success"]
    concurrency = out["concurrency"]
    assert concurrency["start"] == 8
    if given is None:
        assert concurrency["ceiling"] == min(DEFAULT_WORKERS, pool) > 8
    else:
        assert concurrency["ceiling"] == 8


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_lost_upload_response_counts_as_uploaded_and_is_not_resent(
    fake: MockSynapse, dataset: Dataset, tmp_path: Path, mode: str
) -> None:
    """The server committed the file but the answer was lost: counted once, stored once."""
    root, expected = dataset
    fake.faults.lose_response("createDataFile", times=2)
    kw: dict[str, Any] = {"project_id": 1, "batch_size": 25, "journal": None}
    if mode == "sync":
        with SynapseClient(fake.base_url, fake.token, transport=fake.transport, retry=FAST) as c:
            result = _ingest(c, root, None, batch_size=25)
    else:
        import anyio

        async def run() -> Any:
            async with AsyncSynapseClient(
                fake.base_url, fake.token, transport=fake.transport, retry=FAST
            ) as client:
                groups = organize(root, await client.get_collection(1))
                return await aupload_data_collection(
                    client, 1, groups, unit_retry=FAST_UNITS, api="v1", **kw
                )

        result = anyio.run(run)
    assert result.success, result.to_dict()
    assert result.files_uploaded == len(dataset_bytes(root))
    assert result.bytes_sent == sum(dataset_bytes(root).values())
    assert set(fake.backend.checksum_counts.values()) == {1}  # no duplicate data file
    assert_exact(fake, expected)


def _collection_gets(fake: MockSynapse, since: int) -> int:
    return sum(c.operation_id == "getDataCollection" for c in fake.calls[since:])


def test_a_given_collection_is_not_fetched_again(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    collection = client.get_collection(1)
    groups = list(organize(root, collection).groups)
    since = len(fake.calls)
    result = upload_data_collection(
        client, 1, groups, project_id=1, journal=None, api="v1", collection=collection
    )
    assert result.success and result.units_created == len(expected)
    assert _collection_gets(fake, since) == 0
    assert_exact(fake, expected)
    since = len(fake.calls)  # without it, the run fetches it (once)
    again = upload_data_collection(client, 1, groups, project_id=1, journal=None, api="v1")
    assert again.units_already_present == len(expected)
    assert _collection_gets(fake, since) == 1
    with pytest.raises(ValueError, match="data collection 1, not collection_id 2"):
        upload_data_collection(client, 2, groups, journal=None, collection=collection)
