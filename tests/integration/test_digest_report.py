"""The digest and the monthly report on the deployed template: local days, MIME that SES accepts, clinic
recipients, the report's related images, archive and month boundaries."""

from __future__ import annotations

import email
import email.policy
import json
import re
from datetime import UTC, datetime

import pytest
import yaml
from clinic_reviews.domain.policy import load_policy

from .conftest import review

MOSCOW_MORNING = datetime(2026, 12, 8, 5, 0, tzinfo=UTC)  # 08:00 on 8 December in Moscow


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_string(message.raw, policy=email.policy.default)


def test_a_review_at_2330_in_vladivostok_is_in_that_days_digest(aws):
    aws.advance_to(datetime(2026, 12, 7, 13, 30, tzinfo=UTC))  # 23:30 in Vladivostok, 16:30 in Moscow
    late = review("vvo-late", clinic_id="vvo-svetlanskaya", source="2gis", rating=5, text="Спасибо за вечерний приём",
                  created_at="2026-12-07T13:29:00Z")
    aws.invoke("IntakeFunction", {"reviews": [late]})
    aws.advance_to(datetime(2026, 12, 7, 14, 30, tzinfo=UTC))  # 00:30 on the 8th in Vladivostok, still the 7th in Moscow
    after = review("vvo-next", clinic_id="vvo-svetlanskaya", source="2gis", rating=5, text="Спасибо, всё хорошо",
                   created_at="2026-12-07T14:29:00Z")
    aws.invoke("IntakeFunction", {"reviews": [after]})
    seventh = aws.invoke("DigestFunction", {"chain_id": "zdorovie", "day": "2026-12-07"})
    eighth = aws.invoke("DigestFunction", {"chain_id": "zdorovie", "day": "2026-12-08"})
    assert seventh["reviews"] == 1 and eighth["reviews"] == 1
    digests = [m for m in aws.sent_emails() if "сводка" in m.subject]
    by_day = {("07.12.2026" in m.subject): m for m in digests}
    assert "07.12 23:29" in by_day[True].html and "вечерний" in by_day[True].html
    assert "08.12 00:29" in by_day[False].html and "вечерний" not in by_day[False].html


def test_the_digest_is_a_multipart_message_ses_accepted(aws, policy):
    hostile = review("h-1", text='<script>alert(1)</script><img src=x onerror="alert(2)"> Ужасно, ждали час')
    aws.invoke("IntakeFunction", {"reviews": [hostile, review("g", source="google", rating=5, text="Спасибо!")]})
    aws.advance_to(MOSCOW_MORNING)
    before = len(aws.sent_emails())
    result = aws.run_schedule("DigestFunctionMorning")
    assert result["day"] == "2026-12-07" and result["open_negatives"] == 1
    sent = aws.sent_emails()[before:]
    assert [m.destinations for m in sent] == [[r] for r in policy.chain.digest_recipients]
    message = parsed(sent[0])
    assert message["MIME-Version"] == "1.0" and message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in message.iter_parts())
    assert str(message["Subject"]) == "Сеть клиник «Здоровье» · сводка за 07.12.2026 · 1 открытый негатив"
    assert "Сеть клиник «Здоровье»" in str(message["From"])
    html = message.get_body(("html",)).get_content()
    assert "<script" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    assert "&lt;script&gt;" in html and "Ужасно, ждали час" in html
    assert "Мария" not in html and "Иванова" not in html
    archived = aws.client("s3").get_object(Bucket=aws.outputs["ArchiveBucketName"], Key=result["archived"])
    assert archived["Body"].read().decode() == html


def test_a_clinic_with_its_own_recipients_gets_its_own_digest(aws, root):
    data = yaml.safe_load((root / "samples" / "demo-policy.yaml").read_text(encoding="utf-8"))
    data["clinics"][2]["digest_recipients"] = ["d.kim@zdorovie.example.org"]
    policy = load_policy(data)
    aws.put_policy(policy)
    aws.invoke("IntakeFunction", {"reviews": [
        review("m-1"),
        review("v-1", clinic_id="vvo-svetlanskaya", source="2gis", rating=2, text="Долго ждали врача"),
        review("v-2", clinic_id="vvo-svetlanskaya", source="2gis", rating=5, text="Спасибо!"),
    ]})
    aws.advance_to(MOSCOW_MORNING)
    before = len(aws.sent_emails())
    result = aws.run_schedule("DigestFunctionMorning")
    assert result["clinic_digests"] == 1 and result["sent"] == len(policy.chain.digest_recipients) + 1
    sent = aws.sent_emails()[before:]
    clinic = [m for m in sent if m.destinations == ["d.kim@zdorovie.example.org"]]
    assert len(clinic) == 1
    assert clinic[0].subject == ("Сеть клиник «Здоровье» · Здоровье на Светланской · сводка за 07.12.2026 · "
                                 "1 открытый негатив")
    assert "Долго ждали врача" in clinic[0].html and "Здоровье на Арбате" not in clinic[0].html
    chain = next(m for m in sent if m.destinations == [policy.chain.digest_recipients[0]])
    assert "2 открытых негатива" in chain.subject and "Здоровье на Арбате" in chain.html
    objects = aws.client("s3").list_objects_v2(Bucket=aws.outputs["ArchiveBucketName"], Prefix="digests/")
    assert {o["Key"] for o in objects["Contents"]} == {  # both parts of each digest sent
        "digests/zdorovie/2026-12-07.html", "digests/zdorovie/2026-12-07.txt",
        "digests/zdorovie/2026-12-07/vvo-svetlanskaya.html", "digests/zdorovie/2026-12-07/vvo-svetlanskaya.txt"}
    archived = aws.read_object("digests/zdorovie/2026-12-07/vvo-svetlanskaya.txt", "ArchiveBucket").decode()
    assert archived == f"{clinic[0].subject}\n\n{clinic[0].text}"
    assert aws.read_object("digests/zdorovie/2026-12-07/vvo-svetlanskaya.html", "ArchiveBucket").decode() == clinic[0].html
    assert len(aws.sent_emails()) == before + len(sent)
    aws.run_schedule("DigestFunctionMorning")
    assert len(aws.sent_emails()) == before + len(sent)  # a re-run sends nothing


@pytest.fixture
def november_aws(policy):
    from clinic_reviews_local.stack import LocalStack

    with LocalStack(start=datetime(2026, 11, 20, 7, 0, tzinfo=UTC)) as stack:
        stack.put_policy(policy)
        yield stack


def answered(external_id: str, created: str, **overrides) -> dict:
    """A negative that already carries the clinic's reply when first seen: stored answered, not escalated."""
    reply = {"text": "Приносим извинения, свяжитесь с нами", "created_at": created.replace(":00Z", ":40Z")}
    return review(external_id, created_at=created, reply=reply, **overrides)


def test_the_monthly_report_mail_has_related_images_and_links_the_archive(november_aws, policy):
    aws = november_aws
    aws.invoke("IntakeFunction", {"reviews": [
        answered("nov-1", "2026-11-20T06:50:00Z"),
        review("nov-2", rating=5, text="Спасибо доктору Соколовой!", created_at="2026-11-20T06:55:00Z"),
    ]})
    # 23:50 on 30 November in Moscow: still November; 00:10 on 1 December: December.
    aws.advance_to(datetime(2026, 11, 30, 20, 50, tzinfo=UTC))
    aws.invoke("IntakeFunction", {"reviews": [review("nov-late", source="site", rating=5, text="Спасибо",
                                                     created_at="2026-11-30T20:49:00Z")]})
    aws.advance_to(datetime(2026, 11, 30, 21, 10, tzinfo=UTC))
    aws.invoke("IntakeFunction", {"reviews": [review("dec-early", source="site", rating=4, text="Хорошо",
                                                     created_at="2026-11-30T21:09:00Z")]})
    aws.advance_to(datetime(2026, 12, 7, 7, 0, tzinfo=UTC))
    aws.invoke("IntakeFunction", {"reviews": [
        answered("dec-1", "2026-12-07T06:50:00Z", text="Хамство на ресепшн, ждали час"),
        answered("dec-2", "2026-12-07T06:51:00Z", source="2gis", text="Навязали лишние анализы, дорого"),
        review("dec-3", source="google", rating=5, text="Доктор Мельников Павел Андреевич спас! Спасибо",
               created_at="2026-12-07T06:52:00Z"),
    ]})
    aws.advance_to(datetime(2027, 1, 1, 6, 0, tzinfo=UTC))  # 09:00 on 1 January in Moscow
    schedule = aws.stack.resources["ReportFunctionMonthly"].properties
    assert schedule["ScheduleExpression"] == "cron(0 9 1 * ? *)"
    assert schedule["ScheduleExpressionTimezone"] == "Europe/Moscow"
    assert json.loads(schedule["Target"]["Input"]) == {"chain_id": "zdorovie"}
    before = len(aws.sent_emails())
    result = aws.run_schedule("ReportFunctionMonthly")
    assert result["month"] == "2026-12" and result["reviews"] == 4 and result["charts"] == 4
    sent = aws.sent_emails()[before:]
    assert [m.destinations for m in sent] == [[r] for r in policy.chain.digest_recipients]
    assert sent[0].subject == "Сеть клиник «Здоровье» · отчёт за декабрь 2026 · 4 обращения, средняя оценка 2.8"

    message = parsed(sent[0])
    assert message.get_content_type() == "multipart/alternative"
    plain, related = list(message.iter_parts())
    assert plain.get_content_type() == "text/plain" and related.get_content_type() == "multipart/related"
    html_part, *images = list(related.iter_parts())
    assert html_part.get_content_type() == "text/html" and len(images) == 4
    assert all(i.get_content_type() == "image/png" and i.get_content().startswith(b"\x89PNG") for i in images)
    html = html_part.get_content()
    ids = {i["Content-ID"].strip("<>") for i in images}
    assert ids == set(re.findall(r'src="cid:([^"]+)"', html))
    assert "data:image" not in html
    # what running the system cost: `clinic-reviews cost` on the month's 4 reviews, no Cost Explorer locally
    assert "Работа системы в AWS: около $" in plain.get_content() and "(4 отзывов" in html
    assert "Cost Explorer" not in plain.get_content()

    bucket = aws.outputs["ArchiveBucketName"]
    links = re.findall(r'href="([^"]+)"', html)
    assert any("reports/zdorovie/2026-12.html" in link and "Signature" in link for link in links)
    keys = {o["Key"] for o in aws.client("s3").list_objects_v2(Bucket=bucket, Prefix="reports/")["Contents"]}
    assert keys == {"reports/zdorovie/2026-12.html", "reports/zdorovie/2026-12.json",
                    *(f"reports/zdorovie/2026-12/{n}.png" for n in ("volume", "response", "bottlenecks", "ratings"))}
    archive = aws.client("s3").get_object(Bucket=bucket, Key="reports/zdorovie/2026-12.html")["Body"].read().decode()
    assert archive.count("data:image/png;base64,") == 4 and "cid:" not in archive

    figures = json.loads(aws.client("s3").get_object(Bucket=bucket, Key="reports/zdorovie/2026-12.json")["Body"].read())
    assert figures["has_previous"] is True
    assert figures["total"]["count"] == 4 and figures["total"]["count_change"] == 1  # November had 3
    assert {r["key"]: r["count"] for r in figures["platforms"]} == {"yandex": 1, "2gis": 1, "google": 1, "site": 1}
    assert [s["name"] for s in figures["staff"]] == ["Мельников Павел Андреевич"]
    assert "Мельников Павел Андреевич" in html and "Главное за месяц" in html

    again = aws.run_schedule("ReportFunctionMonthly")
    assert again["sent"] == 2 and len(aws.sent_emails()) == before + len(sent)  # nothing sent twice
    november = aws.invoke("ReportFunction", {"chain_id": "zdorovie", "month": "2026-11"})
    assert november["reviews"] == 3
