"""`clinic-reviews cost`: the arithmetic on a small fixed workload, the template inventory, the CLI shape."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from clinic_reviews.cost import inventory
from clinic_reviews.cost.estimate import Workload, estimate, load_measured
from clinic_reviews.cost.inventory import Inventory, Schedule, count, runs_per_month
from clinic_reviews.cost.prices import Prices

ROOT = Path(__file__).resolve().parents[2]

# Round prices, so that every figure below can be worked out by hand.
PRICES = Prices(
    lambda_request=0.001, lambda_gb_second={"x86_64": 0.01, "arm64": 0.008},
    dynamodb_write_unit=0.001, dynamodb_read_unit=0.0001, dynamodb_storage_gb_month=0.3, dynamodb_pitr_gb_month=0.2,
    states_transition=0.001, sqs_request=0.0001, eventbridge_event=0.001, scheduler_invocation=0.001,
    ses_email=0.01, s3_put=0.001, s3_get=0.0, secret_month=0.40, secret_api_call=0.0, kms_key_month=1.0,
    kms_request=0.0, cloudwatch_alarm_metric=0.10, cloudwatch_dashboard_month=3.0,
    cloudwatch_custom_metric_month=0.30, cloudwatch_logs_ingest_gb=1.0, xray_trace_recorded=0.0,
    sms_part={"RU": 0.5},
)
STACK = Inventory(
    functions={
        "IntakeFunction": {"memory_mb": 1024, "architecture": "x86_64"},
        "EscalateFunction": {"memory_mb": 512, "architecture": "arm64"},
        "FetchFunction": {"memory_mb": 1024, "architecture": "x86_64"},
        "DigestFunction": {"memory_mb": 1024, "architecture": "x86_64"},
    },
    secrets=1, kms_keys=1, alarm_metrics=2, alarms=1, dashboards=0, state_machines=1,
    schedules=[
        Schedule("FetchFunction.Poll", "FetchFunction", "rate(1 hour)", 100, 50),
        Schedule("DigestFunction.Morning", "DigestFunction", "cron(0 8 * * ? *)", 30, 30),
        Schedule("ReportFunction.Monthly", "ReportFunction", "cron(0 9 1 * ? *)", 1, 1),
    ],
    tables_with_pitr=0, sqs_event_sources=0, tracing=False,
)


def _phase(functions, **extra):
    return {"functions": functions, "sms_parts": 0.0, "emails": 0.0, "metrics": [], **extra}


def _function(invocations, **extra):
    return {"invocations": invocations, "cpu_seconds": 0.0, "calls": {}, **extra}


MEASURED = {
    "measured_on": "2026-01-01",
    "command": "make cost-measure",
    "review": _phase(
        {"IntakeFunction": _function(0.1, dynamodb_write_units=4, dynamodb_read_units=2, events=1),
         "EscalateFunction": _function(1.0)},
        negative_share=0.5, transitions=10, sms_parts=2, emails=1,
    ),
    "feed_poll": _phase({"FetchFunction": _function(0.5, calls={"s3.PutObject": 1}, dynamodb_read_units=1)},
                        reviews_read=10, metrics=["PagesFetched"]),
    "clinic_digest": _phase({"DigestFunction": _function(0.5)}, emails=1),
    "report": _phase({}, emails=2),
}
WORKLOAD = Workload(clinics=2, feeds=3, reviews_per_clinic=10, negative_share=0.25, country="RU")
REREAD = 20 / 3 * 14 / (730 / 24)  # a feed's reviews of the 14-day open window


def test_the_bill_of_a_small_fixed_workload_adds_up_by_hand():
    bill = estimate(STACK, WORKLOAD, MEASURED, PRICES)
    data = bill.to_json()
    # Idle and scheduled: 100 polls of 2 clinics = 100 fetch invocations (one per 10 clinics), 2 clinics x 30
    # digests x 0.5 = 30 digest invocations; each 1 s of init at 1 GB; 62 e-mails (60 digests, 2 reports).
    fixed = {
        "Secrets Manager": 0.40,
        "KMS": 1.00,
        "CloudWatch alarms": 2 * 0.10,
        "EventBridge Scheduler": 131 * 0.001,
        "Lambda": 130 * 0.001 + 130 * 1.0 * 0.01,
        "CloudWatch Logs": 130 * 1200 / 1e9,
        "DynamoDB": 300 * 1 * 0.0001 * REREAD / 10,  # reads scaled to the reviews a poll re-reads
        "S3": 300 * 0.001,
        "SES": 62 * 0.01,
        "CloudWatch metrics": 50 / 730 * 0.30,  # one metric, published in the 50 poll hours
    }
    # 20 reviews; escalation measured at 0.5 negative, asked at 0.25: half of it. 2 intake invocations
    # (x86, 1 GB), 10 escalate invocations (arm, 0.5 GB), 1 s init each.
    variable = {
        "Lambda": 12 * 0.001 + 2 * 0.01 + 10 * 0.5 * 0.008,
        "CloudWatch Logs": 12 * 1200 / 1e9,
        "DynamoDB": 80 * 0.001 + 40 * 0.0001 + 20 * 12 * 4096 / 1e9 * 0.3,
        "EventBridge": 20 * 0.001,
        "SQS": 2 * 2 * 0.0001,
        "Step Functions": 20 * 10 * 0.5 * 0.001,
        "SES": 20 * 1 * 0.5 * 0.01,
        "CloudWatch metrics": 0.0,
    }
    assert bill.fixed == pytest.approx(fixed)
    assert bill.variable == pytest.approx({k: v for k, v in variable.items() if k != "CloudWatch metrics"})
    total = sum(fixed.values()) + sum(variable.values())
    assert data["per_chain_month_usd"] == round(total, 2)
    assert data["per_clinic_month_usd"] == pytest.approx(total / 2, abs=1e-4)
    assert data["fixed_usd"] == round(sum(fixed.values()), 2)
    assert data["sms_parts"] == 20 * 2 * 0.5 and data["sms_usd"] == pytest.approx(20 * 0.5)  # parts x price
    assert data["with_free_tier_usd"] < data["per_chain_month_usd"]


def test_the_cli_prints_the_contract_shape_for_the_sample_chains():
    cli = [sys.executable, "-m", "clinic_reviews", "cost"]
    out = subprocess.run([*cli, "--json"], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    data = json.loads(out)
    for key in ("region", "clinics", "reviews_per_month", "per_chain_month_usd", "per_clinic_month_usd",
                "fixed_usd", "variable_usd", "by_service", "assumptions", "sms_usd"):
        assert key in data, key
    assert data["clinics"] == 16 and data["reviews_per_month"] == 1600  # samples/policy.yaml, the sample chain
    assert data["per_clinic_month_usd"] <= 0.30  # issue 18's goal, fixed costs included
    assert data["per_chain_month_usd"] == pytest.approx(data["fixed_usd"] + data["variable_usd"], abs=0.011)
    assert sum(data["by_service"].values()) == pytest.approx(data["per_chain_month_usd"], abs=0.01)
    assert subprocess.run([*cli, "--negative-share", "2"], capture_output=True, cwd=ROOT).returncode == 2
    assert subprocess.run([*cli, "--policy", "nope.yaml"], capture_output=True, cwd=ROOT).returncode == 2
    table = subprocess.run([*cli, "--policy", "samples/demo-policy.yaml"], capture_output=True, text=True,
                           check=True, cwd=ROOT).stdout
    assert "3 clinics" in table and "per clinic" in table


def test_the_packaged_inventory_is_the_templates():
    """The report function has no template.yaml: it reads inventory.json (`make cost-measure` rewrites it)."""
    packaged = json.loads(inventory.SNAPSHOT.read_text(encoding="utf-8"))
    assert packaged == inventory.from_template(ROOT / "template.yaml").to_json(), "run `make cost-measure`"


def test_the_measurement_covers_every_phase_the_estimate_reads():
    measured = load_measured()
    for phase in ("review", "feed_poll", "clinic_digest", "report"):
        assert measured[phase]["functions"], phase
    assert 0 < measured["review"]["negative_share"] < 1


def test_schedules_count_their_runs_and_hours():
    assert runs_per_month("cron(0/15 8-20 * * ? *)") == pytest.approx((13 * 4 * 365 / 12, 13 * 365 / 12))
    assert runs_per_month("cron(0 9 1 * ? *)") == (1, 1)
    assert runs_per_month("cron(0 8 ? * MON-FRI *)") == pytest.approx((261 / 12, 261 / 12))
    assert runs_per_month("rate(30 minutes)")[0] == pytest.approx(48 * 365 / 12)
    with pytest.raises(inventory.InventoryError):
        runs_per_month("at(2026-01-01T00:00:00)")


def test_alarms_are_counted_as_billed_and_conditions_at_their_defaults():
    template = {
        "Parameters": {"Email": {"Type": "String", "Default": ""}},
        "Conditions": {"HasEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Email"}, ""]}]}},
        "Resources": {
            "One": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "Errors"}},
            "Math": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"Metrics": [
                {"Id": "e", "Expression": "a + b"}, {"Id": "a", "MetricStat": {}}, {"Id": "b", "MetricStat": {}}]}},
            "Key": {"Type": "AWS::KMS::Key", "Condition": "HasEmail"},
        },
    }
    counted = count(template)
    assert (counted.alarms, counted.alarm_metrics, counted.kms_keys) == (2, 3, 0)


def test_the_monthly_report_shows_the_estimate_and_the_bill_from_cost_explorer(policy):
    import boto3
    from botocore.stub import Stubber
    from clinic_reviews.cost.estimate import for_month
    from clinic_reviews.cost.explorer import month_cost
    from clinic_reviews.notify.cost_block import report_with_cost
    from clinic_reviews.notify.report_render import ReportDocuments

    ce = boto3.client("ce", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(ce) as stub:
        stub.add_response(
            "get_cost_and_usage",
            {"ResultsByTime": [{"Total": {"UnblendedCost": {"Amount": "4.2133", "Unit": "USD"}}}]},
            {"TimePeriod": {"Start": "2026-12-01", "End": "2027-01-01"}, "Granularity": "MONTHLY",
             "Metrics": ["UnblendedCost"],
             "Filter": {"Tags": {"Key": "clinic-reviews:stack", "Values": ["prod"], "MatchOptions": ["EQUALS"]}}},
        )
        actual = month_cost(ce, date(2026, 12, 1), "prod")
    assert actual == pytest.approx(4.2133)
    estimate = for_month(policy, 250, 0.2).to_json()
    assert estimate["reviews_per_month"] == 250 and estimate["negative_share"] == 0.2
    documents = ReportDocuments("s", "<div>x</div></body>", "<div>y</div></body>", "report\n")
    shown = report_with_cost(documents, estimate, actual, "ru")
    assert f"${estimate['per_chain_month_usd']:.2f}" in shown.text and "Cost Explorer): $4.21" in shown.text
    assert shown.email_html.endswith("</div></body>") and "$4.21" in shown.archive_html
    assert "Cost Explorer" not in report_with_cost(documents, estimate, None, "en").text
