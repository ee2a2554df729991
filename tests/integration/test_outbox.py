"""The outbox: a stored change reaches the bus at least once, in order per review, whatever the bus does meanwhile.

Reviews' events travel with their writes through the table's stream (store/outbox.py) to OutboxFunction, run by
the local stream poller (clinic_reviews_local/streams.py) with the mapping template.yaml declares.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from .conftest import review
from .test_intake_flow import _tap


@contextmanager
def bus_refusing(aws, until):
    """EventBridge answers every PutEvents entry with InternalFailure while the virtual clock is before `until`."""
    from moto.events.models import EventsBackend

    original = EventsBackend.put_events
    refused = []

    def put_events(self, events):
        if aws.clock.now() < until:
            refused.append(len(events))
            return [{"ErrorCode": "InternalFailure", "ErrorMessage": "outage"} for _ in events]
        return original(self, events)

    with mock.patch.object(EventsBackend, "put_events", put_events):
        yield refused


def _dead_letters(aws):
    sqs = aws.client("sqs")
    url = aws.physical("OutboxDeadLetterQueue")
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])


def _review_events(events):
    return [(e["detail"]["review"]["external_id"], e["detail-type"], e["detail"]["event_id"]) for e in events
            if e["detail-type"].startswith("review.")]


def test_an_hour_without_the_bus_loses_nothing_and_keeps_each_reviews_order(aws):
    tap = _tap(aws)
    start = aws.clock.now()
    recovery = start + timedelta(hours=1)
    reply = {"text": "Спасибо, что написали", "created_at": "2026-12-07T07:10:00Z"}
    with bus_refusing(aws, recovery) as refused:
        aws.invoke("IntakeFunction", {"reviews": [review("a"), review("b", rating=5, text="Отлично!")]})
        aws.advance_to(start + timedelta(minutes=5))
        aws.invoke("IntakeFunction", {"reviews": [review("a", text="Администратор нахамила, ждали два часа")]})
        aws.invoke("IntakeFunction", {"reviews": [review("b", rating=5, text="Отлично!", reply=reply)]})
        minute = start + timedelta(minutes=5)
        while minute < recovery - timedelta(minutes=1):  # the poller keeps retrying through the hour
            minute += timedelta(minutes=1)
            aws.advance_to(minute)
        during = _review_events(tap())
        assert during == [], "nothing of the reviews reaches the bus while it refuses every entry"
        assert len(refused) > 30, f"the outbox kept trying through the hour ({len(refused)} PutEvents)"
        aws.advance_to(recovery + timedelta(minutes=2))
    after = _review_events(tap())
    a = [(kind, eid) for ext, kind, eid in after if ext == "a"]
    b = [kind for ext, kind, _ in after if ext == "b"]
    kinds_a = [kind for kind, _ in a]
    assert kinds_a[0] == "review.received" and "review.updated" in kinds_a and "review.escalated" in kinds_a
    assert kinds_a.index("review.received") < kinds_a.index("review.updated")
    assert kinds_a.index("review.received") < kinds_a.index("review.escalated")
    assert b[0] == "review.received" and "review.answered" in b
    assert b.index("review.received") < b.index("review.answered")
    # every change, none lost: the stored reviews' writes that carry events are all on the bus
    assert {"review.received", "review.updated", "review.escalated"} <= set(kinds_a)
    assert _dead_letters(aws) == []


def test_a_batch_the_bus_refuses_past_its_retries_leaves_its_range_in_the_dead_letter_queue(aws):
    """The bounded end of the retries: the stream range goes to the outbox DLQ (OutboxDeadLettersAlarm watches it)."""
    mapping = next(m for m in aws.lambdas._streams if m.function.endswith("OutboxFunction"))
    mapping.max_retries = 2  # template.yaml allows 10,000 retries within a day; the path after them is the same
    start = aws.clock.now()
    with bus_refusing(aws, start + timedelta(days=2)):
        aws.invoke("IntakeFunction", {"reviews": [review("z", rating=5, text="Отлично!")]})
        for seconds in (1, 3, 7, 15):
            aws.advance_to(start + timedelta(seconds=seconds))
    letters = _dead_letters(aws)
    assert len(letters) == 1
    body = json.loads(letters[0]["Body"])
    assert body["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert body["DDBStreamBatchInfo"]["streamArn"] == mapping.stream_arn
    assert body["DDBStreamBatchInfo"]["batchSize"] >= 1
