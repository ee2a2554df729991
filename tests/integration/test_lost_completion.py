"""A delivery whose idempotency completion is lost after the message went out (docs/nothing-lost.md).

Powertools leaves the record in progress until its window (the invocation's time left) has passed; a retry inside
it fails with IdempotencyAlreadyInProgressError. The workflows retry that error after the window, so the step
takes the record over and the workflow goes on: at least once, the message goes out a second time. Without that
Retry the workflow fails and the escalation (or the feedback request) is lost.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from .conftest import Recorder, review
from .test_feedback_flow import feedback_sms, request, send_visit, visit

pytestmark = pytest.mark.integration
MONDAY_12_MSK = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
def lose_a_completion(monkeypatch):
    """Every attempt of the first "COMPLETED" mark fails (throttled), and Step Functions' FULL jitter draws 0:
    the step's own retries come at once, as the worst case on AWS, so only a retry that waits can get past."""
    import botocore.endpoint
    from clinic_reviews.clients import IDEMPOTENCY_CONFIG
    from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException
    from moto.dynamodb.models import DynamoDBBackend
    from moto.stepfunctions.parser.asl.component.common.retry import jitter_strategy_decl

    original, refused = DynamoDBBackend.update_item, []

    def update_item(self, *args, **kwargs):
        values = kwargs.get("expression_attribute_values") or {}
        if len(refused) < IDEMPOTENCY_CONFIG.retries["total_max_attempts"] and {"S": "COMPLETED"} in values.values():
            refused.append(args[1] if len(args) > 1 else kwargs.get("key"))
            raise DynamodbException(ERROR_TYPE_PREFIX + "ProvisionedThroughputExceededException", "throttled")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "update_item", update_item)
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=lambda _seconds: None))
    monkeypatch.setattr(jitter_strategy_decl, "random", SimpleNamespace(uniform=lambda low, _high: low))
    return refused


def _task_errors(aws, execution_arn: str) -> list[str]:
    return [e["taskFailedEventDetails"]["error"] for e in aws.execution_history(execution_arn) if e["type"] == "TaskFailed"]


def test_an_escalation_step_whose_completion_was_lost_sends_again_after_the_window(aws, lose_a_completion):
    sent = Recorder(aws)
    aws.invoke("IntakeFunction", {"reviews": [review()]})
    sent()
    first = {(phone, text) for _at, phone, text in sent.sms} | {(tuple(to), subject) for _at, to, subject in sent.emails}
    assert len(lose_a_completion) == 6 and len(first) == 1  # the first message went out; its completion was lost
    sent.advance_to(aws.clock.now() + timedelta(minutes=5))
    [execution] = aws.executions()
    assert execution["status"] == "RUNNING"  # on to the next tier's deadline, not FAILED
    assert _task_errors(aws, execution["executionArn"]) == [
        "IdempotencyPersistenceLayerError",  # the completion could not be saved
        "IdempotencyAlreadyInProgressError",  # the step's retry found the record in progress
    ]
    times = sorted({at for at, _phone, _text in sent.sms} | {at for at, _to, _subject in sent.emails})
    assert len(times) == 2 and times[1] - times[0] > timedelta(seconds=30)  # after the function's timeout
    again = [m for m in [*((p, t) for _a, p, t in sent.sms), *((tuple(to), s) for _a, to, s in sent.emails)] if m in first]
    assert len(again) == 2  # at least once: the message whose completion was lost went out again


def test_a_feedback_request_whose_completion_was_lost_is_sent_again_after_the_window(stack_at, lose_a_completion):
    with stack_at(MONDAY_12_MSK) as aws:
        send_visit(aws, visit())
        aws.advance_to(request(aws).send_at + timedelta(minutes=5))
        [execution] = aws.executions("FeedbackStateMachine")
        assert execution["status"] == "SUCCEEDED"
        assert _task_errors(aws, execution["executionArn"]) == [
            "IdempotencyPersistenceLayerError", "IdempotencyAlreadyInProgressError"]
        assert len(feedback_sms(aws)) == 2  # at least once
        assert request(aws).status == "sent"
