"""The Telegram bot's webhook behind a Lambda Function URL (docs/cases.md, bot setup).

Telegram sends every update with the secret given to `setWebhook` in `X-Telegram-Bot-Api-Secret-Token`;
anything without it is refused before it is read. Updates are handled once each (`update_id`); a
failure answers 500, so Telegram delivers the update again.
"""

from __future__ import annotations

import hmac

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import compose, container
from clinic_reviews import http_input as request
from clinic_reviews.clients import IDEMPOTENCY_CONFIG, client, secret
from clinic_reviews.handlers.request_limits import TELEGRAM_BYTES, limit_request_size
from clinic_reviews.http_errors import HttpError, guarded
from clinic_reviews.http_routes import TEXT_PLAIN, Response, Router
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires

#: Routed by http_routes.py like the other function URLs: Powertools' resolver was a sixth of `import boto3` here.
app = Router("telegram", {})
SECRET_HEADER = "x-telegram-bot-api-secret-token"


def _plain(status: int, text: str) -> Response:
    return Response(status, text, TEXT_PLAIN)


@app.post("/telegram")
def webhook():
    expected = str(secret("telegram_secret_name", transform="json").get("webhook_secret") or "")
    given = request.headers(app.request.raw_event).get(SECRET_HEADER) or ""
    if not expected or not hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode()):
        logger.info("telegram update refused: wrong or missing secret token")
        raise HttpError(401, "unauthorized")
    update = request.json_body(app.request.raw_event, TELEGRAM_BYTES)
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise HttpError(400, "not a Telegram update")
    result = services().handle(update=update)
    metrics.add_metric(name="TelegramUpdates", unit="Count", value=1)
    logger.info("telegram update handled", extra={"update_id": update["update_id"], "kind": min(result)})
    return _plain(200, "ok")


@container.cached
def services():
    """The bot: the table (cases, reviews, policies, replies; their events leave with the writes), the Telegram API (TELEGRAM_SECRET_NAME),
    Google replies (SOURCES_SECRET_NAME)."""
    from clinic_reviews.services.chat import ChatService

    settings = get_settings()
    table = compose.Table(settings)
    cases = compose.case_service(settings, table)
    return ChatService(cases, table.cases, table.policies, compose.telegram(), table.name, client("dynamodb", config=IDEMPOTENCY_CONFIG))


@limit_request_size(TELEGRAM_BYTES)
@requires("TABLE_NAME", "TELEGRAM_SECRET_NAME", "SOURCES_SECRET_NAME")
@guarded("telegram")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict, context: LambdaContext) -> dict:
    services().config.register_lambda_context(context)
    return app.resolve(event, context)
