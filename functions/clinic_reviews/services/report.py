"""The monthly report: tally a month and the one before day by day (gsi2), chart, archive, e-mail.

Queries: one gsi2 Query per local day (and its pages), for the month and the month before: about 60
in all, no Scan. Records are folded into tallies as they are read, so memory stays flat however large
the chain. matplotlib is imported only when the charts are drawn (notify/report_charts.py).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from clinic_reviews.domain.report import (
    MonthlyReport,
    MonthTally,
    build_report,
    month_days,
    month_start,
    previous_month,
    report_month,
)
from clinic_reviews.notify.case_block import report_with_cases
from clinic_reviews.notify.delivery import Delivery
from clinic_reviews.notify.report_charts import Chart, render_charts
from clinic_reviews.notify.report_render import ReportDocuments, render_report
from clinic_reviews.services.day_reads import DayReads
from clinic_reviews.store.blobs import BlobStore
from clinic_reviews.store.policies import PolicyRepository
from clinic_reviews.store.reviews import ReviewRepository

#: How long the e-mailed link to the archived report works (SigV4's longest; see docs/reports.md).
LINK_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class ReportOutput:
    report: MonthlyReport
    charts: list[Chart]
    documents: ReportDocuments

    @property
    def key(self) -> str:
        return archive_key(self.report.chain_id, self.report.month)


def archive_key(chain_id: str, month: date) -> str:
    return f"reports/{chain_id}/{month.strftime('%Y-%m')}.html"


class ReportService:
    def __init__(
        self,
        reviews: ReviewRepository,
        policies: PolicyRepository,
        delivery: Delivery | None,
        blobs: BlobStore | None,
        now: Callable[[], datetime],
        cases=None,  # store.cases.CaseRepository: the month's case block (docs/cases.md)
        feedback=None,  # store.feedback.FeedbackRepository: the post-visit figures block (docs/feedback.md)
        cost=None,  # (policy, report, month) -> (estimate JSON, Cost Explorer USD or None): docs/cost.md
        insights=None,  # services.insight_report.InsightReport: systemic, reply quality, turned (docs/insights.md)
    ):
        self._insights = insights
        self._reviews = reviews
        self._policies = policies
        self._delivery = delivery
        self._blobs = blobs
        self._now = now
        self._cases = cases
        self._feedback = feedback
        self._cost = cost

    def month_for(self, chain_id: str) -> date:
        """The month a run now reports on: the last complete month in the chain's zone."""
        return report_month(self._now(), self._policies.chain(chain_id).chain.timezone)

    def tally(self, chain_id: str, month: date, reads: DayReads | None = None) -> MonthTally:
        policy = self._policies.chain(chain_id)
        tally = MonthTally(policy, month)
        for day in month_days(month):
            tally.add_all((reads or self._reviews).by_day(chain_id, day))
        return tally

    def build(self, chain_id: str, month: date | None = None, archive_url: str | None = None) -> ReportOutput:
        policy = self._policies.chain(chain_id)
        first = month_start(month) if month else self.month_for(chain_id)
        reads = DayReads(self._reviews, self._cases)  # each day read once: the months, the insights' corpus
        current = self.tally(chain_id, first, reads)
        previous = self.tally(chain_id, previous_month(first), reads)
        report = build_report(current, previous, policy, self._now())
        charts = render_charts(report)
        documents = render_report(report, charts, archive_url)
        if self._cases is not None:  # cases (issue 9): a separate block from the month's case log
            case_log = [e for day in month_days(first) for e in reads.log_of_day(chain_id, day)]
            documents = report_with_cases(documents, case_log, policy, first)
        if self._feedback is not None:  # post-visit feedback (issue 7): sent, opened, rated, clicks, complaints
            from clinic_reviews.notify.feedback_block import report_with_feedback
            from clinic_reviews.services.feedback import feedback_figures

            documents = report_with_feedback(documents, feedback_figures(self._feedback, chain_id, first), policy, first)
        if self._cost is not None:  # what running the system cost that month (docs/cost.md)
            from clinic_reviews.notify.cost_block import report_with_cost

            estimate, actual = self._cost(policy, report, first)
            documents = report_with_cost(documents, estimate, actual, policy.chain.language)
        if self._insights is not None:  # systemic problems, reply quality, turned negatives (issue 19)
            from clinic_reviews.notify.month_insights_block import report_with_insights

            month_insights = self._insights.month(chain_id, first, reads)
            documents = report_with_insights(documents, month_insights, policy, first.strftime("%m.%Y"))
        return ReportOutput(report, charts, documents)

    def send(self, chain_id: str, month: date | None = None) -> dict:
        """Build, archive (HTML with data: images, PNGs, JSON figures) and e-mail the report once per recipient."""
        policy = self._policies.chain(chain_id)
        first = month_start(month) if month else self.month_for(chain_id)
        key = archive_key(chain_id, first)
        link = self._blobs.presigned_url(key, LINK_SECONDS) if self._blobs is not None else None
        output = self.build(chain_id, first, archive_url=link)
        if self._blobs is not None:
            self.archive(output)
        images = [
            {"cid": c.content_id, "filename": c.filename, "data": base64.b64encode(c.png).decode()}
            for c in output.charts
        ]
        sent = 0
        for recipient in policy.chain.digest_recipients:
            if self._delivery is None:
                break
            self._delivery.deliver(
                request={
                    "key": f"report:{chain_id}:{first.strftime('%Y-%m')}:{recipient}",
                    "channel": "email",
                    "to": recipient,
                    "subject": output.documents.subject,
                    "html": output.documents.email_html,
                    "text": output.documents.text,
                    "sender_name": policy.chain.name,
                    "images": images,
                }
            )
            sent += 1
        return {
            "chain_id": chain_id,
            "month": first.strftime("%Y-%m"),
            "reviews": output.report.total.current.count,
            "charts": len(output.charts),
            "sent": sent,
            "archived": key if self._blobs is not None else None,
        }

    def archive(self, output: ReportOutput) -> list[str]:
        """`reports/<chain>/<YYYY-MM>.html` (stands alone: data: images), its PNGs and figures as JSON."""
        base = output.key.removesuffix(".html")
        self._blobs.put_bytes(output.key, output.documents.archive_html.encode(), "text/html; charset=utf-8")
        keys = [output.key]
        for chart in output.charts:
            self._blobs.put_bytes(f"{base}/{chart.filename}", chart.png, "image/png")
            keys.append(f"{base}/{chart.filename}")
        self._blobs.put_bytes(f"{base}.json", json.dumps(figures(output.report), ensure_ascii=False).encode(),
                              "application/json")
        keys.append(f"{base}.json")
        return keys


def figures(report: MonthlyReport) -> dict:
    """The report's numbers as JSON (for integrators and spreadsheets)."""

    def row(r) -> dict:
        c = r.current
        return {
            "key": r.key,
            "count": c.count,
            "average_rating": c.average_rating,
            "negative_share": None if c.negative_share is None else round(c.negative_share, 4),
            "count_change": r.count_change,
            "rating_change": r.rating_change,
            "negative_share_change_pp": r.negative_share_change,
        }

    return {
        "chain_id": report.chain_id,
        "month": report.month.strftime("%Y-%m"),
        "has_previous": report.has_previous,
        "total": row(report.total),
        "clinics": [row(r) for r in report.clinics],
        "platforms": [row(r) for r in report.platforms],
        "topics": [row(r) for r in report.topics],
        "reply_minutes": {
            "median": report.median_reply_minutes,
            "p90": report.p90_reply_minutes,
            "negative_median": report.negative_median_reply_minutes,
            "negative_p90": report.negative_p90_reply_minutes,
        },
        "response": [{"bucket": b, "negative": n, "other": o} for b, n, o in report.response],
        "bottlenecks": [
            {"topic": b.topic, "count": b.count, "previous": b.previous, "weekly": list(b.weekly)}
            for b in report.bottlenecks
        ],
        "staff": [{"name": p.name, "reviews": p.reviews, "clinics": list(p.clinics)} for p in report.staff],
        "negatives_turned": report.total.current.turned,
        "backfill_not_counted": report.backfill,
    }
