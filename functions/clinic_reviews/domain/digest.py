"""The morning digest as data: what came in on one local day, how each was handled, what is still open.

Pure: it is given the day's records, the open negatives from earlier days, the policy, and `now`.
Rendering (notify/digest_render.py, notify/templates/digest.*) and sending (services/digest.py) live
elsewhere.

A review belongs to the day it was received in its clinic's own zone (gsi2 keeps it there): a review
at 23:30 in Vladivostok is in that Vladivostok day's digest, though Moscow still has the afternoon.
A chain digest covers every clinic; a clinic digest (`clinic_id=`) the one clinic, for the managers
the policy names in the clinic's `digest_recipients`.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from clinic_reviews.domain.privacy import excerpt
from clinic_reviews.domain.record import ANSWERED, ReviewRecord

EXCERPT_CHARS = 280
COMPLAINT_CHARS = 160
#: Only this much of a text is read for the excerpt (cut at a space, so no half address or number is
#: left): a 200 KB review costs what a short one does.
EXCERPT_SCAN = 3 * EXCERPT_CHARS
_SPACE = re.compile(r"\s")
IMMEDIATE = ("0m", "now")
#: Order of items within a clinic: what needs doing first.
_URGENCY = {"overdue": 0, "open": 1, "answered": 2}
#: How many of the earlier days' open items the digest lists, oldest first; the rest are counted, and the case
#: console lists them all. A 200-clinic chain had 4,383 open negatives: 8.2 MB of HTML, near SES's 10 MB a message.
EARLIER_LISTED = 200
_SENTIMENT_ORDER = {"negative": 0, "neutral": 1, "positive": 2}

ANSWERED_ON_PLATFORM = "platform"


@dataclass(frozen=True)
class DigestItem:
    """One review as the digest shows it. Times are clinic-local text; no author name, no contacts."""

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
    link: str | None
    created_local: str
    status: str  # answered | open | overdue
    answered_by: str | None  # "platform" (a public reply) or who acknowledged it
    answered_local: str | None
    reply_business_minutes: int | None
    open_business_minutes: int | None
    due_local: str | None
    escalated_to: tuple[str, ...]
    backfill: bool = False
    turned: bool = False
    local_day: date | None = None
    open_days: int | None = None  # calendar days an unanswered review has waited
    #: A complaint inside a review that is not negative: its topics and its words (without contacts or names).
    complaint_topics: tuple[str, ...] = ()
    complaint: str | None = None


@dataclass(frozen=True)
class ClinicLine:
    clinic_id: str
    name: str
    total: int
    negative: int
    positive: int
    average_rating: float | None
    open_negative: int
    neutral: int = 0
    answered: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class SourceLine:
    source: str
    total: int
    negative: int


@dataclass(frozen=True)
class Kpis:
    negatives: int
    negatives_answered: int
    positives: int
    positives_answered: int
    median_reply_minutes: int | None
    p90_reply_minutes: int | None
    turned: int
    negative_median_reply_minutes: int | None = None

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
    sources: tuple[SourceLine, ...]
    sentiments: dict[str, int]
    topics: tuple[tuple[str, int], ...]
    earlier_open: tuple[DigestItem, ...]
    kpis: Kpis
    targets: dict[str, float] = field(default_factory=dict)
    clinic_id: str | None = None
    clinic_name: str | None = None
    kinds: dict[str, int] = field(default_factory=dict)
    generated_local: str = ""
    #: The health line: items that could not be stored that day and were put aside (store/quarantine.py).
    quarantined: int = 0

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def earlier_listed(self) -> tuple[DigestItem, ...]:
        """The earlier days' open items the digest shows: the `EARLIER_LISTED` oldest."""
        return self.earlier_open[:EARLIER_LISTED]

    @property
    def earlier_unlisted(self) -> int:
        """How many earlier open items are counted but not shown."""
        return max(0, len(self.earlier_open) - EARLIER_LISTED)

    @property
    def open_negatives(self) -> int:
        """Unanswered negatives: yesterday's and those still open from earlier days (the subject's number)."""
        return sum(1 for i in (*self.items, *self.earlier_open) if i.sentiment == "negative" and i.status != "answered")

    @property
    def open_complaints(self) -> int:
        """Unanswered reviews that are not negative but hold a complaint part: yesterday's and earlier days'."""
        return sum(1 for i in (*self.items, *self.earlier_open) if i.complaint_topics and i.status != "answered")

    @property
    def overdue(self) -> int:
        return sum(1 for i in (*self.items, *self.earlier_open) if i.status == "overdue")

    @property
    def kpi_met(self) -> dict[str, bool | None]:
        """Each share against its target: True met, False missed, None nothing to measure."""
        k, t = self.kpis, self.targets
        return {
            "negative_answer_share": None
            if k.negative_answer_share is None
            else k.negative_answer_share >= t.get("negative_answer_share", 1.0),
            "positive_answer_share": None
            if k.positive_answer_share is None
            else k.positive_answer_share >= t.get("positive_answer_share", 0.0),
        }

    def by_clinic(self) -> list[tuple[ClinicLine, list[DigestItem]]]:
        """Clinics with their items, in the policy's order; clinics with nothing are left out."""
        grouped: dict[str, list[DigestItem]] = {}
        for item in self.items:
            grouped.setdefault(item.clinic_id, []).append(item)
        return [(line, grouped[line.clinic_id]) for line in self.clinics if line.clinic_id in grouped]


def percentile(values: list[int], share: float) -> int | None:
    """Nearest-rank percentile (`share` in 0..1) of whole numbers; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]



def median(values: list[int]) -> int | None:
    return int(statistics.median(values)) if values else None


def build_digest(
    records: Iterable[ReviewRecord],
    earlier_open: Iterable[ReviewRecord],
    policy,
    day: date,
    now: datetime,
    *,
    clinic_id: str | None = None,
    link_for: Callable[[ReviewRecord], str | None] | None = None,
) -> Digest:
    """Assemble the digest of `day` (clinic-local days) as seen at `now`.

    `clinic_id` narrows it to one clinic. `link_for(record)` may give a link to a whole text that has
    no public URL (e.g. the archived copy of a very long one).
    """
    if clinic_id is not None:
        policy.clinic(clinic_id)  # UnknownClinic for a clinic the policy does not list
    wanted = (lambda r: r.review.clinic_id == clinic_id) if clinic_id else (lambda r: True)
    order = {c.id: n for n, c in enumerate(policy.clinics)}
    records = [r for r in records if wanted(r)]
    pairs = [(r, _item(r, policy, now, link_for)) for r in records]
    pairs.sort(
        key=lambda p: (
            order.get(p[1].clinic_id, len(order)),
            _URGENCY[p[1].status],
            _SENTIMENT_ORDER.get(p[1].sentiment, 3),
            p[0].review.created_at,
        )
    )
    items = tuple(item for _, item in pairs)
    earlier_records = sorted(
        (r for r in earlier_open if wanted(r)), key=lambda r: (r.review.created_at, r.review.clinic_id)
    )
    earlier = tuple(_item(r, policy, now, link_for) for r in earlier_records)
    reply_minutes = [i.reply_business_minutes for i in items if i.reply_business_minutes is not None]
    negative_minutes = [
        i.reply_business_minutes for i in items if i.reply_business_minutes is not None and i.sentiment == "negative"
    ]
    negatives = [i for i in items if i.sentiment == "negative"]
    positives = [i for i in items if i.sentiment == "positive"]
    kpis = Kpis(
        negatives=len(negatives),
        negatives_answered=sum(1 for i in negatives if i.status == ANSWERED),
        positives=len(positives),
        positives_answered=sum(1 for i in positives if i.status == ANSWERED),
        median_reply_minutes=median(reply_minutes),
        p90_reply_minutes=percentile(reply_minutes, 0.9),
        turned=sum(1 for i in items if i.turned),
        negative_median_reply_minutes=median(negative_minutes),
    )
    clinic = policy.clinic(clinic_id) if clinic_id else None
    chain_zone = ZoneInfo(policy.chain.timezone)
    return Digest(
        chain_id=policy.chain.id,
        chain=policy.chain.name,
        day=day,
        lang=policy.chain.language,
        items=items,
        clinics=tuple(_clinic_lines(items, earlier, policy, clinic_id)),
        sources=tuple(_source_lines(items)),
        sentiments=dict(Counter(i.sentiment for i in items)),
        topics=tuple(Counter(t for i in items for t in i.topics).most_common()),
        earlier_open=earlier,
        kpis=kpis,
        targets={"negative_answer_share": 1.0, "positive_answer_share": policy.chain.positive_reply_share},
        clinic_id=clinic_id,
        clinic_name=clinic.name if clinic else None,
        kinds=dict(Counter(i.kind for i in items)),
        generated_local=now.astimezone(chain_zone).strftime("%d.%m.%Y %H:%M"),
    )


def turned(record: ReviewRecord) -> bool:
    """A negative that became better: the rating was raised or the sentiment is no longer negative."""
    if record.first_sentiment != "negative":
        return False
    raised = (
        record.first_rating is not None and record.review.rating is not None and record.review.rating > record.first_rating
    )
    return raised or record.classification.sentiment != "negative"



def reply_deadline(record: ReviewRecord, policy) -> datetime | None:
    """When a negative should have had its answer: the first tier of the ladder that is not immediate.

    The review manager's tier (`0m`, `now`) is an alert, not a deadline; the next one (e.g. `eod`, the
    head of client service) is the moment the review counts as overdue. The clock starts when the
    patient wrote or, if earlier, when the system first saw it.
    """
    tiers = [t for t in policy.ladder if t.when == "always"]
    if not tiers:
        return None
    strict = policy.chain.strict
    clinic = policy.clinic(record.review.clinic_id)
    start = min(record.review.created_at, record.received_at)
    later = [t for t in tiers if t.effective_within(strict) not in IMMEDIATE]
    dues = [clinic.calendar.due(start, t.effective_within(strict)) for t in (later or tiers)]
    return min(dues)


def status_of(record: ReviewRecord, policy, now: datetime) -> str:
    """answered, open, or overdue (an unanswered negative, or complaint part, past its reply deadline)."""
    if record.status == ANSWERED:
        return "answered"
    if record.needs_answer:
        deadline = reply_deadline(record, policy)
        if deadline is not None and deadline < now:
            return "overdue"
    return "open"


def _escalated_to(record: ReviewRecord, policy) -> tuple[str, ...]:
    """The people alerted so far, by name, in ladder order."""
    names: list[str] = []
    fired = set(record.tiers_fired)
    specs = [(t.id, t.notify) for t in policy.ladder]
    if policy.positive is not None:
        specs.append(("thank", policy.positive.notify))
    for tier_id, notify in specs:
        if tier_id not in fired:
            continue
        fired.discard(tier_id)
        for entry in notify:
            try:
                name = policy.contact(entry.contact, record.review.clinic_id).name
            except (KeyError, ValueError):
                name = entry.contact
            if name not in names:
                names.append(name)
    names.extend(sorted(fired))
    return tuple(names)


def safe_link(url: str | None) -> str | None:
    """An http(s) address, or None: `javascript:` and other schemes never become a link."""
    if not url:
        return None
    cleaned = url.strip()
    if not cleaned.lower().startswith(("https://", "http://")) or _SPACE.search(cleaned):
        return None
    return cleaned


def _head(text: str) -> str:
    """The first EXCERPT_SCAN characters, without the word the cut falls in."""
    if len(text) <= EXCERPT_SCAN:
        return text
    head = text[:EXCERPT_SCAN]
    return head.rsplit(None, 1)[0] if not text[EXCERPT_SCAN].isspace() and _SPACE.search(head) else head


def _item(record: ReviewRecord, policy, now: datetime, link_for) -> DigestItem:
    clinic = policy.clinic(record.review.clinic_id)
    tz = ZoneInfo(clinic.timezone)
    review, cls = record.review, record.classification
    start = min(review.created_at, record.received_at)
    reply_minutes = open_minutes = None
    if record.status == ANSWERED and record.answered_at is not None:
        reply_minutes = clinic.calendar.business_seconds_between(start, max(record.answered_at, start)) // 60
    elif record.status != ANSWERED:
        open_minutes = clinic.calendar.business_seconds_between(start, max(now, start)) // 60
    status = status_of(record, policy, now)
    text = review.text or ""
    shown = excerpt(_head(text), EXCERPT_CHARS, review.author)
    truncated = bool(record.text_s3_key) or len(text) > EXCERPT_SCAN or shown.endswith("…")
    link = safe_link(review.url)
    if link is None and truncated and link_for is not None:
        link = safe_link(link_for(record))
    answered_by = record.answered_by
    if answered_by and answered_by.startswith("ack:"):
        answered_by = answered_by[4:] or None
    due = None
    if record.status != ANSWERED and record.needs_answer:
        deadline = reply_deadline(record, policy)
        due = None if deadline is None else deadline.astimezone(tz).strftime("%d.%m %H:%M")
    return DigestItem(
        clinic_id=clinic.id,
        clinic=clinic.name,
        source=review.source,
        rating=review.rating,
        sentiment=cls.sentiment,
        topics=tuple(cls.topics),
        triage=cls.triage,
        legal=cls.legal,
        mismatch=cls.mismatch,
        kind=cls.kind,
        excerpt=shown,
        truncated=truncated,
        link=link,
        created_local=review.created_at.astimezone(tz).strftime("%d.%m %H:%M"),
        status=status,
        answered_by=answered_by if record.status == ANSWERED else None,
        answered_local=None
        if record.answered_at is None or record.status != ANSWERED
        else record.answered_at.astimezone(tz).strftime("%d.%m %H:%M"),
        reply_business_minutes=reply_minutes,
        open_business_minutes=open_minutes,
        due_local=due,
        escalated_to=_escalated_to(record, policy),
        backfill=record.backfill,
        turned=turned(record),
        local_day=record.local_day,
        open_days=None if record.status == ANSWERED else max(0, (now - start).days),
        complaint_topics=() if cls.complaint is None else cls.complaint.topics,
        complaint=None if cls.complaint is None else excerpt(cls.complaint.text, COMPLAINT_CHARS, review.author),
    )


def _clinic_lines(items, earlier, policy, clinic_id: str | None) -> list[ClinicLine]:
    lines = []
    for clinic in policy.clinics:
        if clinic_id is not None and clinic.id != clinic_id:
            continue
        mine = [i for i in items if i.clinic_id == clinic.id]
        before = [i for i in earlier if i.clinic_id == clinic.id]
        ratings = [i.rating for i in mine if i.rating is not None]
        lines.append(
            ClinicLine(
                clinic_id=clinic.id,
                name=clinic.name,
                total=len(mine),
                negative=sum(1 for i in mine if i.sentiment == "negative"),
                positive=sum(1 for i in mine if i.sentiment == "positive"),
                average_rating=round(sum(ratings) / len(ratings), 2) if ratings else None,
                open_negative=sum(1 for i in (*mine, *before) if i.sentiment == "negative" and i.status != "answered"),
                neutral=sum(1 for i in mine if i.sentiment == "neutral"),
                answered=sum(1 for i in mine if i.status == "answered"),
                overdue=sum(1 for i in (*mine, *before) if i.status == "overdue"),
            )
        )
    return lines


def _source_lines(items) -> list[SourceLine]:
    totals = Counter(i.source for i in items)
    negatives = Counter(i.source for i in items if i.sentiment == "negative")
    return [SourceLine(source, n, negatives[source]) for source, n in totals.most_common()]
