"""The monthly report's insight blocks: systemic problems of the month, reply quality and speed by clinic
and person, turned negatives by clinic and triage type and the sorry bonuses that worked (docs/insights.md).

Reads the chain's day partitions (gsi2) once, from `CORPUS_DAYS` before the month to a month after it
(or today): ~150 Queries at the report's monthly run; the case log of the month (one Query a day) and
the chain's spike episodes (one Query).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_reviews.domain.cases import CASE_ACTION, CASE_CLOSED, SORRY_BONUS, TURNED
from clinic_reviews.domain.reply_quality import QualityRow, quality_rows
from clinic_reviews.domain.report import month_days
from clinic_reviews.domain.turned import TurnedFigures, turned_figures
from clinic_reviews.services.day_reads import DayReads
from clinic_reviews.services.reply_quality import CORPUS_DAYS

AFTER_DAYS = 31  # a patient may come back and write again within a month of the answer


@dataclass(frozen=True)
class MonthInsights:
    month: date
    episodes: tuple  # domain/spikes.Episode of the month
    quality_by_clinic: tuple[QualityRow, ...]
    quality_by_person: tuple[QualityRow, ...]
    turned: TurnedFigures

    @property
    def empty(self) -> bool:
        return not (self.episodes or self.quality_by_clinic or self.turned.answered)

    def to_json(self) -> dict:
        return {
            "systemic": [
                {"clinic_id": e.clinic_id, "topic": e.topic, "since": e.since.isoformat(),
                 "last_seen": e.last_seen.isoformat(), "count": e.count, "baseline": e.expected, "p_value": e.p_value}
                for e in self.episodes
            ],
            "reply_quality_by_clinic": [r.to_json() for r in self.quality_by_clinic],
            "reply_quality_by_person": [r.to_json() for r in self.quality_by_person],
            "turned": self.turned.to_json(),
        }


class InsightReport:
    def __init__(self, reply_quality, policies, spikes, cases, now: Callable[[], datetime]):
        self._quality = reply_quality  # services.reply_quality.ReplyQualityService (it reads the records)
        self._policies = policies
        self._spikes = spikes
        self._cases = cases
        self._now = now

    def month(self, chain_id: str, first: date, reads: DayReads | None = None) -> MonthInsights:
        """`reads`: the report's reads of the days (services/day_reads.py), so that no day is read twice."""
        reads = reads or DayReads(self._quality.reviews, self._cases)
        policy = self._policies.chain(chain_id)
        days = month_days(first)
        today = self._now().astimezone(ZoneInfo(policy.chain.timezone)).date()
        last_read = min(days[-1] + timedelta(days=AFTER_DAYS), today + timedelta(days=1))
        records = list(self._quality.records(chain_id, first - timedelta(days=CORPUS_DAYS), max(last_read, days[-1]), reads))
        scores = self._quality.scores(chain_id, first, days[-1], records)
        in_month = [r for r in records if first <= r.local_day <= days[-1]]
        bonuses: dict = defaultdict(set)
        case_turned = set()
        if self._cases is not None:
            for day in days:
                for entry in reads.log_of_day(chain_id, day):
                    if entry.event == CASE_ACTION and entry.action is not None and entry.action.kind == SORRY_BONUS:
                        bonuses[entry.case.key].add(entry.action.bonus_kind or "other")
                    elif entry.event == CASE_CLOSED and entry.case.outcome in TURNED:
                        case_turned.add(entry.case.key)
        turned = turned_figures(in_month, records, dict(bonuses), case_turned)
        episodes = ()
        if self._spikes is not None:
            episodes = tuple(
                e for e in self._spikes.of_chain(chain_id) if e.since <= days[-1] and e.last_seen >= first
            )
        return MonthInsights(first, episodes, tuple(quality_rows(scores, by="clinic")), tuple(quality_rows(scores)), turned)
