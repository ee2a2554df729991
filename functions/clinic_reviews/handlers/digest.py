"""Digest function: EventBridge Scheduler calls it at 08:00 in the chain's zone with `{"chain_id": ...}`.

`{"chain_id": ..., "day": "YYYY-MM-DD"}` re-sends (or first sends) a given day; a day already sent
is not sent again. Then the reviews past the policy's `retention.authors` lose their authors' names.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires


@container.cached
def table() -> compose.Table:
    return compose.Table(get_settings())


@container.cached
def services() -> compose.Sending:
    """The daily digest: the table (+ archive bucket), e-mail/SMS, the bus (spike events)."""
    from clinic_reviews.services.digest import DigestService

    settings = get_settings()
    table_ = table()
    delivery = compose.delivery(settings)
    insights = compose.insights(table_, delivery, compose.bus(settings))
    digest = DigestService(
        table_.reviews, table_.policies, delivery, table_.archive, clock.now, table_.cases,
        counters=table_.counters(), insights=insights,
    )
    return compose.Sending(digest, delivery)


@container.cached
def redaction():
    """Authors' names past the policy's retention (services/retention.py): the same table."""
    from clinic_reviews.services.retention import AuthorRedaction

    return AuthorRedaction(table().reviews, table().policies, clock.now)


@requires("TABLE_NAME", "BUS_NAME", "ARCHIVE_BUCKET", "SENDER_EMAIL")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    services().delivery.begin(context)
    chain_id = event.get("chain_id")
    if not isinstance(chain_id, str) or not chain_id:
        raise ValueError("the digest event needs a chain_id")
    day = date.fromisoformat(event["day"]) if event.get("day") else None
    result = services().service.send(chain_id, day)
    metrics.add_metric(name="DigestsSent", unit="Count", value=result["sent"])
    logger.info("digest sent", extra={k: result[k] for k in ("chain_id", "day", "reviews", "sent")})
    redacted = redaction().run(chain_id)  # names past retention.authors (docs/retention.md)
    logger.info("authors' names removed", extra=redacted)
    return {**result, "authors_removed": redacted["removed"]}
