"""A complaint inside praise after classification: the intake's decision, the event, the digest (no AWS).

Decision (docs/complaint-part.md): a review that is not negative but holds a complaint part needs an answer,
not an alarm. It opens a case in the console (no SMS/e-mail ladder), is open until answered, and the digest
flags it with its topics and words; past the chain's reply deadline it is overdue like a negative.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from clinic_reviews.domain.classification import classify
from clinic_reviews.domain.classification.result import ComplaintPart
from clinic_reviews.domain.digest import build_digest, status_of
from clinic_reviews.domain.intake import UNCHANGED, assess
from clinic_reviews.domain.review import parse_review
from clinic_reviews.events import review_detail
from clinic_reviews.notify.digest_render import digest_email
from jsonschema import Draft202012Validator

from .records import make_record

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
DAY = date(2026, 12, 7)
MIXED = "Всё хорошо, врач внимательный, но администратор нагрубил"
BASE = {
    "source": "yandex",
    "external_id": "m-1",
    "clinic_id": "msk-arbat",
    "rating": 5,
    "text": MIXED,
    "created_at": "2026-12-07T06:55:00Z",
}


def run(data, existing=None, now=NOW):
    review = parse_review(data)
    return assess(
        review,
        classify(review.text, review.rating),
        existing,
        chain_id="zdorovie",
        clinic_tz="Europe/Moscow",
        now=now,
        backfill_window=timedelta(hours=72),
    )


# ------------------------------------------------------------------------------------------- the intake's decision
def test_a_five_star_review_with_a_complaint_opens_a_case_but_no_alarm() -> None:
    outcome = run(BASE)
    cls = outcome.record.classification
    assert cls.sentiment == "positive" and cls.complaint.topics == ("front_desk",)
    assert outcome.flag and not outcome.escalate
    assert outcome.record.needs_answer and not outcome.record.is_open_negative


@pytest.mark.parametrize(
    "changes",
    [
        {"text": "Всё хорошо, врач внимательный, администратор вежливый"},  # plain praise
        {"reply": {"text": "Спасибо!", "created_at": "2026-12-07T07:00:00Z"}},  # answered already
        {"created_at": "2026-11-01T06:55:00Z"},  # backfill: stored and reported, never escalated
        {"rating": 1},  # a negative: the escalation ladder, not a flag
    ],
)
def test_what_does_not_flag(changes) -> None:
    assert not run({**BASE, **changes}).flag


def test_a_refetch_heals_the_case_until_it_is_done_and_an_edit_that_adds_a_complaint_flags_once() -> None:
    first = run(BASE)
    assert first.record.follow_up  # the write says its case is still to open
    # the next poll or a redelivery after a failure between the write and the case opens it again: the case
    # write is conditional, so a case that exists is left as it is (chaos at 0.2, seed 5)
    later = NOW + timedelta(days=3)
    redelivered = run(BASE, first.record, now=later)
    assert redelivered.action == UNCHANGED and redelivered.record is None and redelivered.flag
    assert not run(BASE, first.record.evolve(follow_up=False), now=later).flag  # done: the marker was cleared
    praise = run({**BASE, "text": "Всё хорошо"})
    assert not praise.flag and not praise.record.follow_up
    edited = run(BASE, praise.record)
    assert edited.flag and edited.record.follow_up
    again = run({**BASE, "text": MIXED + ", очень"}, edited.record.evolve(follow_up=False))
    assert not again.flag and not again.record.follow_up  # still the same complaint
    # an edit before the first case was opened still opens it
    assert run({**BASE, "text": MIXED + ", очень"}, edited.record).flag


# ------------------------------------------------------------------------------------------- the event
def test_the_event_carries_the_complaint_part_and_matches_its_schema() -> None:
    schema = json.loads((ROOT / "infra/schemas/review.v1.json").read_text())
    validator = Draft202012Validator(schema)
    detail = review_detail(run(BASE).record)
    assert detail["sentiment"] == "positive"
    assert detail["complaint"] == {"topics": ["front_desk"], "text": "но администратор нагрубил"}
    validator.validate(detail)
    assert review_detail(run({**BASE, "text": "Всё хорошо"}).record)["complaint"] is None
    validator.validate(review_detail(run({**BASE, "text": "Всё хорошо"}).record))
    broken = {**detail, "complaint": {"topics": ["parking"], "text": "x"}}
    assert not validator.is_valid(broken)


# ------------------------------------------------------------------------------------------- the digest
def _flagged(policy, text=MIXED, author="Мария Иванова", **kwargs):
    record = make_record(policy, "c-1", rating=5, text=text, author=author, topics=("doctor", "front_desk"), **kwargs)
    part = classify(text, 5).complaint
    assert part is not None
    return record.evolve(classification=replace(record.classification, complaint=part))


def test_the_digest_flags_the_complaint_with_its_topic_and_words(policy) -> None:
    record = _flagged(policy)
    digest = build_digest([record], [], policy, DAY, datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
    item = digest.items[0]
    assert item.sentiment == "positive" and item.complaint_topics == ("front_desk",)
    assert item.complaint == "но администратор нагрубил"
    assert item.status == "open" and item.due_local == "07.12 21:00"
    assert digest.open_complaints == 1 and digest.open_negatives == 0
    email = digest_email(digest)
    assert "Жалоба внутри похвалы" in email.html and "«но администратор нагрубил»" in email.html
    assert "<b>ресепшн и телефон</b>" in email.html.split("Жалоба внутри похвалы")[1][:100]
    assert "Жалоба внутри похвалы" in email.text and "1 жалоб(ы) внутри положительных отзывов" in email.text


def test_an_unanswered_complaint_part_becomes_overdue_and_an_answered_one_is_done(policy) -> None:
    record = _flagged(policy)
    assert status_of(record, policy, datetime(2026, 12, 8, 5, 0, tzinfo=UTC)) == "overdue"
    answered = _flagged(policy, answered_after=timedelta(minutes=30))
    digest = build_digest([answered], [], policy, DAY, datetime(2026, 12, 8, 5, 0, tzinfo=UTC))
    assert digest.items[0].status == "answered" and digest.open_complaints == 0


def test_the_complaint_in_the_digest_is_escaped_and_without_contacts_or_names(policy) -> None:
    text = "Всё хорошо, но администратор Мария +7 916 123-45-67 <i onclick=x>нагрубила</i>"
    record = _flagged(policy, text=text, author="Мария Иванова")
    email = digest_email(build_digest([record], [], policy, DAY, NOW))
    flagged = email.html.split("Жалоба внутри похвалы")[1].split("</div>")[0]
    assert "<i onclick" not in email.html and "&lt;i onclick=x&gt;нагрубила" in flagged
    assert "916" not in flagged and "Мария" not in flagged and "администратор" in flagged


def test_a_review_without_a_complaint_part_is_not_flagged(policy) -> None:
    record = make_record(policy, "p-1", rating=5, text="Всё отлично", topics=("doctor",))
    digest = build_digest([record], [], policy, DAY, NOW)
    assert digest.items[0].complaint_topics == () and digest.open_complaints == 0
    assert "Жалоба внутри похвалы" not in digest_email(digest).html


def test_a_stored_complaint_part_reads_back() -> None:
    part = ComplaintPart(("waiting", "billing"), "но долго и дорого")
    assert ComplaintPart.from_json(part.to_json()) == part
    assert ComplaintPart.from_json(None) is None


# ------------------------------------------------------------------------------------------- the reply draft
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (MIXED, "о работе администраторов: "),
        ("Everything was fine, but the administrator was rude", "about our front desk: "),
    ],
)
def test_the_draft_thanks_and_answers_the_complaint(text, expected) -> None:
    from clinic_reviews.domain.replies.drafts import draft_reply

    draft = draft_reply("k-1", text, classify(text, 5))
    assert draft.case == "positive" and draft.check.ok
    assert expected in draft.text
    plain = draft_reply("k-1", "Всё отлично, спасибо", classify("Всё отлично, спасибо", 5))
    assert "подвели" not in plain.text and "личные сообщения" not in plain.text


def test_an_unanswered_complaint_part_from_an_earlier_day_is_still_listed(policy) -> None:
    earlier = _flagged(policy, created=datetime(2026, 12, 5, 7, 0, tzinfo=UTC))
    negative = make_record(policy, "n-1", created=datetime(2026, 12, 5, 8, 0, tzinfo=UTC))
    digest = build_digest([], [earlier, negative], policy, DAY, datetime(2026, 12, 8, 5, 0, tzinfo=UTC))
    assert digest.open_negatives == 1 and digest.open_complaints == 1
    email = digest_email(digest)
    still_open = email.html.split("Открыто с прошлых дней")[1]
    assert "Жалоба внутри похвалы" in still_open and "ПРОСРОЧЕН" in still_open
    assert email.subject.endswith("1 открытый негатив")
