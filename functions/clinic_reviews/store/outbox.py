"""The outbox: the events a write to the reviews table announces, read back from the table's stream.

A write that changes a review and carries events sets `outbox_id` (a fresh mark), `outbox_events` (names) and
`outbox_at` on the review item in that same PutItem, transaction or UpdateItem (store/reviews.py), so an event
is exactly as durable as the write. The table streams NEW_AND_OLD_IMAGES; the outbox function
(handlers/outbox.py) turns each stream record whose mark is new into the events, built from the item's new
image by `events.review_event` (the shapes in infra/schemas/ are unchanged), and puts them on the bus in
stream order. A later write without events keeps the mark, so its record announces nothing again.

A case's change (store/cases.py) writes an audit entry, once, in the transaction that changes the case: the entry
carries the case's event as built (`outbox_event`; no patient data, no free text), announced on its INSERT.
"""

from __future__ import annotations

import json
from typing import Any

from clinic_reviews.domain.review import from_iso
from clinic_reviews.events import REVIEW_ESCALATED, Event, escalated_event, review_event
from clinic_reviews.store.models import ReviewItem
from clinic_reviews.store.reviews import ReviewRepository

ANNOUNCING = ("INSERT", "MODIFY")


def _mark(image: dict[str, Any] | None) -> str | None:
    return ((image or {}).get("outbox_id") or {}).get("S")


def events_of(record: dict[str, Any]) -> list[Event]:
    """The events one DynamoDB stream record announces (none for a write that carries none)."""
    change = record.get("dynamodb") or {}
    new = change.get("NewImage")
    if record.get("eventName") not in ANNOUNCING or not new:
        return []
    built = (new.get("outbox_event") or {}).get("S")
    if built is not None and record.get("eventName") == "INSERT":  # a case's audit entry carries its event whole
        event = json.loads(built)
        return [Event(event["name"], event["detail"])]
    mark = _mark(new)
    if mark is None or mark == _mark(change.get("OldImage")):
        return []
    item = ReviewItem.from_raw_data(new)
    review = ReviewRepository.record_of(item)
    at = from_iso(item.outbox_at)
    return [_event(name, review, at, item.outbox_tier) for name in item.outbox_events or ()]


def _event(name: str, review: Any, at: Any, tier: dict[str, Any] | None) -> Event:
    if name == REVIEW_ESCALATED and tier:
        return escalated_event(review, at, tier["tier"], int(tier["tier_number"]))
    return review_event(name, review, at)
