"""pytest plugin (entry point ``synapse_mock``): the ``synapse_mock`` fixture.

``--mock-mode=respx`` (default) serves the fake in-process through respx (patching httpx for
the base URL); ``--mock-mode=server`` serves it over real HTTP in a thread.
``--mock-dashboard-dir=DIR`` writes the fake's dashboard (a static HTML copy) of every failed
test that used the fixture to ``DIR/<test id>.html``, for CI to keep as an artefact. Contract
validation is on: a request or response that breaks openapi.yaml fails the test. This module
imports neither synapse_client nor synapse_ext, and nothing of the ``mock`` extra: it loads in
every pytest run of an environment with synapse-dc installed, and the fixture says what to
install when it is used without the extra.
"""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from mockserver.extras import MissingExtraError
from mockserver.mock import MODES, MockSynapse, mock_synapse

__all__ = ["synapse_mock"]

_FAILED = pytest.StashKey[bool]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("synapse-mock")
    group.addoption(
        "--mock-mode",
        action="store",
        default="respx",
        choices=MODES,
        help="transport of the synapse_mock fixture: respx (in-process) or server (HTTP)",
    )
    group.addoption(
        "--mock-dashboard-dir",
        action="store",
        default=None,
        metavar="DIR",
        help="write the synapse_mock dashboard (HTML) of each failed test into DIR",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[Any]:
    """Remember whether a test failed (its setup or call), for the dashboard dump."""
    outcome: Any = yield
    if outcome.get_result().failed:
        item.stash[_FAILED] = True


def _dump_if_failed(request: pytest.FixtureRequest, handle: MockSynapse) -> None:
    folder = request.config.getoption("--mock-dashboard-dir")
    if folder and request.node.stash.get(_FAILED, False):
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")
        handle.dump_dashboard(Path(folder) / f"{name}.html")


@pytest.fixture
def synapse_mock(request: pytest.FixtureRequest) -> Iterator[MockSynapse]:
    """A fresh fake Synapse backend with contract validation on."""
    mode = request.config.getoption("--mock-mode")
    stack = ExitStack()
    try:
        handle = stack.enter_context(mock_synapse(mode=mode, validate=True))
    except MissingExtraError as exc:
        problem: str | None = f"the synapse_mock fixture cannot start: {exc}"
    else:
        problem = None
    if problem is not None:  # failed outside the except block: no chained traceback
        pytest.fail(problem, pytrace=False)
    with stack:
        yield handle
        _dump_if_failed(request, handle)
        if handle.contract_violations:
            pytest.fail(
                "contract violations:\n" + "\n".join(str(v) for v in handle.contract_violations),
                pytrace=False,
            )
