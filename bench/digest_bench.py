"""Digest benchmark: 16 clinics x 100 reviews a day, rendered locally (the target: under 2 s).

    .venv/bin/python bench/digest_bench.py

1. render alone: `build_digest` + `digest_email` on records held in memory;
2. query + render: the same day stored in the embedded local AWS (template.yaml in moto, through the
   review repository), then `DigestService.build_all` as the DigestFunction runs it: one gsi2 Query per
   day (paged), one gsi1 Query per clinic, the domain and the templates.
Timings are printed, never asserted. Best and median of a few runs.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chain_data import CLINICS, PER_DAY, chain_policy, day_records

DAY = date(2026, 12, 7)
MORNING = datetime(2026, 12, 8, 5, 0, tzinfo=UTC)
RUNS = 5


def _timed(function, runs: int = RUNS) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times), result


def render_only(policy, records) -> tuple[float, float, object]:
    from clinic_reviews.domain.digest import build_digest
    from clinic_reviews.notify.digest_render import digest_email

    return _timed(lambda: digest_email(build_digest(records, [], policy, DAY, MORNING)))


def query_and_render(policy, records, earlier) -> dict:
    from clinic_reviews import compose
    from clinic_reviews.handlers import digest as digest_handler
    from clinic_reviews.settings import get_settings
    from clinic_reviews.store.models import ReviewItem
    from clinic_reviews.store.reviews import ReviewRepository, day_pk
    from clinic_reviews_local.api_calls import COUNTER, paused
    from clinic_reviews_local.deployer import ACCOUNT
    from clinic_reviews_local.stack import LocalStack
    from moto.dynamodb.models import dynamodb_backends

    chain = policy.chain.id
    with LocalStack(start=MORNING) as aws:
        aws.put_policy(policy)
        repository = compose.Table(get_settings()).reviews
        started = time.perf_counter()
        with paused():
            for record in [*records, *earlier]:
                repository.insert(record)
        load = time.perf_counter() - started
        service = digest_handler.services().service
        COUNTER.reset()
        best, median, messages = _timed(lambda: service.build_all(chain, DAY), runs=2)
        calls = COUNTER.snapshot()

        def queries():
            found = list(repository.by_day(chain, DAY))
            for clinic in policy.clinics:
                found.extend(repository.open_to_answer(clinic.id))
            return found

        query_best, query_median, _ = _timed(queries, runs=1)
        # The same items as DynamoDB returns them, decoded by pynamodb and the repository, without moto.
        table = dynamodb_backends[ACCOUNT][aws.stack.region].get_table(aws.outputs["TableName"])
        raw = [item.to_json()["Attributes"] for item in table.all_items()]
        raw = [item for item in raw if item.get("gsi2pk", {}).get("S") == day_pk(chain, DAY)]
        decode_best, decode_median, _ = _timed(
            lambda: [ReviewRepository.record_of(ReviewItem.from_raw_data(item)) for item in raw]
        )
    return {
        "load": load, "best": best, "median": median, "messages": messages,
        "calls": {k: v // 2 for k, v in calls.items()},
        "query": (query_best, query_median), "decode": (decode_best, decode_median),
    }


def main() -> int:
    policy = chain_policy()
    records = day_records(policy, DAY)
    records = [r for r in records if r.local_day == DAY]
    earlier = [r.evolve(status="open", answered_at=None, answered_by=None)
               for r in day_records(policy, DAY - timedelta(days=2), seed=3, per_day=2)
               if r.classification.sentiment == "negative"]
    print(f"digest: {CLINICS} clinics x {PER_DAY} reviews = {len(records)} reviews, "
          f"{len(earlier)} open negatives from earlier days")
    best, median, email = render_only(policy, records)
    print(f"  render alone (domain + templates):   best {best:.3f} s, median {median:.3f} s; "
          f"HTML {len(email.html) / 1024:.0f} KB, text {len(email.text) / 1024:.0f} KB")
    result = query_and_render(policy, records, earlier)
    digest = result["messages"][0].digest
    calls = ", ".join(f"{name} {n}" for name, n in sorted(result["calls"].items()) if n)
    query_best, query_median = result["query"]
    decode_best, decode_median = result["decode"]
    print(f"  query + render (local AWS, moto):    best {result['best']:.3f} s, median {result['median']:.3f} s; "
          f"{digest.total} reviews, {len(digest.earlier_open)} earlier open; calls per digest: {calls}")
    print(f"    of which the queries through moto: best {query_best:.3f} s, median {query_median:.3f} s "
          "(moto serializes every attribute of every item in Python)")
    print(f"    decoding those items without moto: best {decode_best:.3f} s, median {decode_median:.3f} s "
          "(pynamodb + repository: the client's share of a real Query)")
    estimate = median + decode_median
    print(f"  render + decode, i.e. query + render less the emulator: {estimate:.2f} s "
          f"(+ ~{len(records) * 1.3 / 1024:.0f} MB of Query pages on DynamoDB)")
    print(f"  (loading {len(records) + len(earlier)} reviews into the local table took {result['load']:.1f} s)")
    print(f"  target under 2 s: render alone {'met' if median < 2 else 'MISSED'}, "
          f"render + decode {'met' if estimate < 2 else 'MISSED'}, "
          f"query + render in moto {'met' if result['median'] < 2 else 'missed (emulator-bound)'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
