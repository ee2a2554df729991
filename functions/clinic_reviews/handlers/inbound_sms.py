"""Replies to the feedback SMS (two-way SMS of AWS End User Messaging, delivered through an SNS topic).

Each SNS record's message is the JSON AWS publishes for an inbound SMS (`originationNumber`,
`messageBody`, ...). A reply starting with STOP (or СТОП, ОТПИСАТЬСЯ, ...) opts the number out of
feedback requests; anything else is ignored. Neither the number nor the words are logged.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import wiring
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import requires


@requires("TABLE_NAME", "PHONE_SALT_SECRET_NAME")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    outcomes = Counter(wiring.inbound_sms().receive(record.sns.message) for record in SNSEvent(event).records)
    if outcomes["opted_out"]:
        metrics.add_metric(name="FeedbackOptOutsBySms", unit="Count", value=outcomes["opted_out"])
    logger.info("inbound SMS handled", extra={"outcomes": dict(outcomes)})
    return dict(outcomes)
