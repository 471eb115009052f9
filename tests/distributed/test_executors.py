"""Sharded ingestion on plain executors (no Dask), and the pieces: sharding, settings, merge."""

from __future__ import annotations

import os
import pickle
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest

from mockserver import MockSynapse
from synapse_ext import (
    AsyncSynapseClient,
    CallbackProgress,
    FailureReason,
    IngestFailure,
    IngestResult,
    IngestSettings,
    Journal,
    OrganizedGroup,
    ProgressEvent,
    SynapseClient,
    aupload_data_collection,
    organize,
    upload_data_collection,
)
from synapse_ext.distributed import (
    TOKEN_ENV,
    ClientSettings,
    ShardedExecutor,
    plan_shards,
    shard_journal_path,
    shard_of,
)
from synapse_ext.distributed.feed import ProgressMerger, ShardReporter

from ..ingest.conftest import FAST, assert_exact
from .conftest import N_GROUPS, TOKEN, Dataset

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def _groups(client: SynapseClient, root: Path) -> list[OrganizedGroup]:
    return organize(root, client.get_collection(1)).groups


@pytest.mark.parametrize("api", ["v2", "v1"])
def test_a_process_pool_makes_one_unit_per_group(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset, tmp_path: Path, api: str
) -> None:
    root, expected = dataset
    events: list[ProgressEvent] = []
    with ProcessPoolExecutor(2) as pool:
        result = upload_data_collection(
            client,
            1,
            _groups(client, root),
            project_id=1,
            api=api,
            executor=pool,
            journal=tmp_path / "journals",
            on_progress=events.append,
        )
        assert result.success and result.units_created == N_GROUPS, result.failures
        assert_exact(fake, expected)
        journals = sorted((tmp_path / "journals").iterdir())
        assert len(journals) == 8  # 4 shards per worker slot, one journal file each
        again = upload_data_collection(
            client, 1, _groups(client, root), project_id=1, api=api, executor=pool, journal=None
        )
    assert again.success and again.units_created == 0 and again.files_uploaded == 0
    assert again.units_already_present == N_GROUPS
    assert_exact(fake, expected)
    finished = {e.desc: e.done for e in events if e.finished}
    assert finished == {"data units": N_GROUPS, "file content": result.bytes_sent}


def test_workers_can_take_the_token_from_their_environment(
    fake: MockSynapse,
    client: SynapseClient,
    dataset: Dataset,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root, expected = dataset
    settings = ClientSettings(fake.base_url, token=None)
    groups = _groups(client, root)
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with ProcessPoolExecutor(1) as pool:  # no token anywhere: every shard fails, and says so
        refused = upload_data_collection(
            client,
            1,
            groups,
            api="v2",
            executor=ShardedExecutor(pool, shards=3, settings=settings),
            journal=None,
        )
    assert refused.groups == N_GROUPS and refused.failed == N_GROUPS
    assert {f.reason for f in refused.failures} == {FailureReason.SHARD_FAILED}
    assert "AuthenticationError" in refused.failures[0].message
    assert TOKEN not in str(refused.to_dict())
    assert fake.state()["data_units"] == []

    monkeypatch.setenv(TOKEN_ENV, TOKEN)  # the pool's processes inherit it
    with ProcessPoolExecutor(1) as pool:
        done = upload_data_collection(
            client,
            1,
            groups,
            project_id=1,
            api="v2",
            executor=ShardedExecutor(pool, shards=3, settings=settings),
            journal=None,
        )
    assert done.success and done.units_created == N_GROUPS
    assert_exact(fake, expected)


def test_a_thread_pool_and_a_journal_object(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    with ThreadPoolExecutor(3) as pool, Journal(None) as journal:
        with pytest.raises(TypeError, match="cannot be shared"):
            upload_data_collection(client, 1, [], executor=pool, journal=journal)
        dry = upload_data_collection(
            client, 1, _groups(client, root), api="v2", executor=pool, journal=None, dry_run=True
        )
        assert dry.dry_run and dry.groups == N_GROUPS and dry.success
        assert fake.state()["data_units"] == [] and fake.state()["data_files"] == []
        result = upload_data_collection(
            client, 1, _groups(client, root), project_id=1, api="v2", executor=pool, journal=None
        )
    assert result.success and result.units_created == N_GROUPS and not result.dry_run
    assert_exact(fake, expected)


def test_shards_are_stable_and_keep_one_key_together(tmp_path: Path) -> None:
    assert shard_of("street_001", 1_000_003) == 989_861  # BLAKE2b: the same in every process
    image = tmp_path / "a.jpg"
    other = tmp_path / "b.jpg"
    same = {"files": {"image": image}, "meta": {"origin_file_stem": "a"}}
    relative = Path("k0.jpg")
    data: list[Any] = [
        same,
        dict(same),  # an exact duplicate: sent once
        {"files": {"image": other}, "meta": {"origin_file_stem": "a"}},  # same key, other file
        {"files": {}},  # not a group
        {"files": {"image": relative}},
        *({"files": {"image": tmp_path / f"k{i}.jpg"}} for i in range(1, 200)),
    ]
    plan = plan_shards(data, 4)
    assert plan.groups == 204 and plan.duplicates == 1
    assert [f.group for f in plan.failures] == ["#3"]
    where = {i for i, shard in enumerate(plan.shards) for g in shard if g.key == "a"}
    assert len(where) == 1  # both groups keyed "a" are in one shard
    assert sum(len(s) for s in plan.shards) == 202
    assert all(len(s) > 20 for s in plan.shards)  # spread over every shard
    assert all(p.is_absolute() for s in plan.shards for g in s for p in g.files.values())
    with pytest.raises(ValueError):
        shard_of("a", 0)


def test_relative_paths_travel_as_absolute_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # workers run elsewhere: the driver's folder is made explicit
    relative = OrganizedGroup("a", {"image": Path("image/a.jpg")}, {"origin_file_stem": "a"})
    absolute = OrganizedGroup("b", {"image": tmp_path / "b.jpg"}, {"origin_file_stem": "b"})
    plan = plan_shards([relative, absolute], 1)
    moved, kept = plan.shards[0]
    assert moved.files["image"] == tmp_path / "image" / "a.jpg" and moved.meta == relative.meta
    assert kept is absolute


def test_shard_journals_are_one_file_per_shard(tmp_path: Path) -> None:
    paths = {shard_journal_path(str(tmp_path), "http://h:1", 1, i, 4) for i in range(4)}
    assert len(paths) == 4 and all(p.parent == tmp_path for p in paths)
    assert shard_journal_path(str(tmp_path), "http://other:1", 1, 0, 4) not in paths


def test_settings_mask_the_token_and_survive_pickling(fake: MockSynapse) -> None:
    settings = ClientSettings(fake.base_url, TOKEN, tenant="demo", legacy_token=TOKEN)
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)
    assert pickle.loads(pickle.dumps(settings)) == settings
    with SynapseClient(fake.base_url, TOKEN, tenant="demo", timeout=7.0) as client:
        taken = ClientSettings.from_client(client)
        assert taken.token == TOKEN and taken.tenant == "demo" and taken.timeout == (7.0,) * 4
        assert ClientSettings.from_client(client, with_token=False).token is None
        assert TOKEN not in repr(taken)
    with taken.client() as rebuilt:
        assert rebuilt.get_collection(1).id == 1


def test_results_merge() -> None:
    a = IngestResult(groups=2, units_created=1, bytes_sent=10, api="v2")
    a.failures.append(IngestFailure("x", FailureReason.UPLOAD_FAILED, "m"))
    b = IngestResult(groups=3, units_created=2, units_already_present=1, tasks_created=3)
    b.files_uploaded, b.files_already_present, b.bytes_sent = 4, 1, 5
    b.files_resent, b.bytes_resent = 1, 2
    b.failures.append(IngestFailure("y", FailureReason.UNIT_FAILED, "n"))
    a.merge(b)
    assert (a.groups, a.units_created, a.units_already_present, a.tasks_created) == (5, 3, 1, 3)
    assert (a.files_uploaded, a.files_already_present, a.bytes_sent) == (4, 1, 15)
    assert (a.files_resent, a.bytes_resent) == (1, 2)
    assert [f.group for f in a.failures] == ["x", "y"] and a.api == "v2"


@pytest.mark.anyio
async def test_the_async_ingestion_takes_an_executor_too(
    fake: MockSynapse, dataset: Dataset
) -> None:
    root, expected = dataset
    async with AsyncSynapseClient(fake.base_url, TOKEN, retry=FAST) as aclient:
        groups = organize(root, await aclient.get_collection(1)).groups
        with ThreadPoolExecutor(2) as pool:
            result = await aupload_data_collection(
                aclient, 1, groups, project_id=1, api="v2", executor=pool, journal=None
            )
    assert result.success and result.units_created == N_GROUPS
    assert_exact(fake, expected)


def test_a_dead_pool_process_fails_its_shards_and_a_rerun_completes(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset, tmp_path: Path
) -> None:
    root, expected = dataset
    groups = _groups(client, root)
    fake.faults.latency_ms = 20
    outcome: dict[str, IngestResult] = {}
    with ProcessPoolExecutor(2) as pool:

        def run() -> None:
            outcome["result"] = upload_data_collection(
                client,
                1,
                groups,
                project_id=1,
                api="v2",
                executor=pool,
                batch_size=2,
                journal=tmp_path / "journals",
            )

        thread = threading.Thread(target=run)
        thread.start()
        deadline = time.monotonic() + 60
        while fake.call_count("v2BulkCreateDataUnits") < 2:
            assert thread.is_alive() and time.monotonic() < deadline
            time.sleep(0.005)
        victim = next(iter(pool._processes))  # a plain pool does not retry: it breaks
        os.kill(victim, signal.SIGKILL)
        thread.join(60)
    fake.faults.latency_ms = 0
    broken = outcome["result"]
    assert 0 < broken.failed <= N_GROUPS
    assert {f.reason for f in broken.failures} == {FailureReason.SHARD_FAILED}
    assert "BrokenProcessPool" in broken.failures[0].message
    assert broken.groups == N_GROUPS
    with ProcessPoolExecutor(2) as pool:
        again = upload_data_collection(
            client, 1, groups, project_id=1, api="v2", executor=pool, journal=tmp_path / "journals"
        )
    assert again.success
    assert_exact(fake, expected)


def test_progress_counts_the_furthest_attempt_of_each_shard() -> None:
    events: list[ProgressEvent] = []
    reporter = CallbackProgress(events.append)
    with (
        reporter.task(total=10, desc="data units", unit="group") as groups,
        reporter.task(desc="file content", unit="B") as sent,
    ):
        merger = ProgressMerger(groups, sent)
        merger.report(0, 3, 300)  # shard 0, first attempt
        merger.report(1, 2, 200)
        merger.on_event((0.0, {"shard": 0, "attempt": "b", "groups": 1, "bytes": 50}))
        merger.on_event((0.0, {"shard": 0, "attempt": "b", "groups": 5, "bytes": 310}))
        merger.report(1, 5, 250)  # shard 1 completes
    finished = {e.desc: e.done for e in events if e.finished}
    assert finished == {"data units": 10, "file content": 560}  # a retry never counts twice
    assert all(e.advanced >= 0 for e in events)


def test_a_shard_reporter_sends_cumulative_counts() -> None:
    sent: list[dict[str, Any]] = []
    reporter = ShardReporter(3, "attempt-1", sent.append, interval=3600)
    with reporter.task(unit="group") as groups, reporter.task(unit="B") as nbytes:
        groups.advance(1)  # the first advance is sent at once, later ones are throttled
        groups.advance(2)
        nbytes.advance(4096)
    reporter.flush()
    assert sent[0] == {"shard": 3, "attempt": "attempt-1", "groups": 1, "bytes": 0}
    assert sent[-1] == {"shard": 3, "attempt": "attempt-1", "groups": 3, "bytes": 4096}
    assert len(sent) == 2


class _Recording(ThreadPoolExecutor):
    """A thread pool that keeps the tasks it was given."""

    def __init__(self) -> None:
        super().__init__(2)
        self.tasks: list[Any] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.tasks.extend(args)
        return super().submit(fn, *args, **kwargs)


def test_every_shard_gets_the_settings_with_the_api_resolved(
    fake: MockSynapse, client: SynapseClient, dataset: Dataset
) -> None:
    root, expected = dataset
    settings = IngestSettings(project_id=1, batch_size=7, unit_retry=FAST, api="auto")
    with _Recording() as pool:
        result = upload_data_collection(
            client, 1, _groups(client, root), settings=settings, executor=pool, journal=None
        )
    assert result.success and result.api == "v2"
    assert_exact(fake, expected)
    assert pool.tasks and {t.ingest_settings for t in pool.tasks} == {
        attrs.evolve(settings, api="v2")
    }
