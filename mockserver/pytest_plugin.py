"""pytest plugin (entry point ``synapse_mock``): the ``synapse_mock`` fixture.

``--mock-mode=respx`` (default) serves the fake in-process through respx (patching httpx for
the base URL); ``--mock-mode=server`` serves it over real HTTP in a thread. Contract
validation is on: a request or response that breaks openapi.yaml fails the test. This module
imports neither synapse_client nor synapse_ext.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mockserver.mock import MockSynapse, mock_synapse, mock_synapse_server

__all__ = ["synapse_mock"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("synapse-mock")
    group.addoption(
        "--mock-mode",
        action="store",
        default="respx",
        choices=("respx", "server"),
        help="transport of the synapse_mock fixture: respx (in-process) or server (HTTP)",
    )


@pytest.fixture
def synapse_mock(request: pytest.FixtureRequest) -> Iterator[MockSynapse]:
    """A fresh fake Synapse backend with contract validation on."""
    mode = request.config.getoption("--mock-mode")
    factory = mock_synapse_server if mode == "server" else mock_synapse
    with factory(validate=True) as handle:
        yield handle
        if handle.contract_violations:
            pytest.fail(
                "contract violations:\n" + "\n".join(str(v) for v in handle.contract_violations),
                pytrace=False,
            )
