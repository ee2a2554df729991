"""The monthly report reads each day of the table once (services/day_reads.py): its month, the month before and the
insights' 90-day corpus overlap, and the month's case log serves both the case block and the insights."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from clinic_reviews.services.insight_report import InsightReport
from clinic_reviews.services.reply_quality import CORPUS_DAYS, ReplyQualityService
from clinic_reviews.services.report import ReportService

from .records import make_record

DEC = date(2026, 12, 1)
NEW_YEAR = datetime(2027, 1, 1, 6, 0, tzinfo=UTC)


class Table:
    """The repositories the report reads, in memory, counting each read."""

    def __init__(self, policy, records):
        self.policy = policy
        self.records = records
        self.reads: Counter = Counter()

    def chain(self, chain_id):
        return self.policy

    def by_day(self, chain_id, day):
        self.reads["reviews", day] += 1
        return iter([r for r in self.records if r.local_day == day])

    def log_of_day(self, chain_id, day):
        self.reads["cases", day] += 1
        return iter(())

    def of_chain(self, chain_id):
        return iter(())

    def between(self, chain_id, start, end):
        return iter(())


def _report(table: Table) -> ReportService:
    quality = ReplyQualityService(table, table, table, lambda: NEW_YEAR)
    insights = InsightReport(quality, table, table, table, lambda: NEW_YEAR)
    return ReportService(table, table, None, None, lambda: NEW_YEAR, table, insights=insights)


def test_each_day_is_read_once_and_the_figures_are_those_of_separate_reads(policy):
    records = [make_record(policy, f"r-{n}", created=datetime(2026, 12, 1 + n, 7, 0, tzinfo=UTC), rating=1 + n % 5,
                           answered_after=timedelta(hours=3)) for n in range(20)]
    records += [make_record(policy, f"n-{n}", created=datetime(2026, 11, 1 + n, 7, 0, tzinfo=UTC)) for n in range(10)]
    table = Table(policy, records)
    output = _report(table).build("zdorovie", DEC)
    assert set(table.reads.values()) == {1}
    first_read = DEC - timedelta(days=CORPUS_DAYS)
    assert {day for kind, day in table.reads if kind == "reviews"} == {
        first_read + timedelta(days=n) for n in range((date(2027, 1, 2) - first_read).days + 1)}  # to the day after today
    assert {day for kind, day in table.reads if kind == "cases"} == {DEC + timedelta(days=n) for n in range(31)}
    # the figures are those of the month and the month before, each read on its own
    alone = ReportService(table, table, None, None, lambda: NEW_YEAR)
    assert output.report.total.current == alone.tally("zdorovie", DEC).total
    assert output.report.total.previous == alone.tally("zdorovie", date(2026, 11, 1)).total
    assert output.report.total.current.count == 20 and output.report.total.previous.count == 10


def _sightings(table: Table):
    """The projected read the digest makes (store.reviews.ReviewRepository.sightings_of_day), counted apart."""
    from clinic_reviews.store.reviews import Sighting

    def sightings_of_day(chain_id, day):
        table.reads["sightings", day] += 1
        return iter([Sighting.of(r) for r in table.records if r.local_day == day])

    table.sightings_of_day = sightings_of_day
    return table


def test_the_insights_file_reads_the_spike_window_and_the_reply_corpus_once(policy):
    """insights.json (infra/local reports.write_insights): the spike window (98 days and the day after) and the
    replies' 90-day corpus are mostly the same days; one DayReads reads each once, with the same results."""
    from dataclasses import replace

    from clinic_reviews.domain.review import Reply
    from clinic_reviews.services.day_reads import DayReads
    from clinic_reviews.services.insights import InsightService

    day = date(2026, 12, 10)
    records = [make_record(policy, f"w-{n}", created=datetime(2026, 12, 4 + n % 6, 7, 0, tzinfo=UTC),
                           text="Ждали приёма больше часа", topics=("waiting",)) for n in range(8)]
    for n in range(6):
        old = make_record(policy, f"old-{n}", created=datetime(2026, 9, 10, 7, 0, tzinfo=UTC) + timedelta(days=9 * n), rating=5,
                          sentiment="positive", topics=())
        records.append(replace(old, review=old.review.evolve(reply=Reply(
            text="Спасибо за тёплый отзыв, будем рады видеть вас снова!", created_at=old.review.created_at + timedelta(hours=2)))))
    answered = make_record(policy, "answered", created=datetime(2026, 12, 9, 7, 0, tzinfo=UTC))
    records.append(replace(answered, review=answered.review.evolve(reply=Reply(
        text="Спасибо за тёплый отзыв, будем рады видеть вас снова!", created_at=datetime(2026, 12, 9, 9, 0, tzinfo=UTC)))))
    now = lambda: datetime(2026, 12, 11, 6, 0, tzinfo=UTC)  # noqa: E731

    def run(table, reads=None):
        analysis = InsightService(table, table, None, None, None, now, table).analyse("zdorovie", day, reads)
        scores = ReplyQualityService(table, table, table, now).scores("zdorovie", day - timedelta(days=2), day,
                                                                        reads=reads)
        return analysis, scores

    shared_table, separate_table = _sightings(Table(policy, records)), _sightings(Table(policy, records))
    shared = run(shared_table, DayReads(shared_table, shared_table))
    separate = run(separate_table)
    assert shared == separate
    assert shared[0].spikes and shared[1] and not shared[1][0].checklist["personal"]  # a spike; a reply copying older ones
    assert set(shared_table.reads.values()) == {1} and not [k for k, _ in shared_table.reads if k == "sightings"]
    twice = {d for k, d in separate_table.reads if k == "sightings"} & {d for k, d in separate_table.reads if k == "reviews"}
    assert len(twice) > 80  # what the shared reads spare

