"""The morning digest as data and as an e-mail: days in each clinic's zone, statuses, KPIs, hostile text."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from clinic_reviews.domain.classification import classify
from clinic_reviews.domain.digest import EARLIER_LISTED, build_digest, reply_deadline, safe_link, status_of
from clinic_reviews.domain.intake import assess
from clinic_reviews.domain.policy import load_policy
from clinic_reviews.domain.review import Review
from clinic_reviews.notify.digest_render import digest_email, duration

from .records import make_record

DAY = date(2026, 12, 7)
#: 08:00 in Moscow on the morning after DAY: when the digest of DAY goes out.
MORNING = datetime(2026, 12, 8, 5, 0, tzinfo=UTC)


class Tags(HTMLParser):
    """Every start tag with its attributes, to check what a mail client would actually run."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def tags_of(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def digest_of(policy, records, earlier=(), now=MORNING, **kwargs):
    digest = build_digest(records, earlier, policy, DAY, now, **kwargs)
    return digest, digest_email(digest)


# ------------------------------------------------------------------------------------------- days
@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (datetime(2026, 12, 7, 13, 30, tzinfo=UTC), date(2026, 12, 7)),  # 23:30 in Vladivostok, 16:30 in Moscow
        (datetime(2026, 12, 7, 14, 30, tzinfo=UTC), date(2026, 12, 8)),  # 00:30 in Vladivostok, still the 7th in Moscow
    ],
)
def test_a_review_belongs_to_its_clinics_local_day(policy, received, expected):
    review = Review(source="2gis", external_id="v-1", clinic_id="vvo-svetlanskaya", rating=5, text="Спасибо",
                    created_at=received - timedelta(minutes=5))
    outcome = assess(review, classify(review.text, review.rating), None, chain_id="zdorovie",
                     clinic_tz="Asia/Vladivostok", now=received, backfill_window=timedelta(hours=72))
    assert outcome.record.local_day == expected


def test_times_in_the_digest_are_each_clinics_own(policy):
    late = make_record(policy, "v-1", clinic_id="vvo-svetlanskaya", source="2gis", rating=5, topics=(),
                       created=datetime(2026, 12, 7, 13, 30, tzinfo=UTC))
    digest, email = digest_of(policy, [late])
    assert digest.items[0].created_local == "07.12 23:30"
    assert "07.12 23:30" in email.html and "Здоровье на Светланской" in email.html


# ------------------------------------------------------------------------------------------- empty day
def test_an_empty_day_still_gets_a_short_digest(policy):
    digest, email = digest_of(policy, [])
    assert digest.total == 0 and digest.open_negatives == 0
    assert email.subject == "Сеть клиник «Здоровье» · сводка за 07.12.2026 · 0 открытых негативов"
    assert "За 07.12.2026 новых обращений не было." in email.html
    assert "За 07.12.2026 новых обращений не было." in email.text
    assert "Открытых негативов нет" in email.html
    assert len(email.html) < 8_000


def test_an_empty_day_still_lists_what_is_open_from_earlier_days(policy):
    old = make_record(policy, "old-1", created=datetime(2026, 12, 5, 8, 0, tzinfo=UTC))
    digest, email = digest_of(policy, [], earlier=[old])
    assert digest.open_negatives == 1 and digest.overdue == 1
    assert "1 открытый негатив" in email.subject
    assert "Открыто с прошлых дней (1)" in email.html and "ПРОСРОЧЕН" in email.html


def test_a_long_backlog_is_counted_in_full_and_listed_oldest_first_up_to_the_cap(policy):
    first = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
    earlier = [make_record(policy, f"old-{n}", created=first + timedelta(hours=3 * n)) for n in range(EARLIER_LISTED + 50)]
    digest, email = digest_of(policy, [], earlier=earlier)
    assert digest.open_negatives == EARLIER_LISTED + 50 == len(digest.earlier_open)  # the counts are whole
    listed = [i.link.rsplit("/", 1)[1] for i in digest.earlier_listed]
    assert listed == [f"old-{n}" for n in range(EARLIER_LISTED)]  # the oldest, in order
    assert f"Открыто с прошлых дней ({EARLIER_LISTED + 50})" in email.html
    assert "… и ещё 50, новее этих: все они — в консоли обращений." in email.html
    assert "... и ещё 50, новее этих" in email.text
    assert email.html.count("ПРОСРОЧЕН") == EARLIER_LISTED  # one card for each listed item, none for the rest
    # and the size stays bounded however long the backlog: 4,383 open negatives were 8.2 MB before the cap
    many, _ = digest_of(policy, [], earlier=earlier * 10)
    assert len(digest_email(many).html.encode()) < 2 * len(email.html.encode())


# ------------------------------------------------------------------------------------------- plurals
@pytest.mark.parametrize(
    ("n", "words"),
    [(1, "1 открытый негатив"), (2, "2 открытых негатива"), (5, "5 открытых негативов"),
     (11, "11 открытых негативов"), (21, "21 открытый негатив"), (22, "22 открытых негатива")],
)
def test_the_subject_counts_open_negatives_in_russian(policy, n, words):
    records = [make_record(policy, f"n-{i}") for i in range(n)]
    _digest, email = digest_of(policy, records)
    assert email.subject == f"Сеть клиник «Здоровье» · сводка за 07.12.2026 · {words}"
    requests = {1: "1 обращение", 2: "2 обращения", 5: "5 обращений", 11: "11 обращений", 21: "21 обращение",
                22: "22 обращения"}[n]
    assert requests in email.html and requests in email.text


def test_an_english_chain_gets_an_english_subject(root):
    import yaml

    data = yaml.safe_load((root / "samples" / "demo-policy.yaml").read_text(encoding="utf-8"))
    data["chain"]["language"] = "en"
    english = load_policy(data)
    _digest, email = digest_of(english, [make_record(english, "e-1"), make_record(english, "e-2")])
    assert email.subject.endswith("digest for 07.12.2026 · 2 open negatives")
    assert "Still" not in email.html and "Negatives answered" in email.html


# ------------------------------------------------------------------------------------------- statuses
def test_status_answered_by_whom_and_how_fast_in_business_time(policy):
    # Written 09:55 Moscow (the clinic opens at 08:00), answered 65 minutes later on the platform.
    answered = make_record(policy, "a-1", created=datetime(2026, 12, 7, 6, 55, tzinfo=UTC),
                           received=datetime(2026, 12, 7, 7, 0, tzinfo=UTC), answered_after=timedelta(minutes=60))
    acked = make_record(policy, "a-2", rating=5, topics=(), answered_after=timedelta(minutes=30),
                        answered_by="ack:Анна Смирнова")
    digest, email = digest_of(policy, [answered, acked])
    by_id = {i.excerpt: i for i in digest.items}
    item = digest.items[[i.sentiment for i in digest.items].index("negative")]
    assert item.status == "answered" and item.reply_business_minutes == 65 and item.answered_by == "platform"
    assert "через 1 ч 05 мин рабочего времени" in email.html and "публичный ответ на площадке" in email.html
    assert "Анна Смирнова" in email.html
    assert len(by_id) == 1  # the same text twice


def test_reply_time_counts_business_hours_only(policy):
    # Ekaterinburg closes at 20:00 and is closed at weekends: written Friday 19:30, answered Monday 08:30.
    record = make_record(policy, "e-1", clinic_id="ekb-center", created=datetime(2026, 12, 11, 14, 30, tzinfo=UTC),
                         received=datetime(2026, 12, 11, 14, 30, tzinfo=UTC),
                         answered_after=timedelta(days=2, hours=13))
    digest = build_digest([record], [], policy, date(2026, 12, 11), MORNING + timedelta(days=4))
    assert digest.items[0].reply_business_minutes == 60
    assert duration(60) == "1 ч" and duration(65) == "1 ч 05 мин" and duration(45) == "45 мин"
    assert duration(1500) == "25 ч"


def test_open_then_overdue_when_the_reply_deadline_passes(policy):
    # Received 10:00 in Moscow; the ladder's first real deadline is the end of the day (21:00 at Arbat).
    record = make_record(policy, "o-1", received=datetime(2026, 12, 7, 7, 0, tzinfo=UTC), tiers_fired=("manager",))
    assert reply_deadline(record, policy) == datetime(2026, 12, 7, 18, 0, tzinfo=UTC)
    assert status_of(record, policy, datetime(2026, 12, 7, 17, 0, tzinfo=UTC)) == "open"
    assert status_of(record, policy, MORNING) == "overdue"
    _, afternoon = digest_of(policy, [record], now=datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    assert "ответить до 07.12 21:00" in afternoon.html and "оповещены: Анна Смирнова" in afternoon.html
    digest, morning = digest_of(policy, [record])
    assert "ПРОСРОЧЕН" in morning.html and "срок был 07.12 21:00" in morning.html
    assert digest.clinics[0].overdue == 1 and "просрочено: 1" in morning.text


def test_a_positive_review_is_never_overdue(policy):
    record = make_record(policy, "p-1", rating=5, topics=("doctor",), created=datetime(2026, 12, 1, 7, tzinfo=UTC))
    assert status_of(record, policy, MORNING) == "open"


# ------------------------------------------------------------------------------------------- KPIs
def test_kpis_against_the_policy_targets(policy):
    records = [
        make_record(policy, "n-1", answered_after=timedelta(minutes=30)),
        make_record(policy, "n-2", answered_after=timedelta(minutes=90)),
        make_record(policy, "n-3"),
        make_record(policy, "n-4", rating=4, first_rating=1, first_sentiment="negative",
                    answered_after=timedelta(minutes=10)),  # turned: was 1★, now 4★
        *[make_record(policy, f"p-{i}", rating=5, topics=()) for i in range(4)],
        make_record(policy, "p-9", rating=5, topics=(), answered_after=timedelta(hours=2)),
    ]
    digest, email = digest_of(policy, records)
    k = digest.kpis
    assert (k.negatives, k.negatives_answered) == (3, 2)
    assert (k.positives, k.positives_answered) == (6, 2)
    assert k.turned == 1
    assert k.median_reply_minutes == 65 and k.p90_reply_minutes == 125  # from when the patient wrote
    assert digest.kpi_met == {"negative_answer_share": False, "positive_answer_share": True}
    assert "67% (2/3)" in email.html and "цель 100%" in email.html and "цель ≥ 20%" in email.html
    assert "Негатив исправлен" in email.html and "негатив исправлен" in email.html


def test_requests_by_clinic_and_by_source(policy):
    records = [
        make_record(policy, "a", source="yandex"),
        make_record(policy, "b", source="2gis", rating=5, topics=()),
        make_record(policy, "c", clinic_id="ekb-center", source="2gis", rating=2),
        make_record(policy, "d", clinic_id="vvo-svetlanskaya", source="site", rating=None, sentiment="neutral",
                    topics=(), kind="question"),
    ]
    digest, email = digest_of(policy, records)
    assert [(c.clinic_id, c.total, c.negative, c.open_negative) for c in digest.clinics] == [
        ("msk-arbat", 2, 1, 1), ("ekb-center", 1, 1, 1), ("vvo-svetlanskaya", 1, 0, 0)]
    assert [(s.source, s.total, s.negative) for s in digest.sources] == [("2gis", 2, 1), ("yandex", 1, 1),
                                                                          ("site", 1, 0)]
    assert "2ГИС 2" in email.html and "вопрос" in email.html
    assert [line.clinic_id for line, _ in digest.by_clinic()] == ["msk-arbat", "ekb-center", "vvo-svetlanskaya"]


def test_a_clinic_digest_holds_that_clinic_alone(policy):
    records = [make_record(policy, "a"), make_record(policy, "v", clinic_id="vvo-svetlanskaya", source="2gis")]
    earlier = [make_record(policy, "old", clinic_id="msk-arbat", created=datetime(2026, 12, 3, 7, tzinfo=UTC))]
    digest, email = digest_of(policy, records, earlier, clinic_id="vvo-svetlanskaya")
    assert [i.clinic_id for i in digest.items] == ["vvo-svetlanskaya"] and digest.earlier_open == ()
    assert email.subject == ("Сеть клиник «Здоровье» · Здоровье на Светланской · сводка за 07.12.2026 · "
                             "1 открытый негатив")
    assert "Здоровье на Арбате" not in email.html


# ------------------------------------------------------------------------------------------- hostile text
def test_hostile_text_is_escaped_and_never_runs(policy):
    hostile = ('<script>alert(1)</script><img src=x onerror="alert(2)"> <a href="javascript:alert(3)">жми</a> '
               "Ужасно ждали")
    records = [
        make_record(policy, "h-1", text=hostile, author='Мария "><b>', url="javascript:alert(5)"),
        make_record(policy, "h-2", text="Плохо", url='https://x.example/"onmouseover="alert(6)',
                    answered_after=timedelta(minutes=5), answered_by='ack:<img src=y onerror=alert(7)>'),
    ]
    _digest, email = digest_of(policy, records)
    tags = tags_of(email.html)
    assert all(tag != "script" for tag, _ in tags)
    assert [tag for tag, _ in tags if tag == "img"] == []
    for tag, attrs in tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            if name == "href":
                assert value.startswith("https://"), value
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html
    assert "javascript:" not in "".join(v or "" for _, attrs in tags for _, v in attrs)
    assert "<script>" in email.text  # the plain-text part shows the text as written: it is never rendered


def test_a_200_kb_text_is_cut_with_a_link_to_the_whole(policy):
    long_text = "Ждали приёма очень долго, никто ничего не объяснил. " * 4_000
    assert len(long_text.encode()) > 200_000
    with_url = make_record(policy, "l-1", text=long_text)
    archived = make_record(policy, "l-2", text=long_text[:32_000], url=None, text_s3_key="texts/msk-arbat/x.txt")
    nothing = make_record(policy, "l-3", text=long_text, url=None)
    started = time.perf_counter()
    digest, email = digest_of(policy, [with_url, archived, nothing],
                              link_for=lambda r: r.text_s3_key and f"https://archive.example/{r.text_s3_key}?X-Amz-Signature=s")
    assert time.perf_counter() - started < 1.0
    assert len(email.html) < 30_000 and len(email.text) < 10_000
    items = {i.link: i for i in digest.items}
    assert all(len(i.excerpt) <= 280 and i.truncated for i in digest.items)
    assert "https://yandex.example/reviews/l-1" in items
    assert "https://archive.example/texts/msk-arbat/x.txt?X-Amz-Signature=s" in items
    assert None in items  # no public page, nothing archived: marked as shortened
    assert email.html.count("читать полностью") == 2 and "(текст сокращён)" in email.html
    assert "https://archive.example/texts/msk-arbat/x.txt?X-Amz-Signature=s" in email.text


def test_no_contacts_or_author_names_in_the_digest(policy):
    text = "Меня зовут Мария Иванова, мой телефон +7 900 123-45-67, почта maria@example.com. Хамство на ресепшн."
    _digest, email = digest_of(policy, [make_record(policy, "pii", text=text, author="Мария Иванова")])
    for secret in ("Иванова", "123-45-67", "maria@example.com"):
        assert secret not in email.html and secret not in email.text
    assert "Хамство на ресепшн" in email.html


def test_only_http_links_become_links():
    assert safe_link("https://yandex.example/r/1") == "https://yandex.example/r/1"
    for bad in ("javascript:alert(1)", "data:text/html,x", "//evil.example", "https://a b", None, ""):
        assert safe_link(bad) is None
