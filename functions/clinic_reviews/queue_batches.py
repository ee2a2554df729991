"""A batch of SQS messages answered with Lambda's partial batch response (`ReportBatchItemFailures`).

Each message's body goes to the handler; one that raises is reported by its message id (retried, then the
queue's dead-letter queue) and the others are done; when every message failed the batch raises, so Lambda
retries it whole (and its error metric counts). Powertools' `BatchProcessor` answered the same way (compared with
it in tests/unit/test_queue_batches.py), but importing it imports asyncio and every event data class: about 22 ms
of CPU, a seventh of `import boto3`, at the first queue batch of every intake container (issue 18).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class BatchFailed(RuntimeError):
    """Every message of the batch failed (the batch is retried whole)."""

    def __init__(self, errors: list[BaseException]):
        self.errors = errors
        super().__init__(f"All records failed processing. {len(errors)} individual errors: "
                         + "; ".join(sorted({type(e).__name__ for e in errors})))


def partial_response(event: Mapping[str, Any], handle: Callable[[str], Any],
                     failed: Callable[[BaseException], None] = lambda exc: None) -> dict[str, Any]:
    """`handle(body)` for each message of the SQS event, in order; `failed(exc)` for each that raised.
    Returns `{"batchItemFailures": [{"itemIdentifier": message id}, ...]}`."""
    records = event.get("Records")
    if not records or not isinstance(records, list):
        raise ValueError("not an SQS batch: expected a non-empty Records list")
    failures, errors = [], []
    for record in records:
        try:
            handle(record["body"])
        except Exception as exc:
            failed(exc)
            errors.append(exc)
            failures.append({"itemIdentifier": record["messageId"]})
    if len(errors) == len(records):
        raise BatchFailed(errors)
    return {"batchItemFailures": failures}
