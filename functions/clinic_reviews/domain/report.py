"""The monthly report as data: volumes, ratings, negatives, response times and praise, against last month.

Pure: records are fed one at a time into a `MonthTally` (so a month of a large chain is never held in
memory at once), and `build_report` compares two tallies. Rendering and charts live in notify/.

Which month a review belongs to: the month of its local day, the clinic-local calendar day it was
received (the day its morning digest showed it), so the month's digests add up to the month's report.
Which month a report covers is decided in the chain's zone (`report_month`): the report that runs at
09:00 on the 1st covers the month that has just ended there. Reviews that were already old when the
system first saw them (a first import, `backfill`) are left out of the figures and counted apart.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_reviews.domain.digest import median, percentile, turned
from clinic_reviews.domain.privacy import excerpt
from clinic_reviews.domain.record import ANSWERED, ReviewRecord

#: Business-time buckets of the time to first reply (upper bounds in minutes; None: no upper bound).
REPLY_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("1h", 60),
    ("4h", 240),
    ("8h", 480),
    ("24h", 1440),
    ("more", None),
)
UNANSWERED = "unanswered"
QUOTE_CHARS = 160
TOP_TOPICS = 5
TOP_STAFF = 10


# ---------------------------------------------------------------------------------------------- months
def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(first: date) -> date:
    return month_start(month_start(first) - timedelta(days=1))


def month_days(first: date) -> list[date]:
    first = month_start(first)
    return [first.replace(day=n) for n in range(1, calendar.monthrange(first.year, first.month)[1] + 1)]


def report_month(now: datetime, timezone: str) -> date:
    """The month a report run at `now` covers: the last complete month in the chain's zone."""
    local = now.astimezone(ZoneInfo(timezone)).date()
    return previous_month(local)


def week_of_month(day: date) -> int:
    """0 for days 1-7, 1 for 8-14, ... 4 for 29-31."""
    return (day.day - 1) // 7


def week_labels(first: date) -> tuple[str, ...]:
    last = month_days(first)[-1].day
    return tuple(f"{start}–{min(start + 6, last)}" for start in range(1, last + 1, 7))


# ---------------------------------------------------------------------------------------------- tallies
@dataclass
class Figures:
    """Counts of one group (the chain, a clinic, a platform, a topic) over one month."""

    count: int = 0
    rated: int = 0
    rating_sum: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    negative_answered: int = 0
    positive_answered: int = 0
    turned: int = 0

    def add(self, record: ReviewRecord) -> None:
        self.count += 1
        rating = record.review.rating
        if rating is not None:
            self.rated += 1
            self.rating_sum += rating
        sentiment = record.classification.sentiment
        answered = record.status == ANSWERED
        if sentiment == "negative":
            self.negative += 1
            self.negative_answered += answered
        elif sentiment == "positive":
            self.positive += 1
            self.positive_answered += answered
        else:
            self.neutral += 1
        self.turned += turned(record)

    @property
    def average_rating(self) -> float | None:
        return None if not self.rated else round(self.rating_sum / self.rated, 2)

    @property
    def negative_share(self) -> float | None:
        return None if not self.count else self.negative / self.count

    @property
    def negative_answer_share(self) -> float | None:
        return None if not self.negative else self.negative_answered / self.negative

    @property
    def positive_answer_share(self) -> float | None:
        return None if not self.positive else self.positive_answered / self.positive


@dataclass
class _Praise:
    name: str
    clinics: dict[str, int] = field(default_factory=dict)
    reviews: int = 0
    quote: str = ""


class MonthTally:
    """Everything the report needs from one month's reviews, accumulated one record at a time."""

    def __init__(self, policy, first: date):
        self.policy = policy
        self.first = month_start(first)
        self.days = set(month_days(self.first))
        self.total = Figures()
        self.clinics: dict[str, Figures] = {}
        self.platforms: dict[str, Figures] = {}
        self.topics: dict[str, Figures] = {}
        self.daily: dict[date, Counter[str]] = {}
        self.weekly_negative_topics: dict[str, list[int]] = {}
        self.reply_minutes: list[int] = []
        self.negative_reply_minutes: list[int] = []
        self.buckets: dict[str, Counter[str]] = {"negative": Counter(), "other": Counter()}
        self.praise: dict[tuple[str, str], _Praise] = {}
        self.backfill = 0
        self.outside = 0

    def add_all(self, records: Iterable[ReviewRecord]) -> MonthTally:
        for record in records:
            self.add(record)
        return self

    def add(self, record: ReviewRecord) -> None:
        if record.local_day not in self.days:
            self.outside += 1
            return
        if record.backfill:
            self.backfill += 1
            return
        review, cls = record.review, record.classification
        self.total.add(record)
        self.clinics.setdefault(review.clinic_id, Figures()).add(record)
        self.platforms.setdefault(review.source, Figures()).add(record)
        for topic in cls.topics:
            self.topics.setdefault(topic, Figures()).add(record)
            if cls.sentiment == "negative":
                weeks = self.weekly_negative_topics.setdefault(topic, [0] * len(week_labels(self.first)))
                weeks[week_of_month(record.local_day)] += 1
        self.daily.setdefault(record.local_day, Counter())[cls.sentiment] += 1
        group = "negative" if cls.sentiment == "negative" else "other"
        minutes = self._reply_minutes(record)
        if minutes is None:
            self.buckets[group][UNANSWERED] += 1
        else:
            self.reply_minutes.append(minutes)
            if group == "negative":
                self.negative_reply_minutes.append(minutes)
            self.buckets[group][bucket_of(minutes)] += 1
        if cls.sentiment == "positive" and cls.staff:
            self._praise(record)

    def _reply_minutes(self, record: ReviewRecord) -> int | None:
        if record.status != ANSWERED or record.answered_at is None:
            return None
        try:
            clinic = self.policy.clinic(record.review.clinic_id)
        except KeyError:
            return None
        start = min(record.review.created_at, record.received_at)
        return clinic.calendar.business_seconds_between(start, max(record.answered_at, start)) // 60

    def _praise(self, record: ReviewRecord) -> None:
        clinic_id = record.review.clinic_id
        people = _distinct_people(record.classification.staff)
        for name in people:
            entry = self.praise.setdefault((clinic_id, name), _Praise(name))
            entry.reviews += 1
            entry.clinics[clinic_id] = entry.clinics.get(clinic_id, 0) + 1
            if not entry.quote:
                entry.quote = excerpt(record.review.text[: QUOTE_CHARS * 8], QUOTE_CHARS, record.review.author)


def bucket_of(minutes: int) -> str:
    for name, upper in REPLY_BUCKETS:
        if upper is None or minutes <= upper:
            return name
    return REPLY_BUCKETS[-1][0]  # pragma: no cover


def _tokens(name: str) -> tuple[str, ...]:
    return tuple(name.replace(".", ". ").split())


def _same_person(short: str, long: str) -> bool:
    """`Мельников` and `Мельников Павел Андреевич`, `Гульнара Рашидовна` and `Шарипова Гульнара Рашидовна`.

    A lone first name ("Анна") is never merged into a full name: too many people share it.
    """
    a, b = _tokens(short), _tokens(long)
    if len(a) >= len(b) or not set(a) <= set(b):
        return False
    return len(a) >= 2 or a[0] == b[0]


def _distinct_people(names: Iterable[str]) -> list[str]:
    """Names in one review, each person once under the fullest name given."""
    unique = sorted(dict.fromkeys(n.strip() for n in names if n and n.strip()), key=lambda n: -len(_tokens(n)))
    kept: list[str] = []
    for name in unique:
        if not any(_same_person(name, other) for other in kept):
            kept.append(name)
    return kept


def _merged_praise(praise: dict[tuple[str, str], _Praise]) -> list[_Praise]:
    """One entry per person and clinic: `Мельников` in one review and `Мельников Павел Андреевич` in another
    are merged when the fuller name is the only one that fits."""
    by_clinic: dict[str, list[_Praise]] = {}
    for (clinic_id, _), entry in praise.items():
        by_clinic.setdefault(clinic_id, []).append(entry)
    merged: list[_Praise] = []
    for entries in by_clinic.values():
        kept: list[_Praise] = []
        for entry in sorted(entries, key=lambda e: (-len(_tokens(e.name)), e.name)):
            fits = [k for k in kept if _same_person(entry.name, k.name)]
            if len(fits) == 1:
                fits[0].reviews += entry.reviews
                for clinic_id, n in entry.clinics.items():
                    fits[0].clinics[clinic_id] = fits[0].clinics.get(clinic_id, 0) + n
                fits[0].quote = fits[0].quote or entry.quote
            else:
                kept.append(_Praise(entry.name, dict(entry.clinics), entry.reviews, entry.quote))
        merged.extend(kept)
    return merged


# ---------------------------------------------------------------------------------------------- report
@dataclass(frozen=True)
class Row:
    """One line of a comparison table: this month and, where there was one, the month before."""

    key: str
    current: Figures
    previous: Figures | None

    @property
    def count_change(self) -> int | None:
        return None if self.previous is None else self.current.count - self.previous.count

    @property
    def rating_change(self) -> float | None:
        now, before = self.current.average_rating, self.previous.average_rating if self.previous else None
        return None if now is None or before is None else round(now - before, 2)

    @property
    def negative_share_change(self) -> float | None:
        """Change of the negative share in percentage points."""
        now, before = self.current.negative_share, self.previous.negative_share if self.previous else None
        return None if now is None or before is None else round((now - before) * 100, 1)


@dataclass(frozen=True)
class Bottleneck:
    """A topic negatives complain about: mentions this month, last month, and by week of this month."""

    topic: str
    count: int
    previous: int | None
    weekly: tuple[int, ...]
    share_of_negatives: float

    @property
    def change(self) -> int | None:
        return None if self.previous is None else self.count - self.previous


@dataclass(frozen=True)
class Praise:
    """A staff member named in positive reviews (as the reviews name them)."""

    name: str
    clinics: tuple[str, ...]
    reviews: int
    quote: str


@dataclass(frozen=True)
class Finding:
    """A notable fact for the report's opening lines; `kind` picks the sentence, the rest fills it."""

    kind: str
    subject: str = ""
    value: float | int | None = None
    previous: float | int | None = None


@dataclass(frozen=True)
class MonthlyReport:
    chain_id: str
    chain: str
    lang: str
    month: date
    previous_month: date
    has_previous: bool
    total: Row
    clinics: tuple[Row, ...]
    platforms: tuple[Row, ...]
    topics: tuple[Row, ...]
    median_reply_minutes: int | None
    p90_reply_minutes: int | None
    negative_median_reply_minutes: int | None
    negative_p90_reply_minutes: int | None
    previous_median_reply_minutes: int | None
    response: tuple[tuple[str, int, int], ...]  # (bucket, negatives, others)
    bottlenecks: tuple[Bottleneck, ...]
    weeks: tuple[str, ...]
    daily: tuple[tuple[date, int, int, int], ...]  # (day, negative, neutral, positive)
    staff: tuple[Praise, ...]
    findings: tuple[Finding, ...]
    targets: dict[str, float]
    backfill: int
    clinic_names: dict[str, str]
    generated_local: str

    @property
    def is_empty(self) -> bool:
        return self.total.current.count == 0


def build_report(current: MonthTally, previous: MonthTally | None, policy, now: datetime) -> MonthlyReport:
    """Compare `current` with `previous` (None, or a month with no reviews: no comparison is shown)."""
    has_previous = previous is not None and previous.total.count > 0
    before = previous if has_previous else None

    def rows(mine: dict[str, Figures], theirs: dict[str, Figures] | None, order: list[str] | None = None) -> tuple[Row, ...]:
        keys = order if order is not None else sorted(mine, key=lambda k: (-mine[k].count, k))
        result = []
        for key in keys:
            if key not in mine and not (theirs and key in theirs):
                continue
            result.append(Row(key, mine.get(key, Figures()), None if theirs is None else theirs.get(key, Figures())))
        return tuple(result)

    clinic_order = [c.id for c in policy.clinics]
    extra = sorted(set(current.clinics) - set(clinic_order))
    clinics = rows(current.clinics, before.clinics if before else None, clinic_order + extra)
    platforms = rows(current.platforms, before.platforms if before else None)
    topics = rows(current.topics, before.topics if before else None)
    negatives = max(current.total.negative, 1)
    negative_topics = {t: f.negative for t, f in current.topics.items() if f.negative}
    bottlenecks = tuple(
        Bottleneck(
            topic=topic,
            count=n,
            previous=None if before is None else before.topics.get(topic, Figures()).negative,
            weekly=tuple(current.weekly_negative_topics.get(topic, ())),
            share_of_negatives=n / negatives,
        )
        for topic, n in sorted(negative_topics.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TOPICS]
    )
    response = tuple(
        (name, current.buckets["negative"][name], current.buckets["other"][name])
        for name in [b for b, _ in REPLY_BUCKETS] + [UNANSWERED]
    )
    daily = tuple(
        (day, c["negative"], c["neutral"], c["positive"])
        for day in month_days(current.first)
        for c in [current.daily.get(day, Counter())]
    )
    praise = sorted(_merged_praise(current.praise), key=lambda p: (-p.reviews, p.name))[:TOP_STAFF]
    staff = tuple(Praise(p.name, tuple(p.clinics), p.reviews, p.quote) for p in praise)
    total = Row("total", current.total, before.total if before else None)
    report = MonthlyReport(
        chain_id=policy.chain.id,
        chain=policy.chain.name,
        lang=policy.chain.language,
        month=current.first,
        previous_month=previous_month(current.first),
        has_previous=has_previous,
        total=total,
        clinics=clinics,
        platforms=platforms,
        topics=topics,
        median_reply_minutes=median(current.reply_minutes),
        p90_reply_minutes=percentile(current.reply_minutes, 0.9),
        negative_median_reply_minutes=median(current.negative_reply_minutes),
        negative_p90_reply_minutes=percentile(current.negative_reply_minutes, 0.9),
        previous_median_reply_minutes=median(before.reply_minutes) if before else None,
        response=response,
        bottlenecks=bottlenecks,
        weeks=week_labels(current.first),
        daily=daily,
        staff=staff,
        findings=(),
        targets={"negative_answer_share": 1.0, "positive_answer_share": policy.chain.positive_reply_share},
        backfill=current.backfill,
        clinic_names={c.id: c.name for c in policy.clinics},
        generated_local=now.astimezone(ZoneInfo(policy.chain.timezone)).strftime("%d.%m.%Y %H:%M"),
    )
    return _with_findings(report)


def _with_findings(report: MonthlyReport) -> MonthlyReport:
    found: list[Finding] = []
    total = report.total
    if total.current.count == 0:
        return replace(report, findings=(Finding("empty"),))
    found.append(Finding("volume", value=total.current.count, previous=total.previous.count if total.previous else None))
    if total.current.negative:
        share = total.current.negative_answer_share or 0.0
        kind = "negatives_all_answered" if share >= report.targets["negative_answer_share"] else "negatives_unanswered"
        found.append(Finding(kind, value=total.current.negative - total.current.negative_answered))
    if total.current.positive:
        share = total.current.positive_answer_share or 0.0
        kind = "positives_target_met" if share >= report.targets["positive_answer_share"] else "positives_target_missed"
        found.append(Finding(kind, value=round(share * 100)))
    if report.bottlenecks:
        top = report.bottlenecks[0]
        found.append(Finding("top_bottleneck", top.topic, top.count, top.previous))
        rising = [b for b in report.bottlenecks if b.change is not None and b.change > 0]
        if rising:
            worst = max(rising, key=lambda b: b.change)
            if worst.topic != top.topic:
                found.append(Finding("rising_bottleneck", worst.topic, worst.count, worst.previous))
    rated = [r for r in report.clinics if r.current.average_rating is not None]
    if len(rated) > 1:
        best = max(rated, key=lambda r: (r.current.average_rating, r.current.count))
        found.append(Finding("best_clinic", best.key, best.current.average_rating))
        worst = max(rated, key=lambda r: (r.current.negative_share or 0, r.current.count))
        if worst.key != best.key and worst.current.negative:
            found.append(Finding("most_negative_clinic", worst.key, round((worst.current.negative_share or 0) * 100)))
    if total.current.turned:
        found.append(Finding("turned", value=total.current.turned))
    if report.staff:
        found.append(Finding("praised", report.staff[0].name, report.staff[0].reviews))
    return replace(report, findings=tuple(found))
