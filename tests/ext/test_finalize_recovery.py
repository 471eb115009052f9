"""``finalize_recovering``: one recovery of a finalize or confirm whose answer is unclear
(pure flow, no server): polls, then resends of what is still unknown, or never."""

from __future__ import annotations

from typing import Any

from synapse_ext import RetryPolicy, StoredFile
from synapse_ext._flow import Flow, Sleep
from synapse_ext.errors import ClientError, ResponseLostError
from synapse_ext.upload._finalize import Found, finalize_recovering

POLICY = RetryPolicy(max_attempts=3, finalize_polls=2)
FILES = [StoredFile(f"key-{i}", f"{i:032x}", 10 + i) for i in range(3)]


def _run(flow: Flow[Any]) -> Any:
    """Step ``flow`` to its end, answering every intent (sleeps) with None; its result."""
    try:
        next(flow)
        while True:
            flow.send(None)
    except StopIteration as stop:
        return stop.value


class Server:
    """``answers``: what each finalize does in turn (an error to raise, or None: answered);
    ``appear``: checksums the lookups find from the given send on (a late or lost finalize)."""

    def __init__(self, answers: list[ClientError | None], appear: dict[str, int] | None = None):
        self.answers, self.appear = answers, appear or {}
        self.sent: list[list[str]] = []
        self.lookups = 0

    def send(self, files: list[StoredFile]) -> Flow[dict[str, str]]:
        self.sent.append([f.file_key for f in files])
        yield Sleep(0)
        error = self.answers[len(self.sent) - 1]
        if error is not None:
            raise error
        return {f.file_key: "created" for f in files}

    def held(self, checksums: list[str]) -> Flow[set[str]]:
        self.lookups += 1
        yield Sleep(0)
        return {c for c in checksums if self.appear.get(c, 99) <= len(self.sent)}


def _recover(server: Server, *, resend: bool = True) -> dict[str, Any]:
    flow = finalize_recovering(
        FILES, server.send, server.held, POLICY, lambda a, b: b, resend=resend
    )
    return _run(flow)  # type: ignore[no-any-return]


def test_an_answer_is_the_verdict_and_nothing_is_polled() -> None:
    server = Server([None])
    assert _recover(server) == {f.file_key: "created" for f in FILES}
    assert len(server.sent) == 1 and server.lookups == 0


def test_a_refusal_fails_every_file_without_polls_or_resends() -> None:
    refused = ClientError(400, "bad checksum")
    server = Server([refused])
    assert _recover(server) == {f.file_key: refused for f in FILES}
    assert len(server.sent) == 1 and server.lookups == 0


def test_files_the_polls_find_are_held_and_not_sent_again() -> None:
    server = Server([ResponseLostError("reset")], appear={f.checksum: 1 for f in FILES})
    assert _recover(server) == {f.file_key: Found.HELD for f in FILES}
    assert len(server.sent) == 1 and server.lookups == 1  # the first poll found them all


def test_only_the_files_never_found_are_sent_again() -> None:
    lost = ResponseLostError("reset")
    server = Server([lost, None], appear={FILES[0].checksum: 1})
    out = _recover(server)
    assert out == {"key-0": Found.HELD, "key-1": "created", "key-2": "created"}
    assert server.sent == [["key-0", "key-1", "key-2"], ["key-1", "key-2"]]


def test_a_5xx_is_unclear_too() -> None:
    server = Server([ClientError(502, "gateway"), None])
    assert set(_recover(server).values()) == {"created"}
    assert len(server.sent) == 2 and server.lookups == POLICY.finalize_polls


def test_resends_stop_at_the_policy_s_attempts() -> None:
    lost = ResponseLostError("reset")
    server = Server([lost] * 5)
    assert _recover(server) == {f.file_key: lost for f in FILES}
    assert len(server.sent) == POLICY.max_attempts
    assert server.lookups == POLICY.max_attempts * POLICY.finalize_polls


def test_without_resend_the_files_never_found_fail_after_one_send() -> None:
    lost = ResponseLostError("reset")
    server = Server([lost, None], appear={FILES[2].checksum: 1})
    out = _recover(server, resend=False)
    assert out == {"key-0": lost, "key-1": lost, "key-2": Found.HELD}
    assert len(server.sent) == 1 and server.lookups == POLICY.finalize_polls
