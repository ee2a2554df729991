"""The morning digest as data: what came in on one local day, how each was handled, what is still open.

Pure: it is given the day's records, the chain's open negatives from earlier days, the policy, and
`now`. Rendering (notify/templates/digest.*) and sending live elsewhere.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from clinic_reviews.domain.privacy import excerpt
from clinic_reviews.domain.record import ANSWERED, ReviewRecord

EXCERPT_CHARS = 280


@dataclass(frozen=True)
class DigestItem:
    clinic_id: str
    clinic: str
    source: str
    rating: int | None
    sentiment: str
    topics: tuple[str, ...]
    triage: int | None
    legal: bool
    mismatch: bool
    kind: str
    excerpt: str
    truncated: bool
    url: str | None
    created_local: str
    status: str  # answered | open | overdue
    answered_by: str | None
    reply_business_minutes: int | None
    due_local: str | None
    tiers_fired: tuple[str, ...]


@dataclass(frozen=True)
class ClinicLine:
    clinic_id: str
    name: str
    total: int
    negative: int
    positive: int
    average_rating: float | None
    open_negative: int


@dataclass(frozen=True)
class Kpis:
    negatives: int
    negatives_answered: int
    positives: int
    positives_answered: int
    median_reply_minutes: int | None
    p90_reply_minutes: int | None
    turned: int

    @property
    def negative_answer_share(self) -> float | None:
        return None if not self.negatives else self.negatives_answered / self.negatives

    @property
    def positive_answer_share(self) -> float | None:
        return None if not self.positives else self.positives_answered / self.positives


@dataclass(frozen=True)
class Digest:
    chain_id: str
    chain: str
    day: date
    lang: str
    items: tuple[DigestItem, ...]
    clinics: tuple[ClinicLine, ...]
    sources: tuple[tuple[str, int], ...]
    sentiments: dict[str, int]
    topics: tuple[tuple[str, int], ...]
    earlier_open: tuple[DigestItem, ...]
    kpis: Kpis
    targets: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def open_negatives(self) -> int:
        today = sum(1 for i in self.items if i.sentiment == "negative" and i.status != "answered")
        return today + len(self.earlier_open)


def _percentile(values: list[int], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def build_digest(records, earlier_open, policy, day: date, now: datetime) -> Digest:
    """Assemble the digest of `day` (the chain's clinic-local day) as seen at `now`."""
    records = sorted(records, key=lambda r: (r.review.clinic_id, r.received_at))
    items = tuple(_item(r, policy, now) for r in records)
    earlier = tuple(
        sorted((_item(r, policy, now) for r in earlier_open), key=lambda i: (i.due_local or "", i.clinic_id))
    )
    reply_minutes = [i.reply_business_minutes for i in items if i.reply_business_minutes is not None]
    negatives = [r for r in records if r.classification.sentiment == "negative"]
    positives = [r for r in records if r.classification.sentiment == "positive"]
    kpis = Kpis(
        negatives=len(negatives),
        negatives_answered=sum(1 for r in negatives if r.status == ANSWERED),
        positives=len(positives),
        positives_answered=sum(1 for r in positives if r.status == ANSWERED),
        median_reply_minutes=int(statistics.median(reply_minutes)) if reply_minutes else None,
        p90_reply_minutes=_percentile(reply_minutes, 0.9),
        turned=sum(1 for r in records if _turned(r)),
    )
    return Digest(
        chain_id=policy.chain.id,
        chain=policy.chain.name,
        day=day,
        lang=policy.chain.language,
        items=items,
        clinics=tuple(_clinic_lines(records, earlier, policy)),
        sources=tuple(Counter(r.review.source for r in records).most_common()),
        sentiments=dict(Counter(r.classification.sentiment for r in records)),
        topics=tuple(Counter(t for r in records for t in r.classification.topics).most_common()),
        earlier_open=earlier,
        kpis=kpis,
        targets={"negative_answer_share": 1.0, "positive_answer_share": policy.chain.positive_reply_share},
    )


def _turned(record: ReviewRecord) -> bool:
    """A negative that became better: the rating was raised or the sentiment is no longer negative."""
    if record.first_sentiment != "negative":
        return False
    raised = record.first_rating is not None and record.review.rating is not None and record.review.rating > record.first_rating
    return raised or record.classification.sentiment != "negative"


def _item(record: ReviewRecord, policy, now: datetime) -> DigestItem:
    clinic = policy.clinic(record.review.clinic_id)
    tz = ZoneInfo(clinic.timezone)
    review, cls = record.review, record.classification
    minutes = None
    if record.status == ANSWERED and record.answered_at is not None:
        start = min(review.created_at, record.received_at)
        minutes = clinic.calendar.business_seconds_between(start, max(record.answered_at, start)) // 60
    if record.status == ANSWERED:
        status = "answered"
    elif cls.sentiment == "negative" and record.due_at is not None and record.due_at < now and record.tiers_fired:
        status = "overdue"
    else:
        status = "open"
    text = review.text
    return DigestItem(
        clinic_id=clinic.id,
        clinic=clinic.name,
        source=review.source,
        rating=review.rating,
        sentiment=cls.sentiment,
        topics=cls.topics,
        triage=cls.triage,
        legal=cls.legal,
        mismatch=cls.mismatch,
        kind=cls.kind,
        excerpt=excerpt(text, EXCERPT_CHARS, review.author),
        truncated=len(text) > EXCERPT_CHARS or bool(record.text_s3_key),
        url=review.url,
        created_local=review.created_at.astimezone(tz).strftime("%d.%m %H:%M"),
        status=status,
        answered_by=record.answered_by,
        reply_business_minutes=minutes,
        due_local=None if record.due_at is None else record.due_at.astimezone(tz).strftime("%d.%m %H:%M"),
        tiers_fired=tuple(sorted(record.tiers_fired)),
    )


def _clinic_lines(records, earlier: tuple[DigestItem, ...], policy) -> list[ClinicLine]:
    lines = []
    for clinic in policy.clinics:
        mine = [r for r in records if r.review.clinic_id == clinic.id]
        ratings = [r.review.rating for r in mine if r.review.rating is not None]
        open_negative = sum(1 for r in mine if r.is_open_negative) + sum(1 for i in earlier if i.clinic_id == clinic.id)
        lines.append(
            ClinicLine(
                clinic_id=clinic.id,
                name=clinic.name,
                total=len(mine),
                negative=sum(1 for r in mine if r.classification.sentiment == "negative"),
                positive=sum(1 for r in mine if r.classification.sentiment == "positive"),
                average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
                open_negative=open_negative,
            )
        )
    return lines
