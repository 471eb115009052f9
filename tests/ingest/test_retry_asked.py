"""The v1 ingestion's own requests (unit batches, tasks) ask the classifier through the one
retry loop, with their kind, and act on its answer.

A policy notes every ``decide``: the status, the :class:`Kind` asked, the answer and the
function that asked. Each row scripts one failure of one operation on the fake and pins the
kind asked (``POST data_units/``: unsafe and splittable; ``POST tasks/``: idempotent), the
decision, that ``retry_loop`` asked it, and what the run then did.
"""

from __future__ import annotations

import sys
from pathlib import Path

import attrs
import pytest

from mockserver import MockSynapse
from synapse_ext import FailureReason, SynapseClient, organize, upload_data_collection
from synapse_ext._flow import SAFE, UNSAFE_BATCH, Kind
from synapse_ext.errors import ClientError
from synapse_ext.policy import Decision, RetryPolicy

from .conftest import assert_exact, make_dataset


@attrs.frozen
class AskedPolicy(RetryPolicy):
    """A RetryPolicy that notes every ``decide``: status, kind, answer and the asking function."""

    asked: list[tuple[int | None, Kind, Decision, str]] = attrs.field(factory=list, eq=False)

    def decide(self, error: ClientError, **kind: bool) -> Decision:  # type: ignore[override]
        answer = RetryPolicy.decide(self, error, **kind)
        self.asked.append(
            (error.status_code, Kind(**kind), answer, sys._getframe(1).f_code.co_name)
        )
        return answer


ROWS = [
    # operation, fault, kind asked, decision, then the run...
    ("createDataUnits", 503, UNSAFE_BATCH, Decision.RETRY, "bound"),
    ("createDataUnits", 502, UNSAFE_BATCH, Decision.RECONCILE, "bound"),
    ("createDataUnits", None, UNSAFE_BATCH, Decision.RECONCILE, "bound"),  # answer lost
    ("createDataUnits", 400, UNSAFE_BATCH, Decision.SPLIT, "bound"),  # the halves pass
    ("createDataUnits", 403, UNSAFE_BATCH, Decision.FAIL, "units rejected"),
    ("createTasks", 503, SAFE, Decision.RETRY, "bound"),
    ("createTasks", None, SAFE, Decision.RETRY, "bound"),  # answer lost: resent, idempotent
    ("createTasks", 400, SAFE, Decision.FAIL, "tasks failed"),
]


@pytest.mark.parametrize(("operation", "status", "kind", "decision", "then"), ROWS)
def test_each_failure_is_decided_by_the_one_loop_with_the_request_kind(
    fake: MockSynapse,
    client: SynapseClient,
    tmp_path: Path,
    operation: str,
    status: int | None,
    kind: Kind,
    decision: Decision,
    then: str,
) -> None:
    root = tmp_path / "data"
    expected = make_dataset(root, 6)
    if status is None:
        fake.faults.lose_response(operation, times=1)
    else:
        fake.faults.script(operation, status=status, times=1)
    policy = AskedPolicy(max_attempts=3, base=0.001, retry_after_cap=0.01)
    groups = organize(root, client.get_collection(1))
    result = upload_data_collection(
        client, 1, groups, project_id=1, journal=None, unit_retry=policy, api="v1", batch_size=6
    )
    assert policy.asked[0] == (status, kind, decision, "retry_loop"), policy.asked
    reasons = {f.reason for f in result.failures}
    if then == "bound":
        assert result.success, result.failures
        assert_exact(fake, expected)
    elif then == "units rejected":
        assert reasons == {FailureReason.UNIT_REJECTED} and result.units_created == 0
    else:
        assert reasons == {FailureReason.TASK_FAILED}
        assert result.units_created == len(expected) and result.tasks_created == 0
