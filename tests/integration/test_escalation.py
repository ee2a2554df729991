"""The escalation workflow: real ASL executed by moto, deadlines driven by the virtual clock."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .conftest import Recorder, review

MSK_MONDAY_10 = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)


def _phone(policy, contact: str, clinic: str) -> str:
    return policy.contact(contact, clinic).phone


def _tiers_fired(aws, clinic_id, source, external_id):
    from clinic_reviews import compose
    from clinic_reviews.domain.review import ReviewKey
    from clinic_reviews.settings import get_settings

    return compose.Table(get_settings()).reviews.get(ReviewKey(clinic_id, source, external_id)).tiers_fired


def test_friday_evening_in_yekaterinburg_waits_for_monday_opening(stack_at, policy):
    friday_2030 = datetime(2026, 12, 11, 15, 30, tzinfo=UTC)  # 20:30 in Yekaterinburg, after closing
    with stack_at(friday_2030) as aws:
        sent = Recorder(aws)
        aws.invoke("IntakeFunction", {"reviews": [review(clinic_id="ekb-center", source="2gis",
                                                         created_at="2026-12-11T15:30:00Z")]})
        sent()
        assert sent.sms == []  # nobody is woken up on Friday night
        sent.advance_to(datetime(2026, 12, 14, 2, 59, tzinfo=UTC))
        assert sent.sms == []
        sent.advance_to(datetime(2026, 12, 14, 16, 0, tzinfo=UTC))
        manager = _phone(policy, "review_manager", "ekb-center")
        head = _phone(policy, "head_of_client_service", "ekb-center")
        monday_0800 = datetime(2026, 12, 14, 3, 0, tzinfo=UTC)
        monday_2000 = datetime(2026, 12, 14, 15, 0, tzinfo=UTC)
        assert [(at, phone) for at, phone, _ in sent.sms][:2] == [(monday_0800, manager), (monday_2000, head)]
        assert "Ответить до 14.12 20:00" in sent.sms[0][2]


def test_a_review_in_the_january_holidays_waits_for_the_first_working_day(stack_at, policy):
    from clinic_reviews.domain.business_time import BusinessCalendar

    received = datetime(2027, 1, 3, 9, 0, tzinfo=UTC)  # noon in Moscow, a public holiday
    first_opening = policy.clinic("msk-arbat").calendar.next_opening(received)
    assert first_opening.date() > datetime(2027, 1, 8).date()  # the RU calendar closes Jan 1-8
    assert isinstance(policy.clinic("msk-arbat").calendar, BusinessCalendar)
    with stack_at(received) as aws:
        sent = Recorder(aws)
        aws.invoke("IntakeFunction", {"reviews": [review(created_at="2027-01-03T09:00:00Z")]})
        sent.advance_to(datetime(2027, 1, 12, tzinfo=UTC))
        assert sent.sms[0][0] == first_opening.astimezone(UTC)


def test_answered_between_tiers_stops_the_ladder(aws, policy):
    sent = Recorder(aws)
    aws.invoke("IntakeFunction", {"reviews": [review()]})
    sent()
    assert len(sent.sms) == 1  # the review manager, at once
    reply = {"text": "Здравствуйте! Нам очень жаль...", "created_at": "2026-12-07T09:00:00Z"}
    sent.advance_to(datetime(2026, 12, 7, 9, 5, tzinfo=UTC))
    aws.invoke("IntakeFunction", {"reviews": [review(reply=reply)]})
    sent.advance_to(datetime(2026, 12, 9, 20, 0, tzinfo=UTC))  # past every deadline
    assert len(sent.sms) == 1
    [execution] = aws.executions()
    assert execution["status"] == "SUCCEEDED"
    assert _tiers_fired(aws, "msk-arbat", "yandex", "r-1") == {"manager"}


def test_a_retried_step_sends_no_second_sms(aws, policy, monkeypatch):
    from moto.ses.models import SESBackend

    original = SESBackend.send_raw_email
    failures = []

    def flaky(self, *args, **kwargs):
        if not failures:
            failures.append(1)
            raise RuntimeError("SES is having a moment")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SESBackend, "send_raw_email", flaky)
    aws.invoke("IntakeFunction", {"reviews": [review()]})
    aws.advance_to(aws.clock.now() + timedelta(minutes=1))  # the step's retry interval elapses on the virtual clock
    assert failures == [1]
    assert len(aws.sent_sms()) == 1 and len(aws.sent_emails()) == 1
    assert aws.lambdas.invocations[aws.physical("EscalateFunction")] == 2
    history = aws.execution_history(aws.executions()[0]["executionArn"])
    assert [e["type"] for e in history].count("TaskFailed") == 1


def test_a_backfill_import_is_stored_and_not_escalated(aws):
    report = aws.invoke("IntakeFunction", {"reviews": [review("old", created_at="2026-10-01T10:00:00Z")]})
    assert report["new"] == 1 and report["escalations"] == 0
    assert aws.executions() == [] and aws.sent_sms() == []


def test_a_legal_threat_reaches_the_legal_department_at_once(aws, policy):
    text = "Врач поставил неверный диагноз. Подам в суд и напишу в прокуратуру и Росздравнадзор!"
    aws.invoke("IntakeFunction", {"reviews": [review("legal", text=text)]})
    legal = policy.contact("legal", "msk-arbat")
    destinations = [m.destinations[0] for m in aws.sent_emails()]
    assert legal.email in destinations
    assert _tiers_fired(aws, "msk-arbat", "yandex", "legal") >= {"legal", "manager"}


def test_quiet_hours_hold_a_non_urgent_tier_until_morning(stack_at, policy):
    quiet = policy.evolve(chain=policy.chain.evolve(quiet_hours="20:00-08:00"))
    with stack_at(MSK_MONDAY_10, quiet) as aws:
        sent = Recorder(aws)
        aws.invoke("IntakeFunction", {"reviews": [review()]})
        sent.advance_to(datetime(2026, 12, 8, 12, 0, tzinfo=UTC))
        head = _phone(policy, "head_of_client_service", "msk-arbat")
        head_sms = [at for at, phone, _ in sent.sms if phone == head]
        assert head_sms == [datetime(2026, 12, 8, 5, 0, tzinfo=UTC)]  # 08:00 Moscow, not 21:00


def test_the_daily_sms_cap_moves_alerts_to_email(stack_at, policy):
    capped = policy.evolve(chain=policy.chain.evolve(sms_daily_cap=1))
    with stack_at(MSK_MONDAY_10, capped) as aws:
        aws.invoke("IntakeFunction", {"reviews": [review("one"), review("two")]})
        assert len(aws.sent_sms()) == 1
        assert len(aws.sent_emails()) == 2  # both reviews still reach the manager


def test_the_ack_link_stops_the_escalation(aws, policy):
    sent = Recorder(aws)
    aws.invoke("IntakeFunction", {"reviews": [review()]})
    sent()
    email = aws.sent_emails()[0]
    match = re.search(r"(/a/[A-Za-z0-9_-]{22})", email.text)
    assert match, email.text
    path = match.group(1)
    status, headers, body = aws.http("AckFunction", "GET", path)
    assert status == 200 and "нахамила" in body.decode() and "остановить эскалацию" in body.decode()
    assert headers["cache-control"] == "no-store"
    assert _tiers_fired(aws, "msk-arbat", "yandex", "r-1") == {"manager"}
    status, _, body = aws.http("AckFunction", "POST", path)
    assert status == 200 and "эскалация остановлена" in body.decode()
    status, _, body = aws.http("AckFunction", "POST", path)
    assert "уже ответили" in body.decode()
    sent.advance_to(datetime(2026, 12, 9, 20, 0, tzinfo=UTC))
    assert len(sent.sms) == 1
    assert aws.executions()[0]["status"] == "SUCCEEDED"
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    assert aws.http("AckFunction", "GET", tampered)[0] == 404
    assert aws.http("AckFunction", "GET", "/a/<script>")[0] == 404
