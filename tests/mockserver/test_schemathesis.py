"""Property-based conformance of the HTTP mode with schemathesis (bounded, deterministic)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from mockserver import DEFAULT_TOKEN, MockSynapse, mock_synapse
from mockserver.contract import find_spec

pytestmark = pytest.mark.slow

schema = schemathesis.openapi.from_path(find_spec())
AUTH = {"Synapse-Access-Token": f"Token {DEFAULT_TOKEN}"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def served() -> Iterator[MockSynapse]:
    with mock_synapse(mode="server") as fake:
        yield fake


@pytest.fixture(scope="module")
def live_url(served: MockSynapse) -> str:
    return served.base_url


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


class _Workflow(schema.as_state_machine()):  # type: ignore[misc]
    """The stateful phase: sequences of calls chained by the spec's OpenAPI ``links``."""

    base_url = ""

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
        return {"base_url": self.base_url, "headers": AUTH}

    def validate_response(
        self,
        response: Any,
        case: schemathesis.Case,
        additional_checks: Any = None,
        **kwargs: Any,
    ) -> None:
        case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)


def test_stateful_links_conform_to_openapi(served: MockSynapse, live_url: str) -> None:
    """Linked sequences (v1 and v2, and across them): no 5xx, every answer conformant."""
    transitions = [name for name in dir(_Workflow) if "__" in name and not name.startswith("_")]
    for source in ("POST_v2_data_collections_id_upload_urls_", "POST_v2_data_units_bulk_create_"):
        assert any(name.startswith(source) for name in transitions), (source, transitions)
    before = sum(served.dispatcher.call_counts().values())
    _Workflow.base_url = live_url
    _Workflow.run(
        settings=settings(
            max_examples=10,
            stateful_step_count=4,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert sum(served.dispatcher.call_counts().values()) > before


def test_schemathesis_exercised_every_operation(served: MockSynapse) -> None:
    """Runs after the property tests (same module): each operation was really called."""
    called = {op for op in schema_operations() if served.call_count(op) > 0}
    documented = schema_operations()
    assert documented <= called, documented - called


def schema_operations() -> set[str]:
    return {
        op
        for path in schema.raw_schema["paths"].values()
        for op in (m.get("operationId") for m in path.values() if isinstance(m, dict))
        if op
    }
