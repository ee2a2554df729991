"""The scheduled fetch: every configured source of a chain's clinics, read up to its cursor, into the intake.

For a batch of clinics: read every feed's cursor (one BatchGetItem), read each feed newest first
until the cursor's mark, archive its raw pages (one gzip object per feed and run, only when they
differ from the pages archived last time), batch-read the stored reviews (one BatchGetItem per 100),
hand the intake only what is new or changed, then move the cursor (written only when it changed).
A steady-state poll therefore writes nothing.

The intake is called in-process (`IntakeService.ingest`), not through the intake queue: no SQS calls,
no second Lambda, and the outcome is known before the cursor moves. Error isolation is per feed: a
platform error, a parse crash, an archive or intake failure marks that feed failed (the cursor stays,
so the next run reads the same reviews again) and every other feed goes on.

Store, archive, intake and feeds are passed in; nothing here touches boto3 or the network directly.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from aws_lambda_powertools import Logger

from clinic_reviews.domain.fetch import (
    DEFAULT_FIRST_WINDOW,
    DEFAULT_OPEN_WINDOW,
    Cursor,
    already_archived,
    needs_intake,
    next_marks,
    page_hashes,
    stop_at,
    with_reply,
)
from clinic_reviews.domain.policy import Clinic
from clinic_reviews.domain.review import InvalidReview, Review, ReviewKey, iso_z, parse_review
from clinic_reviews.sources.feeds import Feed, FeedFailed, FeedRead
from clinic_reviews.sources.http import SourceError

logger = Logger(child=True)

INTAKE_CHUNK = 100
MAX_ERROR_CHARS = 200
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class Archive(Protocol):
    def put_gzip(self, key: str, data: bytes, content_type: str = "application/json") -> None: ...


@dataclass
class FeedResult:
    """One feed's outcome in a run; no review content, only counts and a reason."""

    clinic_id: str
    platform: str
    locator: str
    status: str = "ok"  # ok | failed
    pages: int = 0
    fetched: int = 0
    problems: int = 0
    sent: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    quarantined: int = 0
    archived: str | None = None
    complete: bool = True
    error: str | None = None
    retryable: bool | None = None
    failures: int = 0
    cursor_written: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class FetchReport:
    chain_id: str
    clinics: list[str] = field(default_factory=list)
    remaining: list[str] = field(default_factory=list)
    unknown_clinics: list[str] = field(default_factory=list)
    feeds: list[FeedResult] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.feeds)

    @property
    def failed(self) -> list[FeedResult]:
        return [f for f in self.feeds if f.status == "failed"]

    @property
    def max_failures(self) -> int:
        return max((f.failures for f in self.feeds), default=0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "clinics": self.clinics,
            "remaining": self.remaining,
            "unknown_clinics": self.unknown_clinics,
            "feeds": [f.as_dict() for f in self.feeds],
            **{
                name: self.total(name)
                for name in ("pages", "fetched", "problems", "sent", "new", "changed", "unchanged", "rejected",
                             "quarantined")
            },
            "failed": len(self.failed),
            "archived": sum(1 for f in self.feeds if f.archived),
            "cursors_written": sum(1 for f in self.feeds if f.cursor_written),
        }


@dataclass
class _Work:
    clinic: Clinic
    feed: Feed
    cursor: Cursor | None
    result: FeedResult
    read: FeedRead = field(default_factory=FeedRead)
    error: SourceError | None = None
    reviews: list[tuple[dict[str, Any], Review | None]] = field(default_factory=list)
    page_hashes: str | None = None
    archived_key: str | None = None


class FetchService:
    def __init__(
        self,
        policies: Any,
        cursors: Any,
        reviews: Any,
        archive: Archive | None,
        intake: Any,
        feeds: Any,
        now: Callable[[], datetime],
        *,
        clinics_per_batch: int = 10,
        open_window: timedelta = DEFAULT_OPEN_WINDOW,
        first_window: timedelta = DEFAULT_FIRST_WINDOW,
    ) -> None:
        self._policies = policies
        self._cursors = cursors
        self._reviews = reviews
        self._archive = archive
        self._intake = intake
        self._feeds = feeds
        self._now = now
        self._batch = max(1, clinics_per_batch)
        self._open_window = open_window
        self._first_window = first_window

    # ------------------------------------------------------------------ the run
    def run(
        self,
        chain_id: str,
        clinic_ids: Sequence[str] | None = None,
        *,
        time_left: Callable[[], float] | None = None,
        reserve: float = 60.0,
    ) -> FetchReport:
        """Fetch the chain's clinics (all, or `clinic_ids`) batch by batch.

        Before each batch after the first, `time_left()` (seconds) is checked against `reserve` (or
        twice the longest batch so far, if longer): the clinics not reached are returned in
        `remaining` for another invocation.
        """
        policy = self._policies.chain(chain_id)
        report = FetchReport(chain_id)
        clinics = list(policy.clinics)
        if clinic_ids is not None:
            wanted = list(dict.fromkeys(clinic_ids))
            known = {c.id for c in clinics}
            report.unknown_clinics = [c for c in wanted if c not in known]
            clinics = [c for c in clinics if c.id in set(wanted)]
        longest = 0.0
        for start in range(0, len(clinics), self._batch):
            left = time_left() if time_left is not None else None
            if start and left is not None and left < max(reserve, 2 * longest):
                report.remaining = [c.id for c in clinics[start:]]
                break
            batch = clinics[start : start + self._batch]
            self._run_batch(batch, report)
            report.clinics += [c.id for c in batch]
            if left is not None and time_left is not None:
                longest = max(longest, left - time_left())
        return report

    def _run_batch(self, clinics: Sequence[Clinic], report: FetchReport) -> None:
        now = self._now()
        work: list[_Work] = []
        for clinic in clinics:
            for source in clinic.sources:
                for feed in self._feeds.feeds(source):
                    result = FeedResult(clinic.id, feed.platform, feed.locator)
                    work.append(_Work(clinic, feed, None, result))
        if not work:
            return
        cursors = self._cursors.get_many((w.clinic.id, w.feed.platform, w.feed.locator) for w in work)
        for item in work:
            item.cursor = cursors.get((item.clinic.id, item.feed.platform, item.feed.locator))
            self._read(item, now)
            self._archive_pages(item, now)
        existing = self._stored(work)
        for item in work:
            self._ingest(item, existing)
            self._advance(item, now)
            report.feeds.append(item.result)

    # ------------------------------------------------------------------ steps
    def _read(self, item: _Work, now: datetime) -> None:
        try:
            item.read = item.feed.read(stop_at(item.cursor, now, self._first_window))
        except FeedFailed as failed:
            item.read, item.error = failed.partial, failed.cause
        except Exception as exc:  # noqa: BLE001 - a bug in one connector never stops the others
            item.error = SourceError(item.feed.platform, f"{type(exc).__name__} while reading", retryable=True)
        read, result = item.read, item.result
        result.pages, result.fetched, result.problems = len(read.payloads), len(read.reviews), len(read.problems)
        result.complete = read.complete
        invalid = [p for p in read.problems if p.kind == "invalid"]
        if invalid:
            logger.warning(
                "items not read",
                extra=self._where(item) | {"items": [(p.item, p.reason[:80]) for p in invalid[:10]]},
            )
        for raw in read.reviews:
            data = {**raw, "clinic_id": item.clinic.id}
            try:
                item.reviews.append((data, parse_review(data)))
            except InvalidReview:
                item.reviews.append((data, None))  # the intake rejects it with the reason

    def _archive_pages(self, item: _Work, now: datetime) -> None:
        """One gzip object per feed and run, holding the raw pages as a JSON array (`clinic-reviews parse` reads it)."""
        payloads = item.read.payloads
        if not payloads:
            return
        hashes = page_hashes(payloads)
        if already_archived(item.cursor, hashes):
            return
        digest = hashlib.sha256(hashes.encode()).hexdigest()[:8]
        key = (
            f"raw/{item.feed.platform}/{now:%Y-%m-%d}/{item.clinic.id}/"
            f"{_UNSAFE.sub('_', item.feed.locator)}-{now:%H%M%S}-{digest}.json.gz"
        )
        if self._archive is None:
            return
        try:
            self._archive.put_gzip(key, json.dumps(payloads, ensure_ascii=False).encode())
        except Exception:
            logger.exception("raw pages not archived", extra=self._where(item))
            return
        item.page_hashes, item.archived_key = hashes, key
        item.result.archived = key

    def _stored(self, work: Sequence[_Work]) -> dict[ReviewKey, Any]:
        keys: list[ReviewKey] = []
        for item in work:
            keys += [review.key for _, review in item.reviews if review is not None]
            keys += [
                ReviewKey(item.clinic.id, item.feed.platform, str(o["external_id"])) for o in item.read.orphan_replies
            ]
        if not keys:
            return {}
        try:
            return self._reviews.get_many(keys)
        except Exception:
            logger.exception("stored reviews not read; sending every fetched review to the intake")
            return {}

    def _ingest(self, item: _Work, existing: dict[ReviewKey, Any]) -> None:
        result = item.result
        batch: list[dict[str, Any]] = []
        for data, review in item.reviews:
            if review is None or needs_intake(review, existing.get(review.key)):
                batch.append(data)
            else:
                result.unchanged += 1
        for orphan in item.read.orphan_replies:
            stored = existing.get(ReviewKey(item.clinic.id, item.feed.platform, str(orphan["external_id"])))
            answered = with_reply(stored, orphan["reply"]) if stored is not None else None
            if answered is not None:
                batch.append(answered)
        result.sent = len(batch)
        failed = 0
        for start in range(0, len(batch), INTAKE_CHUNK):
            chunk = batch[start : start + INTAKE_CHUNK]
            try:
                outcome = self._intake.ingest(chunk)
            except Exception:
                logger.exception("intake failed", extra=self._where(item))
                failed += len(chunk)
                continue
            result.new += outcome.new
            result.changed += outcome.changed
            result.unchanged += outcome.unchanged
            result.rejected += len(outcome.rejected)
            result.quarantined += len(outcome.quarantined)  # put aside: the feed moves on without them
            failed += len(outcome.failed)
            for rejection in outcome.rejected:
                logger.warning("review rejected", extra=self._where(item) | {"reason": rejection.reason[:120]})
        if failed and item.error is None:
            item.error = SourceError(item.feed.platform, f"the intake could not store {failed} reviews", retryable=True)

    def _advance(self, item: _Work, now: datetime) -> None:
        base = item.cursor or Cursor(item.clinic.id, item.feed.platform, item.feed.locator)
        archived = {"page_hashes": item.page_hashes, "archived_key": item.archived_key} if item.page_hashes else {}
        result = item.result
        if item.error is None:
            mark, newest = next_marks(item.feed.platform, item.read.reviews, item.cursor, now, self._open_window)
            state = base.evolve(mark=mark, newest=newest, failures=0, last_error=None, last_error_at=None, **archived)
            if not item.read.complete:
                logger.warning("read stopped by the page limit", extra=self._where(item))
        else:
            reason = item.error.reason[:MAX_ERROR_CHARS]
            state = base.evolve(failures=base.failures + 1, last_error=reason, last_error_at=iso_z(now), **archived)
            result.status, result.error, result.retryable = "failed", reason, item.error.retryable
            logger.warning(
                "source failed",
                extra=self._where(item) | {"reason": reason, "retryable": item.error.retryable, "failures": state.failures},
            )
        result.failures = state.failures
        if state.same_state(item.cursor):
            return
        try:
            self._cursors.save(state.evolve(updated_at=iso_z(now)))
            result.cursor_written = True
        except Exception:
            logger.exception("cursor not saved", extra=self._where(item))

    @staticmethod
    def _where(item: _Work) -> dict[str, Any]:
        return {"clinic_id": item.clinic.id, "platform": item.feed.platform, "locator": item.feed.locator}
