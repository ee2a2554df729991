"""Intake function: batches of normalized reviews from the intake queue, the bus, or a direct call.

- SQS: each message body is `{"reviews": [...]}` (or a bare list); a message that is not JSON, or
  whose reviews could not be stored, is reported as a batch item failure (retried, then the DLQ).
  Individually invalid reviews are rejected and logged with position and reason, not retried.
- EventBridge `reviews.submitted`: `detail = {"reviews": [...]}`.
- Direct invoke: `{"reviews": [...]}`; returns the intake report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clinic_reviews import compose, container
from clinic_reviews.domain.safe_text import BadJson, parse_json
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.queue_batches import partial_response
from clinic_reviews.settings import get_settings, requires

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


class BadBatch(ValueError):
    """The payload is not a batch of reviews."""


def _reviews_of(payload: Any) -> list[Any]:
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict) and isinstance(payload.get("reviews"), list):
        return payload["reviews"]
    raise BadBatch("expected {\"reviews\": [...]} or a JSON array of reviews")


def _ingest(reviews: list[Any]) -> dict[str, Any]:
    report = services().ingest(reviews)
    for rejection in report.rejected:
        logger.warning("review rejected", extra={"index": rejection.index, "reason": rejection.reason})
    for name in ("new", "changed", "unchanged", "escalations"):
        metrics.add_metric(name=f"Reviews{name.title()}", unit="Count", value=getattr(report, name))
    metrics.add_metric(name="ReviewsRejected", unit="Count", value=len(report.rejected))
    metrics.add_metric(name="ReviewsQuarantined", unit="Count", value=len(report.quarantined))  # its alarm
    if report.failed:
        raise RuntimeError(f"{len(report.failed)} reviews could not be stored; the batch will be retried")
    return report.as_dict()


def _message(body: str) -> dict[str, Any]:
    try:
        payload = parse_json(body)
    except BadJson as exc:
        raise BadBatch(f"message body is not JSON: {exc}") from None
    return _ingest(_reviews_of(payload))


def _failed(exc: BaseException) -> None:
    logger.warning("intake message failed; it is retried", extra={"error": type(exc).__name__,
                                                                   "reason": str(exc) if isinstance(exc, BadBatch) else ""})


@container.cached
def services():
    """The intake service: the table (+ archive bucket), the bus, the escalation state machine."""
    settings = get_settings()
    table = compose.Table(settings)
    return compose.intake(settings, table)


@requires("TABLE_NAME", "BUS_NAME", "ARCHIVE_BUCKET", "ESCALATION_STATE_MACHINE_ARN")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:
        return partial_response(event, _message, _failed)
    if event.get("detail-type"):
        return _ingest(_reviews_of(event.get("detail")))
    return _ingest(_reviews_of(event))
