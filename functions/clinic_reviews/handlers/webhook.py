"""Webhook function: a Lambda function URL for the clinic's own channels (site form, chat bot, help desk).

POST a review, an array of reviews or `{"reviews": [...]}` (import column names) with the header
`X-Clinic-Reviews-Signature: t=<unix>,v1=<HMAC-SHA256 of "<t>." + body>` (sources/webhook.py);
optional query parameters `clinic_id` (for items without one) and `source`. Answers 200 with counts
and rejects (line = 1-based item position), 401 for a bad or stale signature, 400 for a bad request;
errors in the one shape of http_errors.py (`{"message"}`).
Responses never echo review content.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews import http_input as request
from clinic_reviews.clients import secret_bytes
from clinic_reviews.domain.safe_text import parse_json, printable
from clinic_reviews.handlers.request_limits import WEBHOOK_BYTES, limit_request_size
from clinic_reviews.http_errors import HttpError, guarded, json_response
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires
from clinic_reviews.sources import helpdesk
from clinic_reviews.sources.webhook import HEADER, InvalidSignature, verify_signature


@container.cached
def services():
    """Webhook reviews into intake: the table (+ archive bucket), the bus, the escalation state machine."""
    settings = get_settings()
    table = compose.Table(settings)
    return compose.imports(settings, table)


def _key() -> bytes:
    """The HMAC key of signed calls and helpdesk channel tokens (WEBHOOK_SECRET_NAME)."""
    return secret_bytes("webhook_secret_name")


@limit_request_size(WEBHOOK_BYTES)
@requires("TABLE_NAME", "BUS_NAME", "ARCHIVE_BUCKET", "ESCALATION_STATE_MACHINE_ARN", "WEBHOOK_SECRET_NAME")
@guarded("webhook")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if request.method(event) != "POST":
        raise HttpError(405, "use POST")
    body = request.body_bytes(event, WEBHOOK_BYTES)
    path = event.get("rawPath")
    channel = path.strip("/") if isinstance(path, str) else ""
    if channel in (helpdesk.YOUSCAN, helpdesk.USEDESK):  # the tools' own webhooks (docs/sources.md)
        return _from_channel(channel, body, request.headers(event), event)
    try:
        verify_signature(_key(), body, request.headers(event).get(HEADER.lower()), clock.now())
    except InvalidSignature as exc:
        logger.warning("webhook refused", extra={"reason": str(exc)})
        metrics.add_metric(name="WebhookRefused", unit="Count", value=1)
        raise HttpError(401, str(exc)) from None  # the reasons are fixed texts (sources/webhook.py)
    try:
        report = services().receive_webhook(
            body, clinic_id=request.query(event, "clinic_id"), source=request.query(event, "source")
        )
    except ValueError as exc:  # unknown clinic or source, body too large: messages written for the sender
        raise HttpError(400, printable(str(exc))[:300]) from None
    metrics.add_metric(name="WebhookReviewsStored", unit="Count", value=report.new + report.changed)
    metrics.add_metric(name="WebhookReviewsRejected", unit="Count", value=len(report.rejects))
    if report.failed:
        raise HttpError(503, f"{report.failed} reviews could not be stored; send again")
    summary = {k: getattr(report, k) for k in ("rows", "new", "changed", "unchanged", "rejects")}
    logger.info("webhook received", extra={k: v for k, v in summary.items() if k != "rejects"})
    return json_response(200, summary)


def _from_channel(channel: str, body: bytes, headers: dict[str, str], event: dict[str, Any]) -> dict[str, Any]:
    """A YouScan mention or a Usedesk ticket: the channel's token first, then one review to the intake."""
    expected = helpdesk.channel_token(_key(), channel)
    try:
        if channel == helpdesk.YOUSCAN:
            helpdesk.verify_basic(headers.get("authorization"), expected)
        else:
            helpdesk.verify_token(request.query(event, "token"), expected)
    except helpdesk.ChannelRefused as exc:
        logger.warning("channel webhook refused", extra={"channel": channel, "reason": str(exc)})
        metrics.add_metric(name="WebhookRefused", unit="Count", value=1)
        raise HttpError(401, str(exc)) from None
    try:
        payload = parse_json(body)
        review = helpdesk.youscan_review(payload) if channel == helpdesk.YOUSCAN else helpdesk.usedesk_review(payload)
    except ValueError as exc:  # BadJson included: messages written for the sender
        raise HttpError(400, printable(str(exc))[:300]) from None
    if review is None:
        return json_response(200, {"ignored": 1})
    clinic_id = request.query(event, "clinic_id")
    if clinic_id is None:
        raise HttpError(400, "the webhook URL needs ?clinic_id=")
    try:
        report = services().receive_webhook(json.dumps(review).encode(), clinic_id=clinic_id)
    except ValueError as exc:
        raise HttpError(400, printable(str(exc))[:300]) from None
    if report.failed:
        raise HttpError(503, "the review could not be stored; send again")
    metrics.add_metric(name="WebhookReviewsStored", unit="Count", value=report.new + report.changed)
    return json_response(200, {k: getattr(report, k) for k in ("rows", "new", "changed", "unchanged", "rejects")})
