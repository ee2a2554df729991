"""The deployable template's public surface and failure paths (issue 15): no back door, bounded entry points,
no silent asynchronous failure. Read from the SAM-transformed template.yaml and checked on the local stack."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import START

PUBLIC = ("WebhookFunction", "AckFunction", "CasesFunction", "TelegramFunction", "FeedbackFunction")
#: Lambda keeps 100 of the account's concurrency unreserved; the default quota is 1,000.
ACCOUNT_QUOTA, KEPT_UNRESERVED = 1000, 100


@pytest.fixture(scope="module")
def cfn(root) -> dict[str, Any]:
    from unittest import mock

    from clinic_reviews_local.template import transform

    with mock.patch.dict("os.environ", {"AWS_DEFAULT_REGION": "eu-central-1"}):
        return transform(root, {"SenderEmail": "a@b.example", "InboundEmailRecipient": "mail.b.example"})


def _refs(node: Any) -> set[str]:
    """Logical ids a subtree refers to (Ref, Fn::GetAtt, ${X} in Fn::Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".")[0])
            else:
                found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _of_type(cfn, type_name) -> dict[str, dict]:
    return {k: v.get("Properties", {}) for k, v in cfn["Resources"].items() if v["Type"] == type_name}


def _resolve_if(value: Any) -> Any:
    """`!If [cond, a, b]` → a (the condition holds with the default parameters and inbound e-mail on, checked by
    the tests)."""
    return value["Fn::If"][1] if isinstance(value, dict) and "Fn::If" in value else value


# ------------------------------------------------------------------ no back door
def test_the_template_has_no_setting_that_turns_on_the_demo_login(root, cfn):
    text = (root / "template.yaml").read_text(encoding="utf-8")
    assert "DevLogin" not in text and "DEV_LOGIN" not in text and "CONSOLE_DEV" not in text
    for name, fn in _of_type(cfn, "AWS::Lambda::Function").items():
        assert not [v for v in (fn.get("Environment") or {}).get("Variables", {}) if v.startswith("CONSOLE_DEV")], name


def test_a_deployed_stack_refuses_the_demo_login_and_cannot_be_given_the_old_parameter(policy):
    from clinic_reviews_local.stack import LocalStack
    from clinic_reviews_local.template import TemplateError

    with pytest.raises(TemplateError, match="unknown parameters: ConsoleDevLogin"), \
            LocalStack(start=START, parameters={"ConsoleDevLogin": "true"}):
        pass
    with LocalStack(start=START) as aws:
        aws.put_policy(policy)
        status, _, page = aws.http("CasesFunction", "GET", "/console/login", None, {"host": "console.example"})
        assert status == 200 and "director" not in page.decode()  # no demo users offered
        form = "user=director&lang=en"
        status, headers, _ = aws.http("CasesFunction", "POST", "/console/login", form,
                                      {"host": "console.example", "content-type": "application/x-www-form-urlencoded"})
        assert status == 403 and "set-cookie" not in {k.lower() for k in headers}


# ------------------------------------------------------------------ bounded entry points
def test_every_public_function_url_is_one_of_the_bounded_five(cfn):
    urls = _of_type(cfn, "AWS::Lambda::Url")
    targets = {next(iter(_refs(p["TargetFunctionArn"]))) for p in urls.values()}
    assert targets == set(PUBLIC)
    assert {p["AuthType"] for p in urls.values()} == {"NONE"}  # each checks credentials in code: bounded below


def test_public_functions_have_reserved_concurrency_leaving_the_account_its_unreserved_pool(cfn):
    functions = _of_type(cfn, "AWS::Lambda::Function")
    reserved = {}
    for name, fn in functions.items():
        value = _resolve_if(fn.get("ReservedConcurrentExecutions"))
        if value is not None:
            assert value == {"Ref": "PublicConcurrency"}, name
            reserved[name] = cfn["Parameters"]["PublicConcurrency"]["Default"]
    assert set(reserved) == set(PUBLIC)  # intake, escalation and the rest share the unreserved pool
    total = sum(int(v) for v in reserved.values())
    assert 0 < total <= (ACCOUNT_QUOTA - KEPT_UNRESERVED) // 10, total  # at most a tenth of what may be reserved


def test_concurrency_is_reserved_on_the_local_stack_and_zero_reserves_none(policy):
    from clinic_reviews_local.stack import LocalStack

    with LocalStack(start=START) as aws:
        reserved = aws.client("lambda").get_function_concurrency(FunctionName=aws.physical("FeedbackFunction"))
        assert reserved["ReservedConcurrentExecutions"] == 5
        assert "ReservedConcurrentExecutions" not in aws.client("lambda").get_function_concurrency(
            FunctionName=aws.physical("IntakeFunction"))
    with LocalStack(start=START, parameters={"PublicConcurrency": "0"}) as aws:
        assert "ReservedConcurrentExecutions" not in aws.client("lambda").get_function_concurrency(
            FunctionName=aws.physical("FeedbackFunction"))


def test_each_public_handler_refuses_an_oversized_body_before_reading_it(policy):
    from clinic_reviews_local.stack import LocalStack

    paths = {"WebhookFunction": "/", "AckFunction": "/a/x", "CasesFunction": "/api/cases/x/take",
             "TelegramFunction": "/telegram", "FeedbackFunction": "/f/x"}
    assert set(paths) == set(PUBLIC)
    with LocalStack(start=START) as aws:
        aws.put_policy(policy)
        for name in PUBLIC:
            handler = aws.lambdas.functions[aws.physical(name)].load()
            limit = handler.max_request_bytes
            assert 1024 <= limit <= 1024 * 1024, name
            status, _, body = aws.http(name, "POST", paths[name], "x" * (limit + 1), {"host": "h.example"})
            assert (status, b"request too large" in body) == (413, True), name
            status, _, body = aws.http(name, "POST", paths[name], "я" * (limit // 2 + 1), {"host": "h.example"})
            assert status == 413, name  # counted in bytes, not characters
            status, _, _ = aws.http(name, "POST", paths[name], "x" * limit, {"host": "h.example"})
            assert status != 413, name


def test_the_size_check_runs_before_secrets_settings_or_parsing():
    """In a container with no environment at all, the settings check (and anything after it: secrets, parsing)
    would fail; the oversized body is answered 413 first."""
    from clinic_reviews import container
    from clinic_reviews.handlers import webhook

    event = {"body": "A" * (webhook.WEBHOOK_BYTES * 4 // 3 + 8), "isBase64Encoded": True, "headers": {}}
    with container.running(container.Container("no-environment", {})):
        assert webhook.handler(event, None)["statusCode"] == 413


# ------------------------------------------------------------------ failures never silent
def _async_targets(cfn) -> set[str]:
    """Functions some service invokes asynchronously: EventBridge rules, Scheduler, S3 and SNS."""
    found = set()
    for rule in _of_type(cfn, "AWS::Events::Rule").values():
        for target in rule.get("Targets", []):
            found |= _refs(target["Arn"])
    for schedule in _of_type(cfn, "AWS::Scheduler::Schedule").values():
        found |= _refs(schedule["Target"]["Arn"])
    for bucket in _of_type(cfn, "AWS::S3::Bucket").values():
        for config in (bucket.get("NotificationConfiguration") or {}).get("LambdaConfigurations", []):
            found |= _refs(_resolve_if(config)["Function"])  # SAM wraps a conditional function's entry in !If
    for subscription in _of_type(cfn, "AWS::SNS::Subscription").values():
        if subscription.get("Protocol") == "lambda":
            found |= _refs(subscription["Endpoint"])
    functions = set(_of_type(cfn, "AWS::Lambda::Function"))
    return found & functions


def _dead_letter_queues(cfn) -> set[str]:
    queues = set()
    for queue in _of_type(cfn, "AWS::SQS::Queue").values():
        queues |= _refs((queue.get("RedrivePolicy") or {}).get("deadLetterTargetArn"))
    for fn in _of_type(cfn, "AWS::Lambda::Function").values():
        queues |= _refs(fn.get("DeadLetterConfig"))
    for config in _of_type(cfn, "AWS::Lambda::EventInvokeConfig").values():
        queues |= _refs(((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination"))
    for rule in _of_type(cfn, "AWS::Events::Rule").values():
        for target in rule.get("Targets", []):
            queues |= _refs(target.get("DeadLetterConfig"))
    for schedule in _of_type(cfn, "AWS::Scheduler::Schedule").values():
        queues |= _refs(schedule["Target"].get("DeadLetterConfig"))
    return queues


def test_every_asynchronously_invoked_function_has_a_dead_letter_path(cfn):
    targets = _async_targets(cfn)
    assert {"IntakeFunction", "DigestFunction", "ReportFunction", "FetchFunction", "ImportFunction",
            "VisitsFunction", "InboundSmsFunction", "InboundEmailFunction"} <= targets
    functions = _of_type(cfn, "AWS::Lambda::Function")
    on_failure = {next(iter(_refs(c["FunctionName"]))) for c in _of_type(cfn, "AWS::Lambda::EventInvokeConfig").values()
                  if (c.get("DestinationConfig") or {}).get("OnFailure")}
    missing = sorted(t for t in targets if not functions[t].get("DeadLetterConfig") and t not in on_failure)
    assert not missing, f"asynchronously invoked without a DLQ or on-failure destination: {missing}"


def test_every_dead_letter_queue_and_every_function_has_an_alarm(cfn):
    alarms = _of_type(cfn, "AWS::CloudWatch::Alarm")
    watched_queues, watched_errors = set(), set()
    functions = set(_of_type(cfn, "AWS::Lambda::Function"))
    for alarm in alarms.values():
        if alarm.get("MetricName") == "ApproximateNumberOfMessagesVisible":
            watched_queues |= _refs(alarm["Dimensions"])
        if (alarm.get("Namespace"), alarm.get("MetricName"), alarm.get("Dimensions")) == ("AWS/Lambda", "Errors", None):
            watched_errors |= functions  # Lambda's account-wide Errors: every function (docs/deploy.md)
        for metric in alarm.get("Metrics", []):
            stat = (metric.get("MetricStat") or {}).get("Metric") or {}
            if stat.get("MetricName") == "Errors":
                watched_errors |= _refs(stat["Dimensions"])
                assert metric["Id"] in alarm["Metrics"][0]["Expression"], metric["Id"]  # summed into the alarm
        assert _refs(alarm["AlarmActions"]) == {"AlarmTopic"}
    dead_letters = _dead_letter_queues(cfn)
    assert len(dead_letters) >= 5
    assert dead_letters <= watched_queues, sorted(dead_letters - watched_queues)
    assert functions <= watched_errors, sorted(functions - watched_errors)


def test_without_an_alarm_email_the_outputs_say_so_loudly(cfn):
    status = cfn["Outputs"]["AlarmEmailStatus"]["Value"]["Fn::If"]
    assert status[0] == "HasAlarmEmail" and status[2].startswith("WARNING: NO ALARM E-MAIL")
    assert cfn["Parameters"]["AlarmEmail"]["Default"] == ""
