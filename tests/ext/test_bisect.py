"""``bisected``: a rejected batch split in halves until single items fail alone (no server)."""

from __future__ import annotations

from typing import Any

from synapse_ext._flow import Flow, Rejection, Sleep, bisected


def _run(flow: Flow[Any]) -> list[Any]:
    """Step ``flow`` to its end, answering every intent with None; the intents it yielded."""
    seen = []
    try:
        intent = next(flow)
        while True:
            seen.append(intent)
            intent = flow.send(None)
    except StopIteration:
        return seen


class Server:
    """Rejects, as a whole, any batch holding one of ``bad``; records every send."""

    def __init__(self, bad: set[int], *, keep: int | None = None) -> None:
        self.bad, self.keep = bad, keep
        self.sent: list[list[int]] = []
        self.rejected: list[tuple[list[int], str]] = []

    def send(self, batch: list[int]) -> Flow[Rejection[int, str] | None]:
        self.sent.append(batch)
        yield Sleep(0)  # a flow: the driver is asked for something
        if not self.bad.intersection(batch):
            return None
        error = f"bad {sorted(self.bad & set(batch))}"
        if self.keep and len(self.sent) == 1:
            # a reconciliation found the first items applied: only the rest is rejected
            return batch[self.keep :], error
        return batch, error

    def reject(self, batch: list[int], error: str) -> None:
        self.rejected.append((batch, error))


def test_an_accepted_batch_is_sent_once() -> None:
    server = Server(bad=set())
    assert len(_run(bisected([1, 2, 3], server.send, server.reject))) == 1
    assert server.sent == [[1, 2, 3]] and server.rejected == []


def test_a_bad_item_is_isolated_by_halves() -> None:
    server = Server(bad={3})
    _run(bisected([0, 1, 2, 3, 4], server.send, server.reject))
    assert server.sent == [[0, 1, 2, 3, 4], [0, 1], [2, 3, 4], [2], [3, 4], [3], [4]]
    assert server.rejected == [([3], "bad [3]")]


def test_every_bad_item_fails_alone_and_the_good_ones_go_through() -> None:
    server = Server(bad={0, 5})
    _run(bisected(list(range(6)), server.send, server.reject))
    assert [batch for batch, _ in server.rejected] == [[0], [5]]
    accepted = [b for b in server.sent if not server.bad.intersection(b)]
    assert sorted(i for b in accepted for i in b) == [1, 2, 3, 4]


def test_a_single_rejected_item_is_reported_without_a_second_send() -> None:
    server = Server(bad={7})
    _run(bisected([7], server.send, server.reject))
    assert server.sent == [[7]] and server.rejected == [([7], "bad [7]")]


def test_only_what_the_send_says_was_rejected_is_split() -> None:
    # The send reconciled [0, 1] (applied): they are never sent again.
    server = Server(bad={3}, keep=2)
    _run(bisected([0, 1, 2, 3], server.send, server.reject))
    assert server.sent[0] == [0, 1, 2, 3]
    assert all(0 not in b and 1 not in b for b in server.sent[1:])
    assert server.rejected == [([3], "bad [3]")]
