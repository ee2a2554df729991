"""What a fetched review changes: the pure decision behind the intake function.

Given the review as fetched now and what the store already holds, `assess` says what to write,
which events to announce and whether to start the escalation. It reads no clock and no store.
"""

from __future__ import annotations

from dataclasses import field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_reviews.domain.classification.result import Classification
from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.record import ANSWERED, OPEN, ReviewRecord
from clinic_reviews.domain.review import Review
from clinic_reviews.domain.thanks import wants_thank_reminder

NEW = "new"
CHANGED = "changed"
UNCHANGED = "unchanged"

RECEIVED = "review.received"
UPDATED = "review.updated"
ANSWERED_EVENT = "review.answered"


@record
class HistoryEntry:
    at: datetime
    event: str
    detail: dict = field(default_factory=dict)


@record
class Assessment:
    """The outcome for one review: `record` is None when nothing is to be written."""

    action: str
    record: ReviewRecord | None
    events: tuple[str, ...] = ()
    escalate: bool = False
    thank: bool = False
    #: A review that is not negative shows a complaint part for the first time: it opens a case (no alarm ladder).
    flag: bool = False
    history: tuple[HistoryEntry, ...] = ()
    changed_fields: tuple[str, ...] = ()


def assess(
    incoming: Review,
    classification: Classification,
    existing: ReviewRecord | None,
    *,
    chain_id: str,
    clinic_tz: str,
    now: datetime,
    backfill_window: timedelta,
    thank_share: float = 0.0,
) -> Assessment:
    """Decide what one fetched review changes (`thank_share`: see domain/thanks.py)."""
    content_hash = incoming.content_hash()
    if existing is None:
        outcome = _first_sight(incoming, classification, content_hash, chain_id, clinic_tz, now, backfill_window)
        return _marked(replace(outcome, thank=wants_thank_reminder(outcome.record, thank_share)))
    if existing.content_hash == content_hash:
        return _unchanged(existing, thank_share)
    return _marked(_changed(incoming, classification, content_hash, existing, now, thank_share))


def _marked(outcome: Assessment) -> Assessment:
    """A write that leaves follow-ups to do carries `follow_up`; the intake clears it once they are done."""
    if outcome.record is None or not (outcome.flag or outcome.thank):
        return outcome
    return replace(outcome, record=outcome.record.evolve(follow_up=True))


def _unchanged(existing: ReviewRecord, thank_share: float) -> Assessment:
    """Self-healing of what follows a write, when a redelivery or the next poll finds the review already stored (a
    failure between the write and its follow-ups): an open negative whose escalation never started is started (its
    marker says so); a review still marked `follow_up` has its complaint part's case opened and its thank reminder
    started again. Each is idempotent (a conditional case write, deterministic execution names), so repeating is
    safe; once they are done the intake clears the marker and the review costs nothing more."""
    flag, thank = _owed(existing, existing, thank_share)
    return Assessment(UNCHANGED, None, escalate=existing.awaits_escalation, flag=flag, thank=thank)


def _owed(before: ReviewRecord, record: ReviewRecord, thank_share: float) -> tuple[bool, bool]:
    """The follow-ups (case, thank reminder) a write marked `follow_up` left undone, for the review as it stands."""
    if not before.follow_up:
        return False, False
    return _flags(record, None), wants_thank_reminder(record, thank_share)


def _first_sight(review, classification, content_hash, chain_id, clinic_tz, now, backfill_window) -> Assessment:
    answered = review.reply is not None
    backfill = now - review.created_at > backfill_window
    record = ReviewRecord(
        review=review,
        classification=classification,
        chain_id=chain_id,
        received_at=now,
        local_day=now.astimezone(ZoneInfo(clinic_tz)).date(),
        content_hash=content_hash,
        status=ANSWERED if answered else OPEN,
        backfill=backfill,
        answered_at=review.reply.created_at if answered else None,
        answered_by="platform" if answered else None,
        first_sentiment=classification.sentiment,
        first_rating=review.rating,
    )
    # The item itself records the first sight (received_at, first rating and sentiment, backfill):
    # no history entry, so storing a new review is one conditional PutItem.
    return Assessment(NEW, record, events=(RECEIVED,), escalate=record.awaits_escalation, flag=_flags(record, None))


def _changed(review, classification, content_hash, existing: ReviewRecord, now, thank_share: float) -> Assessment:
    before, after = existing.review.content(), review.content()
    changed = tuple(name for name in after if before.get(name) != after.get(name))
    record = existing.evolve(review=review, classification=classification, content_hash=content_hash)
    events: list[str] = []
    history: list[HistoryEntry] = []
    edits = tuple(name for name in changed if name != "reply")
    if edits:
        events.append(UPDATED)
        detail = {"fields": list(edits)}
        if "rating" in edits:
            detail["rating"] = {"from": before["rating"], "to": after["rating"]}
        history.append(HistoryEntry(now, "edited", detail))
    if review.reply is not None and existing.status == OPEN:
        record = record.evolve(status=ANSWERED, answered_at=min(review.reply.created_at, now), answered_by="platform")
        events.append(ANSWERED_EVENT)
        history.append(HistoryEntry(now, "answered", {"by": "platform"}))
    owed_flag, owed_thank = _owed(existing, record, thank_share)
    return Assessment(
        CHANGED,
        record,
        events=tuple(events),
        escalate=record.awaits_escalation,
        flag=_flags(record, existing) or owed_flag,
        thank=owed_thank,
        history=tuple(history),
        changed_fields=changed,
    )


def _flags(record: ReviewRecord, before: ReviewRecord | None) -> bool:
    """A complaint inside praise needs an answer, not an alarm: an open review that is not negative and shows a
    complaint part it did not hold before opens a case in the console (docs/complaint-part.md)."""
    complaint = record.classification.complaint
    if complaint is None or record.status != OPEN or record.backfill or record.is_open_negative:
        return False
    return before is None or before.classification.complaint is None
