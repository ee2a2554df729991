"""Visits in (docs/feedback.md): `visit.completed` events from the bus, and CSV files of visits.

- An EventBridge event: its detail is one visit. An invalid one is logged (by field name) and
  dropped; a failure of the store raises, so the event is retried, then kept in the dead-letter queue.
- An S3 event: a CSV under `visits/[<clinic_id>/]` of the imports bucket. Every row goes through the
  same rules; the file (it holds phone numbers) is deleted once read, and a report with row numbers
  and reasons only is written to `visits-reports/<key>.json`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import clock, compose, container
from clinic_reviews.clients import secret_bytes
from clinic_reviews.domain.visit_csv import VisitFileError, read_visits
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires

VISITS_PREFIX = "visits/"
REPORTS_PREFIX = "visits-reports/"
MAX_FILE_BYTES = 20 * 1024 * 1024


def _event(detail: Any) -> dict[str, Any]:
    report = services().receive([detail])
    for item in report.rejected:
        logger.warning("visit event rejected", extra={"reason": item["reason"]})
    return report.as_dict()


def _file(bucket: str, key: str, size: int) -> dict[str, Any]:
    objects = compose.bucket(bucket)
    parts = key[len(VISITS_PREFIX):].split("/")
    clinic_id = parts[0] if len(parts) > 1 else None
    result: dict[str, Any] = {"key": key}
    try:
        if size > MAX_FILE_BYTES:
            raise VisitFileError(f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB: split it")
        rows = read_visits(objects.get_bytes(key), clinic_id)
    except VisitFileError as exc:
        result["error"] = str(exc)
    else:
        lines = [row.pop("_line") for row in rows]
        report = services().receive(rows)
        result.update(report.as_dict())
        result["rejected"] = [{"line": lines[r["index"]], "reason": r["reason"]} for r in report.rejected]
        metrics.add_metric(name="VisitsImported", unit="Count", value=len(rows) - len(report.rejected))
    objects.put_bytes(f"{REPORTS_PREFIX}{key}.json", json.dumps(result, ensure_ascii=False, indent=1).encode(), "application/json")
    objects.delete(key)  # the file holds phone numbers: read once, then gone
    logger.info("visits file read", extra={k: v for k, v in result.items() if k != "rejected"})
    return result


@container.cached
def services():
    """Visits in: the table (requests, policies), the feedback state machine, the phone salt secret; files of the
    bucket an S3 event names."""
    from clinic_reviews.services.feedback import VisitService

    settings = get_settings()
    table = compose.Table(settings)
    starter = compose.workflow(settings.require("feedback_state_machine_arn"))
    return VisitService(table.feedback, table.policies, starter, lambda: secret_bytes("phone_salt_secret_name"), clock.now)


@requires("TABLE_NAME", "FEEDBACK_STATE_MACHINE_ARN", "PHONE_SALT_SECRET_NAME")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("detail-type") == "visit.completed":
        return _event(event.get("detail"))
    files = []
    for record in event.get("Records", []):
        key = unquote_plus(record["s3"]["object"]["key"])
        if not key.startswith(VISITS_PREFIX) or not key.lower().endswith(".csv"):
            continue
        files.append(_file(record["s3"]["bucket"]["name"], key, int(record["s3"]["object"].get("size") or 0)))
    return {"files": files}
