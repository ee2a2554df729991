"""The demo's chart helper (infra/local chart_process.py): a second interpreter draws the report's charts with the
report function's own `render_charts`; when it cannot, they are drawn here and the reason is kept."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta

from clinic_reviews.domain.report import MonthTally, build_report
from clinic_reviews.notify.report_charts import render_charts
from clinic_reviews_local.chart_process import ChartProcess, chart_process

from .records import make_record


def _report(policy):
    def month(n: int):
        return MonthTally(policy, date(2026, n, 1)).add_all(
            [make_record(policy, f"{n}-{i}", created=datetime(2026, n, 3 + i, 8, 0, tzinfo=UTC), rating=1 + i % 5,
                         answered_after=timedelta(minutes=30 * i) if i % 3 else None) for i in range(12)])

    return build_report(month(12), month(11), policy, datetime(2027, 1, 1, 6, 0, tzinfo=UTC))


def test_the_helper_draws_the_same_pngs_as_this_process(policy):
    report = _report(policy)
    with chart_process() as helper:
        charts = helper.draw(report)()
    assert helper.fallback is None
    assert [c.name for c in charts] == ["volume", "response", "bottlenecks", "ratings"]
    assert charts == render_charts(report)  # byte for byte


def test_a_helper_that_fails_leaves_the_charts_to_this_process_and_says_why(policy, monkeypatch, capsys):
    report = _report(policy)
    monkeypatch.setattr(ChartProcess, "command", (sys.executable, "-c", "import sys; sys.exit('no matplotlib here')"))
    with chart_process() as helper:
        charts = helper.draw(report)()
    assert helper.fallback == "the helper failed: no matplotlib here"
    assert "drawn in this process" in capsys.readouterr().err
    assert charts == render_charts(report)


def test_one_report_per_helper_and_an_unused_helper_ends(policy):
    report = _report(policy)
    with chart_process() as helper:
        helper.draw(report)()
        again = helper.draw(report)()
    assert helper.fallback == "one report per helper" and again == render_charts(report)
    with chart_process() as unused:
        unused.start()
    assert unused._process.returncode == 0
