"""The scheduled fetch on the deployed template: fixture pages of Google, 2GIS and VK served by fake
platforms (no internet), reviews stored through the intake, negatives alerted, faults isolated per source."""

from __future__ import annotations

import gzip
import json
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import httpx
import pytest
from clinic_reviews_local.api_calls import COUNTER, paused
from clinic_reviews_local.platforms import MALFORMED, TRUNCATED, FakePlatforms

PIPE = Path(__file__).parents[1] / "fixtures" / "sources" / "pipeline"
WRITES = ("dynamodb.PutItem", "dynamodb.UpdateItem", "dynamodb.TransactWriteItems", "dynamodb.BatchWriteItem")
CREDENTIALS = {
    "google": {"client_id": "local-client", "client_secret": "local-secret", "refresh_token": "local-refresh"},
    "2gis": {"key": "local-2gis-key"},
    "vk": {"token": "local-vk-token"},
}
GOOGLE, TWOGIS, VK = "108234567890/4567891234567890123", "70000001012345678", "wall-123456_42"


@pytest.fixture
def platforms(aws):
    fake = FakePlatforms()
    fake.load("google", "4567891234567890123", PIPE / "google_page1.json", PIPE / "google_page2.json")
    fake.load("2gis", "70000001012345678", PIPE / "twogis_page1.json", PIPE / "twogis_page2.json")
    fake.load("vk", ("wall", 123456, 42), PIPE / "vk_wall_post42.json")
    aws.serve_http(fake.transport())
    aws.put_secret("SourcesSecret", CREDENTIALS)
    return fake


def fetch(aws) -> dict:
    return aws.run_schedule("FetchFunctionBusyHours")


def feed(report: dict, locator: str) -> dict:
    return next(f for f in report["feeds"] if f["locator"] == locator)


def stored(aws, clinic_id: str, source: str) -> list[dict]:
    with paused():
        items = aws.client("dynamodb").query(
            TableName=aws.outputs["TableName"],
            KeyConditionExpression="pk = :pk AND begins_with(sk, :sk)",
            ExpressionAttributeValues={":pk": {"S": f"CLINIC#{clinic_id}"}, ":sk": {"S": f"REVIEW#{source}#"}},
        )["Items"]
    return [{k: next(iter(v.values())) for k, v in item.items()} for item in items]


def test_scheduled_fetch_stores_every_source_and_alerts_on_the_negatives(aws, platforms, policy):
    report = fetch(aws)
    assert report["failed"] == 0 and report["unknown_clinics"] == []
    assert (feed(report, GOOGLE)["new"], feed(report, TWOGIS)["new"], feed(report, VK)["new"]) == (5, 4, 3)
    assert feed(report, TWOGIS)["problems"] == 1  # the hidden one, skipped
    assert len(report["feeds"]) == 7  # every configured feed of the three clinics was polled
    manager = policy.contact("review_manager", "msk-arbat")
    sms = aws.sent_sms()
    assert [phone for phone, _ in sms] == [manager.phone] * 3
    assert not any("Петрова" in text or "Елена" in text for _, text in sms)  # no author names in SMS
    google = {r["external_id"]: r for r in stored(aws, "msk-arbat", "google")}
    assert google["AbFvOqk4Tr"]["text"] == "Klinika czysta, ale ceny są za wysokie."
    assert "rating" not in google["AbFvOqk4Tr"]  # STAR_RATING_UNSPECIFIED: no rating
    assert google["AbFvOqk2Pos"]["status"] == "answered" and google["AbFvOqk1Neg"]["status"] == "open"


def test_raw_pages_are_archived_gzip_per_source_and_day(aws, platforms):
    report = fetch(aws)
    key = feed(report, GOOGLE)["archived"]
    assert key.startswith("raw/google/2026-12-07/msk-arbat/") and key.endswith(".json.gz")
    with paused():
        body = aws.client("s3").get_object(Bucket=aws.outputs["ArchiveBucketName"], Key=key)["Body"].read()
    pages = json.loads(gzip.decompress(body))
    assert [len(p["reviews"]) for p in pages] == [3, 2]
    twogis = feed(report, TWOGIS)["archived"]
    with paused():
        raw = aws.client("s3").get_object(Bucket=aws.outputs["ArchiveBucketName"], Key=twogis)["Body"].read()
    assert b"local-2gis-key" not in gzip.decompress(raw)  # the API key is never archived


def test_a_second_fetch_of_the_same_data_writes_nothing(aws, platforms):
    first = fetch(aws)
    sms = len(aws.sent_sms())
    requests = len(platforms.requests)
    COUNTER.reset()
    second = fetch(aws)
    calls = COUNTER.snapshot()
    assert second["new"] == 0 and second["changed"] == 0 and second["sent"] == 0
    assert second["unchanged"] == first["new"] and second["cursors_written"] == 0 and second["archived"] == 0
    assert not any(calls[name] for name in WRITES), calls
    assert calls["s3.PutObject"] == 0 and calls["stepfunctions.StartExecution"] == 0 and calls["events.PutEvents"] == 0
    assert len(aws.sent_sms()) == sms
    assert len(platforms.requests) - requests <= requests  # stops at the cursors


@contextmanager
def thank_reminders_refused(aws):
    """Step Functions answers 500 to every start of a thank reminder (a `thx-` execution) inside the block."""
    from moto.core.exceptions import JsonRESTError
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend as StepFunctionBackend

    original = StepFunctionBackend.start_execution
    refused: list[str] = []

    def start_execution(self, state_machine_arn, name=None, *args, **kwargs):
        if name and name.startswith("thx-"):
            refused.append(name)
            error = JsonRESTError("InternalFailure", "outage")
            error.code = 500
            raise error
        return original(self, state_machine_arn, name, *args, **kwargs)

    with mock.patch.object(StepFunctionBackend, "start_execution", start_execution):
        yield refused


def test_a_review_stored_before_its_thank_reminder_failed_gets_it_on_the_next_poll_then_costs_nothing(
    aws, platforms, tmp_path
):
    """A fetched review stored, then its follow-up failed (chaos at 0.2, seed 5): its `follow_up` marker makes the
    next poll send it to the intake again, which starts the reminder and clears the marker; the poll after that
    writes nothing."""
    page = json.loads((PIPE / "twogis_page1.json").read_text())
    praise = "Огромное спасибо доктору и всей клинике: приняли вовремя, всё подробно объяснили, назначили лечение. "
    page["reviews"][0] |= {"rating": 5, "text": praise * 3}  # long praise: always a thank reminder
    (tmp_path / "page1.json").write_text(json.dumps(page, ensure_ascii=False))
    platforms.load("2gis", "70000001012345678", tmp_path / "page1.json", PIPE / "twogis_page2.json")
    with thank_reminders_refused(aws) as refused:
        first = fetch(aws)
    assert refused and feed(first, TWOGIS)["status"] == "failed"  # stored, then its reminder failed: as seed 5
    assert not _executions(aws, "thx-")
    marked = [r for source in ("google", "2gis", "vk") for r in stored(aws, "msk-arbat", source) if r.get("follow_up")]
    assert {f"thx-{_token(r)}" for r in marked} >= set(refused)
    second = fetch(aws)
    assert second["new"] == 0 and second["sent"] >= len(set(refused))
    assert set(refused) <= set(_executions(aws, "thx-"))
    assert not [r for s in ("google", "2gis", "vk") for r in stored(aws, "msk-arbat", s) if r.get("follow_up")]
    COUNTER.reset()
    third = fetch(aws)
    calls = COUNTER.snapshot()
    assert third["sent"] == 0 and not any(calls[name] for name in WRITES), calls


def _executions(aws, prefix: str) -> list[str]:
    with paused():
        sfn = aws.client("stepfunctions")
        names = []
        for machine in sfn.list_state_machines()["stateMachines"]:
            names += [e["name"] for e in sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]]
    return [n for n in names if n.startswith(prefix)]


def _token(item: dict) -> str:
    from clinic_reviews.domain.review import ReviewKey

    return ReviewKey(item["clinic_id"], item["source"], item["external_id"]).token()


def test_a_reply_added_later_marks_the_review_answered_and_stops_its_escalation(aws, platforms, policy):
    fetch(aws)
    platforms.load("google", "4567891234567890123", PIPE / "google_page1_replied.json", PIPE / "google_page2.json")
    aws.advance_to(datetime(2026, 12, 7, 8, 10, tzinfo=UTC))
    report = fetch(aws)
    assert feed(report, GOOGLE)["changed"] == 1 and feed(report, GOOGLE)["sent"] == 1
    review = {r["external_id"]: r for r in stored(aws, "msk-arbat", "google")}["AbFvOqk1Neg"]
    assert review["status"] == "answered" and review["answered_by"] == "platform"
    aws.advance_to(datetime(2026, 12, 7, 18, 30, tzinfo=UTC))  # past 21:00 in Moscow: the `head` tier
    head = policy.contact("head_of_client_service", "msk-arbat")
    assert sum(1 for phone, _ in aws.sent_sms() if phone == head.phone) == 2  # 2GIS and VK, not Google


def test_429_then_success_is_retried_after_retry_after(aws, platforms):
    platforms.fail("google", httpx.Response(429, headers={"Retry-After": "7"}))
    report = fetch(aws)
    assert feed(report, GOOGLE)["status"] == "ok" and feed(report, GOOGLE)["new"] == 5
    assert 7.0 in aws.http_sleeps


def test_500_repeated_reports_the_source_failed_and_the_others_are_stored(aws, platforms):
    platforms.fail("2gis", httpx.Response(500), repeat=True)
    for run in (1, 2, 3):
        report = fetch(aws)
        failed = feed(report, TWOGIS)
        assert failed["status"] == "failed" and failed["failures"] == run
        assert failed["error"] == "HTTP 500 (after 4 attempts)" and failed["retryable"] is True
    assert report["failed"] == 3  # every 2GIS branch of the chain
    assert len(stored(aws, "msk-arbat", "google")) == 5 and len(stored(aws, "msk-arbat", "vk")) == 3
    assert stored(aws, "msk-arbat", "2gis") == []
    with paused():
        cursor = aws.client("dynamodb").get_item(
            TableName=aws.outputs["TableName"],
            Key={"pk": {"S": "SOURCE#msk-arbat"}, "sk": {"S": f"2gis#{TWOGIS}"}},
        )["Item"]
    assert cursor["failures"]["N"] == "3" and cursor["last_error"]["S"].startswith("HTTP 500")
    platforms.heal()
    recovered = fetch(aws)
    assert feed(recovered, TWOGIS)["status"] == "ok" and feed(recovered, TWOGIS)["failures"] == 0
    assert len(stored(aws, "msk-arbat", "2gis")) == 4


def test_a_timeout_fails_only_that_source(aws, platforms):
    platforms.fail("vk", httpx.ReadTimeout("read timed out"), repeat=True)
    report = fetch(aws)
    assert feed(report, VK)["status"] == "failed" and feed(report, VK)["error"].startswith("timeout (ReadTimeout)")
    assert feed(report, GOOGLE)["new"] == 5 and feed(report, TWOGIS)["new"] == 4


def test_malformed_json_is_not_retried_and_fails_only_that_source(aws, platforms):
    platforms.fail("google", MALFORMED)
    report = fetch(aws)
    failed = feed(report, GOOGLE)
    assert failed["status"] == "failed" and failed["retryable"] is False and "malformed JSON" in failed["error"]
    assert platforms.count("google") == 2  # the failed first page, then the other location: no retry
    assert feed(report, TWOGIS)["new"] == 4 and feed(report, VK)["new"] == 3


def test_a_truncated_page_is_read_again(aws, platforms):
    platforms.fail("2gis", TRUNCATED)
    report = fetch(aws)
    assert feed(report, TWOGIS)["status"] == "ok" and feed(report, TWOGIS)["new"] == 4


def test_without_credentials_every_source_fails_cleanly(aws, platforms):
    aws.put_secret("SourcesSecret", {"google": {}, "2gis": {}, "vk": {}})
    report = fetch(aws)
    assert report["failed"] == 7 and platforms.requests == []
    assert {f["error"] for f in report["feeds"]} >= {"2GIS needs an API key", "VK needs an access token"}


def test_clinics_not_reached_in_time_go_to_a_second_invocation(aws, platforms, monkeypatch):
    from clinic_reviews.handlers import fetch as fetch_handler
    from clinic_reviews_local import lambdas

    remaining = iter([300_000, 300_000, 20_000, 20_000] + [300_000] * 10)
    monkeypatch.setattr(lambdas.LambdaContext, "get_remaining_time_in_millis", lambda self: next(remaining))
    with aws.in_function("FetchFunction"):
        monkeypatch.setattr(fetch_handler.services(), "_batch", 1)
    report = fetch(aws)
    assert report["clinics"] == ["msk-arbat"] and report["remaining"] == ["ekb-center", "vvo-svetlanskaya"]
    assert aws.lambdas.invocations[aws.physical("FetchFunction")] == 2  # the continuation ran
    assert len(stored(aws, "msk-arbat", "google")) == 5


def test_an_import_file_dropped_into_s3_is_stored_with_its_rejects(aws, root):
    data = (root / "tests" / "fixtures" / "sources" / "yandex_export.csv").read_bytes()
    aws.drop_file("imports/msk-arbat/yandex/export-2026-11.csv", data)
    rejects = [json.loads(line) for line in aws.read_object("imports/msk-arbat/yandex/export-2026-11.csv.rejects.jsonl").splitlines()]
    assert [r["line"] for r in rejects] == [5, 6, 7]
    assert "rating" in rejects[0]["reason"] and "31.02.2026" in rejects[1]["reason"]
    assert len(stored(aws, "msk-arbat", "yandex")) == 3
    COUNTER.reset()
    aws.drop_file("imports/msk-arbat/yandex/export-2026-11.csv", data)  # dropped again: nothing stored twice
    assert not any(COUNTER.snapshot()[name] for name in WRITES)
    aws.drop_file("imports/no-such-clinic/export.csv", data)
    refused = json.loads(aws.read_object("imports/no-such-clinic/export.csv.rejects.jsonl"))
    assert refused["line"] == 0 and "no-such-clinic" in refused["reason"]
    assert aws.lambdas.errors == []


def _function_url_event(body: bytes, signature: str | None, query: dict | None = None) -> dict:
    headers = {"content-type": "application/json"}
    if signature:
        headers["x-clinic-reviews-signature"] = signature
    return {
        "version": "2.0",
        "rawPath": "/",
        "headers": headers,
        "queryStringParameters": query or {},
        "requestContext": {"http": {"method": "POST", "path": "/"}},
        "body": body.decode(),
        "isBase64Encoded": False,
    }


def test_the_signed_webhook_stores_reviews_and_refuses_bad_signatures(aws):
    from clinic_reviews.sources.webhook import sign

    with paused():
        secret = aws.secret_value("WebhookSecret")
    body = json.dumps({"source": "site", "text": "Не перезвонили, хотя обещали", "created_at": "2026-12-07T06:50:00Z"},
                      ensure_ascii=False).encode()
    now = int(aws.clock.now().timestamp())
    answer = aws.invoke("WebhookFunction", _function_url_event(body, sign(secret.encode(), body, now), {"clinic_id": "msk-arbat"}))
    assert answer["statusCode"] == 200 and json.loads(answer["body"])["new"] == 1
    refused = aws.invoke("WebhookFunction", _function_url_event(body, sign(b"wrong", body, now), {"clinic_id": "msk-arbat"}))
    assert refused["statusCode"] == 401
    assert len(stored(aws, "msk-arbat", "site")) == 1
