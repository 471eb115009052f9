"""pytest plugin (entry point ``synapse_mock``): the ``synapse_mock`` fixture.

``--mock-mode=respx`` (default) serves the fake in-process through respx (patching httpx for
the base URL); ``--mock-mode=server`` serves it over real HTTP in a thread. Contract
validation is on: a request or response that breaks openapi.yaml fails the test. This module
imports neither synapse_client nor synapse_ext, and nothing of the ``mock`` extra: it loads in
every pytest run of an environment with synapse-dc installed, and the fixture says what to
install when it is used without the extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from mockserver.extras import MissingExtraError
from mockserver.mock import MODES, MockSynapse, mock_synapse

__all__ = ["synapse_mock"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("synapse-mock")
    group.addoption(
        "--mock-mode",
        action="store",
        default="respx",
        choices=MODES,
        help="transport of the synapse_mock fixture: respx (in-process) or server (HTTP)",
    )


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
        if handle.contract_violations:
            pytest.fail(
                "contract violations:\n" + "\n".join(str(v) for v in handle.contract_violations),
                pytrace=False,
            )
