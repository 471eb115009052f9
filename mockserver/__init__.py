"""A stateful, contract-checked fake Synapse backend, in-process (respx) or over HTTP.

Quick start::

    from mockserver import mock_synapse

    with mock_synapse() as synapse:          # patches httpx for https://api.synapse.sh
        ...                                  # any httpx client now talks to the fake
        synapse.faults.script("createDataUnits", status=429, times=2, retry_after=1)
        assert synapse.call_count("createDataUnits") == 0

See ``docs/mockserver.md`` for the server CLI, fixtures and fault injection.
"""

from mockserver.clock import ManualClock
from mockserver.contract import ContractValidator, ContractViolation, Violation
from mockserver.dispatch import Call
from mockserver.errors import ApiError
from mockserver.faults import Fault, FaultController, FaultKind
from mockserver.fixtures import default_fixtures, load_fixtures
from mockserver.mock import MockSynapse, mock_synapse, mock_synapse_server
from mockserver.server import serve_in_thread
from mockserver.state import Backend

__all__ = [
    "ApiError",
    "Backend",
    "Call",
    "ContractValidator",
    "ContractViolation",
    "Fault",
    "FaultController",
    "FaultKind",
    "ManualClock",
    "MockSynapse",
    "Violation",
    "default_fixtures",
    "load_fixtures",
    "mock_synapse",
    "mock_synapse_server",
    "serve_in_thread",
]
