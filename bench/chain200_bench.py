"""The digest and the monthly report of a 200-clinic chain, run by their deployed functions (issue 16).

    .venv/bin/python bench/chain200_bench.py [--per-day N] [--digest-per-day N]

template.yaml is deployed into the embedded local AWS with a 200-clinic policy (bench/chain_data.py: four time
zones). Two months of reviews (October and November 2026, `--per-day` a clinic a day, 3 by default: a chain of
14 clinics handles about 1,200 messages a month) and the digest's day (30 November, `--digest-per-day`, 10 by
default) are written straight into moto's table, as the repository's items, with the stream paused (harness
only: loading is not what is measured). Then, at 05:00 UTC on 1 December (08:00 in Moscow), DigestFunction and
ReportFunction are invoked through the Lambda API, as their schedules invoke them. For each: wall time and
the peak of Python memory allocated during the invocation (tracemalloc; it includes moto's side of every call,
so it is an upper bound of what the function itself holds), against the function's Timeout and MemorySize in
template.yaml. Printed, never asserted.
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chain_data import chain_policy, day_records

CLINICS = 200
NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
DIGEST_DAY = date(2026, 11, 30)
MONTHS = (date(2026, 10, 1), date(2026, 11, 1))


def _days():
    day = MONTHS[0]
    while day < date(2026, 12, 1):
        yield day
        day += timedelta(days=1)


def _load(aws, policy, per_day: int, digest_per_day: int) -> int:
    """The reviews as the repository writes them, put straight into moto's table (no stream records)."""
    from clinic_reviews import wiring
    from clinic_reviews_local.deployer import ACCOUNT
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[ACCOUNT][aws.stack.region]
    table = backend.get_table(aws.outputs["TableName"])
    repository = wiring.review_repository()
    shard, table.stream_shard = table.stream_shard, None
    count = 0
    try:
        for day in _days():
            for record in day_records(policy, day, per_day=digest_per_day if day == DIGEST_DAY else per_day):
                backend.put_item(table.name, repository._to_item(record).serialize())
                count += 1
    finally:
        table.stream_shard = shard
    return count


def _measure(aws, logical_id: str, payload: dict) -> tuple[float, float, object]:
    tracemalloc.start()
    started = time.perf_counter()
    result = aws.invoke(logical_id, payload)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, result


def main(per_day: int = 3, digest_per_day: int = 10) -> int:
    from clinic_reviews_local.stack import LocalStack

    policy = chain_policy(CLINICS)
    with LocalStack(start=NOW, parameters={"ChainId": policy.chain.id}) as aws:
        aws.put_policy(policy)
        started = time.perf_counter()
        count = _load(aws, policy, per_day, digest_per_day)
        print(f"{CLINICS} clinics: {count} reviews stored ({per_day} a clinic a day in October and November, "
              f"{digest_per_day} on {DIGEST_DAY}) in {time.perf_counter() - started:.0f} s", flush=True)
        functions = {f.name: f for f in aws.lambdas.functions.values()}
        for logical_id, payload in (
            ("DigestFunction", {"chain_id": policy.chain.id}),
            ("ReportFunction", {"chain_id": policy.chain.id, "month": "2026-11"}),
        ):
            limits = functions[aws.physical(logical_id)]
            seconds, peak, result = _measure(aws, logical_id, payload)
            summary = {k: result[k] for k in ("reviews", "sent", "digests", "charts") if isinstance(result, dict) and k in result}
            print(f"{logical_id}: {seconds:.1f} s of {limits.timeout} s, peak {peak:.0f} MB allocated of "
                  f"{limits.memory} MB; {summary}", flush=True)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    options = {a: int(args[i + 1]) for i, a in enumerate(args) if a.startswith("--")}
    raise SystemExit(main(options.get("--per-day", 3), options.get("--digest-per-day", 10)))
