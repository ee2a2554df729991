"""Fetch function: EventBridge Scheduler calls it per chain with `{"chain_id": ...}` (services/fetch.py).

`{"chain_id": ..., "clinics": [...]}` fetches only those clinics: the function sends itself that
event (asynchronously) for the clinics it had no time left for. One failing source never fails the
invocation: it is reported in the result, in the `SourceFailures` and `ConsecutiveSourceFailures`
metrics (the alarm) and in a log line without personal data. An invocation fails only when the
chain cannot be fetched at all (no policy, the table unreachable); then the scheduler's retries and
the function's dead-letter queue take over.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews.clients import client
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires


class BadFetchEvent(ValueError):
    """The event does not name a chain (and optionally its clinics)."""


def _parse(event: Any) -> tuple[str, list[str] | None]:
    if not isinstance(event, dict) or not isinstance(event.get("chain_id"), str) or not event["chain_id"]:
        raise BadFetchEvent('the fetch event needs {"chain_id": "..."}')
    clinics = event.get("clinics")
    if clinics is not None and (not isinstance(clinics, list) or not all(isinstance(c, str) for c in clinics)):
        raise BadFetchEvent('"clinics" must be a list of clinic ids')
    return event["chain_id"], clinics


@container.cached
def services():
    """The fetch: the table (policies, cursors, reviews), the archive bucket (raw pages), the platforms (their
    credentials: SOURCES_SECRET_NAME), intake (the bus, the escalation state machine)."""
    from clinic_reviews.services.fetch import FetchService

    settings = get_settings()
    table = compose.Table(settings)
    intake = compose.intake(settings, table)
    return FetchService(
        table.policies, table.cursors, table.reviews, table.archive, intake, compose.feeds(), clock.now,
        clinics_per_batch=settings.fetch_clinics_per_batch,
    )


@requires("TABLE_NAME", "BUS_NAME", "ARCHIVE_BUCKET", "ESCALATION_STATE_MACHINE_ARN", "SOURCES_SECRET_NAME")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    chain_id, clinics = _parse(event)
    report = services().run(
        chain_id, clinics, time_left=lambda: context.get_remaining_time_in_millis() / 1000
    )
    if report.remaining:
        client("lambda").invoke(
            FunctionName=context.invoked_function_arn,
            InvocationType="Event",
            Payload=json.dumps({"chain_id": chain_id, "clinics": report.remaining}).encode(),
        )
    result = report.as_dict()
    # Metrics for what changes or fails only (a steady-state poll publishes none: docs/cost.md); what every
    # poll reads (feeds, pages, reviews) is in the log line below.
    for metric, value in (
        ("SourceFailures", result["failed"]),
        ("ConsecutiveSourceFailures", report.max_failures),
        ("PagesArchived", result["archived"]),
        ("ReviewsSentToIntake", result["sent"]),
        ("CursorsWritten", result["cursors_written"]),
        ("ReviewsQuarantined", result["quarantined"]),
    ):
        metrics.add_metric(name=metric, unit="Count", value=value)
    logger.info(
        "fetch finished",
        extra={k: result[k] for k in ("chain_id", "pages", "fetched", "sent", "new", "changed", "failed")}
        | {"clinics": len(report.clinics), "remaining": len(report.remaining), "feeds": len(report.feeds)},
    )
    return result
