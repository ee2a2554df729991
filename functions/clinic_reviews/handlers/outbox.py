"""Outbox function: the reviews table's stream to the bus (store/outbox.py).

Lambda reads the stream in order (one batch per shard at a time) and passes the records here; each record's
events are put on the bus in that order. When the bus keeps refusing, the record that failed and every record
after it are reported as batch item failures: Lambda retries from the first of them, so nothing is skipped and
the order per review holds (template.yaml: bounded retries, then the outbox dead-letter queue and its alarm).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clinic_reviews import compose, container
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires
from clinic_reviews.store.outbox import events_of

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext


@container.cached
def bus():
    """The event bus (BUS_NAME): all this function touches."""
    return compose.bus(get_settings())


def _groups(records: list[dict[str, Any]]) -> list[list[Any]]:
    """Each record's events, up to the first record that cannot be read (it and the rest are retried)."""
    groups = []
    for record in records:
        try:
            groups.append(events_of(record))
        except Exception:
            logger.exception("stream record not readable", extra={"sequence": _sequence(record)})
            break
    return groups


def _sequence(record: dict[str, Any]) -> str:
    return str((record.get("dynamodb") or {}).get("SequenceNumber", ""))


@requires("BUS_NAME")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    records = event.get("Records") or []
    groups = _groups(records)
    done = bus().publish_in_order(groups)
    failed = records[done:]
    if failed:
        logger.warning("bus did not take every event; retried from the first", extra={"failed": len(failed)})
        metrics.add_metric(name="OutboxRecordsRetried", unit="Count", value=len(failed))
    return {"batchItemFailures": [{"itemIdentifier": _sequence(record)} for record in failed]}
