"""Inbound e-mail function: S3 object-created events of the mail bucket, where the SES receipt rule stores
each mail under `inbound-mail/` (services/inbound_mail.py, docs/sources.md).

One mail's refusal or quarantine never stops the others; a transient failure raises after every record was
tried, so S3's asynchronous retries run the event again (idempotent by Message-ID), then the function's
dead-letter queue (its alarm). Logs name the object key and the outcome, never the sender or the text.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews.event_records import s3_objects
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires

_METRICS = {"stored": "InboundMailStored", "refused": "InboundMailRefused", "quarantined": "ReviewsQuarantined"}


@container.cached
def services():
    """Inbound mail: the table (+ archive bucket, the senders' contact data), the bus, the escalation state
    machine (through intake); mails of the bucket an S3 event names."""
    from clinic_reviews.services.inbound_mail import InboundMailService

    settings = get_settings()
    table = compose.Table(settings)
    return InboundMailService(
        settings.require("chain_id"), table.policies, compose.intake(settings, table), table.contacts,
        compose.quarantine(table, compose.bus(settings)), clock.now,
    )


@requires("TABLE_NAME", "BUS_NAME", "ARCHIVE_BUCKET", "ESCALATION_STATE_MACHINE_ARN", "CHAIN_ID")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes, failures = [], 0
    for bucket, key, size in s3_objects(event):
        try:
            outcome = services().receive_object(compose.bucket(bucket), key, size=size)
        except Exception:  # transient (services/inbound_mail.py): the others still run, then the event is retried
            logger.exception("inbound mail not read; retried", extra={"key": key})
            failures += 1
            continue
        outcomes.append(outcome.as_dict())
        if outcome.outcome in _METRICS:
            metrics.add_metric(name=_METRICS[outcome.outcome], unit="Count", value=1)
        logger.info("inbound mail", extra=outcome.as_dict())
    if failures:
        raise RuntimeError(f"{failures} mails could not be read; the event will be retried")
    return {"mails": outcomes}
