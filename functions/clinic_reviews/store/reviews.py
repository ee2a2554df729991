"""The review repository: ReviewRecord in and out of the single table. No Scan anywhere."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from clinic_reviews.domain.classification.result import Classification, ComplaintPart
from clinic_reviews.domain.frozen_records import record
from clinic_reviews.domain.intake import HistoryEntry
from clinic_reviews.domain.record import ANSWERED, ReviewRecord
from clinic_reviews.domain.retention import DEFAULT, Retention
from clinic_reviews.domain.review import Reply, Review, ReviewKey, from_iso, iso_z, iso_z_or_none
from clinic_reviews.events import REVIEW_ANSWERED, REVIEW_ESCALATED
from clinic_reviews.store.blobs import BlobStore
from clinic_reviews.store.models import HistoryItem, ReviewItem

MAX_REPLY_CHARS = 8_000
BATCH_GET_LIMIT = 100


#: What spike detection reads of each review in its window (services/insights.py): a fifth of the item's attributes.
SIGHTING_ATTRIBUTES = ["clinic_id", "source", "external_id", "created_at", "sentiment", "first_sentiment", "topics",
                       "text", "author", "url"]


@record
class Sighting:
    """A review as spike detection reads it: who, when written, how it first read, and what to quote."""

    clinic_id: str
    source: str
    external_id: str
    created_at: datetime
    sentiment: str  # as first seen, else as now
    topics: tuple[str, ...]
    text: str
    author: str | None
    url: str | None

    @classmethod
    def of(cls, record: ReviewRecord) -> Sighting:
        """The sighting of a review already read whole (what the projected Query gives for its item)."""
        review = record.review
        return cls(review.clinic_id, review.source, review.external_id, review.created_at,
                   record.first_sentiment or record.classification.sentiment, record.classification.topics,
                   review.text or "", review.author, review.url)


class Conflict(Exception):
    """A conditional write lost a race (the item exists, or changed since it was read)."""


def review_pk(clinic_id: str) -> str:
    return f"CLINIC#{clinic_id}"


def review_sk(key: ReviewKey) -> str:
    return f"REVIEW#{key.source}#{key.external_id}"


def _outbox_id() -> str:
    """A fresh mark for a write that carries events (a later write without events keeps the item's mark)."""
    return uuid.uuid4().hex


def day_pk(chain_id: str, day: date) -> str:
    return f"DAY#{chain_id}#{day.isoformat()}"


class ReviewRepository:
    """Reads and writes reviews and their history.

    Texts longer than `max_inline_text` characters are cut in the item and kept whole in S3 (the
    DynamoDB item limit is 400 KB); `full_text` reads them back.
    """

    def __init__(self, blobs: BlobStore | None, max_inline_text: int = 32_000):
        self._blobs = blobs
        self._max_inline = max_inline_text

    # reading
    def get(self, key: ReviewKey) -> ReviewRecord | None:
        try:
            return self.record_of(ReviewItem.get(review_pk(key.clinic_id), review_sk(key), consistent_read=True))
        except ReviewItem.DoesNotExist:
            return None

    def get_many(self, keys: Iterable[ReviewKey]) -> dict[ReviewKey, ReviewRecord]:
        """Batch-read reviews (one BatchGetItem per 100 keys)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[ReviewKey, ReviewRecord] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            chunk = [(review_pk(k.clinic_id), review_sk(k)) for k in wanted[start : start + BATCH_GET_LIMIT]]
            for item in ReviewItem.batch_get(chunk):
                record = self.record_of(item)
                found[record.key] = record
        return found

    def by_day(self, chain_id: str, day: date) -> Iterator[ReviewRecord]:
        """Every review of the chain received on that clinic-local day (gsi2)."""
        for item in ReviewItem.by_day.query(day_pk(chain_id, day)):
            yield self.record_of(item)

    def sightings_of_day(self, chain_id: str, day: date) -> Iterator[Sighting]:
        """Every review of the chain received on that clinic-local day, as spike detection reads it (gsi2, with a
        projection: the 99 days it reads each morning are most of the digest's reading)."""
        for item in ReviewItem.by_day.query(day_pk(chain_id, day), attributes_to_get=SIGHTING_ATTRIBUTES):
            yield Sighting(
                clinic_id=item.clinic_id,
                source=item.source,
                external_id=item.external_id,
                created_at=from_iso(item.created_at),
                sentiment=item.first_sentiment or item.sentiment,
                topics=tuple(item.topics or ()),
                text=item.text or "",
                author=item.author,
                url=item.url,
            )

    def open_to_answer(self, clinic_id: str, due_before: datetime | None = None) -> Iterator[ReviewRecord]:
        """Unanswered negatives and complaint parts (reviews that are not negative but hold one) of one clinic,
        soonest deadline first (gsi1)."""
        condition = ReviewItem.open_by_due.gsi1sk < f"{iso_z(due_before)}~" if due_before else None
        for item in ReviewItem.open_by_due.query(f"OPEN#{clinic_id}", range_key_condition=condition):
            yield self.record_of(item)

    def history(self, key: ReviewKey) -> list[HistoryItem]:
        prefix = f"HIST#{key.source}#{key.external_id}#"
        return list(HistoryItem.query(review_pk(key.clinic_id), HistoryItem.sk.startswith(prefix)))

    def full_text(self, record: ReviewRecord) -> str:
        if record.text_s3_key and self._blobs is not None:
            return self._blobs.get_text(record.text_s3_key)
        return record.review.text

    # writing
    def insert(
        self, record: ReviewRecord, history: Iterable[HistoryEntry] = (), retention: Retention = DEFAULT,
        today: date | None = None, events: Sequence[str] = (), at: datetime | None = None,
    ) -> ReviewRecord:
        """Store a review seen for the first time; Conflict if it already exists.

        The item and its history expire per `retention`; on the clinic-local `today` an author whose name is past
        `retention.authors` (as `forget_authors` counts it) is not stored. `events` (names) are announced on the
        bus from this very write (the outbox, store/outbox.py), stamped `at`.
        """
        return self._write(record, history, retention, today, events, at)

    def update(
        self, record: ReviewRecord, history: Iterable[HistoryEntry] = (), retention: Retention = DEFAULT,
        today: date | None = None, events: Sequence[str] = (), at: datetime | None = None,
    ) -> ReviewRecord:
        """Store a changed review; Conflict if someone changed it since `record` was read. Retention and events
        as `insert`."""
        return self._write(record, history, retention, today, events, at)

    def mark_answered(self, key: ReviewKey, at: datetime, by: str) -> bool:
        """Close an open review (a manager's acknowledgement); False if it was already answered. The same write
        announces `review.answered` (the outbox)."""
        try:
            stored = _update(
                key,
                actions=[
                    ReviewItem.status.set(ANSWERED),
                    ReviewItem.answered_at.set(iso_z(at)),
                    ReviewItem.answered_by.set(by),
                    ReviewItem.gsi1pk.remove(),
                    ReviewItem.gsi1sk.remove(),
                    ReviewItem.version.add(1),
                    ReviewItem.outbox_id.set(_outbox_id()),
                    ReviewItem.outbox_events.set([REVIEW_ANSWERED]),
                    ReviewItem.outbox_at.set(iso_z(at)),
                ],
                condition=ReviewItem.pk.exists() & (ReviewItem.status != ANSWERED),
                return_values="ALL_NEW",
            )
        except UpdateError as exc:
            if _is_condition_failure(exc):
                return False
            raise
        expires = stored.get("Attributes", {}).get("expires_at", {}).get("N")
        self.add_history(key, [HistoryEntry(at, "answered", {"by": by})], None if expires is None else int(expires))
        return True

    def record_tier(self, key: ReviewKey, tier_id: str, next_due: datetime | None, at: datetime, number: int) -> None:
        """Remember that a tier was notified and move the review's deadline in gsi1; the same write announces
        review.escalated (the outbox)."""
        actions = [
            ReviewItem.tiers_fired.add({tier_id}),
            ReviewItem.version.add(1),
            ReviewItem.outbox_id.set(_outbox_id()),
            ReviewItem.outbox_events.set([REVIEW_ESCALATED]),
            ReviewItem.outbox_at.set(iso_z(at)),
            ReviewItem.outbox_tier.set({"tier": tier_id, "tier_number": number}),
        ]
        if next_due is not None:
            actions.append(ReviewItem.due_at.set(iso_z(next_due)))
        condition = ReviewItem.pk.exists()
        if next_due is not None:
            actions.append(ReviewItem.gsi1sk.set(f"{iso_z(next_due)}#{review_sk(key)}"))
            condition &= ReviewItem.gsi1pk.exists()
        try:
            _update(key, actions=actions, condition=condition)
        except UpdateError as exc:
            if not _is_condition_failure(exc):
                raise

    def set_escalation(self, key: ReviewKey, execution: str, first_due: datetime | None) -> None:
        actions = [ReviewItem.escalation.set(execution), ReviewItem.version.add(1)]
        if first_due is not None:
            actions += [
                ReviewItem.due_at.set(iso_z(first_due)),
                ReviewItem.gsi1sk.set(f"{iso_z(first_due)}#{review_sk(key)}"),
            ]
        _update(key, actions=actions, condition=ReviewItem.pk.exists())

    def followed_up(self, key: ReviewKey) -> None:
        """Clear the `follow_up` marker once the review's case and thank reminder are done. The version is not
        bumped (a concurrent intake write is not refused; if it puts the marker back, the follow-ups, idempotent,
        are done once more); a review deleted meanwhile is left alone."""
        try:
            _update(key, actions=[ReviewItem.follow_up.remove()], condition=ReviewItem.pk.exists())
        except UpdateError as exc:
            if not _is_condition_failure(exc):
                raise

    def add_history(self, key: ReviewKey, entries: Iterable[HistoryEntry], expires_at: int | None) -> None:
        """Append history entries that expire with their review (`ReviewRecord.expires_at`)."""
        with HistoryItem.batch_write() as batch:
            for item in self._history_items(key, entries):
                item.expires_at = expires_at
                batch.save(item)

    def forget_authors(self, chain_id: str, day: date) -> int:
        """Remove the author's name from every review of the chain received on `day` (one gsi2 Query).

        The review stays; its version is not bumped, so a concurrent intake write is not refused. Returns
        how many names were removed; running it again removes none.
        """
        removed = 0
        for item in ReviewItem.by_day.query(
            day_pk(chain_id, day), filter_condition=ReviewItem.author.exists(), attributes_to_get=["pk", "sk"]
        ):
            try:
                ReviewItem._get_connection().update_item(
                    item.pk, item.sk, actions=[ReviewItem.author.remove()], condition=ReviewItem.author.exists()
                )
            except UpdateError as exc:
                if not _is_condition_failure(exc):
                    raise
                continue
            removed += 1
        return removed

    # mapping
    def _write(
        self, record: ReviewRecord, history: Iterable[HistoryEntry], retention: Retention, today: date | None,
        events: Sequence[str] = (), at: datetime | None = None,
    ) -> ReviewRecord:
        item = self.stored_item(record, retention, today, events, at)
        entries = self._history_items(record.key, history)
        for entry in entries:
            entry.expires_at = item.expires_at
        try:
            if entries:
                with TransactWrite(connection=ReviewItem._get_connection().connection) as tx:
                    tx.save(item)
                    for entry in entries:
                        tx.save(entry)
                item.version = 1 if record.version is None else record.version + 1
            else:
                item.save()
        except (PutError, TransactWriteError) as exc:
            if _is_condition_failure(exc):
                raise Conflict(f"{record.key} changed concurrently") from None
            raise
        return record.evolve(version=item.version, text_s3_key=item.text_s3_key, expires_at=item.expires_at)

    def stored_item(
        self, record: ReviewRecord, retention: Retention = DEFAULT, today: date | None = None,
        events: Sequence[str] = (), at: datetime | None = None,
    ) -> ReviewItem:
        """The item a write of `record` stores (arguments as `insert`), before pynamodb's version stamp."""
        item = self._to_item(record)
        item.expires_at = retention.review_expires(record.review.source, record.received_at)
        if today is not None and record.local_day <= retention.authors_received_on(today):
            item.author = None
        if events:
            item.outbox_id, item.outbox_events, item.outbox_at = _outbox_id(), list(events), iso_z(at or record.received_at)
        return item

    def _history_items(self, key: ReviewKey, entries: Iterable[HistoryEntry]) -> list[HistoryItem]:
        items = []
        for n, entry in enumerate(entries):
            sk = f"HIST#{key.source}#{key.external_id}#{iso_z(entry.at)}#{entry.event}#{n}"
            items.append(HistoryItem(review_pk(key.clinic_id), sk, at=iso_z(entry.at), event=entry.event, detail=entry.detail))
        return items

    def _to_item(self, record: ReviewRecord) -> ReviewItem:
        review, cls = record.review, record.classification
        text, s3_key = review.text, record.text_s3_key
        if len(text) > self._max_inline:
            if self._blobs is None:
                raise ValueError("a text over the inline limit needs the archive bucket")
            s3_key = f"texts/{review.clinic_id}/{review.source}/{review.key.token()}.txt"
            self._blobs.put_text(s3_key, text)
            text = text[: self._max_inline]
        sk = review_sk(review.key)
        open_negative = record.is_open_to_answer  # listed in gsi1 until answered
        due = record.due_at or record.received_at
        item = ReviewItem(
            review_pk(review.clinic_id),
            sk,
            chain_id=record.chain_id,
            clinic_id=review.clinic_id,
            source=review.source,
            external_id=review.external_id,
            rating=review.rating,
            text=text,
            text_s3_key=s3_key,
            text_length=len(review.text),
            author=review.author,
            url=review.url,
            lang=review.lang or cls.lang,
            created_at=iso_z(review.created_at),
            reply_text=review.reply.text[:MAX_REPLY_CHARS] if review.reply else None,
            reply_at=iso_z_or_none(review.reply.created_at) if review.reply else None,
            content_hash=record.content_hash,
            sentiment=cls.sentiment,
            score=cls.score,
            text_sentiment=cls.text_sentiment,
            topics=list(cls.topics),
            triage=cls.triage,
            mismatch=cls.mismatch,
            legal=cls.legal,
            staff=list(cls.staff),
            message_kind=cls.kind,
            complaint=None if cls.complaint is None else cls.complaint.to_json(),
            received_at=iso_z(record.received_at),
            local_day=record.local_day.isoformat(),
            updated_at=iso_z(record.received_at),
            backfill=record.backfill,
            status=record.status,
            answered_at=iso_z_or_none(record.answered_at),
            answered_by=record.answered_by,
            escalation=record.escalation,
            follow_up=record.follow_up or None,
            due_at=iso_z_or_none(record.due_at),
            tiers_fired=set(record.tiers_fired) or None,
            first_sentiment=record.first_sentiment,
            first_rating=record.first_rating,
            gsi1pk=f"OPEN#{review.clinic_id}" if open_negative else None,
            gsi1sk=f"{iso_z(due)}#{sk}" if open_negative else None,
            gsi2pk=day_pk(record.chain_id, record.local_day),
            gsi2sk=f"{review.clinic_id}#{iso_z(record.received_at)}#{sk}",
        )
        if record.version is not None:
            item.version = record.version
        return item

    @staticmethod
    def record_of(item: ReviewItem) -> ReviewRecord:
        """The record an item holds (also what the outbox reads from a stream image)."""
        reply = Reply(text=item.reply_text or "", created_at=from_iso(item.reply_at)) if item.reply_at else None
        review = Review.trusted(
            source=item.source,
            external_id=item.external_id,
            clinic_id=item.clinic_id,
            rating=None if item.rating is None else int(item.rating),
            text=item.text,
            author=item.author,
            created_at=from_iso(item.created_at),
            reply=reply,
            url=item.url,
            lang=item.lang,
        )
        classification = Classification(
            sentiment=item.sentiment,
            score=float(item.score),
            topics=tuple(item.topics or ()),
            triage=None if item.triage is None else int(item.triage),
            mismatch=bool(item.mismatch),
            text_sentiment=item.text_sentiment,
            legal=bool(item.legal),
            staff=tuple(item.staff or ()),
            kind=item.message_kind,
            lang=item.lang,
            complaint=ComplaintPart.from_json(item.complaint),
        )
        return ReviewRecord(
            review=review,
            classification=classification,
            chain_id=item.chain_id,
            received_at=from_iso(item.received_at),
            local_day=date.fromisoformat(item.local_day),
            content_hash=item.content_hash,
            status=item.status,
            backfill=bool(item.backfill),
            answered_at=from_iso(item.answered_at),
            answered_by=item.answered_by,
            escalation=item.escalation,
            follow_up=bool(item.follow_up),
            due_at=from_iso(item.due_at),
            tiers_fired=frozenset(item.tiers_fired or ()),
            first_sentiment=item.first_sentiment,
            first_rating=None if item.first_rating is None else int(item.first_rating),
            text_s3_key=item.text_s3_key,
            version=item.version,
            expires_at=None if item.expires_at is None else int(item.expires_at),
        )


def _update(key: ReviewKey, actions: list, condition, return_values: str | None = None) -> dict:
    """A partial UpdateItem: bumps `version` itself, so it bypasses pynamodb's whole-item version check."""
    return ReviewItem._get_connection().update_item(
        review_pk(key.clinic_id), review_sk(key), actions=actions, condition=condition, return_values=return_values
    )


def _is_condition_failure(exc: Exception) -> bool:
    code = getattr(exc, "cause_response_code", None)
    return code in ("ConditionalCheckFailedException", "TransactionCanceledException")
