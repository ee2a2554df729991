"""The outbox's two halves without AWS: which stream records announce what, and ordered publishing."""

from __future__ import annotations

import json

from clinic_reviews.events import Event, EventPublisher
from clinic_reviews.store.outbox import events_of


class FlakyBus:
    """PutEvents that refuses the entries whose DetailType is in `refuse`, `times` calls long."""

    def __init__(self, refuse: set[str], times: int):
        self.refuse, self.times, self.accepted = refuse, times, []

    def put_events(self, Entries):
        results = []
        for entry in Entries:
            if entry["DetailType"] in self.refuse and self.times > 0:
                results.append({"ErrorCode": "InternalFailure"})
            else:
                self.accepted.append(entry["DetailType"])
                results.append({"EventId": "x"})
        self.times -= 1
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


def _groups(*names):
    return [[Event(name, {"event_id": name})] for name in names]


def test_the_groups_done_stop_at_an_entry_the_bus_keeps_refusing():
    bus = FlakyBus({"c"}, times=99)
    done = EventPublisher(bus, "bus", "clinic-reviews", sleep=lambda s: None).publish_in_order(_groups("a", "b", "c", "d"))
    assert done == 2  # a and b are on the bus; the caller retries from c, so d goes out again after it
    assert bus.accepted[:2] == ["a", "b"] and "c" not in bus.accepted


def test_a_refusal_that_passes_is_retried_in_order_and_may_repeat_what_followed_it():
    bus = FlakyBus({"b"}, times=1)
    done = EventPublisher(bus, "bus", "clinic-reviews", sleep=lambda s: None).publish_in_order(_groups("a", "b", "c"))
    assert done == 3
    assert bus.accepted == ["a", "c", "b", "c"]  # c accepted once out of order, then again after b: at least once
    assert bus.accepted[-2:] == ["b", "c"]


def _case_record(event_name="INSERT"):
    event = {"name": "case.opened", "detail": {"event_id": "case.opened:c1:0"}}
    return {"eventName": event_name, "dynamodb": {"NewImage": {"pk": {"S": "CASE#c1"}, "outbox_event": {"S": json.dumps(event)}}}}


def test_a_case_entry_announces_its_event_once_on_insert():
    assert [(e.name, e.detail["event_id"]) for e in events_of(_case_record())] == [("case.opened", "case.opened:c1:0")]
    assert events_of(_case_record("MODIFY")) == []
    assert events_of(_case_record("REMOVE")) == []


def test_a_review_write_without_a_new_mark_announces_nothing():
    image = {"pk": {"S": "CLINIC#x"}, "outbox_id": {"S": "m1"}, "outbox_events": {"L": [{"S": "review.received"}]}}
    record = {"eventName": "MODIFY", "dynamodb": {"NewImage": image, "OldImage": dict(image)}}
    assert events_of(record) == []
    assert events_of({"eventName": "MODIFY", "dynamodb": {"NewImage": {"pk": {"S": "CLINIC#x"}}}}) == []
