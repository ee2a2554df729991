"""A stored review: the normalized review, how it was read, and where it stands."""

from __future__ import annotations

from dataclasses import field, replace
from datetime import date, datetime

from clinic_reviews.domain.classification.result import Classification
from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.review import Review, ReviewKey

OPEN = "open"
ANSWERED = "answered"


@record
class ReviewRecord:
    """What the store keeps for one review.

    `received_at` is when this system first saw it and `local_day` that moment's date in the
    clinic's zone (the digest day). `backfill` marks a review that was already old when first seen:
    stored and reported, never escalated. `answered_by` is `platform` for a public reply seen on
    the platform, or `ack:<who>` for a manager's acknowledgement. `follow_up` marks a write whose follow-ups
    (a complaint part's case, a thank reminder) are not yet known done: the intake clears it after them, and the
    fetch sends a review still marked to the intake again (domain/fetch.needs_intake).
    """

    review: Review
    classification: Classification
    chain_id: str
    received_at: datetime
    local_day: date
    content_hash: str
    status: str = OPEN
    backfill: bool = False
    answered_at: datetime | None = None
    answered_by: str | None = None
    escalation: str | None = None
    follow_up: bool = False
    due_at: datetime | None = None
    tiers_fired: frozenset[str] = field(default_factory=frozenset)
    first_sentiment: str | None = None
    first_rating: int | None = None
    text_s3_key: str | None = None
    version: int | None = None
    #: When the store deletes it (TTL, epoch seconds; the policy's retention); None before it is stored.
    expires_at: int | None = None

    @property
    def key(self) -> ReviewKey:
        return self.review.key

    @property
    def is_open_negative(self) -> bool:
        return self.status == OPEN and self.classification.sentiment == "negative"

    @property
    def awaits_escalation(self) -> bool:
        """An open negative, not backfill, whose escalation workflow was never started (the intake starts it)."""
        return self.is_open_negative and not self.backfill and self.escalation is None

    @property
    def needs_answer(self) -> bool:
        """A negative, or a review that is not negative but holds a complaint part (docs/complaint-part.md)."""
        cls = self.classification
        return cls.sentiment == "negative" or cls.complaint is not None

    @property
    def is_open_to_answer(self) -> bool:
        """Still unanswered and needing an answer: an open negative or complaint part (the store's open list)."""
        return self.status == OPEN and self.needs_answer

    def evolve(self, **changes) -> ReviewRecord:
        return replace(self, **changes)
