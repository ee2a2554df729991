"""The monthly bill: usage quantities from the inventory, the workload and the measurement, times list prices.

Pure arithmetic (no AWS calls): `estimate(inventory, workload, measured, prices)` returns an Estimate whose
`to_json()` is the shape of `clinic-reviews cost --json` (../shared/CONTRACTS.md). Every quantity that is not
counted or measured is an assumption named in `assumptions`.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clinic_reviews.cost.inventory import Inventory
from clinic_reviews.cost.prices import FREE_TIER, PRICES, Prices

MEASURED = Path(__file__).with_name("measured.json")
HOURS_A_MONTH = 730
SECONDS_A_MONTH = HOURS_A_MONTH * 3600
COMMERCIAL_PER_CLINIC_MONTH_USD = 300.0

#: Assumptions that are neither counted nor measured (each is printed with the estimate).
INIT_SECONDS = 1.0  # a cold start's init phase, billed since 2025; `make bench` measures the import part
COLD_SHARE = 1.0  # every invocation starts cold: reviews are sparse and the polls 15 minutes apart
LOG_BYTES_PER_INVOCATION = 1200  # START/END/REPORT lines and a few structured lines
REVIEW_BYTES_STORED = 4096  # a review's items with their index copies
MONTHS_KEPT = 12
SQS_POLLERS = 5  # Lambda's long polls of an SQS event source, 20 s each, while the queue is empty
SQS_REQUESTS_PER_BATCH = 2  # the event source's receive and delete of one batch
ESCALATION_FUNCTIONS = ("EscalateFunction",)
FETCH_CLINICS_PER_INVOCATION = 10  # settings.fetch_clinics_per_batch: one poll invokes the fetch per 10 clinics
#: KMS calls the services make with the stack's key (DataKey) on the functions' behalf: DynamoDB renews a caller's
#: cached table key at most every 5 minutes, SQS a data key daily (KmsDataKeyReusePeriodSeconds), S3 once per bucket
#: key. moto makes none, so they are not measured: counted as an upper bound, every function renewing every
#: 5 minutes around the clock.
SERVICE_KMS_REQUESTS_PER_FUNCTION_HOUR = 12
OPEN_WINDOW_DAYS = 14  # domain/fetch.py: a poll re-reads a feed down to its oldest unanswered review in this window

#: quantity -> (service, price attribute of Prices, free-tier key)
QUANTITIES: dict[str, tuple[str, str, str | None]] = {
    "lambda_requests": ("Lambda", "lambda_request", "lambda_requests"),
    "lambda_gb_seconds_x86_64": ("Lambda", "lambda_gb_second:x86_64", "lambda_gb_seconds"),
    "lambda_gb_seconds_arm64": ("Lambda", "lambda_gb_second:arm64", "lambda_gb_seconds"),
    "dynamodb_write_units": ("DynamoDB", "dynamodb_write_unit", None),
    "dynamodb_read_units": ("DynamoDB", "dynamodb_read_unit", None),
    "dynamodb_storage_gb": ("DynamoDB", "dynamodb_storage_gb_month", "dynamodb_storage_gb"),
    "dynamodb_pitr_gb": ("DynamoDB", "dynamodb_pitr_gb_month", None),
    "states_transitions": ("Step Functions", "states_transition", "states_transitions"),
    "eventbridge_events": ("EventBridge", "eventbridge_event", None),
    "scheduler_invocations": ("EventBridge Scheduler", "scheduler_invocation", "scheduler_invocations"),
    "sqs_requests": ("SQS", "sqs_request", "sqs_requests"),
    "ses_emails": ("SES", "ses_email", None),
    "s3_puts": ("S3", "s3_put", None),
    "s3_gets": ("S3", "s3_get", None),
    "secrets": ("Secrets Manager", "secret_month", None),
    "secret_api_calls": ("Secrets Manager", "secret_api_call", None),
    "kms_keys": ("KMS", "kms_key_month", None),
    "kms_requests": ("KMS", "kms_request", "kms_requests"),
    "alarm_metrics": ("CloudWatch alarms", "cloudwatch_alarm_metric", "cloudwatch_alarm_metrics"),
    "dashboards": ("CloudWatch dashboards", "cloudwatch_dashboard_month", "cloudwatch_dashboards"),
    "custom_metric_months": ("CloudWatch metrics", "cloudwatch_custom_metric_month", "cloudwatch_custom_metrics"),
    "log_gb": ("CloudWatch Logs", "cloudwatch_logs_ingest_gb", "cloudwatch_logs_gb"),
    "xray_traces": ("X-Ray", "xray_trace_recorded", "xray_traces"),
}
#: API operations and the quantity each call adds to (operations not listed cost nothing per call).
PER_CALL = {
    "sqs.SendMessage": "sqs_requests", "sqs.SendMessageBatch": "sqs_requests", "sqs.ReceiveMessage": "sqs_requests",
    "sqs.DeleteMessage": "sqs_requests", "sqs.DeleteMessageBatch": "sqs_requests",
    "s3.PutObject": "s3_puts", "s3.CopyObject": "s3_puts", "s3.ListObjectsV2": "s3_puts",
    "s3.GetObject": "s3_gets", "s3.HeadObject": "s3_gets",
    "secretsmanager.GetSecretValue": "secret_api_calls",
    "ssm.GetParameter": "kms_requests",  # standard parameters' API is free; each SecureString read decrypts once
    "ssm.GetParameters": "kms_requests",
    "kms.Decrypt": "kms_requests", "kms.GenerateDataKey": "kms_requests",
}


@dataclass(frozen=True)
class Workload:
    clinics: int
    feeds: int  # review sources the scheduled fetch polls (a Google location, a 2GIS branch, a VK wall or board)
    reviews_per_clinic: float
    negative_share: float
    country: str  # where the SMS go

    @property
    def reviews(self) -> float:
        return self.clinics * self.reviews_per_clinic

    @classmethod
    def of_policy(cls, policy, reviews_per_clinic: float, negative_share: float) -> Workload:
        countries = [c.country or policy.defaults.country or "RU" for c in policy.clinics]
        return cls(
            clinics=len(policy.clinics),
            feeds=sum(len(source.feeds) for clinic in policy.clinics for source in clinic.sources),
            reviews_per_clinic=reviews_per_clinic,
            negative_share=negative_share,
            country=max(set(countries), key=countries.count) if countries else "RU",
        )


@dataclass
class Estimate:
    region: str
    prices_as_of: str
    workload: Workload
    fixed: dict[str, float]
    variable: dict[str, float]
    with_free_tier_usd: float
    sms_parts: float
    sms_usd: float | None
    assumptions: list[str] = field(default_factory=list)

    @property
    def per_chain(self) -> float:
        return sum(self.fixed.values()) + sum(self.variable.values())

    @property
    def per_clinic(self) -> float:
        return self.per_chain / max(self.workload.clinics, 1)

    def by_service(self) -> dict[str, float]:
        total: defaultdict[str, float] = defaultdict(float)
        for part in (self.fixed, self.variable):
            for service, usd in part.items():
                total[service] += usd
        return {k: round(v, 4) for k, v in sorted(total.items(), key=lambda kv: -kv[1])}

    def to_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "prices_as_of": self.prices_as_of,
            "clinics": self.workload.clinics,
            "feeds": self.workload.feeds,
            "reviews_per_month": round(self.workload.reviews, 2),
            "negative_share": self.workload.negative_share,
            "per_chain_month_usd": round(self.per_chain, 2),
            "per_clinic_month_usd": round(self.per_clinic, 4),
            "fixed_usd": round(sum(self.fixed.values()), 2),
            "variable_usd": round(sum(self.variable.values()), 2),
            "by_service": self.by_service(),
            "with_free_tier_usd": round(self.with_free_tier_usd, 2),
            "commercial_per_clinic_month_usd": COMMERCIAL_PER_CLINIC_MONTH_USD,
            "sms_country": self.workload.country,
            "sms_parts": round(self.sms_parts, 1),
            "sms_usd": None if self.sms_usd is None else round(self.sms_usd, 2),
            "assumptions": self.assumptions,
        }


def for_month(policy, reviews: int, negative_share: float | None) -> Estimate:
    """The estimate for a month's real review count and negative share (the monthly report's cost block)."""
    from clinic_reviews.cost import inventory

    per_clinic = reviews / max(len(policy.clinics), 1)
    share = 0.3 if negative_share is None else negative_share
    return estimate(inventory.current(), Workload.of_policy(policy, per_clinic, share), load_measured())


def load_measured(path: Path = MEASURED) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _price(prices: Prices, attribute: str) -> float:
    name, _, key = attribute.partition(":")
    value = getattr(prices, name)
    return value[key] if key else value


class _Usage:
    """Monthly quantities, split into what the stack costs idle (fixed) and what reviews add (variable)."""

    def __init__(self) -> None:
        self.fixed: defaultdict[str, float] = defaultdict(float)
        self.variable: defaultdict[str, float] = defaultdict(float)

    def add(self, quantity: str, amount: float, fixed: bool) -> None:
        if quantity not in QUANTITIES:
            raise KeyError(f"unknown quantity {quantity}")
        (self.fixed if fixed else self.variable)[quantity] += amount

    def bill(self, prices: Prices, fixed: bool) -> dict[str, float]:
        usd: defaultdict[str, float] = defaultdict(float)
        for quantity, amount in (self.fixed if fixed else self.variable).items():
            service, attribute, _ = QUANTITIES[quantity]
            if amount:
                usd[service] += amount * _price(prices, attribute)
        return dict(usd)

    def with_free_tier(self, prices: Prices) -> float:
        left = dict(FREE_TIER)
        total = 0.0
        for quantity in sorted({*self.fixed, *self.variable}):
            amount = self.fixed.get(quantity, 0.0) + self.variable.get(quantity, 0.0)
            _, attribute, free = QUANTITIES[quantity]
            if free is not None:
                covered = min(amount, left[free])
                left[free] -= covered
                amount -= covered
            total += amount * _price(prices, attribute)
        return total


def _phase_usage(usage: _Usage, inventory: Inventory, phase: dict[str, Any], units: float, fixed: bool,
                 scale: dict[str, float] | None = None, reads: float = 1.0,
                 monthly_invocations: float | None = None) -> None:
    """A measured phase (per unit) times `units` a month; `scale` multiplies the named functions' figures,
    `reads` the DynamoDB reads; `monthly_invocations`, when given, is the month's count for the phase's function."""
    for function, figures in phase["functions"].items():
        n = units * (scale or {}).get(function, 1.0)
        config = inventory.functions.get(function, {"memory_mb": 512, "architecture": "x86_64"})
        invocations = figures["invocations"] * n if monthly_invocations is None else monthly_invocations
        seconds = figures["cpu_seconds"] * n + invocations * COLD_SHARE * INIT_SECONDS
        usage.add("lambda_requests", invocations, fixed)
        usage.add(f"lambda_gb_seconds_{config['architecture']}", seconds * config["memory_mb"] / 1024, fixed)
        usage.add("log_gb", invocations * LOG_BYTES_PER_INVOCATION / 1e9, fixed)
        if inventory.tracing:
            usage.add("xray_traces", invocations, fixed)
        usage.add("dynamodb_write_units", figures.get("dynamodb_write_units", 0.0) * n, fixed)
        usage.add("dynamodb_read_units", figures.get("dynamodb_read_units", 0.0) * n * reads, fixed)
        usage.add("eventbridge_events", figures.get("events", 0.0) * n, fixed)
        for operation, calls in figures["calls"].items():
            if operation in PER_CALL:
                usage.add(PER_CALL[operation], calls * n, fixed)


def reread_per_poll(workload: Workload) -> float:
    """Reviews a steady-state poll re-reads per feed: the feed's reviews of the open window, all unanswered."""
    return workload.reviews / max(workload.feeds, 1) * OPEN_WINDOW_DAYS / (HOURS_A_MONTH / 24)


def _metric_hours(names: list[str], hours: float, into: dict[str, float]) -> None:
    for name in names:
        into[name] = min(max(into.get(name, 0.0), hours), HOURS_A_MONTH)


def estimate(inventory: Inventory, workload: Workload, measured: dict[str, Any], prices: Prices = PRICES) -> Estimate:
    usage = _Usage()
    runs: defaultdict[str, float] = defaultdict(float)
    hours: defaultdict[str, float] = defaultdict(float)
    for schedule in inventory.schedules:
        runs[schedule.function] += schedule.per_month
        hours[schedule.function] = min(hours[schedule.function] + schedule.hours_per_month, HOURS_A_MONTH)
        usage.add("scheduler_invocations", schedule.per_month, True)

    # idle: resources billed by the month, and Lambda polling the queues it reads
    usage.add("secrets", inventory.secrets, True)
    usage.add("kms_keys", inventory.kms_keys, True)
    usage.add("kms_requests", len(inventory.functions) * HOURS_A_MONTH * SERVICE_KMS_REQUESTS_PER_FUNCTION_HOUR, True)
    usage.add("alarm_metrics", inventory.alarm_metrics, True)
    usage.add("dashboards", inventory.dashboards, True)
    usage.add("sqs_requests", inventory.sqs_event_sources * SQS_POLLERS * SECONDS_A_MONTH / 20, True)

    # the schedules: polls of every feed, a digest of every clinic, the report
    poll = measured["feed_poll"]
    _phase_usage(usage, inventory, poll, workload.feeds * runs["FetchFunction"], True,
                 reads=reread_per_poll(workload) / poll["reviews_read"],
                 monthly_invocations=runs["FetchFunction"] * math.ceil(workload.clinics / FETCH_CLINICS_PER_INVOCATION))
    _phase_usage(usage, inventory, measured["clinic_digest"], workload.clinics * runs["DigestFunction"], True)
    _phase_usage(usage, inventory, measured["report"], runs["ReportFunction"], True)
    scheduled_emails = (measured["clinic_digest"]["emails"] * workload.clinics * runs["DigestFunction"]
                        + measured["report"]["emails"] * runs["ReportFunction"])
    usage.add("ses_emails", scheduled_emails, True)

    # the reviews: intake, workflows and their notifications; escalation scales with the negative share
    review = measured["review"]
    ratio = workload.negative_share / review["negative_share"] if review["negative_share"] else 0.0
    scale = dict.fromkeys(ESCALATION_FUNCTIONS, ratio)
    _phase_usage(usage, inventory, review, workload.reviews, False, scale)
    intake_batches = workload.reviews * review["functions"].get("IntakeFunction", {}).get("invocations", 0.0)
    usage.add("sqs_requests", intake_batches * SQS_REQUESTS_PER_BATCH, False)
    usage.add("states_transitions", review["transitions"] * ratio * workload.reviews, False)
    usage.add("ses_emails", review["emails"] * ratio * workload.reviews, False)
    stored_gb = workload.reviews * MONTHS_KEPT * REVIEW_BYTES_STORED / 1e9
    usage.add("dynamodb_storage_gb", stored_gb, False)
    usage.add("dynamodb_pitr_gb", stored_gb * inventory.tables_with_pitr, False)

    # custom metrics, billed by the hours in which each is published
    fetch_hours = hours["FetchFunction"] or HOURS_A_MONTH
    metric_hours: dict[str, float] = {}
    _metric_hours(measured["feed_poll"]["metrics"], hours["FetchFunction"], metric_hours)
    _metric_hours(measured["clinic_digest"]["metrics"], hours["DigestFunction"], metric_hours)
    _metric_hours(measured["report"]["metrics"], hours["ReportFunction"], metric_hours)
    fixed_metrics = dict(metric_hours)
    review_hours = fetch_hours * (1 - math.exp(-workload.reviews / fetch_hours))
    _metric_hours(review["metrics"], review_hours, metric_hours)
    usage.add("custom_metric_months", sum(fixed_metrics.values()) / HOURS_A_MONTH, True)
    usage.add("custom_metric_months", (sum(metric_hours.values()) - sum(fixed_metrics.values())) / HOURS_A_MONTH, False)

    sms_parts = review["sms_parts"] * ratio * workload.reviews
    sms_price = prices.sms_part.get(workload.country)
    return Estimate(
        region=prices.region,
        prices_as_of=prices.as_of,
        workload=workload,
        fixed=usage.bill(prices, fixed=True),
        variable=usage.bill(prices, fixed=False),
        with_free_tier_usd=usage.with_free_tier(prices),
        sms_parts=sms_parts,
        sms_usd=None if sms_price is None else sms_parts * sms_price,
        assumptions=assumptions(inventory, workload, measured, prices, sms_price),
    )


def assumptions(inventory: Inventory, workload: Workload, measured: dict[str, Any], prices: Prices,
                sms_price: float | None) -> list[str]:
    review = measured["review"]
    return [
        f"list prices of {prices.region} as of {prices.as_of} (clinic_reviews/cost/prices.py); no free tier in "
        "per_chain_month_usd; with_free_tier_usd applies the always-free tiers, which a stack shares with "
        "everything else in its account",
        f"resources from template.yaml at its defaults: {len(inventory.functions)} functions, {inventory.secrets} "
        f"secrets, {inventory.kms_keys} KMS keys, {inventory.alarm_metrics} alarm metrics in {inventory.alarms} "
        f"alarms, {inventory.dashboards} dashboards",
        f"KMS requests that DynamoDB, S3 and SQS make with the stack's key: at most "
        f"{SERVICE_KMS_REQUESTS_PER_FUNCTION_HOUR} per function and hour (an upper bound; not measurable locally)",
        "schedules from template.yaml: " + "; ".join(f"{s.name} {s.expression} = {s.per_month:g}/month"
                                                    for s in inventory.schedules),
        f"AWS calls, DynamoDB units, invocations, CPU time, transitions, SMS parts and e-mails per review, per "
        f"feed poll, per clinic digest and per report as measured on {measured['measured_on']} by "
        f"`{measured['command']}` (clinic_reviews/cost/measured.json); the review figures were measured at a "
        f"negative share of {review['negative_share']:g} and escalation scales linearly to {workload.negative_share:g}",
        f"{workload.feeds} feeds polled in steady state; a poll re-reads each feed's reviews of the last "
        f"{OPEN_WINDOW_DAYS} days ({reread_per_poll(workload):.1f}, as if none were answered): DynamoDB reads "
        f"scaled from the {measured['feed_poll']['reviews_read']:g} of the measurement, the poll's CPU time not",
        f"Lambda duration = the measured CPU time (moto's share of each call included, standing in for the "
        f"network wait) plus a {INIT_SECONDS:g} s init phase on every invocation (cold starts billed)",
        f"{LOG_BYTES_PER_INVOCATION} bytes of logs per invocation; one X-Ray trace per invocation",
        f"{REVIEW_BYTES_STORED} bytes stored per review (items and index copies), {MONTHS_KEPT} months kept, "
        "point-in-time recovery on that",
        f"Lambda polls each SQS event source with {SQS_POLLERS} long polls of 20 s while idle",
        "custom metrics are billed for the hours they are published in: the fetch's every poll hour, the "
        "review metrics in the poll hours with at least one review (Poisson)",
        "SMS (sms_usd) are the staff alerts' parts (70 Cyrillic characters a part) at "
        + (f"${sms_price:g} a part to {workload.country}" if sms_price is not None
           else f"an unknown price for {workload.country}")
        + "; not in per_chain_month_usd; patients' post-visit SMS come on top at the same price per part",
    ]
