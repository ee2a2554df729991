from datetime import UTC, date, datetime

import pytest
from clinic_reviews.domain.classification.result import Classification
from clinic_reviews.domain.privacy import excerpt, redact_contacts
from clinic_reviews.domain.record import ReviewRecord
from clinic_reviews.domain.review import parse_review
from clinic_reviews.notify.messages import AlertContext, alert_email, alert_sms
from clinic_reviews.notify.senders import mime_message
from clinic_reviews.notify.sms_text import segments


def test_segments_gsm_and_ucs2():
    assert segments("a" * 160) == 1
    assert segments("a" * 161) == 2
    assert segments("a" * 306) == 2
    assert segments("я" * 70) == 1
    assert segments("я" * 71) == 2
    assert segments("я" * 134) == 2
    assert segments("я" * 135) == 3
    assert segments("{" * 80) == 1 and segments("{" * 81) == 2


@pytest.mark.parametrize(
    "text",
    ["звоните +7 (916) 123-45-67", "мой номер 89161234567", "пишите anna.k@mail.example.ru"],
)
def test_contacts_are_redacted(text):
    cleaned = redact_contacts(text)
    assert "[…]" in cleaned
    assert "@" not in cleaned and sum(ch.isdigit() for ch in cleaned) < 7


def test_excerpt_cuts_on_a_word_and_marks_it():
    text = "Очень долго ждали приёма у терапевта, администратор грубила"
    short = excerpt(text, 30)
    assert short.endswith("…") and len(short) <= 30 and not short[:-1].endswith(" ")


def _context(text: str, rating: int | None = 1, link: str | None = "https://y.example/r/1"):
    review = parse_review(
        {"source": "yandex", "external_id": "1", "clinic_id": "msk-arbat", "rating": rating, "text": text,
         "author": "Мария Иванова", "created_at": "2026-12-07T07:00:00Z"}
    )
    record = ReviewRecord(
        review=review,
        classification=Classification(sentiment="negative", score=-0.9, topics=("front_desk",), triage=1),
        chain_id="zdorovie",
        received_at=review.created_at,
        local_day=date(2026, 12, 7),
        content_hash=review.content_hash(),
    )
    return AlertContext(record, "Здоровье", "Здоровье на Арбате", "Europe/Moscow", "ru", "manager", 1, 3,
                        datetime(2026, 12, 7, 18, 0, tzinfo=UTC), link)


def test_sms_fits_two_segments_and_carries_no_personal_data():
    text = "Меня зовут Мария Иванова, мой телефон +7 916 123-45-67. " + "Администратор нахамила, ждали час. " * 20
    sms = alert_sms(_context(text))
    assert segments(sms) <= 2
    assert "916" not in sms and "Иванова" not in sms
    assert "Здоровье на Арбате" in sms and "1★" in sms and "21:00" in sms and "https://y.example/r/1" in sms


def test_sms_drops_a_link_that_cannot_fit():
    sms = alert_sms(_context("Плохо", link="https://example.org/" + "x" * 300))
    assert segments(sms) <= 2 and "example.org" not in sms


def test_rating_only_alert():
    assert "без оценки" in alert_sms(_context("", rating=None))


def test_email_escapes_html_and_redacts_contacts():
    email = alert_email(_context("<script>alert(1)</script> звоните 89161234567"))
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    assert "89161234567" not in email.html and "89161234567" not in email.text
    assert "<script>" in email.text  # plain text is not HTML: shown as written, minus contacts
    assert email.subject.startswith("Негативный отзыв 1★ · Здоровье на Арбате")


def test_mime_message_is_multipart_alternative_and_keeps_subject_spaces():
    import email
    import email.policy

    subject = "Негативный отзыв 1★ · Здоровье на Арбате · Яндекс Карты — ответить до 07.12 21:00"
    raw = mime_message("Здоровье <r@x.example>", ["a@x.example"], subject, "<p>привет</p>", "привет")
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Subject"] == subject
    assert parsed.get_body(("plain",)).get_content().strip() == "привет"
    assert "привет" in parsed.get_body(("html",)).get_content()
    assert max(len(line) for line in raw.split(b"\n")) <= 998
