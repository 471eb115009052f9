"""A stateful, contract-checked fake Synapse backend, in-process (respx) or over HTTP.

Quick start::

    from mockserver import mock_synapse

    with mock_synapse() as synapse:          # patches httpx for https://api.synapse.sh
        ...                                  # any httpx client now talks to the fake
        synapse.faults.script("createDataUnits", status=429, times=2, retry_after=1)
        assert synapse.call_count("createDataUnits") == 0

    with mock_synapse(mode="server") as synapse:  # the same fake over real HTTP
        httpx.get(f"{synapse.base_url}/data_collections/", headers=synapse.headers())

Importing this package needs only httpx; serving the fake needs the ``mock`` extra
(``pip install 'synapse-dc[mock]'``). See ``docs/mockserver.md`` for the server CLI, fixtures
and fault injection.
"""

from mockserver.clock import ManualClock
from mockserver.contract import ContractValidator, ContractViolation, Violation
from mockserver.dispatch import Call
from mockserver.errors import ApiError
from mockserver.extras import MissingExtraError
from mockserver.faults import Fault, FaultController, FaultKind
from mockserver.fixtures import (
    CAUTIONS,
    DEFAULT_TENANT,
    DEFAULT_TOKEN,
    default_fixtures,
    load_fixtures,
    with_caution,
)
from mockserver.mock import MockSynapse, mock_synapse, mock_synapse_server, serve_in_thread
from mockserver.state import Backend

__all__ = [
    "CAUTIONS",
    "DEFAULT_TENANT",
    "DEFAULT_TOKEN",
    "ApiError",
    "Backend",
    "Call",
    "ContractValidator",
    "ContractViolation",
    "Fault",
    "FaultController",
    "FaultKind",
    "ManualClock",
    "MissingExtraError",
    "MockSynapse",
    "Violation",
    "default_fixtures",
    "load_fixtures",
    "mock_synapse",
    "mock_synapse_server",
    "serve_in_thread",
    "with_caution",
]
