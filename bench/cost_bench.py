"""What the code does per review, per poll, per digest and per report, measured for `clinic-reviews cost`.

    .venv/bin/python bench/cost_bench.py            # prints the measurement
    .venv/bin/python bench/cost_bench.py --write    # and saves it as functions/clinic_reviews/cost/measured.json
    make cost-measure                               # the same, and re-counts template.yaml (inventory.json)

template.yaml is deployed into the embedded local AWS with the sample policy. 100 sample reviews go through
the intake queue in batches of ten and a day and a half of deadlines passes (every tier of every
escalation); then the morning digest and the monthly report run once. The scheduled fetch is measured as
bench/fetch_bench.py does it (a warm poll in steady state over the sample's 7 feeds). Counted by function:
AWS API calls by operation (a botocore hook, as in infra/local/clinic_reviews_local/api_calls.py), DynamoDB
request units from the requests and responses, Lambda invocations and CPU time (local, moto's share
included); and per phase: state transitions, SMS parts and e-mails sent, the custom metrics published.
"""

from __future__ import annotations

import json
import math
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = ROOT / "functions" / "clinic_reviews" / "cost" / "measured.json"
REVIEWS = 100
BATCH = 10
START = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)  # Monday 09:00 in Moscow
DEADLINES = datetime(2026, 12, 8, 20, 0, tzinfo=UTC)
GSM_7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
            "abcdefghijklmnopqrstuvwxyzäöñüà")
GSI_KEYS = ("gsi1pk", "gsi2pk")


def sms_parts(text: str) -> int:
    """Message parts SNS bills for one SMS: 160/153 GSM-7 characters, else 70/67 UCS-2 characters."""
    single, multi = (160, 153) if set(text) <= GSM_7 else (70, 67)
    return 1 if len(text) <= single else math.ceil(len(text) / multi)


def _size(value: Any) -> int:
    return len(json.dumps(value, default=str))


def _write_units(item: dict[str, Any], transactional: bool = False) -> float:
    """Write request units of one item: a unit per started KB, again for every index the item is in."""
    units = math.ceil(max(_size(item), 1) / 1024) * (1 + sum(1 for key in GSI_KEYS if key in item))
    return units * (2 if transactional else 1)


def _read_units(items: list[dict[str, Any]]) -> float:
    """Eventually consistent reads: half a unit per started 4 KB read."""
    return max(math.ceil(sum(_size(i) for i in items) / 4096), 1) * 0.5


class Meter:
    """Calls and DynamoDB units by function (the local runtime tells which handler runs on which thread)."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.calls: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.units: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.cpu: Counter[str] = Counter()
        self.metrics: set[str] = set()

    @property
    def function(self) -> str | None:
        return getattr(self.local, "function", None)

    def before_call(self, model, params, **_kwargs) -> None:
        from clinic_reviews_local.api_calls import _state

        function = self.function
        if function is None or getattr(_state, "paused", False):
            return
        operation = f"{model.service_model.service_name}.{model.name}"
        units = 0.0
        if operation == "dynamodb.PutItem":
            units = _write_units(params.get("Item", {}))
        elif operation in ("dynamodb.UpdateItem", "dynamodb.DeleteItem"):
            units = _write_units({**params.get("Key", {}), **params.get("ExpressionAttributeValues", {})})
        elif operation == "dynamodb.BatchWriteItem":
            units = sum(_write_units(r.get("PutRequest", {}).get("Item") or r.get("DeleteRequest", {}).get("Key", {}))
                        for requests in params.get("RequestItems", {}).values() for r in requests)
        elif operation == "dynamodb.TransactWriteItems":
            units = sum(_write_units(next(iter(t.values())).get("Item") or next(iter(t.values())).get("Key", {}), True)
                        for t in params.get("TransactItems", []))
        with self.lock:
            self.calls[function][operation] += 1
            if units:
                self.units[function]["dynamodb_write_units"] += units
            if operation == "events.PutEvents":
                self.units[function]["events"] += len(params.get("Entries", []))

    def after_call(self, model, parsed, **_kwargs) -> None:
        from clinic_reviews_local.api_calls import _state

        function = self.function
        if function is None or getattr(_state, "paused", False) or model.service_model.service_name != "dynamodb":
            return
        if model.name == "GetItem":
            units = _read_units([parsed.get("Item", {})])
        elif model.name in ("Query", "Scan"):
            units = _read_units(parsed.get("Items", []))
        elif model.name == "BatchGetItem":
            units = sum(_read_units([item]) for items in parsed.get("Responses", {}).values() for item in items)
        else:
            return
        with self.lock:
            self.units[function]["dynamodb_read_units"] += units

    def install(self, lambdas_class) -> None:
        import botocore.handlers
        from aws_lambda_powertools import Metrics

        botocore.handlers.BUILTIN_HANDLERS.append(("before-call.*.*", self.before_call))
        botocore.handlers.BUILTIN_HANDLERS.append(("after-call.*.*", self.after_call))
        meter, invoke, add_metric = self, lambdas_class.invoke, Metrics.add_metric

        def metered_invoke(lambdas, name_or_arn, payload):
            name = lambdas.functions[lambdas._resolve_name(name_or_arn)].name
            outer, meter.local.function = meter.function, name
            started = time.thread_time()
            try:
                return invoke(lambdas, name_or_arn, payload)
            finally:
                with meter.lock:
                    meter.cpu[name] += time.thread_time() - started
                meter.local.function = outer

        def metered_metric(metrics, name, *args, **kwargs):
            meter.metrics.add(name)
            return add_metric(metrics, name, *args, **kwargs)

        lambdas_class.invoke = metered_invoke
        Metrics.add_metric = metered_metric


METER = Meter()


class Phase:
    """Everything METER and the stack saw between entering and leaving, per unit of work."""

    def __init__(self, aws) -> None:
        self.aws = aws

    def __enter__(self) -> Phase:
        METER.reset()
        self.invoked = Counter(self.aws.lambdas.invocations)
        self.sms, self.emails = len(self.aws.sent_sms()), len(self.aws.sent_emails())
        return self

    def __exit__(self, *exc) -> None:
        aws = self.aws
        self.names = {d.physical_id: d.logical_id for d in aws.stack.of_type("AWS::Lambda::Function")}
        self.invocations = aws.lambdas.invocations - self.invoked
        self.sms_parts = sum(sms_parts(text) for _, text in aws.sent_sms(self.sms))
        self.emails_sent = len(aws.sent_emails(self.emails))
        self.calls = {k: Counter(v) for k, v in METER.calls.items()}
        self.units = {k: Counter(v) for k, v in METER.units.items()}
        self.cpu, self.metrics = Counter(METER.cpu), sorted(METER.metrics)

    def per(self, n: float, **extra: Any) -> dict[str, Any]:
        functions = {}
        for physical, invocations in sorted(self.invocations.items()):
            functions[self.names[physical]] = {
                "invocations": round(invocations / n, 4),
                "cpu_seconds": round(self.cpu[physical] / n, 4),
                "calls": {k: round(v / n, 4) for k, v in sorted(self.calls.get(physical, Counter()).items())},
                **{k: round(v / n, 4) for k, v in sorted(self.units.get(physical, Counter()).items())},
            }
        return {"functions": functions, "sms_parts": round(self.sms_parts / n, 4),
                "emails": round(self.emails_sent / n, 4), "metrics": self.metrics, **extra}


def reviews_digest_report() -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    from clinic_reviews.domain.policy import load_policy
    from clinic_reviews_local.stack import LocalStack
    from intake_bench import _sample

    policy = load_policy(ROOT / "samples" / "demo-policy.yaml")
    reviews = _sample(REVIEWS)
    with LocalStack(start=START) as aws:
        aws.put_policy(policy)
        with Phase(aws) as intake:
            for i in range(0, REVIEWS, BATCH):
                aws.send_to_queue("IntakeQueue", {"reviews": reviews[i : i + BATCH]})
            aws.advance_to(DEADLINES)
        transitions = 0
        escalated = 0
        for execution in aws.executions():
            escalated += execution["name"].startswith("esc-")
            history = aws.execution_history(execution["executionArn"])
            transitions += sum(1 for e in history if e["type"].endswith("StateEntered"))
        with Phase(aws) as digest:
            aws.run_schedule("DigestFunctionMorning")
        with Phase(aws) as report:
            aws.invoke("ReportFunction", {"chain_id": policy.chain.id, "month": "2026-12"})
    return {
        "review": intake.per(REVIEWS, units=REVIEWS, negative_share=round(escalated / REVIEWS, 4),
                             transitions=round(transitions / REVIEWS, 4)),
        "clinic_digest": digest.per(len(policy.clinics), units=len(policy.clinics)),
        "report": report.per(1, units=1),
    }


def feed_poll() -> dict[str, Any]:
    sys.path.insert(0, str(HERE))
    import fetch_bench

    poll, phases = fetch_bench._poll, []

    def measured_poll(aws, fake):
        with Phase(aws) as phase:
            result = poll(aws, fake)
        phases.append(phase)
        return result

    fetch_bench._poll = measured_poll
    result = fetch_bench.run()
    feeds = len(fetch_bench.FEEDS)
    warm = phases[-1]  # steady state: nothing new on any feed, warm container
    return warm.per(feeds, units=feeds, reviews_read=round(result["steady_warm"]["report"]["fetched"] / feeds, 1))


def measure() -> dict[str, Any]:
    from clinic_reviews_local.lambdas import LocalLambdas

    METER.install(LocalLambdas)
    return {
        "measured_on": date.today().isoformat(),
        "command": "make cost-measure",
        "units": "every figure is per unit of its phase: a review (the sample's mix of sentiments, through the "
                 "intake queue and every escalation tier), a clinic in one morning digest, one monthly report, "
                 "a feed in one scheduled poll in steady state",
        **reviews_digest_report(),
        "feed_poll": feed_poll(),
    }


def main() -> dict[str, Any]:
    measured = measure()
    for phase in ("review", "clinic_digest", "report", "feed_poll"):
        figures = measured[phase]
        calls = sum(sum(f["calls"].values()) for f in figures["functions"].values())
        units = sum(f.get("dynamodb_write_units", 0) + f.get("dynamodb_read_units", 0)
                    for f in figures["functions"].values())
        print(f"per {phase:<14}: {calls:7.2f} AWS calls, {units:7.2f} DynamoDB units, "
              f"{figures.get('transitions', 0):5.2f} state transitions, {figures['sms_parts']:.2f} SMS parts, "
              f"{figures['emails']:.2f} e-mails, metrics {', '.join(figures['metrics']) or 'none'}")
    if "--write" in sys.argv[1:]:
        OUT.write_text(json.dumps(measured, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"written to {OUT.relative_to(ROOT)}")
    return measured


if __name__ == "__main__":
    main()
