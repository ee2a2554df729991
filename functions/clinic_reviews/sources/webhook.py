"""A generic signed webhook for the clinic's own channels (site form, chat bot, help desk).

Signature header (`X-Clinic-Reviews-Signature`): `t=<unix seconds>,v1=<hex HMAC-SHA256>` where the
MAC is over the bytes `"<t>." + body` with the shared secret. Several `v1=` values are allowed (a
secret being rotated). The body is one review object, an array of them, or `{"reviews": [...]}`,
with the import column names (see `imports.COLUMN_ALIASES`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from clinic_reviews.sources.imports import DEFAULT_TZ, ImportFormatError, ImportResult, Reject, import_rows

HEADER = "X-Clinic-Reviews-Signature"
DEFAULT_TOLERANCE = 300


class InvalidSignature(ValueError):
    """The request is not from the configured sender, or is stale; the message says which."""


def sign(secret: bytes, body: bytes, timestamp: int) -> str:
    """The header value a sender puts on `body` at `timestamp` (for senders and tests)."""
    mac = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify_signature(
    secret: bytes, body: bytes, header: str | None, now: datetime | float, tolerance: int = DEFAULT_TOLERANCE
) -> int:
    """Check the signature header and return its signed timestamp; raise InvalidSignature unless valid and fresh."""
    if not secret:
        raise InvalidSignature("no webhook secret configured")
    timestamp: int | None = None
    macs: list[str] = []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            macs.append(value.strip().lower())
    if timestamp is None or not macs:
        raise InvalidSignature("malformed signature header")
    current = now.timestamp() if isinstance(now, datetime) else float(now)
    if abs(current - timestamp) > tolerance:
        raise InvalidSignature("stale or future timestamp")
    expected = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, mac) for mac in macs):
        raise InvalidSignature("signature mismatch")
    return timestamp


def parse_webhook(body: bytes, *, source: str | None = None, tz: ZoneInfo | str = DEFAULT_TZ) -> ImportResult:
    """The reviews in a (verified) webhook body; line numbers are 1-based item positions, 0 = the body."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return ImportResult(rejects=[Reject(0, "body is not JSON")])
    if isinstance(document, Mapping) and isinstance(document.get("reviews"), list):
        items = document["reviews"]
    elif isinstance(document, list):
        items = document
    elif isinstance(document, Mapping):
        items = [document]
    else:
        return ImportResult(rejects=[Reject(0, "body must be an object or an array of objects")])
    try:
        return import_rows(enumerate(items, start=1), source=source, tz=tz)
    except ImportFormatError as exc:
        return ImportResult(rejects=[Reject(0, str(exc))])
