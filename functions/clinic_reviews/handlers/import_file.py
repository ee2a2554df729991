"""Import function: S3 object-created events of the imports bucket (services/imports.py).

Each record is one file under `imports/<clinic_id>/[<source>/]<file>`; its rejects are written to
`<file>.rejects.jsonl` beside it (those files, landing under the same prefix, are skipped). A file
whose rows could not all be stored fails the invocation, so S3's asynchronous retries run it again
(idempotent), then the function's dead-letter queue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from clinic_reviews import compose, container
from clinic_reviews.event_records import s3_objects
from clinic_reviews.observability import logger, metrics, tracer
from clinic_reviews.settings import get_settings, requires


@container.cached
def services():
    """Imports: the table (+ archive bucket), the bus, the escalation state machine; files of the bucket an S3
    event names."""
    settings = get_settings()
    table = compose.Table(settings)
    return compose.imports(settings, table)


@requires("TABLE_NAME", "BUS_NAME", "ARCHIVE_BUCKET", "ESCALATION_STATE_MACHINE_ARN")
@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    reports = []
    for bucket, key, size in s3_objects(event):
        report = services().import_object(compose.bucket(bucket), key, size=size)
        reports.append(report)
        if report.skipped:
            continue
        metrics.add_metric(name="ImportRowsStored", unit="Count", value=report.new + report.changed)
        metrics.add_metric(name="ImportRowsRejected", unit="Count", value=len(report.rejects))
        logger.info(
            "import file read",
            extra={"clinic_id": report.clinic_id, "rows": report.rows, "new": report.new,
                   "rejects": len(report.rejects), "failed": report.failed},
        )
    failed = sum(r.failed for r in reports)
    if failed:
        raise RuntimeError(f"{failed} imported reviews could not be stored; the file will be read again")
    return {"files": [r.as_dict() for r in reports]}
