"""One review from the intake queue to SMS, e-mail, bus events and the digest, on the deployed template."""

from __future__ import annotations

import json

from clinic_reviews_local.api_calls import COUNTER

from .conftest import review

WRITES = ("dynamodb.PutItem", "dynamodb.UpdateItem", "dynamodb.TransactWriteItems", "dynamodb.BatchWriteItem")


def _tap(aws):
    """A queue receiving every event on the project's bus."""
    sqs, events = aws.client("sqs"), aws.client("events")
    url = sqs.create_queue(QueueName="test-tap")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bus = aws.outputs["BusName"]
    events.put_rule(Name="test-tap", EventBusName=bus, EventPattern=json.dumps({"source": ["clinic-reviews"]}))
    events.put_targets(Rule="test-tap", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])

    def drain():
        found = []
        while batch := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in batch:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return found

    return drain


def test_negative_review_alerts_the_review_manager_by_sms_and_email(aws, policy):
    tap = _tap(aws)
    aws.send_to_queue("IntakeQueue", {"reviews": [review()]})
    aws.settle()
    manager = policy.contact("review_manager", "msk-arbat")
    sms = aws.sent_sms()
    assert [phone for phone, _ in sms] == [manager.phone]
    text = sms[0][1]
    assert "1★" in text and "Здоровье на Арбате" in text and "Иванова" not in text
    emails = aws.sent_emails()
    assert [m.destinations for m in emails] == [[manager.email]]
    assert emails[0].subject.startswith("Негативный отзыв 1★")
    assert "нахамила" in emails[0].text and "нахамила" in emails[0].html
    executions = aws.executions()
    assert len(executions) == 1 and executions[0]["name"].startswith("esc-")
    assert executions[0]["status"] == "RUNNING"  # waiting for the next tier
    kinds = [e["detail-type"] for e in tap()]
    assert kinds.count("review.received") == 1 and kinds.count("review.escalated") == 1


def test_positive_review_sends_nothing(aws):
    aws.send_to_queue("IntakeQueue", {"reviews": [review("p-1", rating=5, text="Спасибо доктору Соколовой!")]})
    aws.settle()
    assert aws.sent_sms() == [] and aws.sent_emails() == []
    assert not [e for e in aws.executions() if e["name"].startswith("esc-")]


def test_the_same_batch_twice_writes_nothing_and_starts_nothing(aws):
    batch = {"reviews": [review("a"), review("b", rating=4, text="Хорошо"), review("c", source="2gis")]}
    first = aws.invoke("IntakeFunction", batch)
    assert first["new"] == 3 and first["escalations"] == 2
    sms_before = len(aws.sent_sms())
    COUNTER.reset()
    second = aws.invoke("IntakeFunction", batch)
    assert second["unchanged"] == 3 and second["new"] == 0 and second["events"] == 0
    calls = COUNTER.snapshot()
    assert not any(calls[name] for name in WRITES), calls
    assert calls["stepfunctions.StartExecution"] == 0
    assert len(aws.executions()) == 2 and len(aws.sent_sms()) == sms_before


def test_a_bad_review_is_rejected_and_the_rest_is_stored(aws):
    batch = {"reviews": [review("ok-1", rating=5, text="Отлично"), {"clinic_id": "msk-arbat", "rating": 9},
                         review("ok-2", clinic_id="spb-nevsky")]}
    report = aws.invoke("IntakeFunction", batch)
    assert report["new"] == 1
    reasons = {item["index"]: item["reason"] for item in report["rejected"]}
    assert set(reasons) == {1, 2}
    assert "rating:" in reasons[1] and "source: Field required" in reasons[1]
    assert "unknown clinic 'spb-nevsky'" in reasons[2]


def test_a_message_that_is_not_json_ends_in_the_dead_letter_queue(aws):
    aws.client("sqs").send_message(QueueUrl=aws.physical("IntakeQueue"), MessageBody="{not json")
    aws.send_to_queue("IntakeQueue", {"reviews": [review("fine", rating=5, text="Спасибо")]})
    aws.settle()
    dlq = aws.client("sqs").receive_message(QueueUrl=aws.physical("IntakeDeadLetterQueue"), MaxNumberOfMessages=10)
    assert [m["Body"] for m in dlq.get("Messages", [])] == ["{not json"]
    assert aws.lambdas.invocations[aws.physical("IntakeFunction")] >= 5


def test_integrators_can_submit_reviews_on_the_bus(aws):
    aws.put_events("reviews.submitted", {"reviews": [review("bus-1", source="site", rating=None)]})
    aws.settle()
    assert len(aws.sent_sms()) == 1


def test_digest_schedule_sends_the_morning_digest_once(aws, policy):
    aws.invoke("IntakeFunction", {"reviews": [review(), review("g", source="google", rating=5, text="Спасибо!")]})
    from datetime import UTC, datetime

    aws.advance_to(datetime(2026, 12, 8, 5, 0, tzinfo=UTC))  # 08:00 in Moscow
    before = len(aws.sent_emails())
    result = aws.run_schedule("DigestFunctionMorning")
    assert result["day"] == "2026-12-07" and result["reviews"] == 2
    digests = aws.sent_emails()[before:]
    assert [m.destinations for m in digests] == [[r] for r in policy.chain.digest_recipients]
    assert "07.12.2026" in digests[0].subject and "2 обращения" in digests[0].html
    again = aws.run_schedule("DigestFunctionMorning")
    assert again["sent"] == len(policy.chain.digest_recipients)
    assert len(aws.sent_emails()) == before + len(digests)  # idempotent: nothing sent twice
