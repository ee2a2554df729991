"""Intake function: batches of normalized reviews from the intake queue, the bus, or a direct call.

- SQS: each message body is `{"reviews": [...]}` (or a bare list); a message that is not JSON, or
  whose reviews could not be stored, is reported as a batch item failure (retried, then the DLQ).
  Individually invalid reviews are rejected and logged with position and reason, not retried.
- EventBridge `reviews.submitted`: `detail = {"reviews": [...]}`.
- Direct invoke: `{"reviews": [...]}`; returns the intake report.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import wiring
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import requires

processor = BatchProcessor(event_type=EventType.SQS)


class BadBatch(ValueError):
    """The payload is not a batch of reviews."""


def _reviews_of(payload: Any) -> list[Any]:
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict) and isinstance(payload.get("reviews"), list):
        return payload["reviews"]
    raise BadBatch("expected {\"reviews\": [...]} or a JSON array of reviews")


def _ingest(reviews: list[Any]) -> dict[str, Any]:
    report = wiring.intake_service().ingest(reviews)
    for rejection in report.rejected:
        logger.warning("review rejected", extra={"index": rejection.index, "reason": rejection.reason})
    for name in ("new", "changed", "unchanged", "escalations"):
        metrics.add_metric(name=f"Reviews{name.title()}", unit="Count", value=getattr(report, name))
    metrics.add_metric(name="ReviewsRejected", unit="Count", value=len(report.rejected))
    if report.failed:
        raise RuntimeError(f"{len(report.failed)} reviews could not be stored; the batch will be retried")
    return report.as_dict()


def _record_handler(record: SQSRecord) -> dict[str, Any]:
    try:
        payload = json.loads(record.body)
    except json.JSONDecodeError as exc:
        raise BadBatch(f"message body is not JSON: {exc.msg} at position {exc.pos}") from None
    return _ingest(_reviews_of(payload))


@requires("TABLE_NAME", "BUS_NAME", "ARCHIVE_BUCKET", "ESCALATION_STATE_MACHINE_ARN")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "Records" in event:
        return process_partial_response(event=event, record_handler=_record_handler, processor=processor, context=context)
    if event.get("detail-type"):
        return _ingest(_reviews_of(event.get("detail")))
    return _ingest(_reviews_of(event))
