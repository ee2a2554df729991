"""One build's reads of a chain's days, each day read once.

The monthly report reads the month's reviews for its figures, the month before for the comparison, and 90 days
before the month with a month after it for the reply quality and the turned negatives; and the month's case log
for the case block and again for the insights. A build only reads, so what it read once holds for the rest of it:
`DayReads` has the repositories' `by_day` and `log_of_day` and answers each (chain, day) from the table once.
`insights.json` reads the spike window's sightings and the reply corpus's records, mostly the same days: its
`sightings_of_day` is made from the day's whole records.
"""

from __future__ import annotations

from datetime import date

from clinic_reviews.store.reviews import Sighting


class DayReads:
    def __init__(self, reviews, cases=None):
        self._reviews = reviews  # store.reviews.ReviewRepository
        self._cases = cases  # store.cases.CaseRepository
        self._days: dict[tuple[str, date], list] = {}
        self._logs: dict[tuple[str, date], list] = {}

    def by_day(self, chain_id: str, day: date) -> list:
        """The chain's reviews received on that clinic-local day (ReviewRecord)."""
        return self._once(self._days, self._reviews.by_day, chain_id, day)

    def sightings_of_day(self, chain_id: str, day: date) -> list[Sighting]:
        """The day's reviews as spike detection reads them, from the whole records."""
        return [Sighting.of(record) for record in self.by_day(chain_id, day)]

    def log_of_day(self, chain_id: str, day: date) -> list:
        """The chain's case log of that local day (LogEntry)."""
        return self._once(self._logs, self._cases.log_of_day, chain_id, day)

    def _once(self, seen: dict, read, chain_id: str, day: date) -> list:
        key = (chain_id, day)
        if key not in seen:
            seen[key] = list(read(chain_id, day))
        return seen[key]
