"""The systemic view: topic spikes (domain/spikes.py) and cases closed with a systemic root cause, together.

What the digest, the monthly report, the alert and `insights.json` show: what (the topic), where (the
clinic), since when, how many against what baseline and why it counts, and the reviews behind it
(contact-free excerpts). Pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from clinic_reviews.domain.cases import CASE_CLOSED
from clinic_reviews.domain.spikes import Spike

SPIKE = "spike"
CASES = "cases"
SHOWN_REVIEWS = 5


@dataclass(frozen=True)
class ReviewRef:
    """A review behind a spike as shown: no author, no contacts."""

    key: str  # `<source>|<external_id>` (the clinic is the spike's)
    source: str
    created_local: str
    excerpt: str
    link: str | None = None


@dataclass(frozen=True)
class SystemicItem:
    kind: str  # spike | cases
    clinic_id: str
    topic: str
    start: date
    end: date
    since: date
    count: int
    baseline: float | None  # the expected count in the window (spikes); None for case causes
    p_value: float | None
    why: str
    reviews: tuple[ReviewRef, ...] = ()
    fix_notes: tuple[str, ...] = ()
    cases: int = 0

    @property
    def window(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    def to_json(self) -> dict:
        """The `insights.json` shape (CONTRACTS.md) plus what a reader needs to act on it."""
        return {
            "clinic_id": self.clinic_id, "topic": self.topic, "window": self.window, "count": self.count,
            "baseline": self.baseline, "why": self.why, "kind": self.kind, "since": self.since.isoformat(),
            "p_value": self.p_value, "cases": self.cases, "fix_notes": list(self.fix_notes),
            "reviews": [{"source": r.source, "created_local": r.created_local, "excerpt": r.excerpt, "link": r.link}
                        for r in self.reviews],
        }


def systemic_view(spikes: Iterable[Spike], case_log: Iterable, start: date, end: date, lang: str) -> list[SystemicItem]:
    """Spikes first (strongest first), then clinic/topic pairs only cases marked systemic point at.

    `case_log`: audit entries (store/cases LogEntry) of the window; every case closed in it with a
    systemic root cause counts once, with its fix note. A spike on the same clinic and topic carries
    those cases; the rest become items of their own.
    """
    causes: dict[tuple[str, str], list] = defaultdict(list)
    for entry in case_log:
        cause = entry.case.root_cause
        if entry.event == CASE_CLOSED and cause is not None and cause.systemic:
            causes[(entry.case.clinic_id, cause.topic)].append(entry)
    items = []
    for spike in spikes:
        entries = causes.pop((spike.clinic_id, spike.topic), [])
        why = spike.why(lang)
        if entries:
            why += (f"; {len(entries)} cases closed as systemic" if lang == "en"
                    else f"; случаев с системной причиной: {len(entries)}")
        items.append(SystemicItem(
            SPIKE, spike.clinic_id, spike.topic, spike.start, spike.end, spike.since, spike.count, spike.expected,
            spike.p_value, why, tuple(reversed(spike.refs))[:SHOWN_REVIEWS], _notes(entries), len(entries),
        ))
    for (clinic_id, topic), entries in sorted(causes.items()):
        first = min(e.at for e in entries).date()
        why = (f"{len(entries)} cases closed with a systemic root cause" if lang == "en"
               else f"случаев закрыто с системной причиной: {len(entries)}")
        items.append(SystemicItem(CASES, clinic_id, topic, start, end, first, len(entries), None, None, why,
                                  fix_notes=_notes(entries), cases=len(entries)))
    return items


def _notes(entries) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.case.root_cause.fix_note for e in entries if e.case.root_cause.fix_note))
