"""Report function: EventBridge Scheduler calls it at 09:00 on the 1st in the chain's zone with `{"chain_id": ...}`.

It reports on the month that has just ended there. `{"chain_id": ..., "month": "YYYY-MM"}` (re)builds a
given month; a recipient who already got that month's report is not sent it again.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import wiring
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import requires


def _month(value: Any) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError):
        raise ValueError(f"month must look like 2026-11, got {value!r}") from None


@requires("TABLE_NAME", "ARCHIVE_BUCKET", "SENDER_EMAIL", "COST_EXPLORER", "STAGE")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    wiring.delivery().config.register_lambda_context(context)
    chain_id = event.get("chain_id")
    if not isinstance(chain_id, str) or not chain_id:
        raise ValueError("the report event needs a chain_id")
    result = wiring.report_service().send(chain_id, _month(event.get("month")))
    metrics.add_metric(name="ReportsSent", unit="Count", value=result["sent"])
    logger.info("report sent", extra={k: result[k] for k in ("chain_id", "month", "reviews", "charts", "sent")})
    return result
