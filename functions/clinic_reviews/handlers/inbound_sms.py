"""Replies to the feedback SMS (two-way SMS of AWS End User Messaging, delivered through an SNS topic).

Each SNS record's message is the JSON AWS publishes for an inbound SMS (`originationNumber`,
`messageBody`, ...). A reply starting with STOP (or СТОП, ОТПИСАТЬСЯ, ...) opts the number out of
feedback requests; anything else is ignored. Neither the number nor the words are logged.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews.clients import secret_bytes
from clinic_reviews.event_records import sns_messages
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires


@container.cached
def services():
    """Patients' SMS replies (STOP): the table (feedback requests) and the phone salt secret."""
    from clinic_reviews.services.feedback import InboundSms

    table = compose.Table(get_settings())
    return InboundSms(table.feedback, lambda: secret_bytes("phone_salt_secret_name"), clock.now)


@requires("TABLE_NAME", "PHONE_SALT_SECRET_NAME")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = Counter(services().receive(message) for message in sns_messages(event))
    if outcomes["opted_out"]:
        metrics.add_metric(name="FeedbackOptOutsBySms", unit="Count", value=outcomes["opted_out"])
    logger.info("inbound SMS handled", extra={"outcomes": dict(outcomes)})
    return dict(outcomes)
