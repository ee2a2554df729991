"""Webhook function: a Lambda function URL for the clinic's own channels (site form, chat bot, help desk).

POST a review, an array of reviews or `{"reviews": [...]}` (import column names) with the header
`X-Clinic-Reviews-Signature: t=<unix>,v1=<HMAC-SHA256 of "<t>." + body>` (sources/webhook.py);
optional query parameters `clinic_id` (for items without one) and `source`. Answers 200 with counts
and rejects (line = 1-based item position), 401 for a bad or stale signature, 400 for a bad request.
Responses never echo review content.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, wiring
from clinic_reviews.handlers.request_limits import WEBHOOK_BYTES, limit_request_size
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import requires
from clinic_reviews.sources import helpdesk
from clinic_reviews.sources.webhook import HEADER, InvalidSignature, verify_signature


def _response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


@limit_request_size(WEBHOOK_BYTES)
@requires("TABLE_NAME", "BUS_NAME", "ARCHIVE_BUCKET", "ESCALATION_STATE_MACHINE_ARN", "WEBHOOK_SECRET_NAME")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    method = ((event.get("requestContext") or {}).get("http") or {}).get("method", "POST")
    if method != "POST":
        return _response(405, {"error": "use POST"})
    raw = event.get("body") or ""
    body = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode()
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    channel = (event.get("rawPath") or "/").strip("/")
    if channel in (helpdesk.YOUSCAN, helpdesk.USEDESK):  # the tools' own webhooks (docs/sources.md)
        return _from_channel(channel, body, headers, event.get("queryStringParameters") or {})
    try:
        verify_signature(wiring.webhook_secret(), body, headers.get(HEADER.lower()), clock.now())
    except InvalidSignature as exc:
        logger.warning("webhook refused", extra={"reason": str(exc)})
        metrics.add_metric(name="WebhookRefused", unit="Count", value=1)
        return _response(401, {"error": str(exc)})
    query = event.get("queryStringParameters") or {}
    try:
        report = wiring.import_service().receive_webhook(
            body, clinic_id=query.get("clinic_id") or None, source=query.get("source") or None
        )
    except ValueError as exc:
        return _response(400, {"error": str(exc)[:300]})
    metrics.add_metric(name="WebhookReviewsStored", unit="Count", value=report.new + report.changed)
    metrics.add_metric(name="WebhookReviewsRejected", unit="Count", value=len(report.rejects))
    if report.failed:
        return _response(503, {"error": f"{report.failed} reviews could not be stored; send again"})
    summary = {k: getattr(report, k) for k in ("rows", "new", "changed", "unchanged", "rejects")}
    logger.info("webhook received", extra={k: v for k, v in summary.items() if k != "rejects"})
    return _response(200, summary)


def _from_channel(channel: str, body: bytes, headers: dict[str, str], query: dict[str, str]) -> dict[str, Any]:
    """A YouScan mention or a Usedesk ticket: the channel's token first, then one review to the intake."""
    expected = helpdesk.channel_token(wiring.webhook_secret(), channel)
    try:
        if channel == helpdesk.YOUSCAN:
            helpdesk.verify_basic(headers.get("authorization"), expected)
        else:
            helpdesk.verify_token(query.get("token"), expected)
    except helpdesk.ChannelRefused as exc:
        logger.warning("channel webhook refused", extra={"channel": channel, "reason": str(exc)})
        metrics.add_metric(name="WebhookRefused", unit="Count", value=1)
        return _response(401, {"error": str(exc)})
    try:
        payload = json.loads(body)
        review = helpdesk.youscan_review(payload) if channel == helpdesk.YOUSCAN else helpdesk.usedesk_review(payload)
    except ValueError as exc:
        return _response(400, {"error": str(exc)[:300]})
    if review is None:
        return _response(200, {"ignored": 1})
    clinic_id = query.get("clinic_id") or None
    if clinic_id is None:
        return _response(400, {"error": "the webhook URL needs ?clinic_id="})
    try:
        report = wiring.import_service().receive_webhook(json.dumps(review).encode(), clinic_id=clinic_id)
    except ValueError as exc:
        return _response(400, {"error": str(exc)[:300]})
    if report.failed:
        return _response(503, {"error": "the review could not be stored; send again"})
    metrics.add_metric(name="WebhookReviewsStored", unit="Count", value=report.new + report.changed)
    return _response(200, {k: getattr(report, k) for k in ("rows", "new", "changed", "unchanged", "rejects")})
