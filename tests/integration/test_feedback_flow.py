"""Post-visit feedback requests end to end: template.yaml in the local AWS, the virtual clock, real handlers."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from .conftest import Recorder

MONDAY_12_MSK = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
PATIENT = "+79161234567"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def visit(visit_id: str = "V-1", **overrides) -> dict:
    data = {
        "schema_version": "1",
        "clinic_id": "msk-arbat",
        "visit_id": visit_id,
        "visit_end": "2026-12-07T11:30:00+03:00",
        "patient_phone": "8 (916) 123-45-67",
        "consent": True,
        "language": "ru",
        "doctor": "Иванова А. А.",
    }
    data.update(overrides)
    return data


def send_visit(aws, detail: dict) -> None:
    aws.put_events("visit.completed", detail)
    aws.settle()


def link_path(text: str) -> str:
    return "/f/" + re.search(r"/f/([A-Za-z0-9_-]{28})", text).group(1)


def feedback_sms(aws) -> list[tuple[str, str]]:
    return [(phone, text) for phone, text in aws.sent_sms() if "/f/" in text]


def post(aws, path: str, **fields) -> tuple[int, dict, str]:
    status, headers, body = aws.http("FeedbackFunction", "POST", path, urlencode(fields), FORM)
    return status, headers, body.decode()


def get(aws, path: str) -> tuple[int, str]:
    status, _headers, body = aws.http("FeedbackFunction", "GET", path)
    return status, body.decode()


def figures(aws, month: str = "2026-12") -> dict:
    from clinic_reviews import compose
    from clinic_reviews.services.feedback import feedback_figures
    from clinic_reviews.settings import get_settings

    return feedback_figures(compose.Table(get_settings()).feedback, "zdorovie", month)["total"]


def request(aws, visit_id: str = "V-1", clinic_id: str = "msk-arbat"):
    from clinic_reviews import compose
    from clinic_reviews.domain.feedback import request_ref
    from clinic_reviews.settings import get_settings

    return compose.Table(get_settings()).feedback.get(request_ref(clinic_id, visit_id))


def table_text(aws) -> str:
    """Every item of the table as text (test-only: reads moto directly)."""
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends["123456789012"]["eu-central-1"].get_table(aws.outputs["TableName"])
    return json.dumps([item.to_json() for item in table.all_items()], ensure_ascii=False)


def sent_request(aws, visit_id: str = "V-1", **overrides) -> str:
    """A visit whose SMS went out; returns the link's path."""
    before = len(feedback_sms(aws))
    detail = visit(visit_id, **overrides)
    send_visit(aws, detail)
    aws.advance_to(request(aws, visit_id, detail["clinic_id"]).send_at)
    sms = feedback_sms(aws)[before:]
    assert len(sms) == 1, sms
    return link_path(sms[0][1])


# ---------------------------------------------------------------------------------------------- sending
def test_a_completed_visit_gets_one_sms_an_hour_later_and_the_phone_is_then_forgotten(stack_at):
    with stack_at(MONDAY_12_MSK) as aws:
        sent = Recorder(aws)
        send_visit(aws, visit())
        assert [e["status"] for e in aws.executions("FeedbackStateMachine")] == ["RUNNING"]
        assert PATIENT in table_text(aws)  # kept only until the SMS goes
        sent.advance_to(datetime(2026, 12, 7, 9, 29, tzinfo=UTC))
        assert sent.sms == []
        send_visit(aws, visit())  # the integrator sends the event again: still one request
        sent.advance_to(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
        [(at, phone, text)] = sent.sms
        assert at == datetime(2026, 12, 7, 9, 30, tzinfo=UTC)  # 12:30 in Moscow, an hour after the visit
        assert phone == PATIENT and link_path(text) in text
        from clinic_reviews.notify.sms_text import segments

        assert segments(text) <= 2 and "STOP" in text
        assert [e["status"] for e in aws.executions("FeedbackStateMachine")] == ["SUCCEEDED"]
        stored = table_text(aws)
        assert PATIENT not in stored and "9161234567" not in stored  # no phone anywhere once sent
        assert request(aws).status == "sent" and request(aws).phone_hash
        assert figures(aws)["visits"] == 1 and figures(aws)["sent"] == 1


def test_an_evening_visit_waits_for_the_morning_in_the_patients_zone(stack_at):
    with stack_at(MONDAY_12_MSK) as aws:
        sent = Recorder(aws)
        send_visit(aws, visit(visit_end="2026-12-07T12:30:00+03:00", patient_timezone="Asia/Vladivostok"))
        sent.advance_to(datetime(2026, 12, 8, 6, 0, tzinfo=UTC))
        # 12:30 in Moscow is 19:30 in Vladivostok: +1h is after 20:00 there, so 10:00 Vladivostok the next day
        assert [at for at, _, _ in sent.sms] == [datetime(2026, 12, 8, 0, 0, tzinfo=UTC)]


def test_no_consent_no_message_and_a_bad_number_is_rejected(aws):
    send_visit(aws, visit("V-1", consent=False))
    send_visit(aws, visit("V-2", patient_phone="+7 495 123-45-67"))  # a landline
    result = aws.invoke(
        "VisitsFunction", {"detail-type": "visit.completed", "detail": visit("V-3", patient_phone="+7 495 123-45-67")}
    )
    assert result["rejected"][0]["reason"] == "phone is not a mobile number (an SMS cannot reach it)"
    aws.advance_to(datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
    assert feedback_sms(aws) == []
    assert request(aws, "V-1").status == "skipped" and request(aws, "V-1").reason == "no_consent"
    assert request(aws, "V-2") is None
    assert figures(aws)["visits"] == 1 and figures(aws)["skipped"] == 1


def test_one_request_per_patient_in_thirty_days(stack_at):
    with stack_at(MONDAY_12_MSK) as aws:
        sent_request(aws, "V-1")
        send_visit(aws, visit("V-2", visit_end="2026-12-07T13:00:00+03:00", patient_phone="+7 916 123 45 67"))
        aws.advance_to(datetime(2026, 12, 8, 9, 0, tzinfo=UTC))
        assert len(feedback_sms(aws)) == 1
        assert request(aws, "V-2").reason == "asked_recently"
        aws.advance_to(datetime(2027, 1, 7, 9, 0, tzinfo=UTC))  # 31 days after the first request
        sent_request(aws, "V-3", visit_end="2027-01-07T11:30:00+03:00")


# ---------------------------------------------------------------------------------------------- opt-out
def inbound(aws, body: str, sender: str = PATIENT) -> None:
    message = {
        "originationNumber": sender,
        "destinationNumber": "+79000000099",
        "messageKeyword": "KEYWORD_123456789012",
        "messageBody": body,
        "inboundMessageId": "cae173d2-66b9-564c-8309-21f858e9fb84",
        "previousPublishedMessageId": "wJ0u2Xot2TWu3hTLDIGKTRD1ZxjTqTC8xBeWjWn3PX",
    }
    aws.client("sns").publish(TopicArn=aws.outputs["InboundSmsTopicArn"], Message=json.dumps(message))
    aws.settle()


def test_a_stop_reply_opts_the_number_out(stack_at):
    other = "+79161234568"
    with stack_at(MONDAY_12_MSK) as aws:
        sent_request(aws, "V-1")
        inbound(aws, "Спасибо, всё хорошо")  # not a STOP: nothing changes
        assert figures(aws)["opt_outs"] == 0
        inbound(aws, "СТОП!")
        assert figures(aws)["opt_outs"] == 1
        inbound(aws, "stop")  # once is enough
        assert figures(aws)["opt_outs"] == 1
        # another patient, scheduled, says STOP (to an earlier SMS) before the send moment: nothing goes
        send_visit(aws, visit("V-2", patient_phone=other, visit_end="2026-12-07T12:00:00+03:00"))
        inbound(aws, "STOP", sender=other)
        aws.advance_to(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
        assert len(feedback_sms(aws)) == 1
        assert (request(aws, "V-2").status, request(aws, "V-2").reason) == ("skipped", "opted_out")
        assert other not in table_text(aws)
        aws.advance_to(datetime(2027, 2, 1, 9, 0, tzinfo=UTC))  # long after "asked recently"
        send_visit(aws, visit("V-3", visit_end="2027-02-01T11:30:00+03:00"))
        aws.advance_to(datetime(2027, 2, 2, 9, 0, tzinfo=UTC))
        assert len(feedback_sms(aws)) == 1
        assert request(aws, "V-3").reason == "opted_out"
        assert aws.lambdas.errors == []


def test_opting_out_by_the_link(stack_at):
    with stack_at(MONDAY_12_MSK) as aws:
        path = sent_request(aws, "V-1")
        status, page = get(aws, path + "/optout")
        assert status == 200 and "Отказаться от таких SMS?" in page
        assert figures(aws)["opt_outs"] == 0  # GET asks, never acts
        status, _, page = post(aws, path + "/optout")
        assert status == 200 and "больше не придут" in page
        assert figures(aws)["opt_outs"] == 1
        aws.advance_to(datetime(2027, 2, 1, 9, 0, tzinfo=UTC))
        send_visit(aws, visit("V-2", visit_end="2027-02-01T11:30:00+03:00"))
        assert request(aws, "V-2").reason == "opted_out"


# ---------------------------------------------------------------------------------------------- the page
def test_get_never_changes_state_and_a_double_submission_counts_once(stack_at):
    with stack_at(MONDAY_12_MSK) as aws:
        path = sent_request(aws)
        for _ in range(2):
            status, page = get(aws, path)
            assert status == 200 and "Как прошёл ваш визит?" in page
        assert figures(aws)["opened"] == 0 and request(aws).rated_at is None  # link previews change nothing
        status, _, page = post(aws, path, comment="без оценки")
        assert status == 422 and 'role="alert"' in page and "Выберите оценку" in page
        status, headers, _ = post(aws, path, rating="5", comment="Спасибо доктору Ивановой!")
        assert status == 303 and headers["location"] == path
        status, headers, _ = post(aws, path, rating="1", comment="передумал")  # the back button and a second try
        assert status == 303
        totals = figures(aws)
        assert (totals["rated"], totals["rating_sum"], totals["opened"], totals["private_complaints"]) == (1, 5, 1, 0)
        status, page = get(aws, path)
        assert "Ваша оценка: 5 из 5." in page and "Написать директору" not in page
        assert "Яндекс Карты" in page  # the happy patient sees the public links, like everyone
        from clinic_reviews import compose
        from clinic_reviews.domain.review import ReviewKey
        from clinic_reviews.settings import get_settings

        record = compose.Table(get_settings()).reviews.get(ReviewKey("msk-arbat", "visit_feedback", "V-1"))
        assert record.review.rating == 5 and record.classification.sentiment == "positive"
        assert record.escalation is None and aws.executions() == []


def test_a_tampered_link_is_refused_and_an_expired_one_is_told_politely(stack_at):
    with stack_at(MONDAY_12_MSK) as aws:
        path = sent_request(aws)
        token = path.rsplit("/", 1)[1]
        tampered = "/f/" + token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
        status, page = get(aws, tampered)
        assert status == 404 and "Ссылка не действует" in page and "<form" not in page
        status, _, page = post(aws, tampered, rating="1", comment="x")
        assert status == 404 and figures(aws)["rated"] == 0
        status, page = get(aws, "/f/not-a-token")
        assert status == 404
        aws.advance_to(MONDAY_12_MSK + timedelta(days=8))  # the link lives 7 days after the SMS
        status, page = get(aws, path)
        assert status == 410 and "Срок действия ссылки истёк" in page and "<form" not in page
        status, _, page = post(aws, path, rating="1", comment="поздно")
        assert status == 410 and figures(aws)["rated"] == 0
        status, _, page = post(aws, path + "/optout")  # saying no still works on an old link
        assert status == 200 and figures(aws)["opt_outs"] == 1


def test_a_private_complaint_reaches_the_director_first_the_same_day(stack_at, policy):
    with stack_at(MONDAY_12_MSK) as aws:
        sent = Recorder(aws)
        path = sent_request(aws)
        sent()
        aws.advance_to(datetime(2026, 12, 7, 9, 40, tzinfo=UTC))  # 12:40 in Moscow
        status, _, _ = post(aws, path, rating="2", comment="Врач торопился и не выслушал")
        assert status == 303
        status, page = get(aws, path)
        assert "Написать директору напрямую" in page and "Прошу директора перезвонить мне" in page
        assert "Яндекс Карты" in page and "2ГИС" in page  # no gating: the unhappy see the public links too
        assert "Ваш комментарий передан руководству клиники." in page
        aws.advance_to(datetime(2026, 12, 7, 9, 45, tzinfo=UTC))
        status, _, _ = post(aws, path + "/director", message="Хочу обсудить лечение", callback="1")
        assert status == 303
        status, page = get(aws, path)
        assert "Вам перезвонят" in page and 'action="' + path + '/director"' not in page
        post(aws, path + "/director", message="ещё раз", callback="1")  # a double click
        sent.advance_to(datetime(2026, 12, 7, 19, 0, tzinfo=UTC))
        director = policy.contact("director", "msk-arbat").phone
        head = policy.contact("head_of_client_service", "msk-arbat").phone
        alerts = [(at, phone, text) for at, phone, text in sent.sms if "/f/" not in text]
        assert [(at, phone) for at, phone, _ in alerts] == [
            (datetime(2026, 12, 7, 9, 55, tzinfo=UTC), director),  # 12:55: 15 business minutes, director first
            (datetime(2026, 12, 7, 18, 0, tzinfo=UTC), head),  # still unanswered at closing time (21:00)
        ]
        assert "Просит директора перезвонить" in alerts[0][2] and "Врач торопился" in alerts[0][2]
        manager = policy.contact("review_manager", "msk-arbat").email
        assert any(manager in destinations for _, destinations, _ in sent.emails)
        from clinic_reviews import compose
        from clinic_reviews.domain.review import ReviewKey
        from clinic_reviews.settings import get_settings

        record = compose.Table(get_settings()).reviews.get(ReviewKey("msk-arbat", "visit_feedback", "V-1"))
        assert record.classification.sentiment == "negative" and record.review.author is None
        assert "Хочу обсудить лечение" in record.review.text and "ещё раз" not in record.review.text
        totals = figures(aws)
        assert (totals["private_complaints"], totals["callbacks"], totals["rated"]) == (1, 1, 1)


def test_a_three_with_only_a_call_back_request_still_reaches_the_director(stack_at, policy):
    with stack_at(MONDAY_12_MSK) as aws:
        path = sent_request(aws)
        post(aws, path, rating="3")
        assert aws.executions() == []  # a rating alone is not a complaint
        status, _, page = post(aws, path + "/director")
        assert status == 422 and "Напишите сообщение или отметьте" in page
        post(aws, path + "/director", callback="1")
        aws.advance_to(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
        director = policy.contact("director", "msk-arbat").phone
        assert [phone for phone, text in aws.sent_sms() if "/f/" not in text][:1] == [director]


def test_gating_only_when_the_chain_turns_it_on(stack_at, policy):
    gated = policy.evolve(feedback=policy.feedback.evolve(review_gating=True))
    with stack_at(MONDAY_12_MSK, gated) as aws:
        unhappy = sent_request(aws, "V-1")
        assert "Яндекс Карты" not in get(aws, unhappy)[1]
        post(aws, unhappy, rating="2")
        assert "Яндекс Карты" not in get(aws, unhappy)[1] and "Написать директору" in get(aws, unhappy)[1]
        aws.advance_to(datetime(2027, 1, 11, 9, 0, tzinfo=UTC))
        happy = sent_request(aws, "V-2", visit_end="2027-01-11T11:30:00+03:00")
        post(aws, happy, rating="5")
        assert "Яндекс Карты" in get(aws, happy)[1]


# ---------------------------------------------------------------------------------------------- files and figures
def test_a_csv_of_visits_dropped_into_the_imports_bucket(stack_at):
    csv = (
        "visit_id;visit_end;phone;consent;language\n"
        "V-10;2026-12-07T11:30:00+03:00;8 916 123-45-67;да;ru\n"
        "V-11;2026-12-07T11:40:00+03:00;+7 495 123-45-67;да;ru\n"
        "V-12;2026-12-07T11:50:00+03:00;+79161234500;нет;en\n"
    )
    with stack_at(MONDAY_12_MSK) as aws:
        aws.drop_file("visits/msk-arbat/2026-12-07.csv", csv.encode())
        aws.advance_to(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))
        assert [phone for phone, _ in feedback_sms(aws)] == [PATIENT]
        from botocore.exceptions import ClientError

        try:
            aws.read_object("visits/msk-arbat/2026-12-07.csv")
            raise AssertionError("the file of visits should be gone")
        except ClientError:
            pass
        report = json.loads(aws.read_object("visits-reports/visits/msk-arbat/2026-12-07.csv.json"))
        assert report["scheduled"] == 1 and report["skipped"] == {"no_consent": 1}
        assert report["rejected"] == [{"line": 3, "reason": "phone is not a mobile number (an SMS cannot reach it)"}]
        assert "916" not in json.dumps(report) and "495" not in json.dumps(report)


def test_conversion_figures_for_the_monthly_report(stack_at):
    with stack_at(MONDAY_12_MSK) as aws:
        first = sent_request(aws, "V-1")
        second = sent_request(aws, "V-2", patient_phone="+79161234568", visit_end="2026-12-07T13:00:00+03:00")
        aws.http("FeedbackFunction", "POST", first + "/seen")  # the page's script in a real browser
        aws.http("FeedbackFunction", "POST", first + "/seen")
        post(aws, first, rating="4")
        post(aws, first + "/click", source="yandex")
        post(aws, first + "/click", source="yandex")
        post(aws, first + "/click", source="2gis")
        post(aws, first + "/click", source="napopravka")  # not a link of this clinic
        post(aws, second, rating="1", comment="Грязно в коридоре")
        totals = figures(aws)
        assert {k: totals[k] for k in ("visits", "sent", "opened", "rated", "public_clicks", "private_complaints")} == {
            "visits": 2, "sent": 2, "opened": 2, "rated": 2, "public_clicks": 1, "private_complaints": 1,
        }
        assert totals["open_rate"] == 1.0 and totals["average_rating"] == 2.5
        assert figures(aws, "2026-11")["sent"] == 0
        from datetime import date

        from clinic_reviews.handlers import report as report_handler

        documents = report_handler.services().service.build("zdorovie", date(2026, 12, 1)).documents
        assert "ОПРОС ПАЦИЕНТОВ ПОСЛЕ ВИЗИТА · 12.2026" in documents.text
        assert "Отправлено SMS: 2\n" in documents.text and "Перешли к открытому отзыву: 1\n" in documents.text
        assert "Жалобы, переданные напрямую: 1" in documents.text
        assert "Опрос пациентов после визита" in documents.email_html and "Опрос пациентов" in documents.archive_html
        november = report_handler.services().service.build("zdorovie", date(2026, 11, 1)).documents
        assert "ОПРОС ПАЦИЕНТОВ" not in november.text  # a month without requests adds nothing
