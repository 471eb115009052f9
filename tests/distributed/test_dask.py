"""Sharded ingestion on a real ``distributed.LocalCluster`` (two worker processes) against
the fake over HTTP: exactly one unit per group, a re-run creates nothing, and a worker
killed mid-shard (SIGKILL) still ends with exactly one unit per group."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from mockserver import MockSynapse
from synapse_ext import (
    IngestResult,
    IngestSettings,
    ProgressEvent,
    SynapseClient,
    organize,
    upload_data_collection,
)
from synapse_ext.distributed import ClientSettings, ShardedExecutor, ShardTask, plan_shards

from ..ingest.conftest import assert_exact
from .conftest import N_GROUPS, TOKEN, Dataset, unit_count

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def _ingest(client: SynapseClient, root: Path, executor: Any, **kw: Any) -> IngestResult:
    groups = organize(root, client.get_collection(1)).groups
    return upload_data_collection(client, 1, groups, project_id=1, executor=executor, **kw)


def test_one_unit_per_group_and_a_rerun_creates_nothing(
    fake: MockSynapse, client: SynapseClient, dask: Any, dataset: Dataset, tmp_path: Path
) -> None:
    root, expected = dataset
    events: list[ProgressEvent] = []
    executor = ShardedExecutor(dask.get_executor(), shards=8)
    result = _ingest(
        client, root, executor, api="v2", journal=tmp_path / "j", on_progress=events.append
    )
    assert result.success, result.failures
    assert result.groups == N_GROUPS and result.units_created == N_GROUPS
    assert result.api == "v2"
    assert_exact(fake, expected)
    finished = {e.desc: e for e in events if e.finished}
    assert finished["data units"].done == N_GROUPS  # one display for the whole run
    # Small files two shards both sent (no lookup first) are resent bytes: on the bar and in
    # bytes_sent alike.
    assert finished["file content"].done == result.bytes_sent > 0
    live = [e for e in events if not e.finished and e.desc == "data units"]
    assert live and sum(e.advanced for e in live) == N_GROUPS  # fed by the shards

    before = fake.state()["counts"]
    again = _ingest(client, root, executor, api="v2", journal=None)  # no journal: the server
    assert again.success and again.units_created == 0 and again.files_uploaded == 0
    assert again.units_already_present == N_GROUPS
    assert fake.state()["counts"]["data_units"] == before["data_units"]
    assert_exact(fake, expected)


def _executing(dask_worker: Any) -> int:
    return len(dask_worker.state.executing)


@pytest.mark.parametrize(
    ("api", "journals"),
    [
        ("v2", "folder"),  # the retried shard finds the dead attempt's journal
        ("v1", None),  # memory journals: the retried shard reconciles by listing at its start
    ],
)
def test_a_worker_killed_mid_shard_still_makes_one_unit_per_group(
    fake: MockSynapse,
    client: SynapseClient,
    dask: Any,
    dataset: Dataset,
    tmp_path: Path,
    api: str,
    journals: str | None,
) -> None:
    root, expected = dataset
    fake.faults.latency_ms = 20  # on the API and the storage: the run lasts a few seconds
    units_op = "v2BulkCreateDataUnits" if api == "v2" else "createDataUnits"
    pids: dict[str, int] = dask.run(os.getpid)
    victim = sorted(pids)[0]
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["result"] = _ingest(
                client,
                root,
                ShardedExecutor(dask.get_executor(), shards=8),
                api=api,
                batch_size=2,
                journal=tmp_path / "journals" if journals else None,
            )
        except BaseException as exc:  # pragma: no cover - reported below
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 60
    while fake.call_count(units_op) < 3:
        assert thread.is_alive(), outcome
        assert time.monotonic() < deadline, "no units within 60 s"
        time.sleep(0.005)
    busy = dask.run(_executing, workers=[victim])[victim]
    units_at_kill = unit_count(fake)
    os.kill(pids[victim], signal.SIGKILL)
    thread.join(90)
    fake.faults.latency_ms = 0
    assert not thread.is_alive()
    assert busy == 1, "the killed worker was not running a shard"
    assert 0 < units_at_kill < N_GROUPS, "the kill did not land mid-run"
    with pytest.raises(ProcessLookupError):
        os.kill(pids[victim], 0)
    result: IngestResult = outcome["result"]
    assert result.success, result.failures
    assert result.units_created + result.units_already_present == N_GROUPS
    assert_exact(fake, expected)
    # Every shard attempt reads the collection once; the test and the driver once each.
    shards = sum(1 for s in plan_shards(organize(root, client.get_collection(1)), 8).shards if s)
    attempts = fake.call_count("getDataCollection") - 3
    assert attempts > shards, "no shard was run again"


def test_task_keys_and_reprs_never_show_the_token(dask: Any, tmp_path: Path) -> None:
    settings = ClientSettings("http://127.0.0.1:9", TOKEN, tenant="demo")
    task = ShardTask("run1", 0, 2, settings, 1, (), IngestSettings(), None, None)
    future = dask.submit(repr, task)  # the key Dask derives for a shard, and its repr there
    shown = [str(future.key), future.result(timeout=30), repr(task), repr(settings), str(settings)]
    assert all(TOKEN not in text for text in shown), shown
    assert "***" in repr(settings)
    executor_future = dask.get_executor().submit(repr, task)
    assert TOKEN not in executor_future.result(timeout=30)
