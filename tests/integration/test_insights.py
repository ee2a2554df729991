"""Systemic problems on the deployed template: a spike in the digest, one alert to the head of client
service and one event per spike episode (schema-valid), whatever the number of runs or days it lasts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from .conftest import review
from .test_events_and_store import SCHEMAS
from .test_intake_flow import _tap

MORNING = datetime(2026, 12, 8, 5, 0, tzinfo=UTC)  # 08:00 on 8 December in Moscow
WAITS = ["2026-11-25T08:00:00Z", "2026-11-28T09:00:00Z", "2026-12-01T10:00:00Z", "2026-12-03T11:00:00Z",
         "2026-12-05T12:00:00Z", "2026-12-07T06:00:00Z"]


def seeded(aws) -> None:
    """Three months of quiet history in every clinic, then six waiting complaints at Arbat in a fortnight."""
    calm = [
        review(f"calm-{clinic}-{n}", clinic_id=clinic, source="yandex", rating=5, text="Спасибо, всё хорошо",
               created_at=f"2026-09-{3 + n * 9:02d}T08:00:00Z")
        for clinic in ("msk-arbat", "ekb-center", "vvo-svetlanskaya") for n in range(3)
    ]
    old = [review("old-wait", text="Ждали приёма в очереди сорок минут", rating=2, created_at="2026-10-10T08:00:00Z")]
    waits = [review(f"wait-{n}", text="Ожидание больше часа в очереди у кабинета, запись не соблюдают", rating=1,
                    author="Мария Иванова", created_at=at) for n, at in enumerate(WAITS)]
    for batch in (calm, old + waits):
        aws.invoke("IntakeFunction", {"reviews": batch})


def test_a_spike_is_in_the_digest_alerted_once_and_on_the_bus(aws, policy):
    from jsonschema import Draft202012Validator

    seeded(aws)
    tap = _tap(aws)
    aws.advance_to(MORNING)
    before = len(aws.sent_emails())
    result = aws.run_schedule("DigestFunctionMorning")
    assert result["systemic"] == {"spikes": 1, "new": 1, "continued": 0}
    sent = aws.sent_emails()[before:]
    alerts = [m for m in sent if "системная проблема" in m.subject]
    head = policy.contact("head_of_client_service", "msk-arbat").email
    assert [m.destinations for m in alerts] == [[head]]
    assert "ожидание — Здоровье на Арбате, с 25.11.2026" in alerts[0].subject
    digest = next(m for m in sent if "сводка" in m.subject)
    assert "Системные проблемы" in digest.html and "6 негативов за 14 дн." in digest.html
    assert "Иванова" not in digest.html and "Иванова" not in alerts[0].html

    schema = json.loads((SCHEMAS / "insight.spike_detected.v1.json").read_text(encoding="utf-8"))
    events = [e for e in tap() if e["detail-type"] == "insight.spike_detected"]
    assert len(events) == 1
    assert not list(Draft202012Validator(schema).iter_errors(events[0]["detail"]))
    detail = events[0]["detail"]
    assert (detail["clinic_id"], detail["topic"], detail["since"], detail["count"]) == ("msk-arbat", "waiting", "2026-11-25", 6)
    assert len(detail["reviews"]) == 6 and "text" not in json.dumps(detail)

    # the same day again, and the next day with the spike still there: no second alert, no second event
    again = aws.invoke("DigestFunction", {"chain_id": "zdorovie", "day": "2026-12-07"})
    aws.advance_to(MORNING + timedelta(days=1))
    next_day = aws.run_schedule("DigestFunctionMorning")
    assert again["systemic"]["new"] == 0 and next_day["systemic"] == {"spikes": 1, "new": 0, "continued": 1}
    assert [m for m in aws.sent_emails()[before:] if "системная проблема" in m.subject] == alerts
    assert not [e for e in tap() if e["detail-type"] == "insight.spike_detected"]


def test_a_quiet_chain_has_no_systemic_block_and_sends_no_alert(aws):
    aws.invoke("IntakeFunction", {"reviews": [review("one"), review("two", rating=5, text="Спасибо")]})
    aws.advance_to(MORNING)
    before = len(aws.sent_emails())
    result = aws.run_schedule("DigestFunctionMorning")
    assert result["systemic"] == {"spikes": 0, "new": 0, "continued": 0}
    sent = aws.sent_emails()[before:]
    assert sent and all("системная" not in m.subject and "Системные проблемы" not in m.html for m in sent)


def test_spike_detection_reads_each_review_as_its_record_holds_it(aws):
    """`sightings_of_day` (a projection of the day's items, what the digest's spike window reads) agrees with the
    whole records: a review edited from negative to praise still counts as it first read."""
    from datetime import date

    from clinic_reviews import compose
    from clinic_reviews.domain.review import ReviewKey
    from clinic_reviews.settings import get_settings
    from clinic_reviews.store.reviews import Sighting

    aws.invoke("IntakeFunction", {"reviews": [
        review("neg"), review("praise", rating=5, text="Спасибо доктору", author=None),
        review("turned", text="Ждали приёма больше часа в очереди"),
    ]})
    aws.invoke("IntakeFunction", {"reviews": [review("turned", rating=5, text="Всё решили, спасибо")]})
    with aws.in_function("DigestFunction"):
        reviews = compose.Table(get_settings()).reviews
        records = {r.key: r for r in reviews.by_day("zdorovie", date(2026, 12, 7))}
        seen = list(reviews.sightings_of_day("zdorovie", date(2026, 12, 7)))
    assert len(seen) == len(records) == 3
    for sighting in seen:
        record = records[ReviewKey(sighting.clinic_id, sighting.source, sighting.external_id)]
        first = record.first_sentiment or record.classification.sentiment
        assert (sighting.created_at, sighting.sentiment, sighting.topics, sighting.text, sighting.author, sighting.url) == (
            record.review.created_at, first, record.classification.topics, record.review.text, record.review.author,
            record.review.url)
        assert Sighting.of(record) == sighting  # insights.json makes its sightings from the whole records (DayReads)
    assert {s.external_id: s.sentiment for s in seen} == {"neg": "negative", "praise": "positive", "turned": "negative"}
