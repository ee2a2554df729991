"""A complaint inside praise on the deployed template: one five-star mixed review from the intake to the morning
digest, through the store, the bus and the case console; no alarm ladder (docs/complaint-part.md)."""

from __future__ import annotations

from datetime import UTC, datetime

from .conftest import Recorder, review
from .test_cases_api import call, token
from .test_intake_flow import _tap

MOSCOW_MORNING = datetime(2026, 12, 8, 5, 0, tzinfo=UTC)  # 08:00 on 8 December in Moscow
MIXED = "Всё хорошо, врач внимательный, но администратор <i onclick=alert>нагрубил</i>"


def test_a_five_star_review_with_a_complaint_reaches_the_console_and_the_digest(aws, policy):
    tap = _tap(aws)
    sent = Recorder(aws)
    mixed = review("mixed-1", rating=5, text=MIXED)
    praise = review("praise-1", rating=5, text="Всё отлично, спасибо врачу")
    report = aws.invoke("IntakeFunction", {"reviews": [mixed, praise]})
    assert report["new"] == 2 and report["escalations"] == 0
    sent()
    assert sent.sms == [] and sent.emails == []  # a complaint inside praise needs an answer, not an alarm

    # the bus: the received event carries the complaint part
    received = {
        e["detail"]["review"]["external_id"]: e["detail"]["review"]
        for e in tap()
        if e["detail-type"] == "review.received"
    }
    assert received["mixed-1"]["sentiment"] == "positive"
    assert received["mixed-1"]["complaint"]["topics"] == ["front_desk"]
    assert received["mixed-1"]["complaint"]["text"].startswith("но администратор")
    assert received["praise-1"]["complaint"] is None

    # the console: a case for the mixed review alone, the complaint shown and escaped
    bearer = token(aws, policy, "review_manager")
    status, queue = call(aws, "GET", "/api/cases", bearer)
    assert status == 200 and [row["case"]["external_id"] for row in queue] == ["mixed-1"]
    case_id = queue[0]["case"]["id"]
    status, _, page = aws.http("CasesFunction", "GET", "/console", None, {"authorization": f"Bearer {bearer}"})
    assert status == 200 and "⚑ Жалоба внутри похвалы: ресепшн и телефон" in page.decode()
    status, _, page = aws.http(
        "CasesFunction", "GET", f"/console/cases/{case_id}", None, {"authorization": f"Bearer {bearer}"}
    )
    html = page.decode()
    assert status == 200 and 'id="complaint"' in html
    assert "<i onclick" not in html and "&lt;i onclick=alert&gt;нагрубил" in html

    # the morning digest flags it with its topic and words, and counts it
    aws.advance_to(MOSCOW_MORNING)
    before = len(aws.sent_emails())
    result = aws.run_schedule("DigestFunctionMorning")
    assert result["day"] == "2026-12-07" and result["open_negatives"] == 0
    digest = aws.sent_emails()[before]
    assert "Жалоба внутри похвалы" in digest.html and "<b>ресепшн и телефон</b>" in digest.html
    assert "⚑ 1</b> жалоб(ы) внутри положительных отзывов ждут ответа" in digest.html
    assert "<i onclick" not in digest.html and "ПРОСРОЧЕН" in digest.html  # past 21:00: overdue like a negative

    # still unanswered the next day: listed again under what is open from earlier days (gsi1 holds it)
    before = len(aws.sent_emails())
    aws.invoke("DigestFunction", {"chain_id": "zdorovie", "day": "2026-12-08"})
    next_day = aws.sent_emails()[before]
    assert "Открыто с прошлых дней (1)" in next_day.html and "Жалоба внутри похвалы" in next_day.html
