"""`clinic-reviews chaos`: the demo's timeline replayed twice, without and with seeded faults, then compared.

Both runs drive the same timeline through the product's durable paths: imported reviews go through the intake
queue (redelivered, then its DLQ, as on AWS), platform reviews through the scheduled fetch (a failed run is an
asynchronous invocation Lambda retries; a poll that left a feed failed is followed by the schedule's next polls),
escalation deadlines fire on the virtual clock and the digest schedule runs at 08:00. faults.py says what is
faulted. Each run leaves its files (the demo's sms.jsonl, events.jsonl, reviews.jsonl, emails/) under
DIR/fault-free and DIR/faulted; the invariants compare what the two runs stored, started, sent and published.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from clinic_reviews_local import faults
from clinic_reviews_local.api_calls import paused
from clinic_reviews_local.demo import Demo, bundled_paths, plan_arrivals, replay_window, schedule_for
from clinic_reviews_local.faults import FaultInjector
from clinic_reviews_local.lambdas import ASYNC_ATTEMPTS, ASYNC_RETRY_DELAYS
from clinic_reviews_local.outputs import DemoOutputs
from clinic_reviews_local.stack import LocalStack

#: A poll that left a feed failed is followed by at most this many more (the schedule's next polls).
POLLS = 4
#: A link to a function URL: its host is made up at each deploy and its token is random, in both runs alike.
_LINK = re.compile(r"https://[0-9a-f]{32}\.lambda-url\.[a-z0-9-]+\.on\.aws/\S*")
INVARIANTS = ("reviews_stored_equal", "one_workflow_per_escalated_review", "no_duplicate_sms", "no_duplicate_email",
              "events_at_least_once", "digest_equal")


@dataclass
class Observation:
    """What one run stored, started, sent and published."""

    reviews: dict[str, dict[str, Any]]
    workflows: dict[str, list[str]]  # review -> statuses of its escalation executions
    sms: Counter[str]
    emails: Counter[str]
    events: Counter[str]  # event_id -> times seen on the bus
    digest: dict[str, Any] | None
    digest_emails: list[str]
    stuck: dict[str, int] = field(default_factory=dict)  # what ended in a dead-letter path, by where
    errors: Counter[str] = field(default_factory=Counter)  # function errors (each failed attempt), by function and error


class _Timeline(Demo):
    """The demo's timeline through the intake queue and the scheduled fetch, with faults on the platforms' link."""

    def __init__(self, reviews: Path, out: Path, policy: Path | None, injector: FaultInjector | None):
        super().__init__(reviews, out, policy)
        self.injector = injector
        self.failed_runs: Counter[str] = Counter()

    def _platform_link(self, transport):
        return transport if self.injector is None else self.injector.http(transport, "platforms")

    def _import(self, aws: LocalStack, reviews: list[dict[str, Any]]) -> dict[str, Any]:
        aws.send_to_queue("IntakeQueue", {"reviews": reviews})
        aws.settle()
        return {}

    def _poll(self, aws: LocalStack, fetch_schedule: str) -> dict[str, Any]:
        totals: Counter[str] = Counter()
        for _ in range(POLLS):
            report = self.run_async(aws, fetch_schedule)
            if report is not None:
                totals.update({k: report[k] for k in ("new", "changed", "unchanged")})
                if not report["failed"]:
                    return {**totals, "failed": 0}
        totals["failed"] = 1
        return totals

    def run_async(self, aws: LocalStack, schedule: str, spaced: bool = False) -> Any:
        """Fire a schedule as Scheduler does: an asynchronous invocation, tried ASYNC_ATTEMPTS times; None if all failed.

        `spaced`: each retry comes as late as Lambda's (ASYNC_RETRY_DELAYS, on the virtual clock). The digest's are:
        a delivery left in progress by a failed attempt blocks a retry inside its window (notify/delivery.py). The
        fetch's still come at once: no in-progress window depends on them."""
        for attempt in range(ASYNC_ATTEMPTS):
            if attempt and spaced:
                aws.advance_to(aws.clock.now() + timedelta(seconds=ASYNC_RETRY_DELAYS[attempt - 1]))
            try:
                return aws.run_schedule(schedule)
            except RuntimeError:
                continue
        self.failed_runs[schedule] += 1
        return None


def replay(reviews: Path, policy: Path | None, out: Path, injector: FaultInjector | None) -> Observation:
    """One run of the timeline (faulted when `injector` is given); its files are left in `out`."""
    timeline = _Timeline(reviews, out, policy, injector)
    data, chain_policy, _made = timeline._input_and_policy()
    start, end = replay_window(data, chain_policy)
    outputs = DemoOutputs(out, chain_policy, resumed=False)
    parameters = {"ChainId": chain_policy.chain.id, "ChainTimezone": chain_policy.chain.timezone}
    with LocalStack(start=start, parameters=parameters) as aws, outputs.function_logs():
        aws.put_policy(chain_policy)
        tap = outputs.tap_events(aws)
        with injector.active() if injector else nullcontext():
            if injector is not None:
                aws.telegram.transport = injector.http(aws.telegram.transport, "telegram")
            timeline._replay(aws, plan_arrivals(data.reviews, start), outputs, tap, chain_policy)
            aws.advance_to(end, on_step=lambda: outputs.collect(aws, tap))
            emails_before = len(aws.sent_emails())
            digest = timeline.run_async(aws, schedule_for(aws, "DigestFunction"), spaced=True)
            outputs.collect(aws, tap)
        days = [start.date() + timedelta(days=i) for i in range((end.date() - start.date()).days + 2)]
        records = outputs.write_reviews(aws, chain_policy, days)
        observation = _observe(aws, records, digest, emails_before)
        observation.stuck.update({f"schedule {k}": v for k, v in timeline.failed_runs.items()})
        observation.stuck.update(_dead_letters(aws))
        observation.errors.update(f"{name.rsplit('-', 1)[-1]}: {error[:200]}" for name, error in aws.lambdas.errors)
    observation.events = _bus_events(out / "events.jsonl")
    return observation


def _text(message: str) -> str:
    return _LINK.sub("<link>", message)


def _observe(aws: LocalStack, records: list, digest: Any, emails_before: int) -> Observation:
    from clinic_reviews.events import review_detail

    reviews = {}
    for record in records:
        key = record.key
        detail = review_detail(record)
        detail.pop("received_at")  # when it was first seen: a fetch retried by the next poll sees it later
        reviews[f"{key.clinic_id}/{key.source}/{key.external_id}"] = detail
    workflows: dict[str, list[str]] = {}
    errors: Counter[str] = Counter()
    sfn = aws.client("stepfunctions")
    with paused():
        for execution in aws.executions():
            described = sfn.describe_execution(executionArn=execution["executionArn"])
            review = json.loads(described["input"])["review"]
            key = f"{review['clinic_id']}/{review['source']}/{review['external_id']}"
            workflows.setdefault(key, []).append(described["status"])
            if described["status"] == "FAILED":
                errors.update(_task_failures(aws, execution["executionArn"]))
    sent = aws.sent_emails()
    return Observation(
        reviews=reviews,
        workflows=workflows,
        sms=Counter(f"{phone} {_text(text)}" for phone, text in aws.sent_sms()),
        emails=Counter(f"{','.join(m.destinations)} | {m.subject} | {_text(m.text)}" for m in sent),
        events=Counter(),
        digest=None if digest is None else {k: digest.get(k) for k in
                                            ("day", "reviews", "open_negatives", "clinic_digests", "systemic")},
        digest_emails=sorted(f"{','.join(m.destinations)} | {m.subject} | {_text(m.text)}" for m in sent[emails_before:]),
        errors=errors,
    )


def _task_failures(aws: LocalStack, execution_arn: str) -> list[str]:
    """Why a failed workflow's tasks failed (each failed attempt)."""
    found = []
    for event in aws.execution_history(execution_arn):
        failed = event.get("taskFailedEventDetails")
        if failed:
            found.append(f"workflow task: {failed.get('error')}: {str(failed.get('cause'))[:200]}")
    return found


def _dead_letters(aws: LocalStack) -> dict[str, int]:
    """Messages left in the stack's queues whose name says dead letter, and async invocations that failed for good."""
    sqs = aws.client("sqs")
    found = {}
    with paused():
        for queue in aws.stack.of_type("AWS::SQS::Queue"):
            if "DeadLetter" not in queue.logical_id:
                continue
            attributes = sqs.get_queue_attributes(QueueUrl=queue.physical_id,
                                                  AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
            if int(attributes["ApproximateNumberOfMessages"]):
                found[queue.logical_id] = int(attributes["ApproximateNumberOfMessages"])
    return found


def _bus_events(path: Path) -> Counter[str]:
    """Each event on the bus by its deterministic `event_id` (detail-type and detail where it has none)."""
    seen: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        detail = event.get("detail") or {}
        seen[detail.get("event_id") or f"{event.get('detail-type')} {json.dumps(detail, sort_keys=True)}"] += 1
    return seen


# ---------------------------------------------------------------------- invariants
def _verdict(holds: bool, detail: str) -> dict[str, Any]:
    return {"holds": holds, "detail": detail}


def _sample(items: Any, limit: int = 3) -> str:
    listed = sorted(items)
    more = f" (+{len(listed) - limit} more)" if len(listed) > limit else ""
    return "; ".join(str(i)[:160] for i in listed[:limit]) + more


def _sent_once(name: str, expected: Counter[str], got: Counter[str]) -> dict[str, Any]:
    """Nothing sent more often than without faults (a message the fault-free run sent twice may go twice), and as
    many sent: alerts due in the same minute may take the daily SMS cap's last places in another order."""
    twice = {m: n for m, n in got.items() if n > max(1, expected[m])}
    detail = f"{sum(got.values())} {name} sent, {sum(expected.values())} without faults"
    if twice:
        detail += f"; sent more than once: {_sample(twice)}"
    other, missing = got - expected, expected - got
    if other or missing:
        detail += f"; {sum(other.values())} sent that the fault-free run did not send, {sum(missing.values())} not sent " \
                  f"that it sent: {_sample(missing)}"
    return _verdict(not twice and sum(got.values()) == sum(expected.values()), detail)


def compare(expected: Observation, got: Observation) -> dict[str, dict[str, Any]]:
    """The contract's invariants: the faulted run (`got`) against the fault-free one (`expected`)."""
    verdicts = {}
    differing = sorted(k for k in expected.reviews.keys() & got.reviews.keys() if expected.reviews[k] != got.reviews[k])
    lost, extra = expected.reviews.keys() - got.reviews.keys(), got.reviews.keys() - expected.reviews.keys()
    detail = f"{len(got.reviews)} stored, {len(expected.reviews)} without faults"
    for label, keys in (("missing", lost), ("unexpected", extra), ("different", differing)):
        if keys:
            detail += f"; {label}: {_sample(keys)}"
    if differing:
        first = differing[0]
        fields = sorted(f for f in expected.reviews[first] if expected.reviews[first][f] != got.reviews[first].get(f))
        detail += f" (first differs in {', '.join(fields)})"
    verdicts["reviews_stored_equal"] = _verdict(not (lost or extra or differing), detail)

    twice = {k for k, runs in got.workflows.items() if len(runs) > 1}
    changed = {k for k in expected.workflows.keys() | got.workflows.keys()
               if sorted(expected.workflows.get(k, [])) != sorted(got.workflows.get(k, []))}
    detail = (f"{len(got.workflows)} reviews with a workflow, {len(expected.workflows)} without faults; "
              f"statuses {dict(Counter(s for runs in got.workflows.values() for s in runs))}")
    if twice:
        detail += f"; more than one workflow: {_sample(twice)}"
    if changed:
        detail += "; differ from the fault-free run: " + _sample(
            f"{k} {expected.workflows.get(k, [])} -> {got.workflows.get(k, [])}" for k in changed)
    verdicts["one_workflow_per_escalated_review"] = _verdict(not twice and not changed, detail)

    verdicts["no_duplicate_sms"] = _sent_once("SMS", expected.sms, got.sms)
    verdicts["no_duplicate_email"] = _sent_once("e-mails", expected.emails, got.emails)

    unseen = expected.events.keys() - got.events.keys()
    detail = (f"{len(got.events)} distinct events on the bus ({sum(got.events.values())} deliveries), "
              f"{len(expected.events)} without faults")
    if unseen:
        detail += f"; never on the bus: {_sample(unseen)}"
    verdicts["events_at_least_once"] = _verdict(not unseen, detail)

    same = expected.digest is not None and got.digest == expected.digest and got.digest_emails == expected.digest_emails
    detail = f"digest {got.digest}, without faults {expected.digest}"
    if got.digest_emails != expected.digest_emails:
        detail += f"; digest e-mails differ ({len(got.digest_emails)} sent, {len(expected.digest_emails)} without faults)"
    verdicts["digest_equal"] = _verdict(same, detail)
    return verdicts


def run_chaos(reviews: Path | None, rate: float, seed: int, out: Path) -> dict[str, Any]:
    """Both runs, the comparison, DIR/chaos.json; the bundled sample (with its policy) when `reviews` is None.

    A file of one's own gets the demo's default policy (its clinics, Europe/Moscow)."""
    sample_reviews, sample_policy = bundled_paths()
    policy = sample_policy if reviews is None else None
    reviews = reviews or sample_reviews
    faults.install()  # before the first session: every function's client gets the hook
    started = time.monotonic()
    expected = replay(reviews, policy, out / "fault-free", None)
    fault_free_seconds = time.monotonic() - started
    injector = FaultInjector(rate, seed)
    got = replay(reviews, policy, out / "faulted", injector)
    by_kind = Counter(name.rsplit(":", 1)[1] for name in injector.injected.elements())
    result = {
        "seed": seed,
        "fault_rate": rate,
        "faults_injected": injector.total,
        "invariants": compare(expected, got),
        "faults_by_kind": dict(sorted(by_kind.items())),
        "faults_by_target": dict(sorted(Counter(n.split(":")[0] + ":" + n.split(":")[1] for n in
                                                injector.injected.elements()).items())),
        "dead_letters": {"fault-free": expected.stuck, "faulted": got.stuck},
        "function_errors": {"fault-free": dict(expected.errors.most_common()), "faulted": dict(got.errors.most_common())},
        "seconds": {"fault_free": round(fault_free_seconds, 1),
                    "faulted": round(time.monotonic() - started - fault_free_seconds, 1)},
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "chaos.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result
