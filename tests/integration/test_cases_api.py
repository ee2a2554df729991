"""The case API on the deployed CasesFunction: auth, roles, clinic scoping, clear 4xx, audit, events, OpenAPI,
and a case worked through the API stopping the escalation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from .conftest import Recorder, review
from .test_events_and_store import validators  # noqa: F401 - the fixture, reused
from .test_intake_flow import _tap

ROOT = Path(__file__).resolve().parents[2]


def token(aws, policy, user_id: str) -> str:
    """A demo user's ID token, signed in through the local user pool."""
    from clinic_reviews_local.console import token_for

    return token_for(aws, policy, user_id)


def call(aws, method: str, path: str, bearer: str | None = None, body=None, raw: str | None = None):
    headers = {"content-type": "application/json"}
    if bearer:
        headers["authorization"] = f"Bearer {bearer}"
    payload = raw if raw is not None else (None if body is None else json.dumps(body))
    status, _, data = aws.http("CasesFunction", method, path, payload, headers)
    return status, json.loads(data) if data else None


@pytest.fixture
def case(aws, policy):
    aws.invoke("IntakeFunction", {"reviews": [review()]})
    status, queue = call(aws, "GET", "/api/cases", token(aws, policy, "review_manager"))
    assert status == 200 and len(queue) == 1
    return queue[0]["case"]


def test_without_a_valid_token_nothing_is_served(aws, policy, case):
    assert call(aws, "GET", "/api/cases")[0] == 401
    status, body = call(aws, "GET", "/api/cases", "not-a-jwt")
    assert status == 401 and body["message"] == "invalid token"
    forged = token(aws, policy, "review_manager")[:-4] + "AAAA"
    assert call(aws, "GET", "/api/cases", forged)[0] == 401
    from clinic_reviews.clients import secret_bytes
    from clinic_reviews.console.auth import User, issue

    director = User("x", "X", "director", ("msk-arbat",), "zdorovie")  # script tokens
    other_key = issue(director, b"another-key-of-thirty-two-bytes!", aws.clock.now())
    assert call(aws, "GET", "/api/cases", other_key)[0] == 401
    assert call(aws, "GET", "/api/cases", issue(director, secret_bytes("console_secret_name"), aws.clock.now()))[0] == 200
    expired = issue(director, secret_bytes("console_secret_name"), aws.clock.now() - timedelta(days=2))
    status, body = call(aws, "GET", "/api/cases", expired)
    assert status == 401 and "expired" in body["message"]


def test_a_clinic_manager_sees_only_their_clinics(aws, policy, case):
    aws.invoke("IntakeFunction", {"reviews": [review("e-1", clinic_id="ekb-center")]})
    olga = token(aws, policy, "review_manager@ekb-center")
    status, queue = call(aws, "GET", "/api/cases", olga)
    assert status == 200 and {row["case"]["clinic_id"] for row in queue} == {"ekb-center"}
    assert call(aws, "GET", f"/api/cases/{case['id']}", olga)[0] == 404  # not revealed
    assert call(aws, "POST", f"/api/cases/{case['id']}/take", olga)[0] == 404
    status, body = call(aws, "GET", "/api/cases?clinic=msk-arbat", olga)
    assert status == 403 and body["message"] == "you have no access to clinic msk-arbat"
    status, queue = call(aws, "GET", "/api/cases", token(aws, policy, "director"))
    # soonest deadline first: 20:00 in Yekaterinburg (15:00Z) comes before 21:00 in Moscow (18:00Z)
    assert [row["case"]["clinic_id"] for row in queue] == ["ekb-center", "msk-arbat"]


def test_bad_input_gets_a_clear_4xx_never_a_stack_trace(aws, policy, case):
    anna = token(aws, policy, "review_manager")
    url = f"/api/cases/{case['id']}"
    status, body = call(aws, "POST", f"{url}/actions", anna, {"kind": "patient_called"})
    assert status == 409 and body == {"message": "take the case first"}
    assert call(aws, "POST", f"{url}/take", anna)[0] == 200
    status, body = call(aws, "POST", f"{url}/actions", anna, {"kind": "dance"})
    assert status == 422 and body["message"].startswith("invalid request: kind: Input should be")
    status, body = call(aws, "POST", f"{url}/actions", anna, {"kind": "sorry_bonus", "bonus_kind": "taxi"})
    assert status == 400 and "needs its value" in body["message"]
    status, body = call(aws, "POST", f"{url}/close", anna, raw="{not json")
    assert status == 400 and body["message"].startswith("the body is not JSON")
    status, body = call(aws, "POST", f"{url}/close", anna, {"outcome": "patient_satisfied",
                                                            "root_cause": {"topic": "doctor", "systemic": True}})
    assert status == 400 and body["message"] == "a systemic root cause needs a note on the fix"
    status, body = call(aws, "GET", "/api/cases/zzz", anna)
    assert status == 404 and body == {"message": "no such case"}
    status, body = call(aws, "GET", "/api/cases?clinic=nowhere", anna)
    assert status == 404 and "unknown clinic" in body["message"]
    status, body = call(aws, "POST", f"{url}/reply", anna, {"text": "Анна, ждём вас 12 декабря, телефон +79161234567"})
    assert status == 422 and {p["kind"] for p in body["problems"]} >= {"phone", "date"}
    status, body = call(aws, "POST", f"{url}/actions", anna, {"kind": 5})
    assert 400 <= status < 500 and "Traceback" not in json.dumps(body)
    status, body = call(aws, "POST", f"{url}/actions", anna, {"kind": "patient_called", "bonus": 1, "note": 7})
    assert status == 422 and body["problems"] == ["note: Input should be a valid string",
                                                  "bonus: Extra inputs are not permitted"]
    status, body = call(aws, "POST", f"{url}/close", anna, raw="")
    assert status == 422 and body["message"] == "invalid request: body: Field required"
    headers = {"content-type": "application/x-www-form-urlencoded", "authorization": f"Bearer {anna}"}
    status, _, data = aws.http("CasesFunction", "POST", f"{url}/actions", "kind=patient_called", headers)
    assert status == 415 and json.loads(data) == {"message": "send the body as application/json"}
    assert call(aws, "POST", f"{url}/actions", None, {"kind": "dance"})[0] == 401  # who asks, before what is asked


def test_roles(aws, policy):
    aws.invoke("IntakeFunction", {"reviews": [review("legal-1", text="Подам в суд и напишу в прокуратуру: хамство и грязь")]})
    director = token(aws, policy, "director")
    [row] = call(aws, "GET", "/api/cases", director)[1]
    case_id = row["case"]["id"]
    assert row["case"]["legal"]
    lawyer = token(aws, policy, "legal")
    status, body = call(aws, "POST", f"/api/cases/{case_id}/take", lawyer)
    assert status == 403 and body["message"] == "the role legal may not take"
    anna = token(aws, policy, "review_manager")
    assert call(aws, "POST", f"/api/cases/{case_id}/take", anna)[0] == 200
    status, body = call(aws, "POST", f"/api/cases/{case_id}/reply", anna, {"by_hand": True})
    assert status == 403 and "legal department" in body["message"]
    assert call(aws, "POST", f"/api/cases/{case_id}/actions", lawyer, {"kind": "escalated_to_legal"})[0] == 200
    status, body = call(aws, "POST", f"/api/cases/{case_id}/reply", lawyer, {"by_hand": True})
    assert status == 200 and body["case"]["status"] == "replied_publicly", body


def test_a_case_through_the_api_stops_the_escalation_and_is_audited(aws, policy, validators):  # noqa: F811
    tap = _tap(aws)
    sent = Recorder(aws)
    aws.invoke("IntakeFunction", {"reviews": [review()]})
    sent()
    assert len(sent.sms) == 1  # the review manager, at once
    anna = token(aws, policy, "review_manager")
    [row] = call(aws, "GET", "/api/cases", anna)[1]
    case_id = row["case"]["id"]
    sent.advance_to(datetime(2026, 12, 7, 9, 0, tzinfo=UTC))
    assert call(aws, "POST", f"/api/cases/{case_id}/take", anna)[0] == 200
    status, detail = call(aws, "GET", f"/api/cases/{case_id}", anna)
    assert status == 200 and detail["draft"]["check"]["ok"] and "Мария" not in detail["review"]["text"]
    status, body = call(aws, "POST", f"/api/cases/{case_id}/reply", anna, {})
    assert status == 200 and body["reply_mode"] == "by_hand"  # Yandex has no reply API
    sent.advance_to(datetime(2026, 12, 9, 20, 0, tzinfo=UTC))  # past every deadline
    assert len(sent.sms) == 1
    [execution] = aws.executions()
    assert execution["status"] == "SUCCEEDED"
    from clinic_reviews import compose
    from clinic_reviews.domain.review import ReviewKey
    from clinic_reviews.handlers import digest as digest_handler
    from clinic_reviews.handlers import report as report_handler
    from clinic_reviews.settings import get_settings

    record = compose.Table(get_settings()).reviews.get(ReviewKey("msk-arbat", "yandex", "r-1"))
    assert record.status == "answered" and record.answered_by == "case:review_manager"
    anna = token(aws, policy, "review_manager")
    close = {"outcome": "patient_satisfied", "root_cause": {"topic": "front_desk", "systemic": True, "fix_note": "обучение"}}
    status, closed = call(aws, "POST", f"/api/cases/{case_id}/close", anna, close)
    assert status == 200 and closed["status"] == "closed"
    assert call(aws, "GET", "/api/cases", anna)[1] == []  # off the queue
    log = compose.Table(get_settings()).cases.log(case_id)
    assert [(e.event, e.actor, e.role, e.via) for e in log] == [
        ("case.opened", "system", "director", "system"),
        ("case.taken", "review_manager", "review_manager", "api"),
        ("case.action_recorded", "review_manager", "review_manager", "api"),
        ("case.closed", "review_manager", "review_manager", "api"),
    ]
    assert log[2].action.reply_mode == "by_hand" and log[1].at == datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    events = tap()
    kinds = [e["detail-type"] for e in events]
    assert {"case.opened", "case.taken", "case.action_recorded", "case.closed", "review.answered"} <= set(kinds)
    for event in events:
        errors = sorted(validators[event["detail-type"]].iter_errors(event["detail"]), key=str)
        assert not errors, f"{event['detail-type']}: {errors[0].message}"
    assert "обучение" not in json.dumps(events, ensure_ascii=False)  # no free text on the bus
    # the digest of the day shows the case block
    _, email = digest_handler.services().service.build("zdorovie", datetime(2026, 12, 9).date())
    assert "Работа со случаями" in email.html and "Негатив развернули" in email.text
    # and the monthly report the month's
    report = report_handler.services().service.build("zdorovie", datetime(2026, 12, 1).date())
    assert "РАБОТА СО СЛУЧАЯМИ" in report.documents.text and "Работа со случаями" in report.documents.archive_html


def test_analytics_endpoint(aws, policy, case):
    director = token(aws, policy, "director")
    status, figures = call(aws, "GET", "/api/analytics?start=2026-12-07&end=2026-12-07", director)
    assert status == 200 and figures["opened"] == 1 and figures["target"] == [0.6, 0.7]
    status, body = call(aws, "GET", "/api/analytics?start=2026-12-07&end=2026-01-07", director)
    assert status == 400 and body["message"] == "the period ends before it starts"
    assert call(aws, "GET", "/api/analytics?start=yesterday&end=2026-12-07", director)[0] == 422


def test_the_openapi_document_is_generated_from_the_code_and_committed(aws):
    from clinic_reviews.console.api_doc import openapi_document

    status, served = call(aws, "GET", "/openapi.json")
    assert status == 200 and served["openapi"].startswith("3.")
    assert {"/api/cases", "/api/cases/{case_id}", "/api/cases/{case_id}/take", "/api/cases/{case_id}/actions",
            "/api/cases/{case_id}/reply", "/api/cases/{case_id}/close", "/api/analytics"} <= set(served["paths"])
    assert not any(path.startswith("/console") for path in served["paths"])
    assert served["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    committed = json.loads((ROOT / "docs" / "api" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == json.loads(openapi_document()), "regenerate docs/api/openapi.json (docs/cases.md)"
