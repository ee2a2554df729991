"""The project's own EventBridge bus: event names, their `detail` (schemas in infra/schemas/), publishing.

Every event has `source = "clinic-reviews"`, `detail-type` = one of NAMES, and a detail carrying
`schema_version`, a deterministic `event_id` (consumers de-duplicate on it) and `occurred_at`.
Authors' names never travel on the bus; texts are cut to TEXT_LIMIT characters.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.record import ReviewRecord
from clinic_reviews.domain.review import iso_z

SCHEMA_VERSION = "1"
TEXT_LIMIT = 2_000
PUT_EVENTS_BATCH = 10
MAX_ATTEMPTS = 4

REVIEW_RECEIVED = "review.received"
REVIEW_UPDATED = "review.updated"
REVIEW_ANSWERED = "review.answered"
REVIEW_ESCALATED = "review.escalated"
REVIEWS_SUBMITTED = "reviews.submitted"  # inbound: an integrator hands us a batch of reviews
REVIEW_QUARANTINED = "review.quarantined"  # an item that could not be stored, put aside (store/quarantine.py)
NAMES = (REVIEW_RECEIVED, REVIEW_UPDATED, REVIEW_ANSWERED, REVIEW_ESCALATED, REVIEWS_SUBMITTED, REVIEW_QUARANTINED)


@record
class Event:
    name: str
    detail: dict[str, Any]


class PublishError(RuntimeError):
    """Some events could not be put on the bus after the bounded retries."""


def review_detail(record: ReviewRecord) -> dict[str, Any]:
    """The review as integrators see it on the bus (no author)."""
    review, cls = record.review, record.classification
    text = review.text
    return {
        "chain_id": record.chain_id,
        "clinic_id": review.clinic_id,
        "source": review.source,
        "external_id": review.external_id,
        "url": review.url,
        "lang": review.lang or cls.lang,
        "rating": review.rating,
        "text": text[:TEXT_LIMIT],
        "text_truncated": len(text) > TEXT_LIMIT,
        "created_at": iso_z(review.created_at),
        "received_at": iso_z(record.received_at),
        "sentiment": cls.sentiment,
        "score": cls.score,
        "topics": list(cls.topics),
        "triage": cls.triage,
        "mismatch": cls.mismatch,
        "legal": cls.legal,
        "kind": cls.kind,
        "complaint": None if cls.complaint is None else cls.complaint.to_json(),
        "status": record.status,
        "backfill": record.backfill,
        "reply": None
        if review.reply is None
        else {"text": review.reply.text[:TEXT_LIMIT], "created_at": iso_z(review.reply.created_at)},
        "answered_at": None if record.answered_at is None else iso_z(record.answered_at),
        "answered_by": record.answered_by,
    }


def review_event(name: str, record: ReviewRecord, occurred_at: datetime, **extra: Any) -> Event:
    detail = {
        "schema_version": SCHEMA_VERSION,
        "event_id": f"{name}:{record.key.token()}:{record.content_hash}",
        "occurred_at": iso_z(occurred_at),
        "review": review_detail(record),
        **extra,
    }
    return Event(name, detail)


def escalated_event(record: ReviewRecord, occurred_at: datetime, tier: str, tier_number: int) -> Event:
    """review.escalated: one per review and tier (its event_id says which)."""
    event = review_event(REVIEW_ESCALATED, record, occurred_at, tier=tier, tier_number=tier_number)
    event.detail["event_id"] = f"{REVIEW_ESCALATED}:{record.key.token()}:{tier}"
    return event


class EventPublisher:
    """Puts events on the bus in batches of ten, retrying failed entries with backoff."""

    def __init__(self, events_client: Any, bus_name: str, source: str, sleep: Callable[[float], None] = time.sleep):
        self._client = events_client
        self._bus = bus_name
        self._source = source
        self._sleep = sleep

    def publish(self, events: Iterable[Event]) -> int:
        entries = [self._entry(event) for event in events]
        for start in range(0, len(entries), PUT_EVENTS_BATCH):
            self._put(entries[start : start + PUT_EVENTS_BATCH])
        return len(entries)

    def publish_in_order(self, groups: Sequence[Sequence[Event]]) -> int:
        """Put groups of events on the bus in their order; returns how many leading groups are wholly on it.

        Unlike `publish`, nothing after the first entry that keeps failing is put: a retry from the group that
        failed keeps the order. An entry accepted after a failed one in the same call is put again by that
        retry (at least once; consumers de-duplicate on `event_id`).
        """
        entries = [(index, self._entry(event)) for index, group in enumerate(groups) for event in group]
        start, attempt = 0, 0
        while start < len(entries):
            batch = entries[start : start + PUT_EVENTS_BATCH]
            accepted = self._accepted_prefix([entry for _, entry in batch])
            start += accepted
            if accepted == len(batch):
                attempt = 0
                continue
            attempt += 1
            if attempt >= MAX_ATTEMPTS:
                return entries[start][0]
            self._sleep(random.uniform(0, 0.2 * 2**attempt))
        return len(groups)

    def _accepted_prefix(self, batch: list[dict[str, Any]]) -> int:
        """How many entries from the start of `batch` one PutEvents call accepted (0 when the call failed)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._client.put_events(Entries=batch)
        except (BotoCoreError, ClientError):
            return 0
        if not response.get("FailedEntryCount"):
            return len(batch)
        return next(i for i, result in enumerate(response["Entries"]) if result.get("ErrorCode"))

    def _entry(self, event: Event) -> dict[str, Any]:
        return {
            "Source": self._source,
            "DetailType": event.name,
            "Detail": json.dumps(event.detail, ensure_ascii=False),
            "EventBusName": self._bus,
        }

    def _put(self, batch: list[dict[str, Any]]) -> None:
        for attempt in range(1, MAX_ATTEMPTS + 1):
            response = self._client.put_events(Entries=batch)
            if not response.get("FailedEntryCount"):
                return
            batch = [entry for entry, result in zip(batch, response["Entries"]) if result.get("ErrorCode")]
            if attempt < MAX_ATTEMPTS:
                self._sleep(random.uniform(0, 0.2 * 2**attempt))
        raise PublishError(f"{len(batch)} events not accepted by the bus after {MAX_ATTEMPTS} attempts")
