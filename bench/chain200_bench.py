"""The digest and the monthly report of a 200-clinic chain: time and memory of the functions' own work (issue 16).

    .venv/bin/python bench/chain200_bench.py [--per-day N] [--digest-per-day N]

A 200-clinic chain (bench/chain_data.py: four time zones). The digest: the day's reviews (`--digest-per-day`
a clinic, 10 by default) as DynamoDB returns them (the repository's items, serialized), decoded by pynamodb and
the repository, folded into the digest and rendered (HTML and text), as DigestFunction does after its Queries.
The report: two months (`--per-day` a clinic a day, 3 by default: a chain of 14 clinics handles about 1,200
messages a month) folded day by day into the month tallies, the report built, its four charts drawn and its
HTML rendered, as ReportFunction does. For each: wall time and the peak of Python allocations (tracemalloc),
printed against the function's Timeout and MemorySize in template.yaml. Never asserted.

Why not through the deployed functions on the embedded AWS: moto answers a Query on a global secondary index
by scanning every item of the table, page after page (moto/dynamodb/models/table.py, `query`), so in moto
the digest's 201 Queries over a 38,000-item table did not finish in 20 minutes on this machine; on DynamoDB a
Query reads only its partition. The AWS side is counted instead: the Queries' pages (1 MB each).
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chain_data import ROOT, chain_policy, day_records

CLINICS = 200
DIGEST_DAY = date(2026, 11, 30)
MORNING = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
MONTH, PREVIOUS = date(2026, 11, 1), date(2026, 10, 1)


def _limits(logical_id: str) -> tuple[int, int]:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    template = yaml.load((ROOT / "template.yaml").read_text(encoding="utf-8"), Loader=Loader)
    glob = template["Globals"]["Function"]
    props = template["Resources"][logical_id]["Properties"]
    return int(props.get("Timeout", glob["Timeout"])), int(props.get("MemorySize", glob["MemorySize"]))


def _measured(work) -> tuple[float, float, object]:
    tracemalloc.start()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return seconds, peak, result


def digest(policy, per_day: int) -> None:
    from clinic_reviews.domain.digest import build_digest
    from clinic_reviews.notify.digest_render import digest_email
    from clinic_reviews.store.models import ReviewItem
    from clinic_reviews.store.reviews import ReviewRepository

    repository = ReviewRepository(None)
    records = [r for r in day_records(policy, DIGEST_DAY, per_day=per_day) if r.local_day == DIGEST_DAY]
    raw = [repository._to_item(r).serialize() for r in records]

    def work():
        decoded = [ReviewRepository.record_of(ReviewItem.from_raw_data(item)) for item in raw]
        return digest_email(build_digest(decoded, [], policy, DIGEST_DAY, MORNING))

    seconds, peak, email = _measured(work)
    timeout, memory = _limits("DigestFunction")
    pages = sum(len(str(item)) for item in raw) / 2**20
    print(f"digest, {CLINICS} clinics, {len(records)} reviews of the day: {seconds:.2f} s of {timeout} s, peak "
          f"{peak:.0f} MB allocated of {memory} MB; HTML {len(email.html) // 1024} KB; the Queries return about "
          f"{pages:.1f} MB ({max(1, round(pages))} gsi2 pages) plus one gsi1 Query per clinic ({CLINICS})", flush=True)


def report(policy, per_day: int) -> None:
    from clinic_reviews.domain.report import MonthTally, build_report, month_days
    from clinic_reviews.notify.report_charts import render_charts
    from clinic_reviews.notify.report_render import render_report

    count = 0

    def work():
        nonlocal count
        tallies = {}
        for first in (PREVIOUS, MONTH):
            tally = MonthTally(policy, first)
            for day in month_days(first):
                records = day_records(policy, day, per_day=per_day)
                count += len(records)
                tally.add_all(records)
            tallies[first] = tally
        built = build_report(tallies[MONTH], tallies[PREVIOUS], policy, MORNING)
        charts = render_charts(built)
        return render_report(built, charts, archive_url="https://example.invalid/report.html")

    seconds, peak, documents = _measured(work)
    timeout, memory = _limits("ReportFunction")
    print(f"report, {CLINICS} clinics, two months = {count} reviews (generated inside the measure: an over-count): "
          f"{seconds:.2f} s of {timeout} s, peak {peak:.0f} MB allocated of {memory} MB; e-mail HTML "
          f"{len(documents.email_html) // 1024} KB", flush=True)


def main(per_day: int = 3, digest_per_day: int = 10) -> int:
    policy = chain_policy(CLINICS)
    digest(policy, digest_per_day)
    report(policy, per_day)
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    options = {a: int(args[i + 1]) for i, a in enumerate(args) if a.startswith("--")}
    raise SystemExit(main(options.get("--per-day", 3), options.get("--digest-per-day", 10)))
