"""Poison items put aside: what cannot be stored, whatever the retries, never blocks what comes after it.

An item whose storing fails with a permanent error (the table refuses it, a bug raises on it) is written
raw to the archive bucket under `quarantine/<day>/<clinic>/<source>/<hash>.json`, announced on the bus as
`review.quarantined`, counted per chain and day (the digest's health line) and as the `ReviewsQuarantined`
metric (its alarm). Its batch, its feed's cursor and the other feeds then move on. A transient error
(throttling, a 5xx, a timeout) is not poison: the item fails and is retried as before.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from clinic_reviews.domain.review import iso_z
from clinic_reviews.domain.safe_text import printable

PREFIX = "quarantine/"
COUNTER = "quarantined"
#: botocore/DynamoDB error codes that say "try again later", not "this item is bad".
TRANSIENT_CODES = frozenset({
    "ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded", "Throttling",
    "TooManyRequestsException", "InternalServerError", "InternalFailure", "ServiceUnavailable",
    "ServiceUnavailableException", "TransactionConflictException", "TransactionInProgressException",
    "SlowDown", "RequestTimeout", "RequestTimeoutException",
})


def is_transient(exc: BaseException) -> bool:
    """True when retrying later may succeed: throttling, a 5xx, a timeout, a lost connection, a lost race."""
    from botocore.exceptions import BotoCoreError, ClientError

    from clinic_reviews.store.reviews import Conflict

    seen = 0
    while exc is not None and seen < 5:  # pynamodb wraps the botocore error as its cause
        if isinstance(exc, BotoCoreError):  # connection, timeouts, endpoint errors
            return True
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            return error.get("Code") in TRANSIENT_CODES or int(status) >= 500
        code = getattr(exc, "cause_response_code", None)
        if code:
            return code in TRANSIENT_CODES
        if isinstance(exc, Conflict):  # a lost race: read again
            return True
        exc, seen = exc.__cause__ or getattr(exc, "cause", None), seen + 1
    return False


class Quarantine:
    """Puts poison items aside (the archive bucket, the bus, a daily counter); see the module's docstring."""

    def __init__(self, blobs: Any, publisher: Any, counters: Any, now: Callable[[], datetime]):
        self._blobs = blobs
        self._publisher = publisher
        self._counters = counters
        self._now = now

    def put_aside(self, item: Any, chain_id: str, reason: str) -> str:
        """Archive `item` raw, announce and count it; returns the object key. Raises if it cannot."""
        now = self._now()
        raw = json.dumps(item, ensure_ascii=True, sort_keys=True, default=str).encode()
        digest = hashlib.sha256(raw).hexdigest()[:24]
        clinic = _segment(item, "clinic_id")
        source = _segment(item, "source")
        key = f"{PREFIX}{now.date().isoformat()}/{clinic}/{source}/{digest}.json"
        if self._blobs.exists(key):  # the same item put aside again today (a re-poll): announced once
            return key
        self._blobs.put_bytes(key, raw, "application/json")
        from clinic_reviews.events import REVIEW_QUARANTINED, SCHEMA_VERSION, Event

        detail = {
            "schema_version": SCHEMA_VERSION,
            "event_id": f"{REVIEW_QUARANTINED}:{digest}",
            "occurred_at": iso_z(now),
            "chain_id": chain_id,
            "clinic_id": clinic,
            "source": source,
            "external_id": printable(str(item.get("external_id")))[:200] if isinstance(item, dict) else None,
            "object_key": key,
            "reason": printable(reason)[:300],
        }
        self._publisher.publish([Event(REVIEW_QUARANTINED, detail)])
        self._counters.add(chain_id, COUNTER, now.date())
        return key

    def count(self, chain_id: str, day: date) -> int:
        return self._counters.value(chain_id, COUNTER, day)


def _segment(item: Any, name: str) -> str:
    """A safe path segment from an item's field ("unknown" when absent or odd)."""
    value = item.get(name) if isinstance(item, dict) else None
    text = str(value) if isinstance(value, (str, int)) else ""
    cleaned = "".join(c for c in text if c.isascii() and (c.isalnum() or c in "-_."))[:64]
    return cleaned or "unknown"
