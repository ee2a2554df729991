from datetime import UTC, date, datetime, timedelta

from clinic_reviews.domain.classification.result import Classification
from clinic_reviews.domain.intake import CHANGED, NEW, UNCHANGED, assess
from clinic_reviews.domain.review import parse_review

NOW = datetime(2026, 12, 7, 20, 0, tzinfo=UTC)
NEGATIVE = Classification(sentiment="negative", score=-0.8, topics=("waiting",), triage=1)
POSITIVE = Classification(sentiment="positive", score=0.8)
BASE = {
    "source": "2gis",
    "external_id": "42",
    "clinic_id": "vvo-svetlanskaya",
    "rating": 1,
    "text": "Ждали два часа",
    "created_at": "2026-12-07T13:30:00Z",
}


def run(data, existing=None, classification=NEGATIVE, now=NOW):
    return assess(
        parse_review(data),
        classification,
        existing,
        chain_id="zdorovie",
        clinic_tz="Asia/Vladivostok",
        now=now,
        backfill_window=timedelta(hours=72),
    )


def test_new_negative_is_stored_announced_and_escalated():
    outcome = run(BASE)
    assert outcome.action == NEW
    assert outcome.events == ("review.received",)
    assert outcome.escalate
    assert outcome.record.status == "open"
    # 20:00Z is 06:00 next morning in Vladivostok: the digest day is the clinic's local day
    assert outcome.record.local_day == date(2026, 12, 8)


def test_same_content_again_changes_nothing():
    first = run(BASE).record.evolve(escalation="esc-1")
    again = run(BASE, existing=first, now=NOW + timedelta(hours=1))
    assert again.action == UNCHANGED and again.record is None and not again.events and not again.escalate


def test_unchanged_open_negative_without_a_workflow_is_escalated_again():
    stored = run(BASE).record
    assert run(BASE, existing=stored).escalate


def test_a_thank_reminder_is_started_again_until_the_marker_says_it_was():
    praise = {**BASE, "rating": 5, "text": "Спасибо доктору и всей клинике: приняли вовремя, всё объяснили. " * 4}
    first = run(praise, classification=POSITIVE)
    assert first.thank and first.record.follow_up
    again = run(praise, existing=first.record, classification=POSITIVE, now=NOW + timedelta(days=2))
    assert again.action == UNCHANGED and again.thank and not again.escalate  # the execution name makes it once
    done = first.record.evolve(follow_up=False)
    assert not run(praise, existing=done, classification=POSITIVE, now=NOW + timedelta(minutes=5)).thank
    edited = run({**praise, "text": praise["text"] + "!"}, existing=first.record, classification=POSITIVE)
    assert edited.action == CHANGED and edited.thank  # an edit before the reminder started still starts it
    assert not run({**praise, "text": praise["text"] + "!"}, existing=done, classification=POSITIVE).thank


def test_reply_seen_later_answers_the_review_once():
    stored = run(BASE).record.evolve(escalation="esc-1")
    reply = {"text": "Извините, разберёмся", "created_at": "2026-12-07T21:00:00Z"}
    outcome = run({**BASE, "reply": reply}, existing=stored, now=NOW + timedelta(hours=2))
    assert outcome.action == CHANGED
    assert outcome.events == ("review.answered",)
    assert outcome.record.status == "answered"
    assert outcome.record.answered_at == datetime(2026, 12, 7, 21, 0, tzinfo=UTC)
    assert not outcome.escalate
    again = run({**BASE, "reply": reply}, existing=outcome.record, now=NOW + timedelta(hours=3))
    assert again.action == UNCHANGED and not again.events


def test_edit_is_recorded_with_the_rating_change():
    stored = run(BASE).record.evolve(escalation="esc-1")
    outcome = run({**BASE, "rating": 4, "text": "Перезвонили, всё решили"}, existing=stored, classification=POSITIVE)
    assert outcome.events == ("review.updated",)
    assert set(outcome.changed_fields) == {"rating", "text"}
    entry = outcome.history[0]
    assert entry.event == "edited" and entry.detail["rating"] == {"from": 1, "to": 4}
    assert outcome.record.first_rating == 1 and outcome.record.first_sentiment == "negative"


def test_old_review_on_first_import_is_backfill_and_not_escalated():
    outcome = run({**BASE, "created_at": "2026-10-01T10:00:00Z"})
    assert outcome.record.backfill and not outcome.escalate


def test_positive_is_not_escalated():
    assert not run({**BASE, "rating": 5}, classification=POSITIVE).escalate


def test_review_arriving_with_a_reply_is_answered_not_escalated():
    reply = {"text": "Спасибо", "created_at": "2026-12-07T14:00:00Z"}
    outcome = run({**BASE, "reply": reply})
    assert outcome.record.status == "answered" and outcome.record.answered_by == "platform"
    assert not outcome.escalate
