"""Learn function: EventBridge Scheduler calls it monthly with `{"chain_id": ...}`; it fits the chain's
adaptation of the text model from its rated reviews and keeps it in S3 when it beats the base model
(services/adaptation.py)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires


@container.cached
def services():
    """The chain-learning service: the table and the archive bucket (its reviews and the learnt adaptation)."""
    from clinic_reviews.services.adaptation import AdaptationService

    table = compose.Table(get_settings())
    if table.archive is None:
        raise RuntimeError("the learn function needs ARCHIVE_BUCKET")
    return AdaptationService(table.reviews, table.archive, clock.now)


@requires("TABLE_NAME", "ARCHIVE_BUCKET")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    chain_id = event.get("chain_id")
    if not isinstance(chain_id, str) or not chain_id:
        raise ValueError("the learn event needs a chain_id")
    summary = services().learn(chain_id)
    metrics.add_metric(name="AdaptationAdopted", unit="Count", value=1 if summary["adopted"] else 0)
    logger.info("chain adaptation", extra={k: summary[k] for k in ("chain_id", "adopted", "reason", "reviews")})
    return summary
