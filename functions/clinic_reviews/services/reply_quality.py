"""Reply quality of a period, and of one reply in the console before it is posted (docs/insights.md).

`scores(chain_id, start, end)` reads the chain's day partitions (gsi2) from `CORPUS_DAYS` before `start`
to the day after `end`: the replies posted in [start, end] (clinic-local days) are scored, the older
ones only serve as the corpus a reply must not copy. A reply approved in the console (store/replies)
is attributed to the person who approved it; a reply only seen on the platform to `platform`.
`console_score(...)` scores a draft or an edit against the chain's replies of the last `CONSOLE_DAYS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic_reviews.domain.digest import reply_deadline
from clinic_reviews.domain.record import ReviewRecord
from clinic_reviews.domain.reply_quality import ReplyInput, ReplyScore, score_replies, signature

CORPUS_DAYS = 90
CONSOLE_DAYS = 30
PLATFORM = "platform"


def _negative(record: ReviewRecord) -> bool:
    return (record.first_sentiment or record.classification.sentiment) == "negative"


def _ref(record: ReviewRecord) -> str:
    review = record.review
    return f"{review.clinic_id}|{review.source}|{review.external_id}"


class ReplyQualityService:
    def __init__(self, reviews, policies, reply_log, now: Callable[[], datetime]):
        self._reviews = reviews
        self._policies = policies
        self._reply_log = reply_log
        self._now = now

    def scores(self, chain_id: str, start: date, end: date, records: list[ReviewRecord] | None = None,
               reads=None) -> list[ReplyScore]:
        """Every public reply posted on the clinic-local days [start, end], scored. `records`: the chain's
        reviews received from `CORPUS_DAYS` before `start` to the day after `end`, when already read; else they
        are read (through `reads`, a services.day_reads.DayReads, when given)."""
        policy = self._policies.chain(chain_id)
        if records is None:
            records = list(self.records(chain_id, start - timedelta(days=CORPUS_DAYS), end + timedelta(days=1), reads))
        first = datetime.combine(start - timedelta(days=1), time(), tzinfo=UTC)
        console = {}
        if self._reply_log is not None:
            for reply in self._reply_log.between(chain_id, first, datetime.combine(end + timedelta(days=2), time(), tzinfo=UTC)):
                console[reply.key] = reply
        inputs, corpus, seen = [], {}, set()
        for record in records:
            reply = record.review.reply
            if reply is None or not reply.text.strip():
                continue
            clinic = policy.clinic(record.review.clinic_id)
            day = reply.created_at.astimezone(ZoneInfo(clinic.timezone)).date()
            if day < start:
                corpus[_ref(record)] = signature(reply.text)
            elif day <= end:
                approved = console.get(record.key)
                who = approved.who if approved is not None else PLATFORM
                inputs.append(self._input(record, reply.text, reply.created_at, who, policy))
                seen.add(record.key)
        by_key = {r.key: r for r in records}
        for key, approved in console.items():  # approved by hand, not seen on the platform yet
            record = by_key.get(key)
            if key in seen or record is None:
                continue
            clinic = policy.clinic(key.clinic_id)
            if start <= approved.at.astimezone(ZoneInfo(clinic.timezone)).date() <= end:
                inputs.append(self._input(record, approved.text, approved.at, approved.who, policy))
        return score_replies(inputs, corpus)

    def console_score(self, record: ReviewRecord, full_text: str, text: str, who: str, allowed: Iterable[str]) -> ReplyScore:
        """The checklist of a reply about to be posted now, against the chain's recent replies."""
        policy = self._policies.chain(record.chain_id)
        today = self._now().date()
        corpus = {
            _ref(r): signature(r.review.reply.text)
            for r in self.records(record.chain_id, today - timedelta(days=CONSOLE_DAYS), today + timedelta(days=1))
            if r.review.reply is not None and r.review.reply.text.strip() and r.key != record.key
        }
        reply = self._input(record, text, self._now(), who, policy, full_text, tuple(allowed))
        return score_replies([reply], corpus)[0]

    @property
    def reviews(self):
        """The reviews' repository it reads (store.reviews.ReviewRepository)."""
        return self._reviews

    def records(self, chain_id: str, first: date, last: date, reads=None) -> Iterable[ReviewRecord]:
        """The chain's reviews received on the days [first, last] (one gsi2 Query a day, or from `reads`, a
        services.day_reads.DayReads)."""
        day = first
        while day <= last:
            yield from (reads or self._reviews).by_day(chain_id, day)
            day += timedelta(days=1)

    @staticmethod
    def _input(record: ReviewRecord, text: str, at: datetime, who: str, policy, full_text: str | None = None,
               allowed: tuple[str, ...] = ()) -> ReplyInput:
        clinic = policy.clinic(record.review.clinic_id)
        begin = min(record.review.created_at, record.received_at)
        negative = _negative(record)
        deadline = reply_deadline(record, policy) if negative else None
        return ReplyInput(
            ref=_ref(record),
            text=text,
            review_text=full_text if full_text is not None else record.review.text,
            negative=negative,
            author=record.review.author,
            who=who,
            clinic_id=clinic.id,
            on_time=None if deadline is None else at <= deadline,
            minutes=clinic.calendar.business_seconds_between(begin, max(at, begin)) // 60,
            allowed=(*allowed, *record.classification.staff, clinic.name),
        )
