"""CPU per AWS call in the local stack, for the kinds of call a demo run makes most.

    nice -n 10 .venv/bin/python bench/call_bench.py [--calls 200] [--profile KIND] [--bare]

The local stack (template.yaml deployed into the embedded moto, IAM evaluated, speed-ups installed) is started;
then each kind of call runs `--calls` times through a function's own kind of client (botocore with the product's
timeouts and retries, acting as a deployed function, so the IAM hook runs as it does in the demo):

- `query empty`: a Query on gsi2 for a day with no reviews (the digest's, insights' and the report's day queries);
- `query 20`: the same for a day holding 20 reviews;
- `query 20 projected`: the same with the ten names the digest and insights read (a ProjectionExpression);
- `put conditional`: a PutItem with `attribute_not_exists(pk)` (a new review's write), each to a new key;
- `update conditional`: an UpdateItem as the review store sends one (SET, ADD version, a version condition);
- `invoke trivial`: a synchronous Lambda invoke of the outbox function with no records (the runtime's own cost).

Printed: the median and the 90th percentile of `time.process_time` per call, in milliseconds. `--profile KIND`
prints the cProfile of that kind's calls (top functions by cumulative time). `--bare` leaves out the local stack's
per-call speed-ups (dynamodb_items.py, dynamodb_expressions.py, response_serializer.py) to compare
with; `--paired` measures with and without in alternating blocks of 20 calls in one process (the fairer comparison
on a busy machine; botocore's remembered user agent, part of the stack's request headers, is on in both).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time
from collections.abc import Callable
from contextlib import ExitStack, nullcontext
from datetime import UTC, datetime
from typing import Any
from unittest import mock

START = datetime(2026, 12, 8, 7, 0, tzinfo=UTC)
QUERY_FUNCTION = "DigestFunction"
KINDS = ["query empty", "query 20", "query 20 projected", "put conditional", "update conditional", "invoke trivial"]
WRITE_FUNCTION = "IntakeFunction"


def _review(n: int, day: str) -> dict[str, Any]:
    """A stored review as the demo's table holds one (about forty attributes)."""
    text = "Пришла к эндокринологу с одним вопросом, вышла с направлениями на 12 тысяч. Навязали кучу анализов."
    stamp = f"2026-12-07T{8 + n % 10:02d}:{n % 60:02d}:00Z"
    strings = {
        "pk": "CLINIC#bench", "sk": f"REVIEW#2gis#{n:09d}", "gsi2pk": day, "gsi2sk": f"bench#{stamp}#REVIEW#2gis#{n:09d}",
        "answered_by": "platform", "author": "Ксения", "chain_id": "zdorovie", "clinic_id": "bench",
        "content_hash": f"{n:032x}", "created_at": stamp, "due_at": stamp, "escalation": f"esc-{n:024x}",
        "external_id": f"{n:09d}", "first_sentiment": "negative", "kind": "review", "lang": "ru",
        "local_day": stamp[:10], "message_kind": "review", "outbox_at": stamp, "outbox_id": f"{n:032x}",
        "received_at": stamp, "reply_at": stamp, "reply_text": text * 3, "sentiment": "negative", "source": "2gis",
        "status": "answered", "text": text, "text_sentiment": "negative", "updated_at": stamp,
        "url": f"https://2gis.example/ekaterinburg/firm/1267165676389012/tab/reviews/review/{n:09d}",
    }
    numbers = {"expires_at": "1891239300", "first_rating": "2", "rating": "2", "score": "-0.759", "text_length": "257",
               "triage": "2", "version": "4"}
    item: dict[str, Any] = {k: {"S": v} for k, v in strings.items()} | {k: {"N": v} for k, v in numbers.items()}
    return item | {"backfill": {"BOOL": False}, "legal": {"BOOL": False}, "mismatch": {"BOOL": False},
                   "outbox_events": {"L": [{"S": "review.answered"}]}, "staff": {"L": []},
                   "tiers_fired": {"SS": ["manager"]}, "topics": {"L": [{"S": "billing"}, {"S": "doctor"}]}}


#: What the digest and insights read of each review of a day (store/reviews.py, SIGHTING_ATTRIBUTES).
SIGHTING = ["clinic_id", "source", "external_id", "created_at", "sentiment", "first_sentiment", "topics", "text",
            "author", "url"]


def kinds(aws: Any) -> dict[str, tuple[str | None, Callable[[int], Any]]]:
    """name -> (acting function's logical id, one call given its number)."""
    from botocore.session import Session
    from clinic_reviews.clients import AWS_CONFIG

    session = Session()
    db = session.create_client("dynamodb", region_name="eu-central-1", config=AWS_CONFIG)
    lam = session.create_client("lambda", region_name="eu-central-1", config=AWS_CONFIG)
    table = aws.outputs["TableName"]
    full_day = "DAY#bench#2026-12-07"
    for n in range(20):
        db.put_item(TableName=table, Item=_review(n, full_day))

    def day_query(day: str, projected: bool = False) -> Callable[[int], Any]:
        names = {f"#{i}": name for i, name in enumerate(SIGHTING)} if projected else {}
        projection = {"ProjectionExpression": ", ".join(names), "ExpressionAttributeNames": names} if names else {}

        def call(_n: int) -> Any:
            return db.query(TableName=table, IndexName="gsi2", KeyConditionExpression="gsi2pk = :d",
                            ExpressionAttributeValues={":d": {"S": day}}, **projection)
        return call

    def put(n: int) -> Any:
        return db.put_item(TableName=table, Item=_review(1000 + n, "DAY#bench#2026-12-09"),
                           ConditionExpression="attribute_not_exists(pk)")

    def update(n: int) -> Any:  # as store/reviews.py `_update` sends one: pynamodb's placeholders, a version check
        return db.update_item(
            TableName=table, Key={"pk": {"S": "CLINIC#bench"}, "sk": {"S": f"REVIEW#2gis#{n % 20:09d}"}},
            UpdateExpression="SET #0 = :0, #1 = :1 ADD #2 :2", ConditionExpression="attribute_exists (#3) AND #2 = :3",
            ExpressionAttributeNames={"#0": "status", "#1": "updated_at", "#2": "version", "#3": "pk"},
            ExpressionAttributeValues={":0": {"S": "answered"}, ":1": {"S": f"2026-12-07T10:{n % 60:02d}:00Z"},
                                       ":2": {"N": "1"}, ":3": {"N": str(versions[n % 20])}},
            ReturnValues="NONE")

    versions = dict.fromkeys(range(20), 4)

    def update_counted(n: int) -> Any:
        answer = update(n)
        versions[n % 20] += 1
        return answer

    outbox = aws.physical("OutboxFunction")

    def invoke(_n: int) -> Any:
        return lam.invoke(FunctionName=outbox, Payload=b'{"Records": []}')

    return {
        "query empty": (QUERY_FUNCTION, day_query("DAY#bench#2026-12-06")),
        "query 20": (QUERY_FUNCTION, day_query(full_day)),
        "query 20 projected": (QUERY_FUNCTION, day_query(full_day, projected=True)),
        "put conditional": (WRITE_FUNCTION, put),
        "update conditional": (WRITE_FUNCTION, update_counted),
        "invoke trivial": (None, invoke),
    }


def measure(aws: Any, calls: int, profile: str | None) -> dict[str, dict[str, float]]:
    results = {}
    offset = 0
    for name, (acting, call) in kinds(aws).items():
        principal = aws.physical(acting) if acting else None
        with aws.authorizer.acting_as(principal):
            for _ in range(20):  # warm: first-call caches, imports
                call(offset)
                offset += 1
            profiler = cProfile.Profile() if name == profile else None
            spent = []
            for _ in range(calls):
                if profiler:
                    profiler.enable()
                before = time.process_time()
                call(offset)
                spent.append(time.process_time() - before)
                if profiler:
                    profiler.disable()
                offset += 1
        if profiler:
            pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(int(os.environ.get("TOP", "45")))
        spent.sort()
        results[name] = {"median_ms": round(statistics.median(spent) * 1000, 3),
                         "p90_ms": round(spent[int(len(spent) * 0.9)] * 1000, 3)}
    return results


def paired(aws: Any, calls: int, installers: list) -> dict[str, dict[str, float]]:
    """Per kind, blocks of 20 calls with the speed-ups (entered for the block) and 20 without, alternating: the two
    medians come from the same minutes of the same process, so a busy machine moves both alike."""
    results = {}
    offset = 0
    for name, (acting, call) in kinds(aws).items():
        with aws.authorizer.acting_as(aws.physical(acting) if acting else None):
            for _ in range(20):
                call(offset)
                offset += 1
            spent: dict[str, list[float]] = {"bare": [], "fast": []}
            for block in range(2 * max(1, calls // 20)):
                mode = "fast" if block % 2 else "bare"
                with ExitStack() as fast:
                    if mode == "fast":
                        for installed in installers:
                            fast.enter_context(installed())
                    call(offset)  # the block's first call fills the fresh caches
                    offset += 1
                    for _ in range(20):
                        before = time.process_time()
                        call(offset)
                        spent[mode].append(time.process_time() - before)
                        offset += 1
        results[name] = {f"{mode}_median_ms": round(statistics.median(times) * 1000, 3) for mode, times in spent.items()}
    return results


def main() -> dict[str, Any]:
    from clinic_reviews_local import dynamodb_expressions, dynamodb_items, response_serializer
    from clinic_reviews_local.stack import LocalStack

    SPEEDUPS = [dynamodb_items, dynamodb_expressions, response_serializer]

    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--profile", choices=KINDS)
    parser.add_argument("--bare", action="store_true", help="without the per-call speed-ups (to compare)")
    parser.add_argument("--paired", action="store_true", help="with and without, alternating blocks in one process")
    args = parser.parse_args()
    installers = [module.installed for module in SPEEDUPS]
    with ExitStack() as bare:
        if args.bare or args.paired:
            for module in SPEEDUPS:
                bare.enter_context(mock.patch.object(module, "installed", nullcontext))
        with LocalStack(start=START) as aws:
            if args.paired:
                results = paired(aws, args.calls, installers)
            else:
                results = measure(aws, args.calls, args.profile)
    if args.paired:
        print(f"CPU per call (time.process_time, {args.calls} calls each way, median, ms): without -> with")
        for name, figures in results.items():
            print(f"  {name:18s} {figures['bare_median_ms']:.3f} -> {figures['fast_median_ms']:.3f}")
        return results
    print(f"CPU per call (time.process_time, {args.calls} calls each, ms):")
    for name, figures in results.items():
        print(f"  {name:18s} median {figures['median_ms']:.3f}  p90 {figures['p90_ms']:.3f}")
    return results


if __name__ == "__main__":
    main()
