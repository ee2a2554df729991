"""Report function: EventBridge Scheduler calls it at 09:00 on the 1st in the chain's zone with `{"chain_id": ...}`.

It reports on the month that has just ended there. `{"chain_id": ..., "month": "YYYY-MM"}` (re)builds a
given month; a recipient who already got that month's report is not sent it again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews.clients import client
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires


def _month(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError):
        raise ValueError(f"month must look like 2026-11, got {value!r}") from None


@container.cached
def services() -> compose.Sending:
    """The monthly report: the table (+ archive bucket), e-mail; Cost Explorer with COST_EXPLORER=true."""
    from clinic_reviews.services.report import ReportService

    settings = get_settings()
    table = compose.Table(settings)
    delivery = compose.delivery(settings)
    report = ReportService(
        table.reviews, table.policies, delivery, table.archive, clock.now, table.cases,
        feedback=table.feedback, insights=compose.insight_report(table), cost=month_cost,
    )
    return compose.Sending(report, delivery)


def month_cost(policy, report, first) -> tuple[dict, float | None]:
    """The month's cost estimate (`clinic-reviews cost` on its real figures) and, with COST_EXPLORER=true on
    AWS, Cost Explorer's figure for the stack's tag; an unavailable figure is logged and left out."""
    from botocore.exceptions import BotoCoreError, ClientError

    from clinic_reviews.cost.estimate import for_month

    settings = get_settings()
    current = report.total.current
    estimate = for_month(policy, current.count, current.negative_share).to_json()
    actual = None
    if settings.cost_explorer:
        from clinic_reviews.cost.explorer import month_cost as explorer_cost

        try:
            actual = explorer_cost(client("ce", region="us-east-1"), first, settings.require("stage"))
        except (BotoCoreError, ClientError) as exc:
            logger.warning("Cost Explorer figure unavailable", extra={"reason": type(exc).__name__})
    return estimate, actual


@requires("TABLE_NAME", "ARCHIVE_BUCKET", "SENDER_EMAIL", "COST_EXPLORER", "STAGE")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    services().delivery.begin(context)
    chain_id = event.get("chain_id")
    if not isinstance(chain_id, str) or not chain_id:
        raise ValueError("the report event needs a chain_id")
    result = services().service.send(chain_id, _month(event.get("month")))
    metrics.add_metric(name="ReportsSent", unit="Count", value=result["sent"])
    logger.info("report sent", extra={k: result[k] for k in ("chain_id", "month", "reviews", "charts", "sent")})
    return result
