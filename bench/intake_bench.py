"""AWS API calls per review through intake and escalation, counted with a botocore event hook.

Deploys template.yaml into the embedded AWS, sends N reviews (the sample's texts under new ids) through
the intake queue in batches of ten, re-sends them unchanged, then lets a day of deadlines pass.
Prints calls per review for each phase, by operation, and the workflow's state transitions.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REVIEWS = 200
BATCH = 10
START = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def _sample(n: int) -> list[dict]:
    lines = []
    for raw in (ROOT / "samples" / "reviews.jsonl").read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if data.get("clinic_id") != "spb-nevsky" and data.get("rating") in (None, 1, 2, 3, 4, 5):
            data.pop("seen_at", None)
            data["reply"] = None
            data["created_at"] = "2026-12-07T05:30:00Z"
            lines.append(data)
    return [{**lines[i % len(lines)], "external_id": f"bench-{i}"} for i in range(n)]


def _phase(counter, run) -> tuple[dict[str, int], float]:
    counter.reset()
    started = time.perf_counter()
    run()
    return dict(sorted(counter.snapshot().items())), time.perf_counter() - started


def main() -> dict:
    from clinic_reviews.domain.policy import load_policy
    from clinic_reviews_local.api_calls import COUNTER
    from clinic_reviews_local.stack import LocalStack

    reviews = _sample(REVIEWS)
    batches = [reviews[i : i + BATCH] for i in range(0, len(reviews), BATCH)]
    with LocalStack(start=START) as aws:
        aws.put_policy(load_policy(ROOT / "samples" / "demo-policy.yaml"))

        def send():
            for batch in batches:
                aws.send_to_queue("IntakeQueue", {"reviews": batch})
            aws.settle()

        first, first_s = _phase(COUNTER, send)
        again, again_s = _phase(COUNTER, send)
        ladder, ladder_s = _phase(COUNTER, lambda: aws.advance_to(datetime(2026, 12, 9, 20, 0, tzinfo=UTC)))
        executions = aws.executions()
        transitions = [
            sum(1 for e in aws.execution_history(x["executionArn"]) if e["type"].endswith("StateEntered"))
            for x in executions
        ]
        escalated = sum(1 for x in executions if x["name"].startswith("esc-"))

    def per_review(calls: dict[str, int]) -> float:
        return round(sum(calls.values()) / REVIEWS, 2)

    writes = ("dynamodb.PutItem", "dynamodb.UpdateItem", "dynamodb.BatchWriteItem", "dynamodb.TransactWriteItems")
    print(f"{REVIEWS} reviews in batches of {BATCH} through the intake queue ({escalated} negatives escalated)")
    print(f"  first intake   : {per_review(first):6.2f} AWS calls/review ({sum(first.values())} calls, {first_s:.1f} s)")
    print(f"  unchanged again: {per_review(again):6.2f} AWS calls/review, "
          f"{sum(again.get(w, 0) for w in writes)} DynamoDB writes ({again_s:.1f} s)")
    print(f"  deadlines      : {sum(ladder.values())} calls for every tier of {len(executions)} workflows "
          f"({ladder_s:.1f} s)")
    print(f"  state transitions per workflow: {round(sum(transitions) / max(len(transitions), 1), 1)}")
    return {"first_intake": first, "unchanged": again, "deadlines": ladder, "transitions": transitions[:5]}


if __name__ == "__main__":
    main()
