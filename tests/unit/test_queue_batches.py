"""The intake's queue batches (queue_batches.py) are answered as Powertools' BatchProcessor, which the intake used
before, answered them: the same partial batch response, a raise when every message failed, a refusal of what is
not a batch."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from clinic_reviews.queue_batches import partial_response
from hypothesis import given
from hypothesis import strategies as st


def _event(bodies: list[str]) -> dict:
    return {"Records": [{"messageId": f"m-{i}", "receiptHandle": f"r-{i}", "body": body, "attributes": {},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": "arn:aws:sqs:eu-central-1:1:intake", "awsRegion": "eu-central-1"}
                        for i, body in enumerate(bodies)]}


def _work(body: str) -> str:
    if body.startswith("fail"):
        raise RuntimeError("could not store")
    if body.startswith("bad"):
        raise ValueError("not JSON")
    return body


def _answers(event: dict) -> tuple[object, object]:
    """(ours, Powertools'): a response, or the kind of exception raised."""
    handled: list[list[str]] = [[], []]

    def ours_handle(body: str) -> str:
        handled[0].append(body)
        return _work(body)

    def theirs_handle(record) -> str:
        handled[1].append(record.body)
        return _work(record.body)

    answers = []
    for run in (lambda: partial_response(event, ours_handle),
                lambda: process_partial_response(event=event, record_handler=theirs_handle,
                                                 processor=BatchProcessor(event_type=EventType.SQS))):
        try:
            answers.append(run())
        except Exception:
            answers.append("raised")
    assert handled[0] == handled[1]  # every message, in order, whatever the others did
    return answers[0], answers[1]


@pytest.mark.parametrize("bodies", [["a"], ["a", "b"], ["fail"], ["fail", "bad"], ["a", "fail", "b", "bad"],
                                    ["bad", "a"], ["fail", "fail", "ok"]])
def test_a_batch_is_answered_as_powertools_answered_it(bodies):
    ours, theirs = _answers(_event(bodies))
    assert ours == theirs


@given(st.lists(st.sampled_from(["ok", "fail", "bad", "ok2"]), min_size=1, max_size=10))
def test_any_batch_is_answered_as_powertools_answered_it(bodies):
    ours, theirs = _answers(_event(bodies))
    assert ours == theirs


@pytest.mark.parametrize("event", [{"Records": []}, {"Records": None}, {"Records": "x"}, {"Records": {"a": 1}}, {}])
def test_what_is_not_a_batch_is_refused_as_it_was(event):
    ours, theirs = _answers(event)
    assert ours == theirs == "raised"


def test_every_failure_is_reported_to_the_caller():
    seen: list[str] = []
    with pytest.raises(RuntimeError, match="All records failed processing. 2 individual errors"):
        partial_response(_event(["fail", "bad"]), _work, lambda exc: seen.append(type(exc).__name__))
    assert seen == ["RuntimeError", "ValueError"]
