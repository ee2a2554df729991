"""Public on-demand list prices in USD, one dated table, for the region the estimate is made for.

Read from the services' pricing pages (aws.amazon.com/<service>/pricing) for eu-central-1 (Frankfurt) on the
date below; nothing here is fetched at run time. SMS prices are per message part (a Cyrillic SMS part holds
70 characters) to a number of that country, from the SNS SMS price list; they change with carrier fees
more often than the rest, so check them before quoting a chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field

AS_OF = "2026-12-06"
REGION = "eu-central-1"


@dataclass(frozen=True)
class Prices:
    region: str = REGION
    as_of: str = AS_OF
    lambda_request: float = 0.20 / 1e6
    lambda_gb_second: dict[str, float] = field(
        default_factory=lambda: {"x86_64": 0.0000166667, "arm64": 0.0000133334}
    )
    dynamodb_write_unit: float = 0.7625 / 1e6  # on-demand write request unit
    dynamodb_read_unit: float = 0.1525 / 1e6  # on-demand read request unit
    dynamodb_storage_gb_month: float = 0.306
    dynamodb_pitr_gb_month: float = 0.2448
    states_transition: float = 0.025 / 1e3  # Standard workflows
    sqs_request: float = 0.40 / 1e6
    eventbridge_event: float = 1.00 / 1e6  # custom events put on a bus
    scheduler_invocation: float = 1.00 / 1e6
    ses_email: float = 0.10 / 1e3
    sns_publish: float = 0.50 / 1e6
    s3_put: float = 0.0054 / 1e3
    s3_get: float = 0.00043 / 1e3
    s3_storage_gb_month: float = 0.0245
    secret_month: float = 0.40
    secret_api_call: float = 0.05 / 1e4
    ssm_standard_parameter_month: float = 0.0  # standard tier, standard throughput: no charge
    kms_key_month: float = 1.00  # a customer-managed key; AWS-managed keys (aws/ssm, aws/sns) cost nothing a month
    kms_request: float = 0.03 / 1e4
    cloudwatch_alarm_metric: float = 0.10  # standard resolution; each metric of a metric-math alarm counts
    cloudwatch_dashboard_month: float = 3.00
    cloudwatch_custom_metric_month: float = 0.30  # prorated by the hours in which the metric is published
    cloudwatch_logs_ingest_gb: float = 0.63
    cloudwatch_logs_storage_gb_month: float = 0.0324
    xray_trace_recorded: float = 5.00 / 1e6
    cost_explorer_request: float = 0.01
    #: SNS SMS per message part, by destination country (ISO 3166 alpha-2).
    sms_part: dict[str, float] = field(
        default_factory=lambda: {
            "RU": 0.3733, "KZ": 0.2227, "BY": 0.2451, "UZ": 0.2290, "AM": 0.1466, "GE": 0.1210,
            "DE": 0.0970, "US": 0.00581, "GB": 0.0398,
        }
    )


#: The always-free tier of each service (per account and month, not the 12-month trial), for the
#: estimate's `with_free_tier_usd` only: a stack sharing its account shares these too.
FREE_TIER = {
    "lambda_requests": 1_000_000,
    "lambda_gb_seconds": 400_000,
    "states_transitions": 4_000,
    "sqs_requests": 1_000_000,
    "sns_publishes": 1_000_000,
    "kms_requests": 20_000,
    "xray_traces": 100_000,
    "cloudwatch_alarm_metrics": 10,
    "cloudwatch_dashboards": 3,
    "cloudwatch_custom_metrics": 10,
    "cloudwatch_logs_gb": 5,
    "dynamodb_storage_gb": 25,
    "scheduler_invocations": 14_000_000,
}

PRICES = Prices()
