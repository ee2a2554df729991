"""The digest and the monthly report of a 200-clinic chain through the deployed functions (issue 16, item 6).

    nice -n 10 .venv/bin/python bench/chain200_bench.py [--per-day N] [--digest-per-day N]

template.yaml is deployed on the embedded AWS with a 200-clinic policy (bench/chain_data.py: four time zones) and
its table is filled with the chain's reviews of every day the two functions read, `--per-day` a clinic a day (3
by default: a chain of 14 clinics handles about 1,200 messages a month), the digest's day (30 November) at
`--digest-per-day` a clinic (10): from 3 August (the report's reply-quality corpus, 90 days before November; the
digest's spike window, 98 days, starts later) to 30 November, about 74,000 reviews. The items are the store's own (`ReviewRepository.stored_item`, what a first write of each review stores,
less the authors' names the daily runs up to the digest's day removed), written with BatchWriteItem; the stream's backlog of that filling is skipped (its announcements are long done).
Then, on the virtual clock, the schedules fire as on 1 December: DigestFunction at 08:00 and ReportFunction at
09:00 in the chain's zone, through the Lambda API, each function its handler in its own container.

For each invocation: the handler's wall and CPU time (this thread), split into what the emulator spent answering
the function's AWS calls (moto's request handling: on AWS that is the service's time, the function only waits for
it) and the function's own; its AWS calls by operation; its Queries by index, with items and bytes returned and
the pages that were not a Query's last. Then the same event again (the schedule's retry; it sends nothing twice)
under tracemalloc: the peak of the function's own Python allocations (while moto answers a call its allocations
are set apart; what moto keeps, the S3 objects and the sent mail, stays counted: an over-count of a few MB), and
the resident size of a fresh interpreter that imported what the function imports. All against the function's
Timeout and MemorySize in template.yaml. Printed, never asserted (docs/load.md has the figures).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chain_data import chain_policy, day_records

CLINICS = 200
DIGEST_DAY = date(2026, 11, 30)
MONTH, PREVIOUS = date(2026, 11, 1), date(2026, 10, 1)
FILLED = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 06:00 in Moscow, the chain's zone
DIGEST_AT = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 08:00 in Moscow
REPORT_AT = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 09:00 in Moscow, on the 1st
#: What each function imports before and while it works (a fresh interpreter's resident size after importing them).
IMPORTS = {
    "DigestFunction": ["clinic_reviews.handlers.digest", "clinic_reviews.services.digest", "clinic_reviews.services.retention"],
    "ReportFunction": ["clinic_reviews.handlers.report", "clinic_reviews.services.report", "matplotlib",
                       "matplotlib.figure", "matplotlib.backends.backend_agg"],
}


@dataclass
class Invocation:
    """What one invocation of a function cost, as the probe saw it."""

    wall: float = 0.0
    cpu: float = 0.0
    emulator_wall: float = 0.0
    emulator_cpu: float = 0.0
    calls: Counter = field(default_factory=Counter)
    queries: dict = field(default_factory=dict)  # index -> {"pages", "continued", "items", "bytes", "largest"}
    peak_mb: float | None = None  # the function's own Python allocations (tracemalloc runs only)
    emulator_peak_mb: float | None = None


class Probe:
    """Times one function's handler and the emulator's answers to the calls it makes, on this thread only."""

    def __init__(self, function_name: str | None = None):
        self.function_name = function_name  # the physical name of the function measured now
        self.trace_memory = False
        self.last: Invocation | None = None
        self._active = threading.local()

    @contextmanager
    def installed(self):
        from clinic_reviews_local.lambdas import LocalFunction
        from moto.core.botocore_stubber import BotocoreStubber

        probe, load, answer = self, LocalFunction.load, BotocoreStubber.__call__

        def timed_load(function):
            handler = load(function)
            if function.name != probe.function_name:
                return handler
            return lambda event, context: probe._handle(handler, event, context)

        def timed_answer(stubber, event_name, request, **kwargs):
            if not getattr(probe._active, "run", None) or getattr(probe._active, "depth", 0):
                return answer(stubber, event_name, request, **kwargs)
            return probe._answer(answer, stubber, event_name, request, kwargs)

        with mock.patch.object(LocalFunction, "load", timed_load), mock.patch.object(BotocoreStubber, "__call__", timed_answer):
            yield self

    def _handle(self, handler, event, context):
        run = Invocation()
        self._active.run, self._active.depth = run, 0
        if self.trace_memory:
            tracemalloc.start()
            self._function_peak, self._emulator_peak = 0, 0
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return handler(event, context)
        finally:
            run.wall, run.cpu = time.perf_counter() - wall, time.thread_time() - cpu
            if self.trace_memory:
                self._function_peak = max(self._function_peak, tracemalloc.get_traced_memory()[1])
                tracemalloc.stop()
                run.peak_mb, run.emulator_peak_mb = self._function_peak / 2**20, self._emulator_peak / 2**20
            self._active.run, self.last = None, run

    def _answer(self, answer, stubber, event_name, request, kwargs):
        run = self._active.run
        _, service, operation = event_name.split(".", 2)
        run.calls[f"{service}.{operation}"] += 1
        if self.trace_memory:  # the function's allocations up to here; moto's own from here
            entry, peak = tracemalloc.get_traced_memory()
            self._function_peak = max(self._function_peak, peak)
            tracemalloc.reset_peak()
        self._active.depth = 1
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            response = answer(stubber, event_name, request, **kwargs)
        finally:
            run.emulator_wall += time.perf_counter() - wall
            run.emulator_cpu += time.thread_time() - cpu
            self._active.depth = 0
            if self.trace_memory:
                self._emulator_peak = max(self._emulator_peak, tracemalloc.get_traced_memory()[1] - entry)
                tracemalloc.reset_peak()
        if operation == "Query" and response is not None:
            self._count_page(run, request, response)
        return response

    @staticmethod
    def _count_page(run: Invocation, request, response) -> None:
        asked = json.loads(request.body or b"{}")
        body = response.raw.getvalue()
        answered = json.loads(body)
        seen = run.queries.setdefault(asked.get("IndexName", "table"),
                                      {"pages": 0, "continued": 0, "items": 0, "bytes": 0, "largest": 0})
        seen["pages"] += 1
        seen["continued"] += "LastEvaluatedKey" in answered
        seen["items"] += answered.get("Count", 0)
        seen["bytes"] += len(body)
        seen["largest"] = max(seen["largest"], len(body))


def _limits(aws, logical_id: str) -> tuple[int, int]:
    function = aws.lambdas.functions[aws.physical(logical_id)]
    return function.timeout, function.memory


def _imports_rss_mb(modules: list[str]) -> float:
    """Peak resident size of a fresh interpreter that imported `modules` (the function's code and libraries)."""
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec, so a child of this large process would report ours
    code = ("import sys\nfor m in sys.argv[1:]:\n    __import__(m)\n"
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_DISABLED": "true"}
    out = subprocess.run([sys.executable, "-c", code, *modules], capture_output=True, text=True, check=True, env=env)
    return int(out.stdout.split()[-1]) / 1024


def first_day() -> date:
    """The first day either function reads: the report's reply-quality corpus before the month, the digest's spike
    window (its history and recent days) before the digest's day."""
    from clinic_reviews.domain.spikes import SpikeSettings
    from clinic_reviews.services.reply_quality import CORPUS_DAYS

    return min(MONTH - timedelta(days=CORPUS_DAYS), DIGEST_DAY - timedelta(days=SpikeSettings().lookback_days - 1))


def fill(aws, policy, per_day: int, digest_per_day: int) -> int:
    """Two months of the chain's reviews, as their first writes stored them; the digest's day fuller."""
    from clinic_reviews import compose
    from clinic_reviews.events import REVIEW_RECEIVED
    from clinic_reviews.settings import get_settings
    from clinic_reviews.store.models import ReviewItem
    from clinic_reviews_local.api_calls import paused

    written, day = 0, first_day()
    with aws.in_function("DigestFunction"), paused():
        reviews = compose.Table(get_settings()).reviews
        while day <= DIGEST_DAY:
            records = day_records(policy, day, per_day=digest_per_day if day == DIGEST_DAY else per_day)
            with ReviewItem.batch_write() as batch:
                for record in records:
                    # `today` the digest's day: the names its morning run removed are gone (services/retention.py)
                    item = reviews.stored_item(record, policy.retention, DIGEST_DAY, (REVIEW_RECEIVED,),
                                               record.received_at)
                    item.version = 1  # what pynamodb's VersionAttribute stores on a first, conditional PutItem
                    batch.save(item)
            written += len(records)
            day += timedelta(days=1)
    aws.lambdas.skip_stream_backlog()
    return written


def measure(aws, probe: Probe, schedule: str, logical_id: str) -> dict:
    """The scheduled invocation, timed; then the same event again under tracemalloc."""
    probe.function_name, probe.trace_memory = aws.physical(logical_id), False
    result = aws.run_schedule(schedule)
    timed = probe.last
    probe.trace_memory = True
    again = aws.run_schedule(schedule)
    traced = probe.last
    probe.trace_memory = False
    timeout, memory = _limits(aws, logical_id)
    pages = {index: q for index, q in sorted(timed.queries.items())}
    return {
        "function": logical_id,
        "result": result,
        "again": {k: again.get(k) for k in ("sent", "reviews")},
        "wall_s": round(timed.wall, 2),
        "cpu_s": round(timed.cpu, 2),
        "emulator_wall_s": round(timed.emulator_wall, 2),
        "emulator_cpu_s": round(timed.emulator_cpu, 2),
        "own_wall_s": round(timed.wall - timed.emulator_wall, 2),
        "own_cpu_s": round(timed.cpu - timed.emulator_cpu, 2),
        "timeout_s": timeout,
        "aws_calls": sum(timed.calls.values()),
        "calls_by_operation": dict(timed.calls.most_common()),
        "queries": pages,
        "peak_allocated_mb": round(traced.peak_mb, 1),
        "emulator_peak_allocated_mb": round(traced.emulator_peak_mb, 1),
        "imports_rss_mb": round(_imports_rss_mb(IMPORTS[logical_id])),
        "archived_html_kb": len(aws.read_object(result["archived"], "ArchiveBucket")) // 1024,
        "memory_mb": memory,
    }


def _say(row: dict) -> None:
    query_pages = sum(q["pages"] for q in row["queries"].values())
    print(f"{row['function']}: {row['wall_s']} s wall ({row['own_wall_s']} s its own, {row['emulator_wall_s']} s the "
          f"emulator answering), {row['cpu_s']} s CPU ({row['own_cpu_s']} s its own) of {row['timeout_s']} s; "
          f"{row['aws_calls']} AWS calls, {query_pages} Query pages; peak {row['peak_allocated_mb']} MB allocated by "
          f"the function + {row['imports_rss_mb']} MB resident after its imports, of {row['memory_mb']} MB",
          flush=True)
    print(json.dumps(row, ensure_ascii=False, default=str), flush=True)


def main(per_day: int = 3, digest_per_day: int = 10) -> int:
    from clinic_reviews_local.stack import LocalStack

    policy = chain_policy(CLINICS)
    parameters = {"ChainId": policy.chain.id, "ChainTimezone": policy.chain.timezone}
    with LocalStack(start=FILLED, parameters=parameters) as aws, Probe().installed() as probe:
        aws.put_policy(policy)
        started = time.perf_counter()
        written = fill(aws, policy, per_day, digest_per_day)
        print(f"filled: {written} reviews of {CLINICS} clinics in {time.perf_counter() - started:.0f} s; process "
              f"resident {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB at peak", flush=True)
        aws.advance_to(DIGEST_AT)
        _say(measure(aws, probe, "DigestFunctionMorning", "DigestFunction"))
        aws.advance_to(REPORT_AT)
        _say(measure(aws, probe, "ReportFunctionMonthly", "ReportFunction"))
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    options = {a: int(args[i + 1]) for i, a in enumerate(args) if a.startswith("--")}
    raise SystemExit(main(options.get("--per-day", 3), options.get("--digest-per-day", 10)))
