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

from mockserver import DEFAULT_TOKEN, MockSynapse, mock_synapse
from mockserver.contract import find_spec

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


def test_stateful_sequences_follow_the_links(served: MockSynapse, live_url: str) -> None:
    """Schemathesis' stateful phase: call sequences chained by the spec's OpenAPI links (and
    the links it infers), each answer checked as above; no 5xx, every response conformant."""
    workflow = schema.as_state_machine()
    transitions = [name for name in dir(workflow) if "__" in name and not name.startswith("_")]
    assert any(name.startswith("POST_v2_") for name in transitions), transitions

    class Sequences(workflow):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
            return {"base_url": live_url, "headers": AUTH}

        def validate_response(  # type: ignore[override]
            self, response: object, case: schemathesis.Case, **kwargs: object
        ) -> None:
            case.validate_response(response, checks=CHECKS)  # type: ignore[arg-type]

    before = sum(served.dispatcher.call_counts().values())
    Sequences.run(
        settings=settings(
            max_examples=25,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert sum(served.dispatcher.call_counts().values()) > before
