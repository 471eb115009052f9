"""Property-based conformance of the HTTP mode with schemathesis (bounded, deterministic)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from mockserver import Backend, serve_in_thread
from mockserver.contract import find_spec

schema = schemathesis.openapi.from_path(find_spec())
AUTH = {"Synapse-Access-Token": "Token demo-token"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def backend() -> Iterator[Backend]:
    backend = Backend()
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def live_url(backend: Backend) -> Iterator[str]:
    with serve_in_thread(backend, token="demo-token") as url:
        yield url


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_http_mode_conforms_to_openapi(case: schemathesis.Case, live_url: str) -> None:
    case.call_and_validate(base_url=live_url, headers=AUTH, checks=CHECKS)


def test_schemathesis_exercised_every_operation(backend: Backend) -> None:
    """Runs after the property tests (same module): each operation was really called."""
    called = {op for op, n in backend.operation_calls.items() if n > 0}
    documented = {
        op
        for path in schema.raw_schema["paths"].values()
        for op in (m.get("operationId") for m in path.values() if isinstance(m, dict))
        if op
    }
    assert documented <= called, documented - called
