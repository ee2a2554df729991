"""Escalation step: the escalation workflow's task, run after each tier's deadline (or quiet hours)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.services.escalation import EscalationService, TierRequest
from clinic_reviews.settings import get_settings, requires


@container.cached
def services() -> compose.Sending:
    """The table (reviews, policies, counters, links), SMS/e-mail/Telegram; link and bot secrets. review.escalated
    leaves with the table write (store/outbox.py)."""
    settings = get_settings()
    table = compose.Table(settings)
    delivery = compose.delivery(settings, chat=compose.chat_sender(compose.telegram))
    links = compose.link_maker(settings, table)
    escalation = EscalationService(
        table.reviews, table.policies, delivery, table.counters(), clock.now, links
    )
    return compose.Sending(escalation, delivery)


@requires("TABLE_NAME", "SENDER_EMAIL", "LINK_SECRET_NAME", "PUBLIC_BASE_URL", "TELEGRAM_SECRET_NAME")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    services().delivery.begin(context)
    request = TierRequest.from_event(event)
    logger.append_keys(review=request.key.token(), tier=request.tier["id"])
    result = services().service.run_tier(request)
    metrics.add_metric(name=f"Escalation{result['outcome'].title()}", unit="Count", value=1)
    logger.info("tier step done", extra={"outcome": result["outcome"]})
    return result
