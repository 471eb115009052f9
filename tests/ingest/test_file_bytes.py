"""One file's share of the bytes bar: each byte once, and the bar ends at its total."""

from __future__ import annotations

import threading
from pathlib import Path

from synapse_ext import CallbackProgress, IngestResult, Journal, ProgressEvent
from synapse_ext.ingest._engine import Engine
from synapse_ext.ingest._sent import FileBytes
from synapse_ext.ingest._totals import ByteTotal


def _bar() -> tuple[list[ProgressEvent], CallbackProgress]:
    events: list[ProgressEvent] = []
    return events, CallbackProgress(events.append)


def test_bytes_sent_again_are_not_counted_twice() -> None:
    events, reporter = _bar()
    with reporter.task(total=100, unit="B") as bar:
        share = FileBytes(bar, 100, threading.Lock())
        share.advance(60)  # part 1 stored
        share.advance(60)  # the whole file sent again (fresh URLs): only its rest counts
        share.advance(60)
        share.complete()
    assert [e.advanced for e in events if e.advanced] == [60, 40]
    assert events[-1].done == 100


def test_a_stored_file_that_reported_nothing_is_counted_when_it_completes() -> None:
    events, reporter = _bar()
    with reporter.task(unit="B") as bar:
        FileBytes(bar, 70, threading.Lock()).complete()
    assert [e.advanced for e in events] == [70, 0]


def test_the_client_reporter_sees_the_upload_too() -> None:
    events, reporter = _bar()
    own, client = _bar()
    with reporter.task(unit="B", desc="file content") as bar:
        share = FileBytes(bar, 10, threading.Lock(), client)
        with share.task(total=10, desc="a.bin", unit="B") as task:
            task.advance(4)
            task.advance(6)
    assert [e.done for e in events if e.advanced] == [4, 10]
    assert [(e.desc, e.done) for e in own] == [("a.bin", 4), ("a.bin", 10), ("a.bin", 10)]


def test_a_failed_file_leaves_its_unsent_rest_out_of_the_total() -> None:
    events, reporter = _bar()
    with Journal(None) as journal, reporter.task(unit="B") as bar:
        engine = Engine(
            collection_id=1,
            scope="s",
            journal=journal,
            specs={},
            result=IngestResult(),
            groups_task=bar,
            bytes_task=bar,
            batch_size=10,
            byte_total=ByteTotal.start(bar, [400]),
        )
        assert engine.byte_total is not None
        engine.admit([])  # a window of files of 400 bytes in all, all to send
        engine.byte_total.planned(400)
        engine.file_bytes("a" * 32, 100).advance(100)
        engine.file_bytes("b" * 32, 200).advance(50)  # one part stored, then it failed
        engine.file_bytes("c" * 32, 100)  # refused before any byte was stored
        assert engine.upload_outcome("a" * 32, Path("a"), 100, None) is None
        assert engine.upload_outcome("b" * 32, Path("b"), 200, OSError("gone")) is not None
        assert engine.upload_outcome("c" * 32, Path("c"), 100, OSError("gone")) is not None
        engine.byte_total.finish()
    assert events[-1].done == events[-1].total == 150
    assert engine.result.bytes_sent == 100 and not engine.sending
