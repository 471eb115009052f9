"""The engine and the journal under concurrent batch flows (pure: no server).

A window's batch flows run at once (threads with the blocking client): reconciling one batch
must not close another's "maybe applied" mark, and counts must not lose updates.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from synapse_ext.ingest import Journal
from synapse_ext.ingest._engine import Engine, Prepared
from synapse_ext.ingest.results import IngestResult, as_group

S = "api.example#1"


class _Task:
    """A progress task that counts (slowly: an unlocked ``+=`` would lose advances)."""

    def __init__(self) -> None:
        self.n = 0

    def advance(self, n: int, **kwargs: object) -> None:
        seen = self.n
        time.sleep(0.0001)
        self.n = seen + n


def _engine(journal: Journal, result: IngestResult | None = None) -> Engine:
    task = _Task()
    return Engine(
        collection_id=1,
        scope=S,
        journal=journal,
        specs={},
        result=result or IngestResult(),
        groups_task=task,
        bytes_task=task,
        batch_size=10,
        project_id=1,
    )


def _prepared(key: str) -> Prepared:
    group = as_group({"files": {"image": f"{key}.jpg"}, "meta": {}}, 0)
    return Prepared(group, {"image": f"md5-{key}"}, {"image": 1}, f"cid-{key}")


def test_reconciling_a_batch_keeps_a_concurrent_batch_in_flight() -> None:
    with Journal(None) as j:
        engine = _engine(j)
        first = [_prepared("a1"), _prepared("a2")]
        other = [_prepared("b1")]
        first_id = engine.begin_batch(first)
        other_id = engine.begin_batch(other)  # another batch flow's POST, not answered yet
        engine.record_listing([])  # the listing found nothing of either
        j.record_remote_units(S, [("cid-a1", 11)])  # ... but a1
        found, missing = engine.reconciled(first_id, first)
        assert found == [11] and [m.cid for m in missing] == ["cid-a2"]
        # The other batch may still be applied after the listing read its page: a crash now
        # must leave it in flight, so the next run lists before sending it again.
        assert j.inflight_batches(S) == [other_id]
        assert j.stats(S) == {"done": 1, "inflight": 1, "batches": 1, "tasks": 0}
        assert engine.result.units_created == 1


class _SlowCounts(IngestResult):
    """A result whose counters are slow to read: a read-modify-write race loses updates."""

    def __getattribute__(self, name: str) -> Any:
        value = super().__getattribute__(name)
        if name in ("files_uploaded", "bytes_sent", "units_created", "tasks_created"):
            time.sleep(0.0002)  # lets another thread read the same old value
        return value


def test_counts_from_concurrent_batch_flows_lose_nothing() -> None:
    threads, rounds = 4, 50
    with Journal(None) as j:
        engine = _engine(j, _SlowCounts())

        def work() -> None:
            for _ in range(rounds):
                engine.uploaded("c", 3)
                engine.units_made(2)
                engine.tasks_created([], 1)

        pool = [threading.Thread(target=work) for _ in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        r = engine.result
        n = threads * rounds
        assert isinstance(engine.groups_task, _Task) and engine.groups_task.n == 2 * n + 3 * n
        assert (r.files_uploaded, r.bytes_sent, r.units_created, r.tasks_created) == (
            n,
            3 * n,
            2 * n,
            n,
        )


def test_journal_writes_from_threads_do_not_collide() -> None:
    # One SQLite connection: two threads' transactions must not interleave.
    with Journal(None) as j:
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                for i in range(200):
                    j.begin_batch(S, f"b{n}-{i}", [(f"c{n}-{i}", "k")])
                    j.finish_batch(S, f"b{n}-{i}", [(f"c{n}-{i}", n * 1000 + i)])
            except BaseException as exc:
                errors.append(exc)

        pool = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        assert not errors, errors
        assert j.stats(S) == {"done": 800, "inflight": 0, "batches": 0, "tasks": 0}
