"""Progress reporters: fed by acknowledged bytes; the library itself never prints."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

import synapse_ext
from mockserver import MockSynapse
from synapse_ext import CallbackProgress, NullProgress, ProgressEvent, SynapseClient, TqdmProgress

pytestmark = pytest.mark.slow


def test_reporters_and_quiet_stdout(
    tmp_path: Path, fake: MockSynapse, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.bin"
    path.write_bytes(b"z" * 2500)
    events: list[ProgressEvent] = []
    stream = io.StringIO()
    for reporter in (NullProgress(), CallbackProgress(events.append), TqdmProgress(file=stream)):
        with SynapseClient(
            fake.base_url, fake.token, transport=fake.transport, progress=reporter
        ) as c:
            c.upload_file(path, chunked=True, chunk_size=1000)
            c.upload_file_direct(path)
    assert [e.advanced for e in events] == [1000, 1000, 500, 0, 2500, 0]
    assert events[3].finished and events[3].done == 2500
    assert "100%" in stream.getvalue()
    assert capsys.readouterr().out == ""


def test_exported_members() -> None:
    public = sorted(n for n in dir(synapse_ext) if not n.startswith("_") and n[0].isupper())
    assert set(public) <= set(synapse_ext.__all__)
    for name in synapse_ext.__all__:
        assert hasattr(synapse_ext, name)
