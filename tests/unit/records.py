"""Stored reviews made in memory for the digest and report tests (no store, no AWS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_reviews.domain.classification.result import Classification
from clinic_reviews.domain.record import ANSWERED, OPEN, ReviewRecord
from clinic_reviews.domain.review import Review

SENTIMENT_OF_RATING = {1: "negative", 2: "negative", 3: "neutral", 4: "positive", 5: "positive"}


def make_record(
    policy,
    external_id: str = "r-1",
    *,
    clinic_id: str = "msk-arbat",
    source: str = "yandex",
    rating: int | None = 1,
    text: str = "Администратор нахамила, ждали приёма больше часа",
    author: str | None = "Мария Иванова",
    created: datetime = datetime(2026, 12, 7, 7, 0, tzinfo=UTC),
    received: datetime | None = None,
    sentiment: str | None = None,
    topics: tuple[str, ...] = ("front_desk", "waiting"),
    triage: int | None = None,
    staff: tuple[str, ...] = (),
    answered_after: timedelta | None = None,
    answered_by: str = "platform",
    url: str | None = "default",
    backfill: bool = False,
    tiers_fired: tuple[str, ...] = (),
    first_rating: int | None = None,
    first_sentiment: str | None = None,
    text_s3_key: str | None = None,
    kind: str = "review",
    legal: bool = False,
) -> ReviewRecord:
    received = received or created + timedelta(minutes=5)
    sentiment = sentiment or SENTIMENT_OF_RATING.get(rating, "neutral")
    review = Review(
        source=source,
        external_id=external_id,
        clinic_id=clinic_id,
        rating=rating,
        text=text,
        author=author,
        created_at=created,
        url=f"https://{source}.example/reviews/{external_id}" if url == "default" else url,
    )
    cls = Classification(
        sentiment=sentiment,
        score=-0.8 if sentiment == "negative" else 0.8,
        topics=topics,
        triage=(triage if triage is not None else (1 if sentiment == "negative" else None)),
        staff=staff,
        kind=kind,
        legal=legal,
    )
    zone = ZoneInfo(policy.clinic(clinic_id).timezone)
    answered = answered_after is not None
    return ReviewRecord(
        review=review,
        classification=cls,
        chain_id=policy.chain.id,
        received_at=received,
        local_day=received.astimezone(zone).date(),
        content_hash="h-" + external_id,
        status=ANSWERED if answered else OPEN,
        backfill=backfill,
        answered_at=received + answered_after if answered else None,
        answered_by=answered_by if answered else None,
        tiers_fired=frozenset(tiers_fired),
        first_sentiment=first_sentiment or sentiment,
        first_rating=first_rating if first_rating is not None else rating,
        text_s3_key=text_s3_key,
    )
