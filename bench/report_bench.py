"""Monthly report benchmark: a month of 16 clinics x 100 reviews a day (48,000 reviews), in memory.

    .venv/bin/python bench/report_bench.py

Times what ReportFunction does after its Queries: folding two months of records into tallies, building
the report, drawing the four PNG charts (matplotlib, first import included) and rendering the HTML
twice (cid: for the e-mail, data: for the archive). Printed, never asserted.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chain_data import CLINICS, PER_DAY, chain_policy, day_records

MONTH = date(2026, 11, 1)
PREVIOUS = date(2026, 10, 1)
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def main() -> int:
    from clinic_reviews.domain.report import MonthTally, build_report, month_days

    policy = chain_policy()
    started = time.perf_counter()
    tallies = {}
    count = 0
    for first in (PREVIOUS, MONTH):
        tally = MonthTally(policy, first)
        for day in month_days(first):
            records = day_records(policy, day)
            count += len(records)
            tally.add_all(records)
        tallies[first] = tally
    generate_and_tally = time.perf_counter() - started
    started = time.perf_counter()
    report = build_report(tallies[MONTH], tallies[PREVIOUS], policy, NOW)
    build = time.perf_counter() - started

    started = time.perf_counter()
    from clinic_reviews.notify.report_charts import render_charts

    charts = render_charts(report)
    draw_first = time.perf_counter() - started
    started = time.perf_counter()
    render_charts(report)
    draw_warm = time.perf_counter() - started
    from clinic_reviews.notify.report_render import render_report

    started = time.perf_counter()
    documents = render_report(report, charts, archive_url="https://example.invalid/report.html")
    render = time.perf_counter() - started
    print(f"report: {CLINICS} clinics x {PER_DAY} reviews a day, two months = {count} records")
    print(f"  generate + tally both months:     {generate_and_tally:.2f} s ({count / generate_and_tally:,.0f} records/s)")
    print(f"  build the report:                 {build:.3f} s")
    print(f"  4 charts, first (matplotlib import + font cache): {draw_first:.2f} s; again: {draw_warm:.2f} s; "
          f"PNG sizes {', '.join(f'{c.name} {len(c.png) // 1024} KB' for c in charts)}")
    print(f"  HTML twice + text:                {render:.3f} s; e-mail HTML {len(documents.email_html) // 1024} KB, "
          f"archive HTML {len(documents.archive_html) // 1024} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
