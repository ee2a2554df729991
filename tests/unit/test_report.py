"""The monthly report: month boundaries, change against the month before, response times, praise, rendering."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from clinic_reviews.domain.report import (
    MonthTally,
    bucket_of,
    build_report,
    month_days,
    previous_month,
    report_month,
    week_labels,
)
from clinic_reviews.notify.report_charts import render_charts
from clinic_reviews.notify.report_render import render_report, signed

from .records import make_record

DEC = date(2026, 12, 1)
NOV = date(2026, 11, 1)
#: 09:00 in Moscow on 1 January: when the December report goes out.
NEW_YEAR = datetime(2027, 1, 1, 6, 0, tzinfo=UTC)


def at(day: int, month: int = 12, hour: int = 8) -> datetime:
    """A moment in 2026 (UTC) inside Moscow business hours by default."""
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def tally(policy, first, records) -> MonthTally:
    return MonthTally(policy, first).add_all(records)


# ------------------------------------------------------------------------------------------- months
def test_month_helpers():
    assert len(month_days(date(2028, 2, 10))) == 29 and month_days(DEC)[-1] == date(2026, 12, 31)
    assert previous_month(date(2027, 1, 1)) == DEC and previous_month(DEC) == NOV
    assert week_labels(DEC) == ("1–7", "8–14", "15–21", "22–28", "29–31")
    assert week_labels(date(2027, 2, 1)) == ("1–7", "8–14", "15–21", "22–28")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 30, 21, 30, tzinfo=UTC), date(2026, 11, 1)),  # 00:30 on 1 Dec in Moscow
        (datetime(2026, 11, 30, 20, 30, tzinfo=UTC), date(2026, 10, 1)),  # 23:30 on 30 Nov in Moscow
        (NEW_YEAR, DEC),
    ],
)
def test_the_month_a_run_reports_on_is_decided_in_the_chains_zone(now, expected):
    assert report_month(now, "Europe/Moscow") == expected


def test_month_boundaries_follow_each_reviews_local_day(policy):
    records = [
        make_record(policy, "nov-30", received=at(30, 11, 20), rating=5, topics=()),  # 23:00 on 30 Nov in Moscow
        make_record(policy, "dec-1", received=at(30, 11, 21), rating=5, topics=()),  # 00:00 on 1 Dec in Moscow
        # 18:30 on 30 Nov in Moscow, but 01:30 on 1 Dec in Vladivostok: the Vladivostok day counts
        make_record(policy, "vvo", clinic_id="vvo-svetlanskaya", source="2gis", received=at(30, 11, 15) +
                    timedelta(minutes=30), rating=5, topics=()),
        make_record(policy, "dec-31", received=at(31, 12, 20), rating=1),  # 23:00 on 31 Dec in Moscow
        make_record(policy, "jan-1", received=at(31, 12, 21), rating=1),  # 00:00 on 1 Jan in Moscow
    ]
    november, december = tally(policy, NOV, records), tally(policy, DEC, records)
    assert november.total.count == 1 and november.outside == 4
    assert december.total.count == 3 and set(december.clinics) == {"msk-arbat", "vvo-svetlanskaya"}
    assert december.daily[date(2026, 12, 1)]["positive"] == 2 and december.daily[date(2026, 12, 31)]["negative"] == 1


def test_older_reviews_of_a_first_import_are_counted_apart(policy):
    records = [make_record(policy, "new", received=at(7)),
               make_record(policy, "old", created=at(5, 10), received=at(7), backfill=True)]
    month = tally(policy, DEC, records)
    assert month.total.count == 1 and month.backfill == 1
    report = build_report(month, None, policy, NEW_YEAR)
    documents = render_report(report, [])
    assert "Не учтены 1 отзыв, найденные первым импортом" in documents.archive_html


# ------------------------------------------------------------------------------------------- comparison
def month_of_reviews(policy, month: int, negatives: int, positives: int, topics=("waiting",)):
    records = [make_record(policy, f"{month}-n{i}", received=at(3 + i % 20, month), rating=1, topics=topics)
               for i in range(negatives)]
    records += [make_record(policy, f"{month}-p{i}", received=at(3 + i % 20, month), rating=5, topics=("doctor",),
                            source="2gis") for i in range(positives)]
    return records


def test_change_against_the_previous_month(policy):
    november = tally(policy, NOV, month_of_reviews(policy, 11, negatives=2, positives=8))
    december = tally(policy, DEC, month_of_reviews(policy, 12, negatives=6, positives=6, topics=("waiting", "billing")))
    report = build_report(december, november, policy, NEW_YEAR)
    assert report.has_previous
    total = report.total
    assert (total.current.count, total.previous.count, total.count_change) == (12, 10, 2)
    assert total.current.average_rating == 3.0 and total.previous.average_rating == 4.2
    assert total.rating_change == -1.2
    assert total.negative_share_change == 30.0  # 20% -> 50%: +30 percentage points
    yandex = next(r for r in report.platforms if r.key == "yandex")
    assert (yandex.current.count, yandex.previous.count, yandex.count_change) == (6, 2, 4)
    waiting = next(b for b in report.bottlenecks if b.topic == "waiting")
    billing = next(b for b in report.bottlenecks if b.topic == "billing")
    assert (waiting.count, waiting.previous, waiting.change) == (6, 2, 4)
    assert (billing.count, billing.previous, billing.change) == (6, 0, 6)
    assert sum(waiting.weekly) == 6 and len(waiting.weekly) == 5
    kinds = [f.kind for f in report.findings]
    assert kinds[:2] == ["volume", "negatives_unanswered"]
    top = next(f for f in report.findings if f.kind == "top_bottleneck")
    assert (top.subject, top.value, top.previous) == ("billing", 6, 0)
    html = render_report(report, []).archive_html
    assert "в прошлом месяце 10, +20%" in html
    assert "−1.2" in html and "+30.0 п.п." in html


def test_no_previous_month_means_no_comparison(policy):
    december = tally(policy, DEC, month_of_reviews(policy, 12, negatives=1, positives=2))
    for previous in (None, tally(policy, NOV, [])):
        report = build_report(december, previous, policy, NEW_YEAR)
        assert not report.has_previous and report.total.previous is None and report.total.count_change is None
        assert all(b.previous is None for b in report.bottlenecks)
        documents = render_report(report, [])
        assert "прошлого месяца для сравнения нет" in documents.archive_html
        assert "п.п." not in documents.archive_html


def test_an_empty_month_gets_a_short_report_without_charts(policy):
    report = build_report(tally(policy, DEC, []), None, policy, NEW_YEAR)
    assert report.is_empty and render_charts(report) == []
    documents = render_report(report, [])
    assert "За месяц обращений не было." in documents.archive_html and "За месяц обращений не было." in documents.text
    assert documents.subject == "Сеть клиник «Здоровье» · отчёт за декабрь 2026 · 0 обращений"


# ------------------------------------------------------------------------------------------- response, praise
def test_response_time_distribution_in_business_time(policy):
    assert [bucket_of(m) for m in (0, 60, 61, 240, 480, 1440, 1441)] == ["1h", "1h", "4h", "4h", "8h", "24h", "more"]
    records = [
        make_record(policy, "fast", received=at(7), created=at(7), answered_after=timedelta(minutes=20)),
        make_record(policy, "slow", received=at(7), created=at(7), answered_after=timedelta(hours=5)),
        make_record(policy, "none", received=at(7), created=at(7)),
        make_record(policy, "thanks", received=at(7), created=at(7), rating=5, topics=(),
                    answered_after=timedelta(hours=2)),
    ]
    report = build_report(tally(policy, DEC, records), None, policy, NEW_YEAR)
    assert {b: (n, o) for b, n, o in report.response} == {
        "1h": (1, 0), "4h": (0, 1), "8h": (1, 0), "24h": (0, 0), "more": (0, 0), "unanswered": (1, 0)}
    assert report.negative_median_reply_minutes == 160 and report.median_reply_minutes == 120
    assert report.p90_reply_minutes == 300


def test_staff_praised_by_name_in_positive_reviews(policy):
    records = [
        make_record(policy, "p1", rating=5, received=at(3), staff=("Мельников Павел Андреевич", "Мельников"),
                    text="Спасибо доктору Мельникову Павлу Андреевичу!"),
        make_record(policy, "p2", rating=5, received=at(4), staff=("Мельников",), text="Мельников лучший"),
        make_record(policy, "p3", rating=5, received=at(5), staff=("Анна",), text="Администратор Анна помогла"),
        make_record(policy, "n1", rating=1, received=at(5), staff=("Соколова",), text="Соколова нагрубила"),
    ]
    report = build_report(tally(policy, DEC, records), None, policy, NEW_YEAR)
    assert [(p.name, p.reviews) for p in report.staff] == [("Мельников Павел Андреевич", 2), ("Анна", 1)]
    assert report.findings[-1].kind == "praised"  # Соколова, named in a negative review, is not praise
    html = render_report(report, []).archive_html
    assert "Благодарят по имени" in html and "Спасибо доктору Мельникову Павлу Андреевичу!" in html


def test_one_review_naming_a_person_twice_counts_once(policy):
    records = [make_record(policy, "p1", rating=5, received=at(3),
                           staff=("Шарипова Гульнара Рашидовна", "Гульнара Рашидовна"))]
    report = build_report(tally(policy, DEC, records), None, policy, NEW_YEAR)
    assert [(p.name, p.reviews) for p in report.staff] == [("Шарипова Гульнара Рашидовна", 1)]


# ------------------------------------------------------------------------------------------- rendering
class Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "img":
            self.sources.append(values["src"])
        if tag == "a":
            self.links.append(values["href"])


def test_charts_are_cid_parts_in_the_email_and_data_uris_in_the_archive(policy):
    november = tally(policy, NOV, month_of_reviews(policy, 11, negatives=3, positives=4))
    records = month_of_reviews(policy, 12, negatives=4, positives=5)
    records.append(make_record(policy, "answered", received=at(9), answered_after=timedelta(minutes=40)))
    report = build_report(tally(policy, DEC, records), november, policy, NEW_YEAR)
    charts = render_charts(report)
    assert [c.name for c in charts] == ["volume", "response", "bottlenecks", "ratings"]
    for chart in charts:
        assert chart.png.startswith(b"\x89PNG") and 2_000 < len(chart.png) < 80_000
    link = "https://bucket.s3.amazonaws.com/reports/zdorovie/2026-12.html?X-Amz-Signature=abc&X-Amz-Expires=604800"
    documents = render_report(report, charts, archive_url=link)
    email, archive = Images(), Images()
    email.feed(documents.email_html)
    archive.feed(documents.archive_html)
    assert sorted(email.sources) == sorted(f"cid:{c.content_id}" for c in charts)
    assert all(src.startswith("data:image/png;base64,") for src in archive.sources) and len(archive.sources) == 4
    assert link in email.links and archive.links == []
    assert link in documents.text
    assert documents.subject == "Сеть клиник «Здоровье» · отчёт за декабрь 2026 · 10 обращений, средняя оценка 3.0"


def test_signed_changes():
    assert [signed(v) for v in (3, -2, 0, None)] == ["+3", "−2", "0", "—"]
    assert signed(-0.04, 1) == "0" and signed(1.25, 1, " п.п.") == "+1.2 п.п."


def test_matplotlib_is_not_imported_by_the_other_functions(root):
    code = (
        "import sys; import clinic_reviews.handlers.digest, clinic_reviews.handlers.intake, "
        "clinic_reviews.handlers.escalate, clinic_reviews.handlers.report, clinic_reviews.services.report; "
        "print('matplotlib' in sys.modules)"
    )
    env = {"AWS_DEFAULT_REGION": "eu-central-1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, check=True)
    assert result.stdout.strip() == "False"
