"""Turned negatives: a negative whose author, after the chain answered, raised the rating or wrote again positively.

The chain targets 60-70% (DOMAIN.md). Counted over the month's answered negatives (a public reply on the
platform, an acknowledgement, or a case: the review's `answered_at`), by clinic and by triage type; a
negative counts as turned when

- its rating was raised or its text is no longer negative (the platform shows the edit), or
- the same author (the same name, at the same clinic) wrote a positive review after the answer, or
- its case was closed with the patient satisfied or the rating raised (the manager's word).

Sorry bonuses: for each kind given in a case, how many of those negatives turned (the bonus "worked").
Pure: it is given the stored records and the cases' bonus kinds by review key.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from clinic_reviews.domain.record import ReviewRecord
from clinic_reviews.domain.review import ReviewKey

TARGET = 0.6
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class TurnedLine:
    key: str  # a clinic id, a triage type ("1", "2", "3", "none") or a bonus kind
    answered: int
    turned: int

    @property
    def share(self) -> float | None:
        return None if not self.answered else self.turned / self.answered


@dataclass(frozen=True)
class TurnedFigures:
    answered: int
    turned: int
    by_clinic: tuple[TurnedLine, ...] = ()
    by_triage: tuple[TurnedLine, ...] = ()
    by_bonus: tuple[TurnedLine, ...] = ()
    how: dict[str, int] = field(default_factory=dict)  # rating_raised / wrote_again

    @property
    def share(self) -> float | None:
        return None if not self.answered else self.turned / self.answered

    @property
    def target_met(self) -> bool | None:
        return None if self.share is None else self.share >= TARGET

    def to_json(self) -> dict:
        def lines(rows):
            return [{"key": r.key, "answered": r.answered, "turned": r.turned,
                     "share": None if r.share is None else round(r.share, 3)} for r in rows]

        return {
            "answered": self.answered, "turned": self.turned,
            "share": None if self.share is None else round(self.share, 3), "target": TARGET,
            "by_clinic": lines(self.by_clinic), "by_triage": lines(self.by_triage), "by_bonus": lines(self.by_bonus),
            "how": self.how,
        }


def _author(record: ReviewRecord) -> str | None:
    name = _SPACES.sub(" ", (record.review.author or "").strip().lower())
    return name or None


def how_turned(record: ReviewRecord, later: Iterable[ReviewRecord]) -> str | None:
    """`rating_raised`, `wrote_again` or None, for an answered negative."""
    if record.answered_at is None:
        return None
    rating_up = (record.first_rating is not None and record.review.rating is not None
                 and record.review.rating > record.first_rating)
    if rating_up or record.classification.sentiment != "negative":
        return "rating_raised"
    author = _author(record)
    if author is None:
        return None
    for other in later:
        if (other.key != record.key and _author(other) == author and other.review.created_at > record.answered_at
                and other.classification.sentiment == "positive"):
            return "wrote_again"
    return None


def turned_figures(
    month: Iterable[ReviewRecord], later: Iterable[ReviewRecord], bonuses: dict[ReviewKey, set[str]] | None = None,
    case_turned: set[ReviewKey] | frozenset = frozenset(),
) -> TurnedFigures:
    """Over the month's answered negatives (`month`, backfill left out); `later`: reviews that may be the
    author writing again (the month's and after). `bonuses`: the sorry-bonus kinds given per review;
    `case_turned`: reviews whose case closed as turned."""
    bonuses = bonuses or {}
    by_author: dict[tuple[str, str], list[ReviewRecord]] = defaultdict(list)
    for other in later:
        author = _author(other)
        if author is not None:
            by_author[(other.review.clinic_id, author)].append(other)
    clinics: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    triage: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    bonus: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    how: dict[str, int] = defaultdict(int)
    answered = turned = 0
    for record in month:
        if record.backfill or (record.first_sentiment or record.classification.sentiment) != "negative":
            continue
        if record.answered_at is None:
            continue
        result = how_turned(record, by_author.get((record.review.clinic_id, _author(record) or ""), ()))
        if result is None and record.key in case_turned:
            result = "case_outcome"
        hit = result is not None
        answered += 1
        turned += hit
        if result:
            how[result] += 1
        for table, key in ((clinics, record.review.clinic_id), (triage, str(record.classification.triage or "none"))):
            table[key][0] += 1
            table[key][1] += hit
        for kind in bonuses.get(record.key, ()):
            bonus[kind][0] += 1
            bonus[kind][1] += hit

    def lines(table) -> tuple[TurnedLine, ...]:
        return tuple(TurnedLine(k, a, t) for k, (a, t) in sorted(table.items()))

    return TurnedFigures(answered, turned, lines(clinics), lines(triage), lines(bonus), dict(how))
