"""The feedback workflow's step (statemachines/feedback.asl.json): send one visit's SMS at its moment.

Returns `{"outcome": "sent" | "skipped" | "deferred", ...}`; `deferred` carries `retry_at`, which the
workflow waits for. A retried step sends nothing twice (services/feedback.py, notify/delivery.py).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews.clients import secret_bytes
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires


@container.cached
def services() -> compose.Sending:
    """Feedback requests out: the table (requests, policies), SMS (SNS); the link secret, FEEDBACK_BASE_URL."""
    from clinic_reviews.services.feedback import FeedbackSender

    settings = get_settings()
    table = compose.Table(settings)
    delivery = compose.delivery(settings)
    sender = FeedbackSender(
        table.feedback, table.policies, delivery, lambda: secret_bytes("link_secret_name"),
        settings.require("feedback_base_url"), clock.now,
    )
    return compose.Sending(sender, delivery)


@requires("TABLE_NAME", "LINK_SECRET_NAME", "FEEDBACK_BASE_URL")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    services().delivery.begin(context)
    result = services().service.send(event["ref"])
    if result["outcome"] == "sent":
        metrics.add_metric(name="FeedbackRequestsSent", unit="Count", value=1)
    return result
