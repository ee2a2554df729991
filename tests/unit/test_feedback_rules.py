"""Who is asked after a visit, and when: consent, opt-out, asked recently, the send window across zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from clinic_reviews.domain import feedback as rules
from clinic_reviews.domain.feedback import InvalidVisit, check_at_send, decide, plan_send
from clinic_reviews.domain.policy import FeedbackSpec, PolicyError, load_policy
from clinic_reviews.domain.spec import check
from clinic_reviews.domain.visit import Visit, parse_visit
from pydantic import ValidationError

MOSCOW = ZoneInfo("Europe/Moscow")
VLADIVOSTOK = ZoneInfo("Asia/Vladivostok")
BERLIN = ZoneInfo("Europe/Berlin")
SPEC = FeedbackSpec()  # 10:00-20:00, 1h after the visit, within 24h, once per 30 days


def msk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MOSCOW)


def visit(**overrides) -> Visit:
    data = {
        "clinic_id": "msk-arbat",
        "visit_id": "V-1",
        "visit_end": "2026-12-07T11:30:00+03:00",
        "patient_phone": "+79161234567",
        "consent": True,
    }
    data.update(overrides)
    return parse_visit(data)


# ---------------------------------------------------------------------------------------------- when
def test_an_hour_after_a_morning_visit() -> None:
    assert plan_send(msk("2026-12-07T11:30"), msk("2026-12-07T11:31"), SPEC, MOSCOW) == msk("2026-12-07T12:30")


def test_an_early_visit_waits_for_the_window_to_open() -> None:
    assert plan_send(msk("2026-12-07T08:15"), msk("2026-12-07T08:20"), SPEC, MOSCOW) == msk("2026-12-07T10:00")


def test_an_evening_visit_goes_the_next_morning_not_at_night() -> None:
    assert plan_send(msk("2026-12-07T19:30"), msk("2026-12-07T19:31"), SPEC, MOSCOW) == msk("2026-12-08T10:00")


def test_the_window_is_the_patients_zone_not_the_clinics() -> None:
    # 11:00 in Moscow is 18:00 in Vladivostok: a patient there gets it at 19:00 their time
    assert plan_send(msk("2026-12-07T11:00"), msk("2026-12-07T11:00"), SPEC, VLADIVOSTOK) == msk("2026-12-07T12:00")
    # 12:30 in Moscow is 19:30 there: +1h is past 20:00, so 10:00 Vladivostok the next day (03:00 Moscow)
    assert plan_send(msk("2026-12-07T12:30"), msk("2026-12-07T12:30"), SPEC, VLADIVOSTOK) == msk("2026-12-08T03:00")
    assert plan_send(msk("2026-12-07T12:30"), msk("2026-12-07T12:30"), SPEC, MOSCOW) == msk("2026-12-07T13:30")


def test_an_event_that_arrives_late_is_sent_at_once_if_still_inside_the_window() -> None:
    assert plan_send(msk("2026-12-07T11:30"), msk("2026-12-07T15:05"), SPEC, MOSCOW) == msk("2026-12-07T15:05")


def test_too_old_to_ask_is_not_asked() -> None:
    # a file of yesterday's visits uploaded the next evening: more than 24h after the visit
    assert plan_send(msk("2026-12-07T11:30"), msk("2026-12-08T19:00"), SPEC, MOSCOW) is None
    # a visit at 20:30 with a 12h limit: the next window opens 13.5h after it
    strict = FeedbackSpec(max_age="12h")
    assert plan_send(msk("2026-12-07T20:30"), msk("2026-12-07T20:31"), strict, MOSCOW) is None


def test_across_the_change_to_summer_time() -> None:
    evening = datetime(2026, 3, 28, 19, 30, tzinfo=BERLIN)  # the night the clocks go forward
    moment = plan_send(evening, evening, SPEC, BERLIN)
    assert moment == datetime(2026, 3, 29, 10, 0, tzinfo=BERLIN)
    assert moment.astimezone(UTC) == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)  # CEST, not CET


def test_a_window_until_midnight() -> None:
    late = FeedbackSpec(send_window="09:00-24:00")
    assert plan_send(msk("2026-12-07T22:30"), msk("2026-12-07T22:30"), late, MOSCOW) == msk("2026-12-07T23:30")
    assert plan_send(msk("2026-12-07T23:30"), msk("2026-12-07T23:30"), late, MOSCOW) == msk("2026-12-08T09:00")


@pytest.mark.parametrize("window", ["20:00-10:00", "10:00-10:00", "10:00", "ten to eight", "25:00-26:00"])
def test_a_send_window_must_be_a_daytime_range(window) -> None:
    with pytest.raises(ValidationError):
        check(FeedbackSpec, {"send_window": window})


@pytest.mark.parametrize("field", ["delay", "max_age", "ask_again_after", "link_lifetime"])
def test_spans_need_units(field) -> None:
    with pytest.raises(ValidationError):
        check(FeedbackSpec, {field: "30"})


# ---------------------------------------------------------------------------------------------- who
NOW = msk("2026-12-07T11:35")


def test_a_consenting_patient_is_scheduled() -> None:
    decision = decide(visit(), SPEC, now=NOW, tz=MOSCOW, opted_out=False, last_asked=None)
    assert decision == rules.Decision(rules.SCHEDULED, send_at=msk("2026-12-07T12:30"))


def test_no_consent_no_message() -> None:
    decision = decide(visit(consent=False), SPEC, now=NOW, tz=MOSCOW, opted_out=False, last_asked=None)
    assert decision == rules.Decision(rules.SKIPPED, rules.NO_CONSENT)


def test_an_opted_out_patient_is_never_asked() -> None:
    decision = decide(visit(), SPEC, now=NOW, tz=MOSCOW, opted_out=True, last_asked=None)
    assert decision.reason == rules.OPTED_OUT


def test_asked_within_the_last_30_days_is_not_asked_again() -> None:
    recently = decide(visit(), SPEC, now=NOW, tz=MOSCOW, opted_out=False, last_asked=NOW - timedelta(days=29))
    assert recently.reason == rules.ASKED_RECENTLY
    long_ago = decide(visit(), SPEC, now=NOW, tz=MOSCOW, opted_out=False, last_asked=NOW - timedelta(days=30))
    assert long_ago.status == rules.SCHEDULED
    weekly = FeedbackSpec(ask_again_after="7d")
    assert decide(visit(), weekly, now=NOW, tz=MOSCOW, opted_out=False, last_asked=NOW - timedelta(days=8)).status == "scheduled"


def test_consent_and_opt_out_come_before_anything_else() -> None:
    decision = decide(visit(consent=False), SPEC, now=NOW, tz=MOSCOW, opted_out=True, last_asked=NOW)
    assert decision.reason == rules.NO_CONSENT
    decision = decide(visit(), SPEC, now=NOW, tz=MOSCOW, opted_out=True, last_asked=NOW)
    assert decision.reason == rules.OPTED_OUT


def test_a_chain_without_feedback_or_with_it_off_asks_nobody() -> None:
    assert decide(visit(), None, now=NOW, tz=MOSCOW, opted_out=False, last_asked=None).reason == rules.DISABLED
    off = FeedbackSpec(enabled=False)
    assert decide(visit(), off, now=NOW, tz=MOSCOW, opted_out=False, last_asked=None).reason == rules.DISABLED


def test_too_late_is_a_reason_of_its_own() -> None:
    decision = decide(visit(), SPEC, now=msk("2026-12-09T12:00"), tz=MOSCOW, opted_out=False, last_asked=None)
    assert decision == rules.Decision(rules.SKIPPED, rules.TOO_LATE)


# ---------------------------------------------------------------------------------------------- at send time
def test_at_send_time_the_rules_are_checked_again() -> None:
    end = msk("2026-12-07T11:30")
    assert check_at_send(end, msk("2026-12-07T12:30"), SPEC, MOSCOW, opted_out=False).action == "send"
    assert check_at_send(end, msk("2026-12-07T12:30"), SPEC, MOSCOW, opted_out=True) == rules.SendCheck("skip", "opted_out")
    assert check_at_send(end, msk("2026-12-07T12:30"), None, MOSCOW, opted_out=False).reason == "disabled"
    late = check_at_send(end, msk("2026-12-07T21:00"), SPEC, MOSCOW, opted_out=False)  # woke up after the window
    assert late == rules.SendCheck("wait", retry_at=msk("2026-12-08T10:00"))
    assert check_at_send(end, msk("2026-12-08T12:00"), SPEC, MOSCOW, opted_out=False).reason == "too_late"


# ---------------------------------------------------------------------------------------------- the event
def test_a_visit_event_is_validated_by_field_name_without_echoing_values() -> None:
    with pytest.raises(InvalidVisit) as caught:
        parse_visit({"clinic_id": "msk-arbat", "visit_id": "V-1", "visit_end": "2026-12-07T11:30:00",
                     "patient_phone": "+79161234567", "consent": "maybe", "language": "de"})
    message = str(caught.value)
    assert "visit_end" in message and "consent" in message and "language" in message
    assert "+79161234567" not in message and "maybe" not in message


def test_consent_must_be_an_explicit_boolean() -> None:
    with pytest.raises(InvalidVisit):
        parse_visit({"clinic_id": "c", "visit_id": "1", "visit_end": "2026-12-07T11:30:00Z", "patient_phone": "1"})
    with pytest.raises(InvalidVisit):
        parse_visit({"clinic_id": "c", "visit_id": "1", "visit_end": "2026-12-07T11:30:00Z", "patient_phone": "1",
                     "consent": "true"})


def test_optional_fields() -> None:
    parsed = visit(patient_timezone="Asia/Vladivostok", language="EN", doctor="Иванова А. А.", visit_id=12345)
    assert (parsed.patient_timezone, parsed.language, parsed.doctor, parsed.visit_id) == (
        "Asia/Vladivostok", "en", "Иванова А. А.", "12345")
    with pytest.raises(InvalidVisit):
        visit(patient_timezone="Europe/Moskow")


# ---------------------------------------------------------------------------------------------- the page
@pytest.mark.parametrize("rating", [None, 1, 2, 3, 4, 5])
def test_every_patient_sees_the_public_links_by_default(rating) -> None:
    assert rules.shows_public_links(SPEC, rating)
    assert rules.shows_public_links(None, rating)


def test_gating_is_only_by_the_explicit_flag() -> None:
    gated = FeedbackSpec(review_gating=True)
    assert [rules.shows_public_links(gated, r) for r in (None, 1, 2, 3, 4, 5)] == [False, False, False, False, True, True]


def test_the_director_is_offered_to_those_who_rated_one_to_three() -> None:
    assert [rules.offers_director(r) for r in (None, 1, 2, 3, 4, 5)] == [False, True, True, True, False, False]


@pytest.mark.parametrize("value", ["0", "6", "", None, "3.5", "three", "1; drop"])
def test_a_rating_is_one_to_five(value) -> None:
    with pytest.raises(ValueError):
        rules.parse_rating(value)


def test_comments_are_cut_and_cleaned() -> None:
    assert rules.clean_comment("  Ждала\r\nчас\x00  ") == "Ждала\nчас"
    assert len(rules.clean_comment("я" * 5000)) == rules.COMMENT_LIMIT


# ---------------------------------------------------------------------------------------------- the private answer
def test_a_private_answer_becomes_an_internal_review_naming_the_visit() -> None:
    context = rules.VisitContext("msk-arbat", "V-1", doctor="Иванова А. А.", service="консультация")
    review = rules.private_review(context, 2, "Ждала час", True, NOW, "ru")
    assert review["source"] == "visit_feedback" and review["external_id"] == "V-1" and review["rating"] == 2
    assert review["text"] == "Просит директора перезвонить.\nЖдала час\n[Визит V-1 · врач: Иванова А. А. · услуга: консультация]"
    assert "перезвонить" in review["text"] and "Визит V-1" in review["text"] and "Иванова" in review["text"]
    assert "author" not in review
    from clinic_reviews.domain.review import parse_review

    assert parse_review(review).created_at == NOW.astimezone(UTC)
    english = rules.private_review(rules.VisitContext("msk-arbat", "V-1"), 3, "", True, NOW, "en")
    assert english["text"] == "Asks the director to call back.\n[Visit V-1]"
    quiet = rules.private_review(rules.VisitContext("msk-arbat", "V-1"), 2, "Ждала час", False, NOW, "ru")
    assert quiet["text"] == "Ждала час\n[Визит V-1]"


def test_an_unhappy_private_answer_is_negative_whatever_its_words() -> None:
    from clinic_reviews.domain.classification import classify
    from clinic_reviews.domain.review import parse_review

    review = parse_review(rules.private_review(rules.VisitContext("c", "V-1"), 3, "Всё нормально", True, NOW, "ru"))
    plain = classify(review.text, review.rating, "ru")
    adjusted = rules.private_answer_classification(review, plain)
    assert adjusted.sentiment == "negative" and adjusted.triage in (1, 2, 3)
    happy = parse_review(rules.private_review(rules.VisitContext("c", "V-2"), 5, "Спасибо доктору!", False, NOW, "ru"))
    reading = classify(happy.text, happy.rating, "ru")
    assert rules.private_answer_classification(happy, reading) == reading


# ---------------------------------------------------------------------------------------------- the policy knob
def test_the_private_ladder_puts_the_director_first(policy) -> None:
    from clinic_reviews.domain.ladder import plan_escalation

    received = msk("2026-12-07T13:00")
    private = plan_escalation(policy, "msk-arbat", received, legal=False, source="visit_feedback")
    assert private[0].id == "director" and private[0].recipients[0].contact_id == "director"
    assert private[0].due == msk("2026-12-07T13:15")
    public = plan_escalation(policy, "msk-arbat", received, legal=False, source="yandex")
    assert public[0].id == "manager"
    assert plan_escalation(policy, "msk-arbat", received, legal=False) == public


def test_a_policy_without_a_private_ladder_uses_the_main_one(policy) -> None:
    data = policy.to_data()
    data.pop("feedback")
    old = load_policy(data)
    assert old.feedback is None and old.ladder_for("visit_feedback") == old.ladder
    data["feedback"] = {"send_window": "09:00-21:00"}
    plain = load_policy(data)
    assert plain.ladder_for("visit_feedback") == plain.ladder and plain.feedback.window[0].hour == 9


def test_the_private_ladder_is_checked_like_the_main_one(policy) -> None:
    data = policy.to_data()
    data["feedback"] = {"private_ladder": [
        {"id": "director", "within": "0m", "notify": [{"contact": "ghost", "channels": ["sms"]}]},
        {"id": "director", "within": "eod", "when": "legal", "notify": [{"contact": "director", "channels": ["sms"]}]},
    ]}
    with pytest.raises(PolicyError) as caught:
        load_policy(data)
    problems = "\n".join(caught.value.problems)
    assert "feedback.private_ladder[1].id: duplicate tier id 'director'" in problems
    assert "feedback.private_ladder[0].notify[0].contact: unknown contact 'ghost'" in problems


def test_the_feedback_section_survives_the_stored_json(policy) -> None:
    from clinic_reviews.domain.policy import Policy

    again = Policy.from_json(policy.to_json())
    assert again.feedback == policy.feedback and again.feedback.review_gating is False
