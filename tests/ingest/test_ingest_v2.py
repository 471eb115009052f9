"""upload_data_collection over v2 against the fake: presigned uploads, idempotent units.

Both transports (the shared ``fake``, contract validation on); the fake presigns multipart
uploads from 8 MiB on in 5 MiB parts, so one group carries a multipart file.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import Any

import pytest

from mockserver import MockSynapse
from synapse_ext import (
    AsyncSynapseClient,
    IngestResult,
    SynapseClient,
    aupload_data_collection,
    organize,
    upload_data_collection,
)

from .conftest import FAST, assert_exact, dataset_bytes, make_dataset, server_state

pytestmark = pytest.mark.slow

MIB = 1 << 20
Dataset = tuple[Path, dict[str, dict[str, str]]]


@pytest.fixture
def fake_options() -> dict[str, Any]:
    return {"multipart_threshold": 8 * MIB, "part_size": 5 * MIB}


@pytest.fixture
def client_options() -> dict[str, Any]:
    return {"retry": FAST}


@pytest.fixture
def dataset(tmp_path: Path) -> Dataset:
    root = tmp_path / "data"
    expected = make_dataset(root, 30)
    big = root / "image" / "g99999.jpg"  # one multipart file (3 parts)
    big.write_bytes(bytes(range(256)) * (11 * MIB // 256))
    expected["g99999"] = {"image": hashlib.md5(big.read_bytes()).hexdigest()}
    return root, expected


def _ingest(client: SynapseClient, root: Path, journal: Any, **kw: Any) -> IngestResult:
    groups = organize(root, client.get_collection(1))
    kw.setdefault("batch_size", 10)
    return upload_data_collection(client, 1, groups, project_id=1, journal=journal, api="v2", **kw)


def test_v2_ingestion_is_exact_and_never_touches_the_v1_upload_routes(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset, tmp_path: Path
) -> None:
    root, expected = dataset
    result = _ingest(client, root, tmp_path / "j.sqlite3")
    assert result.api == "v2" and result.success, result.failures
    assert result.units_created == result.tasks_created == len(expected)
    sizes = dataset_bytes(root)
    assert result.files_uploaded == len(sizes) and result.bytes_sent == sum(sizes.values())
    assert_exact(fake, expected)
    assert all(n == 1 for n in server_state(fake)["checksum_counts"].values())
    for v1 in ("createDataFile", "createDataUnits", "createTasks", "listDataUnits"):
        assert fake.call_count(v1) == 0, v1
    assert fake.call_count("storageUploadPart") == 3
    # 31 groups in batches of 10, and one at the window's end: g00011 shares its annotation
    # with g00001 of the first batch, so it is bound once every batch has ended.
    assert fake.call_count("v2BulkCreateDataUnits") == 5


def test_a_rerun_without_journal_creates_nothing_and_lists_nothing(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    assert _ingest(client, root, None).success
    before = server_state(fake)["counts"]
    again = _ingest(client, root, None)
    assert again.success and again.units_created == 0
    assert again.units_already_present == len(expected)
    assert again.files_uploaded == 0 and again.files_already_present == len(dataset_bytes(root))
    assert server_state(fake)["counts"]["data_units"] == before["data_units"]
    assert server_state(fake)["counts"]["data_files"] == before["data_files"]
    assert fake.call_count("listDataUnits") == fake.call_count("v2ListDataUnits") == 0


def test_two_runs_at_once_make_one_unit_per_group(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    results: list[IngestResult] = []

    def run() -> None:
        with SynapseClient(fake.base_url, fake.token, transport=fake.transport, retry=FAST) as c:
            results.append(_ingest(c, root, None))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 2 and all(r.success for r in results), [r.failures for r in results]
    assert_exact(fake, expected)
    assert sum(r.units_created for r in results) == len(expected)


def test_lost_answers_of_finalize_and_bulk_create_do_not_duplicate(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    fake.faults.lose_response("v2FinalizeUpload")
    fake.faults.lose_response("v2BulkCreateDataUnits")
    fake.faults.script("storagePutObject", status=503, times=3)
    fake.faults.proxy_error("storagePutObject", times=2)
    result = _ingest(client, root, None)
    assert result.success, result.failures
    assert_exact(fake, expected)
    assert all(n == 1 for n in server_state(fake)["checksum_counts"].values())
    # The resent batch finds the units its lost attempt made: they count as this run's.
    assert fake.call_count("v2BulkCreateDataUnits") >= 2
    assert result.units_created == len(expected) and result.units_already_present == 0


def test_auto_picks_v2_when_the_server_offers_it(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, _ = dataset
    groups = organize(root, client.get_collection(1))
    result = upload_data_collection(client, 1, groups, journal=None, api="auto")
    assert result.api == "v2" and result.success


def test_auto_falls_back_to_v1_without_v2(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, _ = dataset
    fake.faults.respond("v2GetDataCollection", status=404, json={"detail": "Not found."})
    groups = organize(root, client.get_collection(1))
    result = upload_data_collection(client, 1, groups, journal=None, api="auto")
    assert result.api == "v1" and result.success
    assert fake.call_count("createDataUnits") > 0


@pytest.mark.anyio
async def test_the_async_v2_ingestion(
    fake: MockSynapse, aclient: AsyncSynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    async with aclient as c:
        groups = organize(root, await c.get_collection(1))
        result = await aupload_data_collection(
            c, 1, groups, project_id=1, journal=None, api="v2", batch_size=10
        )
    assert result.api == "v2" and result.success, result.failures
    assert_exact(fake, expected)


def test_a_dry_run_counts_what_a_run_would_do_and_stores_nothing(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    before = server_state(fake)
    preview = _ingest(client, root, None, dry_run=True)
    assert preview.dry_run and preview.success
    assert preview.files_uploaded == len(dataset_bytes(root))
    # With a project, a dry run counts the tasks a run would create: one per new unit.
    assert preview.units_created == preview.tasks_created == len(expected)
    after = server_state(fake)
    assert after["data_files"] == before["data_files"] == [] and after["data_units"] == []
    assert fake.call_count("v2CreateUploadUrls") == fake.call_count("storagePutObject") == 0


def test_a_dry_run_after_a_run_asks_the_server_which_units_exist(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    assert _ingest(client, root, None).success
    new = root / "image" / "zz_new.png"
    new.write_bytes(b"a new image")
    units_before = len(server_state(fake)["data_units"])
    calls_before = fake.call_count("v2BulkCreateDataUnits")
    fake.faults.script("v2BulkCreateDataUnits", status=400, times=1)  # bisected, as a real run
    preview = _ingest(client, root, None, dry_run=True)
    assert preview.success, preview.failures
    assert preview.files_uploaded == 1 and preview.bytes_sent == new.stat().st_size
    assert preview.units_created == 1 and preview.units_already_present == len(expected)
    assert len(server_state(fake)["data_units"]) == units_before
    assert fake.call_count("v2BulkCreateDataUnits") >= calls_before + 3  # 400, then halves


# -- lookup_threshold: small local files are uploaded without a checksum lookup --------------
def test_small_files_get_no_lookup_and_end_exact(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset, tmp_path: Path
) -> None:
    root, expected = dataset
    result = _ingest(client, root, tmp_path / "j.sqlite3")
    assert result.success, result.failures
    assert_exact(fake, expected)
    assert all(n == 1 for n in server_state(fake)["checksum_counts"].values())
    # 31 small distinct contents go without a lookup; only the 11 MiB file is looked up.
    assert fake.call_count("v2ListDataFiles") == 1
    sizes = dataset_bytes(root)
    assert result.files_uploaded == len(sizes) and result.files_already_present == 0
    assert result.bytes_sent == sum(sizes.values())


def test_a_small_file_the_server_holds_counts_as_already_present(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    assert _ingest(client, root, None).success
    files_before = len(server_state(fake)["data_files"])
    puts_before = fake.call_count("storagePutObject")
    parts_before = fake.call_count("storageUploadPart")
    again = _ingest(client, root, None)  # no journal: only the server knows
    assert again.success, again.failures
    sizes = dataset_bytes(root)
    small = {c: n for c, n in sizes.items() if n <= 256 << 10}
    assert len(small) == len(sizes) - 1  # the 11 MiB file is looked up, not sent
    assert again.files_uploaded == 0 and again.files_already_present == len(sizes)
    # The small files crossed the network again: counted as resent, their bytes as sent.
    assert again.files_resent == len(small)
    assert again.bytes_sent == again.bytes_resent == sum(small.values())
    assert len(server_state(fake)["data_files"]) == files_before  # finalize reused them
    assert all(n == 1 for n in server_state(fake)["checksum_counts"].values())
    assert_exact(fake, expected)
    # The small files were PUT again (their finalize said created=false), the large file
    # was looked up and not sent: not one of its parts.
    assert fake.call_count("storagePutObject") - puts_before == len(sizes) - 1
    assert fake.call_count("storageUploadPart") == parts_before


def test_lookup_threshold_zero_looks_every_file_up(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, _ = dataset
    assert _ingest(client, root, None).success
    lookups_before = fake.call_count("v2ListDataFiles")
    puts_before = fake.call_count("storagePutObject")
    urls_before = fake.call_count("v2CreateUploadUrls")
    again = _ingest(client, root, None, lookup_threshold=0)
    assert again.success and again.files_uploaded == 0
    assert fake.call_count("v2ListDataFiles") - lookups_before == len(dataset_bytes(root))
    assert fake.call_count("storagePutObject") == puts_before
    assert fake.call_count("v2CreateUploadUrls") == urls_before  # nothing asked to upload


def test_a_large_held_file_is_looked_up_and_not_sent_again(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, _ = dataset
    big = root / "image" / "g99999.jpg"
    assert _ingest(client, root, None, lookup_threshold=big.stat().st_size - 1).success
    parts = fake.call_count("storageUploadPart")
    lookups = fake.call_count("v2ListDataFiles")
    again = _ingest(client, root, None, lookup_threshold=big.stat().st_size - 1)
    assert again.success and again.files_uploaded == 0
    assert fake.call_count("storageUploadPart") == parts
    assert fake.call_count("v2ListDataFiles") == lookups + 1


def test_a_lost_finalize_of_unlooked_small_files_is_polled_not_resent(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    fake.faults.lose_response("v2FinalizeUpload")
    result = _ingest(client, root, None, batch_size=1000)  # one batch: one finalize
    assert result.success, result.failures
    assert fake.call_count("v2FinalizeUpload") == 1  # never resent
    assert fake.call_count("v2ListDataFiles") > 1  # the poll looks the small files up
    assert_exact(fake, expected)
    assert all(n == 1 for n in server_state(fake)["checksum_counts"].values())


def test_a_failed_lookup_in_a_finalize_poll_loses_only_its_own_answer(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    """After a lost finalize the small files are polled by checksum; one lookup refused in
    the first poll is asked again at the next, and the others' answers of that poll stand
    (they were all thrown away, and every file looked up again)."""
    root, expected = dataset
    files = len(dataset_bytes(root))
    fake.faults.lose_response("v2FinalizeUpload")  # applied: every file is held
    fake.faults.script("v2ListDataFiles", status=400, times=1)  # one lookup of the first poll
    # One batch (one finalize), every file uploaded without a lookup first: each lookup is
    # the polls'.
    result = _ingest(client, root, None, batch_size=1000, lookup_threshold=1 << 30)
    assert result.success, result.failures
    assert fake.call_count("v2FinalizeUpload") == 1
    assert fake.call_count("v2ListDataFiles") == files + 1  # all once, the refused one twice
    assert_exact(fake, expected)


def test_a_finalize_lost_before_the_server_applied_it_is_sent_again_after_the_polls(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    fake.faults.drop("v2FinalizeUpload")  # the connection drops: nothing was applied
    result = _ingest(client, root, None, batch_size=1000)  # one batch: one finalize
    assert result.success, result.failures
    assert fake.call_count("v2FinalizeUpload") == 2  # once, polls find nothing, once more
    assert_exact(fake, expected)
    assert all(n == 1 for n in server_state(fake)["checksum_counts"].values())


@pytest.mark.parametrize("status", [500, 502, 504])  # maybe applied (503: retried by the call)
def test_a_finalize_answered_with_a_gateway_error_is_polled_then_sent_again(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset, status: int
) -> None:
    root, expected = dataset
    fake.faults.respond("v2FinalizeUpload", status=status, times=1)  # maybe applied: not resent
    result = _ingest(client, root, None, batch_size=1000)
    assert result.success, result.failures
    assert fake.call_count("v2FinalizeUpload") == 2
    assert fake.handled_count("v2FinalizeUpload") == 1  # the one after the polls
    assert fake.call_count("v2ListDataFiles") > len(dataset_bytes(root))  # the polls
    assert_exact(fake, expected)


def test_a_finalize_refused_fails_its_files_and_is_not_sent_again(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, _ = dataset
    fake.faults.respond("v2FinalizeUpload", status=403, times=1)
    result = _ingest(client, root, None, batch_size=1000)
    assert result.failed == result.groups and result.units_created == 0
    assert fake.call_count("v2FinalizeUpload") == 1


def test_a_dry_run_still_looks_every_file_up(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, _ = dataset
    preview = _ingest(client, root, None, dry_run=True)
    assert preview.success
    assert fake.call_count("v2ListDataFiles") == len(dataset_bytes(root))


def test_lookup_threshold_must_not_be_negative(client: SynapseClient, dataset: Dataset) -> None:
    root, _ = dataset
    with pytest.raises(ValueError, match="lookup_threshold"):
        _ingest(client, root, None, lookup_threshold=-1)


def test_a_rerun_reads_the_same_with_or_without_the_journal(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset, tmp_path: Path
) -> None:
    """One server state, two re-runs: the journal's answer and the server's count alike."""
    root, expected = dataset
    journal = tmp_path / "j.sqlite3"
    first = _ingest(client, root, journal)
    sizes = dataset_bytes(root)
    assert first.files_uploaded == len(sizes) and first.files_resent == first.bytes_resent == 0
    known = _ingest(client, root, journal)  # the journal knows every unit: nothing is sent
    fresh = _ingest(client, root, None)  # only the server knows
    assert known.success and fresh.success, (known.failures, fresh.failures)
    assert known.files_already_present == fresh.files_already_present == len(sizes)
    assert known.files_uploaded == fresh.files_uploaded == 0
    assert known.units_already_present == fresh.units_already_present == len(expected)
    assert known.files_resent == known.bytes_resent == known.bytes_sent == 0
    small = [n for n in sizes.values() if n <= 256 << 10]
    assert fresh.files_resent == len(small)
    assert fresh.bytes_resent == fresh.bytes_sent == sum(small)
    doc = fresh.to_dict()
    assert (doc["files_resent"], doc["bytes_resent"]) == (len(small), sum(small))
    assert_exact(fake, expected)
